//! HTTPS transport to the payment switch: rustls on ring, timeouts, retries with jitter, pins.
//!
//! The `Transport` trait moves bytes and nothing else: signing, response verification and the
//! meaning of a status code belong to `flow`, so an app (or a test) can supply its own transport
//! without touching the rules that keep money exactly-once. The built-in one (`HttpsTransport`)
//! is feature `https`; a build without it carries requests through the app's own HTTP stack
//! (ADR 0011).

mod backoff;
/// HTTP/1.1 on the wire; public for the fuzz target and for transports of an app's own.
pub mod http1;
#[cfg(feature = "https")]
mod https;
mod origin;
mod pin;

pub use backoff::{jitter, parse_retry_after, RetryPolicy};
pub use http1::{MAX_HEADERS, MAX_HEAD_BYTES};
#[cfg(feature = "https")]
pub use https::{HttpsTransport, TlsOptions};
pub use origin::Origin;
#[cfg(feature = "https")]
pub use pin::spki_sha256;
pub use pin::SpkiPin;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// How long one request may take, connect to last byte of the answer, whichever transport
/// carries it.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);
/// The largest answer read from the switch: every protocol answer is a few KiB.
pub const MAX_RESPONSE_BYTES: usize = 256 * 1024;

/// HTTP method: the protocol uses only these two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// A request, already signed: `target` is the path and query exactly as sent and signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: Method,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// A response as it came off the wire; not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// How long the server asked us to wait (`Retry-After` in seconds), if it asked.
    pub fn retry_after(&self) -> Option<Duration> {
        self.header("retry-after").and_then(parse_retry_after)
    }
}

/// Why a request got no HTTP response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    #[error("transport configuration is invalid: {0}")]
    Config(String),
    #[error("could not connect to the switch: {0}")]
    Connect(String),
    #[error("TLS handshake refused: {0}")]
    Tls(String),
    #[error("no answer from the switch within the timeout")]
    Timeout,
    #[error("connection failed mid-request: {0}")]
    Io(String),
    #[error("response body is larger than {limit} bytes")]
    BodyTooLarge { limit: usize },
}

impl TransportError {
    /// Whether the request may have reached the switch: then the outcome is ambiguous and must be
    /// settled by a query, never assumed failed. Only a refused connection or handshake proves
    /// that not one byte of the request left the device.
    pub fn request_may_have_arrived(&self) -> bool {
        !matches!(
            self,
            TransportError::Config(_) | TransportError::Connect(_) | TransportError::Tls(_)
        )
    }
}

/// The future a `Transport` returns.
pub type SendFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Response, TransportError>> + Send + 'a>>;

/// Sends one signed request and returns the raw response. Implementations must not retry on
/// their own: the flow decides what may be retried, with a fresh nonce each time.
pub trait Transport: Send + Sync {
    fn send<'a>(&'a self, request: &'a Request) -> SendFuture<'a>;
}
