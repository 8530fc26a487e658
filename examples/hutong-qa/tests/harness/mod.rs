//! The adversarial money harness (docs/reliability.md): the real `hutong-qa` client processes
//! against the real sandbox process over TLS, through a fault-injecting proxy, with SIGKILLs on
//! both sides, and the six money invariants of docs/protocol.md checked against the sandbox's
//! ledger file and the client's journal file after every step.
//!
//! - `procs`: the sandbox and client child processes (spawn, wait with a limit, SIGKILL).
//! - `proxy`: a TLS-terminating TCP proxy that injects network faults per request.
//! - `wire`: a minimal HTTP/1.1 reader/writer and raw TLS calls (probes and replays).
//! - `files`: read-only views of the ledger and the journal.
//! - `invariants`: the checks, each returning the violations it found.
//! - `model`: the random operations, their execution, and the run statistics.
#![allow(dead_code)]

pub mod files;
pub mod invariants;
pub mod model;
pub mod procs;
pub mod proxy;
pub mod rng;
pub mod wire;
