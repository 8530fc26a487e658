//! Hutong (互通): scan, identify and pay any payment code.
//!
//! Data flows one way (see `docs/ARCHITECTURE.md`): `frame` -> `scan` -> `identify` (`codes` ->
//! `registry` -> `risk`) -> `route` -> `flow` (with `sign`, `journal`, `transport`, `states`);
//! `bundle` updates the registry's tables and the wallet profiles. No module imports one after it.
//! This crate is plain Rust and knows nothing of UniFFI: `bindings/hutong-ffi` is the thin
//! exported surface for Kotlin and Swift, and `crates/hutong-protocol` the switch's side of the
//! wire protocol (`docs/adr/0008-crate-split.md`).
//!
//! Features: `software-keys` (a signing key in this process: CLI, sandbox, tests) and
//! `test-hooks` (crash points, synthetic pictures); an app build enables neither.

pub mod bundle;
pub mod codes;
pub mod flow;
pub mod frame;
pub mod identify;
pub mod journal;
pub mod money;
pub mod registry;
pub mod render;
pub mod risk;
pub mod route;
pub mod scan;
pub mod sign;
pub mod states;
pub mod transport;
