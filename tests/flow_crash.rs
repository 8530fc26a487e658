//! Crash tests: the paying task dies right after each journalled step; a new client on the same
//! journal runs `recover()`; the switch's ledger and the journal must agree, exactly once.
//!
//! The switch lives in this process, so the "crash" kills the client task (no code after the step
//! runs) rather than the whole process; the journal is reopened from its file by a new client.

mod support;

use hutong_core::flow::{crash, IntentState, PayOptions, RecoverOutcome, RefundState};
use hutong_core::money::{Currency, Money};
use hutong_core::sign::SoftwareSigner;
use std::sync::Arc;
use support::TestSwitch;

// The crash point is process-wide: run these one at a time.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const MERCHANT: &str = "https://qr.alipay.com/fkx12345";
const ROUTE: &str = "alipay:alipay_open_receive_codes";

fn cny(minor: i64) -> Money {
    Money::new(minor, Currency::from_alpha("CNY").unwrap())
}

/// Pays with the task killed at `step`; returns the switch, the journal dir and the intent id.
async fn pay_and_crash_at(step: &str) -> (Arc<TestSwitch>, tempfile::TempDir, String) {
    let switch = TestSwitch::new();
    let dir = tempfile::tempdir().unwrap();
    let device = Arc::new(SoftwareSigner::generate("dev-crash").unwrap());
    let p = Arc::new(support::client(&switch, dir.path(), device));
    let quote = p.quote(MERCHANT, Some(cny(1000)), ROUTE).await.unwrap();
    crash::arm(Some(step));
    let task = {
        let p = p.clone();
        tokio::spawn(async move {
            p.pay_quoted(MERCHANT, &quote, "balance", PayOptions::default())
                .await
        })
    };
    let died = task.await.is_err();
    crash::arm(None);
    assert!(died, "the task should have been killed at {step}");
    let id = p.journal().unfinished_intents().unwrap()[0]
        .intent_id
        .clone();
    (switch, dir, id)
}

fn restart(switch: &Arc<TestSwitch>, dir: &tempfile::TempDir) -> hutong_core::flow::Payments {
    let device = Arc::new(SoftwareSigner::generate("dev-crash").unwrap());
    support::client(switch, dir.path(), device)
}

async fn recovered_state(step: &str) -> (IntentState, Arc<TestSwitch>, String) {
    let (switch, dir, id) = pay_and_crash_at(step).await;
    let p = restart(&switch, &dir);
    let outcomes = p.recover().await.unwrap();
    assert_eq!(outcomes.len(), 1, "{outcomes:?}");
    let h = p.journal().history(&outcomes_id(&outcomes)).unwrap();
    assert!(
        matches!(outcomes[0], RecoverOutcome::Settled { .. }),
        "{outcomes:?} {h:?}"
    );
    (p.journal().intent(&id).unwrap().state, switch, id)
}

#[tokio::test]
async fn crash_after_created_recovers_as_never_sent() {
    let _g = SERIAL.lock().await;
    let (state, switch, id) = recovered_state("after_created").await;
    assert_eq!(state, IntentState::Failed);
    assert!(switch.payment(&id).is_none());
    assert_eq!(switch.captures(), 0);
}

#[tokio::test]
async fn crash_after_submitting_before_send_is_closed_by_reverse_not_charged() {
    let _g = SERIAL.lock().await;
    let (state, switch, id) = recovered_state("after_submitting").await;
    assert_eq!(state, IntentState::Reversed);
    assert_eq!(switch.payment(&id).unwrap().state, "reversed");
    assert_eq!(switch.captures(), 0);
}

#[tokio::test]
async fn crash_after_the_switch_answered_recovers_the_capture_exactly_once() {
    let _g = SERIAL.lock().await;
    let (state, switch, id) = recovered_state("after_send").await;
    assert_eq!(state, IntentState::Succeeded);
    assert_eq!(switch.payment(&id).unwrap().state, "succeeded");
    assert_eq!(switch.captures(), 1);
}

#[tokio::test]
async fn crash_during_refund_before_send_recovers_by_resending_the_same_refund_id() {
    let _g = SERIAL.lock().await;
    let switch = TestSwitch::new();
    let dir = tempfile::tempdir().unwrap();
    let device = Arc::new(SoftwareSigner::generate("dev-crash").unwrap());
    let p = Arc::new(support::client(&switch, dir.path(), device));
    let quote = p.quote(MERCHANT, Some(cny(1000)), ROUTE).await.unwrap();
    let paid = p
        .pay_quoted(MERCHANT, &quote, "balance", PayOptions::default())
        .await
        .unwrap();
    for step in ["after_refund_requested", "after_refund_send"] {
        crash::arm(Some(step));
        let task = {
            let p = p.clone();
            let id = paid.intent_id.clone();
            tokio::spawn(async move { p.refund(&id, Some(cny(300)), PayOptions::default()).await })
        };
        assert!(task.await.is_err());
        crash::arm(None);
        let outcomes = restart(&switch, &dir).recover().await.unwrap();
        assert!(
            matches!(
                outcomes.as_slice(),
                [RecoverOutcome::RefundSettled {
                    state: RefundState::Succeeded,
                    ..
                }]
            ),
            "{step}: {outcomes:?}"
        );
    }
    // Two refunds of 300 each, each sent exactly once.
    assert_eq!(switch.payment(&paid.intent_id).unwrap().refunded, 600);
    assert_eq!(switch.ledger.lock().unwrap().refunds.len(), 2);
}

fn outcomes_id(o: &[RecoverOutcome]) -> String {
    match &o[0] {
        RecoverOutcome::Settled { intent_id, .. } => intent_id.clone(),
        RecoverOutcome::RefundSettled { refund_id, .. } => refund_id.clone(),
        RecoverOutcome::NeedsReconciliation { id, .. } => id.clone(),
    }
}
