//! Our own Code 128 reader for camera frames: scan lines through the middle of the view,
//! edges found between local extrema at sub-pixel precision, characters identified by their
//! edge-to-similar-edge distances.
//!
//! Why not rxing's: the 18-digit payer codes a merchant scans are Code 128, shown on a phone at
//! arm's length, so on a 720p frame a module is 2-4 pixels, softened by focus and motion. rxing
//! binarizes each row with one threshold and matches whole bar widths; blur thins narrow
//! spaces and fattens bars, and it read 6 of the 12 720p pay-code frames of the benchmark where
//! zxing-cpp read 10. Here:
//! - edges are local: each lies between a neighbouring peak and valley (at the slope's centroid,
//!   its steepest point or the midpoint crossing; `Edge`), so glare and shading do not move
//!   it, and narrow bars that never reach full black still count;
//! - a character is identified by the four distances between the leading edges of adjacent
//!   bar-space pairs ("e-distances", the measure the Code 128 specification's reference
//!   decoder uses): ink spread widens a bar as much as it narrows the next space, so these
//!   sums stay put; blur still shifts them, so the nearest pattern wins, not rounding;
//! - at two pixels a module or less, blur widens every one-module element in a way the
//!   e-distances do not cancel; how far is fitted from the start character, whose pattern is
//!   known, and the rest of the line is matched against patterns blurred as much (`Blur`);
//! - a result needs its start, stop, quiet zones and mod-103 check character on two scan
//!   lines that agree, so textures cannot invent a code (a line that reads a symbol alone is
//!   checked against the lines just beside it first: a distant code is only a few rows tall);
//! - bars turned against the image (10-40 degrees) are read on lines across them at their own
//!   angle (`turned_line.rs`), through the places where straight lines met a start character.
//!
//! Buffers live in the reader and are reused; only a line that decodes a whole symbol
//! allocates (its values), which frames without a code almost never do.

use super::turned_line::{across_bars, TurnedLine};

/// Bar and space widths, in modules, of the 107 Code 128 symbol characters (values 0-102 data,
/// 103-105 start A/B/C, 106 the first six elements of the stop character, whose seventh is a
/// 2-module bar). From the Code 128 symbology specification's table.
const PATTERNS: [[u8; 6]; 107] = [
    [2, 1, 2, 2, 2, 2],
    [2, 2, 2, 1, 2, 2],
    [2, 2, 2, 2, 2, 1],
    [1, 2, 1, 2, 2, 3],
    [1, 2, 1, 3, 2, 2],
    [1, 3, 1, 2, 2, 2],
    [1, 2, 2, 2, 1, 3],
    [1, 2, 2, 3, 1, 2],
    [1, 3, 2, 2, 1, 2],
    [2, 2, 1, 2, 1, 3],
    [2, 2, 1, 3, 1, 2],
    [2, 3, 1, 2, 1, 2],
    [1, 1, 2, 2, 3, 2],
    [1, 2, 2, 1, 3, 2],
    [1, 2, 2, 2, 3, 1],
    [1, 1, 3, 2, 2, 2],
    [1, 2, 3, 1, 2, 2],
    [1, 2, 3, 2, 2, 1],
    [2, 2, 3, 2, 1, 1],
    [2, 2, 1, 1, 3, 2],
    [2, 2, 1, 2, 3, 1],
    [2, 1, 3, 2, 1, 2],
    [2, 2, 3, 1, 1, 2],
    [3, 1, 2, 1, 3, 1],
    [3, 1, 1, 2, 2, 2],
    [3, 2, 1, 1, 2, 2],
    [3, 2, 1, 2, 2, 1],
    [3, 1, 2, 2, 1, 2],
    [3, 2, 2, 1, 1, 2],
    [3, 2, 2, 2, 1, 1],
    [2, 1, 2, 1, 2, 3],
    [2, 1, 2, 3, 2, 1],
    [2, 3, 2, 1, 2, 1],
    [1, 1, 1, 3, 2, 3],
    [1, 3, 1, 1, 2, 3],
    [1, 3, 1, 3, 2, 1],
    [1, 1, 2, 3, 1, 3],
    [1, 3, 2, 1, 1, 3],
    [1, 3, 2, 3, 1, 1],
    [2, 1, 1, 3, 1, 3],
    [2, 3, 1, 1, 1, 3],
    [2, 3, 1, 3, 1, 1],
    [1, 1, 2, 1, 3, 3],
    [1, 1, 2, 3, 3, 1],
    [1, 3, 2, 1, 3, 1],
    [1, 1, 3, 1, 2, 3],
    [1, 1, 3, 3, 2, 1],
    [1, 3, 3, 1, 2, 1],
    [3, 1, 3, 1, 2, 1],
    [2, 1, 1, 3, 3, 1],
    [2, 3, 1, 1, 3, 1],
    [2, 1, 3, 1, 1, 3],
    [2, 1, 3, 3, 1, 1],
    [2, 1, 3, 1, 3, 1],
    [3, 1, 1, 1, 2, 3],
    [3, 1, 1, 3, 2, 1],
    [3, 3, 1, 1, 2, 1],
    [3, 1, 2, 1, 1, 3],
    [3, 1, 2, 3, 1, 1],
    [3, 3, 2, 1, 1, 1],
    [3, 1, 4, 1, 1, 1],
    [2, 2, 1, 4, 1, 1],
    [4, 3, 1, 1, 1, 1],
    [1, 1, 1, 2, 2, 4],
    [1, 1, 1, 4, 2, 2],
    [1, 2, 1, 1, 2, 4],
    [1, 2, 1, 4, 2, 1],
    [1, 4, 1, 1, 2, 2],
    [1, 4, 1, 2, 2, 1],
    [1, 1, 2, 2, 1, 4],
    [1, 1, 2, 4, 1, 2],
    [1, 2, 2, 1, 1, 4],
    [1, 2, 2, 4, 1, 1],
    [1, 4, 2, 1, 1, 2],
    [1, 4, 2, 2, 1, 1],
    [2, 4, 1, 2, 1, 1],
    [2, 2, 1, 1, 1, 4],
    [4, 1, 3, 1, 1, 1],
    [2, 4, 1, 1, 1, 2],
    [1, 3, 4, 1, 1, 1],
    [1, 1, 1, 2, 4, 2],
    [1, 2, 1, 1, 4, 2],
    [1, 2, 1, 2, 4, 1],
    [1, 1, 4, 2, 1, 2],
    [1, 2, 4, 1, 1, 2],
    [1, 2, 4, 2, 1, 1],
    [4, 1, 1, 2, 1, 2],
    [4, 2, 1, 1, 1, 2],
    [4, 2, 1, 2, 1, 1],
    [2, 1, 2, 1, 4, 1],
    [2, 1, 4, 1, 2, 1],
    [4, 1, 2, 1, 2, 1],
    [1, 1, 1, 1, 4, 3],
    [1, 1, 1, 3, 4, 1],
    [1, 3, 1, 1, 4, 1],
    [1, 1, 4, 1, 1, 3],
    [1, 1, 4, 3, 1, 1],
    [4, 1, 1, 1, 1, 3],
    [4, 1, 1, 3, 1, 1],
    [1, 1, 3, 1, 4, 1],
    [1, 1, 4, 1, 3, 1],
    [3, 1, 1, 1, 4, 1],
    [4, 1, 1, 1, 3, 1],
    [2, 1, 1, 4, 1, 2],
    [2, 1, 1, 2, 1, 4],
    [2, 1, 1, 2, 3, 2],
    [2, 3, 3, 1, 1, 1],
];

const START_A: u8 = 103;
const START_C: u8 = 105;
const STOP: u8 = 106;
const CODE_A: u8 = 101;
const CODE_B: u8 = 100;
const CODE_C: u8 = 99;
const SHIFT: u8 = 98;
const FNC1: u8 = 102;

/// Largest squared e-distance error (in modules squared, over the four distances) a
/// character may have: one distance off by 1.25 modules, or all four by 0.63.
const MAX_MISS: f32 = 1.6;

/// Rows (or columns) averaged into one scan line: noise drops, bars stay sharp.
const LINE_RADIUS: usize = 2;
/// Scan lines per image on camera frames, from the middle outwards.
const MAX_LINES: usize = 40;
/// How far beside a line that read a symbol alone the confirming lines lie: the next rows
/// whose averages share no pixel with it.
const CONFIRM_OFFSET: usize = 2 * LINE_RADIUS + 2;
/// A quiet zone must be at least this many modules of light (the specification asks for 10;
/// phone screens and crops leave less).
const QUIET_MODULES: f32 = 4.0;
/// Light between a symbol and the image border, in modules.
const BORDER_MODULES: f32 = 1.0;

/// A decoded symbol: its text, its symbol character values (start to stop), and where the two
/// agreeing scan lines crossed it, as pixel positions in the image.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Code128 {
    pub text: String,
    pub values: Vec<u8>,
    /// (x, y) where the first line entered and left the symbol, then where the second left
    /// and entered it.
    pub corners: [(f32, f32); 4],
}

/// Where a scan line lies in the image.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Placement {
    /// Row `at` (or column, with `columns`), averaged with its neighbours.
    Straight { at: usize, columns: bool },
    /// A line across turned bars (`turned_line.rs`).
    Turned(TurnedLine),
}

impl Placement {
    /// The image point `along` pixels into the line.
    fn point(self, along: f32) -> (f32, f32) {
        match self {
            Placement::Straight { at, columns } => {
                let across = at as f32 + 0.5;
                if columns {
                    (across, along)
                } else {
                    (along, across)
                }
            }
            Placement::Turned(line) => line.point(along),
        }
    }
}

/// Where a straight line met what looked like a start character but read no symbol: a place
/// to look for one turned against the lines.
#[derive(Debug, Clone, Copy, Default)]
struct Hint {
    at: (f32, f32),
    /// Width of that start character along the line, in pixels.
    pitch: f32,
    /// The straight line's direction: (1, 0) along a row, (0, 1) along a column.
    along: (f32, f32),
}

/// Hints kept per image: turned lines are tried through each, so a frame full of bar-like
/// texture stays bounded.
const MAX_HINTS: usize = 6;
/// Parallel turned lines tried through one hint, nearest first.
const TURNED_LINES: usize = 7;
/// A turned line reaches this many start-character widths to either side of its hint: a
/// symbol of 20 characters or more, without sampling the whole image on every hint.
const TURNED_REACH: f32 = 24.0;
/// Bars within this sine (3 degrees) of square to the straight lines are theirs to read.
const MIN_TURN_SINE: f32 = 0.052;

/// One line's decode: symbol values and the symbol's extent along the line.
#[derive(Debug, Clone, Default, PartialEq)]
struct LineRead {
    values: Vec<u8>,
    from: f32,
    to: f32,
}

#[derive(Debug, Default)]
pub(crate) struct Code128Reader {
    /// The current scan line, as sums of `2 * LINE_RADIUS + 1` pixels.
    line: Vec<u16>,
    /// Edge positions along the line (sub-pixel); even indices are falling (light to dark).
    edges: Vec<f32>,
    /// Extrema of the line, alternately peaks and valleys.
    extrema: Vec<Extremum>,
    /// The steepest step between each pair of neighbouring extrema (`steepest_index`), found
    /// once per line for the two estimators that start from it.
    steepest: Vec<usize>,
    /// The first line read, waiting for a second that agrees.
    reads: Vec<(Placement, LineRead)>,
    /// Places where straight lines met a start but read nothing (a fixed array: a frame
    /// without a code allocates nothing).
    hints: [Hint; MAX_HINTS],
    hint_count: usize,
    /// The character at each edge of the list being decoded (`decode_edges`).
    memo: Memo,
    scratch: LineRead,
    /// Reads of earlier images, kept for their buffers: a frame allocates only its result.
    spare: Vec<LineRead>,
    reversed: Vec<f32>,
    /// Also read light bars on a dark ground.
    also_inverted: bool,
    /// Whether `edges[0]` is a falling edge.
    first_falling: bool,
    /// Whether the last `decode_line` met a start character.
    saw_start: bool,
}

impl Code128Reader {
    pub fn new(also_inverted: bool) -> Self {
        Code128Reader {
            also_inverted,
            ..Code128Reader::default()
        }
    }

    /// Looks for one Code 128 symbol in a `width` x `height` luma image. With `along_columns`,
    /// the scan lines are columns (the bars run along the image's rows). Lines start at the
    /// middle and alternate outwards, `step` apart. When they read nothing, lines across the
    /// bars at their own angle go through each place where a straight line met a start
    /// character (a symbol turned 10-40 degrees).
    pub fn read(
        &mut self,
        luma: &[u8],
        width: usize,
        height: usize,
        along_columns: bool,
        dense: bool,
    ) -> Option<Code128> {
        if width == 0 || height == 0 || luma.len() < width.checked_mul(height)? {
            return None;
        }
        // Lines are taken across `across` pixels, at positions along `extent`.
        let extent = if along_columns { width } else { height };
        let max_lines = if dense { extent.div_ceil(2) } else { MAX_LINES };
        let step = (extent / max_lines.max(1)).max(2);
        self.spare
            .extend(self.reads.drain(..).map(|(_, read)| read));
        self.hint_count = 0;
        let middle = extent / 2;
        let mut reads_before = 0;
        for k in 0..max_lines {
            // 0, +1, -1, +2, -2, ... steps from the middle, until both sides leave the image.
            let distance = k.div_ceil(2) * step;
            if distance > middle && middle + distance >= extent {
                break;
            }
            let at = if k % 2 == 1 {
                middle + distance
            } else {
                match middle.checked_sub(distance) {
                    Some(at) => at,
                    None => continue,
                }
            };
            if at >= extent {
                continue;
            }
            if let Some(code) = self.read_straight(luma, width, height, at, along_columns) {
                return Some(code);
            }
            // A symbol read once, on a line no other one agrees with yet: a short symbol (a
            // distant pay code spans one or two of the spaced lines) is confirmed by the lines
            // just beside this one, whose pixels it does not share.
            if self.reads.len() > reads_before && step > CONFIRM_OFFSET {
                let beside = [at + CONFIRM_OFFSET, at.wrapping_sub(CONFIRM_OFFSET)];
                for near in beside.into_iter().filter(|&n| n < extent) {
                    if let Some(code) = self.read_straight(luma, width, height, near, along_columns)
                    {
                        return Some(code);
                    }
                }
            }
            reads_before = self.reads.len();
        }
        self.read_turned(luma, width, height)
    }

    /// Reads the straight line at `at` (a row, or a column with `along_columns`).
    fn read_straight(
        &mut self,
        luma: &[u8],
        width: usize,
        height: usize,
        at: usize,
        along_columns: bool,
    ) -> Option<Code128> {
        self.load_line(luma, width, height, at, along_columns);
        self.read_line(Placement::Straight {
            at,
            columns: along_columns,
        })
    }

    /// Lines across the bars through each hint, at the angle of the bars there, until two
    /// agree (with each other or with a straight line's read).
    fn read_turned(&mut self, luma: &[u8], width: usize, height: usize) -> Option<Code128> {
        for h in 0..self.hint_count {
            let Hint { at, pitch, along } = self.hints[h];
            let radius = (pitch * 0.4).clamp(4.0, 40.0) as usize;
            let Some(across) = across_bars(luma, width, height, at, radius) else {
                continue;
            };
            if (across.0 * along.1 - across.1 * along.0).abs() < MIN_TURN_SINE {
                continue;
            }
            // Parallel lines a little apart along the bars: 0, +1, -1, +2, ... spacings.
            let spacing = (pitch / 8.0).max(2.0);
            let along_bars = (-across.1, across.0);
            for k in 0..TURNED_LINES {
                let offset = k.div_ceil(2) as f32 * spacing * if k % 2 == 1 { 1.0 } else { -1.0 };
                let through = (at.0 + offset * along_bars.0, at.1 + offset * along_bars.1);
                let reach = TURNED_REACH * pitch;
                let Some((line, len)) = TurnedLine::across(through, across, reach, (width, height))
                else {
                    continue;
                };
                line.sample(luma, width, height, len, &mut self.line);
                if let Some(code) = self.read_line(Placement::Turned(line)) {
                    return Some(code);
                }
            }
        }
        None
    }

    /// Reads the line in `self.line`; returns a symbol when this read agrees with an earlier
    /// line's. Notes a hint when the line shows a start but reads nothing.
    fn read_line(&mut self, placement: Placement) -> Option<Code128> {
        if !self.find_extrema() {
            return None;
        }
        let (centre, pitch) = self.may_hold_start()?;
        let line = &self.line;
        self.steepest.clear();
        self.steepest.extend(
            self.extrema
                .windows(2)
                .map(|p| steepest_index(line, p[0].at, p[1].at)),
        );
        // Each edge estimator errs on different symbols (blur distorts narrow elements);
        // the others are tried only on a line where a start character showed up.
        let mut decoded = false;
        for estimator in Edge::ALL {
            self.place_edges(estimator);
            self.saw_start = false;
            if self.decode_line() {
                decoded = true;
                break;
            }
            if !self.saw_start {
                break;
            }
        }
        if !decoded {
            if let Placement::Straight { columns, .. } = placement {
                let along = if columns { (0.0, 1.0) } else { (1.0, 0.0) };
                self.add_hint(placement.point(centre), pitch, along);
            }
            return None;
        }
        let read = std::mem::replace(&mut self.scratch, self.spare.pop().unwrap_or_default());
        if let Some((first_at, first)) = self.reads.iter().find(|(_, r)| r.values == read.values) {
            let code = text_of(&read.values).map(|text| Code128 {
                text,
                values: read.values.clone(),
                corners: [
                    first_at.point(first.from),
                    first_at.point(first.to),
                    placement.point(read.to),
                    placement.point(read.from),
                ],
            });
            self.spare.push(read);
            return code;
        }
        // Few distinct reads per image; a bound keeps a pathological frame cheap.
        if self.reads.len() < 8 {
            self.reads.push((placement, read));
        } else {
            self.spare.push(read);
        }
        None
    }

    /// Keeps a hint unless one lies within a start character's width of it already.
    fn add_hint(&mut self, at: (f32, f32), pitch: f32, along: (f32, f32)) {
        if self.hint_count == MAX_HINTS {
            return;
        }
        let known = self.hints[..self.hint_count].iter().any(|h| {
            let near = pitch.max(h.pitch);
            (h.at.0 - at.0).abs() < near && (h.at.1 - at.1).abs() < near
        });
        if !known {
            self.hints[self.hint_count] = Hint { at, pitch, along };
            self.hint_count += 1;
        }
    }

    /// Sums `2 * LINE_RADIUS + 1` neighbouring rows (or columns) around `at` into `self.line`.
    fn load_line(&mut self, luma: &[u8], width: usize, height: usize, at: usize, cols: bool) {
        let span = if cols { width } else { height };
        let from = at.saturating_sub(LINE_RADIUS);
        let to = (at + LINE_RADIUS).min(span - 1);
        let n = (to - from + 1) as u16;
        // Scale to 5 samples so thresholds mean the same at the image edge.
        let scale = |s: u16| s * 5 / n;
        self.line.clear();
        if cols {
            self.line.extend(
                luma.chunks_exact(width)
                    .take(height)
                    .map(|row| scale(row[from..=to].iter().map(|&p| u16::from(p)).sum::<u16>())),
            );
        } else {
            self.line.resize(width, 0);
            for r in from..=to {
                let row = &luma[r * width..(r + 1) * width];
                for (s, &p) in self.line.iter_mut().zip(row) {
                    *s += u16::from(p);
                }
            }
            if n != 5 {
                self.line.iter_mut().for_each(|s| *s = scale(*s));
            }
        }
    }

    /// Finds the line's peaks and valleys. Returns false when the line cannot hold a symbol
    /// (too few of them).
    fn find_extrema(&mut self) -> bool {
        let line = &self.line;
        if line.len() < 16 {
            return false;
        }
        let (lo, hi) = line
            .iter()
            .fold((u16::MAX, 0), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        // Hysteresis: swings smaller than this are noise (sums of 5 pixels).
        let delta = ((hi - lo) / 8).max(5 * 6);
        // Samples within this of an extremum belong to its plateau (blur-free bars are flat).
        let flat = delta / 4;
        self.extrema.clear();
        let mut top = Extremum::at(0, line[0]);
        let mut bottom = top;
        // 0: direction unknown, 1: rising (tracking a peak), -1: falling (tracking a valley).
        let mut dir = 0i8;
        for (i, &v) in line.iter().enumerate().skip(1) {
            if dir >= 0 {
                if v > top.value {
                    top = Extremum::at(i, v);
                } else if v + flat >= top.value {
                    top.end = i;
                }
            }
            if dir <= 0 {
                if v < bottom.value {
                    bottom = Extremum::at(i, v);
                } else if v <= bottom.value + flat {
                    bottom.end = i;
                }
            }
            match dir {
                0 if top.value - bottom.value > delta => {
                    if top.at > bottom.at {
                        self.extrema.push(bottom);
                        dir = 1;
                    } else {
                        self.extrema.push(top);
                        dir = -1;
                    }
                }
                1 if top.value - v > delta => {
                    self.extrema.push(top);
                    (bottom, dir) = (Extremum::at(i, v), -1);
                }
                -1 if v - bottom.value > delta => {
                    self.extrema.push(bottom);
                    (top, dir) = (Extremum::at(i, v), 1);
                }
                _ => {}
            }
        }
        // The line may end on the slope after the last confirmed extremum: keep that peak or
        // valley when it swung far enough (the quiet zone after a symbol at the image edge).
        if let Some(last) = self.extrema.last() {
            let pending = if dir == 1 { top } else { bottom };
            if dir != 0 && pending.value.abs_diff(last.value) > delta {
                self.extrema.push(pending);
            }
        }
        // Start, one data character, check character and stop: 25 elements, 26 edges.
        self.extrema.len() >= 27
    }

    /// A cheap screen before the full decode: with edges between the extrema's plateaus, does some
    /// falling or rising edge begin a start character (or, for a symbol upside down, end a
    /// mirrored one) after a quiet zone, within a loose tolerance? Most lines of a frame
    /// without a code stop here. Returns the middle of that start character along the line
    /// and its width.
    fn may_hold_start(&mut self) -> Option<(f32, f32)> {
        // Each edge halfway between the end of one plateau and the start of the next.
        self.edges.clear();
        self.edges.extend(
            self.extrema
                .windows(2)
                .map(|p| (p[0].end + p[1].at) as f32 / 2.0),
        );
        let len = self.line.len() as f32;
        if let Some(found) = crude_start(&self.edges, len) {
            return Some(found);
        }
        self.reversed.clear();
        self.reversed
            .extend(self.edges.iter().rev().map(|&e| len - e));
        crude_start(&self.reversed, len).map(|(centre, pitch)| (len - centre, pitch))
    }

    /// Places an edge between each pair of neighbouring extrema, alternately falling and
    /// rising, with the given estimator.
    fn place_edges(&mut self, estimator: Edge) {
        let line = &self.line;
        self.edges.clear();
        // Dark bars start at falling edges (light to dark).
        self.first_falling = self.extrema[0].value > self.extrema[1].value;
        for (pair, &best) in self.extrema.windows(2).zip(&self.steepest) {
            let (a, va, b, vb) = (pair[0].at, pair[0].value, pair[1].at, pair[1].value);
            let x = match estimator {
                Edge::Centroid => slope_centroid(line, a, b, best),
                Edge::Steepest => steepest(line, a, b, best),
                Edge::Midpoint => midpoint(line, a, va, b, vb),
            };
            self.edges.push(x);
        }
    }

    /// Decodes the current edges, forwards then backwards (and, with `also_inverted`, as light
    /// bars on a dark ground), into `self.scratch`.
    fn decode_line(&mut self) -> bool {
        // Dark bars start at falling edges, light bars (inverted) at rising ones.
        let dark = usize::from(!self.first_falling);
        if self.decode_edges_both_ways(dark) {
            return true;
        }
        self.also_inverted && self.decode_edges_both_ways(1 - dark)
    }

    fn decode_edges_both_ways(&mut self, skip: usize) -> bool {
        let len = self.line.len() as f32;
        let Some(edges) = self.edges.get(skip..) else {
            return false;
        };
        if decode_edges(
            edges,
            len,
            &mut self.scratch,
            &mut self.saw_start,
            &mut self.memo,
        ) {
            return true;
        }
        // A symbol upside down: mirror the line. Falling edges must come first again, so the
        // mirrored list drops a trailing falling edge.
        self.reversed.clear();
        let keep = edges.len() - edges.len() % 2;
        self.reversed
            .extend(edges[..keep].iter().rev().map(|&e| len - e));
        if decode_edges(
            &self.reversed,
            len,
            &mut self.scratch,
            &mut self.saw_start,
            &mut self.memo,
        ) {
            let (from, to) = (self.scratch.from, self.scratch.to);
            self.scratch.from = len - to;
            self.scratch.to = len - from;
            return true;
        }
        false
    }
}

/// A peak or a valley of a scan line: the first sample at its value, the last sample of its
/// plateau, its value.
#[derive(Debug, Clone, Copy)]
struct Extremum {
    at: usize,
    end: usize,
    value: u16,
}

impl Extremum {
    fn at(at: usize, value: u16) -> Self {
        Extremum { at, end: at, value }
    }
}

/// How an edge is placed between a peak and a valley.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    /// The centroid of the slope over its steep stretch.
    Centroid,
    /// The steepest difference, refined by a parabola.
    Steepest,
    /// Where the signal crosses halfway between the two extrema.
    Midpoint,
}

impl Edge {
    const ALL: [Edge; 3] = [Edge::Centroid, Edge::Steepest, Edge::Midpoint];
}

/// The signal's rise from pixel `i - 1` to `i`, signed so that the edge's direction between
/// the extrema at `a` and `b` is positive.
fn slope(line: &[u16], a: usize, b: usize, i: usize) -> f32 {
    let diff = f32::from(line[i]) - f32::from(line[i - 1]);
    if line[a] > line[b] {
        -diff
    } else {
        diff
    }
}

/// The first `i` in `a + 1..=b` where the signal steps most in the edge's direction
/// (`slope`). Integer steps, the direction decided once: this runs over every sample of every
/// line that may hold a symbol.
fn steepest_index(line: &[u16], a: usize, b: usize) -> usize {
    let steps = line[a..=b]
        .windows(2)
        .map(|w| i32::from(w[1]) - i32::from(w[0]));
    let falling = line[a] > line[b];
    let mut best = (a + 1, i32::MIN);
    for (i, step) in (a + 1..).zip(steps) {
        let rise = if falling { -step } else { step };
        if rise > best.1 {
            best = (i, rise);
        }
    }
    best.0
}

/// A blurred step's edge sits at its steepest point whatever the blur, where a midpoint
/// threshold drifts with the heights of narrow neighbouring elements. A box blur leaves a
/// plateau of equal slopes: the centroid of the slope over the stretch above half the
/// steepest one finds its middle. The difference at `i` sits halfway between pixels `i - 1`
/// and `i`.
fn slope_centroid(line: &[u16], a: usize, b: usize, best: usize) -> f32 {
    let floor = slope(line, a, b, best) * 0.5;
    let (mut from, mut to) = (best, best);
    while from > a + 1 && slope(line, a, b, from - 1) > floor {
        from -= 1;
    }
    while to < b && slope(line, a, b, to + 1) > floor {
        to += 1;
    }
    let (mut weight, mut moment) = (0.0, 0.0);
    for i in from..=to {
        let w = slope(line, a, b, i) - floor;
        weight += w;
        moment += w * (i as f32 - 0.5);
    }
    if weight > 0.0 {
        moment / weight
    } else {
        best as f32 - 0.5
    }
}

/// The steepest difference (at `best`), placed between pixels by a parabola through its
/// neighbours.
fn steepest(line: &[u16], a: usize, b: usize, best: usize) -> f32 {
    let centre = best as f32 - 0.5;
    if best > a + 1 && best < b {
        let (l, m, r) = (
            slope(line, a, b, best - 1),
            slope(line, a, b, best),
            slope(line, a, b, best + 1),
        );
        let curvature = l - 2.0 * m + r;
        if curvature < 0.0 {
            return centre + (0.5 * (l - r) / curvature).clamp(-0.5, 0.5);
        }
    }
    centre
}

/// The first crossing of the level halfway between the extrema, interpolated.
fn midpoint(line: &[u16], a: usize, va: u16, b: usize, vb: u16) -> f32 {
    let level = (f32::from(va) + f32::from(vb)) / 2.0;
    for i in a + 1..=b {
        let (p, q) = (f32::from(line[i - 1]), f32::from(line[i]));
        let crossed = if va > vb { q <= level } else { q >= level };
        if crossed {
            let frac = (level - p) / (q - p);
            return (i - 1) as f32 + if frac.is_finite() { frac } else { 1.0 };
        }
    }
    b as f32
}

/// Whether any edge (of either direction: the screen runs before colours are settled)
/// starts a start character after a quiet zone and two more characters of a steady pitch,
/// each within a looser tolerance than the decode's (the edges here are crude). Returns the
/// first such start character's middle and width.
fn crude_start(edges: &[f32], line_len: f32) -> Option<(f32, f32)> {
    let loose = 1.5 * MAX_MISS;
    let char_at = |at: usize, candidates: std::ops::Range<u8>| -> Option<f32> {
        let m = measure(edges, at)?;
        candidates
            .into_iter()
            .any(|v| e_miss(v, m.e, &SHARP) < loose)
            .then_some(m.pitch)
    };
    (0..edges.len().saturating_sub(25)).find_map(|at| {
        let pitch = char_at(at, START_A..STOP)?;
        if !quiet(edges, at, pitch / 11.0) || edges[at + 6] > line_len {
            return None;
        }
        let steady = |p: Option<f32>| p.is_some_and(|p| (0.7 * pitch..=1.4 * pitch).contains(&p));
        (steady(char_at(at + 6, 0..STOP + 1)) && steady(char_at(at + 12, 0..STOP + 1)))
            .then(|| ((edges[at] + edges[at + 6]) / 2.0, pitch))
    })
}

/// Whether the light before edge `at` is a quiet zone: `QUIET_MODULES` after another bar, or
/// `BORDER_MODULES` up to the start of the line (a symbol cropped tight, as in a gallery image;
/// what lies beyond the image cannot be a bar of this line).
fn quiet(edges: &[f32], at: usize, module: f32) -> bool {
    match at.checked_sub(1) {
        Some(before) => edges[at] - edges[before] >= QUIET_MODULES * module,
        None => edges[at] >= BORDER_MODULES * module,
    }
}

/// The character read at each edge of the list being decoded, per blur: every start re-reads
/// the characters after it, and a periodic line (a fence, a striped shirt, a fuzzed frame)
/// reads as long runs of valid characters from every start; matching each against the table
/// once per line keeps that from costing a table search per edge per start (a 2304-pixel line
/// took the scanner to its 5 s budget). A line meets one or two blurs, so each gets a band of
/// `edges` slots when first met; a slot holds the line's generation above its value, so
/// starting a line clears nothing.
///
/// It also remembers where walks died. Reading on from edge `at` depends only on `at` and the
/// blur (with `after_narrow`) it is reached with: the pitch a character is held to is that of
/// the character before it, which sits at fixed edges. So a walk that reached a state from
/// which an earlier walk ran into an unreadable character, a misplaced start or a bad stop
/// ends there. Without this, every start on a long periodic run walked the whole run: steps
/// grew with the square of the line (19.7 million characters walked scanning a fuzzed 5376 x 46
/// picture for Code 128 with try-harder, 0.44 s).
#[derive(Debug, Default)]
struct Memo {
    slots: Vec<u32>,
    /// Per band and edge: the line's generation where a walk reached with that blur died.
    dead: Vec<u32>,
    /// The states of the walk under way (`decode_from`), buried if it dies.
    path: Vec<(Blur, usize)>,
    /// Characters walked and edges met, over the reader's life: the work bound's test.
    #[cfg(test)]
    walked: u64,
    #[cfg(test)]
    edges_met: u64,
    /// Each band's templates (`templates`).
    tables: Vec<Templates>,
    /// The band of each blur (`Blur::key`) on the current line, `NO_BAND` until met.
    bands: [u8; 2 * BLUR_STEPS],
    used: usize,
    edges: usize,
    generation: u32,
}

const NO_CHARACTER: u8 = u8::MAX;
const NO_BAND: u8 = u8::MAX;

impl Memo {
    /// Forgets every read, for a list of `edges` edges.
    fn start_line(&mut self, edges: usize) {
        self.generation = (self.generation + 1) & 0x00ff_ffff;
        if self.generation == 0 {
            // Wrapped: old slots could look current.
            self.slots.fill(0);
            self.dead.fill(0);
            self.generation = 1;
        }
        self.bands = [NO_BAND; 2 * BLUR_STEPS];
        self.used = 0;
        self.edges = edges;
        #[cfg(test)]
        {
            self.edges_met += edges as u64;
        }
    }

    /// The band of `blur` on this line, given its templates and slots when first met.
    fn band(&mut self, blur: Blur) -> usize {
        let band = &mut self.bands[blur.key()];
        if *band == NO_BAND {
            *band = self.used as u8;
            if self.tables.len() <= self.used {
                self.tables.push([[0.0; 5]; 107]);
            }
            self.tables[self.used] = templates(blur);
            self.used += 1;
            let needed = self.used * self.edges;
            if self.slots.len() < needed {
                self.slots.resize(needed, 0);
                self.dead.resize(needed, 0);
            }
        }
        usize::from(*band)
    }

    /// Whether a walk that reached edge `at` with `blur` died further on.
    fn is_dead(&self, blur: Blur, at: usize) -> bool {
        let band = self.bands[blur.key()];
        band != NO_BAND
            && self.dead.get(usize::from(band) * self.edges + at) == Some(&self.generation)
    }

    /// Marks every state of the walk under way as leading nowhere. A state whose blur has no
    /// band yet was refused before any character was read under that blur (its pitch did not
    /// follow); refusing it again costs less than a band, so it is left unmarked.
    fn bury_path(&mut self) {
        for &(blur, at) in &self.path {
            let band = self.bands[blur.key()];
            if band == NO_BAND {
                continue;
            }
            if let Some(slot) = self.dead.get_mut(usize::from(band) * self.edges + at) {
                *slot = self.generation;
            }
        }
        self.path.clear();
    }

    /// The character read at edge `at` under `blur`, reading it with `read` (given the blur's
    /// templates) the first time.
    fn get_or(&mut self, blur: Blur, at: usize, read: impl FnOnce(&Templates) -> u8) -> Option<u8> {
        if at >= self.edges {
            return None;
        }
        let band = self.band(blur);
        let generation = self.generation;
        let slot = self.slots.get_mut(band * self.edges + at)?;
        if *slot >> 8 != generation {
            *slot = generation << 8 | u32::from(read(&self.tables[band]));
        }
        Some(*slot as u8)
    }
}

/// Tries every falling edge as the start of a symbol. `edges[2k]` are falling edges.
fn decode_edges(
    edges: &[f32],
    line_len: f32,
    out: &mut LineRead,
    saw_start: &mut bool,
    memo: &mut Memo,
) -> bool {
    memo.start_line(edges.len());
    let mut start = 0;
    while start + 26 <= edges.len() {
        if decode_from(edges, start, line_len, out, saw_start, memo) {
            return true;
        }
        start += 2;
    }
    // `decode_from` matches start characters only after a quiet zone; whether the line shows
    // one anywhere still decides whether the other edge estimators get a try (a start they
    // place differently may then have its quiet zone). The first match ends the search.
    if !*saw_start {
        *saw_start = (0..edges.len().saturating_sub(25))
            .step_by(2)
            .any(|at| start_at(edges, at, memo).is_some());
    }
    false
}

/// Decodes a symbol whose start character begins at falling edge `start`.
fn decode_from(
    edges: &[f32],
    start: usize,
    line_len: f32,
    out: &mut LineRead,
    saw_start: &mut bool,
    memo: &mut Memo,
) -> bool {
    // The quiet zone first: it needs two subtractions, and most edges of a line of text or
    // clutter have none, so the start character is matched at few of them (`decode_edges`
    // still notes a start without one).
    let Some(&start_to) = edges.get(start + 6) else {
        return false;
    };
    if !quiet(edges, start, (start_to - edges[start]) / 11.0) {
        return false;
    }
    let Some((first, pitch)) = start_at(edges, start, memo) else {
        return false;
    };
    *saw_start = true;
    out.values.clear();
    out.values.push(first);
    // The start character's pattern is known: how far it is blurred tells how to read the rest.
    let mut blur = measure(edges, start).map_or(Blur::NONE, |m| Blur::fitted(first, m.e));
    let mut at = start + 6;
    let mut last_pitch = pitch;
    // Everything up to the stop's trailing quiet zone follows from the state a walk reaches
    // (`Memo`); the checksum and the length depend on the start, so those failures bury nothing.
    memo.path.clear();
    loop {
        if memo.is_dead(blur, at) {
            memo.bury_path();
            return false;
        }
        memo.path.push((blur, at));
        #[cfg(test)]
        {
            memo.walked += 1;
        }
        let Some((value, pitch)) = character_at(edges, at, Some((last_pitch, blur)), memo) else {
            memo.bury_path();
            return false;
        };
        blur.after_narrow = PATTERNS[value as usize][5] == 1;
        out.values.push(value);
        if value == STOP {
            break;
        }
        if value >= START_A {
            memo.bury_path();
            return false;
        }
        last_pitch = pitch;
        at += 6;
    }
    // The stop character's seventh element: a 2-module bar, then the trailing quiet zone.
    let Some(end) = stop_end(edges, at, last_pitch / 11.0, line_len) else {
        memo.bury_path();
        return false;
    };
    // Start, at least one data character, check character, stop.
    let n = out.values.len();
    if n < 4 {
        return false;
    }
    let check = out.values[n - 2];
    let sum = out.values[..n - 2]
        .iter()
        .enumerate()
        .map(|(i, &v)| i.max(1) as u32 * u32::from(v))
        .sum::<u32>();
    if sum % 103 != u32::from(check) {
        return false;
    }
    out.from = edges[start];
    out.to = end;
    true
}

/// Where the stop character at edge `at` ends, if it ends as one must: its seventh element, a
/// 2-module bar, then the trailing quiet zone.
fn stop_end(edges: &[f32], at: usize, module: f32, line_len: f32) -> Option<f32> {
    let (&bar_from, &bar_to) = (edges.get(at + 6)?, edges.get(at + 7)?);
    let bar = bar_to - bar_from;
    if !(0.8 * module..=3.5 * module).contains(&bar) {
        return None;
    }
    let quiet = match edges.get(at + 8) {
        Some(&e) => e - bar_to >= QUIET_MODULES * module,
        None => line_len - bar_to >= BORDER_MODULES * module,
    };
    quiet.then_some(bar_to)
}

/// The start character (A, B or C) at falling edge `at`, and its width in pixels.
fn start_at(edges: &[f32], at: usize, memo: &mut Memo) -> Option<(u8, f32)> {
    character_at(edges, at, None, memo).filter(|&(v, _)| (START_A..=START_C).contains(&v))
}

/// The symbol character whose six elements start at falling edge `at`, and its width in
/// pixels. `previous` is the width of the character before it: pitch may drift with
/// perspective but not jump.
fn character_at(
    edges: &[f32],
    at: usize,
    previous: Option<(f32, Blur)>,
    memo: &mut Memo,
) -> Option<(u8, f32)> {
    let m = measure(edges, at)?;
    let Some((p, blur)) = previous else {
        // A start character: searched among the three starts only, once per start edge.
        return Some((nearest(m.e, m.bars, START_A..STOP, &SHARP)?, m.pitch));
    };
    if !(0.75 * p..=1.33 * p).contains(&m.pitch) {
        return None;
    }
    let value = memo.get_or(blur, at, |t| {
        nearest(m.e, m.bars, 0..STOP + 1, t).unwrap_or(NO_CHARACTER)
    })?;
    (value != NO_CHARACTER).then_some((value, m.pitch))
}

/// The six elements starting at edge `at`, measured in modules of their own width.
struct Measured {
    /// Width in pixels (11 modules).
    pitch: f32,
    /// Edge-to-similar-edge distances: leading edge of element i to that of element i + 2.
    e: [f32; 4],
    /// Total width of the three bars.
    bars: f32,
}

fn measure(edges: &[f32], at: usize) -> Option<Measured> {
    let e = edges.get(at..at + 7)?;
    let pitch = e[6] - e[0];
    if pitch <= 0.0 {
        return None;
    }
    let scale = 11.0 / pitch;
    Some(Measured {
        pitch,
        e: [0, 1, 2, 3].map(|i| (e[i + 2] - e[i]) * scale),
        bars: (e[1] - e[0] + e[3] - e[2] + e[5] - e[4]) * scale,
    })
}

/// The character whose e-distances are nearest the measured ones (least squares), if near
/// enough: blur shifts the edges of narrow elements by up to half a module in ways no
/// rounding undoes, while the nearest of the 107 patterns is still the right one (the check
/// character and a second scan line catch the rest). Ties, from pairs of characters with
/// equal e-distances, go to the one whose total bar width is closer.
fn nearest(e: [f32; 4], bars: f32, candidates: std::ops::Range<u8>, t: &Templates) -> Option<u8> {
    let mut best: Option<(u8, f32)> = None;
    for v in candidates {
        let miss = e_miss(v, e, t) + 0.01 * (t[v as usize][4] - bars).abs();
        if best.is_none_or(|(_, m)| miss < m) {
            best = Some((v, miss));
        }
    }
    best.filter(|&(_, miss)| miss < MAX_MISS).map(|(v, _)| v)
}

/// Squared distance between measured e-distances and character `v`'s template.
fn e_miss(v: u8, measured: [f32; 4], t: &Templates) -> f32 {
    t[v as usize][..4]
        .iter()
        .zip(measured)
        .map(|(&k, m)| (k - m).powi(2))
        .sum()
}

/// What each character measures under a blur: its four e-distances, then its bar total.
type Templates = [[f32; 5]; 107];

/// The templates of a sharp symbol.
static SHARP: Templates = templates(Blur::NONE);

const fn templates(blur: Blur) -> Templates {
    let mut t = [[0.0; 5]; 107];
    let half = blur.half_delta();
    let shift = &BLUR_SHIFT[blur.after_narrow as usize];
    let mut v = 0;
    while v < 107 {
        let p = &PATTERNS[v];
        let mut i = 0;
        while i < 4 {
            t[v][i] = (p[i] + p[i + 1]) as f32 + half * shift[v][i] as f32;
            i += 1;
        }
        t[v][4] = (p[0] + p[2] + p[4]) as f32;
        v += 1;
    }
    t
}

fn e_distances(p: &[u8; 6]) -> [u8; 4] {
    [p[0] + p[1], p[1] + p[2], p[2] + p[3], p[3] + p[4]]
}

/// How blur moves a character's e-distances. Where a module is two pixels or less, blur
/// spreads each one-module element (bar or space) into its neighbours: its edges, placed at
/// the steepest slope between the blurred extrema, sit about `delta / 2` module further out
/// each, so it measures `1 + delta` modules and its neighbours less (a 2.2-pixel module
/// measured `delta` = 0.4-0.6). Unlike ink spread, this does not cancel in the e-distances:
/// [1, 2, 1, 2, 4, 1] (value 82) measures [2.8, 2.9, 3.1, 5.4], nearer [2, 1, 2, 1, 4, 1]'s
/// [3, 3, 3, 5] than its own [3, 3, 3, 6]. `BLUR_SHIFT[n][v]`: the change of each e-distance
/// of value `v`, in units of `delta / 2`, when the element before it is one module (`n` = 1) or
/// not; an edge moves out of every one-module element beside it.
static BLUR_SHIFT: [[[i8; 4]; 107]; 2] = blur_shifts();

const fn blur_shifts() -> [[[i8; 4]; 107]; 2] {
    let mut table = [[[0i8; 4]; 107]; 2];
    let mut prev = 0;
    while prev < 2 {
        let mut v = 0;
        while v < 107 {
            let p = PATTERNS[v];
            // Edge j lies between element j - 1 (the one before the character for j = 0) and j.
            let mut shift = [0i8; 6];
            let mut j = 0;
            while j < 6 {
                let before_narrow = if j == 0 { prev == 1 } else { p[j - 1] == 1 };
                shift[j] = before_narrow as i8 - (p[j] == 1) as i8;
                j += 1;
            }
            let mut i = 0;
            while i < 4 {
                table[prev][v][i] = shift[i + 2] - shift[i];
                i += 1;
            }
            v += 1;
        }
        prev += 1;
    }
    table
}

/// The blur a line's characters are matched under: `delta` in tenths of a module (`BLUR_STEPS`
/// values from `MIN_BLUR`), and whether the element before the character is one module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Blur {
    step: u8,
    after_narrow: bool,
}

/// Blur is fitted from -0.2 to +0.9 module, in tenths.
const MIN_BLUR: i32 = -2;
const BLUR_STEPS: usize = 12;

impl Blur {
    /// No blur correction (`delta` = 0).
    const NONE: Blur = Blur {
        step: (-MIN_BLUR) as u8,
        after_narrow: false,
    };

    /// Half of `delta`, in modules.
    const fn half_delta(self) -> f32 {
        (self.step as i32 + MIN_BLUR) as f32 / 20.0
    }

    /// The blur that best explains a start character's measured e-distances (least squares
    /// over its known pattern; a quiet zone precedes it), rounded to a tenth of a module.
    fn fitted(start: u8, measured: [f32; 4]) -> Blur {
        let shift = BLUR_SHIFT[0][start as usize];
        let known = e_distances(&PATTERNS[start as usize]);
        let (mut num, mut den) = (0.0, 0.0);
        for i in 0..4 {
            let k = f32::from(shift[i]);
            num += k * (measured[i] - f32::from(known[i]));
            den += k * k;
        }
        // delta / 2 = num / den; in tenths of a module: 20 * num / den.
        let tenths = if den > 0.0 {
            (20.0 * num / den).round() as i32
        } else {
            0
        };
        Blur {
            step: (tenths.clamp(MIN_BLUR, MIN_BLUR + BLUR_STEPS as i32 - 1) - MIN_BLUR) as u8,
            after_narrow: false,
        }
    }

    /// A number per blur, below `2 * BLUR_STEPS`.
    fn key(self) -> usize {
        usize::from(self.step) * 2 + usize::from(self.after_narrow)
    }
}

/// The text of a checked symbol (values from start to stop), as rxing reports Code 128: FNC1
/// dropped, FNC4 shifting to ISO 8859-1, Shift for one character.
fn text_of(values: &[u8]) -> Option<String> {
    let (&start, rest) = values.split_first()?;
    let data = rest.get(..rest.len().checked_sub(2)?)?;
    let mut set = match start {
        START_A => CODE_A,
        105 => CODE_C,
        _ => CODE_B,
    };
    let mut text = String::with_capacity(2 * data.len());
    let (mut upper_once, mut upper_lock) = (false, false);
    let mut shifted: Option<u8> = None;
    for &v in data {
        let current = shifted.take().unwrap_or(set);
        let high = if upper_once != upper_lock { 128u32 } else { 0 };
        match current {
            CODE_C => match v {
                0..=99 => {
                    text.push(char::from(b'0' + v / 10));
                    text.push(char::from(b'0' + v % 10));
                }
                CODE_B => set = CODE_B,
                CODE_A => set = CODE_A,
                FNC1 => {}
                _ => return None,
            },
            _ => {
                let is_a = current == CODE_A;
                let ascii = match (is_a, v) {
                    (true, 0..=63) => Some(u32::from(v) + 32),
                    (true, 64..=95) => Some(u32::from(v) - 64),
                    (false, 0..=95) => Some(u32::from(v) + 32),
                    _ => None,
                };
                if let Some(a) = ascii {
                    text.push(char::from_u32(a + high)?);
                    upper_once = false;
                    continue;
                }
                match v {
                    // FNC4 is value 101 in set A and 100 in set B.
                    101 if is_a => fnc4(&mut upper_once, &mut upper_lock),
                    100 if !is_a => fnc4(&mut upper_once, &mut upper_lock),
                    SHIFT => shifted = Some(if is_a { CODE_B } else { CODE_A }),
                    CODE_C => set = CODE_C,
                    CODE_A | CODE_B => set = v,
                    // FNC1, FNC2, FNC3: no text.
                    _ => {}
                }
            }
        }
    }
    (!text.is_empty()).then_some(text)
}

/// FNC4 once: the next character is ISO 8859-1's upper half; twice in a row: all of them.
fn fnc4(once: &mut bool, lock: &mut bool) {
    if *once {
        *lock = !*lock;
        *once = false;
    } else {
        *once = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{render, RenderOptions, Symbology};

    #[test]
    fn the_table_is_code_128s() {
        for (v, p) in PATTERNS.iter().enumerate() {
            let sum: u8 = p.iter().sum();
            let bars = p[0] + p[2] + p[4];
            assert_eq!(sum, 11, "value {v} spans 11 modules");
            // Every character has an even number of bar modules (the symbology's parity).
            assert_eq!(bars % 2, 0, "value {v} bar parity");
        }
        // The e-distances plus the bar total identify every character.
        for (v, p) in PATTERNS.iter().enumerate() {
            let bars = f32::from(p[0] + p[2] + p[4]);
            let e = e_distances(p).map(f32::from);
            assert_eq!(
                nearest(e, bars, 0..STOP + 1, &SHARP),
                Some(v as u8),
                "value {v}"
            );
        }
    }

    /// `text` as Code 128 modules (with a 10-module quiet zone each side): true where dark.
    fn module_row(text: &str) -> Vec<bool> {
        let opts = RenderOptions {
            module_px: 1,
            quiet_zone_modules: 10,
            bar_height_px: 1,
        };
        let bmp = render(text, Symbology::Code128, opts).expect("renders");
        let modules = bmp.width as usize;
        let mid_row = (bmp.height as usize / 2) * modules;
        bmp.pixels[mid_row..mid_row + modules]
            .iter()
            .map(|&p| p < 128)
            .collect()
    }

    /// Renders `text` at `module` pixels per module (fractional), blurred with a box of
    /// `blur` pixels, on a mid-grey background with a white quiet zone, `height` rows.
    fn draw(text: &str, module: f32, blur: usize, contrast: (u8, u8)) -> (Vec<u8>, usize, usize) {
        let dark = module_row(text);
        let modules = dark.len();
        let width = (modules as f32 * module) as usize + 40;
        let height = 24;
        let (ink, paper) = contrast;
        // Each pixel averages the modules it covers, as a camera's sensor does.
        let dark_at = |m: isize| m >= 0 && (m as usize) < modules && dark[m as usize];
        let mut row: Vec<u8> = (0..width)
            .map(|x| {
                let (from, to) = ((x as f32 - 20.0) / module, (x as f32 - 19.0) / module);
                let mut ink_share = 0.0;
                let mut m = from.floor();
                while m < to {
                    let covered = (to.min(m + 1.0) - from.max(m)).max(0.0);
                    if dark_at(m as isize) {
                        ink_share += covered;
                    }
                    m += 1.0;
                }
                let ink_share = ink_share / (to - from);
                (f32::from(paper) + (f32::from(ink) - f32::from(paper)) * ink_share).round() as u8
            })
            .collect();
        if blur > 1 {
            let src = row.clone();
            for (x, v) in row.iter_mut().enumerate() {
                let from = x.saturating_sub(blur / 2);
                let to = (x + blur / 2).min(width - 1);
                let s: u32 = src[from..=to].iter().map(|&p| u32::from(p)).sum();
                *v = (s / (to - from + 1) as u32) as u8;
            }
        }
        (row.repeat(height), width, height)
    }

    /// A 5376 x 46 picture from the image fuzz target (`tests/data/fuzz`): its rows read as long
    /// runs of valid characters from thousands of starts, and every start walked its run to the
    /// end until walks shared where they die (a Code 128 scan took 0.42 s with try-harder, 0.16 s
    /// without; a fuzz run under load counted it past the 5 s budget). Here: 1.5 million
    /// characters walked for 0.89 million edges before, 79 thousand after; the bound of half a
    /// character per edge lies between.
    #[cfg(feature = "image-decoding")]
    #[test]
    fn walks_on_a_periodic_line_grow_with_the_line_not_its_square() {
        let bytes = include_bytes!("../../tests/data/fuzz/wide-periodic-5376x46.jpg");
        let image = crate::scan::decode_luma(bytes).expect("the fuzzed JPEG decodes");
        let (w, h) = (image.width as usize, image.height as usize);
        assert_eq!((w, h), (5376, 46));
        let mut reader = Code128Reader::new(true);
        for along_columns in [false, true] {
            assert_eq!(reader.read(&image.pixels, w, h, along_columns, true), None);
        }
        let (walked, edges) = (reader.memo.walked, reader.memo.edges_met);
        assert!(edges > 100_000, "{edges} edges met");
        assert!(
            2 * walked <= edges,
            "{walked} characters walked for {edges} edges"
        );
    }

    fn read(luma: &[u8], w: usize, h: usize) -> Option<String> {
        Code128Reader::default()
            .read(luma, w, h, false, false)
            .map(|c| c.text)
    }

    #[test]
    fn reads_pay_codes_at_two_pixels_per_module_and_with_blur() {
        for (module, blur) in [(2.0, 0), (2.3, 2), (3.1, 3), (4.7, 4), (1.6, 0)] {
            let (img, w, h) = draw("284712390547719623", module, blur, (30, 220));
            assert_eq!(
                read(&img, w, h).as_deref(),
                Some("284712390547719623"),
                "module {module} blur {blur}"
            );
        }
    }

    /// Under a blur of 1.5 modules, edges placed between the blurred extrema make every
    /// one-module element measure about 1.4 modules: without the blur fitted from the start
    /// character (`Blur`), characters one module apart in their last e-distance swap (the
    /// pay codes below read nothing at 1.8 and 2 pixels per module).
    #[test]
    fn reads_pay_codes_whose_narrow_elements_blur_wider() {
        for text in [
            "288088186815971982",
            "284712390547719623",
            "134389748971280150",
        ] {
            for module in [1.8, 2.0] {
                let (img, w, h) = draw(text, module, 3, (30, 220));
                assert_eq!(
                    read(&img, w, h).as_deref(),
                    Some(text),
                    "{text} module {module}"
                );
            }
        }
    }

    /// The blur fitted from a start character is the one it was drawn with.
    #[test]
    fn the_blur_fit_recovers_a_start_characters_blur() {
        for start in START_A..=START_C {
            for tenths in [0i32, 3, 6] {
                let t = templates(Blur {
                    step: (tenths - MIN_BLUR) as u8,
                    after_narrow: false,
                });
                let e = [0, 1, 2, 3].map(|i| t[start as usize][i]);
                let fitted = Blur::fitted(start, e);
                assert_eq!(i32::from(fitted.step) + MIN_BLUR, tenths, "start {start}");
            }
        }
    }

    /// A distant pay code is only a few rows tall on a camera frame: one of the spaced scan
    /// lines crosses it, and the lines just beside that one confirm the read.
    #[test]
    fn a_symbol_crossed_by_one_spaced_line_is_confirmed_beside_it() {
        let text = "284712390547719623";
        let (strip, sw, sh) = draw(text, 3.0, 0, (30, 220));
        let (w, h) = (sw + 40, 1280);
        let mut img = vec![200u8; w * h];
        // Rows 598-621: the spaced lines (every 32 rows from the middle, 640) meet it at 608.
        for r in 0..sh {
            img[(598 + r) * w + 20..(598 + r) * w + 20 + sw]
                .copy_from_slice(&strip[r * sw..(r + 1) * sw]);
        }
        assert_eq!(read(&img, w, h).as_deref(), Some(text));
    }

    #[test]
    fn reads_every_code_set_and_upside_down() {
        for text in [
            "HUTONG-128 pay",
            "abc123XYZ",
            "0012345678905",
            "A",
            "\u{1d}x\t",
        ] {
            let (img, w, h) = draw(text, 2.5, 2, (40, 200));
            assert_eq!(read(&img, w, h).as_deref(), Some(text), "{text}");
            let flipped: Vec<u8> = img
                .chunks_exact(w)
                .flat_map(|r| r.iter().rev().copied())
                .collect();
            assert_eq!(
                read(&flipped, w, h).as_deref(),
                Some(text),
                "{text} mirrored"
            );
        }
    }

    #[test]
    fn reads_columns_when_the_bars_run_along_rows() {
        let (img, w, h) = draw("6271829300450012", 3.0, 2, (20, 230));
        let mut t = vec![0u8; w * h];
        for y in 0..h {
            for x in 0..w {
                t[x * h + y] = img[y * w + x];
            }
        }
        let found = Code128Reader::default().read(&t, h, w, true, false);
        assert_eq!(found.map(|c| c.text).as_deref(), Some("6271829300450012"));
    }

    /// `text` as a symbol `bar_modules` high turned by `degrees` (its bars leaning that much
    /// from vertical) in the middle of a `width` x `height` image, 3x3 supersampled, on a
    /// grey ground with stripes below it.
    fn draw_turned(
        text: &str,
        module: f32,
        degrees: f32,
        bar_modules: f32,
        (width, height): (usize, usize),
    ) -> Vec<u8> {
        let dark = module_row(text);
        let modules = dark.len();
        let (s, c) = degrees.to_radians().sin_cos();
        let (cx, cy) = (width as f32 / 2.0, height as f32 / 2.0);
        let mut img = vec![0u8; width * height];
        for y in 0..height {
            for x in 0..width {
                let mut sum = 0.0f32;
                for sy in 0..3 {
                    for sx in 0..3 {
                        let px = x as f32 + (sx as f32 + 0.5) / 3.0 - cx;
                        let py = y as f32 + (sy as f32 + 0.5) / 3.0 - cy;
                        let u = (px * c + py * s) / module + modules as f32 / 2.0;
                        let v = (-px * s + py * c) / module;
                        sum += if v.abs() > bar_modules / 2.0 || u < 0.0 || u >= modules as f32 {
                            // Ground: grey with dark diagonal stripes.
                            if (x + 2 * y) % 23 < 3 {
                                60.0
                            } else {
                                150.0
                            }
                        } else if dark[u as usize] {
                            35.0
                        } else {
                            215.0
                        };
                    }
                }
                img[y * width + x] = (sum / 9.0).round() as u8;
            }
        }
        img
    }

    #[test]
    fn reads_symbols_turned_up_to_forty_degrees() {
        let text = "284712390547719623";
        for (degrees, module) in [
            (12.0, 3.0),
            (-20.0, 2.6),
            (28.0, 3.2),
            (-35.0, 3.0),
            (40.0, 3.4),
        ] {
            let (w, h) = (640, 400);
            let img = draw_turned(text, module, degrees, 36.0, (w, h));
            let found = Code128Reader::default().read(&img, w, h, false, false);
            let code = found.unwrap_or_else(|| panic!("{degrees} degrees, module {module}"));
            assert_eq!(code.text, text, "{degrees} degrees");
            // The reported line ends lie on the symbol (within its quiet zones).
            for (x, y) in code.corners {
                let (px, py) = (x - w as f32 / 2.0, y - h as f32 / 2.0);
                let (s, c) = degrees.to_radians().sin_cos();
                let (u, v) = ((px * c + py * s) / module, (-px * s + py * c) / module);
                assert!(
                    u.abs() < 90.0 && v.abs() < 19.0,
                    "{degrees}: corner {x},{y}"
                );
            }
            // The same image transposed, read along columns.
            let t: Vec<u8> = (0..w * h).map(|i| img[(i % h) * w + i / h]).collect();
            let found = Code128Reader::default().read(&t, h, w, true, false);
            assert_eq!(
                found.map(|c| c.text).as_deref(),
                Some(text),
                "{degrees} cols"
            );
        }
    }

    /// A row drawn straight from symbol values (start to stop), 3 pixels per module.
    fn draw_values(values: &[u8]) -> (Vec<u8>, usize, usize) {
        let mut row = vec![220u8; 60];
        for &v in values {
            for (i, &w) in PATTERNS[v as usize].iter().enumerate() {
                let colour = if i % 2 == 0 { 30 } else { 220 };
                row.extend(std::iter::repeat_n(colour, 3 * w as usize));
            }
        }
        row.extend([30u8; 6]); // the stop character's final bar
        row.extend([220u8; 60]);
        let w = row.len();
        (row.repeat(12), w, 12)
    }

    #[test]
    fn a_wrong_check_character_or_a_cut_symbol_reads_nothing() {
        // Start C, 12 34 56, check (105 + 12 + 2*34 + 3*56) % 103 = 44, stop.
        let good = [105u8, 12, 34, 56, 44, 106];
        let (img, w, h) = draw_values(&good);
        assert_eq!(read(&img, w, h).as_deref(), Some("123456"));
        let (img, w, h) = draw_values(&[105, 12, 34, 56, 45, 106]);
        assert_eq!(read(&img, w, h), None, "wrong check character");
        let (img, w, h) = draw_values(&[105, 34, 12, 56, 44, 106]);
        assert_eq!(read(&img, w, h), None, "swapped data characters");
        // Cut the right third away (stop and check character gone).
        let (mut img, w, h) = draw("284712390547719623", 3.0, 0, (30, 220));
        for row in img.chunks_exact_mut(w) {
            row[w * 2 / 3..].fill(220);
        }
        assert_eq!(read(&img, w, h), None);
    }

    #[test]
    fn text_follows_code_sets_shift_and_fnc4() {
        // Start B "Ca", FNC4 + 'i' (233 = e acute), Code C "07", Code A "\t", Shift 'z' in B.
        let values = [104, 35, 65, 100, 73, 99, 7, 101, 73, 98, 90, 0, 106];
        assert_eq!(text_of(&values).as_deref(), Some("Caé07\tz"));
        // Start A with FNC4 twice: every following character in the upper half until FNC4 twice again.
        let values = [103, 101, 101, 33, 34, 101, 101, 33, 0, 106];
        assert_eq!(text_of(&values).as_deref(), Some("ÁÂA"));
        // FNC1 (GS1) carries no text; a symbol of only FNC1 has none.
        assert_eq!(text_of(&[105, 102, 12, 0, 106]).as_deref(), Some("12"));
        assert_eq!(text_of(&[105, 102, 0, 106]), None);
        assert_eq!(text_of(&[105, 106]), None);
    }

    #[test]
    fn noise_textures_and_tiny_images_read_nothing() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        };
        for (w, h) in [(640usize, 360usize), (1, 1), (17, 3), (300, 1)] {
            let img: Vec<u8> = (0..w * h).map(|_| next()).collect();
            assert_eq!(read(&img, w, h), None);
            assert_eq!(Code128Reader::default().read(&img, w, h, true, true), None);
        }
        // Stripes of random widths: bar-like, never a valid symbol.
        let row: Vec<u8> = (0..2000)
            .map(|x| if (x / (2 + x % 7)) % 2 == 0 { 20 } else { 230 })
            .collect();
        assert_eq!(read(&row.repeat(8), 2000, 8), None);
        // Light bars on a dark ground only with `also_inverted`.
        let (img, w, h) = draw("284712390547719623", 3.0, 1, (220, 30));
        assert_eq!(read(&img, w, h), None);
        let found = Code128Reader::new(true).read(&img, w, h, false, false);
        assert_eq!(found.map(|c| c.text).as_deref(), Some("284712390547719623"));
        // A slice shorter than the size says.
        assert_eq!(
            Code128Reader::default().read(&[0; 10], 100, 100, false, false),
            None
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Any bytes, any size (including slices shorter than the size says), any direction:
        /// no panic, and nothing read from random pixels.
        #[test]
        fn arbitrary_images_never_panic(
            w in 0usize..90,
            h in 0usize..40,
            cols in proptest::bool::ANY,
            dense in proptest::bool::ANY,
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..3600),
        ) {
            let found = Code128Reader::new(true).read(&bytes, w, h, cols, dense);
            proptest::prop_assert!(found.is_none());
        }

        /// Bar-like lines: random runs of 1-4 pixels, dark and light, repeated on every row.
        #[test]
        fn random_bar_runs_never_panic(runs in proptest::collection::vec(1usize..5, 0..400)) {
            let mut row = Vec::new();
            for (i, r) in runs.iter().enumerate() {
                row.extend(std::iter::repeat_n(if i % 2 == 0 { 20u8 } else { 230 }, *r));
            }
            let w = row.len();
            let img = row.repeat(6);
            let _ = Code128Reader::new(true).read(&img, w, 6, false, true);
        }
    }
}
