//! The SDK's half of the rules: sign a request, verify a response. The switch's half (verify a
//! request, sign a response) is `hutong-protocol`, so an app library does not carry it.

use super::{
    canonical_request, canonical_response, new_nonce, verify_signature, AsyncSigner, Authorization,
    Clock, KeySet, NonceCache, PinnedRoot, ResponseSignature, SignError, SignedKeySet, Signer,
};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

/// Timestamps further than this from the verifier's clock are refused, on both sides.
pub const WINDOW_SECS: i64 = 300;

/// Nonces remembered per verifier; a phone sees a few per second at most, a switch more.
pub const DEFAULT_NONCE_CAPACITY: usize = 100_000;

/// Signs `method target body` at `timestamp` with a fresh nonce.
pub fn sign_request(
    signer: &dyn Signer,
    method: &str,
    target: &str,
    body: &[u8],
    timestamp: i64,
) -> Result<Authorization, SignError> {
    let nonce = new_nonce()?;
    let message = canonical_request(method, target, timestamp, &nonce, body);
    let signature = signer.sign(message.as_bytes())?;
    Ok(Authorization {
        key_id: signer.key_id(),
        timestamp,
        nonce,
        signature,
    })
}

/// [`sign_request`] with a key that may take its time (a user prompt): the same canonical
/// string and header. Bounding the wait is the caller's job.
pub async fn sign_request_async(
    signer: &dyn AsyncSigner,
    method: &str,
    target: &str,
    body: &[u8],
    timestamp: i64,
) -> Result<Authorization, SignError> {
    let nonce = new_nonce()?;
    let message = canonical_request(method, target, timestamp, &nonce, body);
    let signature = signer.sign_async(message.as_bytes()).await?;
    Ok(Authorization {
        key_id: signer.signer_key_id(),
        timestamp,
        nonce,
        signature,
    })
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere while holding the lock leaves a cache that is still consistent.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Refuses a timestamp further than `window` seconds from `now`: the same rule on both sides.
pub fn check_window(timestamp: i64, now: i64, window: i64) -> Result<(), SignError> {
    if timestamp.abs_diff(now) > window.unsigned_abs() {
        return Err(SignError::TimestampSkew {
            timestamp,
            now,
            window,
        });
    }
    Ok(())
}

/// What a verified response told us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedResponse {
    pub key_id: String,
    pub server_timestamp: i64,
    pub status: u16,
}

/// SDK side: pinned roots, the current server key set, the learned clock offset and the
/// response nonces already seen.
pub struct ResponseVerifier {
    roots: Vec<PinnedRoot>,
    key_set: RwLock<Option<KeySet>>,
    /// The highest key-set version ever installed, carried across restarts by the caller
    /// (`raise_floor` from the journal): an older set is a rollback even in a fresh process.
    floor: AtomicU64,
    nonces: Mutex<NonceCache>,
    clock: Arc<dyn Clock>,
    offset: AtomicI64,
    window: i64,
}

impl std::fmt::Debug for ResponseVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseVerifier")
            .field("roots", &self.roots.len())
            .field("key_set_version", &self.key_set_version())
            .field("offset", &self.clock_offset())
            .finish()
    }
}

impl ResponseVerifier {
    pub fn new(roots: Vec<PinnedRoot>, clock: Arc<dyn Clock>) -> Self {
        ResponseVerifier {
            roots,
            key_set: RwLock::new(None),
            floor: AtomicU64::new(0),
            nonces: Mutex::new(NonceCache::new(DEFAULT_NONCE_CAPACITY, WINDOW_SECS)),
            clock,
            offset: AtomicI64::new(0),
            window: WINDOW_SECS,
        }
    }

    /// Accepts a key set only if a pinned root signed it and it is not older than the held one.
    /// Returns the installed version.
    pub fn install_key_set(&self, signed: &SignedKeySet) -> Result<u64, SignError> {
        let set = signed.verify(&self.roots)?;
        let mut held = self.key_set.write().unwrap_or_else(|e| e.into_inner());
        let newest = held
            .as_ref()
            .map_or(0, |h| h.version)
            .max(self.floor.load(Ordering::SeqCst));
        if set.version < newest {
            return Err(SignError::KeySetRollback {
                held: newest,
                offered: set.version,
            });
        }
        let version = set.version;
        *held = Some(set);
        self.floor.fetch_max(version, Ordering::SeqCst);
        Ok(version)
    }

    /// Refuses, from now on, any key set older than `version` (the highest one a previous run
    /// of this wallet installed).
    pub fn raise_floor(&self, version: u64) {
        self.floor.fetch_max(version, Ordering::SeqCst);
    }

    pub fn key_set_version(&self) -> Option<u64> {
        self.key_set
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(|s| s.version)
    }

    /// Our estimate of the server clock: use it for request timestamps.
    pub fn server_now(&self) -> i64 {
        self.clock
            .now_unix()
            .saturating_add(self.offset.load(Ordering::SeqCst))
    }

    /// Server time minus local time, as last learned.
    pub fn clock_offset(&self) -> i64 {
        self.offset.load(Ordering::SeqCst)
    }

    /// Adopts `server_timestamp` as the server's current time. Only call it with the timestamp of
    /// an authentic response bound to our own request (e.g. the `TimestampSkew` error of `verify`).
    pub fn resync(&self, server_timestamp: i64) {
        self.offset.store(
            server_timestamp.saturating_sub(self.clock.now_unix()),
            Ordering::SeqCst,
        );
    }

    /// Reads the signature headers through `lookup` and verifies (see `verify`).
    pub fn verify_headers<'a>(
        &self,
        request_nonce: Option<&str>,
        status: u16,
        lookup: impl Fn(&'static str) -> Option<&'a str>,
        body: &[u8],
    ) -> Result<VerifiedResponse, SignError> {
        let sig = ResponseSignature::from_lookup(status, lookup)?;
        self.verify(request_nonce, status, &sig, body)
    }

    /// Believes a response only if: its key is in the verified set and valid now, the signature
    /// covers our request nonce, status and body, the timestamp is within the window of our
    /// server-time estimate, and its nonce is new. The signature is checked before the window,
    /// so `TimestampSkew` is only ever reported for an authentic response.
    pub fn verify(
        &self,
        request_nonce: Option<&str>,
        status: u16,
        sig: &ResponseSignature,
        body: &[u8],
    ) -> Result<VerifiedResponse, SignError> {
        let now = self.server_now();
        {
            let held = self.key_set.read().unwrap_or_else(|e| e.into_inner());
            let set = held.as_ref().ok_or(SignError::NoKeySet)?;
            let (entry, public_key) = set
                .key(&sig.key_id)
                .ok_or_else(|| SignError::UnknownKeyId(sig.key_id.clone()))?;
            if now < entry.not_before || now > entry.not_after {
                return Err(SignError::KeyNotValid {
                    key_id: sig.key_id.clone(),
                    at: now,
                });
            }
            let message =
                canonical_response(sig.timestamp, &sig.nonce, request_nonce, status, body);
            verify_signature(&public_key, message.as_bytes(), &sig.signature)?;
        }
        check_window(sig.timestamp, now, self.window)?;
        lock(&self.nonces).check_and_insert(&sig.nonce, sig.timestamp, now)?;
        self.resync(sig.timestamp);
        Ok(VerifiedResponse {
            key_id: sig.key_id.clone(),
            server_timestamp: sig.timestamp,
            status,
        })
    }
}
