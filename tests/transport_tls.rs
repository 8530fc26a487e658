//! The HTTPS transport against a real TLS server on loopback (rustls + a fresh self-signed
//! certificate): trust by custom root, SPKI pinning, and what a refused handshake means.

use hutong_core::transport::{
    spki_sha256, HttpsTransport, Method, Request, SpkiPin, TlsOptions, Transport, TransportError,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Server {
    port: u16,
    cert_pem: String,
    cert_der: Vec<u8>,
    /// TCP connections accepted so far.
    connections: Arc<AtomicUsize>,
}

/// What the test server does with each connection.
#[derive(Clone, Copy, PartialEq)]
enum Behaviour {
    /// One `200` with `connection: close`, then close.
    AnswerAndClose,
    /// `200`s on one connection for as long as the client sends requests.
    KeepAlive,
    /// One `200` that says nothing about the connection, then close: the client must notice
    /// before it writes the next request into a dead connection.
    AnswerAndCloseSilently,
    /// Reads the request and never answers.
    NeverAnswer,
    /// Accepts TCP and never starts TLS.
    NoHandshake,
}

async fn start_server() -> Server {
    start(Behaviour::AnswerAndClose).await
}

/// Serves `HTTP/1.1 200` with a fixed body over TLS 1.2/1.3, as `behaviour` says.
async fn start(behaviour: Behaviour) -> Server {
    let ck =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let cert_der = ck.cert.der().to_vec();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(ck.signing_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![CertificateDer::from(cert_der.clone())], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if behaviour == Behaviour::NoHandshake {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    drop(tcp);
                    return;
                }
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                loop {
                    // Requests here are GETs: the head is the whole request.
                    let mut request = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                        match tls.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&buf[..n]),
                        }
                    }
                    if behaviour == Behaviour::NeverAnswer {
                        tokio::time::sleep(Duration::from_secs(30)).await;
                        return;
                    }
                    let body = b"{\"ok\":true}";
                    let connection = match behaviour {
                        Behaviour::AnswerAndClose => "connection: close\r\n",
                        _ => "",
                    };
                    let head = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{connection}\r\n",
                        body.len()
                    );
                    let _ = tls.write_all(head.as_bytes()).await;
                    let _ = tls.write_all(body).await;
                    let _ = tls.flush().await;
                    if behaviour != Behaviour::KeepAlive {
                        let _ = tls.shutdown().await;
                        return;
                    }
                }
            });
        }
    });
    Server {
        port,
        cert_pem: ck.cert.pem(),
        cert_der,
        connections,
    }
}

fn get() -> Request {
    Request {
        method: Method::Get,
        target: "/v1/keys".into(),
        headers: vec![],
        body: vec![],
    }
}

fn options(server: &Server) -> TlsOptions {
    let mut o = TlsOptions::new(format!("https://127.0.0.1:{}", server.port));
    o.ca_pem = Some(server.cert_pem.clone().into_bytes());
    o
}

#[tokio::test]
async fn trusts_a_server_signed_by_the_configured_root() {
    let server = start_server().await;
    let t = HttpsTransport::new(&options(&server)).unwrap();
    let resp = t.send(&get()).await.unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(resp.body, b"{\"ok\":true}");
}

#[tokio::test]
async fn accepts_a_server_whose_key_matches_a_pin() {
    let server = start_server().await;
    let mut o = options(&server);
    o.spki_pins = vec![SpkiPin([0; 32]), spki_sha256(&server.cert_der).unwrap()];
    let resp = HttpsTransport::new(&o).unwrap().send(&get()).await.unwrap();
    assert_eq!(resp.status, 200);
}

#[tokio::test]
async fn refuses_a_server_whose_key_matches_no_pin_before_sending() {
    let server = start_server().await;
    let mut o = options(&server);
    o.spki_pins = vec![SpkiPin([7; 32])];
    let err = HttpsTransport::new(&o)
        .unwrap()
        .send(&get())
        .await
        .unwrap_err();
    assert!(!err.request_may_have_arrived(), "{err}");
    assert!(err.to_string().contains("pinned SPKI"), "{err}");
}

#[tokio::test]
async fn refuses_a_self_signed_server_without_the_custom_root() {
    let server = start_server().await;
    let other = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into()]).unwrap();
    let mut o = options(&server);
    o.ca_pem = Some(other.cert.pem().into_bytes());
    let err = HttpsTransport::new(&o)
        .unwrap()
        .send(&get())
        .await
        .unwrap_err();
    assert!(!err.request_may_have_arrived(), "{err}");
}

#[tokio::test]
async fn refuses_a_response_body_over_the_limit() {
    let server = start_server().await;
    let mut o = options(&server);
    o.max_response_bytes = 4;
    let err = HttpsTransport::new(&o)
        .unwrap()
        .send(&get())
        .await
        .unwrap_err();
    assert_eq!(err, TransportError::BodyTooLarge { limit: 4 });
}

#[tokio::test]
async fn reuses_a_kept_alive_connection() {
    let server = start(Behaviour::KeepAlive).await;
    let t = HttpsTransport::new(&options(&server)).unwrap();
    for _ in 0..3 {
        assert_eq!(t.send(&get()).await.unwrap().status, 200);
    }
    assert_eq!(server.connections.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn opens_a_new_connection_when_the_server_said_close() {
    let server = start(Behaviour::AnswerAndClose).await;
    let t = HttpsTransport::new(&options(&server)).unwrap();
    for _ in 0..2 {
        assert_eq!(t.send(&get()).await.unwrap().status, 200);
    }
    assert_eq!(server.connections.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn never_writes_into_a_connection_the_server_closed() {
    let server = start(Behaviour::AnswerAndCloseSilently).await;
    let t = HttpsTransport::new(&options(&server)).unwrap();
    assert_eq!(t.send(&get()).await.unwrap().status, 200);
    // Let the server's close reach the client's socket before the next request.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(t.send(&get()).await.unwrap().status, 200);
    assert_eq!(server.connections.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_handshake_that_never_ends_is_known_not_to_have_arrived() {
    let server = start(Behaviour::NoHandshake).await;
    let mut o = options(&server);
    o.connect_timeout = Duration::from_millis(200);
    let err = HttpsTransport::new(&o)
        .unwrap()
        .send(&get())
        .await
        .unwrap_err();
    assert!(matches!(err, TransportError::Connect(_)), "{err}");
    assert!(!err.request_may_have_arrived(), "{err}");
}

#[tokio::test]
async fn an_answer_that_never_comes_may_have_arrived() {
    let server = start(Behaviour::NeverAnswer).await;
    let mut o = options(&server);
    o.request_timeout = Duration::from_millis(300);
    let err = HttpsTransport::new(&o)
        .unwrap()
        .send(&get())
        .await
        .unwrap_err();
    assert_eq!(err, TransportError::Timeout);
    assert!(err.request_may_have_arrived());
}
