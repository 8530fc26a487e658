//! The long-lived [`Scanner`]: one per camera session, shared across frames.
use super::code::{ScanStats, ScannedCode};
use super::engine::{FoundCode, Passes};
use super::image::{decode_luma, ImageError, LumaImage};
use super::options::ScanOptions;
use super::still::{Picture, StillPass, RETRIES};
use super::worker::{Job, RunResult, Verdict, Worker};
use crate::frame::{Frame, MAX_PIXELS, MAX_SIDE};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

/// Abandoned decoder threads allowed to linger before new calls are refused outright: a
/// decoder that hangs on every frame must not turn into one leaked thread per frame.
const MAX_STRAY_WORKERS: usize = 2;

#[derive(Default)]
struct Counters {
    frames: AtomicU64,
    frames_with_codes: AtomicU64,
    codes: AtomicU64,
    panics: AtomicU64,
    timeouts: AtomicU64,
    skipped_busy: AtomicU64,
}

struct State {
    worker: Option<Worker>,
    /// The luma buffer, handed to the worker and back on every call.
    spare: Vec<u8>,
}

/// Decodes codes from camera frames and image files with readers configured once.
pub struct Scanner {
    options: ScanOptions,
    state: Mutex<State>,
    counters: Counters,
    live_workers: Arc<AtomicUsize>,
}

impl Scanner {
    pub fn new(options: ScanOptions) -> Self {
        Scanner {
            options,
            state: Mutex::new(State {
                worker: None,
                spare: Vec::new(),
            }),
            counters: Counters::default(),
            live_workers: Arc::new(AtomicUsize::new(0)),
        }
    }

    pub fn options(&self) -> &ScanOptions {
        &self.options
    }

    /// Scans one frame. Never fails: an unreadable frame, a decoder panic or a blown time
    /// budget all give an empty list (see [`Scanner::stats`] for which).
    pub fn scan_frame(&self, frame: &Frame<'_>) -> Vec<ScannedCode> {
        let started = Instant::now();
        let deadline = started + self.options.time_budget;
        let found = self.scan_part(frame, Passes::All, started, deadline);
        self.count_frame(found.len());
        found
    }

    /// Runs `passes` of a camera frame's plan on `frame` (its crop only) by `deadline`,
    /// without counting a frame: a `ScanSession` makes up to two such calls per frame and
    /// counts the frame once ([`Scanner::count_frame`]).
    pub(crate) fn scan_part(
        &self,
        frame: &Frame<'_>,
        passes: Passes,
        started: Instant,
        deadline: Instant,
    ) -> Vec<ScannedCode> {
        let axes_swapped = frame.rotation().swaps_axes();
        let found = self.run(started, deadline, passes, |luma| {
            let (w, h) = frame.copy_roi_luma(luma);
            (w, h, axes_swapped, Picture::Frame)
        });
        found.into_iter().map(|c| to_display(frame, c)).collect()
    }

    /// Counts one frame and the codes returned for it.
    pub(crate) fn count_frame(&self, codes: usize) {
        self.counters.frames.fetch_add(1, Ordering::Relaxed);
        self.count_codes(codes);
    }

    /// Scans a still image (a gallery pick, a file): as it is first, then, if that finds
    /// nothing, turned a quarter, a half and three quarters, then inverted upright and a
    /// quarter turned (`still.rs`; inverted passes are skipped when the options look for
    /// inverted codes anyway). Each pass has the full time budget, so a picture without a code
    /// costs up to six of them; a pass that runs out of time ends the search. Corners are in
    /// the upright image's pixels. Counts as one frame.
    pub fn scan_still(&self, image: &LumaImage) -> Vec<ScannedCode> {
        let started = Instant::now();
        self.counters.frames.fetch_add(1, Ordering::Relaxed);
        let (width, height) = (image.width, image.height);
        let pixels = u64::from(width) * u64::from(height);
        // The same size rules as a camera frame (a `LumaImage` can be built by hand).
        if pixels == 0
            || image.pixels.len() as u64 != pixels
            || width.max(height) > MAX_SIDE
            || pixels > MAX_PIXELS
        {
            return Vec::new();
        }
        let passes = std::iter::once(StillPass::FIRST).chain(
            RETRIES
                .into_iter()
                .filter(|p| !(p.inverted && self.options.also_inverted)),
        );
        let mut found = Vec::new();
        for pass in passes {
            let failures_before = self.failures();
            let deadline = Instant::now() + self.options.time_budget;
            let codes = self.run(started, deadline, Passes::All, |luma| {
                let (w, h) = pass.fill(&image.pixels, width, height, luma);
                let picture = if pass == StillPass::FIRST {
                    Picture::StillFirst
                } else {
                    Picture::StillRetry
                };
                (w, h, false, picture)
            });
            if !codes.is_empty() {
                found = codes
                    .into_iter()
                    .map(|c| ScannedCode {
                        text: c.text,
                        raw_bytes: c.raw_bytes,
                        format: c.format,
                        corners: c.corners.map(|p| pass.to_upright(p, width, height)),
                        decode_ms: c.decode_ms,
                    })
                    .collect();
                break;
            }
            if self.failures() != failures_before {
                break; // out of time or busy: more passes would only pile up
            }
        }
        self.count_codes(found.len());
        found
    }

    /// Hands the luma that `fill` writes to the decoder thread and waits at most until
    /// `deadline`. Failures are counted and give an empty list.
    fn run(
        &self,
        started: Instant,
        deadline: Instant,
        passes: Passes,
        fill: impl FnOnce(&mut Vec<u8>) -> (u32, u32, bool, Picture),
    ) -> Vec<FoundCode> {
        // A panic while holding the lock can only come from our own bookkeeping; the state
        // stays usable, so a poisoned lock is simply taken over.
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.worker.is_none() {
            let strays = self.live_workers.load(Ordering::SeqCst);
            if strays >= MAX_STRAY_WORKERS {
                self.counters.skipped_busy.fetch_add(1, Ordering::Relaxed);
                return Vec::new();
            }
            state.worker = Worker::spawn(&self.options, &self.live_workers);
        }
        let mut luma = std::mem::take(&mut state.spare);
        let (width, height, axes_swapped, still) = fill(&mut luma);
        let job = Job {
            luma,
            width,
            height,
            axes_swapped,
            still,
            passes,
            started,
            deadline,
        };
        let result = match state.worker.as_ref() {
            Some(worker) => worker.run(job),
            None => RunResult::Lost,
        };
        match result {
            RunResult::Done { verdict, luma } => {
                state.spare = luma;
                match verdict {
                    Verdict::Codes(codes) => codes,
                    Verdict::Panicked => {
                        self.counters.panics.fetch_add(1, Ordering::Relaxed);
                        Vec::new()
                    }
                    Verdict::OutOfTime => {
                        self.counters.timeouts.fetch_add(1, Ordering::Relaxed);
                        Vec::new()
                    }
                }
            }
            RunResult::TimedOut => {
                state.worker = None;
                self.counters.timeouts.fetch_add(1, Ordering::Relaxed);
                Vec::new()
            }
            RunResult::Lost => {
                state.worker = None;
                self.counters.panics.fetch_add(1, Ordering::Relaxed);
                Vec::new()
            }
        }
    }

    /// Passes that ended without an answer: timeouts, panics, refusals while busy.
    fn failures(&self) -> u64 {
        let c = &self.counters;
        c.timeouts.load(Ordering::Relaxed)
            + c.panics.load(Ordering::Relaxed)
            + c.skipped_busy.load(Ordering::Relaxed)
    }

    fn count_codes(&self, codes: usize) {
        if codes > 0 {
            self.counters
                .frames_with_codes
                .fetch_add(1, Ordering::Relaxed);
            self.counters
                .codes
                .fetch_add(codes as u64, Ordering::Relaxed);
        }
    }

    /// Decodes an image file and scans it as a still image ([`Scanner::scan_still`]: every
    /// quarter turn and both polarities when the image as it is shows nothing).
    ///
    /// The file is untrusted and every cost is bounded before it is paid (see
    /// [`decode_luma`] and docs/adr/0001-frame-and-scan-api.md):
    /// - files over [`MAX_IMAGE_FILE_BYTES`](super::MAX_IMAGE_FILE_BYTES) (32 MiB) are refused unread;
    /// - images over [`MAX_PIXELS`](crate::frame::MAX_PIXELS) (50 M) pixels or
    ///   [`MAX_SIDE`](crate::frame::MAX_SIDE) (16384) per side are refused from their header;
    /// - the decode's peak heap is computed from the headers (the colour type and bit depth
    ///   as stored, 16-bit and alpha included, progressive JPEG coefficients, WebP working
    ///   buffers, and a second luma buffer for a quarter-turn EXIF orientation) and refused
    ///   past [`MAX_DECODE_BYTES`](super::MAX_DECODE_BYTES) (192 MiB) with [`ImageError::MemoryLimit`]. Colour goes to
    ///   8-bit luma before the EXIF orientation is applied, so turning costs 1 byte a pixel;
    /// - decode time is linear in the file and the pixels: PNG and WebP decode in one pass,
    ///   progressive JPEGs are capped at [`MAX_JPEG_SCANS`](super::MAX_JPEG_SCANS) scans and
    ///   [`MAX_JPEG_SCAN_PIXELS`](super::MAX_JPEG_SCAN_PIXELS) scan-pixels ([`ImageError::TooComplex`]);
    /// - a file cut short is [`ImageError::Truncated`], not "no code".
    ///
    /// Scanning then holds the luma and the decoder thread's copy of it (2 bytes a pixel)
    /// plus the scanner's working buffers; tests/image_memory.rs holds the whole call of the
    /// worst files to documented ceilings.
    pub fn decode_image(&self, bytes: &[u8]) -> Result<Vec<ScannedCode>, ImageError> {
        let image = decode_luma(bytes)?;
        Ok(self.scan_still(&image))
    }

    pub fn stats(&self) -> ScanStats {
        let c = &self.counters;
        ScanStats {
            frames: c.frames.load(Ordering::Relaxed),
            frames_with_codes: c.frames_with_codes.load(Ordering::Relaxed),
            codes: c.codes.load(Ordering::Relaxed),
            panics: c.panics.load(Ordering::Relaxed),
            timeouts: c.timeouts.load(Ordering::Relaxed),
            skipped_busy: c.skipped_busy.load(Ordering::Relaxed),
        }
    }
}

fn to_display(frame: &Frame<'_>, code: FoundCode) -> ScannedCode {
    ScannedCode {
        text: code.text,
        raw_bytes: code.raw_bytes,
        format: code.format,
        corners: code.corners.map(|p| frame.roi_point_to_display(p)),
        decode_ms: code.decode_ms,
    }
}
