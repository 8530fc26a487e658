//! A camera preview stream across the boundary: `ScanSession` scans the frames of one stream with
//! what the previous frames found (hutong_core's `scan::ScanSession`), through the same frame
//! calls as `HutongScanner`.

use super::scan::{
    scan_built, semi_planar_frame, stride, yuv420888_frame, CropRect, HutongScanner, ScanError,
    ScannedCode,
};
use hutong_core::frame::Frame;
use hutong_core::scan;
use std::sync::Arc;

/// Scans the frames of one camera preview stream, in order, using what earlier frames found:
/// once a code is read, the next frames first read a full-resolution crop around it (a few
/// milliseconds instead of a whole-frame scan), and while nothing is found, large frames spread
/// the expensive full-resolution pass over two consecutive frames (each frame scans half of the
/// picture at full resolution and all of it at a coarse scale).
///
/// Every code returned was read from the frame of that call: a frame without a code returns an
/// empty list however recently one was seen. Each call is bounded like a `HutongScanner` frame
/// call (`ScanOptions.budget_ms` for the whole call) and counts as one frame in the scanner's
/// `stats()`. Use one session per stream, on the camera's analysis thread, and call `reset()`
/// when the stream restarts (another screen, the camera reopened, the crop changed); a new frame
/// size, rotation or crop also starts over by itself. Thread-safe; calls run one after another.
///
/// Frame arguments are those of the `HutongScanner` calls of the same name.
#[derive(uniffi::Object)]
pub struct ScanSession {
    inner: scan::ScanSession,
}

impl ScanSession {
    fn scan<'a>(
        &self,
        build: impl FnOnce() -> Result<Frame<'a>, hutong_core::frame::FrameError>,
        crop: Option<CropRect>,
    ) -> Result<Vec<ScannedCode>, ScanError> {
        scan_built(build, crop, |frame| self.inner.scan_frame(frame))
    }

    /// The core session, for Rust callers that hold an exported one (benches, tests).
    pub fn core(&self) -> &scan::ScanSession {
        &self.inner
    }
}

#[uniffi::export]
impl ScanSession {
    /// A session scanning with `scanner`: its options, decoder thread and counters are shared,
    /// so several sessions (one per stream) can use one scanner.
    #[uniffi::constructor]
    pub fn new(scanner: Arc<HutongScanner>) -> Arc<Self> {
        Arc::new(ScanSession {
            inner: scan::ScanSession::new(scanner.shared_core()),
        })
    }

    /// The next frame of the stream as 8-bit grey: see `HutongScanner.scanGray8`.
    pub fn scan_gray8(
        &self,
        y: &[u8],
        width: u32,
        height: u32,
        row_stride: u32,
        rotation: u32,
        crop: Option<CropRect>,
    ) -> Result<Vec<ScannedCode>, ScanError> {
        self.scan(
            || Frame::gray8(y, width, height, stride(row_stride), rotation),
            crop,
        )
    }

    /// The next frame of the stream as NV21: see `HutongScanner.scanNv21`.
    #[allow(clippy::too_many_arguments)]
    pub fn scan_nv21(
        &self,
        y: &[u8],
        vu: &[u8],
        width: u32,
        height: u32,
        y_row_stride: u32,
        uv_row_stride: u32,
        rotation: u32,
        crop: Option<CropRect>,
    ) -> Result<Vec<ScannedCode>, ScanError> {
        self.scan(
            || semi_planar_frame(y, vu, width, height, y_row_stride, uv_row_stride, rotation),
            crop,
        )
    }

    /// The next frame of the stream as NV12: see `HutongScanner.scanNv12`.
    #[allow(clippy::too_many_arguments)]
    pub fn scan_nv12(
        &self,
        y: &[u8],
        uv: &[u8],
        width: u32,
        height: u32,
        y_row_stride: u32,
        uv_row_stride: u32,
        rotation: u32,
        crop: Option<CropRect>,
    ) -> Result<Vec<ScannedCode>, ScanError> {
        self.scan(
            || semi_planar_frame(y, uv, width, height, y_row_stride, uv_row_stride, rotation),
            crop,
        )
    }

    /// The next frame of the stream as a `YUV_420_888` image: see
    /// `HutongScanner.scanYuv420888`.
    #[allow(clippy::too_many_arguments)]
    pub fn scan_yuv420888(
        &self,
        y: &[u8],
        u: &[u8],
        v: &[u8],
        width: u32,
        height: u32,
        y_row_stride: u32,
        uv_row_stride: u32,
        uv_pixel_stride: u32,
        rotation: u32,
        crop: Option<CropRect>,
    ) -> Result<Vec<ScannedCode>, ScanError> {
        self.scan(
            || {
                yuv420888_frame(
                    y,
                    u,
                    v,
                    width,
                    height,
                    y_row_stride,
                    uv_row_stride,
                    uv_pixel_stride,
                    rotation,
                )
            },
            crop,
        )
    }

    /// The next frame of the stream as 32-bit BGRA: see `HutongScanner.scanBgra`.
    pub fn scan_bgra(
        &self,
        pixels: &[u8],
        width: u32,
        height: u32,
        row_stride: u32,
        rotation: u32,
        crop: Option<CropRect>,
    ) -> Result<Vec<ScannedCode>, ScanError> {
        self.scan(
            || Frame::bgra8888(pixels, width, height, stride(row_stride), rotation),
            crop,
        )
    }

    /// Forgets what earlier frames found: the next frame is scanned as a stream's first.
    pub fn reset(&self) {
        self.inner.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::ScanOptions;
    use hutong_core::frame::synth::LumaPicture;
    use hutong_core::render::{self, RenderOptions, Symbology};

    const TEXT: &str = "wxp://f2f0session-test";

    fn session() -> (Arc<HutongScanner>, Arc<ScanSession>) {
        let scanner = HutongScanner::new(ScanOptions {
            formats: vec![],
            try_harder: false,
            also_inverted: false,
            max_codes: 4,
            budget_ms: 2000,
        })
        .unwrap();
        let session = ScanSession::new(Arc::clone(&scanner));
        (scanner, session)
    }

    fn scene(with_code: bool) -> LumaPicture {
        let mut pic = LumaPicture::filled(320, 240, 200);
        if with_code {
            let qr = render::render(
                TEXT,
                Symbology::Qr,
                RenderOptions::for_symbology(Symbology::Qr, 4),
            )
            .unwrap();
            pic.draw(&qr.pixels, qr.width, 100, 40, 30, 220);
        }
        pic
    }

    #[test]
    fn reads_a_stream_and_never_a_code_the_frame_lacks() {
        let (scanner, session) = session();
        let code = scene(true);
        let blank = scene(false);
        for _ in 0..3 {
            let found = session
                .scan_gray8(&code.pixels, 320, 240, 320, 0, None)
                .unwrap();
            assert_eq!(found.len(), 1);
            assert_eq!(found[0].text, TEXT);
            assert!(found[0].corners.iter().all(|p| p.x >= 100.0 && p.y >= 40.0));
        }
        assert!(session
            .scan_gray8(&blank.pixels, 320, 240, 320, 0, None)
            .unwrap()
            .is_empty());
        session.reset();
        let sensor = code.to_sensor(90);
        let all = sensor.to_semi_planar(sensor.width as usize);
        let (y, vu) = all.split_at((sensor.width * sensor.height) as usize);
        let found = session
            .scan_nv21(y, vu, sensor.width, sensor.height, 240, 240, 90, None)
            .unwrap();
        assert_eq!(found[0].text, TEXT);
        let stats = scanner.stats();
        assert_eq!((stats.frames, stats.codes), (5, 4), "one frame per call");
    }

    #[test]
    fn bad_frames_are_errors_as_for_the_scanner() {
        let (_, session) = session();
        assert!(matches!(
            session.scan_gray8(&[0; 10], 64, 48, 64, 0, None),
            Err(ScanError::BadFrame(_))
        ));
        let crop = CropRect {
            x: 300,
            y: 0,
            width: 40,
            height: 10,
        };
        assert!(matches!(
            session.scan_gray8(&[0; 320 * 240], 320, 240, 320, 0, Some(crop)),
            Err(ScanError::BadFrame(_))
        ));
    }
}
