//! HTTP/1.1 on the wire, and only what the switch protocol needs (ADR 0009): one request written
//! whole, one response read with its framing checked and its size bounded. No redirects, no
//! proxies, no compression, no retries: the flow decides what happens next.
//!
//! Framing follows RFC 9112 section 6: `Transfer-Encoding: chunked`, else one `Content-Length`,
//! else the body runs to the end of the connection. Anything ambiguous (two different lengths, a
//! length beside a transfer coding, a coding other than chunked) is refused: a response we cannot
//! frame exactly is one we cannot verify.

use super::{Method, Request, Response, TransportError};
use tokio::io::{AsyncRead, AsyncReadExt};

/// Status line plus headers (and, apart, trailers), at most: a signed answer's head is well
/// under 2 KiB.
pub const MAX_HEAD_BYTES: usize = 32 * 1024;
/// Header fields in one answer, at most.
pub const MAX_HEADERS: usize = 64;
/// A chunk-size line with extensions, or one trailer line.
const MAX_LINE_BYTES: usize = 4 * 1024;
const READ_CHUNK: usize = 8 * 1024;

/// Headers this module writes itself: a caller's copy could contradict the framing.
const RESERVED: [&str; 5] = [
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "upgrade",
];

/// The request's bytes: `host` is the `Host` header's value (`name` or `name:port`).
pub fn encode_request(request: &Request, host: &str) -> Result<Vec<u8>, TransportError> {
    if !is_origin_form(&request.target) {
        return Err(config(format!(
            "request target `{}` is not an absolute path",
            request.target.escape_debug()
        )));
    }
    let mut out = Vec::with_capacity(256 + request.body.len());
    out.extend_from_slice(request.method.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(request.target.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\nhost: ");
    out.extend_from_slice(host.as_bytes());
    out.extend_from_slice(b"\r\n");
    for (name, value) in &request.headers {
        if !is_token(name) || RESERVED.iter().any(|r| name.eq_ignore_ascii_case(r)) {
            return Err(config(format!(
                "header name `{}` may not be sent",
                name.escape_debug()
            )));
        }
        if !is_field_value(value) {
            return Err(config(format!(
                "header `{name}` has a control character in its value"
            )));
        }
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    match request.method {
        Method::Post => {
            out.extend_from_slice(
                format!("content-length: {}\r\n\r\n", request.body.len()).as_bytes(),
            );
            out.extend_from_slice(&request.body);
        }
        Method::Get if request.body.is_empty() => out.extend_from_slice(b"\r\n"),
        Method::Get => return Err(config("a GET request has no body".into())),
    }
    Ok(out)
}

/// A response and whether its connection may carry another request.
#[derive(Debug)]
pub struct Received {
    pub response: Response,
    pub reusable: bool,
}

/// Reads one response: interim (1xx) answers are skipped, the body is framed and at most
/// `max_body` bytes. `Err` means the answer was cut, malformed or too large.
pub async fn read_response<R: AsyncRead + Unpin>(
    stream: &mut R,
    max_body: usize,
) -> Result<Received, TransportError> {
    let mut reader = Buffered::new(stream);
    loop {
        let head = reader.read_head().await?;
        if head.status < 100 {
            return Err(malformed("a status code below 100"));
        }
        if (100..200).contains(&head.status) {
            if head.status == 101 {
                return Err(malformed("the switch answered 101 Switching Protocols"));
            }
            continue;
        }
        let framing = framing(&head)?;
        let (body, framed) = match framing {
            Framing::Empty => (Vec::new(), true),
            Framing::Length(n) => {
                if n > max_body as u64 {
                    return Err(TransportError::BodyTooLarge { limit: max_body });
                }
                (reader.read_exact_body(n as usize).await?, true)
            }
            Framing::Chunked => (reader.read_chunked(max_body).await?, true),
            Framing::UntilClose => (reader.read_to_close(max_body).await?, false),
        };
        let reusable = framed && head.keep_alive && reader.buffered() == 0;
        return Ok(Received {
            response: Response {
                status: head.status,
                headers: head.headers,
                body,
            },
            reusable,
        });
    }
}

struct Head {
    status: u16,
    headers: Vec<(String, String)>,
    keep_alive: bool,
}

enum Framing {
    Empty,
    Length(u64),
    Chunked,
    UntilClose,
}

/// RFC 9112 6.3, strictly: what delimits this response's body.
fn framing(head: &Head) -> Result<Framing, TransportError> {
    if head.status == 204 || head.status == 304 {
        return Ok(Framing::Empty);
    }
    let codings = list_values(&head.headers, "transfer-encoding");
    let lengths = list_values(&head.headers, "content-length");
    if !codings.is_empty() {
        if !lengths.is_empty() {
            return Err(malformed("both Transfer-Encoding and Content-Length"));
        }
        return match codings.as_slice() {
            [only] if only.eq_ignore_ascii_case("chunked") => Ok(Framing::Chunked),
            _ => Err(malformed("a transfer coding other than chunked")),
        };
    }
    let Some(first) = lengths.first() else {
        return Ok(Framing::UntilClose);
    };
    if lengths.iter().any(|l| l != first) {
        return Err(malformed("Content-Length values differ"));
    }
    if first.is_empty() || !first.bytes().all(|b| b.is_ascii_digit()) || first.len() > 18 {
        return Err(malformed("Content-Length is not a number"));
    }
    first
        .parse()
        .map(Framing::Length)
        .map_err(|_| malformed("Content-Length is not a number"))
}

/// Every comma-separated value of header `name`, trimmed.
fn list_values<'a>(headers: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .collect()
}

/// The stream with what was read past the current position.
struct Buffered<'a, R> {
    stream: &'a mut R,
    buf: Vec<u8>,
    start: usize,
}

impl<'a, R: AsyncRead + Unpin> Buffered<'a, R> {
    fn new(stream: &'a mut R) -> Self {
        Buffered {
            stream,
            buf: Vec::new(),
            start: 0,
        }
    }

    fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }

    /// Reads more bytes; `false` at the end of the stream.
    async fn fill(&mut self) -> Result<bool, TransportError> {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        let old = self.buf.len();
        self.buf.resize(old + READ_CHUNK, 0);
        let n = self.stream.read(&mut self.buf[old..]).await;
        let n = match n {
            Ok(n) => n,
            Err(e) => {
                self.buf.truncate(old);
                return Err(TransportError::Io(e.to_string()));
            }
        };
        self.buf.truncate(old + n);
        Ok(n > 0)
    }

    async fn read_head(&mut self) -> Result<Head, TransportError> {
        loop {
            let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut parsed = httparse::Response::new(&mut headers);
            match parsed.parse(&self.buf[self.start..]) {
                Ok(httparse::Status::Complete(len)) => {
                    let head = Head {
                        status: parsed.code.unwrap_or(0),
                        keep_alive: parsed.version == Some(1)
                            && !parsed.headers.iter().any(|h| {
                                h.name.eq_ignore_ascii_case("connection")
                                    && String::from_utf8_lossy(h.value)
                                        .split(',')
                                        .any(|t| t.trim().eq_ignore_ascii_case("close"))
                            }),
                        headers: parsed
                            .headers
                            .iter()
                            .filter_map(|h| {
                                // Values the protocol reads are ASCII; others are dropped, not
                                // guessed at (the signature covers the body and named headers).
                                let value = std::str::from_utf8(h.value).ok()?;
                                Some((h.name.to_ascii_lowercase(), value.to_string()))
                            })
                            .collect(),
                    };
                    self.start += len;
                    return Ok(head);
                }
                Ok(httparse::Status::Partial) => {}
                Err(e) => return Err(malformed(&format!("response head: {e}"))),
            }
            if self.buffered() > MAX_HEAD_BYTES {
                return Err(malformed("response head over 32 KiB"));
            }
            if !self.fill().await? {
                return Err(TransportError::Io(if self.buffered() == 0 {
                    "connection closed before any answer".into()
                } else {
                    "connection closed inside the response head".into()
                }));
            }
        }
    }

    async fn read_exact_body(&mut self, n: usize) -> Result<Vec<u8>, TransportError> {
        while self.buffered() < n {
            if !self.fill().await? {
                return Err(TransportError::Io(format!(
                    "connection closed after {} of {n} body bytes",
                    self.buffered()
                )));
            }
        }
        let body = self.buf[self.start..self.start + n].to_vec();
        self.start += n;
        Ok(body)
    }

    async fn read_to_close(&mut self, max_body: usize) -> Result<Vec<u8>, TransportError> {
        loop {
            if self.buffered() > max_body {
                return Err(TransportError::BodyTooLarge { limit: max_body });
            }
            if !self.fill().await? {
                let body = self.buf[self.start..].to_vec();
                self.start = self.buf.len();
                return Ok(body);
            }
        }
    }

    /// One CRLF-terminated line, without the CRLF.
    async fn read_line(&mut self) -> Result<String, TransportError> {
        loop {
            let pending = &self.buf[self.start..];
            if let Some(end) = pending.windows(2).position(|w| w == b"\r\n") {
                let line = String::from_utf8(pending[..end].to_vec())
                    .map_err(|_| malformed("a chunk line is not text"))?;
                self.start += end + 2;
                return Ok(line);
            }
            if pending.len() > MAX_LINE_BYTES {
                return Err(malformed("a chunk line over 4 KiB"));
            }
            if !self.fill().await? {
                return Err(TransportError::Io(
                    "connection closed inside a chunk".into(),
                ));
            }
        }
    }

    async fn read_chunked(&mut self, max_body: usize) -> Result<Vec<u8>, TransportError> {
        let mut body = Vec::new();
        loop {
            let line = self.read_line().await?;
            let size = line.split(';').next().unwrap_or("").trim();
            if size.is_empty() || size.len() > 15 || !size.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(malformed("a chunk size is not hexadecimal"));
            }
            let size = usize::from_str_radix(size, 16).map_err(|_| malformed("chunk size"))?;
            if size == 0 {
                // Trailers, ignored, up to the empty line; no more of them than a head may hold.
                let mut trailers = 0usize;
                loop {
                    let line = self.read_line().await?;
                    if line.is_empty() {
                        return Ok(body);
                    }
                    trailers += line.len() + 2;
                    if trailers > MAX_HEAD_BYTES {
                        return Err(malformed("trailers over 32 KiB"));
                    }
                }
            }
            if body.len().saturating_add(size) > max_body {
                return Err(TransportError::BodyTooLarge { limit: max_body });
            }
            let data = self.read_exact_body(size).await?;
            body.extend_from_slice(&data);
            if !self.read_line().await?.is_empty() {
                return Err(malformed("chunk data longer than its size"));
            }
        }
    }
}

fn config(text: String) -> TransportError {
    TransportError::Config(text)
}

fn malformed(what: &str) -> TransportError {
    TransportError::Io(format!("malformed response: {what}"))
}

/// RFC 9110 token: the characters a header name may have.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Visible ASCII and spaces: no CR, LF or other control character can split the head.
fn is_field_value(s: &str) -> bool {
    s.bytes().all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
}

/// `/path?query`, visible ASCII only.
fn is_origin_form(target: &str) -> bool {
    target.starts_with('/') && target.bytes().all(|b| (b'!'..=b'~').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(headers: &[(&str, &str)], body: &[u8]) -> Request {
        Request {
            method: Method::Post,
            target: "/v1/intents".into(),
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.to_vec(),
        }
    }

    async fn read(wire: &[u8], max: usize) -> Result<Received, TransportError> {
        let mut stream = wire;
        read_response(&mut stream, max).await
    }

    #[test]
    fn writes_a_post_with_its_length_and_host() {
        let bytes =
            encode_request(&post(&[("x-nonce", "abc")], b"{}"), "pay.example:8443").unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "POST /v1/intents HTTP/1.1\r\nhost: pay.example:8443\r\nx-nonce: abc\r\ncontent-length: 2\r\n\r\n{}"
        );
    }

    #[test]
    fn refuses_headers_that_could_split_or_reframe_the_request() {
        for (name, value) in [
            ("x-a", "1\r\nx-b: 2"),
            ("x-a", "nul\0"),
            ("bad name", "1"),
            ("", "1"),
            ("Content-Length", "0"),
            ("transfer-encoding", "chunked"),
            ("Host", "evil"),
        ] {
            let err = encode_request(&post(&[(name, value)], b""), "h").unwrap_err();
            assert!(
                matches!(err, TransportError::Config(_)),
                "{name:?} {value:?}"
            );
            assert!(!err.request_may_have_arrived());
        }
        let mut target = post(&[], b"");
        target.target = "/v1 HTTP/1.0\r\n".into();
        assert!(encode_request(&target, "h").is_err());
        target.target = "http://elsewhere/".into();
        assert!(encode_request(&target, "h").is_err());
    }

    #[tokio::test]
    async fn reads_a_length_framed_answer_and_keeps_the_connection() {
        let got = read(
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Sig: a\r\n\r\n{}",
            16,
        )
        .await
        .unwrap();
        assert_eq!(got.response.status, 200);
        assert_eq!(got.response.body, b"{}");
        assert_eq!(got.response.header("x-sig"), Some("a"));
        assert!(got.reusable);
    }

    #[tokio::test]
    async fn reads_chunks_and_skips_interim_answers_and_trailers() {
        let wire = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nx-trailer: 1\r\n\r\n";
        let got = read(wire, 16).await.unwrap();
        assert_eq!(got.response.status, 201);
        assert_eq!(got.response.body, b"abcde");
        assert!(got.reusable);
    }

    #[tokio::test]
    async fn an_unframed_body_runs_to_the_close_and_ends_the_connection() {
        let got = read(b"HTTP/1.1 200 OK\r\n\r\nhello", 16).await.unwrap();
        assert_eq!(got.response.body, b"hello");
        assert!(!got.reusable);
        let closing = read(
            b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 0\r\n\r\n",
            16,
        )
        .await
        .unwrap();
        assert!(!closing.reusable);
        let old = read(b"HTTP/1.0 200 OK\r\ncontent-length: 0\r\n\r\n", 16)
            .await
            .unwrap();
        assert!(!old.reusable);
    }

    #[tokio::test]
    async fn bounds_the_body_however_it_is_framed() {
        for wire in [
            &b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello"[..],
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
            b"HTTP/1.1 200 OK\r\n\r\nhello",
            b"HTTP/1.1 200 OK\r\ncontent-length: 99999999999999\r\n\r\n",
        ] {
            assert_eq!(
                read(wire, 4).await.unwrap_err(),
                TransportError::BodyTooLarge { limit: 4 }
            );
        }
    }

    #[tokio::test]
    async fn refuses_what_it_cannot_frame_exactly() {
        for wire in [
            &b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\nabc"[..],
            b"HTTP/1.1 200 OK\r\ncontent-length: 2, 3\r\n\r\nabc",
            b"HTTP/1.1 200 OK\r\ncontent-length: +2\r\n\r\nab",
            b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ntransfer-encoding: chunked\r\n\r\n",
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\n\r\n",
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
            b"HTTP/1.1 101 Switching Protocols\r\n\r\n",
            b"HTTP/1.1 2000 OK\r\n\r\n",
            b"HTTP/1.1 099 Odd\r\n\r\n",
            b"SSH-2.0-OpenSSH\r\n\r\n",
            // Cut short: an answer that ends early is never taken for a whole one.
            b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhel",
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhel",
            b"HTTP/1.1 200 OK\r\ncontent-le",
            b"",
        ] {
            let err = read(wire, 64).await.unwrap_err();
            assert!(
                matches!(err, TransportError::Io(_)),
                "{err:?} for {:?}",
                String::from_utf8_lossy(wire)
            );
            assert!(err.request_may_have_arrived());
        }
    }

    #[tokio::test]
    async fn bounds_the_head() {
        let mut wire = b"HTTP/1.1 200 OK\r\n".to_vec();
        while wire.len() < 40 * 1024 {
            wire.extend_from_slice(b"x-pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
        }
        assert!(read(&wire, 64).await.is_err());
    }

    #[tokio::test]
    async fn bounds_the_trailers() {
        let mut wire = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\n".to_vec();
        while wire.len() < 40 * 1024 {
            wire.extend_from_slice(b"x-trailer: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
        }
        wire.extend_from_slice(b"\r\n");
        assert!(matches!(read(&wire, 64).await, Err(TransportError::Io(_))));
    }

    #[tokio::test]
    async fn no_body_for_204_and_304() {
        let got = read(b"HTTP/1.1 204 No Content\r\n\r\n", 16).await.unwrap();
        assert!(got.response.body.is_empty());
        assert!(got.reusable);
    }
}
