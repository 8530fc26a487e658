//! Setup codes: what a phone needs to pay against this sandbox (endpoint, certificate pin, CA
//! certificate, response-signing root key) as one text the QA console draws as a QR code, so
//! the sample apps are configured by scanning instead of typing. The format (docs/qa-console.md,
//! "Setup code"), one `key=value` per line after a fixed first line:
//!
//! ```text
//! HUTONG-SETUP:1
//! endpoint=https://192.168.1.10:8443
//! pin=sha256/<64 hex digits: SHA-256 of the certificate's SubjectPublicKeyInfo>
//! root=<root key id>:<base64 of the 65-byte uncompressed P-256 public key>
//! ca=<base64 of the certificate, DER>
//! ```
//!
//! The pin is written exactly as the sandbox prints it and `PaymentsConfig.spki_pins` reads it;
//! the root key as `hutong-qa pay --root-key` takes it. Readers ignore keys they do not know.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use hutong_core::transport::spki_sha256;
use std::sync::Arc;

use crate::SandboxState;

/// The first line of every setup code; the number is the format's version.
pub const SETUP_HEADER: &str = "HUTONG-SETUP:1";

/// The text of a setup code.
pub fn encode(
    endpoint: &str,
    spki_pin: &str,
    root_key_id: &str,
    root_public_key: &[u8],
    cert_der: &[u8],
) -> String {
    [
        SETUP_HEADER.to_owned(),
        format!("endpoint={endpoint}"),
        format!("pin={spki_pin}"),
        format!("root={root_key_id}:{}", B64.encode(root_public_key)),
        format!("ca={}", B64.encode(cert_der)),
    ]
    .join("\n")
}

/// `https://host:port`, with an IPv6 address in brackets.
pub fn endpoint(scheme: &str, host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("{scheme}://[{host}]:{port}")
    } else {
        format!("{scheme}://{host}:{port}")
    }
}

/// What a running sandbox hands the console to build setup codes from (an axum extension on
/// every route, set by [`crate::start`]).
#[derive(Clone)]
pub struct SetupSource {
    pub(crate) state: Arc<SandboxState>,
    /// The certificate's names, `--name`s first: a phone can reach the sandbox only by one of
    /// them, since TLS checks the name.
    pub(crate) names: Vec<String>,
    pub(crate) port: u16,
    pub(crate) cert_der: Vec<u8>,
    pub(crate) plain_http: bool,
}

/// A host the certificate does not name: a phone given it would fail the TLS check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownHost(pub String);

impl SetupSource {
    /// Names a phone can use, the most useful first (the `--name`s given for the LAN).
    pub fn hosts(&self) -> &[String] {
        &self.names
    }

    /// The setup code for `host` (default: the first name), with the endpoint it names.
    pub fn code(&self, host: Option<&str>) -> Result<(String, String), UnknownHost> {
        let host = match host {
            None => self.names.first().map_or("127.0.0.1", String::as_str),
            Some(h) => self
                .names
                .iter()
                .find(|n| n.eq_ignore_ascii_case(h.trim()))
                .map(String::as_str)
                .ok_or_else(|| UnknownHost(h.to_owned()))?,
        };
        let scheme = if self.plain_http { "http" } else { "https" };
        let endpoint = endpoint(scheme, host, self.port);
        let pin = spki_sha256(&self.cert_der)
            .map(|p| format!("sha256/{}", p.to_hex()))
            .unwrap_or_default();
        let root = self.state.root();
        let text = encode(
            &endpoint,
            &pin,
            &root.key_id,
            &root.public_key,
            &self.cert_der,
        );
        Ok((text, endpoint))
    }
}

/// The certificate's names in the order a phone should prefer them: extra names (given for the
/// LAN) first, then the loopback names (an emulator or a phone over `adb reverse`).
pub(crate) fn preferred_names(extra_names: &[String]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for n in extra_names
        .iter()
        .map(|n| n.to_ascii_lowercase())
        .chain(["127.0.0.1".to_owned(), "localhost".to_owned()])
    {
        if !names.contains(&n) {
            names.push(n);
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_one_key_per_line_after_the_header() {
        let text = encode(
            "https://10.0.0.2:8443",
            "sha256/ab",
            "root-1",
            &[4, 1, 2],
            &[0x30, 0x82],
        );
        assert_eq!(
            text,
            "HUTONG-SETUP:1\nendpoint=https://10.0.0.2:8443\npin=sha256/ab\nroot=root-1:BAEC\nca=MII="
        );
    }

    #[test]
    fn brackets_ipv6_hosts_and_prefers_the_lan_names() {
        assert_eq!(endpoint("https", "fe80::1", 8443), "https://[fe80::1]:8443");
        assert_eq!(
            preferred_names(&["Laptop.local".into(), "127.0.0.1".into()]),
            ["laptop.local", "127.0.0.1", "localhost"]
        );
    }
}
