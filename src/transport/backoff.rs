//! Full-jitter exponential backoff (`sleep = random(0, min(cap, base * 2^attempt))`), so that many
//! phones retrying after one switch hiccup do not come back in lockstep.

use ring::rand::{SecureRandom, SystemRandom};
use std::time::Duration;

/// How often and how patiently an idempotent call is retried after an ambiguous failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts including the first (1 = no retry).
    pub max_attempts: u32,
    pub base: Duration,
    pub cap: Duration,
    /// A `Retry-After` longer than this ends the retries instead of blocking the caller.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base: Duration::from_secs(1),
            cap: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The backoff ceiling before attempt `attempt + 1` (`attempt` counts from 0).
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.cap)
    }

    /// A full-jitter delay before the next attempt, at least what the server asked for.
    /// `None` means stop: attempts are used up or the server asked for too long a wait.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if attempt.saturating_add(1) >= self.max_attempts {
            return None;
        }
        if let Some(ra) = retry_after {
            if ra > self.max_retry_after {
                return None;
            }
        }
        let jitter = scale(self.ceiling(attempt), random_unit());
        Some(retry_after.map_or(jitter, |ra| ra.max(jitter)))
    }
}

/// `Retry-After` as delta-seconds. The HTTP-date form is not used by our switch; it is ignored.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    if v.is_empty() || v.len() > 9 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse::<u64>().ok().map(Duration::from_secs)
}

/// A uniformly random fraction in [0, 1] as parts per 2^32.
fn random_unit() -> u32 {
    let mut b = [0u8; 4];
    // The system RNG failing is not a reason to stop paying: fall back to the full ceiling.
    match SystemRandom::new().fill(&mut b) {
        Ok(()) => u32::from_le_bytes(b),
        Err(_) => u32::MAX,
    }
}

fn scale(d: Duration, unit: u32) -> Duration {
    let nanos = d.as_nanos().saturating_mul(u128::from(unit)) >> 32;
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

/// A random duration in `[0, max]`: the polling jitter uses the same source.
pub fn jitter(max: Duration) -> Duration {
    scale(max, random_unit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 5,
            base: Duration::from_millis(100),
            cap: Duration::from_millis(1000),
            max_retry_after: Duration::from_secs(2),
        }
    }

    #[test]
    fn ceiling_doubles_per_attempt_until_the_cap() {
        let p = policy();
        assert_eq!(p.ceiling(0), Duration::from_millis(100));
        assert_eq!(p.ceiling(2), Duration::from_millis(400));
        assert_eq!(p.ceiling(10), Duration::from_millis(1000));
        assert_eq!(p.ceiling(u32::MAX), Duration::from_millis(1000));
    }

    #[test]
    fn delay_never_exceeds_the_ceiling() {
        let p = policy();
        for _ in 0..200 {
            assert!(p.delay(1, None).unwrap() <= p.ceiling(1));
        }
    }

    #[test]
    fn delays_are_spread_not_fixed() {
        let p = policy();
        let mut seen: Vec<_> = (0..50).map(|_| p.delay(3, None).unwrap()).collect();
        seen.dedup();
        assert!(seen.len() > 1);
    }

    #[test]
    fn stops_after_max_attempts() {
        let p = policy();
        assert!(p.delay(3, None).is_some());
        assert_eq!(p.delay(4, None), None);
    }

    #[test]
    fn waits_at_least_as_long_as_retry_after() {
        let p = policy();
        let d = p.delay(0, Some(Duration::from_secs(1))).unwrap();
        assert!(d >= Duration::from_secs(1));
    }

    #[test]
    fn gives_up_when_retry_after_exceeds_the_limit() {
        assert_eq!(policy().delay(0, Some(Duration::from_secs(60))), None);
    }

    #[test]
    fn parses_retry_after_seconds_and_ignores_other_forms() {
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after("99999999999999999999"), None);
    }
}
