//! Both halves of the protocol against each other: what one side signs, the other believes,
//! and every tampering, replay, stale clock or wrong key is refused.

use crate::{sign_response, RequestVerifier};
use hutong_core::sign::{
    sign_request, sign_request_async, Authorization, KeySet, ManualClock, PinnedRoot,
    ResponseVerifier, SignError, SignedKeySet, Signer, SoftwareSigner, WINDOW_SECS,
};
use std::sync::Arc;

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
    let sig = sign_response(&f.server, T0, Some("other-request-nonce-0000"), 200, b"{}").unwrap();
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
