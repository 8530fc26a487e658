//! Crash tests of the sandbox (docs/reliability.md): `SANDBOX_CRASH_AT=<op>:<step>[#n]` makes
//! `hutong-qa sandbox` SIGKILL itself the n-th time (default: the first) its write path reaches
//! that point (`sandbox_acquirer::test_hooks`), so a test can restart it on the same ledger and
//! check what survived. `op` may be `*`. Unset, nothing is installed.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

struct Target {
    op: String,
    step: String,
    nth: u64,
}

static TARGET: OnceLock<Target> = OnceLock::new();
static HITS: AtomicU64 = AtomicU64::new(0);

fn parse(text: &str) -> Option<Target> {
    let (point, nth) = match text.split_once('#') {
        Some((p, n)) => (p, n.parse().ok().filter(|n| *n > 0)?),
        None => (text, 1),
    };
    let (op, step) = point.split_once(':')?;
    Some(Target {
        op: op.to_string(),
        step: step.to_string(),
        nth,
    })
}

fn hook(op: &str, step: &str) {
    let Some(t) = TARGET.get() else { return };
    if (t.op != "*" && t.op != op) || t.step != step {
        return;
    }
    if HITS.fetch_add(1, Ordering::SeqCst) + 1 == t.nth {
        eprintln!("SANDBOX-CRASH-POINT {op}:{step}");
        // SIGKILL, not exit or abort: nothing after the step runs, no destructor, no flush.
        // SAFETY: kill(2) on our own pid has no memory-safety preconditions.
        unsafe {
            libc::kill(libc::getpid(), libc::SIGKILL);
        }
    }
}

/// Reads `SANDBOX_CRASH_AT` and arms the hook; an unreadable value is an error, not ignored.
pub fn arm_from_env() -> anyhow::Result<()> {
    let Ok(text) = std::env::var("SANDBOX_CRASH_AT") else {
        return Ok(());
    };
    let target = parse(&text)
        .ok_or_else(|| anyhow::anyhow!("SANDBOX_CRASH_AT must be <op>:<step>[#n], not `{text}`"))?;
    let _ = TARGET.set(target);
    sandbox_acquirer::test_hooks::install(hook);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn crash_targets_parse_with_an_optional_count() {
        let t = parse("payment:committed#3").unwrap();
        assert_eq!(
            (t.op.as_str(), t.step.as_str(), t.nth),
            ("payment", "committed", 3)
        );
        assert_eq!(parse("*:in_flight").unwrap().nth, 1);
        assert!(parse("payment").is_none());
        assert!(parse("payment:committed#0").is_none());
    }
}
