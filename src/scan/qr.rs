//! The QR search for camera frames: rxing's zxing-cpp-derived detector steps, driven by our
//! own loop so that a frame full of finder-like squares cannot take a hundred milliseconds.
//!
//! rxing's `QrReader` samples and decodes every plausible triple of finder patterns. A tilted
//! checkerboard yields a hundred patterns and thousands of triples (95 ms measured on one 720p
//! checkerboard frame whose neighbours take 2 ms). Triples come sorted by rxing's plausibility
//! score, so we try at most `max_sets` of them per image: 23 ms on that frame, the rest being
//! the finder scan itself, whose ring traces the grid passes (a cross-check along the column
//! and diagonals did not tell a grid from a finder pattern, so it was not kept).
//!
//! Micro QR and rMQR are not read here: camera frames scan for QR Code only on this path
//! (`engine.rs` picks it); still images keep rxing's full reader.
use rxing::common::cpp_essentials::{ConcentricPattern, PatternRow};
use rxing::common::BitMatrix;
use rxing::qrcode::cpp_port::decoder::{DecodeInto, DecodeScratch};
use rxing::qrcode::cpp_port::detector::{
    FindFinderPatternsInto, FinderPatternSetScratch, FinderPatternSets, FinderPatterns,
    GenerateFinderPatternSetsInto, SampleQRInto, SampleQRScratch,
};
use rxing::{BarcodeFormat, Binarizer, BinaryBitmap, RXingResult};

/// Finder-pattern triples tried per image on camera frames. A real symbol's triple ranked 49th
/// of 1028 on a checkerboard frame of the benchmark; 64 keeps it with room to spare.
pub(crate) const LIVE_MAX_SETS: usize = 64;

#[derive(Debug)]
pub(crate) struct QrSearch {
    max_sets: usize,
    /// Kept from image to image (vendored rxing's `...Into` functions, PATCHES.md): finding
    /// the patterns, ranking their triples, sampling and decoding candidate symbols allocate
    /// nothing after the first images; only a symbol that decodes builds its result.
    row: PatternRow,
    patterns: FinderPatterns,
    set_scratch: FinderPatternSetScratch,
    sets: FinderPatternSets,
    sampled: BitMatrix,
    sample_scratch: SampleQRScratch,
    used: Vec<ConcentricPattern>,
    decode_scratch: DecodeScratch,
}

impl QrSearch {
    pub fn new(max_sets: usize) -> Self {
        QrSearch {
            max_sets: max_sets.max(1),
            row: PatternRow::default(),
            patterns: FinderPatterns::new(),
            set_scratch: FinderPatternSetScratch::default(),
            sets: FinderPatternSets::new(),
            sampled: BitMatrix::with_single_dimension(21).expect("21 is a valid size"),
            sample_scratch: SampleQRScratch::default(),
            used: Vec::new(),
            decode_scratch: DecodeScratch::default(),
        }
    }

    /// Up to `max_symbols` QR symbols found in the binarized image, best triples first.
    pub fn decode<B: Binarizer>(
        &mut self,
        image: &mut BinaryBitmap<B>,
        max_symbols: usize,
    ) -> Vec<RXingResult> {
        let bits = image.get_black_matrix();
        FindFinderPatternsInto(bits, false, 0, &mut self.row, &mut self.patterns);
        GenerateFinderPatternSetsInto(&mut self.patterns, &mut self.set_scratch, &mut self.sets);
        let mut results = Vec::new();
        // Patterns of a decoded symbol are not reused for another (as rxing and zxing-cpp do).
        self.used.clear();
        for set in self.sets.iter().take(self.max_sets) {
            if [set.bl, set.tl, set.tr]
                .iter()
                .any(|p| self.used.contains(p))
            {
                continue;
            }
            let Ok(corners) = SampleQRInto(bits, set, &mut self.sampled, &mut self.sample_scratch)
            else {
                continue;
            };
            let Ok(decoded) = DecodeInto(&self.sampled, &mut self.decode_scratch) else {
                continue;
            };
            if !decoded.isValid() {
                continue;
            }
            self.used.extend([set.bl, set.tl, set.tr]);
            // Text, bytes and corners only: `with_decoder_result` also fills a metadata map
            // (error-correction level, structured append, symbology identifier) that nothing
            // on the camera path reads, at five more allocations per code.
            results.push(RXingResult::new(
                &decoded.text(),
                decoded.content().bytes().to_vec(),
                corners.to_vec(),
                BarcodeFormat::QR_CODE,
            ));
            if results.len() >= max_symbols {
                break;
            }
        }
        results
    }
}

#[cfg(test)]
mod tests {
    use super::{QrSearch, LIVE_MAX_SETS};
    use crate::render::{render, RenderOptions, Symbology};
    use crate::scan::binarize::FastHybridBinarizer;
    use rxing::common::cpp_essentials::{GetPatternRowTP, PatternRow};
    use rxing::common::BitMatrix;
    use rxing::{BinaryBitmap, Luma8Source};

    /// One search decodes symbols one after another with the same sampled matrix, data blocks
    /// and alignment lists (vendored rxing's `SampleQRInto` / `DecodeInto`): sizes from
    /// version 1 to above 20, growing and shrinking, so a kept buffer longer or shorter than
    /// the next symbol needs, or a block list of another shape, would show as a wrong read.
    #[test]
    fn one_search_reads_symbols_of_every_size_in_any_order() {
        let lengths = [8usize, 400, 30, 1100, 120, 15, 700, 60];
        let mut search = QrSearch::new(LIVE_MAX_SETS);
        for (i, len) in lengths.iter().chain(lengths.iter().rev()).enumerate() {
            let text: String = (0..*len)
                .map(|k| char::from(b'A' + ((k * 7 + i) % 26) as u8))
                .collect();
            let bmp = render(
                &text,
                Symbology::Qr,
                RenderOptions::for_symbology(Symbology::Qr, 3),
            )
            .expect("renders");
            let source = Luma8Source::new_with_slice(&bmp.pixels, bmp.width, bmp.height)
                .expect("luma source");
            let mut image = BinaryBitmap::new(FastHybridBinarizer::new(source));
            let found = search.decode(&mut image, 4);
            assert_eq!(found.len(), 1, "{len} characters (symbol {i})");
            assert_eq!(found[0].getText(), text, "{len} characters (symbol {i})");
        }
    }

    /// Run lengths the slow way: white run first (0 when the row starts black), and a trailing
    /// 0 when it ends black (rxing's `PatternRow` convention).
    fn runs_by_pixel(m: &BitMatrix, y: u32) -> Vec<u16> {
        let mut runs = Vec::new();
        let (mut black, mut count) = (false, 0u16);
        for x in 0..m.width() {
            if m.get(x, y) != black {
                runs.push(count);
                count = 0;
                black = !black;
            }
            count += 1;
        }
        runs.push(count);
        if black {
            runs.push(0);
        }
        runs
    }

    /// The vendored rxing reads run lengths straight from the matrix words (PATCHES.md): the
    /// same runs as pixel by pixel, at widths around word boundaries and on inverted matrices
    /// (whose padding bits past the width are set).
    #[test]
    fn pattern_rows_from_words_match_pixel_runs() {
        let mut seed = 0x9e37_79b9_u32;
        for width in [1u32, 2, 31, 32, 33, 63, 64, 65, 127, 128, 129, 200] {
            let mut m = BitMatrix::new(width, 6).unwrap();
            for y in 0..6 {
                for x in 0..width {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    // Row 0 all white, row 1 all black, then runs of varied length.
                    let on = match y {
                        0 => false,
                        1 => true,
                        _ => (seed >> (y * 3)).is_multiple_of(3) || (x / 7) % 2 == 1,
                    };
                    if on {
                        m.set(x, y);
                    }
                }
            }
            for inverted in [false, true] {
                if inverted {
                    m.flip_self();
                }
                let mut row = PatternRow::default();
                for y in 0..6 {
                    GetPatternRowTP(&m, y, &mut row, false);
                    let ours: Vec<u16> = (0..row.len()).map(|i| row[i]).collect();
                    assert_eq!(
                        ours,
                        runs_by_pixel(&m, y),
                        "width {width} row {y} {inverted}"
                    );
                }
            }
        }
    }
}
