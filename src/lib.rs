//! Hutong (互通): scan, identify and pay any payment code.
//!
//! Data flows one way (see `docs/ARCHITECTURE.md`): `frame` -> `scan` -> `codes` ->
//! `registry`/`risk`/`route` -> `flow` (with `sign`, `journal`, `transport`).
//! Each module is plain Rust that knows nothing of UniFFI; `ffi` is the thin exported surface.

uniffi::setup_scaffolding!();

pub mod codes;
pub mod ffi;
pub mod flow;
pub mod frame;
pub mod journal;
pub mod money;
pub mod registry;
pub mod render;
pub mod risk;
pub mod route;
pub mod scan;
pub mod sign;
pub mod transport;
