//! Key-set updates (protocol §3.4) as the SDK installs them from `GET /v1/keys`: a sequence of
//! signed key sets through `ResponseVerifier::install_key_set`. Checks: typed errors only; only a
//! set the pinned root signed is installed; the held version never goes back; a refused set
//! changes nothing; and after every step an answer signed by the harness's server key verifies
//! exactly when the held set lists that key, with its public key, valid now.
//!
//! Input: steps separated by a line `---`; the first byte of a step says who signs the rest:
//! `S` the pinned root, `U` a root that is not pinned, `F` a forger using the pinned root's id,
//! `W` nobody (the rest is the wire JSON `{"key_set", "root_key_id", "signature"}` itself).
//! `$SERVER_KEY` in a step stands for the base64 public key of the harness's server key `srv-1`.
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use hutong_core::sign::{
    KeySet, ManualClock, PinnedRoot, ResponseVerifier, SignError, SignedKeySet, Signer,
    SoftwareSigner, KEY_SET_DOMAIN,
};
use hutong_protocol::sign_response;
use std::sync::{Arc, OnceLock};

const T0: i64 = 1_764_052_800;
const MAX_STEPS: usize = 8;

struct Keys {
    root: SoftwareSigner,
    other_root: SoftwareSigner,
    forger: SoftwareSigner,
    server: SoftwareSigner,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| Keys {
        root: SoftwareSigner::generate("root-1").unwrap(),
        other_root: SoftwareSigner::generate("root-2").unwrap(),
        forger: SoftwareSigner::generate("root-1").unwrap(),
        server: SoftwareSigner::generate("srv-1").unwrap(),
    })
}

fn signed_by(root: &SoftwareSigner, set_bytes: &[u8]) -> SignedKeySet {
    let mut msg = KEY_SET_DOMAIN.to_vec();
    msg.extend_from_slice(set_bytes);
    SignedKeySet {
        key_set: B64.encode(set_bytes),
        root_key_id: root.key_id(),
        signature: B64.encode(root.sign(&msg).unwrap()),
    }
}

/// Whether the held set should let an answer by `srv-1` through at `T0`.
fn lists_server(set: Option<&KeySet>, server_public: &[u8]) -> bool {
    set.and_then(|s| s.keys.iter().find(|k| k.key_id == "srv-1"))
        .is_some_and(|k| {
            B64.decode(&k.public_key)
                .is_ok_and(|pk| pk == server_public)
                && k.not_before <= T0
                && T0 <= k.not_after
        })
}

/// Runs one input; returns the version of the key set held at the end.
pub fn run(data: &[u8]) -> Option<u64> {
    let k = keys();
    let server_public = k.server.public_key();
    let server_b64 = B64.encode(&server_public);
    let verifier = ResponseVerifier::new(
        vec![PinnedRoot {
            key_id: k.root.key_id(),
            public_key: k.root.public_key(),
        }],
        Arc::new(ManualClock::new(T0)),
    );
    let text = String::from_utf8_lossy(data).replace("$SERVER_KEY", &server_b64);
    let mut held: Option<KeySet> = None;
    for step in text.split("\n---\n").take(MAX_STEPS) {
        let Some(mode) = step.chars().next() else {
            continue;
        };
        let rest = &step[mode.len_utf8()..];
        let signed = match mode {
            'S' => signed_by(&k.root, rest.as_bytes()),
            'U' => signed_by(&k.other_root, rest.as_bytes()),
            'F' => signed_by(&k.forger, rest.as_bytes()),
            'W' => match serde_json::from_str::<SignedKeySet>(rest) {
                Ok(s) => s,
                Err(_) => continue,
            },
            _ => continue,
        };
        let version_before = verifier.key_set_version();
        match verifier.install_key_set(&signed) {
            Ok(v) => {
                assert_eq!(
                    mode, 'S',
                    "a set the pinned root did not sign was installed"
                );
                assert!(
                    version_before.is_none_or(|b| v >= b),
                    "version went back from {version_before:?} to {v}"
                );
                assert_eq!(verifier.key_set_version(), Some(v));
                held = Some(serde_json::from_str(rest).expect("an installed set parses"));
            }
            Err(e) => {
                assert_eq!(
                    verifier.key_set_version(),
                    version_before,
                    "a refused set changed the held one ({e})"
                );
                match (mode, &e) {
                    ('U', SignError::UnknownRootKey(_)) => {}
                    ('F', SignError::KeySetSignatureInvalid) => {}
                    ('U' | 'F', other) => {
                        panic!("{mode} step refused for the wrong reason: {other}")
                    }
                    (_, SignError::MalformedKeySet(_))
                    | (_, SignError::UnknownRootKey(_))
                    | (_, SignError::KeySetSignatureInvalid)
                    | (_, SignError::KeySetRollback { .. }) => {}
                    (_, other) => panic!("unexpected error kind for a key set: {other:?}"),
                }
            }
        }
        let sig = sign_response(&k.server, T0, Some("0123456789abcdef"), 200, b"{}").unwrap();
        let verified = verifier.verify(Some("0123456789abcdef"), 200, &sig, b"{}");
        let expected = lists_server(held.as_ref(), &server_public);
        assert_eq!(
            verified.is_ok(),
            expected,
            "answer by srv-1: {verified:?}, held set: {held:?}"
        );
        if !expected {
            assert!(
                matches!(
                    verified,
                    Err(SignError::NoKeySet
                        | SignError::UnknownKeyId(_)
                        | SignError::KeyNotValid { .. }
                        | SignError::SignatureInvalid)
                ),
                "unexpected error kind: {verified:?}"
            );
        }
    }
    verifier.key_set_version()
}
