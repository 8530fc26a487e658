//! Crash-test hook points on the sandbox's write path (docs/reliability.md). The library only
//! names the points; a binary installs what happens there (`hutong-qa sandbox` kills its own
//! process under `SANDBOX_CRASH_AT`, see examples/hutong-qa/src/sandbox_crash.rs). With nothing
//! installed a point costs one atomic load, and no library user can install one by accident.

use std::sync::OnceLock;

/// Called with the operation (`payment`, `collection`, `refund`, `reverse`, `device`, `query`)
/// and the step just made durable (`in_flight`, `committed`) or about to start (`verified`).
pub type Hook = fn(op: &str, step: &str);

static HOOK: OnceLock<Hook> = OnceLock::new();

/// Installs the process-wide hook once; `false` if one was installed already.
pub fn install(hook: Hook) -> bool {
    HOOK.set(hook).is_ok()
}

pub(crate) fn point(op: &str, step: &str) {
    if let Some(hook) = HOOK.get() {
        hook(op, step);
    }
}
