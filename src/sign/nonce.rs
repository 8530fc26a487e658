//! Fresh nonces, and a bounded cache that refuses a nonce seen within the window.

use super::SignError;
use ring::rand::{SecureRandom, SystemRandom};
use std::collections::{BTreeSet, HashMap};

/// 128 random bits as 32 lower-case hex digits.
pub fn new_nonce() -> Result<String, SignError> {
    let mut bytes = [0u8; 16];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| SignError::SignerFailed("no randomness for a nonce".into()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Remembers nonces with their timestamps for `window` seconds, holding at most `capacity`.
///
/// An entry can be forgotten once its timestamp is outside the window, because a replay of it
/// would then fail the timestamp check first. When full of live entries it fails closed
/// (`NonceCacheFull`) rather than forget one.
#[derive(Debug)]
pub struct NonceCache {
    capacity: usize,
    window: i64,
    seen: HashMap<String, i64>,
    by_time: BTreeSet<(i64, String)>,
}

impl NonceCache {
    pub fn new(capacity: usize, window: i64) -> Self {
        NonceCache {
            capacity,
            window,
            seen: HashMap::new(),
            by_time: BTreeSet::new(),
        }
    }

    /// Records `nonce` (stamped `timestamp`), or refuses it if already seen.
    pub fn check_and_insert(
        &mut self,
        nonce: &str,
        timestamp: i64,
        now: i64,
    ) -> Result<(), SignError> {
        self.expire(now);
        if self.seen.contains_key(nonce) {
            return Err(SignError::NonceReplayed(nonce.to_string()));
        }
        if self.seen.len() >= self.capacity {
            return Err(SignError::NonceCacheFull);
        }
        self.seen.insert(nonce.to_string(), timestamp);
        self.by_time.insert((timestamp, nonce.to_string()));
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.seen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    fn expire(&mut self, now: i64) {
        let horizon = now.saturating_sub(self.window);
        while let Some(first) = self.by_time.first() {
            if first.0 >= horizon {
                break;
            }
            if let Some((_, n)) = self.by_time.pop_first() {
                self.seen.remove(&n);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_32_hex_digits_and_differ() {
        let a = new_nonce().unwrap();
        let b = new_nonce().unwrap();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn refuses_a_nonce_seen_within_the_window() {
        let mut c = NonceCache::new(10, 300);
        c.check_and_insert("n1", 1000, 1000).unwrap();
        assert_eq!(
            c.check_and_insert("n1", 1000, 1200),
            Err(SignError::NonceReplayed("n1".into()))
        );
    }

    #[test]
    fn forgets_nonces_once_their_timestamp_leaves_the_window() {
        let mut c = NonceCache::new(10, 300);
        c.check_and_insert("n1", 1000, 1000).unwrap();
        c.check_and_insert("n2", 1400, 1400).unwrap();
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn fails_closed_when_full_of_live_nonces() {
        let mut c = NonceCache::new(2, 300);
        c.check_and_insert("a", 1000, 1000).unwrap();
        c.check_and_insert("b", 1000, 1000).unwrap();
        assert_eq!(
            c.check_and_insert("c", 1000, 1000),
            Err(SignError::NonceCacheFull)
        );
        // After the window the old ones go and there is room again.
        c.check_and_insert("c", 1301, 1301).unwrap();
    }
}
