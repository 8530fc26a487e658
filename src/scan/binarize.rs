//! A faster drop-in for rxing's `HybridBinarizer`: the same local-threshold algorithm and the
//! same output bits, computed with tight loops.
//!
//! Profiling `scan_frame` showed rxing's `calculateBlackMatrix` as the largest single cost (it
//! sets the bit matrix one pixel at a time through a bounds-checked setter). This version
//! computes block statistics in one pass over contiguous rows and packs eight threshold tests
//! at a time into whole 32-bit words. Rows for the 1D readers still come from rxing's
//! `GlobalHistogramBinarizer`, exactly as `HybridBinarizer` does, so every reader sees the
//! same bits as before and the corpus results do not move.
use rxing::common::{BitArray, BitMatrix, GlobalHistogramBinarizer, LineOrientation, Result};
use rxing::{Binarizer, LuminanceSource};
use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};

const BLOCK: usize = 8;
const BLOCK_POWER: usize = 3;
/// Blocks with less spread than this are treated as flat (no data is invented from noise).
const MIN_DYNAMIC_RANGE: u32 = 24;
/// Below five blocks a side, rxing falls back to the global histogram; so do we.
const MIN_SIDE: usize = BLOCK * 5;

pub(crate) struct FastHybridBinarizer<LS: LuminanceSource + Clone> {
    source: LS,
    /// rxing's row binarizer for the 1D readers, built on the first row asked for: a pass
    /// that reads QR codes only never needs it (its row caches are two allocations a pass).
    rows: OnceCell<GlobalHistogramBinarizer<LS>>,
    /// Taken from this thread's spare matrices and given back on drop (see `SPARE`).
    matrix: OnceCell<BitMatrix>,
}

impl<LS: LuminanceSource + Clone> FastHybridBinarizer<LS> {
    pub fn new(source: LS) -> Self {
        FastHybridBinarizer {
            source,
            rows: OnceCell::new(),
            matrix: OnceCell::new(),
        }
    }

    fn rows(&self) -> &GlobalHistogramBinarizer<LS> {
        self.rows
            .get_or_init(|| GlobalHistogramBinarizer::new(self.source.clone()))
    }

    fn compute(&self) -> Result<BitMatrix> {
        let (w, h) = (self.source.get_width(), self.source.get_height());
        if w < MIN_SIDE || h < MIN_SIDE {
            return self.rows().get_black_matrix().cloned();
        }
        let luma = self.source.get_matrix();
        let mut matrix = SPARE
            .with(|spare| spare.borrow_mut().pop())
            .unwrap_or_else(|| BitMatrix::new(1, 1).expect("1x1"));
        matrix.reset(w as u32, h as u32)?;
        SCRATCH.with(|s| black_matrix_into(&luma, w, h, &mut s.borrow_mut(), &mut matrix));
        Ok(matrix)
    }
}

impl<LS: LuminanceSource + Clone> Drop for FastHybridBinarizer<LS> {
    fn drop(&mut self) {
        if let Some(matrix) = self.matrix.take() {
            SPARE.with(|spare| {
                let mut spare = spare.borrow_mut();
                if spare.len() < MAX_SPARE {
                    spare.push(matrix);
                }
            });
        }
    }
}

impl<LS: LuminanceSource + Clone> Binarizer for FastHybridBinarizer<LS> {
    type Source = LS;

    fn get_luminance_source(&self) -> &LS {
        &self.source
    }

    fn get_black_row(&self, y: usize) -> Result<Cow<'_, BitArray>> {
        self.rows().get_black_row(y)
    }

    fn get_black_row_from_matrix(&self, y: usize) -> Result<Cow<'_, BitArray>> {
        match self.matrix.get() {
            Some(m) => Ok(Cow::Owned(m.getRow(y as u32))),
            None => self.get_black_row(y),
        }
    }

    fn get_black_matrix(&self) -> Result<&BitMatrix> {
        if self.matrix.get().is_none() {
            let _ = self.matrix.set(self.compute()?);
        }
        Ok(self.matrix.get().expect("set above"))
    }

    fn get_black_line(&self, l: usize, lt: LineOrientation) -> Result<Cow<'_, BitArray>> {
        self.rows().get_black_line(l, lt)
    }

    fn create_binarizer(&self, source: LS) -> Self {
        Self::new(source)
    }

    fn get_width(&self) -> usize {
        self.source.get_width()
    }

    fn get_height(&self) -> usize {
        self.source.get_height()
    }
}

/// Per 8x8 block: the black point rxing's hybrid binarizer would pick (average, or for flat
/// blocks half the minimum, pulled up to the neighbours' estimate when darker than it).
/// Column sums, minima and maxima over a block row are accumulated element-wise first (loops
/// the compiler vectorizes), then reduced eight columns at a time.
fn black_points(luma: &[u8], w: usize, h: usize, sub_w: usize, sub_h: usize, s: &mut Scratch) {
    let (max_x, max_y) = (w - BLOCK, h - BLOCK);
    s.points.clear();
    s.points.resize(sub_w * sub_h, 0);
    for by in 0..sub_h {
        let y0 = (by << BLOCK_POWER).min(max_y);
        let first = &luma[y0 * w..y0 * w + w];
        s.col_sum.clear();
        s.col_sum.extend(first.iter().map(|&p| u16::from(p)));
        s.col_min.clear();
        s.col_min.extend_from_slice(first);
        s.col_max.clear();
        s.col_max.extend_from_slice(first);
        for y in y0 + 1..y0 + BLOCK {
            let row = &luma[y * w..y * w + w];
            for (((sum, min), max), &p) in s
                .col_sum
                .iter_mut()
                .zip(s.col_min.iter_mut())
                .zip(s.col_max.iter_mut())
                .zip(row)
            {
                *sum += u16::from(p);
                *min = (*min).min(p);
                *max = (*max).max(p);
            }
        }
        for bx in 0..sub_w {
            let x0 = (bx << BLOCK_POWER).min(max_x);
            let sum: u32 = s.col_sum[x0..x0 + BLOCK]
                .iter()
                .map(|&v| u32::from(v))
                .sum();
            let min = *s.col_min[x0..x0 + BLOCK].iter().min().expect("8 columns");
            let max = *s.col_max[x0..x0 + BLOCK].iter().max().expect("8 columns");
            let mut average = sum >> (2 * BLOCK_POWER);
            if u32::from(max - min) <= MIN_DYNAMIC_RANGE {
                average = u32::from(min) / 2;
                if by > 0 && bx > 0 {
                    let p = &s.points;
                    let neighbours = (p[(by - 1) * sub_w + bx]
                        + 2 * p[by * sub_w + bx - 1]
                        + p[(by - 1) * sub_w + bx - 1])
                        / 4;
                    if u32::from(min) < neighbours {
                        average = neighbours;
                    }
                }
            }
            s.points[by * sub_w + bx] = average;
        }
    }
}

/// Buffers reused from frame to frame on the decoder thread.
#[derive(Default)]
struct Scratch {
    points: Vec<u32>,
    col_sum: Vec<u16>,
    col_min: Vec<u8>,
    col_max: Vec<u8>,
    /// Per-pixel threshold of the current block row.
    thresholds: Vec<u8>,
    /// 0/1 per pixel of the current row, padded to whole 64-pixel words.
    black: Vec<u8>,
}

/// Bit matrices kept for reuse on this thread. A pass holds one while its binarizer lives;
/// passes run one after another, so one or two spares serve every frame.
const MAX_SPARE: usize = 4;

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
    static SPARE: RefCell<Vec<BitMatrix>> = const { RefCell::new(Vec::new()) };
}

/// The thresholded image: each block uses the mean black point of the 5x5 blocks around it.
/// Edge blocks are shifted inwards and may overlap their neighbour; a pixel is black if any
/// block covering it says so (rxing only ever sets bits): across columns the per-pixel
/// threshold takes the larger of the two, across rows the overlapping rows are ORed twice.
#[cfg(test)]
pub(crate) fn black_matrix(luma: &[u8], w: usize, h: usize) -> BitMatrix {
    let mut matrix = BitMatrix::new(w as u32, h as u32).expect("non-empty");
    SCRATCH.with(|s| black_matrix_into(luma, w, h, &mut s.borrow_mut(), &mut matrix));
    matrix
}

/// Writes the thresholded image (see `black_matrix`) into `matrix`, which must be `w` x `h`
/// with every bit clear.
fn black_matrix_into(luma: &[u8], w: usize, h: usize, s: &mut Scratch, matrix: &mut BitMatrix) {
    let sub_w = w.div_ceil(BLOCK);
    let sub_h = h.div_ceil(BLOCK);
    black_points(luma, w, h, sub_w, sub_h, s);
    let (max_x, max_y) = (w - BLOCK, h - BLOCK);
    let padded = w.div_ceil(64) * 64;
    s.black.clear();
    s.black.resize(padded, 0);
    s.thresholds.clear();
    s.thresholds.resize(w, 0);
    for by in 0..sub_h {
        let top = by.clamp(2, sub_h - 3);
        for bx in 0..sub_w {
            let left = bx.clamp(2, sub_w - 3);
            let mut sum = 0;
            for row in s.points[(top - 2) * sub_w..].chunks(sub_w).take(5) {
                sum += row[left - 2..=left + 2].iter().sum::<u32>();
            }
            // An average of byte-sized black points; `<=` on bytes needs it as a byte.
            let t = (sum / 25).min(255) as u8;
            let x0 = (bx << BLOCK_POWER).min(max_x);
            for v in &mut s.thresholds[x0..x0 + BLOCK] {
                // Only the shifted last block overlaps: there the larger threshold wins.
                *v = if bx + 1 == sub_w && x0 < bx << BLOCK_POWER {
                    (*v).max(t)
                } else {
                    t
                };
            }
        }
        let y0 = (by << BLOCK_POWER).min(max_y);
        for y in y0..y0 + BLOCK {
            let row = &luma[y * w..y * w + w];
            for ((b, &p), &t) in s.black.iter_mut().zip(row).zip(&s.thresholds) {
                *b = u8::from(p <= t);
            }
            // rxing's bit words are `usize` (64 bits on phones, 32 on armv7).
            pack_row(&s.black, matrix.row_words_mut(y as u32));
        }
    }
}

/// ORs 0/1 bytes into bit words, bit i of the row at bit i % WORD of word i / WORD. Eight
/// bytes become one bit-byte with a multiply: each 0/1 byte lands on its own top bit.
fn pack_row(black: &[u8], out: &mut [usize]) {
    const SPREAD: u64 = 0x0102_0408_1020_4080;
    const BYTES: usize = usize::BITS as usize / 8;
    for (word, chunk) in out.iter_mut().zip(black.chunks(usize::BITS as usize)) {
        let mut packed = [0u8; BYTES];
        for (byte, eight) in packed.iter_mut().zip(chunk.chunks_exact(8)) {
            let v = u64::from_le_bytes(eight.try_into().expect("8 bytes"));
            *byte = (v.wrapping_mul(SPREAD) >> 56) as u8;
        }
        *word |= usize::from_le_bytes(packed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rxing::common::HybridBinarizer;
    use rxing::Luma8Source;

    fn pseudo_image(w: usize, h: usize, seed: u32) -> Vec<u8> {
        let mut s = seed | 1;
        (0..w * h)
            .map(|i| {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                let (x, y) = (i % w, i / w);
                // Blocks of contrast, flat areas and gradients, so every branch runs.
                let base = if (x / 13 + y / 7) % 3 == 0 { 40 } else { 200 };
                let flat = (x / 50) % 2 == 0 && (y / 40) % 2 == 0;
                if flat {
                    (120 + (x % 5)) as u8
                } else {
                    (base + (s % 30) as usize).min(255) as u8
                }
            })
            .collect()
    }

    /// rxing patch 12 writes the global-threshold matrix (still images' QR look, `read_qr`)
    /// a word at a time: it must still be one threshold over the whole picture, with no bit
    /// set past a row's end.
    #[test]
    fn rxing_global_threshold_matrix_is_one_threshold() {
        use rxing::common::GlobalHistogramBinarizer;
        // Sizes that are and are not multiples of the word size (40 x 40 would be all flat).
        for (w, h) in [(64, 48), (100, 73), (257, 131), (641, 361)] {
            let luma = pseudo_image(w, h, (w * h) as u32 ^ 0x5a5a);
            let source = Luma8Source::new_with_slice(&luma, w as u32, h as u32).unwrap();
            let binarizer = GlobalHistogramBinarizer::new(source);
            let matrix = binarizer.get_black_matrix().unwrap();
            let (mut darkest_light, mut lightest_dark) = (u8::MAX, None::<u8>);
            for y in 0..h {
                for x in 0..w {
                    let p = luma[y * w + x];
                    if matrix.get(x as u32, y as u32) {
                        lightest_dark = lightest_dark.max(Some(p));
                    } else {
                        darkest_light = darkest_light.min(p);
                    }
                }
                let words = matrix.row_words(y as u32);
                let bits: u32 = words.iter().map(|word| word.count_ones()).sum();
                let set = (0..w).filter(|&x| matrix.get(x as u32, y as u32)).count();
                assert_eq!(bits as usize, set, "{w}x{h}: bits past the end of row {y}");
            }
            let lightest_dark = lightest_dark.expect("some dark pixels");
            assert!(lightest_dark < darkest_light, "{w}x{h}: not one threshold");
        }
    }

    #[test]
    fn matches_rxing_hybrid_binarizer_bit_for_bit() {
        // Sizes that are and are not multiples of the block and word sizes.
        for (w, h) in [(40, 40), (64, 48), (100, 73), (257, 131), (641, 361)] {
            let luma = pseudo_image(w, h, (w * h) as u32);
            let ours = black_matrix(&luma, w, h);
            let source = Luma8Source::new_with_slice(&luma, w as u32, h as u32).unwrap();
            let theirs = HybridBinarizer::new(source);
            assert_eq!(&ours, theirs.get_black_matrix().unwrap(), "{w}x{h}");
        }
    }
}
