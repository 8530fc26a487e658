//! Camera frames in every layout the platforms deliver (gray, NV21, NV12, YUV_420_888 with row and
//! pixel strides, BGRA, and the core's contiguous NV21, I420 and RGBA), with rotation and crop,
//! geometry taken from the input. Checks:
//! - a frame is refused with a typed error or accepted, never a panic, in the core and through
//!   the exported `HutongScanner` alike, and both agree on which;
//! - an accepted frame's crop maps to the sensor rectangle that shows it, and the luma handed to
//!   the decoder is exactly those pixels of the Y plane;
//! - scanning gives finite corners, and no caught panic, timeout or refusal to run.
//!
//! Input: a 16-byte header (see `Geometry::read`), then pixel bytes that fill each plane
//! (repeated as needed). Planes above `MAX_PLANE_BYTES` get the raw bytes instead, so the
//! constructors see short buffers with huge sizes without the harness allocating them.
use hutong::{CodeFormat, CropRect, HutongScanner, ScanError, ScanOptions};
use hutong_core::frame::{Frame, FrameError, Plane, Rect};
use std::sync::{Arc, OnceLock};

const HEADER: usize = 16;
const MAX_PLANE_BYTES: usize = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    Gray8,
    Nv21Planes,
    Nv12Planes,
    Yuv420888,
    Bgra,
    Nv21Contiguous,
    I420,
    Rgba,
}

const LAYOUTS: [Layout; 8] = [
    Layout::Gray8,
    Layout::Nv21Planes,
    Layout::Nv12Planes,
    Layout::Yuv420888,
    Layout::Bgra,
    Layout::Nv21Contiguous,
    Layout::I420,
    Layout::Rgba,
];

#[derive(Debug)]
struct Geometry {
    layout: Layout,
    rotation: u32,
    width: u32,
    height: u32,
    y_stride: usize,
    c_stride: usize,
    c_pixel_stride: usize,
    /// U and V views into one interleaved buffer (Android's usual YUV_420_888 memory).
    interleaved: bool,
    /// Bytes each plane is longer (or shorter) than its rows need.
    delta: isize,
    crop: Option<CropRect>,
    scanner: usize,
}

fn le16(b: &[u8]) -> u32 {
    u32::from(u16::from_le_bytes([b[0], b[1]]))
}

impl Geometry {
    /// `[layout, rotation, width:2, height:2, y pad, chroma pad, pixel stride, length delta,
    /// options, crop x, crop y, crop w, crop h, unused]`.
    fn read(h: &[u8]) -> Geometry {
        let layout = LAYOUTS[usize::from(h[0]) % LAYOUTS.len()];
        let rotation = if h[1] & 0x80 != 0 {
            u32::from(h[1] & 0x7f) // mostly not a right angle: must be refused
        } else {
            [0, 90, 180, 270][usize::from(h[1] & 3)]
        };
        let (width, height) = (le16(&h[2..4]), le16(&h[4..6]));
        let bytes_per_pixel = if matches!(layout, Layout::Bgra | Layout::Rgba) {
            4
        } else {
            1
        };
        let y_min = width as usize * bytes_per_pixel;
        // A few bytes too small up to 251 bytes of padding.
        let y_stride = (y_min + usize::from(h[6])).saturating_sub(4);
        let c_pixel_stride = usize::from(h[8] % 4);
        let c_samples = width.div_ceil(2) as usize;
        let c_min = match layout {
            Layout::Yuv420888 => c_samples * c_pixel_stride.max(1),
            Layout::Nv21Planes | Layout::Nv12Planes => 2 * c_samples,
            _ => c_samples,
        };
        let c_stride = (c_min + usize::from(h[7])).saturating_sub(4);
        let delta = if h[9] < 200 {
            0
        } else {
            isize::from(h[9] % 9) - 4
        };
        let (dw, dh) = if rotation % 180 == 90 {
            (height, width)
        } else {
            (width, height)
        };
        let frac = |b: u8, of: u32| (u64::from(b) * u64::from(of) / 255) as u32;
        let crop = (h[10] & 1 != 0).then(|| CropRect {
            x: frac(h[11], dw),
            y: frac(h[12], dh),
            width: frac(h[13], dw),
            height: frac(h[14], dh),
        });
        Geometry {
            layout,
            rotation,
            width,
            height,
            y_stride,
            c_stride,
            c_pixel_stride,
            interleaved: h[8] & 0x10 != 0,
            delta,
            crop,
            scanner: usize::from(h[10] >> 1) % 4,
        }
    }

    /// (bytes, rows) of each plane at full strides.
    fn plane_sizes(&self) -> Vec<usize> {
        let (h, ch) = (self.height as usize, self.height.div_ceil(2) as usize);
        let y = self.y_stride.saturating_mul(h);
        let c = self.c_stride.saturating_mul(ch);
        match self.layout {
            Layout::Gray8 | Layout::Bgra | Layout::Rgba => vec![y],
            Layout::Nv21Planes | Layout::Nv12Planes => vec![y, c],
            Layout::Yuv420888 if self.interleaved => vec![y, c.saturating_add(1)],
            Layout::Yuv420888 => vec![y, c, c],
            // One buffer: luma rows then chroma rows, all at the luma stride.
            Layout::Nv21Contiguous => vec![self.y_stride.saturating_mul(h + ch)],
            Layout::I420 => vec![y.saturating_add(c.saturating_mul(2))],
        }
    }
}

/// A plane of `len` bytes (adjusted by `delta`) filled with the payload repeated; the raw payload
/// when that would be too large to allocate.
fn fill(payload: &[u8], len: usize, delta: isize) -> Vec<u8> {
    let len = len.saturating_add_signed(delta);
    if len > MAX_PLANE_BYTES {
        return payload.to_vec();
    }
    if payload.is_empty() {
        return vec![128; len];
    }
    payload.iter().copied().cycle().take(len).collect()
}

fn scanners() -> &'static [Arc<HutongScanner>; 4] {
    static SCANNERS: OnceLock<[Arc<HutongScanner>; 4]> = OnceLock::new();
    SCANNERS.get_or_init(|| {
        // Every format the core knows, so a new one is fuzzed without editing this list.
        let all: Vec<CodeFormat> = hutong_core::scan::CodeFormat::ALL
            .map(CodeFormat::from)
            .to_vec();
        let make = |formats: Vec<CodeFormat>, try_harder, also_inverted| {
            HutongScanner::new(ScanOptions {
                formats,
                try_harder,
                also_inverted,
                max_codes: 4,
                budget_ms: 5_000,
            })
            .expect("valid options")
        };
        [
            make(vec![], false, false),
            make(all.clone(), false, false),
            make(all.clone(), true, false),
            make(all, false, true),
        ]
    })
}

/// The core's frame for the geometry and planes.
fn core_frame<'a>(g: &Geometry, planes: &'a [Vec<u8>]) -> Result<Frame<'a>, FrameError> {
    let (w, h, r) = (g.width, g.height, g.rotation);
    let frame = match g.layout {
        Layout::Gray8 => Frame::gray8(&planes[0], w, h, g.y_stride, r),
        Layout::Nv21Planes | Layout::Nv12Planes => {
            Frame::semi_planar_planes(&planes[0], &planes[1], w, h, g.y_stride, g.c_stride, r)
        }
        Layout::Yuv420888 => {
            let (u, v): (&[u8], &[u8]) = if g.interleaved {
                (
                    &planes[1][..planes[1].len().saturating_sub(1)],
                    planes[1].get(1..).unwrap_or(&[]),
                )
            } else {
                (&planes[1], &planes[2])
            };
            Frame::yuv_420_888(
                Plane::new(&planes[0], g.y_stride, 1),
                Plane::new(u, g.c_stride, g.c_pixel_stride),
                Plane::new(v, g.c_stride, g.c_pixel_stride),
                w,
                h,
                r,
            )
        }
        Layout::Bgra => Frame::bgra8888(&planes[0], w, h, g.y_stride, r),
        Layout::Rgba => Frame::rgba8888(&planes[0], w, h, g.y_stride, r),
        Layout::Nv21Contiguous => Frame::nv21(&planes[0], w, h, g.y_stride, r),
        Layout::I420 => Frame::i420(&planes[0], w, h, g.y_stride, g.c_stride, r),
    }?;
    match g.crop {
        Some(c) => frame.with_crop(Rect::new(c.x, c.y, c.width, c.height)),
        None => Ok(frame),
    }
}

/// The same frame through the exported scanner; `None` for layouts only the core has.
fn ffi_scan(
    s: &HutongScanner,
    g: &Geometry,
    planes: &[Vec<u8>],
) -> Option<Result<Vec<hutong::ScannedCode>, ScanError>> {
    let (w, h, r, c) = (g.width, g.height, g.rotation, g.crop);
    let ys = u32::try_from(g.y_stride).ok()?;
    let cs = u32::try_from(g.c_stride).ok()?;
    Some(match g.layout {
        Layout::Gray8 => s.scan_gray8(&planes[0], w, h, ys, r, c),
        Layout::Nv21Planes => s.scan_nv21(&planes[0], &planes[1], w, h, ys, cs, r, c),
        Layout::Nv12Planes => s.scan_nv12(&planes[0], &planes[1], w, h, ys, cs, r, c),
        Layout::Yuv420888 => {
            let (u, v): (&[u8], &[u8]) = if g.interleaved {
                (
                    &planes[1][..planes[1].len().saturating_sub(1)],
                    planes[1].get(1..).unwrap_or(&[]),
                )
            } else {
                (&planes[1], &planes[2])
            };
            let ps = g.c_pixel_stride as u32;
            s.scan_yuv420888(&planes[0], u, v, w, h, ys, cs, ps, r, c)
        }
        Layout::Bgra => s.scan_bgra(&planes[0], w, h, ys, r, c),
        Layout::Nv21Contiguous | Layout::I420 | Layout::Rgba => return None,
    })
}

/// The sensor pixel that shows display pixel (dx, dy), worked out pixel by pixel (independently
/// of the library's rectangle maps).
fn sensor_of(rotation: u32, w: u32, h: u32, dx: u32, dy: u32) -> (u32, u32) {
    match rotation {
        90 => (dy, h - 1 - dx),
        180 => (w - 1 - dx, h - 1 - dy),
        270 => (w - 1 - dy, dx),
        _ => (dx, dy),
    }
}

/// The accepted frame's ROI and luma copy agree with a pixel-by-pixel reading of the Y plane.
fn check_roi(g: &Geometry, frame: &Frame<'_>, planes: &[Vec<u8>]) {
    let (dw, dh) = frame.display_size();
    let crop = g.crop.map_or(Rect::new(0, 0, dw, dh), |c| {
        Rect::new(c.x, c.y, c.width, c.height)
    });
    let (ax, ay) = sensor_of(g.rotation, g.width, g.height, crop.x, crop.y);
    let (bx, by) = sensor_of(
        g.rotation,
        g.width,
        g.height,
        crop.x + crop.width - 1,
        crop.y + crop.height - 1,
    );
    let expected = Rect::new(
        ax.min(bx),
        ay.min(by),
        ax.abs_diff(bx) + 1,
        ay.abs_diff(by) + 1,
    );
    let roi = frame.sensor_roi();
    assert_eq!(
        roi, expected,
        "crop {crop} maps to the wrong sensor rectangle"
    );
    let mut luma = Vec::new();
    let (rw, rh) = frame.copy_roi_luma(&mut luma);
    assert_eq!((rw, rh), (roi.width, roi.height));
    assert_eq!(luma.len(), rw as usize * rh as usize);
    if matches!(g.layout, Layout::Bgra | Layout::Rgba) {
        return;
    }
    for row in 0..rh as usize {
        let start = (roi.y as usize + row) * g.y_stride + roi.x as usize;
        let want = &planes[0][start..start + rw as usize];
        let got = &luma[row * rw as usize..(row + 1) * rw as usize];
        assert_eq!(
            got, want,
            "luma row {row} of the ROI differs from the Y plane"
        );
    }
}

fn check_codes(codes: &[hutong::ScannedCode]) {
    for c in codes {
        assert!(
            c.corners.iter().all(|p| p.x.is_finite() && p.y.is_finite()),
            "corner not a number: {c:?}"
        );
    }
}

/// Runs one input; returns `None` for a refused frame, else how many codes were found.
pub fn run(data: &[u8]) -> Option<usize> {
    if data.len() < HEADER {
        return None;
    }
    let g = Geometry::read(&data[..HEADER]);
    let payload = &data[HEADER..];
    let planes: Vec<Vec<u8>> = g
        .plane_sizes()
        .into_iter()
        .map(|n| fill(payload, n, g.delta))
        .collect();
    let scanner = &scanners()[g.scanner];
    let before = scanner.stats();
    let core = core_frame(&g, &planes);
    if let Ok(frame) = &core {
        check_roi(&g, frame, &planes);
    }
    let found = match ffi_scan(scanner, &g, &planes) {
        Some(Ok(codes)) => {
            assert!(
                core.is_ok(),
                "the exported scanner took a frame the core refuses: {core:?}"
            );
            check_codes(&codes);
            Some(codes.len())
        }
        Some(Err(ScanError::BadFrame(why))) => {
            assert!(
                core.is_err(),
                "the exported scanner refused a frame the core takes: {why}"
            );
            None
        }
        Some(Err(e)) => panic!("untyped failure: {e}"),
        None => core.as_ref().ok().map(|frame| {
            let codes = scanner.core().scan_frame(frame);
            for c in &codes {
                assert!(c.corners.iter().all(|p| p.x.is_finite() && p.y.is_finite()));
            }
            codes.len()
        }),
    };
    let after = scanner.stats();
    assert_eq!(after.panics, before.panics, "a decoder panic was caught");
    assert_eq!(
        after.timeouts, before.timeouts,
        "the scan ran past its budget"
    );
    assert_eq!(
        after.skipped_busy, before.skipped_busy,
        "the scanner refused to run"
    );
    found
}
