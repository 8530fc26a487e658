//! End to end: the real sandbox over real TLS on loopback, the real HttpsTransport and Payments
//! client. Every scenario of protocol §8 ends with the journal and the ledger agreeing and no
//! payment doubled or lost.

mod support;

use hutong_core::flow::{IntentState, PayerCode, RefundState};
use hutong_core::transport::Method;
use serde_json::json;
use std::sync::Arc;
use support::*;

#[tokio::test]
async fn immediate_success_keeps_promotion_route_fees_and_receipt() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let quote = c
        .payments
        .quote(WECHAT_CODE, Some(cny(10_000)), WECHAT_ROUTE)
        .await
        .unwrap();
    assert_eq!(
        (
            quote.original.minor,
            quote.discount.minor,
            quote.payable.minor
        ),
        (10_000, 1000, 9000)
    );
    assert_eq!(
        quote.promotion.as_ref().unwrap().campaign_id,
        "wechat-scan-save-daily"
    );
    let rec = c
        .payments
        .pay_quoted(WECHAT_CODE, &quote, "balance", opts("success"))
        .await
        .unwrap();
    assert_eq!(rec.state, IntentState::Succeeded);
    assert_eq!(
        (rec.original_minor, rec.discount_minor, rec.paid_minor),
        (Some(10_000), Some(1000), Some(9000))
    );
    assert_eq!(rec.route_used.as_deref(), Some(WECHAT_ROUTE));
    let receipt: serde_json::Value =
        serde_json::from_str(rec.receipt_json.as_ref().unwrap()).unwrap();
    assert_eq!(receipt["payable"]["minor"], 9000);
    assert_eq!(receipt["funding_source_id"], "balance");
    let fees: serde_json::Value = serde_json::from_str(rec.fees_json.as_ref().unwrap()).unwrap();
    assert_eq!(fees.as_array().unwrap().len(), 3);
    let row = sb.payment(&rec.intent_id).unwrap();
    assert_eq!(row.out_trade_no.as_deref(), Some(rec.out_trade_no.as_str()));
    assert_eq!(
        sb.payment_by_out_trade_no(&rec.out_trade_no)
            .unwrap()
            .intent_id,
        rec.intent_id
    );
    assert_agree(&sb, &c, &rec.intent_id);
}

#[tokio::test]
async fn wechat_discount_is_capped_at_thirty_yuan() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let rec = pay(&c, WECHAT_CODE, WECHAT_ROUTE, 100_000, "success").await;
    assert_eq!(
        (rec.discount_minor, rec.paid_minor),
        (Some(3000), Some(97_000))
    );
    assert_agree(&sb, &c, &rec.intent_id);
}

#[tokio::test]
async fn user_paying_then_success_after_polls() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let rec = pay(&c, ALIPAY_CODE, ALIPAY_ROUTE, 1500, "user_paying;polls=3").await;
    assert_eq!(rec.state, IntentState::Succeeded);
    let history = c.payments.journal().history(&rec.intent_id).unwrap();
    assert!(
        history.iter().any(|h| h.to_state == "user_paying"),
        "{history:?}"
    );
    assert_agree(&sb, &c, &rec.intent_id);
}

#[tokio::test]
async fn user_paying_until_the_deadline_is_reversed_and_nothing_is_charged() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let rec = pay(&c, ALIPAY_CODE, ALIPAY_ROUTE, 1500, "user_paying_forever").await;
    assert_eq!(rec.state, IntentState::Reversed);
    assert_eq!(rec.reverse_result.as_deref(), Some("closed"));
    assert_eq!(sb.payment(&rec.intent_id).unwrap().state, "reversed");
    assert_eq!(sb.capture_count(Some(&rec.intent_id)), 0);
    assert_agree(&sb, &c, &rec.intent_id);
}

#[tokio::test]
async fn reverse_of_an_order_paid_at_the_last_moment_refunds_it() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let rec = pay(&c, ALIPAY_CODE, ALIPAY_ROUTE, 4200, "paid_at_reverse").await;
    assert_eq!(rec.state, IntentState::Reversed);
    assert_eq!(rec.reverse_result.as_deref(), Some("refunded"));
    let row = sb.payment(&rec.intent_id).unwrap();
    assert_eq!((row.paid, row.refunded), (4200, 4200));
    assert_eq!(sb.capture_count(Some(&rec.intent_id)), 1);
    assert_agree(&sb, &c, &rec.intent_id);
}

#[tokio::test]
async fn reverse_of_a_paid_order_refunds_it_in_full() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let rec = pay(&c, ALIPAY_CODE, ALIPAY_ROUTE, 3000, "success").await;
    let target = format!("/v1/payments/{}/reverse", rec.intent_id);
    let r = raw(
        &c,
        Method::Post,
        &target,
        br#"{"reason":"cashier"}"#,
        &[
            ("Content-Type", "application/json"),
            ("Idempotency-Key", &rec.intent_id),
        ],
    )
    .await;
    assert_eq!(r.status, 200);
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["result"], "refunded");
    let row = sb.payment(&rec.intent_id).unwrap();
    assert_eq!((row.state.as_str(), row.refunded), ("reversed", 3000));
    // A repeat of the reverse is answered from its idempotency record, and changes nothing.
    let again = raw(
        &c,
        Method::Post,
        &target,
        br#"{"reason":"cashier"}"#,
        &[
            ("Content-Type", "application/json"),
            ("Idempotency-Key", &rec.intent_id),
        ],
    )
    .await;
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(sb.capture_count(Some(&rec.intent_id)), 1);
    assert_eq!(sb.payment(&rec.intent_id).unwrap().refunded, 3000);
}

#[tokio::test]
async fn insufficient_funds_by_scenario_and_by_funding_source_limit() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let rec = pay(&c, ALIPAY_CODE, ALIPAY_ROUTE, 1500, "insufficient_funds").await;
    assert_eq!(rec.state, IntentState::Failed);
    assert_eq!(rec.failure_code.as_deref(), Some("INSUFFICIENT_FUNDS"));
    assert_agree(&sb, &c, &rec.intent_id);
    let quote = c
        .payments
        .quote(ALIPAY_CODE, Some(cny(5000)), ALIPAY_ROUTE)
        .await
        .unwrap();
    let sources = c.payments.funding_sources().await.unwrap();
    assert!(sources.iter().any(|s| s.id == "card-cmb-0817"));
    let rec = c
        .payments
        .pay_quoted(ALIPAY_CODE, &quote, "card-cmb-0817", Default::default())
        .await
        .unwrap();
    assert_eq!(rec.failure_code.as_deref(), Some("INSUFFICIENT_FUNDS"));
    assert_eq!(sb.capture_count(None), 0);
    assert_agree(&sb, &c, &rec.intent_id);
}

#[tokio::test]
async fn magic_amount_chooses_the_scenario() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let quote = c
        .payments
        .quote(ALIPAY_CODE, Some(cny(66601)), ALIPAY_ROUTE)
        .await
        .unwrap();
    let rec = c
        .payments
        .pay_quoted(ALIPAY_CODE, &quote, "balance", Default::default())
        .await
        .unwrap();
    assert_eq!(rec.failure_code.as_deref(), Some("INSUFFICIENT_FUNDS"));
    assert_eq!(
        sb.payment(&rec.intent_id).unwrap().scenario,
        "insufficient_funds"
    );
}

#[tokio::test]
async fn collect_with_invalid_or_expired_payer_codes_fails_and_keeps_the_code_masked() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let code = PayerCode::parse("134567890123456789").unwrap();
    for (scenario, failure) in [
        ("auth_code_invalid", "AUTH_CODE_INVALID"),
        ("auth_code_expired", "AUTH_CODE_EXPIRED"),
    ] {
        let rec = c
            .payments
            .collect(&code, cny(800), opts(scenario))
            .await
            .unwrap();
        assert_eq!(rec.state, IntentState::Failed);
        assert_eq!(rec.failure_code.as_deref(), Some(failure));
        assert_eq!(
            rec.payer_code_masked.as_deref(),
            Some(code.masked().as_str())
        );
        assert_agree(&sb, &c, &rec.intent_id);
    }
    let ok = c
        .payments
        .collect(&code, cny(800), opts("success"))
        .await
        .unwrap();
    assert_eq!(ok.state, IntentState::Succeeded);
    assert_eq!(
        sb.payment(&ok.intent_id)
            .unwrap()
            .payer_code_masked
            .as_deref(),
        Some(code.masked().as_str())
    );
    let ledger_bytes = std::fs::read(sb.ledger_path()).unwrap();
    let clear = b"134567890123456789";
    assert!(
        !ledger_bytes.windows(clear.len()).any(|w| w == clear),
        "clear payer code in the ledger"
    );
    assert_agree(&sb, &c, &ok.intent_id);
}

#[tokio::test]
async fn server_error_then_success_on_retry_charges_once() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let rec = pay(&c, ALIPAY_CODE, ALIPAY_ROUTE, 1200, "system_error_once").await;
    assert_eq!(rec.state, IntentState::Succeeded);
    let statuses: Vec<Option<u16>> = sb
        .exchanges(&rec.intent_id)
        .iter()
        .filter(|e| e.method == "POST")
        .map(|e| e.status)
        .collect();
    assert_eq!(statuses, vec![Some(503), Some(200)]);
    assert_agree(&sb, &c, &rec.intent_id);
}

#[tokio::test]
async fn timeout_after_commit_is_unknown_then_succeeded_never_failed_never_doubled() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let rec = pay(&c, ALIPAY_CODE, ALIPAY_ROUTE, 1300, "timeout_after_commit").await;
    assert_eq!(rec.state, IntentState::Succeeded);
    let ex = sb.exchanges(&rec.intent_id);
    assert_eq!(ex[0].status, None, "the first answer was never sent");
    assert!(
        ex.iter().any(|e| e.replayed),
        "the retry was answered from the idempotency record"
    );
    assert_agree(&sb, &c, &rec.intent_id);
}

#[tokio::test]
async fn connection_reset_after_commit_does_not_double_the_payment() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let rec = pay(&c, ALIPAY_CODE, ALIPAY_ROUTE, 1400, "reset_after_commit").await;
    assert_eq!(rec.state, IntentState::Succeeded);
    assert_eq!(
        sb.exchanges(&rec.intent_id)[0].note.as_deref(),
        Some("forced: committed, connection reset")
    );
    assert_agree(&sb, &c, &rec.intent_id);
}

#[tokio::test]
async fn connection_reset_before_commit_is_retried_under_the_same_key() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let rec = pay(&c, ALIPAY_CODE, ALIPAY_ROUTE, 1400, "reset_before_commit").await;
    assert_eq!(rec.state, IntentState::Succeeded);
    let keys: Vec<_> = sb
        .exchanges(&rec.intent_id)
        .iter()
        .filter(|e| e.method == "POST")
        .map(|e| e.idempotency_key.clone())
        .collect();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0], keys[1]);
    assert_agree(&sb, &c, &rec.intent_id);
}

#[tokio::test]
async fn duplicate_delivery_is_answered_from_the_first_result() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let rec = pay(&c, ALIPAY_CODE, ALIPAY_ROUTE, 1600, "duplicate_delivery").await;
    assert_eq!(rec.state, IntentState::Succeeded);
    assert!(sb.exchanges(&rec.intent_id)[0].replayed);
    assert_agree(&sb, &c, &rec.intent_id);
}

#[tokio::test]
async fn badly_signed_or_stale_answers_are_never_believed_and_settle_by_query() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    for scenario in ["bad_signature", "stale_timestamp"] {
        let rec = pay(&c, ALIPAY_CODE, ALIPAY_ROUTE, 1700, scenario).await;
        assert_eq!(rec.state, IntentState::Succeeded, "{scenario}");
        let history = c.payments.journal().history(&rec.intent_id).unwrap();
        assert!(
            history.iter().any(|h| h.to_state == "unknown"),
            "{scenario}: {history:?}"
        );
        assert_agree(&sb, &c, &rec.intent_id);
    }
}

#[tokio::test]
async fn partial_refunds_up_to_the_limit_then_refused_by_client_and_server() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let rec = pay(&c, ALIPAY_CODE, ALIPAY_ROUTE, 10_000, "success").await;
    for _ in 0..50 {
        let r = c
            .payments
            .refund(&rec.intent_id, Some(cny(10)), Default::default())
            .await
            .unwrap();
        assert_eq!(r.state, RefundState::Succeeded);
    }
    assert!(c
        .payments
        .refund(&rec.intent_id, Some(cny(10)), Default::default())
        .await
        .is_err());
    let body =
        json!({"refund_id": "r51", "amount": {"minor": 10, "currency": "CNY"}, "reason": "x"})
            .to_string();
    let r = raw(
        &c,
        Method::Post,
        &format!("/v1/payments/{}/refunds", rec.intent_id),
        body.as_bytes(),
        &[
            ("Content-Type", "application/json"),
            ("Idempotency-Key", "r51"),
        ],
    )
    .await;
    assert_eq!((r.status, error_code(&r).as_str()), (422, "REFUND_LIMIT"));
    assert_eq!(sb.payment(&rec.intent_id).unwrap().refunded, 500);
    assert_agree(&sb, &c, &rec.intent_id);
}

#[tokio::test]
async fn refund_over_the_captured_amount_is_refused_by_the_server() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let rec = pay(&c, WECHAT_CODE, WECHAT_ROUTE, 2000, "success").await; // pays 1800 after discount
    let half = c
        .payments
        .refund(&rec.intent_id, Some(cny(900)), Default::default())
        .await
        .unwrap();
    assert_eq!(half.state, RefundState::Succeeded);
    let body =
        json!({"refund_id": "r-over", "amount": {"minor": 901, "currency": "CNY"}, "reason": "x"})
            .to_string();
    let r = raw(
        &c,
        Method::Post,
        &format!("/v1/payments/{}/refunds", rec.intent_id),
        body.as_bytes(),
        &[
            ("Content-Type", "application/json"),
            ("Idempotency-Key", "r-over"),
        ],
    )
    .await;
    assert_eq!(
        (r.status, error_code(&r).as_str()),
        (422, "REFUND_EXCEEDS_CAPTURED")
    );
    // The client refuses it before sending, measured against what was paid (1800, not 2000).
    assert!(c
        .payments
        .refund(&rec.intent_id, Some(cny(901)), Default::default())
        .await
        .is_err());
    let rest = c
        .payments
        .refund(&rec.intent_id, None, Default::default())
        .await
        .unwrap();
    assert_eq!(rest.amount.minor, 900);
    assert_eq!(sb.payment(&rec.intent_id).unwrap().refunded, 1800);
    assert_agree(&sb, &c, &rec.intent_id);
}

#[tokio::test]
async fn processing_refund_and_refund_faults_settle_once() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let rec = pay(&c, ALIPAY_CODE, ALIPAY_ROUTE, 5000, "success").await;
    for scenario in [
        "refund_processing",
        "system_error_once",
        "timeout_after_commit",
        "bad_signature",
    ] {
        let r = c
            .payments
            .refund(&rec.intent_id, Some(cny(1000)), opts(scenario))
            .await
            .unwrap();
        assert_eq!(r.state, RefundState::Succeeded, "{scenario}");
    }
    assert_eq!(sb.refunds(Some(&rec.intent_id)).len(), 4);
    assert_eq!(sb.payment(&rec.intent_id).unwrap().refunded, 4000);
    assert_agree(&sb, &c, &rec.intent_id);
}

#[tokio::test]
async fn many_parallel_pays_capture_exactly_once_each() {
    let sb = sandbox().await;
    let c = Arc::new(client(&sb).await);
    let mut tasks = Vec::new();
    for i in 0..16 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            let scenario = if i % 4 == 0 {
                "reset_after_commit"
            } else {
                "success"
            };
            pay(&c, ALIPAY_CODE, ALIPAY_ROUTE, 1000 + i, scenario).await
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        let rec = t.await.unwrap();
        assert_eq!(rec.state, IntentState::Succeeded);
        ids.push(rec.intent_id);
    }
    assert_eq!(sb.capture_count(None), 16);
    for id in &ids {
        assert_agree(&sb, &c, id);
    }
}

#[tokio::test]
async fn parallel_repeats_of_one_key_charge_once_and_answer_alike() {
    let sb = sandbox().await;
    let c = Arc::new(client(&sb).await);
    let intent = hutong_core::flow::new_uuid_v4().unwrap();
    let body = json!({"intent_id": intent, "out_trade_no": hutong_core::flow::out_trade_no_for(&intent),
        "merchant_code": ALIPAY_CODE, "network": "alipay", "amount": {"minor": 2500, "currency": "CNY"},
        "confirmed_payable": {"minor": 2500, "currency": "CNY"}, "funding_source_id": "balance",
        "route_requested": ALIPAY_ROUTE, "description": "repeat"})
    .to_string();
    let send = |scenario: Option<&'static str>| {
        let (c, body, intent) = (c.clone(), body.clone(), intent.clone());
        tokio::spawn(async move {
            let mut headers = vec![
                ("Content-Type", "application/json"),
                ("Idempotency-Key", intent.as_str()),
            ];
            if let Some(s) = scenario {
                headers.push(("X-Sandbox-Scenario", s));
            }
            raw(&c, Method::Post, "/v1/payments", body.as_bytes(), &headers).await
        })
    };
    // The first request holds its key in flight (`slow`); repeats sent meanwhile get 409.
    let first = send(Some("slow"));
    let in_flight = || sb.state().is_in_flight("payment", &intent);
    while !in_flight() {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let repeats: Vec<_> = (0..6).map(|_| send(None)).collect();
    for r in repeats {
        let r = r.await.unwrap();
        assert_eq!(
            (r.status, error_code(&r).as_str()),
            (409, "IDEMPOTENCY_IN_FLIGHT")
        );
    }
    let first = first.await.unwrap();
    assert_eq!(first.status, 200);
    let first: serde_json::Value = serde_json::from_slice(&first.body).unwrap();
    // After it settles, a repeat is a replay of the same answer.
    let again = raw(
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
    assert_eq!(again.status, 200);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&again.body).unwrap(),
        first
    );
    assert_eq!(sb.capture_count(Some(&intent)), 1);
    // The same key with other parameters is refused.
    let other = body.replace("\"repeat\"", "\"other\"");
    let conflict = raw(
        &c,
        Method::Post,
        "/v1/payments",
        other.as_bytes(),
        &[
            ("Content-Type", "application/json"),
            ("Idempotency-Key", &intent),
        ],
    )
    .await;
    assert_eq!(
        (conflict.status, error_code(&conflict).as_str()),
        (422, "IDEMPOTENCY_CONFLICT")
    );
}

#[tokio::test]
async fn bad_input_gets_typed_refusals_and_changes_nothing() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let json_ct = ("Content-Type", "application/json");
    let r = raw(
        &c,
        Method::Post,
        "/v1/payments",
        b"{not json",
        &[json_ct, ("Idempotency-Key", "k1")],
    )
    .await;
    assert_eq!(
        (r.status, error_code(&r).as_str()),
        (400, "INVALID_REQUEST")
    );
    let r = raw(
        &c,
        Method::Post,
        "/v1/quotes",
        b"{}",
        &[("Content-Type", "text/plain")],
    )
    .await;
    assert_eq!(
        (r.status, error_code(&r).as_str()),
        (415, "UNSUPPORTED_MEDIA_TYPE")
    );
    let big = vec![b' '; 200 * 1024];
    let r = raw(&c, Method::Post, "/v1/quotes", &big, &[json_ct]).await;
    assert_eq!((r.status, error_code(&r).as_str()), (413, "BODY_TOO_LARGE"));
    let r = raw(&c, Method::Get, "/v1/nowhere", b"", &[]).await;
    assert_eq!((r.status, error_code(&r).as_str()), (404, "NOT_FOUND"));
    let r = raw(&c, Method::Post, "/v1/payments", b"{}", &[json_ct]).await;
    assert_eq!(r.status, 400);
    assert_eq!(sb.payments().len(), 0);
    assert_eq!(sb.capture_count(None), 0);
}

#[tokio::test]
async fn tampered_request_signatures_and_replayed_nonces_are_refused() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let intent = hutong_core::flow::new_uuid_v4().unwrap();
    let body = json!({"intent_id": intent, "out_trade_no": "HT1", "merchant_code": ALIPAY_CODE,
        "network": "alipay", "amount": {"minor": 100, "currency": "CNY"},
        "confirmed_payable": {"minor": 100, "currency": "CNY"}, "funding_source_id": "balance",
        "route_requested": ALIPAY_ROUTE, "description": ""})
    .to_string();
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let auth = hutong_core::sign::sign_request(
        c.signer.as_ref(),
        "POST",
        "/v1/payments",
        body.as_bytes(),
        ts,
    )
    .unwrap();
    let send = |body: String, auth: String| {
        let c = &c;
        let intent = intent.clone();
        async move {
            use hutong_core::transport::{Request, Transport};
            c.transport
                .send(&Request {
                    method: Method::Post,
                    target: "/v1/payments".into(),
                    headers: vec![
                        ("Authorization".into(), auth),
                        ("Content-Type".into(), "application/json".into()),
                        ("Idempotency-Key".into(), intent),
                    ],
                    body: body.into_bytes(),
                })
                .await
                .unwrap()
        }
    };
    // The body changed after signing: 10 000 instead of 100.
    let tampered = body.replace("\"minor\":100", "\"minor\":10000");
    let r = send(tampered, auth.to_header_value()).await;
    assert_eq!(
        (r.status, error_code(&r).as_str()),
        (401, "SIGNATURE_INVALID")
    );
    assert!(sb.payment(&intent).is_none());
    let r = send(body.clone(), auth.to_header_value()).await;
    assert_eq!(r.status, 200);
    let r = send(body.clone(), auth.to_header_value()).await;
    assert_eq!((r.status, error_code(&r).as_str()), (401, "NONCE_REPLAYED"));
    let stale = hutong_core::sign::sign_request(
        c.signer.as_ref(),
        "POST",
        "/v1/payments",
        body.as_bytes(),
        ts - 1000,
    )
    .unwrap();
    let r = send(body.clone(), stale.to_header_value()).await;
    assert_eq!((r.status, error_code(&r).as_str()), (401, "TIMESTAMP_SKEW"));
    let ex = sb.exchanges(&intent);
    assert!(ex[0].verdict.starts_with("refused"), "{:?}", ex[0].verdict);
    assert_eq!(ex[1].verdict, "valid");
    assert_eq!(sb.capture_count(Some(&intent)), 1);
}

#[tokio::test]
async fn unknown_devices_are_refused() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let stranger = hutong_core::sign::SoftwareSigner::generate("dev-stranger").unwrap();
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let auth =
        hutong_core::sign::sign_request(&stranger, "GET", "/v1/funding_sources", b"", ts).unwrap();
    use hutong_core::transport::{Request, Transport};
    let r = c
        .transport
        .send(&Request {
            method: Method::Get,
            target: "/v1/funding_sources".into(),
            headers: vec![("Authorization".into(), auth.to_header_value())],
            body: vec![],
        })
        .await
        .unwrap();
    assert_eq!((r.status, error_code(&r).as_str()), (401, "UNKNOWN_DEVICE"));
}

#[tokio::test]
async fn key_rotation_is_followed_by_the_client() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let first = pay(&c, ALIPAY_CODE, ALIPAY_ROUTE, 900, "success").await;
    let old = sb.state().active_key_id();
    let new = sb.state().rotate_key().unwrap();
    assert_ne!(old, new);
    let second = pay(&c, ALIPAY_CODE, ALIPAY_ROUTE, 900, "success").await;
    assert_eq!(second.state, IntentState::Succeeded);
    let sig: serde_json::Value = serde_json::from_str(
        sb.exchanges(&second.intent_id)
            .last()
            .unwrap()
            .response_signature
            .as_ref()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(sig["X-Hutong-Key-Id"], new);
    assert_agree(&sb, &c, &first.intent_id);
    assert_agree(&sb, &c, &second.intent_id);
}

#[tokio::test]
async fn recover_after_a_lost_answer_settles_from_the_ledger() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let rec = pay(&c, ALIPAY_CODE, ALIPAY_ROUTE, 700, "success").await;
    let outcomes = c.payments.recover().await.unwrap();
    assert!(outcomes.is_empty(), "{outcomes:?}");
    assert_agree(&sb, &c, &rec.intent_id);
}

#[tokio::test]
async fn a_restarted_sandbox_keeps_its_keys_and_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.sqlite");
    let config = || sandbox_acquirer::SandboxConfig {
        ledger: Some(path.clone()),
        timing: timing(),
        ..Default::default()
    };
    let sb = sandbox_acquirer::start(config()).await.unwrap();
    let c = client(&sb).await;
    let rec = pay(&c, ALIPAY_CODE, ALIPAY_ROUTE, 1100, "success").await;
    let root = sb.server_roots();
    sb.shutdown().await;
    let sb = sandbox_acquirer::start(config()).await.unwrap();
    assert_eq!(sb.server_roots(), root);
    assert_eq!(sb.payment(&rec.intent_id).unwrap().paid, 1100);
}

#[tokio::test]
async fn a_client_whose_clock_is_off_resyncs_from_the_signed_skew_refusal() {
    // The switch's clock runs 20 minutes ahead of this machine's, far outside the 300 s window.
    let mut t = timing();
    t.clock_offset_secs = 1200;
    let sb = sandbox_acquirer::start(sandbox_acquirer::SandboxConfig {
        timing: t,
        ..Default::default()
    })
    .await
    .unwrap();
    let c = client(&sb).await;
    let rec = pay(&c, ALIPAY_CODE, ALIPAY_ROUTE, 1900, "success").await;
    assert_eq!(rec.state, IntentState::Succeeded);
    assert_agree(&sb, &c, &rec.intent_id);
    let refused: Vec<_> = sb
        .payments()
        .iter()
        .flat_map(|p| sb.exchanges(&p.intent_id))
        .filter(|e| e.verdict.contains("timestamp"))
        .collect();
    assert!(
        refused.is_empty(),
        "after the resync at registration no request is refused: {refused:?}"
    );
}

#[tokio::test]
async fn reverse_answered_retry_later_is_retried_until_closed() {
    let sb = sandbox().await;
    let c = client(&sb).await;
    let quote = c
        .payments
        .quote(ALIPAY_CODE, Some(cny(2100)), ALIPAY_ROUTE)
        .await
        .unwrap();
    // Every reverse for this merchant first answers "retry later" (the payer is confirming).
    sb.state()
        .set_scenario(
            Some("reverse_retry_later"),
            "merchant",
            Some(&quote.merchant.id),
        )
        .unwrap();
    let rec = c
        .payments
        .pay_quoted(ALIPAY_CODE, &quote, "balance", opts("user_paying_forever"))
        .await
        .unwrap();
    assert_eq!(rec.state, IntentState::Reversed);
    let reverses: Vec<_> = sb
        .exchanges(&rec.intent_id)
        .into_iter()
        .filter(|e| e.path.ends_with("/reverse"))
        .collect();
    assert_eq!(reverses.len(), 2, "{reverses:?}");
    assert!(reverses[0]
        .response_body
        .as_deref()
        .unwrap()
        .contains("retry_later"));
    assert_eq!(sb.capture_count(None), 0);
    assert_agree(&sb, &c, &rec.intent_id);
}
