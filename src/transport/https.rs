//! The default transport: HTTP/1.1 (`http1.rs`) over rustls with the ring provider (no OpenSSL,
//! no aws-lc), on tokio's TCP. Why not reqwest/hyper: ADR 0009 (0.86 MiB of the arm64 app
//! library for features the protocol never uses, and coarser "did it arrive?" answers).

use super::http1::{encode_request, read_response};
use super::origin::Origin;
use super::pin::{PinningVerifier, SpkiPin};
use super::{Request, Response, SendFuture, Transport, TransportError};
use rustls::client::danger::ServerCertVerifier;
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::RootCertStore;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

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
            request_timeout: super::REQUEST_TIMEOUT,
            max_response_bytes: super::MAX_RESPONSE_BYTES,
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

/// Idle connections kept for the next request: a payment's few calls share one handshake.
const MAX_IDLE: usize = 2;
/// An idle connection older than this is closed rather than reused: servers drop idle
/// keep-alive connections after some seconds, and a request written into a connection the server
/// just closed is one whose fate is unknown.
const MAX_IDLE_AGE: Duration = Duration::from_secs(20);

type Connection = TlsStream<TcpStream>;

/// HTTPS to one switch: TLS 1.2 and 1.3 only, custom roots and SPKI pins, a small keep-alive pool.
#[derive(Clone)]
pub struct HttpsTransport {
    inner: Arc<Inner>,
}

struct Inner {
    connector: TlsConnector,
    endpoint: Endpoint,
    connect_timeout: Duration,
    request_timeout: Duration,
    max_response_bytes: usize,
    idle: Mutex<Vec<(Connection, Instant)>>,
}

impl std::fmt::Debug for HttpsTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpsTransport")
            .field("endpoint", &self.inner.endpoint.host_header)
            .finish_non_exhaustive()
    }
}

/// `https://host[:port]`, parsed once.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Endpoint {
    host: String,
    port: u16,
    server_name: ServerName<'static>,
    /// The `Host` header: `host` or `host:port` as written (IPv6 in brackets).
    host_header: String,
}

impl Endpoint {
    fn parse(text: &str) -> Result<Endpoint, TransportError> {
        let origin = Origin::parse(text)?;
        let bad = |why: &str| TransportError::Config(format!("endpoint `{text}` {why}"));
        let server_name = match origin.host.parse::<IpAddr>() {
            Ok(ip) => ServerName::IpAddress(ip.into()),
            Err(_) => ServerName::try_from(origin.host.clone())
                .map_err(|_| bad("has an invalid host name"))?,
        };
        Ok(Endpoint {
            host: origin.host,
            port: origin.port,
            server_name,
            host_header: origin.authority,
        })
    }
}

impl HttpsTransport {
    pub fn new(options: &TlsOptions) -> Result<HttpsTransport, TransportError> {
        let endpoint = Endpoint::parse(&options.endpoint)?;
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
        Ok(HttpsTransport {
            inner: Arc::new(Inner {
                connector: TlsConnector::from(Arc::new(tls)),
                endpoint,
                connect_timeout: options.connect_timeout,
                request_timeout: options.request_timeout,
                max_response_bytes: options.max_response_bytes,
                idle: Mutex::new(Vec::new()),
            }),
        })
    }

    async fn send_inner(&self, req: &Request) -> Result<Response, TransportError> {
        let inner = &self.inner;
        // Refused before any connection: a request we would not write is known not to arrive.
        let bytes = encode_request(req, &inner.endpoint.host_header)?;
        let deadline = tokio::time::Instant::now() + inner.request_timeout;
        let mut conn = match inner.take_idle() {
            Some(conn) => conn,
            None => {
                let budget = inner.connect_timeout.min(inner.request_timeout);
                tokio::time::timeout(budget, inner.connect())
                    .await
                    .map_err(|_| {
                        TransportError::Connect(format!(
                            "no TLS session within {} ms",
                            budget.as_millis()
                        ))
                    })??
            }
        };
        // From the first byte written on, the switch may have the request: every failure is
        // `Timeout` or `Io`, and the flow settles the outcome by asking.
        let exchange = async {
            conn.write_all(&bytes)
                .await
                .map_err(|e| TransportError::Io(e.to_string()))?;
            conn.flush()
                .await
                .map_err(|e| TransportError::Io(e.to_string()))?;
            read_response(&mut conn, inner.max_response_bytes).await
        };
        let received = tokio::time::timeout_at(deadline, exchange)
            .await
            .map_err(|_| TransportError::Timeout)??;
        if received.reusable {
            inner.keep_idle(conn);
        }
        Ok(received.response)
    }
}

impl Inner {
    async fn connect(&self) -> Result<Connection, TransportError> {
        let tcp = TcpStream::connect((self.endpoint.host.as_str(), self.endpoint.port))
            .await
            .map_err(|e| TransportError::Connect(e.to_string()))?;
        // Requests are written whole; no need to wait for more bytes to fill a segment.
        let _ = tcp.set_nodelay(true);
        self.connector
            .connect(self.endpoint.server_name.clone(), tcp)
            .await
            .map_err(|e| match tls_error(&e) {
                Some(tls) => TransportError::Tls(tls.to_string()),
                // Reset or closed during the handshake: still before any request byte.
                None => TransportError::Connect(format!("during the TLS handshake: {e}")),
            })
    }

    /// The newest idle connection that is young and has nothing waiting to be read (a server's
    /// close or an unrequested byte makes it unusable).
    fn take_idle(&self) -> Option<Connection> {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        while let Some((mut conn, since)) = idle.pop() {
            if since.elapsed() < MAX_IDLE_AGE && is_quiet(&mut conn) {
                return Some(conn);
            }
        }
        None
    }

    fn keep_idle(&self, conn: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < MAX_IDLE {
            idle.push((conn, Instant::now()));
        }
    }
}

/// Whether reading now would wait: then the server has neither closed nor sent anything.
fn is_quiet(conn: &mut Connection) -> bool {
    let mut byte = [0u8; 1];
    let mut buf = ReadBuf::new(&mut byte);
    let mut cx = Context::from_waker(Waker::noop());
    matches!(
        std::pin::Pin::new(conn).poll_read(&mut cx, &mut buf),
        Poll::Pending
    )
}

impl Transport for HttpsTransport {
    fn send<'a>(&'a self, request: &'a Request) -> SendFuture<'a> {
        Box::pin(self.send_inner(request))
    }
}

/// The rustls error inside a handshake failure, if that is what it was.
fn tls_error(e: &std::io::Error) -> Option<&rustls::Error> {
    e.get_ref()?.downcast_ref::<rustls::Error>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::Method;

    #[test]
    fn parses_endpoints_with_and_without_ports() {
        for (text, host, port, header) in [
            ("https://pay.example", "pay.example", 443, "pay.example"),
            (
                "https://Pay.Example:8443/",
                "pay.example",
                8443,
                "pay.example:8443",
            ),
            (
                "https://127.0.0.1:8443",
                "127.0.0.1",
                8443,
                "127.0.0.1:8443",
            ),
            ("https://[::1]:8443", "::1", 8443, "[::1]:8443"),
            ("https://[::1]", "::1", 443, "[::1]"),
        ] {
            let e = Endpoint::parse(text).unwrap();
            assert_eq!(
                (e.host.as_str(), e.port, e.host_header.as_str()),
                (host, port, header)
            );
        }
    }

    #[test]
    fn refuses_endpoints_that_are_more_or_less_than_an_origin() {
        for text in [
            "http://pay.example",
            "https://",
            "https://pay.example/v1",
            "https://pay.example?x=1",
            "https://user@pay.example",
            "https://pay.example:",
            "https://pay.example:0",
            "https://pay.example:65536",
            "https://pay.example:84a3",
            "https://[::1",
            "https://[::1]x",
            "https://::1",
            "https://bad host",
            "https://pay.example\\@evil",
        ] {
            let err = Endpoint::parse(text).unwrap_err();
            assert!(matches!(err, TransportError::Config(_)), "{text}");
        }
    }

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
