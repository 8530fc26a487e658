//! PNG to luma row by row: the decoded colour image never exists, whatever its bit depth.
//!
//! The png crate expands palettes and low bit depths and strips 16-bit samples to 8 bits; each
//! row is turned into luma as it arrives (interlaced rows go to their Adam7 places). Peak:
//! the luma image plus a few rows. Decode time is linear in the input bytes and the pixels.
use super::{
    check_size, grey_over_white, luma_over_white, orient, orientation_of, peak_bytes, DecodePlan,
    Decoded, ImageError, ImageFormat,
};
use image::metadata::Orientation;
use png::{BitDepth, ColorType, Decoder, DecodingError, InterlaceInfo, Reader, Transformations};
use std::io::Cursor;

/// What the png crate may allocate for itself: row buffers (the widest row, 16384 px of
/// 16-bit RGBA, is 128 KiB; it keeps two), the inflate window and ancillary chunks such as
/// eXIf. Text and ICC chunks are skipped unread.
const PNG_INTERNAL_BYTES: usize = 8 << 20;

pub(super) struct Opened<'a> {
    pub plan: DecodePlan,
    reader: Reader<Cursor<&'a [u8]>>,
    orientation: Orientation,
}

fn error(e: DecodingError) -> ImageError {
    match e {
        DecodingError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            ImageError::Truncated { format: "PNG" }
        }
        DecodingError::LimitsExceeded => ImageError::TooComplex {
            reason: format!("PNG metadata needs more than {PNG_INTERNAL_BYTES} bytes"),
        },
        other => ImageError::Corrupt {
            reason: format!("PNG: {other}"),
        },
    }
}

fn kind(color: ColorType, depth: BitDepth) -> String {
    let color = match color {
        ColorType::Grayscale => "grey",
        ColorType::GrayscaleAlpha => "grey+alpha",
        ColorType::Rgb => "RGB",
        ColorType::Rgba => "RGBA",
        ColorType::Indexed => "palette",
    };
    format!("PNG {color} {}-bit", depth as u8)
}

pub(super) fn open(bytes: &[u8]) -> Result<Opened<'_>, ImageError> {
    let mut decoder = Decoder::new_with_limits(
        Cursor::new(bytes),
        png::Limits {
            bytes: PNG_INTERNAL_BYTES,
        },
    );
    decoder.set_ignore_text_chunk(true);
    decoder.set_ignore_iccp_chunk(true);
    decoder.set_transformations(Transformations::EXPAND | Transformations::STRIP_16);
    let header = decoder.read_header_info().map_err(error)?;
    let (width, height) = (header.width, header.height);
    check_size(width, height)?;
    let kind = kind(header.color_type, header.bit_depth);
    let reader = decoder.read_info().map_err(error)?;
    let orientation = orientation_of(reader.info().exif_metadata.as_deref());
    let quarter_turn = orient::is_quarter_turn(orientation);
    let row_bytes = reader.output_line_size(width).unwrap_or(usize::MAX) as u64;
    let luma = u64::from(width) * u64::from(height);
    // The luma being filled, the reader's own rows and our one row of luma samples.
    let decoding = luma + 2 * row_bytes + u64::from(width) + PNG_INTERNAL_BYTES as u64;
    Ok(Opened {
        plan: DecodePlan {
            format: ImageFormat::Png,
            width,
            height,
            kind,
            quarter_turn,
            peak_bytes: peak_bytes(width, height, decoding, quarter_turn),
        },
        reader,
        orientation,
    })
}

impl Opened<'_> {
    pub fn decode(mut self) -> Result<Decoded, ImageError> {
        let (width, height) = (self.plan.width, self.plan.height);
        let (color, depth) = self.reader.output_color_type();
        if depth != BitDepth::Eight {
            return Err(ImageError::Corrupt {
                reason: format!("PNG decodes to {depth:?} samples"),
            });
        }
        let w = width as usize;
        // Zeroed memory comes from the OS untouched: rows never reached (a cut-off file)
        // cost no resident memory.
        let mut luma = vec![0u8; w * height as usize];
        let mut samples = Vec::with_capacity(w);
        let mut next_line = 0usize;
        while let Some(row) = self.reader.next_interlaced_row().map_err(error)? {
            samples.clear();
            to_luma(color, row.data(), &mut samples);
            match row.interlace() {
                InterlaceInfo::Null(_) => {
                    let start = next_line * w;
                    let Some(dest) = luma.get_mut(start..start + w) else {
                        return Err(ImageError::Corrupt {
                            reason: "PNG has more rows than its header".into(),
                        });
                    };
                    let n = samples.len().min(w);
                    dest[..n].copy_from_slice(&samples[..n]);
                    next_line += 1;
                }
                InterlaceInfo::Adam7(info) => {
                    png::expand_interlaced_row(&mut luma, w, &samples, info, 8);
                }
            }
        }
        Ok(Decoded {
            luma,
            width,
            height,
            orientation: self.orientation,
        })
    }
}

/// One row of 8-bit samples (after EXPAND and STRIP_16) to luma over white.
fn to_luma(color: ColorType, row: &[u8], out: &mut Vec<u8>) {
    match color {
        ColorType::Grayscale => out.extend_from_slice(row),
        ColorType::GrayscaleAlpha => {
            out.extend(row.chunks_exact(2).map(|p| grey_over_white(p[0], p[1])))
        }
        ColorType::Rgb => out.extend(
            row.chunks_exact(3)
                .map(|p| luma_over_white(p[0], p[1], p[2], 255)),
        ),
        ColorType::Rgba => out.extend(
            row.chunks_exact(4)
                .map(|p| luma_over_white(p[0], p[1], p[2], p[3])),
        ),
        // EXPAND turns palettes into RGB(A): never seen here.
        ColorType::Indexed => out.extend_from_slice(row),
    }
}
