//! Signed registry bundles end to end: the committed fixtures (tests/data/registry) verify, and a
//! network that only a bundle defines becomes payable with the app's wallet profile, through the
//! core flow and through the exported `Payments`, against the in-process test switch.

#[path = "../../../tests/support/mod.rs"]
mod support;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use hutong::{self as ffi, PaymentRegistry, PaymentRegistryError, RegistryKey, RegistrySource};
use hutong_core::bundle::{self, RegistryStore};
use hutong_core::flow::{
    FlowError, FlowTimings, IntentState, PayOptions, Payments, PaymentsConfig,
};
use hutong_core::money::{Currency, Money};
use hutong_core::route::RouteError;
use hutong_core::sign::{Signer as _, SoftwareSigner};
use hutong_core::transport::Transport;
use std::path::PathBuf;
use std::sync::Arc;
use support::TestSwitch;

/// A code of the fixture's made-up network: `unknown_url` without the bundle.
const TEST_BANK_URL: &str = "https://pay.hutong-test-bank.example/qr/M12345";
/// The same bank's EMVCo code, whose GUID only bundle version 2 names.
const TEST_BANK_EMV: &str = "00020101021126320019ORG.HUTONG.TESTBANK0105123455204541153031565802CN5904Shop6007Beijing6304E31C";

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/registry")
        .join(name)
}

fn fixture_pin() -> bundle::RegistryKey {
    let text = std::fs::read_to_string(fixture("pin.txt")).unwrap();
    let (key_id, b64) = text.trim().split_once(':').unwrap();
    bundle::RegistryKey {
        key_id: key_id.into(),
        public_key: B64.decode(b64).unwrap(),
    }
}

fn cny(minor: i64) -> Money {
    Money::new(minor, Currency::from_alpha("CNY").unwrap())
}

#[test]
fn the_committed_fixtures_verify_and_define_the_test_bank() {
    let pins = [fixture_pin()];
    let v1 =
        bundle::verify_bundle(&std::fs::read(fixture("bundle-v1.json")).unwrap(), &pins).unwrap();
    let v2 =
        bundle::verify_bundle(&std::fs::read(fixture("bundle-v2.json")).unwrap(), &pins).unwrap();
    assert_eq!((v1.content.version, v2.content.version), (1, 2));
    let ctx = hutong_core::registry::Context::default();
    assert_eq!(
        hutong_core::identify::identify(TEST_BANK_URL)
            .network
            .as_deref(),
        Some("unknown_url")
    );
    for v in [&v1, &v2] {
        let code = hutong_core::identify::identify_with(&v.registry, TEST_BANK_URL, &ctx);
        assert_eq!(code.network.as_deref(), Some("hutong_test_bank"));
        assert!(code.valid && code.risk.is_empty(), "{code:?}");
    }
    assert_eq!(
        hutong_core::identify::identify_with(&v1.registry, TEST_BANK_EMV, &ctx)
            .network
            .as_deref(),
        Some("emvco_mpm")
    );
    assert_eq!(
        hutong_core::identify::identify_with(&v2.registry, TEST_BANK_EMV, &ctx)
            .network
            .as_deref(),
        Some("hutong_test_bank")
    );
    // The fixture's private key is the pinned one (the README's commands keep working).
    let key: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("registry-test-key.json")).unwrap())
            .unwrap();
    let signer = SoftwareSigner::from_pkcs8(
        key["key_id"].as_str().unwrap(),
        &B64.decode(key["pkcs8"].as_str().unwrap()).unwrap(),
    )
    .unwrap();
    assert_eq!(signer.public_key(), pins[0].public_key);
}

/// A core client over the test switch with `registry` and the app's `wallet`.
fn client(
    switch: &Arc<TestSwitch>,
    dir: &std::path::Path,
    registry: Option<Arc<RegistryStore>>,
    wallet: Option<hutong_core::route::WalletProfile>,
) -> Payments {
    let device = SoftwareSigner::generate("dev-registry").unwrap();
    switch.register(&device.key_id(), device.public_key());
    Payments::new(PaymentsConfig {
        endpoint: "https://switch.test".into(),
        ca_pem: None,
        spki_pins: vec![],
        journal_path: dir.join("journal.sqlite"),
        signer: Arc::new(device),
        server_roots: switch.roots(),
        listener: None,
        timings: FlowTimings::fast(),
        transport: Some(switch.clone() as Arc<dyn Transport>),
        wallet,
        registry,
    })
    .unwrap()
}

#[tokio::test]
async fn a_network_only_the_bundle_defines_is_paid_with_the_apps_profile() {
    let switch = TestSwitch::new();
    let dir = tempfile::tempdir().unwrap();
    let mine = bundle::app_profile_from_json(
        r#"{"id": "my_wallet", "name": "My wallet", "direct": ["hutong_test_bank"]}"#,
    )
    .unwrap();

    // Built-in table: a web link, not payable.
    let plain = client(&switch, dir.path(), None, Some(mine.clone()));
    let refused = plain
        .quote(TEST_BANK_URL, Some(cny(1000)), "hutong_test_bank:direct")
        .await
        .unwrap_err();
    assert!(
        matches!(refused, FlowError::Route(RouteError::NotPayable(_))),
        "{refused:?}"
    );
    drop(plain);

    let store = Arc::new(
        RegistryStore::open(
            vec![fixture_pin()],
            Some(dir.path().join("registry.bundle")),
        )
        .unwrap(),
    );
    store
        .install(&std::fs::read(fixture("bundle-v1.json")).unwrap())
        .unwrap();
    let p = client(&switch, dir.path(), Some(store.clone()), Some(mine));
    let quote = p
        .quote(TEST_BANK_URL, Some(cny(1000)), "hutong_test_bank:direct")
        .await
        .unwrap();
    assert_eq!(quote.network, "hutong_test_bank");
    let intent = p
        .pay_quoted(TEST_BANK_URL, &quote, "balance", PayOptions::default())
        .await
        .unwrap();
    assert_eq!(intent.state, IntentState::Succeeded);
    assert_eq!(intent.network.as_deref(), Some("hutong_test_bank"));

    // A route the app's profile has no contract for is refused before anything is sent.
    let requests = switch.ledger.lock().unwrap().requests;
    assert!(matches!(
        p.quote(
            TEST_BANK_URL,
            Some(cny(1000)),
            "hutong_test_bank:some_interconnect"
        )
        .await,
        Err(FlowError::Route(RouteError::NotAllowed { .. }))
    ));
    assert_eq!(switch.ledger.lock().unwrap().requests, requests);

    // The EMVCo GUID arrives with version 2, installed while the client is running.
    assert!(p
        .quote(TEST_BANK_EMV, Some(cny(500)), "hutong_test_bank:direct")
        .await
        .is_err());
    store
        .install(&std::fs::read(fixture("bundle-v2.json")).unwrap())
        .unwrap();
    let quote = p
        .quote(TEST_BANK_EMV, Some(cny(500)), "hutong_test_bank:direct")
        .await
        .unwrap();
    assert_eq!(quote.network, "hutong_test_bank");
}

struct AppSigner(SoftwareSigner);

#[async_trait::async_trait]
impl ffi::Signer for AppSigner {
    fn key_id(&self) -> Result<String, ffi::SignerError> {
        Ok(self.0.key_id())
    }
    fn public_key(&self) -> Result<Vec<u8>, ffi::SignerError> {
        Ok(self.0.public_key())
    }
    async fn sign(&self, message: Vec<u8>) -> Result<Vec<u8>, ffi::SignerError> {
        self.0.sign(&message).map_err(|e| ffi::SignerError::Failed {
            reason: e.to_string(),
        })
    }
}

fn ffi_config(
    switch: &TestSwitch,
    dir: &std::path::Path,
    registry: Option<Arc<PaymentRegistry>>,
) -> ffi::PaymentsConfig {
    ffi::PaymentsConfig {
        endpoint: "https://switch.test".into(),
        ca_pem: None,
        spki_pins: vec![],
        journal_path: dir.join("ffi-journal.sqlite").display().to_string(),
        server_roots: switch
            .roots()
            .into_iter()
            .map(|r| ffi::ServerRoot {
                key_id: r.key_id,
                public_key: r.public_key,
            })
            .collect(),
        wallet_profile_id: Some("my_wallet".into()),
        timings: Some(ffi::PaymentTimings {
            sandbox: true,
            ..Default::default()
        }),
        registry,
        wallet_profile_json: None,
    }
}

fn ffi_payments(
    switch: &Arc<TestSwitch>,
    config: ffi::PaymentsConfig,
) -> Result<Arc<ffi::Payments>, ffi::PaymentsError> {
    let device = SoftwareSigner::generate("dev-ffi-registry").unwrap();
    switch.register(&device.key_id(), device.public_key());
    ffi::Payments::with_transport(
        config,
        Arc::new(AppSigner(device)),
        None,
        None,
        Some(switch.clone() as Arc<dyn Transport>),
    )
}

fn ffi_pin() -> Vec<RegistryKey> {
    let pin = fixture_pin();
    vec![RegistryKey {
        key_id: pin.key_id,
        public_key: pin.public_key,
    }]
}

#[tokio::test]
async fn the_exported_client_pays_with_a_bundles_profile_or_the_apps_own() {
    let switch = TestSwitch::new();
    let dir = tempfile::tempdir().unwrap();
    let money = ffi::Money {
        minor: 1500,
        currency: "CNY".into(),
    };

    // `wallet_profile_id = "my_wallet"` with neither the bundle nor the app's JSON: refused.
    let Err(err) = ffi_payments(&switch, ffi_config(&switch, dir.path(), None)) else {
        panic!("my_wallet is neither built in nor supplied");
    };
    assert!(
        matches!(&err, ffi::PaymentsError::InvalidConfig(m) if m.contains("no wallet profile `my_wallet`")),
        "{err:?}"
    );

    // The bundle carries `my_wallet`: the route is derived from it.
    let registry = PaymentRegistry::new(
        ffi_pin(),
        Some(dir.path().join("registry.bundle").display().to_string()),
        None,
    )
    .unwrap();
    let info = registry
        .install(std::fs::read(fixture("bundle-v2.json")).unwrap())
        .unwrap();
    assert_eq!((info.version, info.source), (2, RegistrySource::Bundle));
    let payments = ffi_payments(
        &switch,
        ffi_config(&switch, dir.path(), Some(registry.clone())),
    )
    .unwrap();
    let intent = payments
        .pay(
            TEST_BANK_URL.into(),
            money.clone(),
            ffi::PayOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(intent.state, ffi::IntentState::Succeeded);
    assert_eq!(
        intent.route_requested.as_deref(),
        Some("hutong_test_bank:direct")
    );

    // The app's own profile JSON, without a bundle-carried profile of that id.
    let mut own = ffi_config(&switch, dir.path(), Some(registry.clone()));
    own.journal_path = dir.path().join("own.sqlite").display().to_string();
    own.wallet_profile_id = None;
    own.wallet_profile_json =
        Some(r#"{"id": "shop_wallet", "name": "Shop", "direct": ["hutong_test_bank"]}"#.into());
    let payments = ffi_payments(&switch, own.clone()).unwrap();
    let intent = payments
        .pay(TEST_BANK_URL.into(), money, ffi::PayOptions::default())
        .await
        .unwrap();
    assert_eq!(intent.state, ffi::IntentState::Succeeded);

    // An id that contradicts the JSON is a configuration error.
    own.wallet_profile_id = Some("my_wallet".into());
    assert!(matches!(
        ffi_payments(&switch, own),
        Err(ffi::PaymentsError::InvalidConfig(_))
    ));

    // An older bundle is refused; the registry keeps version 2.
    assert!(matches!(
        registry.install(std::fs::read(fixture("bundle-v1.json")).unwrap()),
        Err(PaymentRegistryError::Rollback(_))
    ));
    assert_eq!(registry.info().unwrap().version, 2);
}
