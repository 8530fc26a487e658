//! The app's own HTTP stack as the payment transport (ADR 0011): OkHttp on Android, URLSession
//! on iOS, given to `Payments.withHttpTransport`. Requests arrive here signed and leave as they
//! are; answers are verified by the library whichever stack carried them. What the app's stack
//! must get exactly right is one question: might the switch have this request?

use hutong_core::transport::{
    Origin, Request, Response, SendFuture, Transport, TransportError, MAX_HEADERS, MAX_HEAD_BYTES,
    MAX_RESPONSE_BYTES, REQUEST_TIMEOUT,
};
use std::sync::Arc;
use std::time::Duration;

/// One HTTP header, name as written.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpHeader {
    /// Header name (compare case-insensitively).
    pub name: String,
    /// Header value.
    pub value: String,
}

/// A request to the switch, already signed: send it exactly as given (same method, URL, headers
/// and body bytes), once.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpRequest {
    /// `GET` or `POST`.
    pub method: String,
    /// `https://host[:port]/path?query`: the configured endpoint and the signed target.
    pub url: String,
    /// Headers to send besides those the stack adds itself (`Host`, `Content-Length`).
    pub headers: Vec<HttpHeader>,
    /// The body (empty for `GET`).
    pub body: Vec<u8>,
    /// The whole call's deadline, connect to last byte: give it to the stack (OkHttp
    /// `callTimeout`, `URLRequest.timeoutInterval`). The library stops waiting then in any case.
    pub timeout_ms: u64,
    /// Stop reading an answer longer than this and throw `MaybeSent`.
    pub max_response_bytes: u64,
}

/// The switch's answer as it came off the wire, any status: the library reads its meaning.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpResponse {
    /// The HTTP status code.
    pub status: u16,
    /// Every response header.
    pub headers: Vec<HttpHeader>,
    /// The body, as received (after any transfer decoding the stack does itself).
    pub body: Vec<u8>,
}

/// Why a request got no HTTP answer. The difference between the first two decides whether a
/// payment may be retried as new or must be settled by asking the switch: throw `NotSent` only
/// when the platform proves no byte of the request left the device.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum HttpTransportError {
    /// Proven not sent: the host did not resolve, the connection was refused, or the TLS
    /// handshake (or a certificate pin) failed on a new connection, before the request was
    /// written.
    #[error("not sent: {reason}")]
    NotSent {
        /// What failed, for logs.
        reason: String,
    },
    /// The request may have reached the switch: a failure while or after writing it, on a
    /// reused connection, or one the adapter cannot place. Safe in every case.
    #[error("may have been sent: {reason}")]
    MaybeSent {
        /// What failed, for logs.
        reason: String,
    },
    /// No complete answer within `timeout_ms`; the request may have arrived.
    #[error("no answer within the timeout")]
    TimedOut,
}

/// An exception the adapter did not declare: nothing proves the request stayed on the device.
impl From<uniffi::UnexpectedUniFFICallbackError> for HttpTransportError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        HttpTransportError::MaybeSent { reason: e.reason }
    }
}

/// Carries the library's requests to the switch over the app's HTTP stack. Implementations must
/// not retry, follow redirects or add caching: one call, one request on the wire at most. The
/// Android library ships one for OkHttp (`org.hutong.http.OkHttpTransport`), the iOS sample one
/// for URLSession.
#[uniffi::export(with_foreign)]
#[async_trait::async_trait]
pub trait HttpTransport: Send + Sync {
    /// Sends `request` and returns the answer, whatever its status.
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpTransportError>;
}

/// The core's `Transport` over an app's `HttpTransport`: builds the URL, holds the deadline and
/// the size cap whatever the app's stack does, and maps its answer onto the flow's question.
pub(crate) struct ForeignTransport {
    origin: Origin,
    foreign: Arc<dyn HttpTransport>,
    timeout: Duration,
    max_response_bytes: usize,
}

impl ForeignTransport {
    /// Over `foreign` to `endpoint` (`https://host[:port]`).
    pub(crate) fn new(
        endpoint: &str,
        foreign: Arc<dyn HttpTransport>,
    ) -> Result<ForeignTransport, TransportError> {
        Ok(ForeignTransport {
            origin: Origin::parse(endpoint)?,
            foreign,
            timeout: REQUEST_TIMEOUT,
            max_response_bytes: MAX_RESPONSE_BYTES,
        })
    }

    fn request(&self, request: &Request) -> HttpRequest {
        HttpRequest {
            method: request.method.as_str().to_owned(),
            url: self.origin.url(&request.target),
            headers: request
                .headers
                .iter()
                .map(|(name, value)| HttpHeader {
                    name: name.clone(),
                    value: value.clone(),
                })
                .collect(),
            body: request.body.clone(),
            timeout_ms: u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX),
            max_response_bytes: self.max_response_bytes as u64,
        }
    }

    /// The app's answer in the flow's terms; a malformed one counts as "may have arrived".
    fn answer(
        &self,
        answer: Result<HttpResponse, HttpTransportError>,
    ) -> Result<Response, TransportError> {
        match answer {
            Ok(r) if r.body.len() > self.max_response_bytes => Err(TransportError::BodyTooLarge {
                limit: self.max_response_bytes,
            }),
            Ok(r) if !(100..=599).contains(&r.status) => Err(TransportError::Io(format!(
                "the app's HTTP stack answered status {}",
                r.status
            ))),
            // The built-in transport's bounds on a head, whichever stack read it.
            Ok(r)
                if r.headers.len() > MAX_HEADERS
                    || r.headers
                        .iter()
                        .map(|h| h.name.len() + h.value.len())
                        .sum::<usize>()
                        > MAX_HEAD_BYTES =>
            {
                Err(TransportError::Io(format!(
                    "the answer's headers exceed {MAX_HEADERS} or {MAX_HEAD_BYTES} bytes"
                )))
            }
            Ok(r) => Ok(Response {
                status: r.status,
                headers: r.headers.into_iter().map(|h| (h.name, h.value)).collect(),
                body: r.body,
            }),
            Err(HttpTransportError::NotSent { reason }) => Err(TransportError::Connect(reason)),
            Err(HttpTransportError::MaybeSent { reason }) => Err(TransportError::Io(reason)),
            Err(HttpTransportError::TimedOut) => Err(TransportError::Timeout),
        }
    }
}

impl Transport for ForeignTransport {
    fn send<'a>(&'a self, request: &'a Request) -> SendFuture<'a> {
        let call = self.foreign.send(self.request(request));
        Box::pin(async move {
            // Dropping the call at the deadline cancels it on the foreign side (the coroutine or
            // Task is cancelled); the outcome is then "may have arrived".
            match tokio::time::timeout(self.timeout, call).await {
                Ok(answer) => self.answer(answer),
                Err(_) => Err(TransportError::Timeout),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hutong_core::transport::Method;
    use std::sync::Mutex;

    /// Answers from a script and records what it was asked.
    struct Scripted {
        answer: Mutex<Option<Result<HttpResponse, HttpTransportError>>>,
        delay: Duration,
        seen: Mutex<Vec<HttpRequest>>,
    }

    #[async_trait::async_trait]
    impl HttpTransport for Scripted {
        async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpTransportError> {
            self.seen.lock().unwrap().push(request);
            tokio::time::sleep(self.delay).await;
            self.answer.lock().unwrap().take().expect("one call")
        }
    }

    fn transport(
        answer: Result<HttpResponse, HttpTransportError>,
        delay: Duration,
    ) -> (ForeignTransport, Arc<Scripted>) {
        let app = Arc::new(Scripted {
            answer: Mutex::new(Some(answer)),
            delay,
            seen: Mutex::new(Vec::new()),
        });
        let t = ForeignTransport::new("https://Switch.Example:8443", app.clone()).unwrap();
        (t, app)
    }

    fn ok(status: u16, body: usize) -> Result<HttpResponse, HttpTransportError> {
        Ok(HttpResponse {
            status,
            headers: vec![HttpHeader {
                name: "X-Hutong-Signature".into(),
                value: "s".into(),
            }],
            body: vec![b'{'; body],
        })
    }

    fn post() -> Request {
        Request {
            method: Method::Post,
            target: "/v1/payments?a=1".into(),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: b"{}".to_vec(),
        }
    }

    fn send(t: &ForeignTransport) -> Result<Response, TransportError> {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
            .block_on(t.send(&post()))
    }

    #[test]
    fn the_app_gets_the_signed_request_as_it_is_with_its_url_deadline_and_cap() {
        let (t, app) = transport(ok(201, 2), Duration::ZERO);
        let r = send(&t).unwrap();
        assert_eq!((r.status, r.header("x-hutong-signature")), (201, Some("s")));
        let seen = app.seen.lock().unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].method, "POST");
        assert_eq!(seen[0].url, "https://switch.example:8443/v1/payments?a=1");
        assert_eq!(seen[0].headers[0].name, "Content-Type");
        assert_eq!(seen[0].body, b"{}");
        assert_eq!(seen[0].timeout_ms, 15_000);
        assert_eq!(seen[0].max_response_bytes, 256 * 1024);
    }

    /// The flow's exactly-once rule rests on this table: only a proven `NotSent` lets a payment be
    /// treated as never made; everything else is settled by asking the switch.
    #[test]
    fn only_not_sent_says_the_request_never_arrived() {
        let cases: [(Result<HttpResponse, HttpTransportError>, bool); 8] = [
            (
                Err(HttpTransportError::NotSent {
                    reason: "refused".into(),
                }),
                false,
            ),
            (
                Err(HttpTransportError::MaybeSent {
                    reason: "reset".into(),
                }),
                true,
            ),
            (Err(HttpTransportError::TimedOut), true),
            (
                Err(uniffi::UnexpectedUniFFICallbackError::new("IllegalStateException").into()),
                true,
            ),
            (ok(200, MAX_RESPONSE_BYTES + 1), true),
            (ok(0, 2), true),
            (
                Ok(HttpResponse {
                    status: 200,
                    headers: vec![
                        HttpHeader {
                            name: "X".into(),
                            value: String::new(),
                        };
                        MAX_HEADERS + 1
                    ],
                    body: Vec::new(),
                }),
                true,
            ),
            (
                Ok(HttpResponse {
                    status: 200,
                    headers: vec![HttpHeader {
                        name: "X".into(),
                        value: "v".repeat(MAX_HEAD_BYTES),
                    }],
                    body: Vec::new(),
                }),
                true,
            ),
        ];
        for (answer, may_have_arrived) in cases {
            let what = format!("{answer:?}").chars().take(60).collect::<String>();
            let (t, _) = transport(answer, Duration::ZERO);
            let err = send(&t).expect_err(&what);
            assert_eq!(
                err.request_may_have_arrived(),
                may_have_arrived,
                "{what}: {err}"
            );
        }
    }

    #[test]
    fn an_app_stack_that_never_answers_times_out_as_may_have_arrived() {
        let (mut t, _) = transport(ok(200, 2), Duration::from_secs(60));
        t.timeout = Duration::from_millis(20);
        let err = send(&t).unwrap_err();
        assert_eq!(err, TransportError::Timeout);
        assert!(err.request_may_have_arrived());
    }

    #[test]
    fn the_endpoint_must_be_an_https_origin() {
        let app = Arc::new(Scripted {
            answer: Mutex::new(None),
            delay: Duration::ZERO,
            seen: Mutex::new(Vec::new()),
        });
        for bad in [
            "http://switch.example",
            "https://switch.example/v1",
            "https://a@b",
        ] {
            assert!(ForeignTransport::new(bad, app.clone()).is_err(), "{bad}");
        }
    }
}
