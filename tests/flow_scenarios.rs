//! End-to-end flow behaviour against the in-process test switch: every scenario ends with the
//! journal and the switch's ledger agreeing, and no payment doubled or lost.

mod support;

use hutong_core::flow::{
    IntentState, PayOptions, PayerCode, Payments, RecoverOutcome, RefundState,
};
use hutong_core::money::{Currency, Money};
use hutong_core::sign::SoftwareSigner;
use std::sync::Arc;
use support::TestSwitch;

const MERCHANT: &str = "https://payapp.weixin.qq.com/qr/AbCdEf";
const ROUTE: &str = "wechat_pay:wechat_open_receive_codes";

fn cny(minor: i64) -> Money {
    Money::new(minor, Currency::from_alpha("CNY").unwrap())
}

fn setup() -> (Arc<TestSwitch>, tempfile::TempDir, Payments) {
    let switch = TestSwitch::new();
    let dir = tempfile::tempdir().unwrap();
    let device = Arc::new(SoftwareSigner::generate("dev-test").unwrap());
    let p = support::client(&switch, dir.path(), device);
    (switch, dir, p)
}

async fn pay(p: &Payments, minor: i64, scenario: &str) -> hutong_core::journal::IntentRecord {
    let quote = p.quote(MERCHANT, Some(cny(minor)), ROUTE).await.unwrap();
    let opts = PayOptions {
        description: "coffee".into(),
        scenario: Some(scenario.into()),
    };
    p.pay_quoted(MERCHANT, &quote, "balance", opts)
        .await
        .unwrap()
}

fn collect_opts(scenario: &str) -> PayOptions {
    PayOptions {
        description: "counter 3".into(),
        scenario: Some(scenario.into()),
    }
}

#[tokio::test]
async fn immediate_success_is_captured_once_with_promotion_amounts_kept() {
    let (switch, _d, p) = setup();
    let rec = pay(&p, 2372, "success").await;
    assert_eq!(rec.state, IntentState::Succeeded);
    assert_eq!(rec.original_minor, Some(2372));
    assert_eq!(rec.discount_minor, Some(237));
    assert_eq!(rec.payable_minor, Some(2135));
    assert_eq!(rec.paid_minor, Some(2135));
    assert_eq!(switch.payment(&rec.intent_id).unwrap().paid, 2135);
    assert_eq!(switch.captures(), 1);
}

#[tokio::test]
async fn user_paying_then_success_is_settled_by_polling() {
    let (switch, _d, p) = setup();
    let rec = pay(&p, 1000, "user_paying; polls=2").await;
    assert_eq!(rec.state, IntentState::Succeeded);
    let path: Vec<_> = p
        .journal()
        .history(&rec.intent_id)
        .unwrap()
        .into_iter()
        .map(|t| t.to_state)
        .collect();
    assert_eq!(
        path,
        [
            "created",
            "submitting",
            "user_paying",
            "polling",
            "succeeded"
        ]
    );
    assert_eq!(switch.captures(), 1);
}

#[tokio::test]
async fn user_paying_until_the_deadline_is_reversed_and_closed() {
    let (switch, _d, p) = setup();
    let rec = pay(&p, 1000, "user_paying_forever").await;
    assert_eq!(rec.state, IntentState::Reversed);
    assert_eq!(rec.reverse_result.as_deref(), Some("closed"));
    assert_eq!(switch.payment(&rec.intent_id).unwrap().state, "reversed");
    assert_eq!(switch.captures(), 0);
}

#[tokio::test]
async fn insufficient_funds_is_a_final_failure() {
    let (switch, _d, p) = setup();
    let rec = pay(&p, 1000, "insufficient_funds").await;
    assert_eq!(rec.state, IntentState::Failed);
    assert_eq!(rec.failure_code.as_deref(), Some("INSUFFICIENT_FUNDS"));
    assert!(switch.payment(&rec.intent_id).is_none());
}

#[tokio::test]
async fn invalid_payer_code_fails_and_only_its_last_four_digits_are_journalled() {
    let (_switch, _d, p) = setup();
    let code = PayerCode::parse("134567890123456789").unwrap();
    let rec = p
        .collect(&code, cny(1000), collect_opts("auth_code_invalid"))
        .await
        .unwrap();
    assert_eq!(rec.state, IntentState::Failed);
    assert_eq!(rec.failure_code.as_deref(), Some("AUTH_CODE_INVALID"));
    assert_eq!(rec.payer_code_masked.as_deref(), Some("••••6789"));
}

#[tokio::test]
async fn journal_file_never_contains_the_clear_payer_code() {
    let (_switch, d, p) = setup();
    let code = PayerCode::parse("134567890123456789").unwrap();
    p.collect(&code, cny(1000), collect_opts("success"))
        .await
        .unwrap();
    drop(p);
    for entry in std::fs::read_dir(d.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!bytes
            .windows(18)
            .any(|w| w == b"134567890123456789".as_slice()));
    }
}

#[tokio::test]
async fn collect_rejects_a_payer_code_of_no_known_network() {
    let (_switch, _d, p) = setup();
    let code = PayerCode::parse("990000000000000000").unwrap();
    assert!(p
        .collect(&code, cny(1000), PayOptions::default())
        .await
        .is_err());
    assert!(p.journal().unfinished_intents().unwrap().is_empty());
}

#[tokio::test]
async fn server_error_then_success_on_retry_charges_once() {
    let (switch, _d, p) = setup();
    let rec = pay(&p, 1000, "system_error_once").await;
    assert_eq!(rec.state, IntentState::Succeeded);
    assert_eq!(switch.captures(), 1);
}

#[tokio::test]
async fn timeout_after_the_switch_committed_is_unknown_then_succeeded_never_failed() {
    let (switch, _d, p) = setup();
    let rec = pay(&p, 1000, "timeout_after_commit").await;
    assert_eq!(rec.state, IntentState::Succeeded);
    assert_eq!(switch.captures(), 1);
    let states: Vec<_> = p
        .journal()
        .history(&rec.intent_id)
        .unwrap()
        .into_iter()
        .map(|t| t.to_state)
        .collect();
    assert!(!states.contains(&"failed".to_string()), "{states:?}");
}

#[tokio::test]
async fn connection_reset_after_commit_does_not_double_the_payment() {
    let (switch, _d, p) = setup();
    let rec = pay(&p, 1000, "reset_after_commit").await;
    assert_eq!(rec.state, IntentState::Succeeded);
    assert_eq!(switch.captures(), 1);
}

#[tokio::test]
async fn connection_reset_before_commit_is_retried_under_the_same_key() {
    let (switch, _d, p) = setup();
    let rec = pay(&p, 1000, "reset_before_commit").await;
    assert_eq!(rec.state, IntentState::Succeeded);
    assert_eq!(switch.captures(), 1);
}

#[tokio::test]
async fn badly_signed_success_is_never_believed() {
    let (switch, _d, p) = setup();
    let rec = pay(&p, 1000, "bad_signature").await;
    // The create answer is untrusted; the verified query is what settles the intent.
    let history: Vec<_> = p
        .journal()
        .history(&rec.intent_id)
        .unwrap()
        .into_iter()
        .map(|t| t.to_state)
        .collect();
    assert_eq!(history[2], "unknown", "{history:?}");
    assert_eq!(rec.state, IntentState::Succeeded);
    assert_eq!(switch.captures(), 1);
}

#[tokio::test]
async fn stale_response_timestamp_is_not_believed() {
    let (_switch, _d, p) = setup();
    let rec = pay(&p, 1000, "stale_timestamp").await;
    let history = p.journal().history(&rec.intent_id).unwrap();
    assert_eq!(history[2].to_state, "unknown");
}

#[tokio::test]
async fn refund_over_the_captured_amount_is_refused_before_sending() {
    let (switch, _d, p) = setup();
    let rec = pay(&p, 1000, "success").await; // paid 900 after the 10 % promotion
    let err = p
        .refund(&rec.intent_id, Some(cny(901)), PayOptions::default())
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("more than the 900 captured"),
        "{err}"
    );
    assert!(switch.ledger.lock().unwrap().refunds.is_empty());
}

#[tokio::test]
async fn fifty_partial_refunds_succeed_and_the_fifty_first_is_refused() {
    let (switch, _d, p) = setup();
    let rec = pay(&p, 10_000, "success").await;
    for _ in 0..50 {
        let r = p
            .refund(&rec.intent_id, Some(cny(10)), PayOptions::default())
            .await
            .unwrap();
        assert_eq!(r.state, RefundState::Succeeded);
    }
    assert!(p
        .refund(&rec.intent_id, Some(cny(10)), PayOptions::default())
        .await
        .is_err());
    assert_eq!(switch.payment(&rec.intent_id).unwrap().refunded, 500);
    assert_eq!(
        p.journal().intent(&rec.intent_id).unwrap().refunded_minor,
        500
    );
}

#[tokio::test]
async fn processing_refund_is_polled_to_success() {
    let (_switch, _d, p) = setup();
    let rec = pay(&p, 1000, "success").await;
    let opts = PayOptions {
        scenario: Some("refund_processing".into()),
        ..Default::default()
    };
    let r = p.refund(&rec.intent_id, None, opts).await.unwrap();
    assert_eq!(r.state, RefundState::Succeeded);
    assert_eq!(r.amount.minor, 900);
}

#[tokio::test]
async fn cancel_leaves_a_paid_order_paid_refund_undoes_it() {
    let (switch, _d, p) = setup();
    let rec = pay(&p, 1000, "success").await;
    // Succeeded is terminal: cancel returns it untouched; a paid order is undone by refund.
    assert_eq!(
        p.cancel(&rec.intent_id).await.unwrap().state,
        IntentState::Succeeded
    );
    assert_eq!(switch.payment(&rec.intent_id).unwrap().state, "succeeded");
}

#[tokio::test]
async fn cancel_is_idempotent() {
    let (switch, _d, p) = setup();
    let code = PayerCode::parse("134567890123456789").unwrap();
    let rec = p
        .collect(&code, cny(1000), collect_opts("insufficient_funds"))
        .await
        .unwrap();
    let once = p.cancel(&rec.intent_id).await.unwrap();
    let twice = p.cancel(&rec.intent_id).await.unwrap();
    assert_eq!(once, twice);
    assert_eq!(switch.captures(), 0);
}

#[tokio::test]
async fn recover_with_nothing_open_does_nothing() {
    let (switch, _d, p) = setup();
    pay(&p, 1000, "success").await;
    let before = switch.ledger.lock().unwrap().requests;
    assert_eq!(p.recover().await.unwrap(), Vec::<RecoverOutcome>::new());
    assert_eq!(switch.ledger.lock().unwrap().requests, before);
}

#[tokio::test]
async fn status_returns_the_verified_state() {
    let (_switch, _d, p) = setup();
    let rec = pay(&p, 1000, "success").await;
    assert_eq!(
        p.status(&rec.intent_id).await.unwrap().state,
        IntentState::Succeeded
    );
}

#[tokio::test]
async fn funding_sources_are_listed() {
    let (_switch, _d, p) = setup();
    let sources = p.funding_sources().await.unwrap();
    assert_eq!(sources[0].id, "balance");
}

#[tokio::test]
async fn many_parallel_pays_each_capture_exactly_once() {
    let (switch, _d, p) = setup();
    let p = Arc::new(p);
    let quote = p.quote(MERCHANT, Some(cny(500)), ROUTE).await.unwrap();
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let p = p.clone();
        let q = quote.clone();
        tasks.push(tokio::spawn(async move {
            p.pay_quoted(MERCHANT, &q, "balance", PayOptions::default())
                .await
                .unwrap()
        }));
    }
    let mut ids = std::collections::HashSet::new();
    for t in tasks {
        let rec = t.await.unwrap();
        assert_eq!(rec.state, IntentState::Succeeded);
        ids.insert(rec.intent_id);
    }
    assert_eq!(ids.len(), 20);
    assert_eq!(switch.captures(), 20);
}

struct Recorder(std::sync::Mutex<Vec<hutong_core::flow::StateChange>>);

impl hutong_core::flow::FlowListener for Recorder {
    fn on_change(&self, change: &hutong_core::flow::StateChange) {
        self.0.lock().unwrap().push(change.clone());
    }
}

#[tokio::test]
async fn listener_hears_every_transition_in_journal_order() {
    let switch = TestSwitch::new();
    let dir = tempfile::tempdir().unwrap();
    let device = Arc::new(SoftwareSigner::generate("dev-l").unwrap());
    let recorder = Arc::new(Recorder(Default::default()));
    let mut cfg_client = support::client(&switch, dir.path(), device.clone());
    drop(cfg_client);
    cfg_client = hutong_core::flow::Payments::new(hutong_core::flow::PaymentsConfig {
        endpoint: "https://switch.test".into(),
        ca_pem: None,
        spki_pins: vec![],
        journal_path: dir.path().join("journal.sqlite"),
        signer: device,
        server_roots: switch.roots(),
        listener: Some(recorder.clone()),
        timings: hutong_core::flow::FlowTimings::fast(),
        transport: Some(switch.clone()),
        wallet: None,
        registry: None,
    })
    .unwrap();
    let rec = pay(&cfg_client, 1000, "user_paying; polls=1").await;
    let heard: Vec<_> = recorder
        .0
        .lock()
        .unwrap()
        .iter()
        .filter_map(|c| match c {
            hutong_core::flow::StateChange::Intent { to, .. } => Some(to.as_str().to_string()),
            _ => None,
        })
        .collect();
    let journalled: Vec<_> = cfg_client
        .journal()
        .history(&rec.intent_id)
        .unwrap()
        .into_iter()
        .map(|t| t.to_state)
        .collect();
    assert_eq!(heard, journalled);
}

#[tokio::test]
async fn refund_in_another_currency_is_refused() {
    let (_switch, _d, p) = setup();
    let rec = pay(&p, 1000, "success").await;
    let usd = Money::new(100, Currency::from_alpha("USD").unwrap());
    assert!(matches!(
        p.refund(&rec.intent_id, Some(usd), PayOptions::default())
            .await,
        Err(hutong_core::flow::FlowError::InvalidInput(_))
    ));
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

#[tokio::test]
async fn a_dynamic_code_fixes_its_amount_and_another_amount_is_refused_before_sending() {
    let (switch, _d, p) = setup();
    let code = dynamic_code_25_cny();
    assert_eq!(
        hutong_core::identify::identify(&code).amount,
        Some(cny(2500)),
        "fixture must be a dynamic 25.00 CNY code"
    );
    let before = switch.ledger.lock().unwrap().requests;
    let err = p
        .quote(&code, Some(cny(3000)), "unionpay:unionpay_qr_interconnect")
        .await
        .unwrap_err();
    assert!(
        matches!(err, hutong_core::flow::FlowError::CodeMismatch(ref m) if m.contains("25.00")),
        "{err}"
    );
    assert_eq!(
        switch.ledger.lock().unwrap().requests,
        before,
        "nothing sent"
    );
    // No amount, or the code's own amount, is quoted at the code's amount.
    for asked in [None, Some(cny(2500))] {
        let q = p
            .quote(&code, asked, "unionpay:unionpay_qr_interconnect")
            .await
            .unwrap();
        assert_eq!(q.original.minor, 2500);
    }
}
