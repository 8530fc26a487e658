//! The long-lived [`Scanner`]: one per camera session, shared across frames.
use super::code::{ScanStats, ScannedCode};
use super::engine::FoundCode;
use super::image::{decode_luma, ImageError};
use super::options::ScanOptions;
use super::worker::{Job, RunResult, Verdict, Worker};
use crate::frame::Frame;
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
        self.counters.frames.fetch_add(1, Ordering::Relaxed);
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
        let (width, height) = frame.copy_roi_luma(&mut luma);
        let job = Job {
            luma,
            width,
            height,
            axes_swapped: frame.rotation().swaps_axes(),
            started,
            deadline,
        };
        let result = match state.worker.as_ref() {
            Some(worker) => worker.run(job),
            None => RunResult::Lost,
        };
        let found = match result {
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
        };
        drop(state);
        if !found.is_empty() {
            self.counters
                .frames_with_codes
                .fetch_add(1, Ordering::Relaxed);
            self.counters
                .codes
                .fetch_add(found.len() as u64, Ordering::Relaxed);
        }
        found.into_iter().map(|c| to_display(frame, c)).collect()
    }

    /// Decodes an image file (PNG, JPEG, WebP; EXIF orientation honoured) and scans it.
    pub fn decode_image(&self, bytes: &[u8]) -> Result<Vec<ScannedCode>, ImageError> {
        let image = decode_luma(bytes)?;
        let frame = Frame::gray8(
            &image.pixels,
            image.width,
            image.height,
            image.width as usize,
            0,
        )
        .map_err(|e| ImageError::Corrupt {
            reason: e.to_string(),
        })?;
        Ok(self.scan_frame(&frame))
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
