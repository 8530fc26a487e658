//! JPEG to luma with zune-jpeg, asking for the Y channel alone when the file is YCbCr or grey
//! (no colour conversion, 1 byte per pixel out).
//!
//! Before decoding, a walk over the file's markers (linear in its bytes) finds the frame type,
//! the component count and the scans, and whether the file reaches its end-of-image marker:
//! a file cut short is refused as truncated (zune-jpeg would quietly fill the rest with grey,
//! and a scan would say "no code"). Progressive files keep every coefficient of every
//! component until the last scan (2 bytes per sample), which the plan counts; their decode
//! time grows with the scan count, which [`MAX_JPEG_SCANS`] and [`MAX_JPEG_SCAN_PIXELS`] cap.
use super::{
    check_size, orient, orientation_of, peak_bytes, within_cap, DecodePlan, Decoded, ImageError,
    ImageFormat, MAX_JPEG_SCANS, MAX_JPEG_SCAN_PIXELS, MAX_SIDE,
};
use image::metadata::Orientation;
use zune_jpeg::zune_core::bytestream::ZCursor;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;
use zune_jpeg::JpegDecoder;

/// Rows of MCUs zune-jpeg keeps while decoding: per component, up to 4 x 8 rows of 16-bit
/// samples, with room for the upsampler's copies.
const ROW_SCRATCH_ROWS: u64 = 32;
const ROW_SCRATCH_COPIES: u64 = 3;

/// What the marker walk learns.
#[derive(Debug, Default, PartialEq, Eq)]
struct Layout {
    width: u32,
    height: u32,
    progressive: bool,
    /// Arithmetic coding (SOF9 and up): a block can take under a bit.
    arithmetic: bool,
    components: u8,
    scans: usize,
    /// Bytes of entropy-coded data, all scans together.
    coded_bytes: u64,
    /// The end-of-image marker was reached.
    complete: bool,
}

fn corrupt(reason: impl Into<String>) -> ImageError {
    ImageError::Corrupt {
        reason: format!("JPEG: {}", reason.into()),
    }
}

/// Index of the next 0xFF at or after `from`.
fn next_ff(bytes: &[u8], from: usize) -> Option<usize> {
    bytes
        .get(from..)?
        .iter()
        .position(|&b| b == 0xFF)
        .map(|p| from + p)
}

/// Walks segments and entropy-coded data up to EOI. Stray bytes between segments are
/// skipped (as libjpeg does); lengths that run past the end mean truncation.
fn walk(bytes: &[u8]) -> Result<Layout, ImageError> {
    let mut layout = Layout::default();
    let mut i = 2; // after SOI
    loop {
        let Some(ff) = next_ff(bytes, i) else {
            return Ok(layout);
        };
        i = ff;
        while bytes.get(i) == Some(&0xFF) {
            i += 1; // fill bytes
        }
        let Some(&marker) = bytes.get(i) else {
            return Ok(layout);
        };
        i += 1;
        match marker {
            0xD9 => {
                layout.complete = true;
                return Ok(layout);
            }
            // Standalone markers (RSTn, TEM, a repeated SOI) carry no length.
            0xD0..=0xD8 | 0x01 | 0x00 => continue,
            _ => {}
        }
        let Some(len) = bytes
            .get(i..i + 2)
            .map(|b| usize::from(b[0]) << 8 | usize::from(b[1]))
        else {
            return Ok(layout);
        };
        if len < 2 {
            return Err(corrupt(format!("segment {marker:#04x} has length {len}")));
        }
        let Some(segment) = bytes.get(i + 2..i + len) else {
            return Ok(layout);
        };
        // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            layout.progressive = matches!(marker, 0xC2 | 0xC6 | 0xCA | 0xCE);
            layout.arithmetic = marker >= 0xC9;
            if let [_precision, h0, h1, w0, w1, components, ..] = *segment {
                layout.height = u32::from(h0) << 8 | u32::from(h1);
                layout.width = u32::from(w0) << 8 | u32::from(w1);
                layout.components = components;
            }
        }
        i += len;
        if marker == 0xDA {
            layout.scans += 1;
            let data_start = i;
            // Entropy-coded data runs to the next marker that is neither a stuffed 0xFF00
            // nor a restart marker.
            loop {
                let Some(ff) = next_ff(bytes, i) else {
                    return Ok(layout);
                };
                match bytes.get(ff + 1) {
                    None => return Ok(layout),
                    Some(0x00 | 0xD0..=0xD7) => i = ff + 2,
                    Some(_) => {
                        i = ff;
                        layout.coded_bytes += (ff - data_start) as u64;
                        break;
                    }
                }
            }
        }
    }
}

pub(super) struct Opened<'a> {
    pub plan: DecodePlan,
    decoder: JpegDecoder<ZCursor<&'a [u8]>>,
    /// The decoder gives RGB (CMYK, YCCK and RGB files) and we convert.
    via_rgb: bool,
    orientation: Orientation,
}

pub(super) fn open(bytes: &[u8]) -> Result<Opened<'_>, ImageError> {
    let layout = walk(bytes)?;
    let (width, height) = (layout.width, layout.height);
    if layout.components == 0 {
        return Err(if layout.complete {
            corrupt("no frame header")
        } else {
            ImageError::Truncated { format: "JPEG" }
        });
    }
    check_size(width, height)?;
    // The frame header alone says what the decode costs short of the EXIF turn: a bomb is
    // refused before the decoder reads any further.
    let rgb_likely = !matches!(layout.components, 1 | 3);
    within_cap(&plan(&layout, rgb_likely, false, kind(&layout, None)))?;
    let pixels = u64::from(width) * u64::from(height);
    if layout.progressive
        && (layout.scans > MAX_JPEG_SCANS || layout.scans as u64 * pixels > MAX_JPEG_SCAN_PIXELS)
    {
        return Err(ImageError::TooComplex {
            reason: format!(
                "progressive JPEG of {width}x{height} with {} scans (at most {MAX_JPEG_SCANS} \
                 scans and {MAX_JPEG_SCAN_PIXELS} scan-pixels)",
                layout.scans
            ),
        });
    }
    if !layout.complete {
        return Err(ImageError::Truncated { format: "JPEG" });
    }
    // Huffman coding spends at least one bit on every 8x8 block of the first component (its
    // DC difference): a 600-byte file cannot hold a 49 MP frame, only promise one and have
    // the decoder fill it with grey, and the scanner spend seconds on it.
    let blocks = u64::from(width.div_ceil(8)) * u64::from(height.div_ceil(8));
    if !layout.arithmetic && layout.coded_bytes * 8 < blocks {
        return Err(ImageError::Truncated { format: "JPEG" });
    }
    let options = DecoderOptions::default()
        .set_strict_mode(false)
        .set_max_width(MAX_SIDE as usize)
        .set_max_height(MAX_SIDE as usize)
        .jpeg_set_max_scans(MAX_JPEG_SCANS);
    let mut decoder = JpegDecoder::new_with_options(ZCursor::new(bytes), options);
    decoder
        .decode_headers()
        .map_err(|e| corrupt(e.to_string()))?;
    if decoder.dimensions() != Some((width as usize, height as usize)) {
        return Err(corrupt("the frame header reads two ways"));
    }
    let input = decoder.input_colorspace().unwrap_or(ColorSpace::Unknown);
    let via_rgb = !matches!(input, ColorSpace::YCbCr | ColorSpace::Luma);
    let out = if via_rgb {
        ColorSpace::RGB
    } else {
        ColorSpace::Luma
    };
    decoder.set_options(decoder.options().jpeg_set_out_colorspace(out));
    let orientation = orientation_of(decoder.exif().map(Vec::as_slice));
    let quarter_turn = orient::is_quarter_turn(orientation);
    Ok(Opened {
        plan: plan(&layout, via_rgb, quarter_turn, kind(&layout, Some(input))),
        decoder,
        via_rgb,
        orientation,
    })
}

fn kind(layout: &Layout, input: Option<ColorSpace>) -> String {
    format!(
        "{}JPEG{} ({} components, {} scans)",
        if layout.progressive {
            "progressive "
        } else {
            ""
        },
        input.map(|c| format!(" {c:?}")).unwrap_or_default(),
        layout.components,
        layout.scans
    )
}

/// What decoding costs: the output (luma, or RGB and then its luma), progressive files'
/// coefficients (every block of every component, padded to whole MCUs of at most 32 px a
/// side, 2 bytes a sample) and the decoder's rows of MCUs.
fn plan(layout: &Layout, via_rgb: bool, quarter_turn: bool, kind: String) -> DecodePlan {
    let (width, height) = (layout.width, layout.height);
    let pixels = u64::from(width) * u64::from(height);
    let components = u64::from(layout.components.max(1));
    let padded = (u64::from(width) + 32) * (u64::from(height) + 32);
    let coefficients = if layout.progressive {
        2 * components * padded
    } else {
        0
    };
    let scratch = (u64::from(width) + 32) * ROW_SCRATCH_ROWS * components * 2 * ROW_SCRATCH_COPIES;
    let output = if via_rgb { 4 * pixels } else { pixels };
    DecodePlan {
        format: ImageFormat::Jpeg,
        width,
        height,
        kind,
        quarter_turn,
        peak_bytes: peak_bytes(width, height, coefficients + scratch + output, quarter_turn),
    }
}

impl Opened<'_> {
    pub fn decode(mut self) -> Result<Decoded, ImageError> {
        let (width, height) = (self.plan.width, self.plan.height);
        let pixels = width as usize * height as usize;
        let luma = if self.via_rgb {
            let mut rgb = vec![0u8; pixels * 3];
            self.decoder
                .decode_into(&mut rgb)
                .map_err(|e| corrupt(e.to_string()))?;
            rgb.chunks_exact(3)
                .map(|p| super::luma_over_white(p[0], p[1], p[2], 255))
                .collect()
        } else {
            let mut luma = vec![0u8; pixels];
            self.decoder
                .decode_into(&mut luma)
                .map_err(|e| corrupt(e.to_string()))?;
            luma
        };
        Ok(Decoded {
            luma,
            width,
            height,
            orientation: self.orientation,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_walk_finds_scans_and_the_end_marker_and_notices_a_cut() {
        // SOI, SOF2 (progressive, 3 components), SOS with stuffed and RST bytes, SOS, EOI.
        let mut file = vec![0xFF, 0xD8];
        file.extend_from_slice(&[0xFF, 0xC2, 0x00, 0x11, 8, 0, 16, 0, 16, 3]);
        file.extend_from_slice(&[1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]);
        for _ in 0..2 {
            file.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 63, 0]);
            file.extend_from_slice(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD3, 0x56]);
        }
        file.extend_from_slice(&[0xFF, 0xD9]);
        let layout = walk(&file).unwrap();
        assert_eq!(
            layout,
            Layout {
                width: 16,
                height: 16,
                progressive: true,
                arithmetic: false,
                components: 3,
                scans: 2,
                coded_bytes: 14,
                complete: true
            }
        );
        let cut = walk(&file[..file.len() - 4]).unwrap();
        assert!(!cut.complete);
        assert_eq!(cut.scans, 2);
    }

    #[test]
    fn a_segment_length_below_two_is_corrupt() {
        let file = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x01, 0xFF, 0xD9];
        assert!(matches!(walk(&file), Err(ImageError::Corrupt { .. })));
    }
}
