//! The async foreign `Signer` as an app implements it over a key that asks the user (Keystore
//! behind BiometricPrompt, Secure Enclave behind Face ID): slow answers, a user who cancels, a
//! prompt nobody answers, a key store that fails. Against the in-process test switch.

#[path = "../../../tests/support/mod.rs"]
mod support;

use hutong::{
    FlowListener, IntentState, Money, PayOptions, PaymentTimings, Payments, PaymentsConfig,
    PaymentsError, RecoverOutcome, ServerRoot, Signer, SignerError, StateChange,
};
use hutong_core::sign::{Signer as _, SoftwareSigner};
use hutong_core::transport::Transport;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::TestSwitch;

const MERCHANT: &str = "https://payapp.weixin.qq.com/qr/AbCdEf";

/// What the user (or the key store) does once the first `signs` signatures are given.
#[derive(Clone, Copy)]
enum Then {
    Cancel,
    Fail,
    /// The prompt stays on screen: the call never completes on its own.
    Hang,
    Panic,
}

/// Counts a `sign` call that was dropped before it finished (what cancels the app's coroutine).
struct DropProbe<'a>(Option<&'a AtomicU32>);

impl Drop for DropProbe<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.0 {
            c.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// A device key behind a prompt: each signature takes `delay`, the first `signs` succeed, then
/// `then` happens.
struct PromptSigner {
    key: SoftwareSigner,
    delay: Duration,
    signs: u32,
    then: Then,
    calls: AtomicU32,
    dropped_unfinished: AtomicU32,
}

impl PromptSigner {
    fn new(key: &SoftwareSigner, delay_ms: u64, signs: u32, then: Then) -> Arc<PromptSigner> {
        Arc::new(PromptSigner {
            key: SoftwareSigner::from_pkcs8(key.key_id(), key.pkcs8()).unwrap(),
            delay: Duration::from_millis(delay_ms),
            signs,
            then,
            calls: AtomicU32::new(0),
            dropped_unfinished: AtomicU32::new(0),
        })
    }

    fn calls(&self) -> u32 {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait::async_trait]
impl Signer for PromptSigner {
    fn key_id(&self) -> Result<String, SignerError> {
        Ok(self.key.key_id())
    }
    fn public_key(&self) -> Result<Vec<u8>, SignerError> {
        Ok(self.key.public_key())
    }
    async fn sign(&self, message: Vec<u8>) -> Result<Vec<u8>, SignerError> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        let mut probe = DropProbe(Some(&self.dropped_unfinished));
        tokio::time::sleep(self.delay).await;
        let out = if n < self.signs {
            self.key.sign(&message).map_err(|e| SignerError::Failed {
                reason: e.to_string(),
            })
        } else {
            match self.then {
                Then::Cancel => Err(SignerError::Cancelled {
                    reason: "the user tapped Cancel".into(),
                }),
                Then::Fail => Err(SignerError::Failed {
                    reason: "key permanently invalidated".into(),
                }),
                Then::Hang => std::future::pending().await,
                Then::Panic => panic!("the signer's own code fell over"),
            }
        };
        probe.0 = None;
        out
    }
}

#[derive(Default)]
struct Recorder(Mutex<Vec<StateChange>>);

impl FlowListener for Recorder {
    fn on_state_change(&self, change: StateChange) {
        self.0.lock().unwrap().push(change);
    }
}

impl Recorder {
    fn intent_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .0
            .lock()
            .unwrap()
            .iter()
            .filter_map(|c| match c {
                StateChange::Intent { intent_id, .. } => Some(intent_id.clone()),
                _ => None,
            })
            .collect();
        ids.dedup();
        ids
    }

    fn intent_path(&self, id: &str) -> Vec<IntentState> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter_map(|c| match c {
                StateChange::Intent { intent_id, to, .. } if intent_id == id => Some(*to),
                _ => None,
            })
            .collect()
    }
}

fn cny(minor: i64) -> Money {
    Money {
        minor,
        currency: "CNY".into(),
    }
}

/// `balance` given, so a pay signs exactly twice: the quote, then the payment.
fn options(scenario: &str) -> PayOptions {
    PayOptions {
        description: "coffee".into(),
        funding_source_id: Some("balance".into()),
        sandbox_scenario: Some(scenario.into()),
        ..Default::default()
    }
}

struct Setup {
    switch: Arc<TestSwitch>,
    dir: tempfile::TempDir,
    key: SoftwareSigner,
    recorder: Arc<Recorder>,
}

impl Setup {
    fn new() -> Setup {
        let switch = TestSwitch::new();
        let key = SoftwareSigner::generate("dev-prompt").unwrap();
        switch.register(&key.key_id(), key.public_key());
        Setup {
            switch,
            dir: tempfile::tempdir().unwrap(),
            key,
            recorder: Arc::new(Recorder::default()),
        }
    }

    fn payments(&self, signer: Arc<dyn Signer>, sign_timeout_ms: Option<u32>) -> Arc<Payments> {
        let config = PaymentsConfig {
            endpoint: "https://switch.test".into(),
            ca_pem: None,
            spki_pins: vec![],
            journal_path: self
                .dir
                .path()
                .join("journal.sqlite")
                .to_string_lossy()
                .into_owned(),
            server_roots: self
                .switch
                .roots()
                .into_iter()
                .map(|r| ServerRoot {
                    key_id: r.key_id,
                    public_key: r.public_key,
                })
                .collect(),
            wallet_profile_id: None,
            timings: Some(PaymentTimings {
                sandbox: true,
                sign_timeout_ms,
                ..Default::default()
            }),
            registry: None,
            wallet_profile_json: None,
        };
        Payments::with_transport(
            config,
            signer,
            Some(self.recorder.clone()),
            None,
            Some(self.switch.clone() as Arc<dyn Transport>),
        )
        .unwrap()
    }
}

#[tokio::test]
async fn a_signer_that_takes_its_time_like_a_biometric_prompt_signs_the_payment() {
    let s = Setup::new();
    let signer = PromptSigner::new(&s.key, 150, u32::MAX, Then::Fail);
    let p = s.payments(signer.clone(), None);
    let intent = p
        .pay(MERCHANT.into(), cny(1000), options("success"))
        .await
        .unwrap();
    assert_eq!(intent.state, IntentState::Succeeded);
    assert_eq!(s.switch.captures(), 1);
    assert_eq!(signer.calls(), 2, "quote and payment");
}

#[tokio::test]
async fn a_user_who_cancels_the_first_prompt_gets_a_typed_cancel_and_no_intent() {
    let s = Setup::new();
    let signer = PromptSigner::new(&s.key, 0, 0, Then::Cancel);
    let p = s.payments(signer.clone(), None);
    let err = p
        .pay(MERCHANT.into(), cny(1000), options("success"))
        .await
        .unwrap_err();
    assert!(matches!(err, PaymentsError::SignerCancelled(_)), "{err:?}");
    assert!(err.to_string().contains("the user tapped Cancel"), "{err}");
    assert!(s.recorder.intent_ids().is_empty());
    assert_eq!(signer.calls(), 1, "a cancelled prompt is not shown again");
    assert_eq!(s.switch.captures(), 0);
}

#[tokio::test]
async fn a_cancel_at_the_payment_request_fails_the_intent_with_its_code_and_charges_nothing() {
    let s = Setup::new();
    let signer = PromptSigner::new(&s.key, 0, 1, Then::Cancel);
    let p = s.payments(signer.clone(), None);
    let err = p
        .pay(MERCHANT.into(), cny(1000), options("success"))
        .await
        .unwrap_err();
    assert!(matches!(err, PaymentsError::SignerCancelled(_)), "{err:?}");
    let ids = s.recorder.intent_ids();
    assert_eq!(ids.len(), 1);
    assert_eq!(
        s.recorder.intent_path(&ids[0]),
        [
            IntentState::Created,
            IntentState::Submitting,
            IntentState::Failed
        ]
    );
    let intent = p.intent(ids[0].clone()).unwrap();
    assert_eq!(intent.state, IntentState::Failed);
    assert_eq!(intent.failure_code.as_deref(), Some("SIGNER_CANCELLED"));
    assert!(p.open_intents().unwrap().is_empty());
    assert_eq!(s.switch.captures(), 0);
    assert!(
        s.switch.payment(&ids[0]).is_none(),
        "nothing reached the switch"
    );
    assert_eq!(signer.calls(), 2);
}

#[tokio::test]
async fn a_prompt_nobody_answers_times_out_typed_and_the_call_is_dropped() {
    let s = Setup::new();
    let signer = PromptSigner::new(&s.key, 0, 0, Then::Hang);
    let p = s.payments(signer.clone(), Some(150));
    let started = std::time::Instant::now();
    let err = p.funding_sources().await.unwrap_err();
    assert!(matches!(err, PaymentsError::SignerTimedOut(_)), "{err:?}");
    assert!(err.to_string().contains("150 ms"), "{err}");
    // Bounded: one wait, not one per retry attempt (three in sandbox timings).
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(signer.calls(), 1);
    assert_eq!(
        signer.dropped_unfinished.load(Ordering::SeqCst),
        1,
        "the timed-out call was dropped, which cancels the app's coroutine or task"
    );
}

#[tokio::test]
async fn a_key_store_failure_is_a_signer_error_and_is_not_retried() {
    let s = Setup::new();
    let signer = PromptSigner::new(&s.key, 0, 0, Then::Fail);
    let p = s.payments(signer.clone(), None);
    let err = p.funding_sources().await.unwrap_err();
    assert!(matches!(err, PaymentsError::Signer(_)), "{err:?}");
    assert!(err.to_string().contains("invalidated"), "{err}");
    assert_eq!(signer.calls(), 1);
}

#[tokio::test]
async fn a_signer_that_panics_is_a_signer_error_not_a_crash() {
    let s = Setup::new();
    let signer = PromptSigner::new(&s.key, 0, 1, Then::Panic);
    let p = s.payments(signer.clone(), None);
    let err = p
        .pay(MERCHANT.into(), cny(1000), options("success"))
        .await
        .unwrap_err();
    assert!(matches!(err, PaymentsError::Signer(_)), "{err:?}");
    assert!(err.to_string().contains("fell over"), "{err}");
    let ids = s.recorder.intent_ids();
    let intent = p.intent(ids[0].clone()).unwrap();
    assert_eq!(
        (intent.state, intent.failure_code.as_deref()),
        (IntentState::Failed, Some("SIGNER_FAILED"))
    );
    assert_eq!(s.switch.captures(), 0);
}

#[tokio::test]
async fn a_signer_failing_while_polling_leaves_the_payment_open_and_recover_settles_it() {
    let s = Setup::new();
    // Quote and payment signed; the first status poll's prompt is cancelled.
    let signer = PromptSigner::new(&s.key, 0, 2, Then::Cancel);
    let p = s.payments(signer.clone(), None);
    let intent = p
        .pay(MERCHANT.into(), cny(1000), options("user_paying; polls=1"))
        .await
        .unwrap();
    // Sent and maybe charged: never reported as failed, and the prompt is not repeated.
    assert_eq!(intent.state, IntentState::Polling);
    assert_eq!(signer.calls(), 3);
    assert_eq!(p.open_intents().unwrap().len(), 1);
    drop(p);
    // Next start, the key answers again: recover settles the payment by query.
    let healthy = PromptSigner::new(&s.key, 0, u32::MAX, Then::Fail);
    let p = s.payments(healthy, None);
    let outcomes = p.recover().await.unwrap();
    assert_eq!(
        outcomes,
        [RecoverOutcome::Settled {
            intent_id: intent.intent_id.clone(),
            state: IntentState::Succeeded
        }]
    );
    assert_eq!(s.switch.captures(), 1);
}
