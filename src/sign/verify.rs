//! The rules: sign a request, verify it on the server; sign a response, verify it in the SDK.

use super::{
    canonical_request, canonical_response, new_nonce, verify_signature, AsyncSigner, Authorization,
    Clock, KeySet, NonceCache, NonceStore, PinnedRoot, ResponseSignature, SignError, SignedKeySet,
    Signer,
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

/// Signs a response bound to the nonce of the request it answers.
pub fn sign_response(
    signer: &dyn Signer,
    timestamp: i64,
    request_nonce: Option<&str>,
    status: u16,
    body: &[u8],
) -> Result<ResponseSignature, SignError> {
    let nonce = new_nonce()?;
    let message = canonical_response(timestamp, &nonce, request_nonce, status, body);
    Ok(ResponseSignature {
        key_id: signer.key_id(),
        timestamp,
        signature: signer.sign(message.as_bytes())?,
        nonce,
    })
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere while holding the lock leaves a cache that is still consistent.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn check_window(timestamp: i64, now: i64, window: i64) -> Result<(), SignError> {
    if timestamp.abs_diff(now) > window.unsigned_abs() {
        return Err(SignError::TimestampSkew {
            timestamp,
            now,
            window,
        });
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::{ManualClock, SoftwareSigner};

    const T0: i64 = 1_764_052_800;

    struct Fixture {
        root: SoftwareSigner,
        server: SoftwareSigner,
        clock: Arc<ManualClock>,
        verifier: ResponseVerifier,
    }

    fn key_set(version: u64, keys: &[&SoftwareSigner]) -> KeySet {
        KeySet {
            version,
            issued_at: T0,
            keys: keys
                .iter()
                .map(|k| KeySet::entry_for(*k, T0 - 86_400, T0 + 86_400))
                .collect(),
        }
    }

    fn fixture() -> Fixture {
        let root = SoftwareSigner::generate("root-1").unwrap();
        let server = SoftwareSigner::generate("srv-1").unwrap();
        let clock = Arc::new(ManualClock::new(T0));
        let verifier = ResponseVerifier::new(
            vec![PinnedRoot {
                key_id: root.key_id(),
                public_key: root.public_key(),
            }],
            clock.clone(),
        );
        let signed = SignedKeySet::sign(&key_set(1, &[&server]), &root).unwrap();
        verifier.install_key_set(&signed).unwrap();
        Fixture {
            root,
            server,
            clock,
            verifier,
        }
    }

    const REQ_NONCE: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    #[test]
    fn accepts_a_response_signed_for_our_request() {
        let f = fixture();
        let sig = sign_response(&f.server, T0, Some(REQ_NONCE), 200, b"{}").unwrap();
        let v = f
            .verifier
            .verify(Some(REQ_NONCE), 200, &sig, b"{}")
            .unwrap();
        assert_eq!(v.server_timestamp, T0);
    }

    #[test]
    fn rejects_a_response_bound_to_another_request() {
        let f = fixture();
        let sig =
            sign_response(&f.server, T0, Some("other-request-nonce-0000"), 200, b"{}").unwrap();
        assert_eq!(
            f.verifier.verify(Some(REQ_NONCE), 200, &sig, b"{}"),
            Err(SignError::SignatureInvalid)
        );
    }

    #[test]
    fn rejects_a_tampered_body() {
        let f = fixture();
        let sig = sign_response(
            &f.server,
            T0,
            Some(REQ_NONCE),
            200,
            b"{\"state\":\"failed\"}",
        )
        .unwrap();
        assert_eq!(
            f.verifier
                .verify(Some(REQ_NONCE), 200, &sig, b"{\"state\":\"succeeded\"}"),
            Err(SignError::SignatureInvalid)
        );
    }

    #[test]
    fn rejects_a_tampered_status() {
        let f = fixture();
        let sig = sign_response(&f.server, T0, Some(REQ_NONCE), 422, b"{}").unwrap();
        assert_eq!(
            f.verifier.verify(Some(REQ_NONCE), 200, &sig, b"{}"),
            Err(SignError::SignatureInvalid)
        );
    }

    #[test]
    fn rejects_a_flipped_signature_byte() {
        let f = fixture();
        let mut sig = sign_response(&f.server, T0, Some(REQ_NONCE), 200, b"{}").unwrap();
        let last = sig.signature.len() - 1;
        sig.signature[last] ^= 0x01;
        assert_eq!(
            f.verifier.verify(Some(REQ_NONCE), 200, &sig, b"{}"),
            Err(SignError::SignatureInvalid)
        );
    }

    #[test]
    fn rejects_a_key_id_missing_from_the_key_set() {
        let f = fixture();
        let rogue = SoftwareSigner::generate("srv-rogue").unwrap();
        let sig = sign_response(&rogue, T0, Some(REQ_NONCE), 200, b"{}").unwrap();
        assert_eq!(
            f.verifier.verify(Some(REQ_NONCE), 200, &sig, b"{}"),
            Err(SignError::UnknownKeyId("srv-rogue".into()))
        );
    }

    #[test]
    fn rejects_a_signature_by_another_key_under_a_known_key_id() {
        let f = fixture();
        let impostor = SoftwareSigner::generate("srv-1").unwrap();
        let sig = sign_response(&impostor, T0, Some(REQ_NONCE), 200, b"{}").unwrap();
        assert_eq!(
            f.verifier.verify(Some(REQ_NONCE), 200, &sig, b"{}"),
            Err(SignError::SignatureInvalid)
        );
    }

    #[test]
    fn rejects_an_unsigned_2xx() {
        let f = fixture();
        assert_eq!(
            f.verifier
                .verify_headers(Some(REQ_NONCE), 200, |_| None, b"{\"state\":\"succeeded\"}"),
            Err(SignError::Unsigned { status: 200 })
        );
    }

    #[test]
    fn rejects_a_stale_response_timestamp_but_reports_it_as_authentic_skew() {
        let f = fixture();
        let sig = sign_response(&f.server, T0 - 301, Some(REQ_NONCE), 200, b"{}").unwrap();
        assert_eq!(
            f.verifier.verify(Some(REQ_NONCE), 200, &sig, b"{}"),
            Err(SignError::TimestampSkew {
                timestamp: T0 - 301,
                now: T0,
                window: WINDOW_SECS
            })
        );
    }

    #[test]
    fn accepts_a_timestamp_exactly_at_the_window_edge() {
        let f = fixture();
        let sig = sign_response(&f.server, T0 + 300, Some(REQ_NONCE), 200, b"{}").unwrap();
        assert!(f.verifier.verify(Some(REQ_NONCE), 200, &sig, b"{}").is_ok());
    }

    #[test]
    fn rejects_a_replayed_response_nonce() {
        let f = fixture();
        let sig = sign_response(&f.server, T0, Some(REQ_NONCE), 200, b"{}").unwrap();
        f.verifier
            .verify(Some(REQ_NONCE), 200, &sig, b"{}")
            .unwrap();
        assert!(matches!(
            f.verifier.verify(Some(REQ_NONCE), 200, &sig, b"{}"),
            Err(SignError::NonceReplayed(_))
        ));
    }

    #[test]
    fn learns_the_server_clock_offset_from_verified_responses() {
        let f = fixture();
        let sig = sign_response(&f.server, T0 + 120, Some(REQ_NONCE), 200, b"{}").unwrap();
        f.verifier
            .verify(Some(REQ_NONCE), 200, &sig, b"{}")
            .unwrap();
        assert_eq!(f.verifier.clock_offset(), 120);
        f.clock.advance(10);
        assert_eq!(f.verifier.server_now(), T0 + 130);
    }

    #[test]
    fn judges_the_window_by_the_learned_server_time() {
        let f = fixture();
        // The device clock is 10 minutes slow; after a resync the server's "now" is accepted.
        f.verifier.resync(T0 + 600);
        let sig = sign_response(&f.server, T0 + 600, Some(REQ_NONCE), 200, b"{}").unwrap();
        assert!(f.verifier.verify(Some(REQ_NONCE), 200, &sig, b"{}").is_ok());
    }

    #[test]
    fn rejects_responses_before_any_key_set_is_installed() {
        let server = SoftwareSigner::generate("srv-1").unwrap();
        let v = ResponseVerifier::new(vec![], Arc::new(ManualClock::new(T0)));
        let sig = sign_response(&server, T0, None, 200, b"").unwrap();
        assert_eq!(v.verify(None, 200, &sig, b""), Err(SignError::NoKeySet));
    }

    #[test]
    fn rejects_a_key_outside_its_validity() {
        let f = fixture();
        f.clock.advance(86_401);
        let sig = sign_response(&f.server, T0 + 86_401, Some(REQ_NONCE), 200, b"").unwrap();
        assert!(matches!(
            f.verifier.verify(Some(REQ_NONCE), 200, &sig, b""),
            Err(SignError::KeyNotValid { .. })
        ));
    }

    #[test]
    fn rotation_accepts_a_newer_root_signed_set_with_the_new_key() {
        let f = fixture();
        let next = SoftwareSigner::generate("srv-2").unwrap();
        let signed = SignedKeySet::sign(&key_set(2, &[&f.server, &next]), &f.root).unwrap();
        assert_eq!(f.verifier.install_key_set(&signed), Ok(2));
        let sig = sign_response(&next, T0, Some(REQ_NONCE), 200, b"").unwrap();
        assert!(f.verifier.verify(Some(REQ_NONCE), 200, &sig, b"").is_ok());
    }

    #[test]
    fn rotation_refuses_a_set_not_signed_by_the_pinned_root() {
        let f = fixture();
        let fake_root = SoftwareSigner::generate("root-1").unwrap();
        let next = SoftwareSigner::generate("srv-2").unwrap();
        let signed = SignedKeySet::sign(&key_set(2, &[&next]), &fake_root).unwrap();
        assert_eq!(
            f.verifier.install_key_set(&signed),
            Err(SignError::KeySetSignatureInvalid)
        );
        assert_eq!(f.verifier.key_set_version(), Some(1));
    }

    #[test]
    fn rotation_refuses_an_older_key_set_version() {
        let f = fixture();
        let v3 = SignedKeySet::sign(&key_set(3, &[&f.server]), &f.root).unwrap();
        f.verifier.install_key_set(&v3).unwrap();
        let v2 = SignedKeySet::sign(&key_set(2, &[&f.server]), &f.root).unwrap();
        assert_eq!(
            f.verifier.install_key_set(&v2),
            Err(SignError::KeySetRollback {
                held: 3,
                offered: 2
            })
        );
    }

    #[test]
    fn rotation_drops_keys_left_out_of_the_new_set() {
        let f = fixture();
        let next = SoftwareSigner::generate("srv-2").unwrap();
        let signed = SignedKeySet::sign(&key_set(2, &[&next]), &f.root).unwrap();
        f.verifier.install_key_set(&signed).unwrap();
        let sig = sign_response(&f.server, T0, Some(REQ_NONCE), 200, b"").unwrap();
        assert_eq!(
            f.verifier.verify(Some(REQ_NONCE), 200, &sig, b""),
            Err(SignError::UnknownKeyId("srv-1".into()))
        );
    }

    // --- server side -------------------------------------------------------------------

    fn signed_request(dev: &SoftwareSigner, ts: i64) -> Authorization {
        sign_request(dev, "POST", "/v1/payments", b"{\"a\":1}", ts).unwrap()
    }

    #[test]
    fn server_accepts_a_correctly_signed_request() {
        let dev = SoftwareSigner::generate("dev-1").unwrap();
        let auth = signed_request(&dev, T0);
        let parsed = Authorization::parse(&auth.to_header_value()).unwrap();
        RequestVerifier::default()
            .verify(
                &parsed,
                &dev.public_key(),
                "POST",
                "/v1/payments",
                b"{\"a\":1}",
                T0,
            )
            .unwrap();
    }

    #[test]
    fn server_accepts_a_request_signed_through_the_async_signer() {
        let dev = SoftwareSigner::generate("dev-1").unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let auth = rt
            .block_on(sign_request_async(
                &dev,
                "POST",
                "/v1/payments",
                b"{\"a\":1}",
                T0,
            ))
            .unwrap();
        assert_eq!(auth.key_id, "dev-1");
        RequestVerifier::default()
            .verify(
                &auth,
                &dev.public_key(),
                "POST",
                "/v1/payments",
                b"{\"a\":1}",
                T0,
            )
            .unwrap();
    }

    #[test]
    fn server_rejects_a_request_whose_body_was_changed() {
        let dev = SoftwareSigner::generate("dev-1").unwrap();
        let auth = signed_request(&dev, T0);
        assert_eq!(
            RequestVerifier::default().verify(
                &auth,
                &dev.public_key(),
                "POST",
                "/v1/payments",
                b"{\"a\":2}",
                T0
            ),
            Err(SignError::SignatureInvalid)
        );
    }

    #[test]
    fn server_rejects_a_request_sent_to_another_path() {
        let dev = SoftwareSigner::generate("dev-1").unwrap();
        let auth = signed_request(&dev, T0);
        assert_eq!(
            RequestVerifier::default().verify(
                &auth,
                &dev.public_key(),
                "POST",
                "/v1/collections",
                b"{\"a\":1}",
                T0
            ),
            Err(SignError::SignatureInvalid)
        );
    }

    #[test]
    fn server_rejects_a_stale_request_timestamp() {
        let dev = SoftwareSigner::generate("dev-1").unwrap();
        let auth = signed_request(&dev, T0 - 301);
        assert!(matches!(
            RequestVerifier::default().verify(
                &auth,
                &dev.public_key(),
                "POST",
                "/v1/payments",
                b"{\"a\":1}",
                T0
            ),
            Err(SignError::TimestampSkew { .. })
        ));
    }

    #[test]
    fn server_rejects_a_replayed_request_nonce() {
        let dev = SoftwareSigner::generate("dev-1").unwrap();
        let auth = signed_request(&dev, T0);
        let v = RequestVerifier::default();
        let pk = dev.public_key();
        v.verify(&auth, &pk, "POST", "/v1/payments", b"{\"a\":1}", T0)
            .unwrap();
        assert_eq!(
            v.verify(&auth, &pk, "POST", "/v1/payments", b"{\"a\":1}", T0 + 5),
            Err(SignError::NonceReplayed(auth.nonce.clone()))
        );
    }

    #[test]
    fn server_does_not_remember_nonces_of_forged_requests() {
        let dev = SoftwareSigner::generate("dev-1").unwrap();
        let mut forged = signed_request(&dev, T0);
        forged.signature[4] ^= 0xff;
        let v = RequestVerifier::new(1, WINDOW_SECS);
        assert!(v
            .verify(
                &forged,
                &dev.public_key(),
                "POST",
                "/v1/payments",
                b"{\"a\":1}",
                T0
            )
            .is_err());
        let genuine = signed_request(&dev, T0);
        v.verify(
            &genuine,
            &dev.public_key(),
            "POST",
            "/v1/payments",
            b"{\"a\":1}",
            T0,
        )
        .unwrap();
    }

    #[test]
    fn a_floor_carried_from_an_earlier_run_refuses_an_older_key_set() {
        let f = fixture();
        let fresh = ResponseVerifier::new(
            vec![PinnedRoot {
                key_id: f.root.key_id(),
                public_key: f.root.public_key(),
            }],
            f.clock.clone(),
        );
        fresh.raise_floor(2);
        let old = SignedKeySet::sign(&key_set(1, &[&f.server]), &f.root).unwrap();
        assert_eq!(
            fresh.install_key_set(&old),
            Err(SignError::KeySetRollback {
                held: 2,
                offered: 1
            })
        );
        let newer = SignedKeySet::sign(&key_set(3, &[&f.server]), &f.root).unwrap();
        assert_eq!(fresh.install_key_set(&newer), Ok(3));
    }
}
