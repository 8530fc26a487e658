//! Image files (PNG, JPEG, WebP) to upright luma, with limits against decompression bombs.
use crate::frame::{MAX_PIXELS, MAX_SIDE};
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// Why an image file could not be turned into pixels.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("not a PNG, JPEG or WebP image")]
    UnsupportedFormat,
    #[error(
        "image is {width}x{height}, above the cap of {max_pixels} pixels or {max_side} per side"
    )]
    TooLarge {
        width: u32,
        height: u32,
        max_pixels: u64,
        max_side: u32,
    },
    #[error("image would need more memory than the decoder limit allows")]
    MemoryLimit,
    #[error("image is damaged or truncated: {reason}")]
    Corrupt { reason: String },
}

/// An upright (EXIF orientation applied) 8-bit luma image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LumaImage {
    pub pixels: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// Memory the decoder may allocate: the RGBA buffer of the largest accepted image, plus slack.
const MAX_ALLOC: u64 = MAX_PIXELS * 4 + (64 << 20);

fn map_err(e: image::ImageError) -> ImageError {
    match e {
        image::ImageError::Limits(_) => ImageError::MemoryLimit,
        image::ImageError::Unsupported(_) => ImageError::UnsupportedFormat,
        other => ImageError::Corrupt {
            reason: other.to_string(),
        },
    }
}

/// Decodes an image file into upright luma, refusing oversize images before allocating them.
pub fn decode_luma(bytes: &[u8]) -> Result<LumaImage, ImageError> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| ImageError::Corrupt {
            reason: e.to_string(),
        })?;
    if !matches!(
        reader.format(),
        Some(ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP)
    ) {
        return Err(ImageError::UnsupportedFormat);
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| match e {
        image::ImageError::Limits(_) => too_large_from_header(bytes),
        other => map_err(other),
    })?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(ImageError::Corrupt {
            reason: format!("image has zero size ({width}x{height})"),
        });
    }
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(too_large(width, height));
    }
    // A broken EXIF block should not cost the user the scan: fall back to as-stored.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(map_err)?;
    img.apply_orientation(orientation);
    let luma = img.into_luma8();
    let (width, height) = luma.dimensions();
    Ok(LumaImage {
        pixels: luma.into_raw(),
        width,
        height,
    })
}

fn too_large(width: u32, height: u32) -> ImageError {
    ImageError::TooLarge {
        width,
        height,
        max_pixels: MAX_PIXELS,
        max_side: MAX_SIDE,
    }
}

/// The decoder refused the header against our side limits; report the real size if we can.
fn too_large_from_header(bytes: &[u8]) -> ImageError {
    match image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .ok()
        .and_then(|r| r.into_dimensions().ok())
    {
        Some((w, h)) => too_large(w, h),
        None => ImageError::MemoryLimit,
    }
}
