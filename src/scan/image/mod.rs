//! Image files (PNG, JPEG, WebP) to upright 8-bit luma, with every cost bounded before it is paid.
//!
//! A gallery image is untrusted: a 400 KB PNG can claim 50 million 16-bit RGBA pixels (400 MB),
//! a JPEG header can promise a progressive image whose coefficients alone take 300 MB, and an
//! EXIF rotation used to copy the full-colour picture once more. So each format opens its file,
//! reads only the headers, and states what its decode will hold at its peak (a [`DecodePlan`]);
//! past [`MAX_DECODE_BYTES`] the file is refused before anything large is allocated.
//!
//! The formats go to luma as early as they can: PNG row by row (the full-colour image never
//! exists), JPEG straight from its Y channel, WebP into one colour buffer converted and freed.
//! EXIF orientation is applied to the luma only. See docs/adr/0001-frame-and-scan-api.md
//! ("Image files: what a decode may cost") for the numbers behind the caps.
//!
//! Decoding is the `image-decoding` feature (on by default). An app that decodes gallery images
//! with the platform (BitmapFactory, CGImage) and scans the gray plane leaves it off and saves
//! the decoders' code; files then get [`ImageError::NotBuiltIn`].
#[cfg(feature = "image-decoding")]
mod jpeg;
#[cfg(feature = "image-decoding")]
mod orient;
#[cfg(feature = "image-decoding")]
mod png;
#[cfg(feature = "image-decoding")]
mod webp;

#[cfg(feature = "image-decoding")]
use crate::frame::{MAX_PIXELS, MAX_SIDE};
#[cfg(feature = "image-decoding")]
use image::metadata::Orientation;

/// Largest image file accepted, in bytes: a 48 MP phone JPEG is 10 to 25 MB. Bounds the work
/// done per byte of input (inflate, entropy decoding) and what a caller must hold to call us.
pub const MAX_IMAGE_FILE_BYTES: usize = 32 << 20;

/// Most heap one decode may hold at its peak (decoder buffers, luma, orientation), in bytes.
/// Fits a 48 MP phone photo (baseline JPEG: 96 MB with a quarter-turn EXIF tag; progressive
/// 4:2:0: 192 MB minus slack) and any PNG up to [`MAX_PIXELS`] (luma is built row by row).
pub const MAX_DECODE_BYTES: u64 = 192 << 20;

/// Most progressive JPEG scans accepted. Encoders write 10 (libjpeg's default script) and at
/// most a few dozen; each scan walks the coefficients again, so the count bounds decode time.
pub const MAX_JPEG_SCANS: usize = 64;

/// Most progressive work accepted: scans x pixels. A 48 MP photo with libjpeg's 10 scans is
/// 480 M; 64 scans are allowed up to 31 MP. Baseline JPEGs touch each pixel once.
pub const MAX_JPEG_SCAN_PIXELS: u64 = 2_000_000_000;

/// Why an image file could not be turned into pixels.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("not a PNG, JPEG or WebP image")]
    UnsupportedFormat,
    #[error("image file is {bytes} bytes, above the cap of {max_bytes} bytes")]
    FileTooLarge { bytes: u64, max_bytes: u64 },
    #[error(
        "image is {width}x{height}, above the cap of {max_pixels} pixels or {max_side} per side"
    )]
    TooLarge {
        width: u32,
        height: u32,
        max_pixels: u64,
        max_side: u32,
    },
    /// The decode would hold more than [`MAX_DECODE_BYTES`] at its peak.
    #[error(
        "decoding this {width}x{height} {kind} image needs {needed_bytes} bytes of memory, \
         above the cap of {max_bytes} bytes"
    )]
    MemoryLimit {
        width: u32,
        height: u32,
        /// Format and colour type as decoded, e.g. "PNG RGBA 16-bit", "progressive JPEG".
        kind: String,
        needed_bytes: u64,
        max_bytes: u64,
    },
    /// Decoding would take unbounded time (e.g. a progressive JPEG with hundreds of scans).
    #[error("image is too costly to decode: {reason}")]
    TooComplex { reason: String },
    /// The file ends before its image data does.
    #[error("{format} image is truncated")]
    Truncated { format: &'static str },
    #[error("image is damaged: {reason}")]
    Corrupt { reason: String },
    /// A PNG, JPEG or WebP file, but this library was built without image decoding (feature
    /// `image-decoding`): decode it with the platform and scan the gray plane.
    #[error("{format} decoding is not built into this library (feature `image-decoding`)")]
    NotBuiltIn { format: &'static str },
}

/// An upright (EXIF orientation applied) 8-bit luma image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LumaImage {
    pub pixels: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// The image formats read, by their magic bytes (file names and MIME types are not trusted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Png,
    Jpeg,
    WebP,
}

impl ImageFormat {
    /// The format's usual name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            ImageFormat::Png => "PNG",
            ImageFormat::Jpeg => "JPEG",
            ImageFormat::WebP => "WebP",
        }
    }

    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(ImageFormat::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ImageFormat::Jpeg)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(ImageFormat::WebP)
        } else {
            None
        }
    }
}

/// What decoding a file will cost, known from its headers alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodePlan {
    pub format: ImageFormat,
    /// Stored size (before EXIF orientation).
    pub width: u32,
    pub height: u32,
    /// Format and colour type as decoded, for messages.
    pub kind: String,
    /// EXIF orientation turns the image a quarter (the luma is copied once to turn it).
    pub quarter_turn: bool,
    /// Heap the decode holds at its peak: the larger of the decoding phase (decoder buffers,
    /// scratch and the luma being filled) and the orientation phase (two luma images).
    pub peak_bytes: u64,
}

/// Refuses a file over [`MAX_IMAGE_FILE_BYTES`] before anything reads it, built with decoding or not.
fn check_file_size(bytes: &[u8]) -> Result<(), ImageError> {
    if bytes.len() > MAX_IMAGE_FILE_BYTES {
        return Err(ImageError::FileTooLarge {
            bytes: bytes.len() as u64,
            max_bytes: MAX_IMAGE_FILE_BYTES as u64,
        });
    }
    Ok(())
}

#[cfg(feature = "image-decoding")]
/// A decoded file: stored-orientation luma and the EXIF orientation still to apply.
struct Decoded {
    luma: Vec<u8>,
    width: u32,
    height: u32,
    orientation: Orientation,
}

#[cfg(feature = "image-decoding")]
/// A file whose headers were read and whose cost is within the caps. One lives per decode call
/// (never in a collection), so the PNG reader's 880 bytes beside WebP's are not worth a box.
#[allow(clippy::large_enum_variant)]
enum Opened<'a> {
    Png(png::Opened<'a>),
    // Boxed: the JPEG decoder's state is ~29 kB, the others under 1 kB.
    Jpeg(Box<jpeg::Opened<'a>>),
    WebP(webp::Opened<'a>),
}

#[cfg(feature = "image-decoding")]
impl Opened<'_> {
    fn plan(&self) -> &DecodePlan {
        match self {
            Opened::Png(o) => &o.plan,
            Opened::Jpeg(o) => &o.plan,
            Opened::WebP(o) => &o.plan,
        }
    }

    fn decode(self) -> Result<Decoded, ImageError> {
        match self {
            Opened::Png(o) => o.decode(),
            Opened::Jpeg(o) => o.decode(),
            Opened::WebP(o) => o.decode(),
        }
    }
}

#[cfg(feature = "image-decoding")]
fn open(bytes: &[u8]) -> Result<Opened<'_>, ImageError> {
    check_file_size(bytes)?;
    let opened = match ImageFormat::sniff(bytes) {
        Some(ImageFormat::Png) => Opened::Png(png::open(bytes)?),
        Some(ImageFormat::Jpeg) => Opened::Jpeg(Box::new(jpeg::open(bytes)?)),
        Some(ImageFormat::WebP) => Opened::WebP(webp::open(bytes)?),
        None => return Err(ImageError::UnsupportedFormat),
    };
    within_cap(opened.plan())?;
    Ok(opened)
}

#[cfg(feature = "image-decoding")]
/// Refuses a plan whose peak is over [`MAX_DECODE_BYTES`].
fn within_cap(plan: &DecodePlan) -> Result<(), ImageError> {
    if plan.peak_bytes > MAX_DECODE_BYTES {
        return Err(ImageError::MemoryLimit {
            width: plan.width,
            height: plan.height,
            kind: plan.kind.clone(),
            needed_bytes: plan.peak_bytes,
            max_bytes: MAX_DECODE_BYTES,
        });
    }
    Ok(())
}

#[cfg(feature = "image-decoding")]
/// Reads only the headers of an image file and says what decoding it would cost, or why it
/// would be refused (the same checks [`decode_luma`] makes before decoding).
pub fn plan_decode(bytes: &[u8]) -> Result<DecodePlan, ImageError> {
    open(bytes).map(|o| o.plan().clone())
}

#[cfg(feature = "image-decoding")]
/// Decodes an image file into upright luma.
///
/// Bounded: files over [`MAX_IMAGE_FILE_BYTES`], images over [`MAX_PIXELS`] pixels or
/// [`MAX_SIDE`] per side, decodes that would hold more than [`MAX_DECODE_BYTES`] of heap at
/// their peak (the actual colour type and bit depth, progressive JPEG coefficients and the
/// EXIF turn all counted) and progressive JPEGs over [`MAX_JPEG_SCANS`] scans or
/// [`MAX_JPEG_SCAN_PIXELS`] are refused from their headers, before any large allocation.
/// A file that ends before its image data does is [`ImageError::Truncated`].
pub fn decode_luma(bytes: &[u8]) -> Result<LumaImage, ImageError> {
    let decoded = open(bytes)?.decode()?;
    let (pixels, width, height) = orient::apply(
        decoded.luma,
        decoded.width,
        decoded.height,
        decoded.orientation,
    );
    Ok(LumaImage {
        pixels,
        width,
        height,
    })
}

#[cfg(feature = "image-decoding")]
/// Refuses sizes over the frame caps (the same the camera path has).
fn check_size(width: u32, height: u32) -> Result<(), ImageError> {
    if width == 0 || height == 0 {
        return Err(ImageError::Corrupt {
            reason: format!("image has zero size ({width}x{height})"),
        });
    }
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(ImageError::TooLarge {
            width,
            height,
            max_pixels: MAX_PIXELS,
            max_side: MAX_SIDE,
        });
    }
    Ok(())
}

#[cfg(feature = "image-decoding")]
/// The peak of a decode whose decoding phase holds `decoding_bytes`: a quarter-turn EXIF tag
/// later holds the luma and its turned copy at once (flips and half turns work in place).
fn peak_bytes(width: u32, height: u32, decoding_bytes: u64, quarter_turn: bool) -> u64 {
    let luma = u64::from(width) * u64::from(height);
    let orienting = if quarter_turn { 2 * luma } else { luma };
    decoding_bytes.max(orienting)
}

#[cfg(feature = "image-decoding")]
/// EXIF orientation from a raw EXIF block; a broken block costs the user nothing but the tag.
fn orientation_of(exif: Option<&[u8]>) -> Orientation {
    exif.and_then(Orientation::from_exif_chunk)
        .unwrap_or(Orientation::NoTransforms)
}

#[cfg(feature = "image-decoding")]
/// BT.601 luma in fixed point (the weights zxing-cpp's loaders and JPEG's Y channel use),
/// composited over white: a code drawn on a transparent background is dark on light.
fn luma_over_white(r: u8, g: u8, b: u8, alpha: u8) -> u8 {
    let l = (77 * u32::from(r) + 150 * u32::from(g) + 29 * u32::from(b) + 128) >> 8;
    grey_over_white(l as u8, alpha)
}

#[cfg(feature = "image-decoding")]
fn grey_over_white(l: u8, alpha: u8) -> u8 {
    let a = u32::from(alpha);
    ((u32::from(l) * a + 255 * (255 - a) + 127) / 255) as u8
}

/// Without the `image-decoding` feature: the same size cap, then what the file is and that it
/// cannot be decoded here.
#[cfg(not(feature = "image-decoding"))]
fn not_built_in(bytes: &[u8]) -> ImageError {
    if let Err(too_large) = check_file_size(bytes) {
        return too_large;
    }
    match ImageFormat::sniff(bytes) {
        Some(format) => ImageError::NotBuiltIn {
            format: format.name(),
        },
        None => ImageError::UnsupportedFormat,
    }
}

/// Built without the `image-decoding` feature: refuses every file (see [`ImageError::NotBuiltIn`]).
#[cfg(not(feature = "image-decoding"))]
pub fn plan_decode(bytes: &[u8]) -> Result<DecodePlan, ImageError> {
    Err(not_built_in(bytes))
}

/// Built without the `image-decoding` feature: refuses every file (see [`ImageError::NotBuiltIn`]).
#[cfg(not(feature = "image-decoding"))]
pub fn decode_luma(bytes: &[u8]) -> Result<LumaImage, ImageError> {
    Err(not_built_in(bytes))
}

#[cfg(all(test, feature = "image-decoding"))]
mod tests;

#[cfg(all(test, not(feature = "image-decoding")))]
mod without_decoding {
    use super::*;

    #[test]
    fn a_known_format_is_refused_as_not_built_in() {
        assert_eq!(
            decode_luma(b"\x89PNG\r\n\x1a\n rest of a PNG"),
            Err(ImageError::NotBuiltIn { format: "PNG" })
        );
        assert_eq!(
            plan_decode(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Err(ImageError::NotBuiltIn { format: "JPEG" })
        );
        assert_eq!(decode_luma(b"GIF89a"), Err(ImageError::UnsupportedFormat));
    }
}
