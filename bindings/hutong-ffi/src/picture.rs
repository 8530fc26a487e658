//! Pictures across the boundary: codes rendered for a screen, and a camera's luma plane saved
//! as PNG (the sample apps' "save frame" button feeds the regression corpus with it).

use super::guard::{guarded, Panicked};
use hutong_core::render::{self, Bitmap, RenderOptions, MAX_BITMAP_SIDE};

/// Which barcode to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Symbology {
    /// QR code (error correction level M), with a 4-module quiet zone.
    Qr,
    /// Code 128 (ASCII text only), bars 40 modules high, with a 10-module quiet zone.
    Code128,
}

impl From<Symbology> for render::Symbology {
    fn from(s: Symbology) -> Self {
        match s {
            Symbology::Qr => render::Symbology::Qr,
            Symbology::Code128 => render::Symbology::Code128,
        }
    }
}

/// A drawn code: 8-bit grey pixels (0 ink, 255 paper, rows packed) and, in the full build, the
/// same picture as PNG.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RenderedCode {
    /// Width in pixels, quiet zone included.
    pub width: u32,
    /// Height in pixels, quiet zone included.
    pub height: u32,
    /// `width * height` bytes, row after row: `Bitmap.createBitmap` (ALPHA_8 or a gray
    /// `IntArray`) on Android, a `CGImage` in `CGColorSpaceCreateDeviceGray()` on iOS.
    pub pixels: Vec<u8>,
    /// A grayscale PNG file of the same picture, ready for an `ImageView` / `UIImage`; null in
    /// the platform profile (built without `png-encoding`, ADR 0012): draw `pixels` instead.
    pub png: Option<Vec<u8>>,
}

/// Why a code could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum RenderCodeError {
    /// The symbology cannot hold this text (Code 128 takes ASCII only, QR has a capacity).
    #[error("{0}")]
    Unencodable(String),
    /// `module_px` is 0.
    #[error("module size must be at least 1 pixel")]
    InvalidModuleSize,
    /// The picture would be over 8192 pixels on a side: use a smaller `module_px`.
    #[error("{0}")]
    TooLarge(String),
    /// The PNG encoder failed (not expected for a valid bitmap; report it).
    #[error("PNG encoding failed: {0}")]
    PngEncoding(String),
    /// A bug in the library (a caught panic); the message is for a bug report.
    #[error("internal error in hutong (please report): {0}")]
    Internal(String),
}

impl From<render::RenderError> for RenderCodeError {
    fn from(e: render::RenderError) -> Self {
        match e {
            render::RenderError::Unencodable { .. } => RenderCodeError::Unencodable(e.to_string()),
            render::RenderError::ZeroModule => RenderCodeError::InvalidModuleSize,
            render::RenderError::TooLarge { .. } => RenderCodeError::TooLarge(e.to_string()),
        }
    }
}

/// The bitmap as a PNG file, or `None` in a build without `png-encoding`.
#[cfg(feature = "png-encoding")]
fn png_of(bitmap: &Bitmap) -> Result<Option<Vec<u8>>, String> {
    bitmap.to_png().map(Some).map_err(|e| e.to_string())
}

#[cfg(not(feature = "png-encoding"))]
fn png_of(_: &Bitmap) -> Result<Option<Vec<u8>>, String> {
    Ok(None)
}

impl From<Panicked> for RenderCodeError {
    fn from(p: Panicked) -> Self {
        RenderCodeError::Internal(p.0)
    }
}

/// Draws `text` as a QR code or Code 128 barcode, `module_px` pixels per module (1 or more), with
/// the symbology's quiet zone: for showing a code on screen (a merchant's code, a test pattern).
/// Synchronous and CPU-bound; a large `module_px` makes a large bitmap, so call it off the main
/// thread.
///
/// Throws `RenderCodeError`: `Unencodable` (the text does not fit the symbology), `InvalidModuleSize`
/// or `TooLarge` (pick another `module_px`).
#[uniffi::export]
pub fn render_code(
    text: String,
    symbology: Symbology,
    module_px: u32,
) -> Result<RenderedCode, RenderCodeError> {
    guarded(|| {
        let symbology = render::Symbology::from(symbology);
        let bitmap = render::render(
            &text,
            symbology,
            RenderOptions::for_symbology(symbology, module_px),
        )?;
        let png = png_of(&bitmap).map_err(RenderCodeError::PngEncoding)?;
        Ok(RenderedCode {
            width: bitmap.width,
            height: bitmap.height,
            pixels: bitmap.pixels,
            png,
        })
    })
}

/// Why a luma plane could not be saved as PNG.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum LumaPngError {
    /// `width` or `height` is 0.
    #[error("image is {width}x{height}: both sides must be at least 1 pixel")]
    EmptyImage {
        /// The width given, in pixels.
        width: u32,
        /// The height given, in pixels.
        height: u32,
    },
    /// `row_stride` is smaller than `width`: the plane's row stride is wrong.
    #[error("row stride {row_stride} is smaller than the width {width}")]
    StrideTooSmall {
        /// The row stride given, in bytes.
        row_stride: u32,
        /// The width given, in pixels.
        width: u32,
    },
    /// `luma` is shorter than `height` rows of `row_stride` bytes (the last row needs only
    /// `width`).
    #[error("plane holds {actual} bytes but {width}x{height} with row stride {row_stride} needs {needed}")]
    PlaneTooShort {
        /// Bytes in `luma`.
        actual: u64,
        /// Bytes the sizes need.
        needed: u64,
        /// The width given, in pixels.
        width: u32,
        /// The height given, in pixels.
        height: u32,
        /// The row stride given, in bytes.
        row_stride: u32,
    },
    /// Over 8192 pixels on a side.
    #[error("image is {width}x{height}, larger than {MAX_BITMAP_SIDE} on a side")]
    TooLarge {
        /// The width given, in pixels.
        width: u32,
        /// The height given, in pixels.
        height: u32,
    },
    /// The PNG encoder failed (not expected for a valid plane; report it).
    #[error("PNG encoding failed: {0}")]
    PngEncoding(String),
    /// This build has no PNG encoder (the platform profile, built without `png-encoding`;
    /// ADR 0012): compress the plane with `Bitmap.compress` / `UIImage.pngData()`.
    #[error("this build of hutong has no PNG encoder (platform profile): use the platform's")]
    Unsupported,
    /// A bug in the library (a caught panic); the message is for a bug report.
    #[error("internal error in hutong (please report): {0}")]
    Internal(String),
}

impl From<Panicked> for LumaPngError {
    fn from(p: Panicked) -> Self {
        LumaPngError::Internal(p.0)
    }
}

/// Copies a strided 8-bit plane into a packed bitmap. The last row may end right after its
/// pixels: camera planes often omit the padding of the final row.
fn packed_luma(
    luma: &[u8],
    width: u32,
    height: u32,
    row_stride: u32,
) -> Result<Bitmap, LumaPngError> {
    if width == 0 || height == 0 {
        return Err(LumaPngError::EmptyImage { width, height });
    }
    if width > MAX_BITMAP_SIDE || height > MAX_BITMAP_SIDE {
        return Err(LumaPngError::TooLarge { width, height });
    }
    if row_stride < width {
        return Err(LumaPngError::StrideTooSmall { row_stride, width });
    }
    let needed = u64::from(height - 1) * u64::from(row_stride) + u64::from(width);
    let actual = luma.len() as u64;
    if actual < needed {
        return Err(LumaPngError::PlaneTooShort {
            actual,
            needed,
            width,
            height,
            row_stride,
        });
    }
    // Sizes are bounded by MAX_BITMAP_SIDE and the checked plane length, so these fit usize.
    let (w, stride) = (width as usize, row_stride as usize);
    let mut pixels = Vec::with_capacity(w * height as usize);
    for row in luma.chunks(stride).take(height as usize) {
        pixels.extend_from_slice(&row[..w]);
    }
    Ok(Bitmap {
        width,
        height,
        pixels,
    })
}

/// Encodes an 8-bit luma plane (a camera frame's Y plane) as a grayscale PNG file, e.g. to save
/// a frame that did not scan for a bug report. `width` and `height` are pixels (at most 8192 a
/// side), `row_stride` bytes per row (the last row may end right after its pixels).
/// Synchronous and CPU-bound: call it off the main thread. Every `LumaPngError` but `Internal`
/// and `Unsupported` means the sizes do not describe the plane; `Unsupported` means a build
/// without `png-encoding` (the platform profile), after the sizes were checked.
///
/// `luma` is borrowed for the call, not copied across the boundary: from Kotlin pass a direct
/// `ByteBuffer` whose position is 0 (`slice()` it otherwise), from Swift a `Data`.
#[uniffi::export]
pub fn encode_luma_png(
    luma: &[u8],
    width: u32,
    height: u32,
    row_stride: u32,
) -> Result<Vec<u8>, LumaPngError> {
    guarded(|| {
        let bitmap = packed_luma(luma, width, height, row_stride)?;
        png_of(&bitmap)
            .map_err(LumaPngError::PngEncoding)?
            .ok_or(LumaPngError::Unsupported)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "png-encoding")]
    const PNG_MAGIC: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];

    #[test]
    fn renders_a_square_qr_with_pixels_and_png() {
        let code = render_code("wxp://f2f0example".into(), Symbology::Qr, 4).unwrap();
        assert_eq!(code.width, code.height);
        assert_eq!(code.pixels.len(), (code.width * code.height) as usize);
        #[cfg(feature = "png-encoding")]
        assert_eq!(code.png.unwrap()[..8], PNG_MAGIC);
        #[cfg(not(feature = "png-encoding"))]
        assert_eq!(code.png, None);
    }

    #[test]
    fn renders_a_code128_wider_than_tall() {
        let code = render_code("134567890123456789".into(), Symbology::Code128, 2).unwrap();
        assert!(code.width > code.height);
    }

    #[test]
    fn refuses_a_zero_module_size() {
        assert_eq!(
            render_code("x".into(), Symbology::Qr, 0),
            Err(RenderCodeError::InvalidModuleSize)
        );
    }

    #[test]
    fn refuses_text_code128_cannot_hold_with_a_readable_message() {
        let err = render_code("支付".into(), Symbology::Code128, 2).unwrap_err();
        assert!(matches!(err, RenderCodeError::Unencodable(_)));
        assert!(err
            .to_string()
            .starts_with("cannot encode this text as Code128"));
    }

    #[test]
    fn refuses_a_bitmap_larger_than_the_ceiling() {
        assert!(matches!(
            render_code("x".into(), Symbology::Qr, 1000),
            Err(RenderCodeError::TooLarge(_))
        ));
    }

    #[test]
    fn packs_a_padded_plane_whose_last_row_has_no_padding() {
        // 3x2 image, stride 5: row 0 = 1 2 3 (pad 9 9), row 1 = 4 5 6 (no pad).
        let plane = [1, 2, 3, 9, 9, 4, 5, 6];
        let bmp = packed_luma(&plane, 3, 2, 5).unwrap();
        assert_eq!(bmp.pixels, vec![1, 2, 3, 4, 5, 6]);
    }

    #[cfg(feature = "png-encoding")]
    #[test]
    fn encodes_a_luma_plane_as_png() {
        let plane = vec![128u8; 16 * 8];
        let png = encode_luma_png(&plane, 16, 8, 16).unwrap();
        assert_eq!(png[..8], PNG_MAGIC);
    }

    /// The platform profile checks the sizes as the full build does, then says it has no encoder.
    #[cfg(not(feature = "png-encoding"))]
    #[test]
    fn a_build_without_png_encoding_says_so_after_checking_the_sizes() {
        let plane = vec![128u8; 16 * 8];
        assert_eq!(
            encode_luma_png(&plane, 16, 8, 16),
            Err(LumaPngError::Unsupported)
        );
        assert!(matches!(
            encode_luma_png(&plane, 16, 9, 16),
            Err(LumaPngError::PlaneTooShort { .. })
        ));
    }

    #[test]
    fn rejects_a_luma_plane_shorter_than_its_rows() {
        // 3x2 with stride 5 needs one padded row plus one bare row: 5 + 3 = 8 bytes.
        let err = encode_luma_png(&[0; 7], 3, 2, 5).unwrap_err();
        assert_eq!(
            err,
            LumaPngError::PlaneTooShort {
                actual: 7,
                needed: 8,
                width: 3,
                height: 2,
                row_stride: 5
            }
        );
        assert_eq!(
            err.to_string(),
            "plane holds 7 bytes but 3x2 with row stride 5 needs 8"
        );
    }

    #[test]
    fn rejects_a_stride_smaller_than_the_width() {
        assert_eq!(
            encode_luma_png(&[0; 64], 8, 2, 7),
            Err(LumaPngError::StrideTooSmall {
                row_stride: 7,
                width: 8
            })
        );
    }

    #[test]
    fn rejects_an_empty_image() {
        assert!(matches!(
            encode_luma_png(&[], 0, 4, 0),
            Err(LumaPngError::EmptyImage { .. })
        ));
    }

    #[test]
    fn rejects_an_image_larger_than_the_ceiling() {
        assert!(matches!(
            encode_luma_png(&[], 9000, 1, 9000),
            Err(LumaPngError::TooLarge { .. })
        ));
    }
}
