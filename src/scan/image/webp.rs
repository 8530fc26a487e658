//! WebP to luma with image-webp: one RGB(A) buffer, converted to luma and freed.
//!
//! image-webp decodes a whole frame at a time, with working buffers that depend on the kind of
//! file; the plan counts them per pixel (the table below, checked by tests/image_memory.rs).
//! Decode time is linear in the pixels (VP8 macroblocks; VP8L with at most four transforms).
use super::{
    check_size, luma_over_white, orient, orientation_of, peak_bytes, DecodePlan, Decoded,
    ImageError, ImageFormat,
};
use image::metadata::Orientation;
use image_webp::{DecodingError, WebPDecoder};
use std::io::Cursor;

/// Heap per pixel while image-webp decodes, luma not included: its output buffer (3 bytes,
/// 4 with alpha) plus what it works in (lossless without alpha: an RGBA frame; lossy: the
/// YUV planes padded to macroblocks, and a losslessly coded alpha plane decoded as RGBA plus
/// its one byte; animations: the canvas and one frame as well).
const WEBP_BYTES_PER_PIXEL: [(Kind, u64); 5] = [
    (Kind::Lossless, 7),
    (Kind::LosslessAlpha, 5),
    (Kind::Lossy, 5),
    (Kind::LossyAlpha, 11),
    (Kind::Animated, 19),
];

/// Tables and small buffers (Huffman groups, colour cache, borders), whatever the size.
const WEBP_FIXED_BYTES: u64 = 4 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Lossless,
    LosslessAlpha,
    Lossy,
    LossyAlpha,
    Animated,
}

pub(super) struct Opened<'a> {
    pub plan: DecodePlan,
    decoder: WebPDecoder<Cursor<&'a [u8]>>,
    orientation: Orientation,
}

fn error(e: DecodingError) -> ImageError {
    match e {
        DecodingError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            ImageError::Truncated { format: "WebP" }
        }
        other => ImageError::Corrupt {
            reason: format!("WebP: {other}"),
        },
    }
}

pub(super) fn open(bytes: &[u8]) -> Result<Opened<'_>, ImageError> {
    // The RIFF header says how long the file is; a shorter one was cut.
    let riff_len = bytes
        .get(4..8)
        .map(|b| u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])) + 8);
    if riff_len.is_some_and(|n| n > bytes.len() as u64) {
        return Err(ImageError::Truncated { format: "WebP" });
    }
    let mut decoder = WebPDecoder::new(Cursor::new(bytes)).map_err(error)?;
    let (width, height) = decoder.dimensions();
    check_size(width, height)?;
    let kind = match (
        decoder.is_animated(),
        decoder.is_lossy(),
        decoder.has_alpha(),
    ) {
        (true, _, _) => Kind::Animated,
        (false, false, false) => Kind::Lossless,
        (false, false, true) => Kind::LosslessAlpha,
        (false, true, false) => Kind::Lossy,
        (false, true, true) => Kind::LossyAlpha,
    };
    let per_pixel = WEBP_BYTES_PER_PIXEL
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(19, |(_, n)| *n);
    // EXIF is read into memory: bounded by the file size, like every chunk.
    let orientation = orientation_of(decoder.exif_metadata().map_err(error)?.as_deref());
    let quarter_turn = orient::is_quarter_turn(orientation);
    let pixels = u64::from(width) * u64::from(height);
    let decoding = pixels * (per_pixel + 1) + WEBP_FIXED_BYTES;
    Ok(Opened {
        plan: DecodePlan {
            format: ImageFormat::WebP,
            width,
            height,
            kind: format!("WebP {kind:?}"),
            quarter_turn,
            peak_bytes: peak_bytes(width, height, decoding, quarter_turn),
        },
        decoder,
        orientation,
    })
}

impl Opened<'_> {
    pub fn decode(mut self) -> Result<Decoded, ImageError> {
        let (width, height) = (self.plan.width, self.plan.height);
        let size = self
            .decoder
            .output_buffer_size()
            .ok_or(ImageError::TooLarge {
                width,
                height,
                max_pixels: super::MAX_PIXELS,
                max_side: super::MAX_SIDE,
            })?;
        let mut colour = vec![0u8; size];
        self.decoder.read_image(&mut colour).map_err(error)?;
        let luma: Vec<u8> = if self.decoder.has_alpha() {
            colour
                .chunks_exact(4)
                .map(|p| luma_over_white(p[0], p[1], p[2], p[3]))
                .collect()
        } else {
            colour
                .chunks_exact(3)
                .map(|p| luma_over_white(p[0], p[1], p[2], 255))
                .collect()
        };
        Ok(Decoded {
            luma,
            width,
            height,
            orientation: self.orientation,
        })
    }
}
