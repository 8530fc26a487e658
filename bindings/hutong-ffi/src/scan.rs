//! Scanning across the boundary: a long-lived `HutongScanner` object whose frame calls take the
//! camera's planes as borrowed byte slices (a Kotlin direct `ByteBuffer`, a Swift `Data`), so a
//! 1280x720 frame crosses without a copy; only the crop's luma is copied once, inside `scan`.

use super::guard::{guarded, Panicked};
use hutong_core::frame::{Frame, FrameError, Plane, Rect};
use hutong_core::scan::{self, ImageError};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

/// The longest time budget a scanner accepts: a camera frame is never worth more than this.
const MAX_BUDGET_MS: u32 = 10_000;

/// A barcode symbology the scanner can look for (`ScanOptions.formats`) and found
/// (`ScannedCode.format`). Each extra format costs time on every frame: look only for what the
/// screen expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CodeFormat {
    /// QR code: merchant codes of every network, most payer codes.
    QrCode,
    /// Micro QR code.
    MicroQrCode,
    /// Code 128: the barcode under a WeChat / Alipay payer code (18 digits and similar).
    Code128,
    /// PDF417 (tickets, IDs).
    Pdf417,
    /// Data Matrix.
    DataMatrix,
    /// Aztec (tickets, boarding passes).
    Aztec,
    /// EAN-13 (retail products).
    Ean13,
    /// EAN-8 (small retail products).
    Ean8,
    /// UPC-E (small retail products, North America).
    UpcE,
    /// Code 39 (logistics, loyalty cards).
    Code39,
}

impl From<CodeFormat> for scan::CodeFormat {
    fn from(f: CodeFormat) -> Self {
        match f {
            CodeFormat::QrCode => scan::CodeFormat::QrCode,
            CodeFormat::MicroQrCode => scan::CodeFormat::MicroQrCode,
            CodeFormat::Code128 => scan::CodeFormat::Code128,
            CodeFormat::Pdf417 => scan::CodeFormat::Pdf417,
            CodeFormat::DataMatrix => scan::CodeFormat::DataMatrix,
            CodeFormat::Aztec => scan::CodeFormat::Aztec,
            CodeFormat::Ean13 => scan::CodeFormat::Ean13,
            CodeFormat::Ean8 => scan::CodeFormat::Ean8,
            CodeFormat::UpcE => scan::CodeFormat::UpcE,
            CodeFormat::Code39 => scan::CodeFormat::Code39,
        }
    }
}

impl From<scan::CodeFormat> for CodeFormat {
    fn from(f: scan::CodeFormat) -> Self {
        match f {
            scan::CodeFormat::QrCode => CodeFormat::QrCode,
            scan::CodeFormat::MicroQrCode => CodeFormat::MicroQrCode,
            scan::CodeFormat::Code128 => CodeFormat::Code128,
            scan::CodeFormat::Pdf417 => CodeFormat::Pdf417,
            scan::CodeFormat::DataMatrix => CodeFormat::DataMatrix,
            scan::CodeFormat::Aztec => CodeFormat::Aztec,
            scan::CodeFormat::Ean13 => CodeFormat::Ean13,
            scan::CodeFormat::Ean8 => CodeFormat::Ean8,
            scan::CodeFormat::UpcE => CodeFormat::UpcE,
            scan::CodeFormat::Code39 => CodeFormat::Code39,
        }
    }
}

/// What a `HutongScanner` looks for and how long one call may take. Every field has a default, so
/// `ScanOptions()` is the camera setup wallets want (QR and Code 128, up to 4 codes, 150 ms).
/// Checked by the `HutongScanner` constructor (`ScanError.InvalidOptions`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ScanOptions {
    /// The symbologies to look for (duplicates ignored); empty means the wallet default, QR code
    /// and Code 128.
    #[uniffi(default = [])]
    pub formats: Vec<CodeFormat>,
    /// Look harder on every call: slower, finds rotated linear codes and damaged symbols. For
    /// still images; leave it off for camera frames, where the next frame is the better retry.
    #[uniffi(default = false)]
    pub try_harder: bool,
    /// Also look for light-on-dark codes (a payer code shown by a wallet in dark mode); slower.
    #[uniffi(default = false)]
    pub also_inverted: bool,
    /// Stop after this many codes in one frame (1 or more; 0 is `InvalidOptions`).
    #[uniffi(default = 4)]
    pub max_codes: u32,
    /// The longest one scan call may block its caller, in milliseconds, 1 to 10000 (others are
    /// `InvalidOptions`); past it the call returns an empty list and `stats().timeouts` counts
    /// it. `decodeImage` allows this much per pass.
    #[uniffi(default = 150)]
    pub budget_ms: u32,
}

impl ScanOptions {
    fn to_core(&self) -> Result<scan::ScanOptions, ScanError> {
        if self.max_codes == 0 {
            return Err(ScanError::InvalidOptions(
                "max_codes must be at least 1".into(),
            ));
        }
        if self.budget_ms == 0 || self.budget_ms > MAX_BUDGET_MS {
            return Err(ScanError::InvalidOptions(format!(
                "budget_ms must be 1 to {MAX_BUDGET_MS}, got {}",
                self.budget_ms
            )));
        }
        let defaults = scan::ScanOptions::default();
        let mut formats: Vec<scan::CodeFormat> = self.formats.iter().map(|&f| f.into()).collect();
        formats.sort();
        formats.dedup();
        Ok(scan::ScanOptions {
            formats: if formats.is_empty() {
                defaults.formats
            } else {
                formats
            },
            try_harder: self.try_harder,
            also_inverted: self.also_inverted,
            max_codes: self.max_codes as usize,
            time_budget: Duration::from_millis(u64::from(self.budget_ms)),
        })
    }
}

/// A point in upright display pixels (top-left origin, x right, y down).
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct Point {
    /// Pixels from the left edge.
    pub x: f32,
    /// Pixels from the top edge.
    pub y: f32,
}

/// A crop in upright display pixels (after `rotation`), e.g. the viewfinder's reticle: only this
/// part of the frame is scanned, which is faster and ignores codes outside it. It must lie
/// inside the upright frame (`ScanError.BadFrame` otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct CropRect {
    /// Left edge, pixels from the upright frame's left.
    pub x: u32,
    /// Top edge, pixels from the upright frame's top.
    pub y: u32,
    /// Width in pixels, 1 or more.
    pub width: u32,
    /// Height in pixels, 1 or more.
    pub height: u32,
}

/// One decoded code.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ScannedCode {
    /// The decoded text: pass it to `identify` / `PaymentRegistry.identify`.
    pub text: String,
    /// The symbol's data bytes as the decoder read them (empty when the decoder gives none):
    /// pass them to `identifyBytes` for binary payloads (an EMVCo CPM token) the text cannot carry.
    pub raw_bytes: Vec<u8>,
    /// The symbology it was read as.
    pub format: CodeFormat,
    /// Four corners in upright display coordinates of the whole frame (crop offset included):
    /// top-left, top-right, bottom-right, bottom-left of the code. For linear codes, the two
    /// ends of the scan line, each twice.
    pub corners: Vec<Point>,
    /// Milliseconds from the start of the call until this code was decoded.
    pub decode_ms: f64,
}

impl From<scan::ScannedCode> for ScannedCode {
    fn from(c: scan::ScannedCode) -> Self {
        ScannedCode {
            text: c.text,
            raw_bytes: c.raw_bytes,
            format: c.format.into(),
            corners: c.corners.iter().map(|p| Point { x: p.x, y: p.y }).collect(),
            decode_ms: c.decode_ms,
        }
    }
}

/// A scanner's running counters since it was built: why frames came back empty. For logs and
/// diagnostics; the values only grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct ScanStats {
    /// Frames and images scanned (a `decodeImage` call counts once). Calls refused with a
    /// `ScanError` do not count.
    pub frames: u64,
    /// Of those, the ones where at least one code was found.
    pub frames_with_codes: u64,
    /// Codes returned in all.
    pub codes: u64,
    /// Decoder panics caught and turned into "no code".
    pub panics: u64,
    /// Calls that reached the time budget (`budget_ms`) before the decoder finished.
    pub timeouts: u64,
    /// Calls that returned an empty list at once because earlier timed-out decodes were still
    /// running (the device is overloaded: fewer formats or a smaller crop help).
    pub skipped_busy: u64,
}

/// Why a scan call could not look at the picture. A frame without a code is not an error: it
/// returns an empty list.
///
/// Flat: an app reacts the same way to every kind of bad frame (its camera adapter is wrong),
/// so the frame's exact problem lives in the message
/// ("Y plane holds 100 bytes but its rows need 921600").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum ScanError {
    /// Sizes, strides, plane lengths, rotation or crop do not describe a readable frame: the
    /// camera adapter passes the wrong numbers (a bug to fix, not to retry).
    #[error("bad frame: {0}")]
    BadFrame(String),
    /// The constructor's `ScanOptions` are out of range (`max_codes` 0, `budget_ms` not 1 to
    /// 10000).
    #[error("invalid scan options: {0}")]
    InvalidOptions(String),
    /// `decodeImage`: not a PNG, JPEG or WebP file. Tell the user the file is not a supported
    /// picture.
    #[error("{0}")]
    UnsupportedImage(String),
    /// `decodeImage`: over a cap, refused before decoding: the file over 32 MiB, the image
    /// over 50 M pixels or 16384 per side, its decode over 192 MiB of memory (colour type,
    /// 16-bit samples, alpha and EXIF turn counted), or a progressive JPEG with too many scans.
    /// Tell the user the picture is too large (a screenshot or a cropped photo works).
    #[error("{0}")]
    ImageTooLarge(String),
    /// `decodeImage`: damaged, or truncated (a file cut short is an error, not "no code").
    /// Tell the user the file is damaged.
    #[error("{0}")]
    CorruptImage(String),
    /// A bug in the library (a caught panic outside the decoder, whose panics give "no code");
    /// the message is for a bug report. The scanner stays usable.
    #[error("internal error in hutong (please report): {0}")]
    Internal(String),
}

impl From<FrameError> for ScanError {
    fn from(e: FrameError) -> Self {
        ScanError::BadFrame(e.to_string())
    }
}

impl From<ImageError> for ScanError {
    fn from(e: ImageError) -> Self {
        let text = e.to_string();
        match e {
            ImageError::UnsupportedFormat | ImageError::NotBuiltIn { .. } => {
                ScanError::UnsupportedImage(text)
            }
            ImageError::FileTooLarge { .. }
            | ImageError::TooLarge { .. }
            | ImageError::MemoryLimit { .. }
            | ImageError::TooComplex { .. } => ScanError::ImageTooLarge(text),
            ImageError::Truncated { .. } | ImageError::Corrupt { .. } => {
                ScanError::CorruptImage(text)
            }
        }
    }
}

impl From<Panicked> for ScanError {
    fn from(p: Panicked) -> Self {
        ScanError::Internal(p.0)
    }
}

/// Decodes codes from camera frames and image files. Build one per camera session and reuse it:
/// it keeps its readers, its decoder thread and its luma buffer between frames. Thread-safe;
/// calls from several threads run one after another. To scan a preview stream with what earlier
/// frames found (faster, see `ScanSession`), wrap it in a `ScanSession`.
///
/// Every call is synchronous and blocks for up to about `ScanOptions.budget_ms` (a `decodeImage`
/// call up to six times that, plus the file's decoding): call frame methods on the camera's
/// analysis thread (CameraX `ImageAnalysis` executor, `AVCaptureVideoDataOutput` queue) and
/// `decodeImage` on a background thread, never on the main thread. A frame without a code, a
/// decoder panic and a timed-out call all return an empty list (`stats()` tells them apart).
///
/// Frame planes are borrowed for the call: from Kotlin pass direct `ByteBuffer`s whose position
/// is 0 (`slice()` otherwise), from Swift `Data` over the locked pixel buffer. `rotation` is the
/// clockwise turn that makes the picture upright (CameraX `rotationDegrees`): 0, 90, 180 or 270.
/// Row strides are bytes; the last row of a plane may stop right after its pixels.
#[derive(uniffi::Object)]
pub struct HutongScanner {
    inner: Arc<scan::Scanner>,
}

/// Builds a frame, applies the crop and hands it to `scan` (a scanner's or a session's); a
/// panic anywhere becomes `ScanError::Internal`.
pub(crate) fn scan_built<'a>(
    build: impl FnOnce() -> Result<Frame<'a>, FrameError>,
    crop: Option<CropRect>,
    scan: impl FnOnce(&Frame<'a>) -> Vec<scan::ScannedCode>,
) -> Result<Vec<ScannedCode>, ScanError> {
    // Scanners and sessions survive a panic by design (their locks are taken over, counters
    // are atomics), so asserting unwind safety is sound here.
    guarded(AssertUnwindSafe(|| {
        let mut frame = build()?;
        if let Some(c) = crop {
            frame = frame.with_crop(Rect::new(c.x, c.y, c.width, c.height))?;
        }
        Ok(scan(&frame).into_iter().map(ScannedCode::from).collect())
    }))
}

/// The NV21 / NV12 frame of `scanNv21` and `scanNv12` (two semi-planar planes).
pub(crate) fn semi_planar_frame<'a>(
    y: &'a [u8],
    chroma: &'a [u8],
    width: u32,
    height: u32,
    y_row_stride: u32,
    uv_row_stride: u32,
    rotation: u32,
) -> Result<Frame<'a>, FrameError> {
    Frame::semi_planar_planes(
        y,
        chroma,
        width,
        height,
        stride(y_row_stride),
        stride(uv_row_stride),
        rotation,
    )
}

/// The `YUV_420_888` frame of `scanYuv420888`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn yuv420888_frame<'a>(
    y: &'a [u8],
    u: &'a [u8],
    v: &'a [u8],
    width: u32,
    height: u32,
    y_row_stride: u32,
    uv_row_stride: u32,
    uv_pixel_stride: u32,
    rotation: u32,
) -> Result<Frame<'a>, FrameError> {
    let (uvr, uvp) = (stride(uv_row_stride), stride(uv_pixel_stride));
    Frame::yuv_420_888(
        Plane::new(y, stride(y_row_stride), 1),
        Plane::new(u, uvr, uvp),
        Plane::new(v, uvr, uvp),
        width,
        height,
        rotation,
    )
}

impl HutongScanner {
    fn scan<'a>(
        &self,
        build: impl FnOnce() -> Result<Frame<'a>, FrameError>,
        crop: Option<CropRect>,
    ) -> Result<Vec<ScannedCode>, ScanError> {
        scan_built(build, crop, |frame| self.inner.scan_frame(frame))
    }

    /// The core scanner, for Rust callers that hold an exported one (benches, tests).
    pub fn core(&self) -> &scan::Scanner {
        &self.inner
    }

    /// The core scanner, shared (a `ScanSession` scans with it).
    pub(crate) fn shared_core(&self) -> Arc<scan::Scanner> {
        Arc::clone(&self.inner)
    }
}

pub(crate) fn stride(s: u32) -> usize {
    s as usize
}

#[uniffi::export]
impl HutongScanner {
    /// Builds a scanner with `options`. Throws `ScanError.InvalidOptions` when they are out of
    /// range; never anything else but `Internal`.
    #[uniffi::constructor]
    pub fn new(options: ScanOptions) -> Result<Arc<Self>, ScanError> {
        guarded(|| {
            Ok(Arc::new(HutongScanner {
                inner: Arc::new(scan::Scanner::new(options.to_core()?)),
            }))
        })
    }

    /// Scans an 8-bit grey (luma only) frame: `y` holds `height` rows of `row_stride` bytes,
    /// `width` x `height` pixels as the sensor delivered them (before `rotation`). Returns the
    /// codes found, in upright display coordinates, or an empty list. Throws
    /// `ScanError.BadFrame` when the numbers do not describe the buffer.
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

    /// Scans an NV21 frame (Android camera1, `ImageFormat.NV21`): the Y plane and the
    /// interleaved VU plane as separate buffers, each with its row stride in bytes; `width` x
    /// `height` pixels before `rotation`. The VU plane's size is checked; only luma is decoded.
    /// Returns and throws as `scanGray8`.
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

    /// Scans an NV12 frame (iOS `420YpCbCr8BiPlanarFullRange` / `VideoRange`): plane 0 (Y) and
    /// plane 1 (interleaved UV), each with its bytes-per-row; `width` x `height` pixels before
    /// `rotation`. Returns and throws as `scanGray8`.
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

    /// Scans a CameraX / camera2 `YUV_420_888` image: its three planes as given by
    /// `Image.planes` (U and V may overlap, with pixel stride 2), the Y and chroma row strides
    /// in bytes and the chroma pixel stride; `width` x `height` pixels before `rotation`
    /// (`ImageProxy.imageInfo.rotationDegrees`). Returns and throws as `scanGray8`.
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

    /// Scans a 32-bit BGRA frame (iOS `kCVPixelFormatType_32BGRA`), converted to luma once:
    /// `pixels` holds `height` rows of `row_stride` bytes (4 per pixel and any padding).
    /// Returns and throws as `scanGray8`.
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

    /// Decodes an image file (PNG, JPEG or WebP; EXIF orientation applied) and scans it as a
    /// gallery pick: as it is, then turned a quarter, a half and three quarters, then inverted
    /// as it is and turned a quarter, until something is found (each pass within `budget_ms`,
    /// so up to six of them for a picture without a code). Corners are in the upright image's
    /// pixels.
    ///
    /// Bounded for untrusted files: over 32 MiB, 50 M pixels, 16384 px a side, 192 MiB of
    /// decoding memory (computed from the header: colour type, 16-bit samples, alpha, EXIF
    /// turn) or too many progressive JPEG scans is `ImageTooLarge`, refused before decoding;
    /// a truncated file is `CorruptImage`; not a picture at all is `UnsupportedImage`. Show the
    /// user these; an empty list means the picture holds no code the scanner can read. Peak
    /// memory of the call is documented in docs/adr/0001-frame-and-scan-api.md. Blocking and
    /// CPU-heavy: call it on a background thread.
    pub fn decode_image(&self, bytes: Vec<u8>) -> Result<Vec<ScannedCode>, ScanError> {
        guarded(AssertUnwindSafe(|| {
            Ok(self
                .inner
                .decode_image(&bytes)?
                .into_iter()
                .map(ScannedCode::from)
                .collect())
        }))
    }

    /// Scans a picture the app decoded itself (a gallery pick through `BitmapFactory` /
    /// `CGImage`, the platform profile's way in; ADR 0011) as `decodeImage` scans a file's
    /// pixels: as it is, then turned a quarter, a half and three quarters, then inverted, until
    /// something is found, each pass within `budget_ms`. `luma` holds `height` rows of
    /// `row_stride` bytes of 8-bit grey, `width` x `height` pixels upright; corners are in its
    /// pixels. Throws `ScanError.BadFrame` when the numbers do not describe the buffer or the
    /// picture is over 50 M pixels or 16384 px a side (scale it down first). Packs the rows into
    /// one copy of the picture (1 byte a pixel) for the scan's passes. Blocking and CPU-heavy:
    /// call it on a background thread.
    pub fn scan_picture_gray8(
        &self,
        luma: &[u8],
        width: u32,
        height: u32,
        row_stride: u32,
    ) -> Result<Vec<ScannedCode>, ScanError> {
        guarded(AssertUnwindSafe(|| {
            let frame = Frame::gray8(luma, width, height, stride(row_stride), 0)?;
            let mut pixels = Vec::new();
            let (width, height) = frame.copy_roi_luma(&mut pixels);
            let picture = scan::LumaImage {
                pixels,
                width,
                height,
            };
            Ok(self
                .inner
                .scan_still(&picture)
                .into_iter()
                .map(ScannedCode::from)
                .collect())
        }))
    }

    /// Counters since the scanner was built (cheap, never blocks on a running scan).
    pub fn stats(&self) -> ScanStats {
        let s = self.inner.stats();
        ScanStats {
            frames: s.frames,
            frames_with_codes: s.frames_with_codes,
            codes: s.codes,
            panics: s.panics,
            timeouts: s.timeouts,
            skipped_busy: s.skipped_busy,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hutong_core::frame::{synth::LumaPicture, MAX_SIDE};
    use hutong_core::render::{self, RenderOptions, Symbology};

    const TEXT: &str = "https://qr.alipay.com/fkx12345example";

    fn scanner() -> Arc<HutongScanner> {
        HutongScanner::new(ScanOptions {
            formats: vec![],
            try_harder: false,
            also_inverted: false,
            max_codes: 4,
            budget_ms: 2000,
        })
        .unwrap()
    }

    /// An upright 320x240 scene with a QR code at (100, 40), module size 4.
    fn scene() -> LumaPicture {
        let qr = render::render(
            TEXT,
            Symbology::Qr,
            RenderOptions::for_symbology(Symbology::Qr, 4),
        )
        .unwrap();
        let mut pic = LumaPicture::filled(320, 240, 200);
        pic.draw(&qr.pixels, qr.width, 100, 40, 30, 220);
        pic
    }

    #[test]
    fn scans_a_gray8_frame() {
        let pic = scene();
        let codes = scanner()
            .scan_gray8(&pic.pixels, 320, 240, 320, 0, None)
            .unwrap();
        assert_eq!(codes.len(), 1);
        assert_eq!(codes[0].text, TEXT);
        assert_eq!(codes[0].format, CodeFormat::QrCode);
        assert_eq!(codes[0].corners.len(), 4);
    }

    #[test]
    fn scans_nv21_planes_in_separate_buffers_turned_a_quarter() {
        let sensor = scene().to_sensor(90);
        let stride = sensor.width as usize + 16;
        let all = sensor.to_semi_planar(stride);
        let (y, vu) = all.split_at(stride * sensor.height as usize);
        let codes = scanner()
            .scan_nv21(
                y,
                vu,
                sensor.width,
                sensor.height,
                stride as u32,
                stride as u32,
                90,
                None,
            )
            .unwrap();
        assert_eq!(codes.len(), 1);
        assert_eq!(codes[0].text, TEXT);
        // Display coordinates: the code was drawn at x >= 100 of the upright 320-wide scene.
        assert!(codes[0].corners.iter().all(|p| p.x > 90.0 && p.x < 320.0));
    }

    #[test]
    fn scans_a_yuv_420_888_frame_with_interleaved_chroma() {
        let pic = scene();
        let stride = 336usize;
        let (y, chroma) = pic.to_yuv_420_888(stride);
        let codes = scanner()
            .scan_yuv420888(&y, &chroma[1..], &chroma, 320, 240, 336, 336, 2, 0, None)
            .unwrap();
        assert_eq!(codes.len(), 1);
    }

    #[test]
    fn a_crop_that_misses_the_code_finds_nothing() {
        let pic = scene();
        let crop = CropRect {
            x: 0,
            y: 0,
            width: 90,
            height: 240,
        };
        let codes = scanner()
            .scan_gray8(&pic.pixels, 320, 240, 320, 0, Some(crop))
            .unwrap();
        assert!(codes.is_empty());
    }

    #[test]
    fn a_short_y_plane_is_a_bad_frame_with_the_reason() {
        let err = scanner()
            .scan_nv21(&[0; 100], &[0; 100], 64, 48, 64, 64, 0, None)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "bad frame: Y plane holds 100 bytes but its rows need 3072"
        );
    }

    #[test]
    fn a_bad_rotation_and_an_outside_crop_are_bad_frames() {
        let s = scanner();
        let plane = vec![0u8; 64 * 48];
        assert!(matches!(
            s.scan_gray8(&plane, 64, 48, 64, 45, None),
            Err(ScanError::BadFrame(_))
        ));
        let crop = CropRect {
            x: 40,
            y: 0,
            width: 40,
            height: 10,
        };
        assert!(matches!(
            s.scan_gray8(&plane, 64, 48, 64, 0, Some(crop)),
            Err(ScanError::BadFrame(_))
        ));
        assert!(matches!(
            s.scan_gray8(&plane, MAX_SIDE + 1, 1, MAX_SIDE + 1, 0, None),
            Err(ScanError::BadFrame(_))
        ));
    }

    #[test]
    fn a_text_file_is_not_an_image() {
        assert!(matches!(
            scanner().decode_image(b"hello".to_vec()),
            Err(ScanError::UnsupportedImage(_))
        ));
    }

    /// A photo of a payer barcode held sideways, as the app's own decoder hands it over: the
    /// bars run across the rows, so a camera-frame scan of it (rows only, no try-harder) finds
    /// nothing, and the picture scan finds it by turning it a quarter, as `decodeImage` would.
    #[test]
    fn a_decoded_picture_is_scanned_as_a_gallery_pick_with_its_turns() {
        const PAYER: &str = "134567890123456789";
        let bars = render::render(
            PAYER,
            Symbology::Code128,
            RenderOptions::for_symbology(Symbology::Code128, 2),
        )
        .unwrap();
        let mut upright = LumaPicture::filled(bars.width + 40, bars.height + 40, 230);
        upright.draw(&bars.pixels, bars.width, 20, 20, 20, 230);
        let sideways = upright.to_sensor(90);
        let (w, h) = (sideways.width, sideways.height);
        // Rows padded to a multiple of 64 bytes, as Android's `Bitmap.getRowBytes` may be.
        let stride = w.div_ceil(64) * 64;
        let mut padded = vec![7u8; (stride * h) as usize];
        for (row, line) in sideways.pixels.chunks_exact(w as usize).enumerate() {
            let at = row * stride as usize;
            padded[at..at + w as usize].copy_from_slice(line);
        }
        let s = scanner();
        assert!(s
            .scan_gray8(&padded, w, h, stride, 0, None)
            .unwrap()
            .is_empty());
        let codes = s.scan_picture_gray8(&padded, w, h, stride).unwrap();
        assert_eq!(codes.len(), 1);
        assert_eq!(codes[0].text, PAYER);
        assert_eq!(codes[0].format, CodeFormat::Code128);
        assert_eq!(s.stats().frames, 2);
    }

    #[test]
    fn a_picture_whose_numbers_do_not_fit_its_buffer_is_a_bad_frame() {
        let s = scanner();
        for (len, w, h, stride) in [(99, 10, 10, 10), (100, 10, 10, 9), (0, 0, 0, 0)] {
            assert!(
                matches!(
                    s.scan_picture_gray8(&vec![0; len], w, h, stride),
                    Err(ScanError::BadFrame(_))
                ),
                "{len} bytes as {w}x{h} stride {stride}"
            );
        }
        let side = MAX_SIDE + 1;
        assert!(matches!(
            s.scan_picture_gray8(&[], side, 1, side),
            Err(ScanError::BadFrame(_))
        ));
    }

    #[test]
    fn decodes_a_png_file() {
        let png = scene_png();
        let codes = scanner().decode_image(png).unwrap();
        assert_eq!(codes[0].text, TEXT);
    }

    fn scene_png() -> Vec<u8> {
        let pic = scene();
        render::Bitmap {
            width: pic.width,
            height: pic.height,
            pixels: pic.pixels,
        }
        .to_png()
        .unwrap()
    }

    #[test]
    fn refuses_options_it_cannot_honour() {
        let mut o = ScanOptions {
            formats: vec![CodeFormat::QrCode],
            try_harder: false,
            also_inverted: false,
            max_codes: 0,
            budget_ms: 150,
        };
        assert!(matches!(
            HutongScanner::new(o.clone()),
            Err(ScanError::InvalidOptions(_))
        ));
        o.max_codes = 1;
        o.budget_ms = 0;
        assert!(matches!(
            HutongScanner::new(o),
            Err(ScanError::InvalidOptions(_))
        ));
    }

    #[test]
    fn counts_frames_and_codes() {
        let s = scanner();
        let pic = scene();
        s.scan_gray8(&pic.pixels, 320, 240, 320, 0, None).unwrap();
        s.scan_gray8(&[0; 64 * 48], 64, 48, 64, 0, None).unwrap();
        let st = s.stats();
        assert_eq!((st.frames, st.frames_with_codes, st.codes), (2, 1, 1));
    }
}
