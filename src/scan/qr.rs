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
use rxing::{
    BarcodeFormat, Binarizer, BinaryBitmap, Luma8Source, LuminanceSource, Point, RXingResult,
};

use super::binarize::FastHybridBinarizer;
use super::enlarge::enlarge_twice;

/// Finder-pattern triples tried per image on camera frames. A real symbol's triple ranked 49th
/// of 1028 on a checkerboard frame of the benchmark; 64 keeps it with room to spare.
pub(crate) const LIVE_MAX_SETS: usize = 64;

/// Finder patterns at most this wide (7 modules of 3 pixels) get a closer look (`look_closer`).
const SMALL_PATTERN: i32 = 21;
/// Narrower than this, a pattern is noise even at twice the size.
const TINY_PATTERN: i32 = 8;
/// Closer looks per image: each costs a binarization and a finder scan of its region.
const CLOSE_LOOKS: usize = 2;
/// A closer look covers this many modules to each side of its pattern: a symbol of version 7
/// (45 modules) whichever corner the pattern is.
const CLOSE_LOOK_MODULES: f32 = 45.0;
/// Finder-pattern triples tried in one closer look.
const CLOSE_LOOK_SETS: usize = 16;
/// The least the window around a pattern reaches to each side, in source pixels.
const CONFIRM_REACH: f32 = 12.0;
/// The least side of an enlarged window the binarizer thresholds locally.
const MIN_BINARIZED_SIDE: usize = 40;

#[derive(Debug)]
pub(crate) struct QrSearch {
    max_sets: usize,
    /// Small patterns of the last `decode` that read nothing, for `look_closer`.
    small: Vec<ConcentricPattern>,
    /// The region around a small pattern at twice the size, and the search that reads it
    /// (which looks no closer itself). `None` in that inner search.
    closer: Option<Box<CloseLook>>,
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
            closer: Some(Box::new(CloseLook {
                pixels: Vec::new(),
                region: Vec::new(),
                wide: Vec::new(),
                search: QrSearch::inner(),
            })),
            ..QrSearch::inner_with(max_sets)
        }
    }

    fn inner() -> Self {
        QrSearch::inner_with(CLOSE_LOOK_SETS)
    }

    fn inner_with(max_sets: usize) -> Self {
        QrSearch {
            max_sets: max_sets.max(1),
            small: Vec::new(),
            closer: None,
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
        // The closer look's own search (the one without a `closer`) looks at a small region:
        // every third row there costs little, and small finder centres are only a few rows.
        let try_harder = self.closer.is_none();
        let bits = image.get_black_matrix();
        FindFinderPatternsInto(bits, try_harder, 0, &mut self.row, &mut self.patterns);
        self.small.clear();
        self.small.extend(
            self.patterns
                .iter()
                .filter(|p| (TINY_PATTERN..=SMALL_PATTERN).contains(&p.size))
                .take(CLOSE_LOOKS * 4),
        );
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
        if !results.is_empty() {
            self.small.clear();
        }
        results
    }

    /// After a `decode` of `source` that read nothing: the regions around its small finder
    /// patterns, scaled up twice (`enlarge.rs`), searched again. Corners come back in `source`
    /// pixels.
    pub fn look_closer<S: LuminanceSource>(
        &mut self,
        source: &S,
        max_symbols: usize,
    ) -> Vec<RXingResult> {
        let Some(closer) = self.closer.as_mut() else {
            return Vec::new();
        };
        // The regions looked at (a fixed array: a frame without a code allocates nothing).
        let mut looked = [(0.0f32, 0.0f32, 0.0f32, 0.0f32); CLOSE_LOOKS];
        let mut count = 0;
        for pattern in &self.small {
            if count >= CLOSE_LOOKS {
                break;
            }
            let (x, y) = (pattern.p.x, pattern.p.y);
            if looked[..count]
                .iter()
                .any(|&(x0, y0, x1, y1)| (x0..x1).contains(&x) && (y0..y1).contains(&y))
            {
                continue;
            }
            // First the pattern alone at twice the size: most small patterns of a frame
            // without a code (letters, tiles) are not found again there, and this window is
            // a fiftieth of the region.
            if !closer.confirms(source, pattern) {
                continue;
            }
            let reach = pattern.size as f32 / 7.0 * CLOSE_LOOK_MODULES;
            looked[count] = (x - reach, y - reach, x + reach, y + reach);
            count += 1;
            let Some((x0, y0, w, h)) = closer.enlarge_around(source, (x, y), reach) else {
                continue;
            };
            let Ok(enlarged) = Luma8Source::new_with_slice(&closer.pixels, w as u32, h as u32)
            else {
                continue;
            };
            let mut image = BinaryBitmap::new(FastHybridBinarizer::new(enlarged));
            let found = closer.search.decode(&mut image, max_symbols);
            if !found.is_empty() {
                let back = |p: &Point| Point::new(x0 as f32 + p.x / 2.0, y0 as f32 + p.y / 2.0);
                return found
                    .into_iter()
                    .map(|r| {
                        let corners = r.getPoints().iter().map(back).collect();
                        RXingResult::new(
                            r.getText(),
                            r.getRawBytes().to_vec(),
                            corners,
                            BarcodeFormat::QR_CODE,
                        )
                    })
                    .collect();
            }
        }
        Vec::new()
    }
}

/// The buffer and the search of `QrSearch::look_closer`.
#[derive(Debug)]
struct CloseLook {
    /// The region, twice as wide and high.
    pixels: Vec<u8>,
    /// The region as it is, and enlarged along rows only (`enlarge_twice`).
    region: Vec<u8>,
    wide: Vec<u16>,
    search: QrSearch,
}

impl CloseLook {
    /// Whether `pattern`, scaled up twice with a pattern's width of its surroundings, still
    /// shows a finder pattern twice as wide at its middle.
    fn confirms<S: LuminanceSource>(&mut self, source: &S, pattern: &ConcentricPattern) -> bool {
        let size = pattern.size as f32;
        let (x, y) = (pattern.p.x, pattern.p.y);
        // At least `CONFIRM_REACH` pixels each side, so that the enlarged window is thresholded
        // locally (`enlarge_around`).
        let Some((x0, y0, w, h)) = self.enlarge_around(source, (x, y), size.max(CONFIRM_REACH))
        else {
            return false;
        };
        let Ok(enlarged) = Luma8Source::new_with_slice(&self.pixels, w as u32, h as u32) else {
            return false;
        };
        let image = BinaryBitmap::new(FastHybridBinarizer::new(enlarged));
        let search = &mut self.search;
        FindFinderPatternsInto(
            image.get_black_matrix(),
            true,
            0,
            &mut search.row,
            &mut search.patterns,
        );
        let (cx, cy) = (2.0 * (x - x0 as f32), 2.0 * (y - y0 as f32));
        search.patterns.iter().any(|p| {
            (p.p.x - cx).abs() < size
                && (p.p.y - cy).abs() < size
                && (1.5 * size..=2.5 * size).contains(&(p.size as f32))
        })
    }

    /// The region of `source` within `reach` pixels of `centre` (clipped to the image), twice
    /// the size, into `self.pixels`; returns its top-left corner in `source` and the enlarged
    /// size. `None` when the enlarged region is under `MIN_BINARIZED_SIDE` a side (a pattern at
    /// the image's edge): the binarizer would fall back to a global threshold, which allocates.
    fn enlarge_around<S: LuminanceSource>(
        &mut self,
        source: &S,
        centre: (f32, f32),
        reach: f32,
    ) -> Option<(usize, usize, usize, usize)> {
        let (x, y) = centre;
        let x0 = (x - reach).max(0.0) as usize;
        let y0 = (y - reach).max(0.0) as usize;
        let x1 = ((x + reach) as usize).min(source.get_width());
        let y1 = ((y + reach) as usize).min(source.get_height());
        let (w, h) = (x1.checked_sub(x0)?, y1.checked_sub(y0)?);
        if 2 * w.min(h) < MIN_BINARIZED_SIDE {
            return None;
        }
        self.region.clear();
        for y in y0..y1 {
            self.region
                .extend_from_slice(source.get_row(y)?.get(x0..x1)?);
        }
        let (w2, h2) = enlarge_twice(&self.region, w, h, &mut self.wide, &mut self.pixels)?;
        Some((x0, y0, w2, h2))
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

    /// `text` as a QR symbol turned `degrees` at `module` pixels a module (each pixel the
    /// average of 4 x 4 samples, as a sensor integrates), box-blurred over `blur` pixels and
    /// with noise, on a mid-grey background of `side` x `side` pixels.
    fn camera_qr(text: &str, module: f32, degrees: f32, blur: usize, side: usize) -> Vec<u8> {
        let bmp = render(
            text,
            Symbology::Qr,
            RenderOptions::for_symbology(Symbology::Qr, 1),
        )
        .expect("renders");
        let n = bmp.width as f32;
        let (sin, cos) = degrees.to_radians().sin_cos();
        let centre = side as f32 / 2.0;
        let value = |x: f32, y: f32| -> f32 {
            // Back into module coordinates around the symbol's centre.
            let (dx, dy) = ((x - centre) / module, (y - centre) / module);
            let (u, v) = (
                cos * dx + sin * dy + n / 2.0,
                -sin * dx + cos * dy + n / 2.0,
            );
            if u < 0.0 || v < 0.0 || u >= n || v >= n {
                return 120.0;
            }
            let dark = bmp.pixels[v as usize * bmp.width as usize + u as usize] < 128;
            if dark {
                35.0
            } else {
                215.0
            }
        };
        let mut pixels: Vec<f32> = (0..side * side)
            .map(|i| {
                let (x, y) = ((i % side) as f32, (i / side) as f32);
                let mut sum = 0.0;
                for k in 0..16 {
                    sum += value(x + (k % 4) as f32 / 4.0, y + (k / 4) as f32 / 4.0);
                }
                sum / 16.0
            })
            .collect();
        for _ in 0..2 {
            let src = pixels.clone();
            for y in 0..side {
                for x in 0..side {
                    let mut sum = 0.0;
                    let mut count = 0.0;
                    for k in 0..blur {
                        let (xx, yy) = (x + k, y + k);
                        if xx >= blur / 2 && xx - blur / 2 < side {
                            sum += src[y * side + xx - blur / 2];
                            count += 1.0;
                        }
                        if yy >= blur / 2 && yy - blur / 2 < side {
                            sum += src[(yy - blur / 2) * side + x];
                            count += 1.0;
                        }
                    }
                    pixels[y * side + x] = sum / count;
                }
            }
        }
        let mut seed = 0x2545_f491_u32;
        pixels
            .iter()
            .map(|&p| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                (p + (seed % 17) as f32 - 8.0).clamp(0.0, 255.0) as u8
            })
            .collect()
    }

    /// A small symbol turned and blurred the way a distant phone camera sees it: the finder
    /// patterns' runs are too uneven to pass at this size, so the plain search reads nothing;
    /// the closer look at twice the size reads it, with corners back in the image's pixels.
    #[test]
    fn small_blurred_symbols_are_read_on_a_closer_look() {
        let text = "https://qr.95516.com/00010000/626598080345743256996536465345";
        let side = 200;
        // (pixels a module, blur, turn): two of the cases in a grid of module 1.8-2.6, blur
        // 3-5 and turns of 10-35 degrees where the plain search reads nothing and this does.
        for (module, blur, degrees) in [(2.2, 3, 35.0), (2.6, 4, 22.0)] {
            let luma = camera_qr(text, module, degrees, blur, side);
            let source = Luma8Source::new_with_slice(&luma, side as u32, side as u32).unwrap();
            let mut image = BinaryBitmap::new(FastHybridBinarizer::new(source));
            let mut search = QrSearch::new(LIVE_MAX_SETS);
            assert!(
                search.decode(&mut image, 1).is_empty(),
                "a symbol the plain search reads tests nothing here ({module} {blur} {degrees})"
            );
            let found = search.look_closer(image.get_source(), 1);
            assert_eq!(found.len(), 1, "{module} {blur} {degrees}");
            assert_eq!(found[0].getText(), text);
            for p in found[0].getPoints() {
                // The symbol spans at most 37 modules of 2.6 pixels around the middle.
                assert!(
                    (p.x - 100.0).abs() < 70.0 && (p.y - 100.0).abs() < 70.0,
                    "{p:?}"
                );
            }
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
