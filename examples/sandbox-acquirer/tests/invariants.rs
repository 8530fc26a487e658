//! The money invariants of docs/protocol.md §10, each broken on purpose against the real sandbox
//! over TLS: by a client that asks for it (refused before sending) and by a raw signed request
//! (refused by the switch), plus takeovers between two clients sharing one journal, replays
//! across a sandbox restart, and requests dropped in flight.

mod support;

use hutong_core::flow::{FlowError, FlowTimings, IntentState, Payments, PaymentsConfig};
use hutong_core::route::RouteError;
use hutong_core::transport::{Method, Transport};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use support::*;

fn exchange_count(sb: &sandbox_acquirer::SandboxHandle) -> i64 {
    sb.state()
        .ledger
        .read(|c| c.query_row("SELECT COUNT(*) FROM exchanges", [], |r| r.get(0)))
        .unwrap()
}

fn payment_body(intent: &str, code: &str, network: &str, route: &str, minor: i64) -> String {
    json!({"intent_id": intent, "out_trade_no": hutong_core::flow::out_trade_no_for(intent),
        "merchant_code": code, "network": network, "amount": {"minor": minor, "currency": "CNY"},
        "confirmed_payable": {"minor": minor, "currency": "CNY"}, "funding_source_id": "balance",
        "route_requested": route, "description": ""})
    .to_string()
}

#[tokio::test]
async fn a_route_to_another_network_is_refused_by_the_client_before_sending() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let before = exchange_count(&sb);
    let err = c
        .payments
        .quote(ALIPAY_CODE, Some(cny(100)), "wechat_pay:direct")
        .await
        .unwrap_err();
    assert!(
        matches!(err, FlowError::Route(RouteError::NetworkMismatch { .. })),
        "{err}"
    );
    let err = c
        .payments
        .quote(ALIPAY_CODE, Some(cny(100)), "alipay:made_up_route")
        .await
        .unwrap_err();
    assert!(
        matches!(err, FlowError::Route(RouteError::NotAllowed { .. })),
        "{err}"
    );
    // A quote tampered with after the switch answered (the app holds it between screens).
    let mut quote = c
        .payments
        .quote(ALIPAY_CODE, Some(cny(100)), ALIPAY_ROUTE)
        .await
        .unwrap();
    quote.network = "wechat_pay".into();
    quote.route_requested = "wechat_pay:direct".into();
    let counted = exchange_count(&sb);
    let err = c
        .payments
        .pay_quoted(ALIPAY_CODE, &quote, "balance", Default::default())
        .await
        .unwrap_err();
    assert!(matches!(err, FlowError::CodeMismatch(_)), "{err}");
    assert_eq!(exchange_count(&sb), counted, "nothing sent");
    assert_eq!(counted, before + 1, "only the honest quote was sent");
}

#[tokio::test]
async fn the_switch_refuses_a_signed_request_for_another_network_route_currency_or_amount() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let dynamic = (
        dynamic_code_25_cny(),
        "unionpay",
        "unionpay:unionpay_qr_interconnect".to_string(),
        2500_i64,
    );
    let cases: Vec<(String, &str, &str, i64, &str)> = vec![
        // (code, network, route, minor, expected error)
        (
            ALIPAY_CODE.into(),
            "wechat_pay",
            "wechat_pay:direct",
            100,
            "NETWORK_MISMATCH",
        ),
        (
            ALIPAY_CODE.into(),
            "alipay",
            "wechat_pay:direct",
            100,
            "NETWORK_MISMATCH",
        ),
        (
            ALIPAY_CODE.into(),
            "alipay",
            "alipay:made_up",
            100,
            "ROUTE_NOT_SUPPORTED",
        ),
        (
            "hello world".into(),
            "alipay",
            "alipay:direct",
            100,
            "CODE_NOT_PAYABLE",
        ),
        (
            "134567890123456789".into(),
            "wechat_pay",
            "wechat_pay:direct",
            100,
            "CODE_NOT_PAYABLE",
        ),
        (
            dynamic.0.clone(),
            dynamic.1,
            dynamic.2.as_str(),
            dynamic.3 + 1,
            "AMOUNT_MISMATCH",
        ),
    ];
    for (code, network, route, minor, expected) in &cases {
        let intent = hutong_core::flow::new_uuid_v4().unwrap();
        let body = payment_body(&intent, code, network, route, *minor);
        let r = raw(
            &c,
            Method::Post,
            "/v1/payments",
            body.as_bytes(),
            &[
                ("Content-Type", "application/json"),
                ("Idempotency-Key", &intent),
            ],
        )
        .await;
        assert_eq!(
            (r.status, error_code(&r).as_str()),
            (422, *expected),
            "{code} {network} {route}"
        );
        assert_eq!(sb.capture_count(Some(&intent)), 0);
        let quote = json!({"merchant_code": code, "network": network,
            "amount": {"minor": minor, "currency": "CNY"}, "route_requested": route})
        .to_string();
        let r = raw(
            &c,
            Method::Post,
            "/v1/quotes",
            quote.as_bytes(),
            &[("Content-Type", "application/json")],
        )
        .await;
        assert_eq!(
            (r.status, error_code(&r).as_str()),
            (422, *expected),
            "quote {code}"
        );
    }
    // The dynamic code at its own amount, but in another currency.
    let intent = hutong_core::flow::new_uuid_v4().unwrap();
    let body = payment_body(&intent, &dynamic.0, dynamic.1, &dynamic.2, dynamic.3)
        .replace("\"CNY\"", "\"USD\"");
    let r = raw(
        &c,
        Method::Post,
        "/v1/payments",
        body.as_bytes(),
        &[
            ("Content-Type", "application/json"),
            ("Idempotency-Key", &intent),
        ],
    )
    .await;
    assert_eq!(
        (r.status, error_code(&r).as_str()),
        (422, "CURRENCY_MISMATCH")
    );
    assert_eq!(sb.capture_count(None), 0, "nothing was ever charged");
}

/// A dynamic EMVCo code for 25.00 CNY routed through UnionPay.
fn dynamic_code_25_cny() -> String {
    use hutong_core::codes::emv_mpm::{encode, Field};
    encode(&[
        (1, Field::Text("12".into())),
        (
            15,
            Field::Template(vec![
                (0, "A000000333010102".into()),
                (1, "104031000000001".into()),
            ]),
        ),
        (52, Field::Text("5812".into())),
        (53, Field::Text("156".into())),
        (54, Field::Text("25.00".into())),
        (58, Field::Text("CN".into())),
        (59, Field::Text("TEA HOUSE 1".into())),
        (60, Field::Text("SHANGHAI".into())),
    ])
    .unwrap()
}

/// A second client on the same journal file and device key, as a second process would be.
fn second_client(sb: &sandbox_acquirer::SandboxHandle, first: &Client) -> Payments {
    Payments::new(PaymentsConfig {
        endpoint: sb.endpoint(),
        ca_pem: None,
        spki_pins: vec![],
        journal_path: first.dir.path().join("journal.sqlite"),
        signer: first.signer.clone(),
        server_roots: sb.server_roots(),
        listener: None,
        timings: FlowTimings::fast(),
        transport: Some(first.transport.clone() as Arc<dyn Transport>),
        wallet: None,
        registry: None,
    })
    .unwrap()
}

/// `deadline`: the paying client's; the sandbox holds the create 2 s (`slow`) before it commits.
async fn pay_while_another_client_recovers(deadline: Duration) -> IntentState {
    let sb = sandbox().await;
    let mut c = client(&sb).await;
    let mut timings = FlowTimings::fast();
    timings.default_deadline = deadline;
    c.payments = Payments::new(PaymentsConfig {
        endpoint: sb.endpoint(),
        ca_pem: None,
        spki_pins: vec![],
        journal_path: c.dir.path().join("journal.sqlite"),
        signer: c.signer.clone(),
        server_roots: sb.server_roots(),
        listener: None,
        timings,
        transport: Some(c.transport.clone() as Arc<dyn Transport>),
        wallet: None,
        registry: None,
    })
    .unwrap();
    let other = second_client(&sb, &c);
    let quote = c
        .payments
        .quote(ALIPAY_CODE, Some(cny(900)), ALIPAY_ROUTE)
        .await
        .unwrap();
    let (paid, recovered) = tokio::join!(
        c.payments
            .pay_quoted(ALIPAY_CODE, &quote, "balance", opts("slow")),
        async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            other.recover().await
        }
    );
    let rec = paid.expect("pay reports how the payment ended, not a takeover error");
    recovered.expect("recover beside a live pay");
    assert_agree(&sb, &c, &rec.intent_id);
    let row = sb.payment(&rec.intent_id).unwrap();
    assert_eq!(
        rec.state.as_str(),
        row.state,
        "what pay returned is what the ledger says"
    );
    rec.state
}

#[tokio::test]
async fn a_pay_that_another_process_recovers_meanwhile_reports_the_ledgers_success() {
    assert_eq!(
        pay_while_another_client_recovers(Duration::from_secs(20)).await,
        IntentState::Succeeded
    );
}

#[tokio::test]
async fn a_pay_that_another_process_reverses_meanwhile_reports_the_reversal() {
    // The recovering client reaches the deadline before the create commits and reverses it.
    assert_eq!(
        pay_while_another_client_recovers(Duration::from_millis(800)).await,
        IntentState::Reversed
    );
}

#[tokio::test]
async fn a_replayed_request_is_refused_after_the_sandbox_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite");
    let config = || sandbox_acquirer::SandboxConfig {
        ledger: Some(path.clone()),
        timing: timing(),
        ..Default::default()
    };
    let sb = sandbox_acquirer::start(config()).await.unwrap();
    let c = client(&sb).await;
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let auth =
        hutong_core::sign::sign_request(c.signer.as_ref(), "GET", "/v1/funding_sources", b"", ts)
            .unwrap();
    let send = |sb: &sandbox_acquirer::SandboxHandle| {
        let transport = hutong_core::transport::HttpsTransport::new(&tls_options(sb)).unwrap();
        let header = auth.to_header_value();
        async move {
            transport
                .send(&hutong_core::transport::Request {
                    method: Method::Get,
                    target: "/v1/funding_sources".into(),
                    headers: vec![("Authorization".into(), header)],
                    body: vec![],
                })
                .await
                .unwrap()
        }
    };
    assert_eq!(send(&sb).await.status, 200);
    sb.shutdown().await;
    let sb = sandbox_acquirer::start(config()).await.unwrap();
    let r = send(&sb).await;
    assert_eq!((r.status, error_code(&r).as_str()), (401, "NONCE_REPLAYED"));
}

#[tokio::test]
async fn a_request_dropped_in_flight_leaves_no_key_in_flight() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let intent = hutong_core::flow::new_uuid_v4().unwrap();
    let body = payment_body(&intent, ALIPAY_CODE, "alipay", ALIPAY_ROUTE, 500);
    let headers = [
        ("Content-Type", "application/json"),
        ("Idempotency-Key", intent.as_str()),
        ("X-Sandbox-Scenario", "slow"),
    ];
    // The client gives up (its connection closes) while the switch holds the key.
    let dropped = tokio::time::timeout(
        Duration::from_millis(400),
        raw(&c, Method::Post, "/v1/payments", body.as_bytes(), &headers),
    )
    .await;
    assert!(dropped.is_err(), "the slow answer must not have come yet");
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while sb.state().is_in_flight("payment", &intent) {
        assert!(std::time::Instant::now() < deadline, "key stuck in flight");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let r = raw(
        &c,
        Method::Post,
        "/v1/payments",
        body.as_bytes(),
        &headers[..2],
    )
    .await;
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(sb.capture_count(Some(&intent)), 1);
}

#[cfg(unix)]
#[tokio::test]
async fn the_ledger_holding_the_server_keys_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let sb = sandbox().await;
    let mode = std::fs::metadata(sb.ledger_path())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

/// One plain-HTTP request with the given `Host` and `Origin`; the status code.
async fn admin_status(port: u16, host: &str, origin: Option<&str>) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let origin = origin
        .map(|o| format!("Origin: {o}\r\n"))
        .unwrap_or_default();
    let req = format!(
        "POST /sandbox/scenario HTTP/1.1\r\nHost: {host}\r\n{origin}Content-Type: application/json\r\nContent-Length: 35\r\nConnection: close\r\n\r\n{{\"scenario\":null,\"scope\":\"default\"}}"
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out.split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn the_admin_api_refuses_a_dns_rebinding_host_or_a_foreign_origin() {
    let sb = sandbox_acquirer::start(sandbox_acquirer::SandboxConfig {
        plain_http: true,
        timing: timing(),
        ..Default::default()
    })
    .await
    .unwrap();
    let port = sb.addr().port();
    let own = format!("127.0.0.1:{port}");
    assert_eq!(admin_status(port, &own, None).await, 200);
    assert_eq!(
        admin_status(
            port,
            &format!("localhost:{port}"),
            Some(&format!("http://localhost:{port}"))
        )
        .await,
        200
    );
    assert_eq!(
        admin_status(port, &format!("evil.example:{port}"), None).await,
        403
    );
    assert_eq!(
        admin_status(port, &own, Some(&format!("http://evil.example:{port}"))).await,
        403
    );
    assert_eq!(admin_status(port, &own, Some("null")).await, 403);
}

#[tokio::test]
async fn collect_takes_every_payer_code_the_console_simulates() {
    // The console's simulator draws from these rows (console::payer), so each must be collectable.
    let sb = sandbox().await;
    let c = client(&sb).await;
    for row in hutong_core::registry::Registry::builtin().pay_code_rows() {
        let (prefix, length) = (&row.prefixes[0], row.lengths[0]);
        let digits = format!("{prefix}{}", "7".repeat(length - prefix.len()));
        let code = hutong_core::flow::PayerCode::parse(&digits).unwrap();
        let rec = c
            .payments
            .collect(&code, cny(1200), opts("success"))
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", row.network));
        assert_eq!(rec.state, IntentState::Succeeded, "{}", row.network);
        assert_eq!(rec.network.as_deref(), Some(row.network.as_str()));
        assert_agree(&sb, &c, &rec.intent_id);
    }
}
