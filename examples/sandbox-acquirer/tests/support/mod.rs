//! A real sandbox on loopback over TLS and a real `Payments` client (HttpsTransport, pinned
//! certificate and root key, SQLite journal), plus raw signed requests for what a well-behaved
//! client never sends.
#![allow(dead_code)]

use hutong_core::flow::{FlowTimings, PayOptions, Payments, PaymentsConfig};
use hutong_core::journal::IntentRecord;
use hutong_core::money::{Currency, Money};
use hutong_core::sign::{sign_request, Signer, SoftwareSigner};
use hutong_core::transport::{
    HttpsTransport, Method, Request, Response, SpkiPin, TlsOptions, Transport,
};
use sandbox_acquirer::{start, SandboxConfig, SandboxHandle, Timing};
use std::sync::Arc;
use std::time::Duration;

pub const WECHAT_CODE: &str = "https://payapp.weixin.qq.com/qr/AbCdEf";
pub const WECHAT_ROUTE: &str = "wechat_pay:direct";
pub const ALIPAY_CODE: &str = "https://qr.alipay.com/fkx12345";
pub const ALIPAY_ROUTE: &str = "alipay:direct";

pub fn cny(minor: i64) -> Money {
    Money::new(minor, Currency::from_alpha("CNY").unwrap())
}

/// Client read timeout in these tests; `timeout_after_commit` holds its answer longer.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(3);

pub fn timing() -> Timing {
    Timing {
        hold_after_commit: Duration::from_secs(5),
        slow_delay: Duration::from_secs(2),
        max_body_bytes: 64 * 1024,
        clock_offset_secs: 0,
    }
}

pub async fn sandbox() -> SandboxHandle {
    start(SandboxConfig {
        timing: timing(),
        ..Default::default()
    })
    .await
    .unwrap()
}

pub fn tls_options(sb: &SandboxHandle) -> TlsOptions {
    let mut tls = TlsOptions::new(sb.endpoint());
    tls.ca_pem = Some(sb.ca_pem().as_bytes().to_vec());
    tls.spki_pins = vec![SpkiPin::parse_hex(&sb.spki_pin()).unwrap()];
    tls.request_timeout = CLIENT_TIMEOUT;
    tls.connect_timeout = Duration::from_secs(2);
    tls
}

pub struct Client {
    pub payments: Payments,
    pub signer: Arc<SoftwareSigner>,
    pub transport: Arc<HttpsTransport>,
    pub dir: tempfile::TempDir,
}

/// A registered client with its own journal and device key.
pub async fn client(sb: &SandboxHandle) -> Client {
    let dir = tempfile::tempdir().unwrap();
    let signer = Arc::new(SoftwareSigner::generate(format!("dev-{}", rand_hex())).unwrap());
    client_in(sb, dir, signer).await
}

pub async fn client_in(
    sb: &SandboxHandle,
    dir: tempfile::TempDir,
    signer: Arc<SoftwareSigner>,
) -> Client {
    let transport = Arc::new(HttpsTransport::new(&tls_options(sb)).unwrap());
    let payments = Payments::new(PaymentsConfig {
        endpoint: sb.endpoint(),
        ca_pem: None,
        spki_pins: vec![],
        journal_path: dir.path().join("journal.sqlite"),
        signer: signer.clone(),
        server_roots: sb.server_roots(),
        listener: None,
        timings: FlowTimings::fast(),
        transport: Some(transport.clone() as Arc<dyn Transport>),
        wallet: None,
        registry: None,
    })
    .unwrap();
    payments.register_device("acct-e2e").await.unwrap();
    Client {
        payments,
        signer,
        transport,
        dir,
    }
}

pub fn rand_hex() -> String {
    hutong_core::flow::new_uuid_v4().unwrap().replace('-', "")[..12].to_string()
}

pub fn opts(scenario: &str) -> PayOptions {
    PayOptions {
        description: "e2e".into(),
        scenario: Some(scenario.into()),
    }
}

pub async fn pay(c: &Client, code: &str, route: &str, minor: i64, scenario: &str) -> IntentRecord {
    let quote = c
        .payments
        .quote(code, Some(cny(minor)), route)
        .await
        .unwrap();
    c.payments
        .pay_quoted(code, &quote, "balance", opts(scenario))
        .await
        .unwrap()
}

/// The journal and the ledger tell the same story about one intent, and nothing was captured
/// twice.
pub fn assert_agree(sb: &SandboxHandle, c: &Client, intent_id: &str) {
    let rec = c.payments.journal().intent(intent_id).unwrap();
    let captures = sb.capture_count(Some(intent_id));
    assert!(captures <= 1, "captured {captures} times");
    match sb.payment(intent_id) {
        Some(row) => {
            assert_eq!(rec.state.as_str(), row.state, "journal vs ledger state");
            assert_eq!(rec.paid_minor.unwrap_or(0), row.paid, "paid");
            assert_eq!(captures, i64::from(row.paid > 0), "captures vs paid");
            let journal_refunds: i64 = c
                .payments
                .journal()
                .refunds_for(intent_id)
                .unwrap()
                .iter()
                .filter(|r| r.state.as_str() == "succeeded")
                .map(|r| r.amount.minor)
                .sum();
            let ledger_refunds: i64 = sb
                .refunds(Some(intent_id))
                .iter()
                .filter(|r| r.state == "succeeded")
                .map(|r| r.amount)
                .sum();
            assert_eq!(journal_refunds, ledger_refunds, "refunds");
        }
        None => {
            assert_eq!(rec.state.as_str(), "failed", "the ledger never saw it");
            assert_eq!(captures, 0);
        }
    }
}

/// A signed request outside the flow (raw protocol tests).
pub async fn raw(
    c: &Client,
    method: Method,
    target: &str,
    body: &[u8],
    headers: &[(&str, &str)],
) -> Response {
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let auth = sign_request(c.signer.as_ref(), method.as_str(), target, body, ts).unwrap();
    let mut h = vec![("Authorization".to_string(), auth.to_header_value())];
    h.extend(headers.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    c.transport
        .send(&Request {
            method,
            target: target.into(),
            headers: h,
            body: body.to_vec(),
        })
        .await
        .unwrap()
}

pub fn error_code(r: &Response) -> String {
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap_or_default();
    v["error"]["code"].as_str().unwrap_or("").to_string()
}

pub fn signer_key_id(c: &Client) -> String {
    c.signer.key_id()
}
