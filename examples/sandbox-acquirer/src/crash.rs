//! Crash tests of the switch's own write path (tests and `cargo xtask soak`): with
//! `HUTONG_SANDBOX_CRASH_AT=<step>` in its environment, a sandbox process aborts at that step,
//! as a SIGKILL there would stop it, so a test can restart it on the same ledger and check that
//! every idempotency key still reaches a final answer and no charge is lost or doubled.
//!
//! Steps, in the order a money-moving request passes them: `after_verify` (signature and nonce
//! accepted), `before_commit` (idempotency gate passed), `in_commit` (effects written, the
//! transaction not yet committed), `after_commit` (committed, no answer sent).
//! Unset, `point` is one relaxed atomic load.

use std::sync::OnceLock;

/// The variable that arms a crash point.
pub const ENV: &str = "HUTONG_SANDBOX_CRASH_AT";

fn armed() -> Option<&'static str> {
    static STEP: OnceLock<Option<String>> = OnceLock::new();
    STEP.get_or_init(|| std::env::var(ENV).ok().filter(|s| !s.is_empty()))
        .as_deref()
}

/// Aborts the process here if `step` is armed.
pub fn point(step: &str) {
    if armed() == Some(step) {
        eprintln!("sandbox: crash point `{step}` reached, aborting");
        std::process::abort();
    }
}
