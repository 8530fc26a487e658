//! The QA console's JSON endpoints and page, driven through the real axum router: codes come
//! back as data (never markup), their PNGs scan back to their payloads with the SDK's own
//! scanner, uploads are capped, one at a time and from this machine only (unless opted in),
//! and every response carries the security headers.

use axum::body::Body;
use axum::body::Bytes;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use http_body_util::BodyExt as _;
use hutong_core::scan::{ScanOptions, Scanner};
use sandbox_acquirer::conn::ConnCtl;
use sandbox_acquirer::console::{self, ConsoleOptions, MAX_JSON_BYTES, MAX_UPLOAD_BYTES};
use serde_json::{json, Value};
use std::path::PathBuf;
use tower::ServiceExt as _;

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

async fn call(
    app: &Router,
    method: &str,
    uri: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> Reply {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(ct) = content_type {
        req = req.header(header::CONTENT_TYPE, ct);
    }
    let res = app
        .clone()
        .oneshot(req.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

async fn post_json(app: &Router, uri: &str, body: Value) -> Reply {
    call(
        app,
        "POST",
        uri,
        Some("application/json"),
        body.to_string().into_bytes(),
    )
    .await
}

fn corpus(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/zxing-cpp")
        .join(rel)
}

/// Decodes a base64 PNG the console returned with the SDK's scanner: what a phone would read.
fn scan_png(b64: &str) -> Vec<String> {
    let png = B64.decode(b64).expect("base64 PNG");
    Scanner::new(ScanOptions::default())
        .decode_image(&png)
        .expect("a PNG")
        .into_iter()
        .map(|c| c.text)
        .collect()
}

fn assert_security_headers(r: &Reply) {
    let csp = r.header("content-security-policy");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{csp}"
    );
    assert_eq!(r.header("x-content-type-options"), "nosniff");
    assert_eq!(r.header("x-frame-options"), "DENY");
}

#[tokio::test]
async fn the_page_and_its_assets_are_served_with_a_strict_policy() {
    let app = console::router();
    let page = call(&app, "GET", "/console", None, vec![]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.header("content-type").starts_with("text/html"));
    assert_security_headers(&page);
    let html = String::from_utf8(page.body.clone()).unwrap();
    assert!(html.contains(r#"<script src="/console/assets/console.js" defer></script>"#));
    // No inline script or handler: the CSP would block it, and it would be a place for data to run.
    assert_eq!(
        html.matches("<script").count(),
        1,
        "only the one external script"
    );
    assert!(
        !html.contains(" onclick=") && !html.contains(" onload="),
        "no inline handlers"
    );
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external resources"
    );

    for (name, ct) in [
        ("console.js", "text/javascript"),
        ("console.css", "text/css"),
    ] {
        let r = call(
            &app,
            "GET",
            &format!("/console/assets/{name}"),
            None,
            vec![],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{name}");
        assert!(r.header("content-type").starts_with(ct), "{name}");
        assert_security_headers(&r);
    }
    let js = String::from_utf8(
        call(&app, "GET", "/console/assets/console.js", None, vec![])
            .await
            .body,
    )
    .unwrap();
    // The page renders data with DOM text APIs only.
    for sink in [
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
    ] {
        assert!(!js.contains(sink), "console.js uses {sink}");
    }
    let missing = call(&app, "GET", "/console/assets/other.js", None, vec![]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_catalog_lists_templates_pay_code_networks_and_limits() {
    let app = console::router();
    let r = call(&app, "GET", "/console/api/catalog", None, vec![]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_security_headers(&r);
    let c = r.json();
    let templates: Vec<&str> = c["merchant_templates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    for id in [
        "wechat_personal",
        "wechat_merchant",
        "alipay_personal",
        "unionpay_url",
        "unionpay_emv",
        "emvco_mpm",
        "pix",
        "promptpay",
    ] {
        assert!(templates.contains(&id), "{id} missing from {templates:?}");
    }
    let payer: Vec<&str> = c["payer_networks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["network"].as_str().unwrap())
        .collect();
    for n in ["wechat_pay", "alipay", "unionpay", "ecny"] {
        assert!(payer.contains(&n), "{n} missing from {payer:?}");
    }
    assert_eq!(c["payer_refresh_seconds"], 60);
    assert_eq!(c["max_upload_bytes"], MAX_UPLOAD_BYTES);
    assert_eq!(c["currency_exponents"]["CNY"], 2);
    assert_eq!(c["currency_exponents"]["VND"], 0);
}

#[tokio::test]
async fn a_dynamic_emvco_code_scans_back_to_its_payload_and_identifies_with_its_amount() {
    let app = console::router();
    let r = post_json(
        &app,
        "/console/api/merchant-code",
        json!({"template": "emvco_mpm", "dynamic": true, "amount": "23.72", "merchant_name": "TEA HOUSE", "merchant_city": "HANGZHOU"}),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert!(r.header("content-type").starts_with("application/json"));
    assert_security_headers(&r);
    let v = r.json();
    let payload = v["payload"].as_str().unwrap();
    assert!(payload.starts_with("000201010212"), "{payload}");
    assert_eq!(
        scan_png(v["image"]["png_base64"].as_str().unwrap()),
        [payload]
    );
    let id = &v["identification"];
    assert_eq!(id["valid"], true);
    assert_eq!(id["static_or_dynamic"], "dynamic");
    assert_eq!(id["amount_minor"], 2372);
    assert_eq!(id["currency_alpha"], "CNY");
    assert_eq!(id["merchant_name"], "TEA HOUSE");
    assert_eq!(id["merchant_city"], "HANGZHOU");
    assert!(v["merchant_id"].as_str().unwrap().starts_with("m-"));
}

#[tokio::test]
async fn html_in_a_merchant_name_comes_back_as_data() {
    let app = console::router();
    let evil = "<script>alert(1)</script>";
    let r = post_json(
        &app,
        "/console/api/merchant-code",
        json!({"template": "pix", "merchant_name": evil, "amount": "5.00"}),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    // JSON, never HTML: a browser told nosniff will not render it as a page.
    assert!(r.header("content-type").starts_with("application/json"));
    assert_eq!(r.header("x-content-type-options"), "nosniff");
    let v = r.json();
    assert!(v["payload"].as_str().unwrap().contains(evil));
    assert_eq!(v["identification"]["merchant_name"], evil);
    assert_eq!(v["identification"]["network"], "pix");
    assert_eq!(
        scan_png(v["image"]["png_base64"].as_str().unwrap()),
        [v["payload"].as_str().unwrap()]
    );
}

#[tokio::test]
async fn every_template_renders_a_scannable_code_of_its_network() {
    let app = console::router();
    let catalog = call(&app, "GET", "/console/api/catalog", None, vec![])
        .await
        .json();
    for t in catalog["merchant_templates"].as_array().unwrap() {
        let mut req = json!({"template": t["id"], "seed": 11});
        if t["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "amount")
        {
            req["amount"] = json!("12");
        }
        let r = post_json(&app, "/console/api/merchant-code", req).await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{}: {}",
            t["id"],
            String::from_utf8_lossy(&r.body)
        );
        let v = r.json();
        assert_eq!(v["identification"]["network"], t["network"], "{}", t["id"]);
        assert_eq!(
            scan_png(v["image"]["png_base64"].as_str().unwrap()),
            [v["payload"].as_str().unwrap()],
            "{}",
            t["id"]
        );
    }
}

#[tokio::test]
async fn merchant_code_requests_are_checked_with_typed_errors() {
    let app = console::router();
    let cases: Vec<(Option<&str>, Vec<u8>, StatusCode, &str)> = vec![
        (
            Some("text/plain"),
            br#"{"template":"pix"}"#.to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            None,
            br#"{"template":"pix"}"#.to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            Some("application/json"),
            b"{not json".to_vec(),
            StatusCode::BAD_REQUEST,
            "bad_json",
        ),
        (
            Some("application/json"),
            br#"{"template":"pix","colour":"red"}"#.to_vec(),
            StatusCode::BAD_REQUEST,
            "bad_json",
        ),
        (
            Some("application/json"),
            br#"{"template":"nope"}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_template",
        ),
        (
            Some("application/json"),
            br#"{"template":"pix","dynamic":true}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "amount_required",
        ),
        (
            Some("application/json"),
            br#"{"template":"pix","amount":"-1"}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_amount",
        ),
        (
            Some("application/json"),
            br#"{"template":"wechat_personal","merchant_name":"x"}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "field_not_supported",
        ),
        (
            Some("application/json"),
            br#"{"template":"pix","merchant_name":"a\nb"}"#.to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "control_character",
        ),
    ];
    for (ct, body, status, code) in cases {
        let r = call(&app, "POST", "/console/api/merchant-code", ct, body.clone()).await;
        assert_eq!(r.status, status, "{}", String::from_utf8_lossy(&body));
        assert_eq!(
            r.json()["error"],
            code,
            "{}",
            String::from_utf8_lossy(&body)
        );
        assert!(r.json()["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // A name longer than the cap is refused; a body above the JSON cap never reaches the parser.
    let long = json!({"template": "pix", "merchant_name": "x".repeat(console::MAX_TEXT + 1)});
    let r = post_json(&app, "/console/api/merchant-code", long).await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("too_long"))
    );
    let huge = json!({"template": "pix", "merchant_name": "x".repeat(MAX_JSON_BYTES)});
    let r = post_json(&app, "/console/api/merchant-code", huge).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.json()["error"], "too_large");
}

#[tokio::test]
async fn a_payer_code_is_a_registry_valid_pay_code_drawn_as_code_128_and_qr() {
    let app = console::router();
    for network in ["wechat_pay", "alipay", "unionpay", "ecny"] {
        let r = post_json(&app, "/console/api/payer-code", json!({"network": network})).await;
        assert_eq!(r.status, StatusCode::OK, "{network}");
        let v = r.json();
        let digits = v["digits"].as_str().unwrap();
        assert!(digits.bytes().all(|b| b.is_ascii_digit()), "{digits}");
        assert_eq!(v["identification"]["network"], network, "{digits}");
        assert_eq!(v["identification"]["presentation"], "cpm", "{digits}");
        assert_eq!(v["identification"]["valid"], true, "{digits}");
        assert_eq!(v["refresh_seconds"], 60);
        assert_eq!(
            scan_png(v["code128"]["png_base64"].as_str().unwrap()),
            [digits]
        );
        assert_eq!(scan_png(v["qr"]["png_base64"].as_str().unwrap()), [digits]);
    }
    // Two issues give two codes (wallets never show the same code twice).
    let a = post_json(
        &app,
        "/console/api/payer-code",
        json!({"network": "wechat_pay"}),
    )
    .await
    .json();
    let b = post_json(
        &app,
        "/console/api/payer-code",
        json!({"network": "wechat_pay"}),
    )
    .await
    .json();
    assert_ne!(a["digits"], b["digits"]);
    let r = post_json(&app, "/console/api/payer-code", json!({"network": "pix"})).await;
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("unknown_network"))
    );
}

#[tokio::test]
async fn a_corpus_photo_scans_with_corners_and_identification_raw_or_multipart() {
    let app = console::router();
    let photo = std::fs::read(corpus("qrcode-1/13.webp")).unwrap();
    let expected = std::fs::read_to_string(corpus("qrcode-1/13.txt")).unwrap();

    let raw = call(
        &app,
        "POST",
        "/console/api/scan",
        Some("image/webp"),
        photo.clone(),
    )
    .await;
    assert_eq!(
        raw.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&raw.body)
    );
    assert_security_headers(&raw);
    let v = raw.json();
    let codes = v["codes"].as_array().unwrap();
    assert_eq!(codes.len(), 1, "{v}");
    assert_eq!(codes[0]["text"], expected.as_str());
    assert_eq!(codes[0]["format"], "qr_code");
    assert_eq!(codes[0]["identification"]["network"], "unknown_url");
    let (w, h) = (v["width"].as_f64().unwrap(), v["height"].as_f64().unwrap());
    let corners = codes[0]["corners"].as_array().unwrap();
    assert_eq!(corners.len(), 4);
    for p in corners {
        let (x, y) = (p[0].as_f64().unwrap(), p[1].as_f64().unwrap());
        assert!(
            (0.0..=w).contains(&x) && (0.0..=h).contains(&y),
            "{p} outside {w}x{h}"
        );
    }

    let boundary = "hutongBoundary7MA4YWxk";
    let mut form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"13.webp\"\r\nContent-Type: image/webp\r\n\r\n"
    )
    .into_bytes();
    form.extend_from_slice(&photo);
    form.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let multi = call(
        &app,
        "POST",
        "/console/api/scan",
        Some(&format!("multipart/form-data; boundary={boundary}")),
        form,
    )
    .await;
    assert_eq!(
        multi.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&multi.body)
    );
    assert_eq!(multi.json()["codes"], v["codes"]);
}

#[tokio::test]
async fn uploads_are_capped_and_non_images_refused() {
    let app = console::router();
    let r = call(
        &app,
        "POST",
        "/console/api/scan",
        Some("image/png"),
        vec![0u8; MAX_UPLOAD_BYTES + 1],
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.json()["error"], "too_large");

    let r = call(
        &app,
        "POST",
        "/console/api/scan",
        Some("image/png"),
        b"<html>not an image</html>".to_vec(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(r.json()["error"], "unsupported_image");

    let r = call(
        &app,
        "POST",
        "/console/api/scan",
        Some("text/plain"),
        b"hello".to_vec(),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(r.json()["error"], "unsupported_media_type");

    let r = call(
        &app,
        "POST",
        "/console/api/scan",
        Some("application/octet-stream"),
        vec![],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"], "empty_body");

    // A truncated PNG is a typed error, not a panic.
    let png = std::fs::read(corpus("qrcode-2/#128.png")).unwrap();
    let r = call(
        &app,
        "POST",
        "/console/api/scan",
        Some("image/png"),
        png[..png.len() / 2].to_vec(),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(r.json()["error"], "corrupt_image");

    let boundary = "b0undary";
    let mut form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"big.png\"\r\nContent-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    form.extend(std::iter::repeat_n(0u8, MAX_UPLOAD_BYTES + 1));
    form.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let r = call(
        &app,
        "POST",
        "/console/api/scan",
        Some(&format!("multipart/form-data; boundary={boundary}")),
        form,
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.json()["error"], "too_large");
}

#[tokio::test]
async fn posts_from_another_site_are_refused() {
    let app = console::router();
    for site in ["cross-site", "same-site"] {
        let req = Request::builder()
            .method("POST")
            .uri("/console/api/scan")
            .header(header::CONTENT_TYPE, "multipart/form-data; boundary=x")
            .header("sec-fetch-site", site)
            .body(Body::from("--x--\r\n"))
            .unwrap();
        let res = app.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{site}");
    }
    let req = Request::builder()
        .method("POST")
        .uri("/console/api/payer-code")
        .header(header::CONTENT_TYPE, "application/json")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(r#"{"network":"alipay"}"#))
        .unwrap();
    assert_eq!(
        app.clone().oneshot(req).await.unwrap().status(),
        StatusCode::OK
    );
}

fn photo_request(photo: Vec<u8>, peer: Option<&str>) -> Request<Body> {
    let mut req = Request::builder()
        .method("POST")
        .uri("/console/api/scan")
        .header(header::CONTENT_TYPE, "image/webp")
        .body(Body::from(photo))
        .unwrap();
    if let Some(peer) = peer {
        req.extensions_mut()
            .insert(ConnCtl::detached(peer.parse().unwrap()));
    }
    req
}

async fn reply(res: axum::response::Response) -> (StatusCode, Value) {
    let status = res.status();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&body).unwrap())
}

#[tokio::test]
async fn photo_uploads_answer_loopback_clients_unless_the_operator_opts_in() {
    let photo = std::fs::read(corpus("qrcode-1/13.webp")).unwrap();
    let app = console::router();
    let (status, v) = reply(
        app.clone()
            .oneshot(photo_request(photo.clone(), Some("192.168.1.20:50000")))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::FORBIDDEN, Some("loopback_only"))
    );
    let (status, v) = reply(
        app.clone()
            .oneshot(photo_request(photo.clone(), Some("[::1]:50000")))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");

    let open = console::router_with(ConsoleOptions {
        remote_uploads: true,
    });
    let (status, v) = reply(
        open.oneshot(photo_request(photo, Some("192.168.1.20:50000")))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["codes"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_second_upload_while_one_is_being_handled_is_refused_busy() {
    let photo = std::fs::read(corpus("qrcode-1/13.webp")).unwrap();
    let app = console::router();
    // The first upload's body arrives in two parts; the handler reads it only once it holds
    // the decode permit, so its first read says the permit is taken.
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(1);
    let (reading_tx, reading_rx) = tokio::sync::oneshot::channel::<()>();
    let stream =
        futures_util::stream::unfold((rx, Some(reading_tx)), |(mut rx, mut reading)| async move {
            if let Some(tx) = reading.take() {
                let _ = tx.send(());
            }
            rx.recv().await.map(|item| (item, (rx, reading)))
        });
    let first = Request::builder()
        .method("POST")
        .uri("/console/api/scan")
        .header(header::CONTENT_TYPE, "image/webp")
        .body(Body::from_stream(stream))
        .unwrap();
    let first = tokio::spawn(app.clone().oneshot(first));
    reading_rx.await.unwrap();

    let (status, v) = reply(
        app.clone()
            .oneshot(photo_request(photo.clone(), None))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("busy")),
        "{v}"
    );

    let (head, tail) = photo.split_at(photo.len() / 2);
    tx.send(Ok(Bytes::copy_from_slice(head))).await.unwrap();
    tx.send(Ok(Bytes::copy_from_slice(tail))).await.unwrap();
    drop(tx);
    let (status, v) = reply(first.await.unwrap().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["codes"].as_array().unwrap().len(), 1);

    // The permit is back once the first decode is done.
    let (status, v) = reply(app.oneshot(photo_request(photo, None)).await.unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{v}");
}
