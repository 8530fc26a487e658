//! A signing key held in this process (feature `software-keys`): the QA CLI, the sandbox and
//! tests. An app signs in Keystore / Secure Enclave through the foreign `Signer` instead.

use super::{SignError, Signer};
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use std::fmt;

/// A P-256 key held in process memory: tests, the sandbox and the QA CLI.
pub struct SoftwareSigner {
    key_id: String,
    pair: EcdsaKeyPair,
    pkcs8: Vec<u8>,
    rng: SystemRandom,
}

impl fmt::Debug for SoftwareSigner {
    // Never print key material.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SoftwareSigner")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl SoftwareSigner {
    /// A fresh random key.
    pub fn generate(key_id: impl Into<String>) -> Result<Self, SignError> {
        let rng = SystemRandom::new();
        let doc = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
            .map_err(|_| SignError::KeyRejected("key generation failed".into()))?;
        Self::from_pkcs8(key_id, doc.as_ref())
    }

    /// A key from a PKCS#8 v1/v2 document (as `generate` or `pkcs8()` produce).
    pub fn from_pkcs8(key_id: impl Into<String>, pkcs8: &[u8]) -> Result<Self, SignError> {
        let rng = SystemRandom::new();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8, &rng)
            .map_err(|e| SignError::KeyRejected(e.to_string()))?;
        Ok(SoftwareSigner {
            key_id: key_id.into(),
            pair,
            pkcs8: pkcs8.to_vec(),
            rng,
        })
    }

    /// The PKCS#8 document, to persist the key (the QA CLI keeps its device key in a file).
    pub fn pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }
}

impl Signer for SoftwareSigner {
    fn key_id(&self) -> String {
        self.key_id.clone()
    }
    fn public_key(&self) -> Vec<u8> {
        self.pair.public_key().as_ref().to_vec()
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        self.pair
            .sign(&self.rng, message)
            .map(|s| s.as_ref().to_vec())
            .map_err(|_| SignError::SignerFailed("ring refused to sign".into()))
    }
}
