//! Who holds the private key: the app (Keystore / Secure Enclave) or `SoftwareSigner` on ring.

use super::SignError;
use ring::signature::{UnparsedPublicKey, ECDSA_P256_SHA256_ASN1};
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

/// Verifies a DER ECDSA P-256/SHA-256 signature with an uncompressed SEC1 public key.
pub fn verify_signature(public_key: &[u8], message: &[u8], der: &[u8]) -> Result<(), SignError> {
    UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, public_key)
        .verify(message, der)
        .map_err(|_| SignError::SignatureInvalid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::SoftwareSigner;

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
