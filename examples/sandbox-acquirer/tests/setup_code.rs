//! The console's phone setup code (docs/qa-console.md, "Setup code") on a real sandbox: what
//! it holds is exactly what the sandbox prints, in the same formats, its QR code scans back to
//! it, only names on the certificate are offered, and a client configured from the code alone
//! (endpoint, pin, CA, root key) reaches the sandbox over TLS.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use hutong_core::scan::{ScanOptions, Scanner};
use hutong_core::transport::{HttpsTransport, Method, Request, SpkiPin, TlsOptions, Transport};
use sandbox_acquirer::console;
use sandbox_acquirer::setup::SETUP_HEADER;
use sandbox_acquirer::{start, SandboxConfig, SandboxHandle};
use serde_json::Value;
use std::collections::HashMap;

async fn lab_sandbox() -> SandboxHandle {
    start(SandboxConfig {
        extra_names: vec!["QA-Laptop.local".into()],
        extra_routes: Some(console::router()),
        ..Default::default()
    })
    .await
    .unwrap()
}

/// The fields of a setup code, checking the header.
fn fields(text: &str) -> HashMap<String, String> {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(SETUP_HEADER));
    lines
        .map(|l| {
            let (k, v) = l.split_once('=').expect("key=value");
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

/// TLS options from nothing but a setup code, as a phone builds them.
fn tls_from(text: &str) -> TlsOptions {
    let f = fields(text);
    let der = B64.decode(&f["ca"]).unwrap();
    let body: Vec<String> = B64
        .encode(der)
        .as_bytes()
        .chunks(64)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    let pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        body.join("\n")
    );
    let mut tls = TlsOptions::new(f["endpoint"].clone());
    tls.ca_pem = Some(pem.into_bytes());
    tls.spki_pins = vec![SpkiPin::parse_hex(&f["pin"]).expect("the pin is in the SDK's format")];
    tls
}

async fn get(transport: &HttpsTransport, target: &str) -> (u16, Value) {
    let r = transport
        .send(&Request {
            method: Method::Get,
            target: target.into(),
            headers: vec![],
            body: vec![],
        })
        .await
        .unwrap();
    (
        r.status,
        serde_json::from_slice(&r.body).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn the_setup_code_holds_what_the_sandbox_prints_and_configures_a_client() {
    let sb = lab_sandbox().await;
    let ready = sb.ready_json();
    let default = ready["setup_code"].as_str().unwrap();
    let f = fields(default);
    let port = sb.addr().port();
    // LAN name first: that is what the phones use.
    assert_eq!(f["endpoint"], format!("https://qa-laptop.local:{port}"));
    assert_eq!(f["pin"], sb.spki_pin());
    assert_eq!(
        f["root"],
        format!(
            "{}:{}",
            ready["root_key_id"].as_str().unwrap(),
            ready["root_public_key"].as_str().unwrap()
        )
    );

    // The LAN name does not resolve here: the same pin and CA, over loopback.
    let mut loopback_tls = tls_from(default);
    loopback_tls.endpoint = format!("https://127.0.0.1:{port}");
    let bootstrap = HttpsTransport::new(&loopback_tls).unwrap();
    let (status, _) = get(&bootstrap, "/console/api/catalog").await;
    assert_eq!(status, 200);
    let (status, loopback) = get(&bootstrap, "/console/api/setup-code?host=127.0.0.1").await;
    assert_eq!(status, 200, "{loopback}");
    assert_eq!(
        loopback["hosts"],
        serde_json::json!(["qa-laptop.local", "127.0.0.1", "localhost"])
    );
    let text = loopback["payload"].as_str().unwrap();
    assert_eq!(loopback["endpoint"], format!("https://127.0.0.1:{port}"));
    let fresh = HttpsTransport::new(&tls_from(text)).unwrap();
    let (status, _) = get(&fresh, "/console/api/catalog").await;
    assert_eq!(
        status, 200,
        "a client configured from the code alone connects"
    );

    // Its QR code scans back to the same text.
    let png = B64
        .decode(loopback["image"]["png_base64"].as_str().unwrap())
        .unwrap();
    let scanner = Scanner::new(ScanOptions::default());
    let codes = scanner.decode_image(&png).unwrap();
    assert_eq!(codes.len(), 1);
    assert_eq!(codes[0].text, text);

    // The default is the LAN name; a name the certificate lacks is refused.
    let (_, lan) = get(&fresh, "/console/api/setup-code").await;
    assert_eq!(lan["payload"].as_str(), Some(default));
    let (status, refused) = get(&fresh, "/console/api/setup-code?host=evil.example").await;
    assert_eq!(status, 422);
    assert_eq!(refused["error"], "unknown_host");
}

#[tokio::test]
async fn without_a_running_sandbox_there_is_no_setup_code() {
    use tower::ServiceExt as _;
    let res = console::router()
        .oneshot(
            axum::http::Request::builder()
                .uri("/console/api/setup-code")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}
