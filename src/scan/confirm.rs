//! A second look for the short retail codes (EAN-8, UPC-E) before they are reported.
//!
//! rxing returns a linear code as soon as one row decodes with a valid check digit. For EAN-8
//! and UPC-E (8 digits, one check digit, little structure) a row across text or a texture can
//! pass: the zxing-cpp false-positive corpus gave one of each. A printed symbol's bars are tall,
//! so the same code reads again on rows a little above or below the first; a texture that
//! happened to pass on one row does not. We accept the code only when a band of rows beside
//! its scan line (or columns, for a vertical one) reads the same text.
use super::binarize::FastHybridBinarizer;
use super::engine::FoundCode;
use super::options::CodeFormat;
use super::readers::FormatReader;
use rxing::{BinaryBitmap, DecodeHints, Luma8Source};

/// Formats whose reads need a second band to agree.
pub(crate) fn needs_confirmation(format: CodeFormat) -> bool {
    matches!(format, CodeFormat::Ean8 | CodeFormat::UpcE)
}

pub(crate) struct Confirmer {
    reader: FormatReader,
    band: Vec<u8>,
}

impl Confirmer {
    pub fn new(formats: &[CodeFormat], also_inverted: bool) -> Option<Self> {
        let confirmed: Vec<CodeFormat> = formats
            .iter()
            .copied()
            .filter(|f| needs_confirmation(*f))
            .collect();
        let reader = FormatReader::new(
            &confirmed,
            DecodeHints {
                PossibleFormats: Some(confirmed.iter().map(|f| f.to_rxing()).collect()),
                TryHarder: Some(true),
                AlsoInverted: Some(also_inverted),
                ..DecodeHints::default()
            },
        )?;
        Some(Confirmer {
            reader,
            band: Vec::new(),
        })
    }

    /// Whether a band beside `code`'s scan line in the `width` x `height` image reads the same.
    pub fn confirms(&mut self, luma: &[u8], width: u32, height: u32, code: &FoundCode) -> bool {
        let [a, b, ..] = code.corners;
        let horizontal = (b.x - a.x).abs() >= (b.y - a.y).abs();
        // Along the line: its extent plus a half on each side; across: the line's position.
        let (along0, along1, across, extent_along, extent_across) = if horizontal {
            (a.x.min(b.x), a.x.max(b.x), (a.y + b.y) / 2.0, width, height)
        } else {
            (a.y.min(b.y), a.y.max(b.y), (a.x + b.x) / 2.0, height, width)
        };
        let len = (along1 - along0).max(8.0);
        let from = (along0 - len / 2.0).max(0.0) as u32;
        let to = ((along1 + len / 2.0) as u32).min(extent_along);
        // Bands of a sixth of the symbol's length, starting a few pixels off the line.
        let thick = (len / 6.0).max(8.0) as u32;
        let gap = 3u32;
        let across = across.max(0.0) as u32;
        let bands = [
            across.checked_sub(gap + thick).map(|s| (s, s + thick)),
            Some((across + gap, (across + gap + thick).min(extent_across)))
                .filter(|(s, e)| e > s && *s < extent_across),
        ];
        bands.into_iter().flatten().any(|(s, e)| {
            if to <= from || e <= s {
                return false;
            }
            self.fill_band(luma, width, horizontal, (from, to), (s, e));
            let (bw, bh) = (to - from, e - s);
            let Ok(source) = Luma8Source::new_with_slice(&self.band, bw, bh) else {
                return false;
            };
            let mut bitmap = BinaryBitmap::new(FastHybridBinarizer::new(source));
            self.reader
                .decode(&mut bitmap)
                .is_ok_and(|r| r.getText() == code.text)
        })
    }

    /// Copies the band into `self.band` with the scan direction along its rows.
    fn fill_band(
        &mut self,
        luma: &[u8],
        width: u32,
        horizontal: bool,
        (from, to): (u32, u32),
        (s, e): (u32, u32),
    ) {
        let w = width as usize;
        self.band.clear();
        if horizontal {
            for y in s..e {
                let row = y as usize * w;
                self.band
                    .extend_from_slice(&luma[row + from as usize..row + to as usize]);
            }
        } else {
            // Band rows are image columns s..e, each read from row `from` to `to`.
            for x in s..e {
                self.band
                    .extend((from..to).map(|y| luma[y as usize * w + x as usize]));
            }
        }
    }
}
