//! Just enough HTTP/1.1 for the proxy and the probes: read one message (head, then a body framed
//! by Content-Length or chunked, or by end of stream for a response), keep its exact bytes so a
//! forwarded request still matches its signature, and make raw TLS round trips to the sandbox.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

const MAX_HEAD: usize = 64 * 1024;
const MAX_BODY: usize = 4 * 1024 * 1024;

/// One HTTP/1.1 request or response, with its bytes as they came.
#[derive(Debug, Clone)]
pub struct Message {
    pub start_line: String,
    pub headers: Vec<(String, String)>,
    /// The head exactly as read, up to and including the blank line.
    pub head: Vec<u8>,
    /// The body bytes as framed on the wire (chunk framing kept).
    pub body: Vec<u8>,
}

impl Message {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `(method, target)` of a request.
    pub fn request_line(&self) -> (String, String) {
        let mut parts = self.start_line.split(' ');
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("").to_string();
        (method, target)
    }

    /// The status of a response (0 if unreadable).
    pub fn status(&self) -> u16 {
        self.start_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = self.head.clone();
        out.extend_from_slice(&self.body);
        out
    }

    /// The same message with `Connection: close`, so a client never reuses a proxied
    /// connection (each request then gets its own connection and its own fault draw).
    pub fn with_connection_close(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.head.len() + self.body.len() + 20);
        out.extend_from_slice(self.start_line.as_bytes());
        out.extend_from_slice(b"\r\n");
        for (k, v) in &self.headers {
            if k.eq_ignore_ascii_case("connection") || k.eq_ignore_ascii_case("keep-alive") {
                continue;
            }
            out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
        }
        out.extend_from_slice(b"connection: close\r\n\r\n");
        out.extend_from_slice(&self.body);
        out
    }

    /// The same message with these headers set (replacing any of the same name).
    pub fn with_headers(&self, set: &[(String, String)]) -> Message {
        let mut headers: Vec<(String, String)> = self
            .headers
            .iter()
            .filter(|(k, _)| !set.iter().any(|(n, _)| n.eq_ignore_ascii_case(k)))
            .cloned()
            .collect();
        headers.extend(set.iter().cloned());
        let mut head = format!("{}\r\n", self.start_line);
        for (k, v) in &headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        Message {
            start_line: self.start_line.clone(),
            headers,
            head: head.into_bytes(),
            body: self.body.clone(),
        }
    }

    /// The JSON body (an unchunked one), if it parses.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

fn bad(what: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.into())
}

/// Reads bytes until `buf` holds at least `n`; false on end of stream first.
async fn fill<R: AsyncRead + Unpin>(r: &mut R, buf: &mut Vec<u8>, n: usize) -> io::Result<bool> {
    let mut chunk = [0u8; 8192];
    while buf.len() < n {
        let got = r.read(&mut chunk).await?;
        if got == 0 {
            return Ok(false);
        }
        buf.extend_from_slice(&chunk[..got]);
    }
    Ok(true)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Reads one message; `Ok(None)` when the stream ended before its first byte.
pub async fn read_message<R: AsyncRead + Unpin>(
    r: &mut R,
    is_response: bool,
) -> io::Result<Option<Message>> {
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > MAX_HEAD {
            return Err(bad("head too large"));
        }
        let want = buf.len() + 1;
        if !fill(r, &mut buf, want).await? {
            return if buf.is_empty() {
                Ok(None)
            } else {
                Err(io::Error::new(io::ErrorKind::UnexpectedEof, "head cut"))
            };
        }
    };
    let head = buf[..head_end].to_vec();
    let text = String::from_utf8_lossy(&head[..head_end - 4]).into_owned();
    let mut lines = text.split("\r\n");
    let start_line = lines.next().unwrap_or("").to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut msg = Message {
        start_line,
        headers,
        head,
        body: Vec::new(),
    };
    let mut rest = buf[head_end..].to_vec();
    let chunked = msg
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    if let Some(len) = msg.header("content-length") {
        let len: usize = len.parse().map_err(|_| bad("content-length"))?;
        if len > MAX_BODY {
            return Err(bad("body too large"));
        }
        if !fill(r, &mut rest, len).await? {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "body cut"));
        }
        rest.truncate(len);
        msg.body = rest;
    } else if chunked {
        // Keep the framing: find the terminating zero-size chunk.
        let mut pos = 0;
        loop {
            let line_end = loop {
                if let Some(i) = find(&rest[pos..], b"\r\n") {
                    break pos + i;
                }
                let want = rest.len() + 1;
                if rest.len() > MAX_BODY || !fill(r, &mut rest, want).await? {
                    return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "chunk cut"));
                }
            };
            let size_text = String::from_utf8_lossy(&rest[pos..line_end]).into_owned();
            let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
                .map_err(|_| bad("chunk size"))?;
            let end = line_end + 2 + size + 2;
            if end > MAX_BODY || !fill(r, &mut rest, end).await? {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "chunk cut"));
            }
            pos = end;
            if size == 0 {
                break;
            }
        }
        rest.truncate(pos);
        msg.body = rest;
    } else if is_response {
        r.read_to_end(&mut rest).await?;
        msg.body = rest;
    }
    Ok(Some(msg))
}

/// A TLS client that trusts exactly the PEM certificate(s) given (the sandbox's self-signed one).
pub fn connector(ca_pem: &[u8]) -> io::Result<TlsConnector> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem) {
        roots
            .add(cert.map_err(|e| bad(e.to_string()))?)
            .map_err(|e| bad(e.to_string()))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsConnector::from(Arc::new(config)))
}

pub type TlsClient = tokio_rustls::client::TlsStream<TcpStream>;

/// Opens a TLS connection to `addr` (certificate name 127.0.0.1).
pub async fn connect(addr: SocketAddr, tls: &TlsConnector) -> io::Result<TlsClient> {
    let tcp = tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(addr))
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "connect"))??;
    tcp.set_nodelay(true)?;
    let name = ServerName::IpAddress(addr.ip().into());
    tokio::time::timeout(Duration::from_secs(5), tls.connect(name, tcp))
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "tls handshake"))?
}

/// Sends `raw` (a whole request) and reads one response.
pub async fn round_trip(
    addr: SocketAddr,
    tls: &TlsConnector,
    raw: &[u8],
    limit: Duration,
) -> io::Result<Message> {
    let mut s = connect(addr, tls).await?;
    s.write_all(raw).await?;
    s.flush().await?;
    tokio::time::timeout(limit, read_message(&mut s, true))
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "answer"))??
        .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "no answer"))
}

/// Writes all of `bytes`, ignoring a peer that already left.
pub async fn write_quietly<W: AsyncWrite + Unpin>(w: &mut W, bytes: &[u8]) {
    let _ = w.write_all(bytes).await;
    let _ = w.flush().await;
}

/// The same request bytes with `Host` set to `addr` (the header is not signed): what a proxy
/// or a replaying attacker sends to the switch it talks to.
pub fn with_host(raw: &[u8], addr: SocketAddr) -> Vec<u8> {
    let Some(end) = find(raw, b"\r\n\r\n") else {
        return raw.to_vec();
    };
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut out = String::new();
    for (i, line) in head.split("\r\n").enumerate() {
        if i > 0 && line.to_ascii_lowercase().starts_with("host:") {
            out.push_str(&format!("host: {addr}\r\n"));
        } else {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&raw[end + 4..]);
    bytes
}

/// A request signed by `signer` as the SDK signs it (protocol §2), ready to send.
pub fn signed_request(
    signer: &hutong_core::sign::SoftwareSigner,
    method: &str,
    target: &str,
    body: &[u8],
    idempotency_key: Option<&str>,
    now: i64,
) -> Vec<u8> {
    let auth = hutong_core::sign::sign_request(signer, method, target, body, now)
        .expect("a software key signs");
    let mut head = format!(
        "{method} {target} HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: {}\r\ncontent-length: {}\r\nconnection: close\r\n",
        auth.to_header_value(),
        body.len()
    );
    if method == "POST" {
        head.push_str("content-type: application/json\r\n");
    }
    if let Some(k) = idempotency_key {
        head.push_str(&format!("idempotency-key: {k}\r\n"));
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    out
}
