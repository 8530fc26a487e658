//! The HTTPS transport against a real TLS server on loopback (rustls + a fresh self-signed
//! certificate): trust by custom root, SPKI pinning, and what a refused handshake means.

use hutong_core::transport::{
    spki_sha256, HttpsTransport, Method, Request, SpkiPin, TlsOptions, Transport, TransportError,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Server {
    port: u16,
    cert_pem: String,
    cert_der: Vec<u8>,
}

/// Serves `HTTP/1.1 200` with a fixed body to every connection, over TLS 1.2/1.3.
async fn start_server() -> Server {
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
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut buf = vec![0u8; 4096];
                let _ = tls.read(&mut buf).await;
                let body = b"{\"ok\":true}";
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = tls.write_all(head.as_bytes()).await;
                let _ = tls.write_all(body).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    Server {
        port,
        cert_pem: ck.cert.pem(),
        cert_der,
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
