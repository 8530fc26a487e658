//! Who holds the private key: the app (Keystore / Secure Enclave) or `SoftwareSigner` on ring.

use super::SignError;
use ring::rand::SystemRandom;
use ring::signature::{
    EcdsaKeyPair, KeyPair, UnparsedPublicKey, ECDSA_P256_SHA256_ASN1,
    ECDSA_P256_SHA256_ASN1_SIGNING,
};
use std::fmt;
use std::future::{ready, Future};
use std::pin::Pin;

/// An ECDSA P-256 / SHA-256 signing key that answers at once: a key in process memory (tests,
/// the sandbox's server keys, the QA CLI). Object-safe and `Send + Sync`.
pub trait Signer: Send + Sync {
    /// The id under which the verifier knows the public key.
    fn key_id(&self) -> String;
    /// The 65-byte uncompressed SEC1 public key (for device registration).
    fn public_key(&self) -> Vec<u8>;
    /// ASN.1 DER ECDSA P-256 signature over SHA-256 of `message`.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError>;
}

/// The future [`AsyncSigner::sign_async`] returns.
pub type SignFuture<'a> = Pin<Box<dyn Future<Output = Result<Vec<u8>, SignError>> + Send + 'a>>;

/// The device key the payment flow signs requests with. Signing may take seconds: a Keystore key
/// that needs BiometricPrompt, a Secure Enclave key behind Face ID. Id and public key never need
/// the user, so they stay synchronous. Every [`Signer`] is one (answering at once).
///
/// The method names differ from [`Signer`]'s so that a type implementing both is never ambiguous.
pub trait AsyncSigner: Send + Sync {
    /// The id under which the switch knows the public key.
    fn signer_key_id(&self) -> String;
    /// The 65-byte uncompressed SEC1 public key (for device registration).
    fn signer_public_key(&self) -> Vec<u8>;
    /// ASN.1 DER ECDSA P-256 signature over SHA-256 of `message`. A user who dismisses the
    /// prompt is `SignError::SignerCancelled`; any other refusal `SignError::SignerFailed`.
    fn sign_async<'a>(&'a self, message: &'a [u8]) -> SignFuture<'a>;
}

impl<T: Signer + ?Sized> AsyncSigner for T {
    fn signer_key_id(&self) -> String {
        self.key_id()
    }
    fn signer_public_key(&self) -> Vec<u8> {
        self.public_key()
    }
    fn sign_async<'a>(&'a self, message: &'a [u8]) -> SignFuture<'a> {
        Box::pin(ready(self.sign(message)))
    }
}

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

/// Verifies a DER ECDSA P-256/SHA-256 signature with an uncompressed SEC1 public key.
pub fn verify_signature(public_key: &[u8], message: &[u8], der: &[u8]) -> Result<(), SignError> {
    UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, public_key)
        .verify(message, der)
        .map_err(|_| SignError::SignatureInvalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn software_signature_verifies_with_its_public_key() {
        let s = SoftwareSigner::generate("k").unwrap();
        let sig = s.sign(b"hello").unwrap();
        assert_eq!(sig[0], 0x30, "DER sequence");
        verify_signature(&s.public_key(), b"hello", &sig).unwrap();
    }

    #[test]
    fn signature_does_not_verify_for_another_message() {
        let s = SoftwareSigner::generate("k").unwrap();
        let sig = s.sign(b"hello").unwrap();
        assert_eq!(
            verify_signature(&s.public_key(), b"hellO", &sig),
            Err(SignError::SignatureInvalid)
        );
    }

    #[test]
    fn signature_does_not_verify_with_another_key() {
        let a = SoftwareSigner::generate("a").unwrap();
        let b = SoftwareSigner::generate("b").unwrap();
        let sig = a.sign(b"m").unwrap();
        assert!(verify_signature(&b.public_key(), b"m", &sig).is_err());
    }

    #[test]
    fn key_survives_a_pkcs8_round_trip() {
        let a = SoftwareSigner::generate("a").unwrap();
        let b = SoftwareSigner::from_pkcs8("a", a.pkcs8()).unwrap();
        assert_eq!(a.public_key(), b.public_key());
        assert_eq!(b.public_key().len(), 65);
    }

    #[test]
    fn rejects_pkcs8_that_is_not_a_p256_key() {
        assert!(matches!(
            SoftwareSigner::from_pkcs8("x", b"not a key"),
            Err(SignError::KeyRejected(_))
        ));
    }

    #[test]
    fn debug_output_holds_no_key_material() {
        let s = SoftwareSigner::generate("dev-9").unwrap();
        let d = format!("{s:?}");
        assert!(d.contains("dev-9") && !d.contains("pkcs8") && !d.contains("pair"));
    }

    #[test]
    fn signer_is_object_safe_and_shareable() {
        fn takes(_: std::sync::Arc<dyn Signer>) {}
        takes(std::sync::Arc::new(SoftwareSigner::generate("k").unwrap()));
    }

    #[test]
    fn every_signer_is_an_async_signer_giving_the_same_key_and_a_valid_signature() {
        let s = std::sync::Arc::new(SoftwareSigner::generate("k").unwrap());
        let a: std::sync::Arc<dyn AsyncSigner> = s.clone();
        assert_eq!(a.signer_key_id(), "k");
        assert_eq!(a.signer_public_key(), s.public_key());
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let sig = rt.block_on(a.sign_async(b"m")).unwrap();
        verify_signature(&s.public_key(), b"m", &sig).unwrap();
    }
}
