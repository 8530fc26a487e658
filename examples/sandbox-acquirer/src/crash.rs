//! Crash tests of the switch's own write path (the money harness, docs/reliability.md): with
//! `HUTONG_SANDBOX_CRASH_AT=[<op>:]<step>[#n]` in its environment, a sandbox process aborts the
//! n-th time (default: the first) a request of that operation reaches that step, as a SIGKILL
//! there would stop it, so a test can restart it on the same ledger and check that every
//! idempotency key still reaches a final answer and no charge is lost or doubled.
//!
//! Steps, in the order a money-moving request passes them: `after_verify` (signature and nonce
//! accepted; op `request`, any signed request), `before_commit` (idempotency gate passed),
//! `in_commit` (effects written, the transaction not yet committed), `after_commit` (committed,
//! no answer sent). Ops: `device`, `payment`, `collection`, `refund`, `reverse`, and `query`
//! (`after_commit` only: a query that moves a `user_paying` payment on), or `*`; no op is `*`.
//! Unset, `point` is one load of an initialised cell.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// The variable that arms a crash point.
pub const ENV: &str = "HUTONG_SANDBOX_CRASH_AT";

#[derive(Debug, PartialEq, Eq)]
struct Target {
    op: String,
    step: String,
    nth: u64,
}

/// `[op:]step[#n]`; `None` for anything else (an unreadable value arms nothing).
fn parse(text: &str) -> Option<Target> {
    let (point, nth) = match text.split_once('#') {
        Some((p, n)) => (p, n.parse().ok().filter(|n| *n > 0)?),
        None => (text, 1),
    };
    let (op, step) = point.split_once(':').unwrap_or(("*", point));
    (!step.is_empty()).then(|| Target {
        op: op.to_string(),
        step: step.to_string(),
        nth,
    })
}

fn armed() -> Option<&'static Target> {
    static TARGET: OnceLock<Option<Target>> = OnceLock::new();
    TARGET
        .get_or_init(|| std::env::var(ENV).ok().as_deref().and_then(parse))
        .as_ref()
}

/// Aborts the process here if `op:step` is armed and this is its n-th hit.
pub fn point(op: &str, step: &str) {
    static HITS: AtomicU64 = AtomicU64::new(0);
    let Some(t) = armed() else { return };
    if t.step != step || (t.op != "*" && t.op != op) {
        return;
    }
    if HITS.fetch_add(1, Ordering::SeqCst) + 1 == t.nth {
        eprintln!("sandbox: crash point `{op}:{step}` reached, aborting");
        std::process::abort();
    }
}

#[cfg(test)]
mod tests {
    use super::{parse, Target};

    #[test]
    fn targets_name_an_optional_operation_and_hit_count() {
        let t = |op: &str, step: &str, nth| Target {
            op: op.into(),
            step: step.into(),
            nth,
        };
        assert_eq!(parse("in_commit"), Some(t("*", "in_commit", 1)));
        assert_eq!(
            parse("refund:after_commit#2"),
            Some(t("refund", "after_commit", 2))
        );
        assert_eq!(parse("payment:in_commit#0"), None);
        assert_eq!(parse("payment:"), None);
    }
}
