//! Payments across the boundary: the `Payments` client with async pay / collect / refund /
//! status / cancel / recover, and the foreign traits an app implements (`Signer` over its
//! hardware key, `FlowListener` for its UI, `Logger` for its log). Decisions in
//! `docs/adr/0006-async-and-foreign-traits.md`.

use super::amount::Money;
use super::guard::{guarded, guarded_async, Panicked};
use super::registry::PaymentRegistry;
use crate::http::{ForeignTransport, HttpTransport};
use hutong_core::bundle::{self, ActiveRegistry, RegistryStore};
use hutong_core::flow::{self, wire, FlowError, PayerCode, PayerCodeError};
use hutong_core::identify;
use hutong_core::journal::{IntentRecord, JournalError, RefundRecord};
use hutong_core::money::{self, AmountError};
use hutong_core::registry;
use hutong_core::route;
use hutong_core::sign::{self, PinnedRoot, SignError, SignFuture};
use hutong_core::transport::{SpkiPin, Transport};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

const LOG_TARGET: &str = "hutong::payments";

// ---------------------------------------------------------------------------------------------
// Foreign traits

/// Why the app's signer could not sign. Not flat: the app's own `Signer` throws it
/// (`SignerException.Failed(reason)` / `SignerError.Failed(reason:)`), so it must cross both ways.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum SignerError {
    /// The key store refused (key invalidated, biometry locked out, no enrolled biometric...).
    /// The call ends with `PaymentsError.Signer`; nothing is sent.
    #[error("signer failed: {reason}")]
    Failed {
        /// What the key store said, for logs.
        reason: String,
    },
    /// The user dismissed the prompt the key needs (BiometricPrompt, Face ID, passcode). The
    /// call ends with `PaymentsError.SignerCancelled`; nothing is sent.
    #[error("signing cancelled by the user: {reason}")]
    Cancelled {
        /// How the prompt ended, for logs.
        reason: String,
    },
    /// The foreign implementation threw something other than `SignerError` (set by the
    /// library; apps throw `Failed` instead). Handled as `Failed`.
    #[error("signer threw an unexpected error: {reason}")]
    Unexpected {
        /// The foreign exception's text.
        reason: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for SignerError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        SignerError::Unexpected { reason: e.reason }
    }
}

/// The device's ECDSA P-256 key, held by the app (Android Keystore, Secure Enclave). Requests to
/// the switch are signed with it; the switch knows it by `key_id` after `register_device`.
///
/// `sign` is `suspend` (Kotlin) / `async` (Swift) so a key behind BiometricPrompt or Face ID can
/// ask the user. It is awaited at most `PaymentTimings.sign_timeout_ms` (60 s by default); after
/// that the call ends with `PaymentsError.SignerTimedOut` and the library drops the call, which
/// cancels the Kotlin coroutine / the Swift task (dismiss the prompt when that happens).
/// `key_id` and `public_key` stay synchronous: they never need the user and are read once, by
/// the `Payments` constructor.
#[uniffi::export(with_foreign)]
#[async_trait::async_trait]
pub trait Signer: Send + Sync {
    /// The id under which the switch knows the public key.
    fn key_id(&self) -> Result<String, SignerError>;
    /// The 65-byte uncompressed SEC1 public key (`0x04 || x || y`).
    fn public_key(&self) -> Result<Vec<u8>, SignerError>;
    /// An ASN.1 DER ECDSA signature over SHA-256 of `message` (Java `SHA256withECDSA`,
    /// CryptoKit `signature(for:).derRepresentation`). Throw `Cancelled` when the user dismisses
    /// the prompt, `Failed` for any other refusal.
    async fn sign(&self, message: Vec<u8>) -> Result<Vec<u8>, SignerError>;
}

/// Receives every state change of an intent or refund, after it is durable in the journal.
/// Called on the library's worker threads: hop to the UI thread yourself. An exception thrown
/// here is ignored; it never stops a payment.
#[uniffi::export(with_foreign)]
pub trait FlowListener: Send + Sync {
    /// One state change, in the order they happened for that intent or refund. Return quickly:
    /// the payment waits for this call. A lost notification loses no state: `Payments.intent`
    /// reads it back.
    fn on_state_change(&self, change: StateChange);
}

/// How much a log line matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, uniffi::Enum)]
pub enum LogLevel {
    /// A failure that needs attention.
    Error,
    /// A call failed (the line says which and why).
    Warn,
    /// Milestones: client ready, a payment's final state, what `recover` settled.
    Info,
    /// Every state change.
    Debug,
}

/// Where the library's log lines go (Logcat, os_log). Lines never hold payer codes, keys or
/// signatures. Exceptions thrown here are ignored.
#[uniffi::export(with_foreign)]
pub trait Logger: Send + Sync {
    /// One log line: `target` is the library's area (`hutong::payments`), `message` English
    /// text. Called on the library's worker threads; return quickly.
    fn log(&self, level: LogLevel, target: String, message: String);
}

/// A foreign callback that threw: UniFFI panics on the Rust side for methods without an error
/// type, so listener and logger calls are fenced here and never reach the payment.
fn fenced(f: impl FnOnce()) {
    let _ = catch_unwind(AssertUnwindSafe(f));
}

#[derive(Clone)]
struct Log(Option<Arc<dyn Logger>>);

impl Log {
    fn at(&self, level: LogLevel, message: impl FnOnce() -> String) {
        if let Some(l) = &self.0 {
            let text = message();
            fenced(|| l.log(level, LOG_TARGET.to_owned(), text));
        }
    }
}

/// The app's signer as the core `sign::AsyncSigner`. Key id and public key are read once, when
/// the client is built, so a failing key store shows up there and not halfway through a payment.
struct ForeignSigner {
    inner: Arc<dyn Signer>,
    key_id: String,
    public_key: Vec<u8>,
}

impl ForeignSigner {
    fn new(inner: Arc<dyn Signer>) -> Result<Self, PaymentsError> {
        let key_id = inner.key_id().map_err(signer_config)?;
        let public_key = inner.public_key().map_err(signer_config)?;
        if key_id.is_empty() {
            return Err(PaymentsError::InvalidConfig(
                "signer key_id is empty".into(),
            ));
        }
        if public_key.len() != 65 || public_key[0] != 0x04 {
            return Err(PaymentsError::InvalidConfig(format!(
                "signer public_key must be a 65-byte uncompressed P-256 point, got {} bytes",
                public_key.len()
            )));
        }
        Ok(ForeignSigner {
            inner,
            key_id,
            public_key,
        })
    }
}

fn signer_config(e: SignerError) -> PaymentsError {
    PaymentsError::Signer(e.to_string())
}

impl sign::AsyncSigner for ForeignSigner {
    fn signer_key_id(&self) -> String {
        self.key_id.clone()
    }
    fn signer_public_key(&self) -> Vec<u8> {
        self.public_key.clone()
    }
    fn sign_async<'a>(&'a self, message: &'a [u8]) -> SignFuture<'a> {
        Box::pin(async move {
            // A panic here would come from UniFFI's own plumbing (lifting the foreign result);
            // it must not unwind through the flow, which may be between two journal writes.
            let call = guarded_async(async {
                self.inner
                    .sign(message.to_vec())
                    .await
                    .map_err(SignerCallFailed::Signer)
            });
            match call.await {
                Ok(sig) => Ok(sig),
                Err(SignerCallFailed::Signer(SignerError::Cancelled { reason })) => {
                    Err(SignError::SignerCancelled(reason))
                }
                Err(SignerCallFailed::Signer(SignerError::Failed { reason })) => {
                    Err(SignError::SignerFailed(reason))
                }
                Err(SignerCallFailed::Signer(e @ SignerError::Unexpected { .. })) => {
                    Err(SignError::SignerFailed(e.to_string()))
                }
                Err(SignerCallFailed::Panicked(p)) => Err(SignError::SignerFailed(format!(
                    "the signer callback panicked: {}",
                    p.0
                ))),
            }
        })
    }
}

/// How one foreign `sign` call ended badly.
enum SignerCallFailed {
    Signer(SignerError),
    Panicked(Panicked),
}

impl From<Panicked> for SignerCallFailed {
    fn from(p: Panicked) -> Self {
        SignerCallFailed::Panicked(p)
    }
}

/// Fans core state changes out to the app's listener and logger.
struct Bridge {
    listener: Option<Arc<dyn FlowListener>>,
    log: Log,
}

impl flow::FlowListener for Bridge {
    fn on_change(&self, change: &flow::StateChange) {
        let change = StateChange::from(change);
        self.log
            .at(LogLevel::Debug, || format!("state change: {change:?}"));
        if let Some(l) = &self.listener {
            fenced(|| l.on_state_change(change));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Records and enums

/// A root key that signs the switch's response-key set (pinned in the app): the switch's
/// answers are believed only when their key chains to one of these.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ServerRoot {
    /// The root key's id, as the switch's key set names it.
    pub key_id: String,
    /// 65-byte uncompressed SEC1 P-256 point.
    pub public_key: Vec<u8>,
}

/// Overrides of the flow's waits, in milliseconds. Unset fields keep the production values
/// (first poll 3 s, then every 5 s, 45-60 s deadlines), or with `sandbox` the millisecond-scale
/// values the sandbox and tests use. Production apps leave this `None`.
#[derive(Debug, Clone, PartialEq, Eq, Default, uniffi::Record)]
pub struct PaymentTimings {
    /// Start from the millisecond-scale test values instead of the production ones (tests and
    /// the sandbox only).
    #[uniffi(default = false)]
    pub sandbox: bool,
    /// Wait before the first status query of an open payment (default 3000).
    #[uniffi(default = None)]
    pub first_poll_ms: Option<u32>,
    /// Wait between later status queries (default 5000).
    #[uniffi(default = None)]
    pub poll_interval_ms: Option<u32>,
    /// Random extra wait, up to this, added to each poll interval (default 1000).
    #[uniffi(default = None)]
    pub poll_jitter_ms: Option<u32>,
    /// The deadline for every network (after it, an unfinished payment is reversed); replaces
    /// the per-network defaults (45000, Alipay 60000).
    #[uniffi(default = None)]
    pub deadline_ms: Option<u32>,
    /// Attempts per idempotent request, the first included (default 4; 0 counts as 1).
    #[uniffi(default = None)]
    pub request_attempts: Option<u32>,
    /// Backoff ceiling before the first retry (default 1000); it doubles per retry up to
    /// `retry_cap_ms`, and each wait is random below it.
    #[uniffi(default = None)]
    pub retry_base_ms: Option<u32>,
    /// Highest backoff ceiling (default 30000).
    #[uniffi(default = None)]
    pub retry_cap_ms: Option<u32>,
    /// Query-then-reverse rounds before an open intent is left for reconciliation (default 5).
    #[uniffi(default = None)]
    pub reverse_rounds: Option<u32>,
    /// Wait between status queries of a refund still processing (default 2000).
    #[uniffi(default = None)]
    pub refund_poll_interval_ms: Option<u32>,
    /// Status queries of a processing refund before `refund` returns it still open (default 5).
    #[uniffi(default = None)]
    pub refund_polls: Option<u32>,
    /// The longest wait for one signature, prompt included (default 60000; 5000 with `sandbox`;
    /// 0 counts as 1). After it the call ends with `PaymentsError.SignerTimedOut`.
    #[uniffi(default = None)]
    pub sign_timeout_ms: Option<u32>,
}

fn ms(v: u32) -> Duration {
    Duration::from_millis(u64::from(v))
}

impl PaymentTimings {
    fn to_core(&self) -> flow::FlowTimings {
        let mut t = if self.sandbox {
            flow::FlowTimings::fast()
        } else {
            flow::FlowTimings::default()
        };
        if let Some(v) = self.first_poll_ms {
            t.first_poll = ms(v);
        }
        if let Some(v) = self.poll_interval_ms {
            t.poll_interval = ms(v);
        }
        if let Some(v) = self.poll_jitter_ms {
            t.poll_jitter = ms(v);
        }
        if let Some(v) = self.deadline_ms {
            t.deadlines.clear();
            t.default_deadline = ms(v);
        }
        if let Some(v) = self.request_attempts {
            t.retry.max_attempts = v.max(1);
        }
        if let Some(v) = self.retry_base_ms {
            t.retry.base = ms(v);
        }
        if let Some(v) = self.retry_cap_ms {
            t.retry.cap = ms(v);
        }
        if let Some(v) = self.reverse_rounds {
            t.reverse_rounds = v;
        }
        if let Some(v) = self.refund_poll_interval_ms {
            t.refund_poll_interval = ms(v);
        }
        if let Some(v) = self.refund_polls {
            t.refund_polls = v;
        }
        if let Some(v) = self.sign_timeout_ms {
            t.sign_timeout = ms(v.max(1));
        }
        t
    }
}

/// Everything a `Payments` client needs besides its callbacks. Checked by the constructor
/// (`PaymentsError.InvalidConfig`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PaymentsConfig {
    /// `https://host:port` of the switch (HTTPS only).
    pub endpoint: String,
    /// PEM certificate(s) to trust instead of the platform's roots (the sandbox's self-signed one).
    #[uniffi(default = None)]
    pub ca_pem: Option<String>,
    /// SHA-256 pins of the server's SubjectPublicKeyInfo, 64 hex digits (`sha256/` prefix allowed);
    /// give a backup pin too.
    #[uniffi(default = [])]
    pub spki_pins: Vec<String>,
    /// The journal file (SQLite); keep it in the app's private files, one per wallet account.
    pub journal_path: String,
    /// The switch's root keys the app pins (at least one): answers that do not chain to one of
    /// them are never believed.
    pub server_roots: Vec<ServerRoot>,
    /// The wallet's acceptance profile (`wechat`, `unionpay_quickpass`, `my_wallet`...): picks the
    /// route of a payment when `PayOptions.route` is not given, and limits the routes a payment
    /// may take. Looked up in `wallet_profile_json`, then in `registry` (the app's own profile,
    /// the bundle's, the built-in ones), when the client is built. Without it every route is
    /// `<network>:direct`.
    #[uniffi(default = None)]
    pub wallet_profile_id: Option<String>,
    /// Overrides of the flow's waits; `None` for the production values.
    #[uniffi(default = None)]
    pub timings: Option<PaymentTimings>,
    /// The app's registry: codes are identified, and routes checked, with its active table at
    /// each call, so a bundle installed later applies at once. `None`: the built-in table.
    #[uniffi(default = None)]
    pub registry: Option<Arc<PaymentRegistry>>,
    /// The wallet's own profile, one profile in the `wallets.json` schema
    /// (`{"id": "my_wallet", "name": "My Wallet", "direct": [...], "interconnects": [...]}`);
    /// its id must equal `wallet_profile_id` when both are given.
    #[uniffi(default = None)]
    pub wallet_profile_json: Option<String>,
}

/// Extras for one payment or collection. `PayOptions()` takes every default.
#[derive(Debug, Clone, PartialEq, Eq, Default, uniffi::Record)]
pub struct PayOptions {
    /// What the payment is for, sent to the switch with the payment or collection; may be
    /// empty.
    #[uniffi(default = "")]
    pub description: String,
    /// What to pay with; `None` takes the first source `funding_sources()` lists.
    #[uniffi(default = None)]
    pub funding_source_id: Option<String>,
    /// `<network>:<route>` (`wechat_pay:direct`); `None` derives it from the code and the
    /// configured wallet profile.
    #[uniffi(default = None)]
    pub route: Option<String>,
    /// Sandbox only: force an outcome (`success`, `user_paying`, ...); a real switch ignores it.
    #[uniffi(default = None)]
    pub sandbox_scenario: Option<String>,
}

impl PayOptions {
    fn to_core(&self) -> flow::PayOptions {
        flow::PayOptions {
            description: self.description.clone(),
            scenario: self.sandbox_scenario.clone(),
        }
    }
}

/// Which way the money of an intent moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Direction {
    /// The wallet paid a merchant's code.
    Pay,
    /// The merchant collected with the payer's code.
    Collect,
}

/// An intent's state. `Unknown`, `UserPaying`, `Polling`, `TimedOut` and `Reversing` are open:
/// the SDK is still finding out, and `status()` / `cancel()` / `recover()` settle them.
/// `Succeeded`, `Failed` and `Reversed` are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum IntentState {
    /// Journalled; nothing sent yet.
    Created,
    /// Journalled just before the request left; it may or may not have arrived.
    Submitting,
    /// Paid or collected (`Intent.paid`, `receipt`). Final; refunds may follow.
    Succeeded,
    /// The switch waits for the payer to confirm on their phone; the SDK polls.
    UserPaying,
    /// No trustworthy answer yet (timeout, reset, server error): never a failure; the SDK
    /// queries until it knows. Show "checking", not "failed".
    Unknown,
    /// Refused or never sent (`failure_code` says which); nothing was charged. Final.
    Failed,
    /// The SDK is querying the switch until a final answer or the deadline.
    Polling,
    /// The deadline passed without a final answer; a reverse follows.
    TimedOut,
    /// Being reversed: closed if unpaid, refunded if it was paid meanwhile.
    Reversing,
    /// Reversed (`reverse_result` `closed`: nothing charged; `refunded`: charged and refunded in
    /// full). Final.
    Reversed,
}

impl From<flow::IntentState> for IntentState {
    fn from(s: flow::IntentState) -> Self {
        use flow::IntentState as S;
        match s {
            S::Created => IntentState::Created,
            S::Submitting => IntentState::Submitting,
            S::Succeeded => IntentState::Succeeded,
            S::UserPaying => IntentState::UserPaying,
            S::Unknown => IntentState::Unknown,
            S::Failed => IntentState::Failed,
            S::Polling => IntentState::Polling,
            S::TimedOut => IntentState::TimedOut,
            S::Reversing => IntentState::Reversing,
            S::Reversed => IntentState::Reversed,
        }
    }
}

/// A refund's state. `Succeeded` and `Closed` are final; `Abnormal` needs manual handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum RefundState {
    /// Journalled and sent (or about to be); no verified answer yet: `refund` queries for a
    /// while, then `recover()` settles it (re-sending under the same id if the switch never saw
    /// it).
    Requested,
    /// The switch accepted it and has not finished.
    Processing,
    /// The money went back to the payer. Final.
    Succeeded,
    /// Refused or not sent (`failure_code`); nothing was refunded. Final.
    Closed,
    /// Needs manual handling at the switch; not final.
    Abnormal,
}

impl From<flow::RefundState> for RefundState {
    fn from(s: flow::RefundState) -> Self {
        use flow::RefundState as S;
        match s {
            S::Requested => RefundState::Requested,
            S::Processing => RefundState::Processing,
            S::Succeeded => RefundState::Succeeded,
            S::Closed => RefundState::Closed,
            S::Abnormal => RefundState::Abnormal,
        }
    }
}

/// One durable state change, as the listener receives it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum StateChange {
    /// A payment or collection moved. The first one (`from` `None`, `to` `Created`) arrives
    /// before anything is sent and carries the id `Payments.cancel` needs.
    Intent {
        /// The intent's id.
        intent_id: String,
        /// `None` when the intent was just created.
        from: Option<IntentState>,
        /// The state it is in now.
        to: IntentState,
    },
    /// A refund moved.
    Refund {
        /// The refund's id.
        refund_id: String,
        /// The intent it refunds.
        intent_id: String,
        /// `None` when the refund was just requested.
        from: Option<RefundState>,
        /// The state it is in now.
        to: RefundState,
    },
}

impl From<&flow::StateChange> for StateChange {
    fn from(c: &flow::StateChange) -> Self {
        match c {
            flow::StateChange::Intent {
                intent_id,
                from,
                to,
            } => StateChange::Intent {
                intent_id: intent_id.clone(),
                from: from.map(IntentState::from),
                to: (*to).into(),
            },
            flow::StateChange::Refund {
                refund_id,
                intent_id,
                from,
                to,
            } => StateChange::Refund {
                refund_id: refund_id.clone(),
                intent_id: intent_id.clone(),
                from: from.map(RefundState::from),
                to: (*to).into(),
            },
        }
    }
}

/// A way to pay (wallet balance, a bound card).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FundingSource {
    /// Pass it as `PayOptions.funding_source_id`.
    pub id: String,
    /// `wallet_balance`, `debit_card` or `credit_card`.
    pub kind: String,
    /// Display text from the switch ("Wallet balance").
    pub label: String,
    /// The most one payment may take from it, when the switch says.
    pub available: Option<Money>,
}

/// The pay screen for a merchant code: who, by which route, and what the user will pay after
/// any promotion. Pass it to `pay_quote` once the user confirmed it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Quote {
    /// The switch's merchant id.
    pub merchant_id: String,
    /// The merchant's name, as the switch knows it: show it for the user to confirm.
    pub merchant_name: String,
    /// The merchant's city, when the switch knows it.
    pub merchant_city: Option<String>,
    /// The code's network id (`wechat_pay`...).
    pub network: String,
    /// `<network>:<route>` asked for.
    pub route_requested: String,
    /// `<network>:<route>` the switch will use.
    pub route_used: String,
    /// The amount before any promotion.
    pub original: Money,
    /// The promotion's discount (zero without one).
    pub discount: Money,
    /// What the user pays: `original - discount`. Show this.
    pub payable: Money,
    /// The promotion's campaign id; set together with `promotion_name`, `None` without one.
    pub promotion_campaign_id: Option<String>,
    /// The promotion's display name.
    pub promotion_name: Option<String>,
    /// Unix seconds after which the quote must be fetched again.
    pub expires_at: i64,
}

/// One institution's share of a payment, for reconciliation.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Fee {
    /// Who receives it ("Tenpay", "Sandbox Acquirer").
    pub institution: String,
    /// `wallet`, `acquirer`, `clearing`, `issuer`, `network` or `interconnect`.
    pub role: String,
    /// Its share of the merchant discount.
    pub amount: Money,
}

/// The switch's receipt of a succeeded payment.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Receipt {
    /// The switch's receipt id.
    pub receipt_id: String,
    /// The switch's transaction id (what the merchant's records show).
    pub switch_txn_id: String,
    /// The intent it belongs to.
    pub intent_id: String,
    /// The switch's merchant id.
    pub merchant_id: String,
    /// The merchant's name.
    pub merchant_name: String,
    /// The network id.
    pub network: String,
    /// `<network>:<route>` used.
    pub route: String,
    /// The amount before any promotion.
    pub original: Money,
    /// The promotion's discount (zero without one).
    pub discount: Money,
    /// What was paid.
    pub payable: Money,
    /// Unix seconds.
    pub paid_at: i64,
    /// What was paid with, when the switch says.
    pub funding_source_id: Option<String>,
}

/// One payment intent as the journal holds it, with every amount. Amounts are in the intent's
/// currency; `None` until the switch (or the quote) said.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Intent {
    /// The intent's id (a UUID made on the device): the key for `status`, `cancel`, `refund`.
    pub intent_id: String,
    /// The merchant order number sent to the switch (`HT` + 30 hex digits of the id).
    pub out_trade_no: String,
    /// A payment of a merchant code or a collection with a payer's code.
    pub direction: Direction,
    /// Where the intent is; see `IntentState` for which states are final.
    pub state: IntentState,
    /// What was asked (before any promotion).
    pub amount: Money,
    /// The amount before any promotion, as quoted or reported by the switch.
    pub original: Option<Money>,
    /// The promotion's discount.
    pub discount: Option<Money>,
    /// What the user confirmed to pay.
    pub payable: Option<Money>,
    /// What the switch captured.
    pub paid: Option<Money>,
    /// Refunded so far, as the switch last reported it (zero when nothing was).
    pub refunded: Money,
    /// What a payment was made with; `None` for collections.
    pub funding_source_id: Option<String>,
    /// The network id (`wechat_pay`...).
    pub network: Option<String>,
    /// `<network>:<route>` asked for.
    pub route_requested: Option<String>,
    /// `<network>:<route>` the switch used.
    pub route_used: Option<String>,
    /// The merchant code paid (the scanned payload); `None` for collections.
    pub merchant_code: Option<String>,
    /// Collections: the payer code's last four digits (`••••6789`); the clear code is never kept.
    pub payer_code_masked: Option<String>,
    /// The switch's transaction id, once it has one.
    pub switch_txn_id: Option<String>,
    /// `closed` or `refunded` after a reverse.
    pub reverse_result: Option<String>,
    /// Why a `Failed` intent failed: the switch's code for a final refusal
    /// (`INSUFFICIENT_FUNDS`, `AUTH_CODE_INVALID`...) or the device's own (`NOT_SENT`, `CANCELLED`,
    /// `SIGNER_FAILED`, `SIGNER_CANCELLED`, `SIGNER_TIMEOUT`). Map it to your own text.
    pub failure_code: Option<String>,
    /// Still open after every retry: show it and let reconciliation settle it.
    pub needs_reconciliation: bool,
    /// How the merchant discount was split, when the switch says (for reconciliation).
    pub fees: Vec<Fee>,
    /// The switch's receipt of a succeeded payment.
    pub receipt: Option<Receipt>,
    /// When the intent was created, Unix milliseconds (device clock).
    pub created_at_ms: i64,
    /// When the journal last changed it, Unix milliseconds (device clock).
    pub updated_at_ms: i64,
    /// After this (Unix milliseconds, device clock) the SDK reverses an unfinished payment.
    pub deadline_at_ms: i64,
}

/// One refund as the journal holds it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Refund {
    /// The refund's id (a UUID made on the device).
    pub refund_id: String,
    /// The intent it refunds.
    pub intent_id: String,
    /// How much it gives back, in the intent's currency.
    pub amount: Money,
    /// Where the refund is.
    pub state: RefundState,
    /// The switch's refund id, once it has one.
    pub switch_refund_id: Option<String>,
    /// Why a `Closed` refund was not made: the switch's code (`REFUND_EXCEEDS_CAPTURED`...) or
    /// the device's (`SIGNER_FAILED`...).
    pub failure_code: Option<String>,
    /// When it was requested, Unix milliseconds (device clock).
    pub created_at_ms: i64,
    /// When the journal last changed it, Unix milliseconds (device clock).
    pub updated_at_ms: i64,
}

/// What `recover()` did with one unfinished intent or refund.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum RecoverOutcome {
    /// An intent reached a final state.
    Settled {
        /// The intent's id.
        intent_id: String,
        /// Its final state.
        state: IntentState,
    },
    /// A refund reached a final state.
    RefundSettled {
        /// The refund's id.
        refund_id: String,
        /// Its final state.
        state: RefundState,
    },
    /// Still unresolved: the app shows it and reconciliation settles it.
    NeedsReconciliation {
        /// The intent's or the refund's id.
        id: String,
        /// Its state's snake_case name (`polling`, `reversing`, `processing`...).
        state: String,
    },
}

impl From<flow::RecoverOutcome> for RecoverOutcome {
    fn from(o: flow::RecoverOutcome) -> Self {
        match o {
            flow::RecoverOutcome::Settled { intent_id, state } => RecoverOutcome::Settled {
                intent_id,
                state: state.into(),
            },
            flow::RecoverOutcome::RefundSettled { refund_id, state } => {
                RecoverOutcome::RefundSettled {
                    refund_id,
                    state: state.into(),
                }
            }
            flow::RecoverOutcome::NeedsReconciliation { id, state } => {
                RecoverOutcome::NeedsReconciliation { id, state }
            }
        }
    }
}

fn minor_of(minor: Option<i64>, currency: &str) -> Option<Money> {
    minor.map(|m| Money {
        minor: m,
        currency: currency.to_owned(),
    })
}

impl From<IntentRecord> for Intent {
    fn from(r: IntentRecord) -> Self {
        let currency = r.amount.currency.alpha;
        let fees: Vec<wire::Fee> = r
            .fees_json
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok())
            .unwrap_or_default();
        let receipt: Option<wire::Receipt> = r
            .receipt_json
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok());
        Intent {
            original: minor_of(r.original_minor, currency),
            discount: minor_of(r.discount_minor, currency),
            payable: minor_of(r.payable_minor, currency),
            paid: minor_of(r.paid_minor, currency),
            refunded: Money {
                minor: r.refunded_minor,
                currency: currency.to_owned(),
            },
            amount: r.amount.into(),
            intent_id: r.intent_id,
            out_trade_no: r.out_trade_no,
            direction: match r.direction {
                flow::Direction::Pay => Direction::Pay,
                flow::Direction::Collect => Direction::Collect,
            },
            state: r.state.into(),
            funding_source_id: r.funding_source_id,
            network: r.network,
            route_requested: r.route_requested,
            route_used: r.route_used,
            merchant_code: r.merchant_code,
            payer_code_masked: r.payer_code_masked,
            switch_txn_id: r.switch_txn_id,
            reverse_result: r.reverse_result,
            failure_code: r.failure_code,
            needs_reconciliation: r.needs_reconciliation,
            fees: fees
                .iter()
                .map(|f| Fee {
                    institution: f.institution.clone(),
                    role: f.role.clone(),
                    amount: (&f.amount).into(),
                })
                .collect(),
            receipt: receipt.map(|rc| Receipt {
                original: (&rc.original).into(),
                discount: (&rc.discount).into(),
                payable: (&rc.payable).into(),
                receipt_id: rc.receipt_id,
                switch_txn_id: rc.switch_txn_id,
                intent_id: rc.intent_id,
                merchant_id: rc.merchant.id,
                merchant_name: rc.merchant.name,
                network: rc.network,
                route: rc.route,
                paid_at: rc.paid_at,
                funding_source_id: rc.funding_source_id,
            }),
            created_at_ms: r.created_at_ms,
            updated_at_ms: r.updated_at_ms,
            deadline_at_ms: r.deadline_at_ms,
        }
    }
}

impl From<RefundRecord> for Refund {
    fn from(r: RefundRecord) -> Self {
        Refund {
            refund_id: r.refund_id,
            intent_id: r.intent_id,
            amount: r.amount.into(),
            state: r.state.into(),
            switch_refund_id: r.switch_refund_id,
            failure_code: r.failure_code,
            created_at_ms: r.created_at_ms,
            updated_at_ms: r.updated_at_ms,
        }
    }
}

impl From<&money::WireMoney> for Money {
    fn from(w: &money::WireMoney) -> Self {
        Money {
            minor: w.minor,
            currency: w.currency.clone(),
        }
    }
}

impl From<wire::Quote> for Quote {
    fn from(q: wire::Quote) -> Self {
        Quote {
            original: (&q.original).into(),
            discount: (&q.discount).into(),
            payable: (&q.payable).into(),
            merchant_id: q.merchant.id,
            merchant_name: q.merchant.name,
            merchant_city: q.merchant.city,
            network: q.network,
            route_requested: q.route_requested,
            route_used: q.route_used,
            promotion_campaign_id: q.promotion.as_ref().map(|p| p.campaign_id.clone()),
            promotion_name: q.promotion.map(|p| p.name),
            expires_at: q.expires_at,
        }
    }
}

impl Quote {
    fn to_core(&self) -> wire::Quote {
        let w = |m: &Money| money::WireMoney {
            minor: m.minor,
            currency: m.currency.clone(),
        };
        wire::Quote {
            merchant: wire::Merchant {
                id: self.merchant_id.clone(),
                name: self.merchant_name.clone(),
                city: self.merchant_city.clone(),
            },
            network: self.network.clone(),
            route_requested: self.route_requested.clone(),
            route_used: self.route_used.clone(),
            original: w(&self.original),
            discount: w(&self.discount),
            payable: w(&self.payable),
            promotion: match (&self.promotion_campaign_id, &self.promotion_name) {
                (Some(id), Some(name)) => Some(wire::Promotion {
                    campaign_id: id.clone(),
                    name: name.clone(),
                }),
                _ => None,
            },
            expires_at: self.expires_at,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Errors

/// Why a payments call did not do what was asked. An open payment is never an error: it comes
/// back as an `Intent` in its state (`Unknown`, `Reversing`...) for the app to show.
///
/// Flat: every variant's message says what happened; no app logic needs a field from it. Messages
/// are English, for logs: show your own text per variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum PaymentsError {
    /// The configuration cannot work (bad pin, bad root key, unreadable journal path, unknown
    /// wallet profile...). Constructor only; a bug in the app's setup, not worth retrying.
    #[error("invalid payments configuration: {0}")]
    InvalidConfig(String),
    /// The request itself is wrong (non-positive amount, unknown currency, bad payer code, an
    /// amount or currency the code does not allow, a refund over what was paid...): show it and
    /// let the user correct the input; the same call fails the same way again.
    #[error("invalid request: {0}")]
    InvalidInput(String),
    /// The wallet cannot pay this code (invalid code, unknown network, a payer's code, no route
    /// in the wallet profile): tell the user; nothing was sent.
    #[error("cannot pay this code: {0}")]
    CannotPay(String),
    /// No intent or refund with this id in this client's journal.
    #[error("{0}")]
    NotFound(String),
    /// The journal (the local SQLite file) failed: disk full, file damaged or unreadable. What
    /// was journalled before stays; retry later, and `recover()` settles open intents once
    /// storage works again.
    #[error("{0}")]
    Journal(String),
    /// The app's signer failed (key invalidated, locked out...): nothing was sent. A payment
    /// whose intent existed is journalled `Failed` with `failure_code` `SIGNER_FAILED`. From the
    /// constructor: the key store could not give the key id or public key. The device key may
    /// need re-creating and `registerDevice` again.
    #[error("{0}")]
    Signer(String),
    /// The user dismissed the signer's prompt: nothing was sent (`SIGNER_CANCELLED`). Let them
    /// start again.
    #[error("{0}")]
    SignerCancelled(String),
    /// The signer did not answer within `PaymentTimings.sign_timeout_ms`: nothing was sent
    /// (`SIGNER_TIMEOUT`). Let the user start again.
    #[error("{0}")]
    SignerTimedOut(String),
    /// The switch could not be reached, or its TLS did not match the pins: check connectivity
    /// and retry.
    #[error("{0}")]
    Network(String),
    /// The switch answered with a verified refusal to a call that moves no money (`quote`,
    /// `fundingSources`, `registerDevice`, the quote step of `pay`); the message carries the
    /// switch's code (`AMOUNT_REQUIRED`, `UNKNOWN_DEVICE`: call `registerDevice`...). Refusals of
    /// the payment itself are `Failed` intents instead.
    #[error("{0}")]
    Rejected(String),
    /// No trustworthy answer to a call that moves no money (unreachable, timed out, or an answer
    /// that did not verify); nothing was left open (an open intent is returned, not thrown).
    /// Safe to retry.
    #[error("{0}")]
    NoAnswer(String),
    /// A bug in the library (a caught panic); the message is for a bug report. An intent it
    /// interrupted stays in the journal: `recover()` settles it.
    #[error("internal error in hutong (please report): {0}")]
    Internal(String),
}

impl From<Panicked> for PaymentsError {
    fn from(p: Panicked) -> Self {
        PaymentsError::Internal(p.0)
    }
}

impl From<AmountError> for PaymentsError {
    fn from(e: AmountError) -> Self {
        PaymentsError::InvalidInput(e.to_string())
    }
}

impl From<PayerCodeError> for PaymentsError {
    fn from(e: PayerCodeError) -> Self {
        PaymentsError::InvalidInput(e.to_string())
    }
}

impl From<FlowError> for PaymentsError {
    fn from(e: FlowError) -> Self {
        let text = e.to_string();
        match e {
            FlowError::InvalidInput(_) | FlowError::PayerCode(_) | FlowError::Amount(_) => {
                PaymentsError::InvalidInput(text)
            }
            FlowError::Journal(
                JournalError::IntentNotFound(_) | JournalError::RefundNotFound(_),
            ) => PaymentsError::NotFound(text),
            FlowError::Journal(
                JournalError::RefundExceedsCaptured { .. }
                | JournalError::RefundLimit
                | JournalError::NotRefundable(_),
            ) => PaymentsError::InvalidInput(text),
            FlowError::Journal(_) => PaymentsError::Journal(text),
            FlowError::Transport(_) => PaymentsError::Network(text),
            FlowError::Rejected { .. } => PaymentsError::Rejected(text),
            FlowError::Signer(SignError::SignerCancelled(_)) => {
                PaymentsError::SignerCancelled(text)
            }
            FlowError::Signer(SignError::SignerTimedOut { .. }) => {
                PaymentsError::SignerTimedOut(text)
            }
            FlowError::Signer(_) => PaymentsError::Signer(text),
            FlowError::NoAnswer(_) => PaymentsError::NoAnswer(text),
            FlowError::Local(_) => PaymentsError::Internal(text),
            FlowError::Route(_) => PaymentsError::CannotPay(text),
            FlowError::CodeMismatch(_) => PaymentsError::InvalidInput(text),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The client

/// The payments client an app holds: one per wallet account, shared across screens.
///
/// Every method is `suspend` (Kotlin) / `async` (Swift) and runs on the library's tokio runtime.
/// Cancelling the coroutine or task stops waiting and drops the Rust work at its next await, but
/// it does not undo anything already sent: an intent may be left open (`Submitting`,
/// `UserPaying`...). To stop a payment call `cancel(intent_id)` (the listener's first
/// `StateChange.Intent` carries the id; `open_intents()` lists the rest), which reverses it to a
/// defined state; `recover()` at start-up settles whatever a killed process left.
///
/// The constructor and the journal readers `intent`, `openIntents` and `refunds` are synchronous
/// (local SQLite only, no network): call them off the main thread. Every call that talks to the
/// switch signs with the app's `Signer` and may throw `Signer`, `SignerCancelled` or
/// `SignerTimedOut` (nothing sent). Thread-safe; share one instance.
#[derive(uniffi::Object)]
pub struct Payments {
    inner: flow::Payments,
    wallet: Option<route::WalletProfile>,
    registry: Option<Arc<RegistryStore>>,
    log: Log,
}

fn parse_pins(pins: &[String]) -> Result<Vec<SpkiPin>, PaymentsError> {
    pins.iter()
        .map(|p| {
            SpkiPin::parse_hex(p).ok_or_else(|| {
                PaymentsError::InvalidConfig(format!("SPKI pin `{p}` is not 64 hex digits"))
            })
        })
        .collect()
}

fn parse_roots(roots: &[ServerRoot]) -> Result<Vec<PinnedRoot>, PaymentsError> {
    if roots.is_empty() {
        return Err(PaymentsError::InvalidConfig(
            "at least one server root key is needed to trust the switch's answers".into(),
        ));
    }
    roots
        .iter()
        .map(|r| {
            if r.public_key.len() != 65 || r.public_key[0] != 0x04 {
                return Err(PaymentsError::InvalidConfig(format!(
                    "server root `{}` must be a 65-byte uncompressed P-256 point, got {} bytes",
                    r.key_id,
                    r.public_key.len()
                )));
            }
            Ok(PinnedRoot {
                key_id: r.key_id.clone(),
                public_key: r.public_key.clone(),
            })
        })
        .collect()
}

/// The wallet's profile: `wallet_profile_json`, else `wallet_profile_id` in the registry (the
/// app's own, the bundle's, the built-in ones), else in the built-in profiles.
fn wallet_profile(
    config: &PaymentsConfig,
    registry: Option<&RegistryStore>,
) -> Result<Option<route::WalletProfile>, PaymentsError> {
    let id = config.wallet_profile_id.as_deref();
    if let Some(json) = &config.wallet_profile_json {
        let own = bundle::app_profile_from_json(json)
            .map_err(|e| PaymentsError::InvalidConfig(e.to_string()))?;
        return match id {
            Some(id) if id != own.id => Err(PaymentsError::InvalidConfig(format!(
                "wallet_profile_id `{id}` is not the id of wallet_profile_json (`{}`)",
                own.id
            ))),
            _ => Ok(Some(own)),
        };
    }
    let Some(id) = id else { return Ok(None) };
    let found = match registry {
        Some(r) => r.profile(id),
        None => route::profile(id),
    };
    found.map(Some).ok_or_else(|| {
        let known = registry.map_or_else(
            || {
                route::builtin_profiles()
                    .into_iter()
                    .map(|p| p.id)
                    .collect()
            },
            RegistryStore::profile_ids,
        );
        PaymentsError::InvalidConfig(format!(
            "no wallet profile `{id}` (known: {})",
            known.join(", ")
        ))
    })
}

impl Payments {
    /// Builds a client over another transport: Rust tests and an app's own HTTP stack.
    pub fn with_transport(
        config: PaymentsConfig,
        signer: Arc<dyn Signer>,
        listener: Option<Arc<dyn FlowListener>>,
        logger: Option<Arc<dyn Logger>>,
        transport: Option<Arc<dyn Transport>>,
    ) -> Result<Arc<Self>, PaymentsError> {
        let log = Log(logger);
        let signer = ForeignSigner::new(signer)?;
        let registry = config.registry.as_ref().map(|r| r.store());
        let wallet = wallet_profile(&config, registry.as_deref())?;
        let core = flow::PaymentsConfig {
            endpoint: config.endpoint.clone(),
            ca_pem: config.ca_pem.map(String::into_bytes),
            spki_pins: parse_pins(&config.spki_pins)?,
            journal_path: PathBuf::from(&config.journal_path),
            signer: Arc::new(signer),
            server_roots: parse_roots(&config.server_roots)?,
            listener: Some(Arc::new(Bridge {
                listener,
                log: log.clone(),
            })),
            timings: config.timings.unwrap_or_default().to_core(),
            transport,
            wallet: wallet.clone(),
            registry: registry.clone(),
        };
        let inner = flow::Payments::new(core).map_err(|e| match e {
            FlowError::Transport(t) => PaymentsError::InvalidConfig(t.to_string()),
            other => PaymentsError::from(other),
        })?;
        log.at(LogLevel::Info, || {
            format!("payments client for {} ready", config.endpoint)
        });
        Ok(Arc::new(Payments {
            inner,
            wallet,
            registry,
            log,
        }))
    }

    /// `<network>:<route>` for a merchant code: identified here, routed by the wallet profile.
    fn route_for(&self, code: &str) -> Result<String, PaymentsError> {
        let ctx = registry::Context {
            expect: registry::Expect::MerchantCode,
            ..Default::default()
        };
        let active = self
            .registry
            .as_ref()
            .map_or_else(ActiveRegistry::builtin, |r| r.active());
        let identified = identify::identify_with(active.registry(), code, &ctx);
        if !identified.valid {
            let why = identified
                .error
                .map(|e| e.to_string())
                .unwrap_or_else(|| "the code is not valid".into());
            return Err(PaymentsError::CannotPay(why));
        }
        let Some(network) = identified.network.clone() else {
            return Err(PaymentsError::CannotPay("the network is unknown".into()));
        };
        let name = match &self.wallet {
            None if identified.presentation == hutong_core::codes::Presentation::Cpm => {
                return Err(PaymentsError::CannotPay(
                    "this is a payer's pay code: collect it, do not pay it".into(),
                ))
            }
            None => "direct".to_owned(),
            Some(w) => match route::can_pay(w, &identified) {
                route::Route::Direct => "direct".to_owned(),
                route::Route::ViaInterconnect(name) => name,
                route::Route::Unsupported(why) => return Err(PaymentsError::CannotPay(why)),
            },
        };
        Ok(format!("{network}:{name}"))
    }

    async fn funding_source_or_first(&self, id: Option<String>) -> Result<String, PaymentsError> {
        if let Some(id) = id {
            return Ok(id);
        }
        let sources = self.inner.funding_sources().await?;
        sources.into_iter().next().map(|s| s.id).ok_or_else(|| {
            PaymentsError::CannotPay("the switch lists no funding source for this wallet".into())
        })
    }

    /// Logs how a call ended and passes the result on.
    fn finish<T>(&self, what: &str, out: Result<T, PaymentsError>) -> Result<T, PaymentsError> {
        if let Err(e) = &out {
            self.log
                .at(LogLevel::Warn, || format!("{what} failed: {e}"));
        }
        out
    }

    fn intent_done(&self, what: &str, rec: IntentRecord) -> Intent {
        let intent = Intent::from(rec);
        self.log.at(LogLevel::Info, || {
            format!("{what} {}: {:?}", intent.intent_id, intent.state)
        });
        intent
    }
}

#[uniffi::export(async_runtime = "tokio")]
impl Payments {
    /// Opens the journal and prepares the HTTPS client (builds without it: `InvalidConfig`, use
    /// `withHttpTransport`). Reads the signer's key id and public key
    /// once, so a broken key store fails here (`PaymentsError.Signer`). `listener` and `logger`
    /// may be `null`. Throws `InvalidConfig` for a configuration that cannot work. No network
    /// call; then call `recover()` once before new payments.
    #[uniffi::constructor]
    pub fn new(
        config: PaymentsConfig,
        signer: Arc<dyn Signer>,
        listener: Option<Arc<dyn FlowListener>>,
        logger: Option<Arc<dyn Logger>>,
    ) -> Result<Arc<Self>, PaymentsError> {
        guarded(AssertUnwindSafe(|| {
            Self::with_transport(config, signer, listener, logger, None)
        }))
    }

    /// Like the constructor, but requests travel over the app's own HTTP stack (`transport`:
    /// OkHttp, URLSession) instead of the library's, as in builds without it (feature `https`
    /// off, the platform profile; ADR 0011). Answers are still verified here against
    /// `server_roots`. Trust and pins are the stack's (Network Security Config,
    /// `CertificatePinner`, a URLSession delegate), so `ca_pem` and `spki_pins` must be empty
    /// (`InvalidConfig` otherwise), as must anything `endpoint` adds to `https://host[:port]`.
    #[uniffi::constructor]
    pub fn with_http_transport(
        config: PaymentsConfig,
        signer: Arc<dyn Signer>,
        transport: Arc<dyn HttpTransport>,
        listener: Option<Arc<dyn FlowListener>>,
        logger: Option<Arc<dyn Logger>>,
    ) -> Result<Arc<Self>, PaymentsError> {
        guarded(AssertUnwindSafe(|| {
            if config.ca_pem.is_some() || !config.spki_pins.is_empty() {
                return Err(PaymentsError::InvalidConfig(
                    "ca_pem and spki_pins configure the built-in transport: with the app's own, \
                     trust and pin in it (CertificatePinner, a URLSession delegate)"
                        .into(),
                ));
            }
            let transport = ForeignTransport::new(&config.endpoint, transport)
                .map_err(|e| PaymentsError::InvalidConfig(e.to_string()))?;
            Self::with_transport(config, signer, listener, logger, Some(Arc::new(transport)))
        }))
    }

    /// Registers this device's public key with the switch under `account_id` (idempotent: call
    /// it after sign-in or key creation; again is harmless). Throws `Rejected`
    /// (`DEVICE_KEY_CONFLICT`: this key id is registered with another key) or `NoAnswer` (retry).
    pub async fn register_device(&self, account_id: String) -> Result<(), PaymentsError> {
        let out = guarded_async(async { Ok(self.inner.register_device(&account_id).await?) }).await;
        self.finish("register_device", out)
    }

    /// What the user can pay with, from the switch. Throws `Rejected` or `NoAnswer` (retry).
    pub async fn funding_sources(&self) -> Result<Vec<FundingSource>, PaymentsError> {
        let out = guarded_async(async {
            Ok(self
                .inner
                .funding_sources()
                .await?
                .into_iter()
                .map(|s| FundingSource {
                    available: s.available.as_ref().map(Money::from),
                    id: s.id,
                    kind: s.kind,
                    label: s.label,
                })
                .collect())
        })
        .await;
        self.finish("funding_sources", out)
    }

    /// The pay screen for a merchant code (nothing is charged). `amount` is needed for a static
    /// code and, for a dynamic code, must be `null` or the code's own amount (`InvalidInput`
    /// otherwise); `route` as in `PayOptions`. Show `payable` and the merchant, then pass the
    /// quote to `payQuote`. Throws `CannotPay`, `InvalidInput`, `Rejected` or `NoAnswer`.
    pub async fn quote(
        &self,
        code: String,
        amount: Option<Money>,
        route: Option<String>,
    ) -> Result<Quote, PaymentsError> {
        let out = guarded_async(async {
            let route = match route {
                Some(r) => r,
                None => self.route_for(&code)?,
            };
            let amount = amount.map(|a| a.to_core()).transpose()?;
            Ok(self.inner.quote(&code, amount, &route).await?.into())
        })
        .await;
        self.finish("quote", out)
    }

    /// Pays a merchant-presented code: quotes it, journals the intent, submits, polls and settles.
    /// Returns the intent in its final state, or open (`Unknown`...) with `needs_reconciliation`.
    /// A refusal such as insufficient funds is an intent in `Failed` with `failure_code`.
    /// `amount` is the code's amount for a dynamic code, the user's for a static one. Errors
    /// (`CannotPay`, `InvalidInput`, `Rejected`, `NoAnswer`, `Signer*`) mean nothing was
    /// charged. Takes seconds to minutes (polling up to the deadline): keep the UI responsive
    /// and follow it through the `FlowListener`.
    pub async fn pay(
        &self,
        code: String,
        amount: Money,
        options: PayOptions,
    ) -> Result<Intent, PaymentsError> {
        let out = guarded_async(async {
            let route = match &options.route {
                Some(r) => r.clone(),
                None => self.route_for(&code)?,
            };
            let quote = self
                .inner
                .quote(&code, Some(amount.to_core()?), &route)
                .await?;
            let source = self
                .funding_source_or_first(options.funding_source_id.clone())
                .await?;
            let rec = self
                .inner
                .pay_quoted(&code, &quote, &source, options.to_core())
                .await?;
            Ok(self.intent_done("pay", rec))
        })
        .await;
        self.finish("pay", out)
    }

    /// Pays exactly the quote the user confirmed (its payable amount, its route) for the same
    /// `code`; otherwise as `pay`. Fetch a new quote once its `expires_at` has passed.
    pub async fn pay_quote(
        &self,
        code: String,
        quote: Quote,
        options: PayOptions,
    ) -> Result<Intent, PaymentsError> {
        let out = guarded_async(async {
            let source = self
                .funding_source_or_first(options.funding_source_id.clone())
                .await?;
            let rec = self
                .inner
                .pay_quoted(&code, &quote.to_core(), &source, options.to_core())
                .await?;
            Ok(self.intent_done("pay", rec))
        })
        .await;
        self.finish("pay_quote", out)
    }

    /// Merchant mode: collects `amount` with the payer's code (10-32 digits). The code is sent
    /// once and kept only masked. Returns the intent as `pay` does (a refused code is a `Failed`
    /// intent with `AUTH_CODE_INVALID` / `AUTH_CODE_EXPIRED`); a code of no known network is
    /// `InvalidInput`.
    pub async fn collect(
        &self,
        payer_code: String,
        amount: Money,
        options: PayOptions,
    ) -> Result<Intent, PaymentsError> {
        let out = guarded_async(async {
            let code = PayerCode::parse(&payer_code)?;
            let rec = self
                .inner
                .collect(&code, amount.to_core()?, options.to_core())
                .await?;
            Ok(self.intent_done("collect", rec))
        })
        .await;
        self.finish("collect", out)
    }

    /// Refunds `amount` of a succeeded payment, or everything not yet refunded when `None`.
    /// Returns the refund, possibly still `Requested` / `Processing` (`recover()` settles it); a
    /// refusal by the switch is a `Closed` refund with `failure_code`. Throws `NotFound` for an
    /// unknown intent and `InvalidInput` for a wrong currency, a non-positive amount, or nothing
    /// left to refund.
    pub async fn refund(
        &self,
        intent_id: String,
        amount: Option<Money>,
    ) -> Result<Refund, PaymentsError> {
        let out = guarded_async(async {
            let amount = amount.map(|a| a.to_core()).transpose()?;
            let rec = self
                .inner
                .refund(&intent_id, amount, flow::PayOptions::default())
                .await?;
            let refund = Refund::from(rec);
            self.log.at(LogLevel::Info, || {
                format!(
                    "refund {} of {intent_id}: {:?}",
                    refund.refund_id, refund.state
                )
            });
            Ok(refund)
        })
        .await;
        self.finish("refund", out)
    }

    /// The intent's state, refreshed from the switch (verified) while it is open, and for a
    /// succeeded one (refunds). When the switch cannot be reached the journal's record is
    /// returned as it is. Throws `NotFound` for an unknown id.
    pub async fn status(&self, intent_id: String) -> Result<Intent, PaymentsError> {
        let out = guarded_async(async { Ok(self.inner.status(&intent_id).await?.into()) }).await;
        self.finish("status", out)
    }

    /// Stops a payment: an open intent is reversed (closed, or refunded if it was paid meanwhile)
    /// and journalled; a final one is returned as it is. Idempotent. Call it when the user
    /// abandons a payment; the returned intent may still be open with `needs_reconciliation`
    /// when the switch could not be reached. Throws `NotFound` for an unknown id.
    pub async fn cancel(&self, intent_id: String) -> Result<Intent, PaymentsError> {
        let out = guarded_async(async {
            let rec = self.inner.cancel(&intent_id).await?;
            Ok(self.intent_done("cancel", rec))
        })
        .await;
        self.finish("cancel", out)
    }

    /// Start-up recovery: settles every unfinished intent and refund by query (and reverse past
    /// the deadline). Never charges again. Call it at every launch before new payments; show
    /// `NeedsReconciliation` outcomes to the user as pending.
    pub async fn recover(&self) -> Result<Vec<RecoverOutcome>, PaymentsError> {
        let out = guarded_async(async {
            let outcomes: Vec<RecoverOutcome> = self
                .inner
                .recover()
                .await?
                .into_iter()
                .map(RecoverOutcome::from)
                .collect();
            self.log.at(LogLevel::Info, || {
                format!("recover settled {} item(s)", outcomes.len())
            });
            Ok(outcomes)
        })
        .await;
        self.finish("recover", out)
    }

    /// The journal's record of one intent (no network). Throws `NotFound` for an unknown id.
    pub fn intent(&self, intent_id: String) -> Result<Intent, PaymentsError> {
        guarded(AssertUnwindSafe(|| {
            Ok(self
                .inner
                .journal()
                .intent(&intent_id)
                .map_err(FlowError::from)?
                .into())
        }))
    }

    /// Intents not yet in a final state (no network): what `cancel` or `recover` would settle.
    pub fn open_intents(&self) -> Result<Vec<Intent>, PaymentsError> {
        guarded(AssertUnwindSafe(|| {
            Ok(self
                .inner
                .journal()
                .unfinished_intents()
                .map_err(FlowError::from)?
                .into_iter()
                .map(Intent::from)
                .collect())
        }))
    }

    /// The refunds of one intent (no network).
    pub fn refunds(&self, intent_id: String) -> Result<Vec<Refund>, PaymentsError> {
        guarded(AssertUnwindSafe(|| {
            Ok(self
                .inner
                .journal()
                .refunds_for(&intent_id)
                .map_err(FlowError::from)?
                .into_iter()
                .map(Refund::from)
                .collect())
        }))
    }
}
