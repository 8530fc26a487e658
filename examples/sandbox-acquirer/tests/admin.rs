//! The observation/admin API (protocol §9) on a real sandbox: intent lists and histories,
//! scenario overrides, client reports against the ledger, server-sent events, plain HTTP opt-in.

mod support;

use hutong_core::flow::IntentState;
use hutong_core::transport::{HttpsTransport, Method, Request, Transport, TransportError};
use sandbox_acquirer::{start, SandboxConfig};
use serde_json::{json, Value};
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn admin(c: &Client, method: Method, target: &str, body: Value) -> (u16, Value) {
    let r = c
        .transport
        .send(&Request {
            method,
            target: target.into(),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: if method == Method::Post {
                body.to_string().into_bytes()
            } else {
                vec![]
            },
        })
        .await
        .unwrap();
    (
        r.status,
        serde_json::from_slice(&r.body).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn intents_history_and_reconciliation_views() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let rec = pay(&c, WECHAT_CODE, WECHAT_ROUTE, 5000, "system_error_once").await;
    let refund = c
        .payments
        .refund(&rec.intent_id, Some(cny(1000)), Default::default())
        .await
        .unwrap();

    let (status, list) = admin(&c, Method::Get, "/sandbox/intents", Value::Null).await;
    assert_eq!(status, 200);
    let p = &list["payments"][0];
    assert_eq!(
        (p["intent_id"].as_str(), p["state"].as_str()),
        (Some(rec.intent_id.as_str()), Some("succeeded"))
    );
    assert_eq!(
        (p["discount"].as_i64(), p["payable"].as_i64()),
        (Some(500), Some(4500))
    );
    assert_eq!(p["funding_source_id"], "balance");
    assert_eq!(p["scenario"], "system_error_once");
    assert_eq!(p["refund_ids"][0], refund.refund_id.as_str());

    let (_, one) = admin(
        &c,
        Method::Get,
        &format!("/sandbox/intents/{}", rec.intent_id),
        Value::Null,
    )
    .await;
    let ex = one["exchanges"].as_array().unwrap();
    let posts: Vec<&Value> = ex.iter().filter(|e| e["path"] == "/v1/payments").collect();
    assert_eq!(posts[0]["status"], 503);
    assert_eq!(posts[0]["scenario"], "system_error_once");
    assert_eq!(posts[1]["status"], 200);
    assert!(posts[1]["canonical_request"]
        .as_str()
        .unwrap()
        .starts_with("POST\n/v1/payments\n"));
    assert_eq!(posts[1]["verdict"], "valid");
    assert_eq!(posts[1]["idempotency_key"], rec.intent_id.as_str());
    assert!(posts[1]["response_signature"]["X-Hutong-Signature"].is_string());
    assert!(ex
        .iter()
        .any(|e| e["refund_id"] == refund.refund_id.as_str()));
    // Looking an intent up by one of its refunds finds the same history.
    let (_, by_refund) = admin(
        &c,
        Method::Get,
        &format!("/sandbox/intents/{}", refund.refund_id),
        Value::Null,
    )
    .await;
    assert_eq!(by_refund["payment"]["intent_id"], rec.intent_id.as_str());
    let (status, _) = admin(&c, Method::Get, "/sandbox/intents/nope", Value::Null).await;
    assert_eq!(status, 404);

    // The client's journal agrees with the ledger...
    let j = c.payments.journal().intent(&rec.intent_id).unwrap();
    let report = json!({"intent_id": j.intent_id, "state": j.state.as_str(),
        "paid": {"minor": j.paid_minor.unwrap(), "currency": "CNY"},
        "refunded": {"minor": 1000, "currency": "CNY"}});
    let (status, row) = admin(&c, Method::Post, "/sandbox/client-report", report).await;
    assert_eq!(status, 200);
    assert_eq!(row["differences"], json!([]), "{row}");
    // ...and a journal that lost a payment is flagged.
    let lost = json!({"intent_id": j.intent_id, "state": "failed"});
    let (_, row) = admin(&c, Method::Post, "/sandbox/client-report", lost).await;
    assert_eq!(row["differences"].as_array().unwrap().len(), 1, "{row}");
    let (_, ledger) = admin(&c, Method::Get, "/sandbox/ledger", Value::Null).await;
    assert_eq!(ledger["totals"]["captures"], 1);
    assert_eq!(ledger["totals"]["paid"]["CNY"], 4500);
    assert_eq!(ledger["totals"]["refunded"]["CNY"], 1000);
    assert_eq!(ledger["totals"]["with_differences"], 1);
    let (status, _) = admin(
        &c,
        Method::Post,
        "/sandbox/client-report",
        json!({"state": 1}),
    )
    .await;
    assert_eq!(status, 400);

    // Another site's page cannot forge a report: not JSON, or labelled cross-site, is refused.
    let forged = json!({"intent_id": j.intent_id, "state": "succeeded"}).to_string();
    for headers in [
        vec![("Content-Type", "text/plain")],
        vec![
            ("Content-Type", "application/json"),
            ("Sec-Fetch-Site", "cross-site"),
        ],
    ] {
        let r = c
            .transport
            .send(&Request {
                method: Method::Post,
                target: "/sandbox/client-report".into(),
                headers: headers
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                body: forged.clone().into_bytes(),
            })
            .await
            .unwrap();
        assert!(
            r.status == 403 || r.status == 415,
            "{headers:?}: {}",
            r.status
        );
    }
    // Had a forged "succeeded" been stored, the difference would have disappeared.
    let (_, ledger) = admin(&c, Method::Get, "/sandbox/ledger", Value::Null).await;
    assert_eq!(
        ledger["totals"]["with_differences"], 1,
        "forged reports were not stored"
    );
}

#[tokio::test]
async fn scenario_overrides_for_the_next_request_and_for_a_merchant() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let (status, o) = admin(
        &c,
        Method::Post,
        "/sandbox/scenario",
        json!({"scenario": "insufficient_funds", "scope": "next"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(o["overrides"]["next"], "insufficient_funds");
    let quote = c
        .payments
        .quote(ALIPAY_CODE, Some(cny(900)), ALIPAY_ROUTE)
        .await
        .unwrap();
    let failed = c
        .payments
        .pay_quoted(ALIPAY_CODE, &quote, "balance", Default::default())
        .await
        .unwrap();
    assert_eq!(failed.state, IntentState::Failed);
    let ok = c
        .payments
        .pay_quoted(ALIPAY_CODE, &quote, "balance", Default::default())
        .await
        .unwrap();
    assert_eq!(
        ok.state,
        IntentState::Succeeded,
        "the override served one request only"
    );

    let merchant = quote.merchant.id.clone();
    admin(
        &c,
        Method::Post,
        "/sandbox/scenario",
        json!({"scenario": "user_paying", "scope": "merchant", "merchant_id": merchant}),
    )
    .await;
    let paying = c
        .payments
        .pay_quoted(ALIPAY_CODE, &quote, "balance", Default::default())
        .await
        .unwrap();
    assert_eq!(paying.state, IntentState::Succeeded);
    assert_eq!(
        sb.payment(&paying.intent_id).unwrap().scenario,
        "user_paying"
    );
    let (status, _) = admin(
        &c,
        Method::Post,
        "/sandbox/scenario",
        json!({"scenario": "no_such", "scope": "next"}),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = admin(
        &c,
        Method::Post,
        "/sandbox/scenario",
        json!({"scenario": "slow", "scope": "merchant"}),
    )
    .await;
    assert_eq!(status, 400);
    let (_, info) = admin(&c, Method::Get, "/sandbox/info", Value::Null).await;
    assert_eq!(info["root_key_id"], sb.server_roots()[0].key_id.as_str());
    assert!(info["scenarios"].as_array().unwrap().len() >= 15);
}

/// Reads from `stream` until `needle` shows up (or the test times out).
async fn read_until(stream: &mut tokio::net::TcpStream, needle: &str) -> String {
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !seen.contains(needle) {
        let n = tokio::time::timeout_at(deadline, stream.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0, "stream closed before `{needle}`: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    seen
}

#[tokio::test]
async fn events_stream_ledger_changes_over_plain_http_when_asked() {
    let sb = start(SandboxConfig {
        plain_http: true,
        timing: timing(),
        ..Default::default()
    })
    .await
    .unwrap();
    assert!(sb.endpoint().starts_with("http://"));
    // The SDK refuses plain HTTP outright.
    let refused = HttpsTransport::new(&hutong_core::transport::TlsOptions::new(sb.endpoint()));
    assert!(matches!(refused, Err(TransportError::Config(_))));

    let mut events = tokio::net::TcpStream::connect(sb.addr()).await.unwrap();
    events
        .write_all(
            b"GET /sandbox/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n",
        )
        .await
        .unwrap();
    read_until(&mut events, "text/event-stream").await;
    // An override is a change the console must see.
    sb.state()
        .set_scenario(Some("slow"), "default", None)
        .unwrap();
    let seen = read_until(&mut events, "\"type\":\"scenario\"").await;
    assert!(seen.contains("data:"), "{seen}");
    sb.state().rotate_key().unwrap();
    read_until(&mut events, "key_rotated").await;
}
