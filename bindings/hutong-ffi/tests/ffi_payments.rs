//! The exported `Payments` object as an app drives it, against the in-process test switch: a
//! signer, listener and logger implemented the way a foreign app implements the UniFFI traits.

#[path = "../../../tests/support/mod.rs"]
mod support;

use hutong::{
    Direction, FlowListener, HttpHeader, HttpRequest, HttpResponse, HttpTransport,
    HttpTransportError, IntentState, LogLevel, Logger, Money, PayOptions, PaymentTimings, Payments,
    PaymentsConfig, PaymentsError, RefundState, ServerRoot, Signer, SignerError, StateChange,
};
use hutong_core::sign::{Signer as _, SoftwareSigner};
use hutong_core::transport::{Method, Request, Transport};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::TestSwitch;

const MERCHANT: &str = "https://payapp.weixin.qq.com/qr/AbCdEf";

/// What an app's Keystore-backed signer does, on `ring`.
struct AppSigner(SoftwareSigner);

#[async_trait::async_trait]
impl Signer for AppSigner {
    fn key_id(&self) -> Result<String, SignerError> {
        Ok(self.0.key_id())
    }
    fn public_key(&self) -> Result<Vec<u8>, SignerError> {
        Ok(self.0.public_key())
    }
    async fn sign(&self, message: Vec<u8>) -> Result<Vec<u8>, SignerError> {
        self.0.sign(&message).map_err(|e| SignerError::Failed {
            reason: e.to_string(),
        })
    }
}

/// A key store that refuses to sign (user authentication required, key invalidated).
struct LockedSigner(SoftwareSigner);

#[async_trait::async_trait]
impl Signer for LockedSigner {
    fn key_id(&self) -> Result<String, SignerError> {
        Ok(self.0.key_id())
    }
    fn public_key(&self) -> Result<Vec<u8>, SignerError> {
        Ok(self.0.public_key())
    }
    async fn sign(&self, _: Vec<u8>) -> Result<Vec<u8>, SignerError> {
        Err(SignerError::Failed {
            reason: "user authentication required".into(),
        })
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

    fn first_intent_id(&self) -> Option<String> {
        self.0.lock().unwrap().iter().find_map(|c| match c {
            StateChange::Intent { intent_id, .. } => Some(intent_id.clone()),
            _ => None,
        })
    }
}

/// A listener whose UI code throws on every call.
struct Throwing;

impl FlowListener for Throwing {
    fn on_state_change(&self, _: StateChange) {
        panic!("UI thread exploded");
    }
}

#[derive(Default)]
struct Lines(Mutex<Vec<(LogLevel, String)>>);

impl Logger for Lines {
    fn log(&self, level: LogLevel, target: String, message: String) {
        assert_eq!(target, "hutong::payments");
        self.0.lock().unwrap().push((level, message));
    }
}

fn cny(minor: i64) -> Money {
    Money {
        minor,
        currency: "CNY".into(),
    }
}

fn scenario(name: &str) -> PayOptions {
    PayOptions {
        description: "coffee".into(),
        sandbox_scenario: Some(name.into()),
        ..Default::default()
    }
}

struct Setup {
    switch: Arc<TestSwitch>,
    _dir: tempfile::TempDir,
    payments: Arc<Payments>,
    recorder: Arc<Recorder>,
    lines: Arc<Lines>,
}

fn config(switch: &TestSwitch, dir: &std::path::Path) -> PaymentsConfig {
    PaymentsConfig {
        endpoint: "https://switch.test".into(),
        ca_pem: None,
        spki_pins: vec![],
        journal_path: dir.join("journal.sqlite").to_string_lossy().into_owned(),
        server_roots: switch
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
            ..Default::default()
        }),
        registry: None,
        wallet_profile_json: None,
    }
}

fn setup_with(edit: impl FnOnce(&mut PaymentsConfig), signer: Option<Arc<dyn Signer>>) -> Setup {
    let switch = TestSwitch::new();
    let dir = tempfile::tempdir().unwrap();
    let key = SoftwareSigner::generate("dev-ffi").unwrap();
    switch.register(&key.key_id(), key.public_key());
    let signer = signer.unwrap_or_else(|| Arc::new(AppSigner(key)));
    let recorder = Arc::new(Recorder::default());
    let lines = Arc::new(Lines::default());
    let mut cfg = config(&switch, dir.path());
    edit(&mut cfg);
    let payments = Payments::with_transport(
        cfg,
        signer,
        Some(recorder.clone()),
        Some(lines.clone()),
        Some(switch.clone() as Arc<dyn Transport>),
    )
    .unwrap();
    Setup {
        switch,
        _dir: dir,
        payments,
        recorder,
        lines,
    }
}

fn setup() -> Setup {
    setup_with(|_| {}, None)
}

#[tokio::test]
async fn pay_returns_every_amount_and_the_listener_sees_every_state() {
    let s = setup();
    let intent = s
        .payments
        .pay(MERCHANT.into(), cny(2372), scenario("success"))
        .await
        .unwrap();
    assert_eq!(intent.state, IntentState::Succeeded);
    assert_eq!(intent.direction, Direction::Pay);
    assert_eq!(intent.original, Some(cny(2372)));
    assert_eq!(intent.discount, Some(cny(237)));
    assert_eq!(intent.payable, Some(cny(2135)));
    assert_eq!(intent.paid, Some(cny(2135)));
    assert_eq!(intent.route_requested.as_deref(), Some("wechat_pay:direct"));
    assert_eq!(intent.funding_source_id.as_deref(), Some("balance"));
    assert_eq!(
        s.recorder.intent_path(&intent.intent_id),
        [
            IntentState::Created,
            IntentState::Submitting,
            IntentState::Succeeded
        ]
    );
    assert_eq!(s.switch.captures(), 1);
    let lines = s.lines.0.lock().unwrap();
    assert!(lines
        .iter()
        .any(|(l, m)| *l == LogLevel::Info && m.contains(&intent.intent_id)));
}

#[tokio::test]
async fn a_quote_shows_the_promotion_and_pay_quote_pays_exactly_it() {
    let s = setup();
    let quote = s
        .payments
        .quote(MERCHANT.into(), Some(cny(1000)), None)
        .await
        .unwrap();
    assert_eq!(quote.route_requested, "wechat_pay:direct");
    assert_eq!((quote.original.minor, quote.payable.minor), (1000, 900));
    let intent = s
        .payments
        .pay_quote(MERCHANT.into(), quote, scenario("success"))
        .await
        .unwrap();
    assert_eq!(intent.paid, Some(cny(900)));
}

#[tokio::test]
async fn refund_in_part_then_the_rest() {
    let s = setup();
    let intent = s
        .payments
        .pay(MERCHANT.into(), cny(2000), scenario("success"))
        .await
        .unwrap();
    let paid = intent.paid.clone().unwrap().minor;
    let part = s
        .payments
        .refund(intent.intent_id.clone(), Some(cny(500)))
        .await
        .unwrap();
    assert_eq!(
        (part.state, part.amount.minor),
        (RefundState::Succeeded, 500)
    );
    let rest = s
        .payments
        .refund(intent.intent_id.clone(), None)
        .await
        .unwrap();
    assert_eq!(rest.amount.minor, paid - 500);
    let after = s.payments.status(intent.intent_id.clone()).await.unwrap();
    assert_eq!(after.refunded.minor, paid);
    assert_eq!(
        s.payments.refunds(intent.intent_id.clone()).unwrap().len(),
        2
    );
    let nothing_left = s.payments.refund(intent.intent_id, None).await.unwrap_err();
    assert!(matches!(nothing_left, PaymentsError::InvalidInput(_)));
}

#[tokio::test]
async fn collect_with_an_invalid_payer_code_fails_with_its_code_and_keeps_it_masked() {
    let s = setup();
    let intent = s
        .payments
        .collect(
            "134567890123456789".into(),
            cny(1000),
            scenario("auth_code_invalid"),
        )
        .await
        .unwrap();
    assert_eq!(intent.direction, Direction::Collect);
    assert_eq!(intent.state, IntentState::Failed);
    assert_eq!(intent.failure_code.as_deref(), Some("AUTH_CODE_INVALID"));
    assert_eq!(intent.payer_code_masked.as_deref(), Some("••••6789"));
    let lines = s.lines.0.lock().unwrap();
    assert!(lines.iter().all(|(_, m)| !m.contains("134567890123456789")));
}

#[tokio::test]
async fn a_malformed_payer_code_is_invalid_input_before_anything_is_sent() {
    let s = setup();
    let err = s
        .payments
        .collect("12ab".into(), cny(1000), PayOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, PaymentsError::InvalidInput(_)), "{err}");
}

#[tokio::test]
async fn a_dropped_pay_future_leaves_an_open_intent_that_cancel_reverses() {
    let s = setup();
    let pay = s
        .payments
        .pay(MERCHANT.into(), cny(1000), scenario("user_paying_forever"));
    // What a cancelled coroutine does to the Rust future: stop polling it and drop it.
    assert!(tokio::time::timeout(Duration::from_millis(200), pay)
        .await
        .is_err());
    let id = s
        .recorder
        .first_intent_id()
        .expect("the listener saw the intent");
    let open = s.payments.open_intents().unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].intent_id, id);
    let cancelled = s.payments.cancel(id.clone()).await.unwrap();
    assert_eq!(cancelled.state, IntentState::Reversed);
    assert_eq!(s.payments.intent(id).unwrap().state, IntentState::Reversed);
    assert!(s.payments.open_intents().unwrap().is_empty());
    assert_eq!(s.switch.captures(), 0);
}

#[tokio::test]
async fn recover_settles_what_a_dropped_future_left() {
    let s = setup();
    let pay = s
        .payments
        .pay(MERCHANT.into(), cny(1000), scenario("user_paying; polls=1"));
    let _ = tokio::time::timeout(Duration::from_millis(5), pay).await;
    let outcomes = s.payments.recover().await.unwrap();
    assert!(
        s.payments.open_intents().unwrap().is_empty(),
        "{outcomes:?}"
    );
}

#[tokio::test]
async fn a_throwing_listener_never_stops_a_payment() {
    let switch = TestSwitch::new();
    let dir = tempfile::tempdir().unwrap();
    let key = SoftwareSigner::generate("dev-ffi").unwrap();
    switch.register(&key.key_id(), key.public_key());
    let p = Payments::with_transport(
        config(&switch, dir.path()),
        Arc::new(AppSigner(key)),
        Some(Arc::new(Throwing)),
        None,
        Some(switch.clone() as Arc<dyn Transport>),
    )
    .unwrap();
    let intent = p
        .pay(MERCHANT.into(), cny(1000), scenario("success"))
        .await
        .unwrap();
    assert_eq!(intent.state, IntentState::Succeeded);
}

#[tokio::test]
async fn a_signer_that_refuses_is_a_signer_error_and_nothing_is_charged() {
    let key = SoftwareSigner::generate("dev-ffi").unwrap();
    let s = setup_with(|_| {}, Some(Arc::new(LockedSigner(key))));
    let err = s
        .payments
        .pay(MERCHANT.into(), cny(1000), scenario("success"))
        .await
        .unwrap_err();
    assert!(matches!(err, PaymentsError::Signer(_)), "{err}");
    assert!(err.to_string().contains("user authentication required"));
    assert_eq!(s.switch.captures(), 0);
}

#[tokio::test]
async fn a_wallet_profile_routes_or_refuses_a_code() {
    let s = setup_with(|c| c.wallet_profile_id = Some("wechat".into()), None);
    let quote = s
        .payments
        .quote(MERCHANT.into(), Some(cny(1000)), None)
        .await
        .unwrap();
    assert_eq!(quote.route_requested, "wechat_pay:direct");
    let alipay = "https://qr.alipay.com/fkx12345example";
    let err = s
        .payments
        .pay(alipay.into(), cny(1000), PayOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, PaymentsError::CannotPay(_)), "{err}");
}

#[tokio::test]
async fn a_payer_code_cannot_be_paid() {
    let s = setup();
    let err = s
        .payments
        .pay(
            "134567890123456789".into(),
            cny(1000),
            PayOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, PaymentsError::CannotPay(_)), "{err}");
}

#[test]
fn configurations_that_cannot_work_are_refused_up_front() {
    let switch = TestSwitch::new();
    let dir = tempfile::tempdir().unwrap();
    let key = || Arc::new(AppSigner(SoftwareSigner::generate("k").unwrap())) as Arc<dyn Signer>;
    let build = |cfg: PaymentsConfig| Payments::new(cfg, key(), None, None).err();
    let mut bad_pin = config(&switch, dir.path());
    bad_pin.spki_pins = vec!["abc".into()];
    assert!(matches!(
        build(bad_pin),
        Some(PaymentsError::InvalidConfig(_))
    ));
    let mut no_roots = config(&switch, dir.path());
    no_roots.server_roots.clear();
    assert!(matches!(
        build(no_roots),
        Some(PaymentsError::InvalidConfig(_))
    ));
    let mut bad_wallet = config(&switch, dir.path());
    bad_wallet.wallet_profile_id = Some("nope".into());
    assert!(matches!(
        build(bad_wallet),
        Some(PaymentsError::InvalidConfig(_))
    ));
}

#[test]
fn a_key_store_that_fails_to_give_its_public_key_fails_the_constructor() {
    struct NoKey;
    #[async_trait::async_trait]
    impl Signer for NoKey {
        fn key_id(&self) -> Result<String, SignerError> {
            Ok("k".into())
        }
        fn public_key(&self) -> Result<Vec<u8>, SignerError> {
            Err(SignerError::Failed {
                reason: "key permanently invalidated".into(),
            })
        }
        async fn sign(&self, _: Vec<u8>) -> Result<Vec<u8>, SignerError> {
            unreachable!("never asked to sign")
        }
    }
    let switch = TestSwitch::new();
    let dir = tempfile::tempdir().unwrap();
    let err = Payments::new(config(&switch, dir.path()), Arc::new(NoKey), None, None).err();
    assert!(
        matches!(&err, Some(PaymentsError::Signer(m)) if m.contains("invalidated")),
        "{err:?}"
    );
}

/// An app's HTTP stack in front of the test switch: carries each request as `HttpRequest` says,
/// and fails the first payment it carries (`POST /v1/payments`) in the way `fault` says, before
/// or after the switch got it.
struct AppHttp {
    switch: Arc<TestSwitch>,
    fault: Option<HttpTransportError>,
    posts: AtomicU32,
}

impl AppHttp {
    fn new(switch: &Arc<TestSwitch>, fault: Option<HttpTransportError>) -> Arc<AppHttp> {
        Arc::new(AppHttp {
            switch: switch.clone(),
            fault,
            posts: AtomicU32::new(0),
        })
    }
}

#[async_trait::async_trait]
impl HttpTransport for AppHttp {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpTransportError> {
        let target = request
            .url
            .strip_prefix("https://switch.test")
            .expect("the configured origin")
            .to_owned();
        let method = match request.method.as_str() {
            "GET" => Method::Get,
            "POST" => Method::Post,
            other => panic!("method {other}"),
        };
        let first_payment = method == Method::Post
            && target.starts_with("/v1/payments")
            && self.posts.fetch_add(1, Ordering::SeqCst) == 0;
        let fault = self.fault.clone().filter(|_| first_payment);
        if let Some(f @ HttpTransportError::NotSent { .. }) = fault {
            return Err(f);
        }
        let core = Request {
            method,
            target,
            headers: request
                .headers
                .into_iter()
                .map(|h| (h.name, h.value))
                .collect(),
            body: request.body,
        };
        let answer = self
            .switch
            .send(&core)
            .await
            .expect("the test switch answers");
        if let Some(f) = fault {
            return Err(f);
        }
        Ok(HttpResponse {
            status: answer.status,
            headers: answer
                .headers
                .into_iter()
                .map(|(name, value)| HttpHeader { name, value })
                .collect(),
            body: answer.body,
        })
    }
}

fn over_app_http(
    fault: Option<HttpTransportError>,
) -> (Arc<TestSwitch>, Arc<Payments>, tempfile::TempDir) {
    let switch = TestSwitch::new();
    let dir = tempfile::tempdir().unwrap();
    let key = SoftwareSigner::generate("dev-app-http").unwrap();
    switch.register(&key.key_id(), key.public_key());
    let payments = Payments::with_http_transport(
        config(&switch, dir.path()),
        Arc::new(AppSigner(key)),
        AppHttp::new(&switch, fault),
        None,
        None,
    )
    .unwrap();
    (switch, payments, dir)
}

#[tokio::test]
async fn an_app_http_stack_carries_a_payment_and_its_refund() {
    let (switch, p, _dir) = over_app_http(None);
    let intent = p
        .pay(MERCHANT.into(), cny(1500), scenario("success"))
        .await
        .unwrap();
    assert_eq!(intent.state, IntentState::Succeeded);
    let refund = p
        .refund(intent.intent_id.clone(), Some(cny(500)))
        .await
        .unwrap();
    assert_eq!(refund.state, RefundState::Succeeded);
    assert_eq!(switch.captures(), 1);
}

/// The switch took the payment and the app's stack lost the answer: never reported as failed,
/// never charged twice; the library asks the switch and finds it paid.
#[tokio::test]
async fn an_answer_lost_after_sending_is_settled_by_asking_not_assumed_failed() {
    for fault in [
        HttpTransportError::MaybeSent {
            reason: "connection reset while reading".into(),
        },
        HttpTransportError::TimedOut,
    ] {
        let (switch, p, _dir) = over_app_http(Some(fault.clone()));
        let intent = p
            .pay(MERCHANT.into(), cny(1500), scenario("success"))
            .await
            .unwrap();
        assert_eq!(intent.state, IntentState::Succeeded, "{fault}");
        assert_eq!(switch.captures(), 1, "{fault}");
    }
}

/// A request proven never sent is retried (a fresh attempt under the same idempotency key):
/// one payment, charged once.
#[tokio::test]
async fn a_request_proven_not_sent_is_retried_and_charged_once() {
    let (switch, p, _dir) = over_app_http(Some(HttpTransportError::NotSent {
        reason: "connection refused".into(),
    }));
    let intent = p
        .pay(MERCHANT.into(), cny(1500), scenario("success"))
        .await
        .unwrap();
    assert_eq!(intent.state, IntentState::Succeeded);
    assert_eq!(switch.captures(), 1);
}

#[test]
fn the_app_stack_owns_trust_and_pins_and_the_endpoint_is_an_origin() {
    let switch = TestSwitch::new();
    let dir = tempfile::tempdir().unwrap();
    let build = |edit: &dyn Fn(&mut PaymentsConfig)| {
        let mut cfg = config(&switch, dir.path());
        edit(&mut cfg);
        let key = Arc::new(AppSigner(SoftwareSigner::generate("k").unwrap()));
        Payments::with_http_transport(cfg, key, AppHttp::new(&switch, None), None, None).err()
    };
    for edit in [
        &(|c: &mut PaymentsConfig| c.ca_pem = Some("-----BEGIN CERTIFICATE-----".into()))
            as &dyn Fn(&mut PaymentsConfig),
        &|c: &mut PaymentsConfig| c.spki_pins = vec!["ab".repeat(32)],
        &|c: &mut PaymentsConfig| c.endpoint = "http://switch.test".into(),
        &|c: &mut PaymentsConfig| c.endpoint = "https://switch.test/v1".into(),
    ] {
        assert!(matches!(build(edit), Some(PaymentsError::InvalidConfig(_))));
    }
    assert!(build(&|_| {}).is_none());
}
