//! The decoder thread: isolates rxing panics and bounds how long a caller can wait.
//!
//! rxing is synchronous and cannot be interrupted, and has at least one TryHarder hang. The
//! caller therefore never runs it: it hands an owned luma copy to a worker thread and waits
//! at most until the deadline. A worker that overruns is abandoned (it exits when it finally
//! returns) and a fresh one takes over; see docs/adr/0001-frame-and-scan-api.md.
use super::engine::{Engine, FoundCode, LumaImage};
use super::options::ScanOptions;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::Instant;

pub(crate) struct Job {
    pub luma: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub axes_swapped: bool,
    pub started: Instant,
    pub deadline: Instant,
}

pub(crate) enum Verdict {
    Codes(Vec<FoundCode>),
    Panicked,
    /// The worker saw the deadline pass between passes (it answered, but late).
    OutOfTime,
}

struct Reply {
    luma: Vec<u8>,
    verdict: Verdict,
}

/// What the caller gets back from [`Worker::run`].
pub(crate) enum RunResult {
    Done {
        verdict: Verdict,
        luma: Vec<u8>,
    },
    /// No answer by the deadline: the worker is abandoned.
    TimedOut,
    /// The worker thread is gone (could not be spawned, or died outside `catch_unwind`).
    Lost,
}

pub(crate) struct Worker {
    jobs: Sender<Job>,
    replies: Receiver<Reply>,
}

/// Decrements the live-thread count however the thread ends.
struct LiveGuard(Arc<AtomicUsize>);

impl Drop for LiveGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Worker {
    /// Starts a decoder thread; `live` counts running decoder threads (strays included).
    pub fn spawn(options: &ScanOptions, live: &Arc<AtomicUsize>) -> Option<Self> {
        let (jobs, job_rx) = mpsc::channel::<Job>();
        let (reply_tx, replies) = mpsc::channel::<Reply>();
        let options = options.clone();
        live.fetch_add(1, Ordering::SeqCst);
        let guard = LiveGuard(Arc::clone(live));
        let spawned = std::thread::Builder::new()
            .name("hutong-scan".into())
            .spawn(move || {
                let _guard = guard;
                let mut engine = Engine::new(&options);
                for job in job_rx {
                    let image = LumaImage {
                        pixels: &job.luma,
                        width: job.width,
                        height: job.height,
                        axes_swapped: job.axes_swapped,
                    };
                    let verdict = match catch_unwind(AssertUnwindSafe(|| {
                        engine.scan(&image, job.started, job.deadline)
                    })) {
                        Ok(outcome) if outcome.out_of_time && outcome.codes.is_empty() => {
                            Verdict::OutOfTime
                        }
                        Ok(outcome) => Verdict::Codes(outcome.codes),
                        Err(_) => {
                            // A reader that panicked mid-decode may hold broken state.
                            engine = Engine::new(&options);
                            Verdict::Panicked
                        }
                    };
                    if reply_tx
                        .send(Reply {
                            luma: job.luma,
                            verdict,
                        })
                        .is_err()
                    {
                        break; // abandoned by a caller that stopped waiting
                    }
                }
            });
        // On spawn failure the closure (and its guard) is dropped, restoring the count.
        spawned.ok().map(|_| Worker { jobs, replies })
    }

    pub fn run(&self, job: Job) -> RunResult {
        let deadline = job.deadline;
        if self.jobs.send(job).is_err() {
            return RunResult::Lost;
        }
        let wait = deadline.saturating_duration_since(Instant::now());
        match self.replies.recv_timeout(wait) {
            Ok(reply) => RunResult::Done {
                verdict: reply.verdict,
                luma: reply.luma,
            },
            Err(RecvTimeoutError::Timeout) => RunResult::TimedOut,
            Err(RecvTimeoutError::Disconnected) => RunResult::Lost,
        }
    }
}
