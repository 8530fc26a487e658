//! A live preview stream: [`ScanSession`] scans its frames one after another and uses what the
//! previous frames found to choose where and how to look in the next one.
//!
//! Two things carry over between frames, and neither is ever reported by itself:
//! - **The track.** Once a frame shows codes, the next frames first scan a full-resolution crop
//!   around where they were (grown by half their size, for hand motion and a phone moving
//!   closer). A code held in the viewfinder is then read from a small crop instead of the
//!   whole frame. A crop that reads nothing drops the track and the frame is searched as
//!   below; every [`WHOLE_FRAME_EVERY`]th tracked frame scans the whole frame instead, so a
//!   second code that comes into view is found.
//! - **The search phase.** Without a track, a large frame gets the scanner's coarse,
//!   matrix-only pass over all of it (the codes a user aims at are read there), and the
//!   full-resolution pass (small and distant codes, linear codes) over one of two overlapping
//!   bands of it, alternating from frame to frame ([`BANDS`]); as in a whole-frame scan, only
//!   the linear readers once the coarse pass has read a matrix code. Two consecutive frames cover
//!   every place at full resolution; each frame pays for a bit over half of it.
//!
//! Every code returned was decoded from the frame of that call: a frame without a code returns
//! nothing however recently one was seen. Time and memory per frame are those of
//! [`Scanner::scan_frame`]: one deadline (the time budget) covers both scans of a frame, the
//! second runs only when the first left time, and the state is a few numbers.
use super::code::{ScanStats, ScannedCode};
use super::engine::{Passes, COARSE_SHORT_SIDE};
use super::options::ScanOptions;
use super::scanner::Scanner;
use crate::frame::{Frame, Rect};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// Tracked frames (read from the crop) between two whole-frame scans.
pub const WHOLE_FRAME_EVERY: u32 = 8;

/// The bands of the display ROI that search frames scan at full resolution, in turn, as
/// (top, bottom) fractions of its height. Full-width rows, so a level linear code is never cut
/// across its bars; they overlap by a fifth, so a small code in the middle, where a user aims,
/// is in both. A code that spans the overlap entirely is at least a fifth of the frame tall,
/// large enough for the coarse pass if it is a matrix code.
pub const BANDS: [(f32, f32); 2] = [(0.0, 0.6), (0.4, 1.0)];

/// How far the crop around a tracked code reaches past it, as a share of its longer side,
/// plus [`TRACK_MARGIN_PX`]: a phone moving closer grows the code by a few percent a frame.
const TRACK_GROWTH: f32 = 0.5;
const TRACK_MARGIN_PX: f32 = 24.0;

/// Where the last codes were, in upright display pixels of the whole frame.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Track {
    x0: f32,
    y0: f32,
    x1: f32,
    y1: f32,
    /// The frame geometry the box belongs to: a new size, rotation or crop drops it.
    geometry: Geometry,
    /// Frames read from the crop since the last whole-frame scan.
    tracked_frames: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Geometry {
    display: (u32, u32),
    roi: Rect,
}

#[derive(Debug, Default)]
struct State {
    track: Option<Track>,
    /// Search frames since the session started or was reset: picks the band.
    searched: u64,
}

/// What a session did on one frame (for benchmarks and tests; the codes are the result).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStep {
    /// Read the crop around the tracked codes.
    Tracked,
    /// Scanned the whole frame with every pass (small frames, `try_harder`, track refresh).
    Whole,
    /// The coarse pass over the whole frame and the full-resolution pass over band `n`.
    Band(usize),
    /// The crop used up the time budget; nothing more was tried.
    OutOfTime,
}

/// Scans the frames of one camera preview stream, in order, with state carried between them
/// (see the module docs). One per stream; [`ScanSession::reset`] when the stream restarts
/// (another screen, the camera reopened). Thread-safe: calls run one after another.
pub struct ScanSession {
    scanner: Arc<Scanner>,
    state: Mutex<State>,
}

impl ScanSession {
    /// A session scanning with `scanner` (shared: its decoder thread, buffers and counters).
    pub fn new(scanner: Arc<Scanner>) -> Self {
        ScanSession {
            scanner,
            state: Mutex::new(State::default()),
        }
    }

    /// A session with its own scanner.
    pub fn with_options(options: ScanOptions) -> Self {
        Self::new(Arc::new(Scanner::new(options)))
    }

    /// The scanner it scans with (options, stats, stateless frames and still images).
    pub fn scanner(&self) -> &Scanner {
        &self.scanner
    }

    /// The scanner's counters: a session frame counts as one frame however many scans it made.
    pub fn stats(&self) -> ScanStats {
        self.scanner.stats()
    }

    /// Forgets the track and the search phase: the next frame is scanned as the first.
    pub fn reset(&self) {
        *self.lock() = State::default();
    }

    /// Scans the next frame of the stream. Returns what [`Scanner::scan_frame`] returns (codes
    /// in upright display coordinates of the whole frame), never fails, and never returns a
    /// code that is not in this frame.
    pub fn scan_frame(&self, frame: &Frame<'_>) -> Vec<ScannedCode> {
        self.scan_frame_step(frame).0
    }

    /// [`ScanSession::scan_frame`], also saying what it did.
    pub fn scan_frame_step(&self, frame: &Frame<'_>) -> (Vec<ScannedCode>, SessionStep) {
        let started = Instant::now();
        let deadline = started + self.scanner.options().time_budget;
        let mut state = self.lock();
        let geometry = geometry(frame);
        let track = state.track.take().filter(|t| t.geometry == geometry);
        let mut step = None;
        let mut codes = Vec::new();
        let mut tried_crop = false;
        if let Some(t) = track.filter(|t| t.tracked_frames < WHOLE_FRAME_EVERY) {
            if let Some(part) = track_crop(&t, geometry.roi).and_then(|c| frame.with_crop(c).ok()) {
                tried_crop = true;
                codes = self
                    .scanner
                    .scan_part(&part, Passes::All, started, deadline);
                if !codes.is_empty() {
                    step = Some(SessionStep::Tracked);
                }
            }
        }
        let step = match step {
            Some(s) => s,
            None if tried_crop && Instant::now() >= deadline => SessionStep::OutOfTime,
            None if track.is_some() || !self.spreads(geometry.roi) => {
                // A refresh, a lost track or a frame too small to split: everything, once.
                codes = self
                    .scanner
                    .scan_part(frame, Passes::All, started, deadline);
                SessionStep::Whole
            }
            None => {
                let band = (state.searched % BANDS.len() as u64) as usize;
                state.searched += 1;
                codes = self.search(frame, geometry.roi, band, started, deadline);
                SessionStep::Band(band)
            }
        };
        state.track = bounding_box(&codes).map(|(x0, y0, x1, y1)| Track {
            x0,
            y0,
            x1,
            y1,
            geometry,
            tracked_frames: match (step, track) {
                (SessionStep::Tracked, Some(t)) => t.tracked_frames + 1,
                _ => 0,
            },
        });
        self.scanner.count_frame(codes.len());
        (codes, step)
    }

    /// The coarse pass over the whole ROI, then, if time is left, the full-resolution pass over
    /// `band` of it: all of it if the coarse pass read nothing, its linear readers if the coarse
    /// pass read fewer than `max_codes` matrix codes.
    fn search(
        &self,
        frame: &Frame<'_>,
        roi: Rect,
        band: usize,
        started: Instant,
        deadline: Instant,
    ) -> Vec<ScannedCode> {
        let mut codes = self
            .scanner
            .scan_part(frame, Passes::CoarseOnly, started, deadline);
        let options = self.scanner.options();
        // As in a whole-frame scan, a matrix code read coarsely still leaves the linear readers
        // their full-resolution look (a payer screen shows a QR and a Code 128).
        let passes = if codes.is_empty() {
            Passes::FullOnly
        } else if codes.len() < options.max_codes && options.formats.iter().any(|f| f.is_linear()) {
            Passes::FullLinearOnly
        } else {
            return codes;
        };
        if Instant::now() >= deadline {
            return codes;
        }
        let (top, bottom) = BANDS[band];
        let y0 = roi.y + (roi.height as f32 * top) as u32;
        let y1 = roi.y + (roi.height as f32 * bottom) as u32;
        let rect = Rect::new(roi.x, y0, roi.width, y1.saturating_sub(y0).max(1));
        if let Ok(part) = frame.with_crop(rect) {
            let more = self.scanner.scan_part(&part, passes, started, deadline);
            codes.extend(more);
            codes.truncate(options.max_codes.max(1));
        }
        codes
    }

    /// Whether frames of this ROI have a coarse pass to run over all of them while the
    /// full-resolution one covers a band (see `Engine::plan`).
    fn spreads(&self, roi: Rect) -> bool {
        let options = self.scanner.options();
        !options.try_harder
            && options.formats.iter().any(|f| !f.is_linear())
            && roi.width.min(roi.height) / COARSE_SHORT_SIDE >= 2
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is plain numbers, consistent after any panic: take a poisoned lock over.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The frame's display size and its ROI in display coordinates (the crop, or all of it).
fn geometry(frame: &Frame<'_>) -> Geometry {
    let display = frame.display_size();
    Geometry {
        display,
        roi: frame
            .crop()
            .unwrap_or_else(|| Rect::new(0, 0, display.0, display.1)),
    }
}

/// The box around every corner of `codes`, or `None` for no codes.
fn bounding_box(codes: &[ScannedCode]) -> Option<(f32, f32, f32, f32)> {
    let points = codes.iter().flat_map(|c| c.corners.iter());
    let mut found = None;
    for p in points.filter(|p| p.x.is_finite() && p.y.is_finite()) {
        let (x0, y0, x1, y1) = found.unwrap_or((p.x, p.y, p.x, p.y));
        found = Some((x0.min(p.x), y0.min(p.y), x1.max(p.x), y1.max(p.y)));
    }
    found
}

/// The crop to read a tracked code from: its box grown by [`TRACK_GROWTH`] of its longer side
/// and [`TRACK_MARGIN_PX`] on every side (a linear code's box is a scan line, so it grows by
/// its length across too), kept inside `roi`. `None` when nothing of it is left inside.
fn track_crop(t: &Track, roi: Rect) -> Option<Rect> {
    let grow = (t.x1 - t.x0).max(t.y1 - t.y0) * TRACK_GROWTH + TRACK_MARGIN_PX;
    let (rx0, ry0) = (roi.x as f32, roi.y as f32);
    let (rx1, ry1) = (rx0 + roi.width as f32, ry0 + roi.height as f32);
    let x0 = (t.x0 - grow).clamp(rx0, rx1).floor();
    let y0 = (t.y0 - grow).clamp(ry0, ry1).floor();
    let x1 = (t.x1 + grow).clamp(rx0, rx1).ceil();
    let y1 = (t.y1 + grow).clamp(ry0, ry1).ceil();
    (x1 - x0 >= 1.0 && y1 - y0 >= 1.0)
        .then(|| Rect::new(x0 as u32, y0 as u32, (x1 - x0) as u32, (y1 - y0) as u32))
}

#[cfg(test)]
mod tests;
