//! The decoder thread: isolates rxing panics and bounds how long a caller can wait.
//!
//! rxing is synchronous and cannot be interrupted, and has at least one TryHarder hang. The
//! caller therefore never runs it: it hands an owned luma copy to a worker thread and waits
//! at most until the deadline. A worker that overruns is abandoned (it exits when it finally
//! returns) and a fresh one takes over; see docs/adr/0001-frame-and-scan-api.md.
use super::engine::{Engine, FoundCode, LumaImage, Passes};
use super::options::ScanOptions;
use super::still::Picture;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Instant;

pub(crate) struct Job {
    pub luma: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub axes_swapped: bool,
    /// A still image (`Scanner::scan_still`), not a camera frame.
    pub still: Picture,
    /// The passes to run (`ScanSession` picks; everything else runs all).
    pub passes: Passes,
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

/// A one-value handoff between the caller and the decoder thread. (std's mpsc channel
/// allocates a block every 31 messages; a frame's scan allocates nothing, see
/// tests/scan_allocations.rs.) Either side closes it when it goes away.
struct Slot<T> {
    state: Mutex<SlotState<T>>,
    changed: Condvar,
}

struct SlotState<T> {
    value: Option<T>,
    closed: bool,
}

enum Missing {
    Closed,
    TimedOut,
}

impl<T> Slot<T> {
    fn new() -> Arc<Self> {
        Arc::new(Slot {
            state: Mutex::new(SlotState {
                value: None,
                closed: false,
            }),
            changed: Condvar::new(),
        })
    }

    /// The state even after a panic elsewhere while it was held (it holds plain data).
    fn lock(&self) -> MutexGuard<'_, SlotState<T>> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Leaves a value for the other side; false (and the value dropped) once it has gone.
    fn put(&self, value: T) -> bool {
        let mut state = self.lock();
        if state.closed {
            return false;
        }
        state.value = Some(value);
        self.changed.notify_all();
        true
    }

    fn close(&self) {
        self.lock().closed = true;
        self.changed.notify_all();
    }

    /// Waits for a value, until `deadline` if there is one.
    fn take(&self, deadline: Option<Instant>) -> Result<T, Missing> {
        let mut state = self.lock();
        loop {
            if let Some(value) = state.value.take() {
                return Ok(value);
            }
            if state.closed {
                return Err(Missing::Closed);
            }
            state = match deadline {
                None => self
                    .changed
                    .wait(state)
                    .unwrap_or_else(|poisoned| poisoned.into_inner()),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return Err(Missing::TimedOut);
                    }
                    self.changed
                        .wait_timeout(state, deadline - now)
                        .unwrap_or_else(|poisoned| poisoned.into_inner())
                        .0
                }
            };
        }
    }
}

/// Closes both slots when its side goes away: the caller's `Worker` when dropped (the thread
/// then exits), the thread's copy when the thread ends (the caller then sees `Lost`).
struct Link {
    jobs: Arc<Slot<Job>>,
    replies: Arc<Slot<Reply>>,
}

impl Drop for Link {
    fn drop(&mut self) {
        self.jobs.close();
        self.replies.close();
    }
}

pub(crate) struct Worker {
    link: Link,
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
        let link = Link {
            jobs: Slot::new(),
            replies: Slot::new(),
        };
        let thread_link = Link {
            jobs: Arc::clone(&link.jobs),
            replies: Arc::clone(&link.replies),
        };
        let options = options.clone();
        live.fetch_add(1, Ordering::SeqCst);
        let guard = LiveGuard(Arc::clone(live));
        let spawned = std::thread::Builder::new()
            .name("hutong-scan".into())
            .spawn(move || {
                let _guard = guard;
                let link = thread_link;
                let mut engine = Engine::new(&options);
                while let Ok(job) = link.jobs.take(None) {
                    let image = LumaImage {
                        pixels: &job.luma,
                        width: job.width,
                        height: job.height,
                        axes_swapped: job.axes_swapped,
                        still: job.still,
                        passes: job.passes,
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
                    let reply = Reply {
                        luma: job.luma,
                        verdict,
                    };
                    if !link.replies.put(reply) {
                        break; // abandoned by a caller that stopped waiting
                    }
                }
            });
        // On spawn failure the closure (its guard and link) is dropped, restoring the count.
        spawned.ok().map(|_| Worker { link })
    }

    pub fn run(&self, job: Job) -> RunResult {
        let deadline = job.deadline;
        if !self.link.jobs.put(job) {
            return RunResult::Lost;
        }
        match self.link.replies.take(Some(deadline)) {
            Ok(reply) => RunResult::Done {
                verdict: reply.verdict,
                luma: reply.luma,
            },
            Err(Missing::TimedOut) => RunResult::TimedOut,
            Err(Missing::Closed) => RunResult::Lost,
        }
    }
}
