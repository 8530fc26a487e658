//! Verifying a device's request: window, then signature, then a nonce never seen before.

use hutong_core::sign::{
    canonical_request, check_window, verify_signature, Authorization, NonceCache, SignError,
    DEFAULT_NONCE_CAPACITY, WINDOW_SECS,
};
use std::sync::Mutex;

/// Where a request verifier remembers the nonces it accepted. In memory by default
/// (`Mutex<NonceCache>`); a switch that must refuse a replay across its own restarts keeps them
/// durable (the sandbox acquirer: in its ledger). Entries older than the verifier's window may be
/// forgotten: a replay of one fails the timestamp check first.
pub trait NonceStore: Send + Sync {
    /// Records `scoped` (stamped `timestamp`), or refuses it if already seen.
    fn check_and_insert(&self, scoped: &str, timestamp: i64, now: i64) -> Result<(), SignError>;
}

impl NonceStore for std::sync::Mutex<NonceCache> {
    fn check_and_insert(&self, scoped: &str, timestamp: i64, now: i64) -> Result<(), SignError> {
        // A panic elsewhere while holding the lock leaves a cache that is still consistent.
        self.lock()
            .unwrap_or_else(|e| e.into_inner())
            .check_and_insert(scoped, timestamp, now)
    }
}

/// Server side: checks a request's `Authorization` against the device key it names.
pub struct RequestVerifier {
    window: i64,
    nonces: Box<dyn NonceStore>,
}

impl std::fmt::Debug for RequestVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestVerifier")
            .field("window", &self.window)
            .finish_non_exhaustive()
    }
}

impl Default for RequestVerifier {
    fn default() -> Self {
        Self::new(DEFAULT_NONCE_CAPACITY, WINDOW_SECS)
    }
}

impl RequestVerifier {
    /// Remembers nonces in memory: a replay after a restart of this process is not detected.
    pub fn new(nonce_capacity: usize, window: i64) -> Self {
        Self::with_store(
            Box::new(Mutex::new(NonceCache::new(nonce_capacity, window))),
            window,
        )
    }

    /// Remembers nonces in `store` (durable for a switch that restarts).
    pub fn with_store(store: Box<dyn NonceStore>, window: i64) -> Self {
        RequestVerifier {
            window,
            nonces: store,
        }
    }

    /// Window, then signature, then nonce: a nonce is only remembered for an authentic request,
    /// so forged requests cannot fill the cache.
    pub fn verify(
        &self,
        auth: &Authorization,
        public_key: &[u8],
        method: &str,
        target: &str,
        body: &[u8],
        now: i64,
    ) -> Result<(), SignError> {
        check_window(auth.timestamp, now, self.window)?;
        let message = canonical_request(method, target, auth.timestamp, &auth.nonce, body);
        verify_signature(public_key, message.as_bytes(), &auth.signature)?;
        let scoped = format!("{}\n{}", auth.key_id, auth.nonce);
        self.nonces
            .check_and_insert(&scoped, auth.timestamp, now)
            .map_err(|e| match e {
                SignError::NonceReplayed(_) => SignError::NonceReplayed(auth.nonce.clone()),
                other => other,
            })
    }
}
