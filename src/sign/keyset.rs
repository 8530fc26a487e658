//! The server's response-signing keys, published as a set signed by a pinned root key.

use super::{verify_signature, SignError, Signer};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

/// Domain-separation prefix of the root signature, so a key-set signature can never be mistaken
/// for a request or response signature.
pub const KEY_SET_DOMAIN: &[u8] = b"HUTONG-KEYSET-V1\n";

/// Largest key set we accept (bytes of JSON); a real set holds two or three keys.
const MAX_KEY_SET_LEN: usize = 16 * 1024;

/// One response-signing key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySetEntry {
    pub key_id: String,
    pub alg: String,
    /// Base64 of the 65-byte uncompressed SEC1 point.
    pub public_key: String,
    pub not_before: i64,
    pub not_after: i64,
}

/// The decoded content of `SignedKeySet::key_set` (protocol §3.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeySet {
    pub version: u64,
    pub issued_at: i64,
    pub keys: Vec<KeySetEntry>,
}

impl KeySet {
    /// The entry for `key_id` with its decoded public key, if the set holds it.
    pub fn key(&self, key_id: &str) -> Option<(&KeySetEntry, Vec<u8>)> {
        let entry = self.keys.iter().find(|k| k.key_id == key_id)?;
        let raw = B64.decode(&entry.public_key).ok()?;
        Some((entry, raw))
    }

    /// An entry for a signer's key, valid over `[not_before, not_after]`.
    pub fn entry_for(signer: &dyn Signer, not_before: i64, not_after: i64) -> KeySetEntry {
        KeySetEntry {
            key_id: signer.key_id(),
            alg: "ES256".into(),
            public_key: B64.encode(signer.public_key()),
            not_before,
            not_after,
        }
    }

    fn validate(&self) -> Result<(), SignError> {
        let bad = |why: String| SignError::MalformedKeySet(why);
        if self.keys.is_empty() {
            return Err(bad("no keys".into()));
        }
        for (i, k) in self.keys.iter().enumerate() {
            if k.alg != "ES256" {
                return Err(bad(format!("key `{}` has alg `{}`", k.key_id, k.alg)));
            }
            let raw = B64
                .decode(&k.public_key)
                .map_err(|_| bad(format!("key `{}` is not base64", k.key_id)))?;
            if raw.len() != 65 || raw[0] != 0x04 {
                return Err(bad(format!(
                    "key `{}` is not an uncompressed P-256 point",
                    k.key_id
                )));
            }
            if k.not_after < k.not_before {
                return Err(bad(format!("key `{}` expires before it starts", k.key_id)));
            }
            if self.keys[..i].iter().any(|o| o.key_id == k.key_id) {
                return Err(bad(format!("key `{}` appears twice", k.key_id)));
            }
        }
        Ok(())
    }
}

/// A root public key compiled into the SDK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinnedRoot {
    pub key_id: String,
    /// 65-byte uncompressed SEC1 point.
    pub public_key: Vec<u8>,
}

/// The wire form of `GET /v1/keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedKeySet {
    /// Base64 of the exact key-set JSON bytes that the root signed.
    pub key_set: String,
    pub root_key_id: String,
    /// Base64 DER root signature over `KEY_SET_DOMAIN || key_set bytes`.
    pub signature: String,
}

impl SignedKeySet {
    /// Serialises and signs `set` with `root` (the switch's offline root; the sandbox's in-memory one).
    pub fn sign(set: &KeySet, root: &dyn Signer) -> Result<Self, SignError> {
        let bytes =
            serde_json::to_vec(set).map_err(|e| SignError::MalformedKeySet(e.to_string()))?;
        let mut msg = KEY_SET_DOMAIN.to_vec();
        msg.extend_from_slice(&bytes);
        Ok(SignedKeySet {
            key_set: B64.encode(&bytes),
            root_key_id: root.key_id(),
            signature: B64.encode(root.sign(&msg)?),
        })
    }

    /// Checks the root signature against the pinned roots and decodes the set.
    pub fn verify(&self, roots: &[PinnedRoot]) -> Result<KeySet, SignError> {
        let root = roots
            .iter()
            .find(|r| r.key_id == self.root_key_id)
            .ok_or_else(|| SignError::UnknownRootKey(self.root_key_id.clone()))?;
        let bytes = B64
            .decode(&self.key_set)
            .map_err(|_| SignError::MalformedKeySet("key_set is not base64".into()))?;
        if bytes.len() > MAX_KEY_SET_LEN {
            return Err(SignError::MalformedKeySet("key set too large".into()));
        }
        let sig = B64
            .decode(&self.signature)
            .map_err(|_| SignError::MalformedKeySet("signature is not base64".into()))?;
        let mut msg = KEY_SET_DOMAIN.to_vec();
        msg.extend_from_slice(&bytes);
        verify_signature(&root.public_key, &msg, &sig)
            .map_err(|_| SignError::KeySetSignatureInvalid)?;
        let set: KeySet = serde_json::from_slice(&bytes)
            .map_err(|e| SignError::MalformedKeySet(e.to_string()))?;
        set.validate()?;
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::SoftwareSigner;

    fn root() -> SoftwareSigner {
        SoftwareSigner::generate("root-1").unwrap()
    }

    fn pin(s: &SoftwareSigner) -> Vec<PinnedRoot> {
        vec![PinnedRoot {
            key_id: s.key_id(),
            public_key: s.public_key(),
        }]
    }

    fn set_with(server: &SoftwareSigner, version: u64) -> KeySet {
        KeySet {
            version,
            issued_at: 100,
            keys: vec![KeySet::entry_for(server, 0, 10_000)],
        }
    }

    #[test]
    fn key_set_signed_by_the_pinned_root_verifies() {
        let r = root();
        let srv = SoftwareSigner::generate("srv-1").unwrap();
        let signed = SignedKeySet::sign(&set_with(&srv, 1), &r).unwrap();
        let set = signed.verify(&pin(&r)).unwrap();
        assert_eq!(set.key("srv-1").unwrap().1, srv.public_key());
    }

    #[test]
    fn key_set_signed_by_another_root_with_the_pinned_id_is_refused() {
        let r = root();
        let impostor = SoftwareSigner::generate("root-1").unwrap();
        let srv = SoftwareSigner::generate("srv-1").unwrap();
        let signed = SignedKeySet::sign(&set_with(&srv, 1), &impostor).unwrap();
        assert_eq!(
            signed.verify(&pin(&r)),
            Err(SignError::KeySetSignatureInvalid)
        );
    }

    #[test]
    fn key_set_from_an_unpinned_root_is_refused() {
        let r = root();
        let other = SoftwareSigner::generate("root-x").unwrap();
        let srv = SoftwareSigner::generate("srv-1").unwrap();
        let signed = SignedKeySet::sign(&set_with(&srv, 1), &other).unwrap();
        assert_eq!(
            signed.verify(&pin(&r)),
            Err(SignError::UnknownRootKey("root-x".into()))
        );
    }

    #[test]
    fn key_set_with_a_swapped_key_fails_the_root_signature() {
        let r = root();
        let srv = SoftwareSigner::generate("srv-1").unwrap();
        let attacker = SoftwareSigner::generate("srv-1").unwrap();
        let mut signed = SignedKeySet::sign(&set_with(&srv, 1), &r).unwrap();
        signed.key_set = B64.encode(serde_json::to_vec(&set_with(&attacker, 1)).unwrap());
        assert_eq!(
            signed.verify(&pin(&r)),
            Err(SignError::KeySetSignatureInvalid)
        );
    }

    #[test]
    fn signed_key_set_with_a_bad_public_key_is_malformed() {
        let r = root();
        let set = KeySet {
            version: 1,
            issued_at: 0,
            keys: vec![KeySetEntry {
                key_id: "k".into(),
                alg: "ES256".into(),
                public_key: B64.encode([4u8; 10]),
                not_before: 0,
                not_after: 1,
            }],
        };
        let signed = SignedKeySet::sign(&set, &r).unwrap();
        assert!(matches!(
            signed.verify(&pin(&r)),
            Err(SignError::MalformedKeySet(_))
        ));
    }
}
