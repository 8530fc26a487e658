//! The default transport: reqwest over rustls with the ring provider (no OpenSSL, no aws-lc).

use super::pin::{PinningVerifier, SpkiPin};
use super::{Method, Request, Response, SendFuture, Transport, TransportError};
use rustls::client::danger::ServerCertVerifier;
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::RootCertStore;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// Where the switch is and how far to trust it.
#[derive(Debug, Clone)]
pub struct TlsOptions {
    /// `https://host:port` (no trailing path); request targets are appended to it.
    pub endpoint: String,
    /// PEM certificates to trust instead of the platform's roots (the sandbox's self-signed one).
    pub ca_pem: Option<Vec<u8>>,
    /// If not empty, the leaf's public key must match one of these (primary + backup).
    pub spki_pins: Vec<SpkiPin>,
    pub connect_timeout: Duration,
    /// Whole-request timeout: connect, send and read the answer.
    pub request_timeout: Duration,
    pub max_response_bytes: usize,
}

impl TlsOptions {
    pub fn new(endpoint: impl Into<String>) -> Self {
        TlsOptions {
            endpoint: endpoint.into(),
            ca_pem: None,
            spki_pins: Vec::new(),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(15),
            max_response_bytes: 256 * 1024,
        }
    }
}

/// The ring provider, installed as the process default once so every rustls user agrees.
pub(crate) fn ring_provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| {
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            // Another component may have installed one first; ours is still used explicitly below.
            let _ = CryptoProvider::install_default(provider.as_ref().clone());
            provider
        })
        .clone()
}

/// reqwest + rustls(ring), TLS 1.2 and 1.3 only, custom roots and SPKI pins.
#[derive(Debug, Clone)]
pub struct HttpsTransport {
    client: reqwest::Client,
    endpoint: String,
    max_response_bytes: usize,
}

impl HttpsTransport {
    pub fn new(options: &TlsOptions) -> Result<HttpsTransport, TransportError> {
        let endpoint = options.endpoint.trim_end_matches('/').to_string();
        if !endpoint.starts_with("https://") {
            return Err(TransportError::Config(format!(
                "endpoint `{endpoint}` is not https://"
            )));
        }
        let provider = ring_provider();
        let inner: Arc<dyn ServerCertVerifier> = match &options.ca_pem {
            Some(pem) => {
                let mut roots = RootCertStore::empty();
                let mut n = 0;
                for cert in CertificateDer::pem_slice_iter(pem) {
                    let cert = cert
                        .map_err(|e| TransportError::Config(format!("CA certificate PEM: {e}")))?;
                    roots
                        .add(cert)
                        .map_err(|e| TransportError::Config(format!("CA certificate: {e}")))?;
                    n += 1;
                }
                if n == 0 {
                    return Err(TransportError::Config("CA PEM holds no certificate".into()));
                }
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                    .build()
                    .map_err(|e| TransportError::Config(format!("CA roots: {e}")))?
            }
            None => Arc::new(
                rustls_platform_verifier::Verifier::new(provider.clone())
                    .map_err(|e| TransportError::Config(format!("platform roots: {e}")))?,
            ),
        };
        let verifier = Arc::new(PinningVerifier {
            inner,
            pins: options.spki_pins.clone(),
        });
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(|e| TransportError::Config(format!("TLS versions: {e}")))?
            .dangerous() // only to plug in the verifier above, which is stricter than the default
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .https_only(true)
            .no_proxy()
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| TransportError::Config(e.to_string()))?;
        Ok(HttpsTransport {
            client,
            endpoint,
            max_response_bytes: options.max_response_bytes,
        })
    }

    async fn send_inner(&self, req: &Request) -> Result<Response, TransportError> {
        let url = format!("{}{}", self.endpoint, req.target);
        let method = match req.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
        };
        let mut builder = self.client.request(method, url);
        for (k, v) in &req.headers {
            builder = builder.header(k.as_str(), v.as_str());
        }
        if req.method == Method::Post {
            builder = builder.body(req.body.clone());
        }
        let mut resp = builder.send().await.map_err(classify)?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
            .collect();
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(classify)? {
            if body.len().saturating_add(chunk.len()) > self.max_response_bytes {
                return Err(TransportError::BodyTooLarge {
                    limit: self.max_response_bytes,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

impl Transport for HttpsTransport {
    fn send<'a>(&'a self, request: &'a Request) -> SendFuture<'a> {
        Box::pin(self.send_inner(request))
    }
}

/// Sorts a reqwest failure into "nothing was sent" versus "it may have arrived".
fn classify(e: reqwest::Error) -> TransportError {
    let text = error_chain(&e);
    if e.is_timeout() {
        return TransportError::Timeout;
    }
    if e.is_connect() {
        if has_source::<rustls::Error>(&e) {
            return TransportError::Tls(text);
        }
        return TransportError::Connect(text);
    }
    if e.is_builder() {
        return TransportError::Config(text);
    }
    TransportError::Io(text)
}

fn has_source<T: std::error::Error + 'static>(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if err.is::<T>() {
            return true;
        }
        // rustls errors reach us wrapped in io::Error.
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            if io.get_ref().is_some_and(|inner| inner.is::<T>()) {
                return true;
            }
        }
        cur = err.source();
    }
    false
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(err) = cur {
        out.push_str(": ");
        out.push_str(&err.to_string());
        cur = err.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_plain_http_endpoint() {
        let err = HttpsTransport::new(&TlsOptions::new("http://127.0.0.1:1")).unwrap_err();
        assert!(matches!(err, TransportError::Config(_)));
    }

    #[test]
    fn refuses_a_ca_file_without_certificates() {
        let mut o = TlsOptions::new("https://127.0.0.1:1");
        o.ca_pem = Some(b"hello".to_vec());
        assert!(matches!(
            HttpsTransport::new(&o),
            Err(TransportError::Config(_))
        ));
    }

    #[tokio::test]
    async fn refused_connection_is_known_not_to_have_arrived() {
        // Bind then drop a listener: the port is free and nothing listens on it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let t = HttpsTransport::new(&TlsOptions::new(format!("https://127.0.0.1:{port}"))).unwrap();
        let req = Request {
            method: Method::Get,
            target: "/v1/keys".into(),
            headers: vec![],
            body: vec![],
        };
        let err = t.send(&req).await.unwrap_err();
        assert!(!err.request_may_have_arrived(), "{err}");
    }
}
