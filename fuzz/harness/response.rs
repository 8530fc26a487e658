//! Signatures on both sides of the wire (protocol §2-3): the `X-Hutong-*` response headers
//! through `ResponseVerifier::verify_headers` as the SDK reads an answer, and the
//! `Authorization` request header through `Authorization::parse` and `RequestVerifier` as the
//! switch reads a request. Checks: typed errors only; nothing verifies unless the harness signed
//! it (no forgery); a verified answer or request does not verify a second time (replay); a
//! verified answer does not verify for another request; a parsed header round-trips.
//!
//! Input, one field per line (the rest of the input is the body):
//! - response: `R`, status, key id, timestamp, nonce, signature, request nonce, then the body;
//! - request: `Q`, Authorization value, method, target, then the body.
//!
//! A field `!` is an absent header; a signature or Authorization `@sign` (optionally
//! `@sign <seconds>` of clock skew for a response) is replaced by a genuine one over the other
//! fields, so the checks after the signature are reached too.
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use hutong_core::sign::{
    canonical_request, canonical_response, Authorization, KeySet, ManualClock, PinnedRoot,
    ResponseVerifier, SignError, SignedKeySet, Signer, SoftwareSigner, HEADER_KEY_ID, HEADER_NONCE,
    HEADER_SIGNATURE, HEADER_TIMESTAMP,
};
use hutong_protocol::RequestVerifier;
use std::sync::{Arc, OnceLock};

const T0: i64 = 1_764_052_800;

struct Keys {
    root: SoftwareSigner,
    server: SoftwareSigner,
    device: SoftwareSigner,
    signed_set: SignedKeySet,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let root = SoftwareSigner::generate("root-1").unwrap();
        let server = SoftwareSigner::generate("srv-1").unwrap();
        let device = SoftwareSigner::generate("dev-1").unwrap();
        let set = KeySet {
            version: 1,
            issued_at: T0,
            keys: vec![KeySet::entry_for(&server, T0 - 86_400, T0 + 86_400)],
        };
        let signed_set = SignedKeySet::sign(&set, &root).unwrap();
        Keys {
            root,
            server,
            device,
            signed_set,
        }
    })
}

/// Splits off `n` lines; the remainder is the body.
fn fields(data: &[u8], n: usize) -> Option<(Vec<String>, &[u8])> {
    let mut out = Vec::with_capacity(n);
    let mut rest = data;
    for _ in 0..n {
        let at = rest.iter().position(|&b| b == b'\n')?;
        out.push(String::from_utf8_lossy(&rest[..at]).into_owned());
        rest = &rest[at + 1..];
    }
    Some((out, rest))
}

fn response(f: &[String], body: &[u8]) -> bool {
    let k = keys();
    let verifier = ResponseVerifier::new(
        vec![PinnedRoot {
            key_id: k.root.key_id(),
            public_key: k.root.public_key(),
        }],
        Arc::new(ManualClock::new(T0)),
    );
    verifier.install_key_set(&k.signed_set).unwrap();
    let status: u16 = f[1].trim().parse().unwrap_or(200);
    let absent = |s: &str| (s != "!").then(|| s.to_string());
    let request_nonce = absent(&f[6]);
    let mut headers = [
        (HEADER_KEY_ID, absent(&f[2])),
        (HEADER_TIMESTAMP, absent(&f[3])),
        (HEADER_NONCE, absent(&f[4])),
        (HEADER_SIGNATURE, absent(&f[5])),
    ];
    let mut genuine = false;
    if let Some(skew) = f[5].strip_prefix("@sign") {
        // A genuine signature by the listed server key over the given fields.
        let ts: i64 = T0.saturating_add(skew.trim().parse().unwrap_or(0));
        let nonce = headers[2].1.clone().unwrap_or_default();
        let msg = canonical_response(ts, &nonce, request_nonce.as_deref(), status, body);
        headers[0].1 = Some(k.server.key_id());
        headers[1].1 = Some(ts.to_string());
        headers[3].1 = Some(B64.encode(k.server.sign(msg.as_bytes()).unwrap()));
        genuine = true;
    }
    let lookup = |name: &'static str| {
        headers
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| v.as_deref())
    };
    let first = verifier.verify_headers(request_nonce.as_deref(), status, lookup, body);
    match &first {
        Ok(v) => {
            assert!(
                genuine,
                "a response the harness did not sign verified: {v:?}"
            );
            assert_eq!(v.status, status);
            assert_eq!(v.key_id, k.server.key_id());
            assert!(
                matches!(
                    verifier.verify_headers(request_nonce.as_deref(), status, lookup, body),
                    Err(SignError::NonceReplayed(_))
                ),
                "a verified answer verified twice"
            );
            let fresh = ResponseVerifier::new(
                vec![PinnedRoot {
                    key_id: k.root.key_id(),
                    public_key: k.root.public_key(),
                }],
                Arc::new(ManualClock::new(T0)),
            );
            fresh.install_key_set(&k.signed_set).unwrap();
            let other = format!(
                "{}x",
                request_nonce.as_deref().unwrap_or("0123456789abcdef")
            );
            assert!(
                fresh
                    .verify_headers(Some(&other), status, lookup, body)
                    .is_err(),
                "an answer verified for another request"
            );
            true
        }
        Err(SignError::Unsigned { .. })
        | Err(SignError::MalformedHeader { .. })
        | Err(SignError::UnknownKeyId(_))
        | Err(SignError::KeyNotValid { .. })
        | Err(SignError::SignatureInvalid)
        | Err(SignError::TimestampSkew { .. })
        | Err(SignError::NonceReplayed(_))
        | Err(SignError::NonceCacheFull) => false,
        Err(e) => panic!("unexpected error kind for a response: {e:?}"),
    }
}

fn request(f: &[String], body: &[u8]) -> bool {
    let k = keys();
    let (method, target) = (f[2].as_str(), f[3].as_str());
    let (header, genuine) = match f[1].strip_prefix("@sign") {
        Some(skew) => {
            let ts = T0.saturating_add(skew.trim().parse().unwrap_or(0));
            let nonce = "0123456789abcdef0123456789abcdef".to_string();
            let msg = canonical_request(method, target, ts, &nonce, body);
            let auth = Authorization {
                key_id: k.device.key_id(),
                timestamp: ts,
                nonce,
                signature: k.device.sign(msg.as_bytes()).unwrap(),
            };
            (auth.to_header_value(), true)
        }
        None => (f[1].clone(), false),
    };
    let auth = match Authorization::parse(&header) {
        Ok(a) => a,
        Err(SignError::MalformedAuthorization(_)) => return false,
        Err(e) => panic!("unexpected error kind for a header: {e:?}"),
    };
    assert_eq!(
        Authorization::parse(&auth.to_header_value()).as_ref(),
        Ok(&auth),
        "a parsed header does not round-trip"
    );
    let v = RequestVerifier::default();
    let pk = k.device.public_key();
    match v.verify(&auth, &pk, method, target, body, T0) {
        Ok(()) => {
            assert!(
                genuine,
                "a request the harness did not sign verified: {auth:?}"
            );
            assert!(
                matches!(
                    v.verify(&auth, &pk, method, target, body, T0),
                    Err(SignError::NonceReplayed(_))
                ),
                "a verified request verified twice"
            );
            true
        }
        Err(SignError::SignatureInvalid)
        | Err(SignError::TimestampSkew { .. })
        | Err(SignError::NonceReplayed(_))
        | Err(SignError::NonceCacheFull) => false,
        Err(e) => panic!("unexpected error kind for a request: {e:?}"),
    }
}

/// Runs one input; returns whether the answer or request verified.
pub fn run(data: &[u8]) -> bool {
    match data.first() {
        Some(b'R') => fields(data, 7).is_some_and(|(f, body)| response(&f, body)),
        Some(b'Q') => fields(data, 4).is_some_and(|(f, body)| request(&f, body)),
        _ => false,
    }
}
