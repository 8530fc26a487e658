//! SPKI SHA-256 pinning on top of ordinary chain validation: a pin narrows trust, never widens it.
//! The verifier is the built-in transport's (feature `https`); an app's own transport pins with
//! the platform (OkHttp's `CertificatePinner`, a URLSession delegate).

#[cfg(feature = "https")]
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
#[cfg(feature = "https")]
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
#[cfg(feature = "https")]
use rustls::{DigitallySignedStruct, Error as TlsError, SignatureScheme};
use std::fmt;
#[cfg(feature = "https")]
use std::sync::Arc;

/// The SHA-256 of a DER `SubjectPublicKeyInfo`, as in HPKP and OkHttp's `sha256/...` pins.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SpkiPin(pub [u8; 32]);

impl SpkiPin {
    /// Parses a pin written as 64 hex digits, optionally prefixed with `sha256/`.
    pub fn parse_hex(text: &str) -> Option<SpkiPin> {
        let t = text.trim();
        let t = t.strip_prefix("sha256/").unwrap_or(t);
        if t.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, chunk) in t.as_bytes().chunks(2).enumerate() {
            let s = std::str::from_utf8(chunk).ok()?;
            out[i] = u8::from_str_radix(s, 16).ok()?;
        }
        Some(SpkiPin(out))
    }

    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl fmt::Debug for SpkiPin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SpkiPin(sha256/{})", self.to_hex())
    }
}

/// The pin of a DER certificate's public key; `None` if the certificate does not parse.
#[cfg(feature = "https")]
pub fn spki_sha256(cert_der: &[u8]) -> Option<SpkiPin> {
    let der = CertificateDer::from(cert_der);
    let cert = webpki::EndEntityCert::try_from(&der).ok()?;
    let spki = cert.subject_public_key_info();
    let digest = ring::digest::digest(&ring::digest::SHA256, spki.as_ref());
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    Some(SpkiPin(out))
}

/// Validates the chain with `inner`, then requires the leaf key to match one of `pins` (if any).
#[cfg(feature = "https")]
#[derive(Debug)]
pub(super) struct PinningVerifier {
    pub(super) inner: Arc<dyn ServerCertVerifier>,
    pub(super) pins: Vec<SpkiPin>,
}

#[cfg(feature = "https")]
impl ServerCertVerifier for PinningVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, TlsError> {
        let verified = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )?;
        if self.pins.is_empty() {
            return Ok(verified);
        }
        match spki_sha256(end_entity.as_ref()) {
            Some(pin) if self.pins.contains(&pin) => Ok(verified),
            _ => Err(TlsError::General(
                "server public key matches no pinned SPKI SHA-256".into(),
            )),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hex_pins_with_or_without_prefix() {
        let hex = "ab".repeat(32);
        assert_eq!(SpkiPin::parse_hex(&hex), Some(SpkiPin([0xab; 32])));
        assert_eq!(
            SpkiPin::parse_hex(&format!("sha256/{hex}")),
            Some(SpkiPin([0xab; 32]))
        );
    }

    #[test]
    fn rejects_pins_of_the_wrong_length_or_alphabet() {
        assert_eq!(SpkiPin::parse_hex("abcd"), None);
        assert_eq!(SpkiPin::parse_hex(&"zz".repeat(32)), None);
        assert_eq!(SpkiPin::parse_hex(&"é".repeat(32)), None);
    }

    #[cfg(feature = "https")]
    #[test]
    fn garbage_certificate_has_no_pin() {
        assert_eq!(spki_sha256(b"not a certificate"), None);
        assert_eq!(spki_sha256(&[]), None);
    }
}
