//! The `Payments` client: pay, collect, refund, status, cancel and recover, each driving one
//! intent's state machine with every transition journalled before the request that depends on it.

use super::api::{Api, CallFailure, Verified};
use super::payer_code::PayerCode;
use super::wire::{self, FundingSource, Payment, Quote};
use super::{signer_failure_code, FlowError};
use crate::bundle::{ActiveRegistry, RegistryStore};
use crate::codes::StaticOrDynamic;
use crate::identify;
use crate::journal::{IntentFacts, IntentRecord, Journal, JournalError, RefundRecord};
use crate::money::{Currency, Money, WireMoney};
use crate::registry::{self, PaymentCode};
use crate::route::{self, WalletProfile};
use crate::sign::{AsyncSigner, PinnedRoot, ResponseVerifier, SignError, SystemClock};
use crate::states::{Direction, IntentState, RefundState};
use crate::transport::{jitter, Method, RetryPolicy, SpkiPin, Transport};
use ring::rand::{SecureRandom, SystemRandom};

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A state change, as the app's UI receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateChange {
    Intent {
        intent_id: String,
        from: Option<IntentState>,
        to: IntentState,
    },
    Refund {
        refund_id: String,
        intent_id: String,
        from: Option<RefundState>,
        to: RefundState,
    },
}

/// Receives every state change after it is durable in the journal.
pub trait FlowListener: Send + Sync {
    fn on_change(&self, change: &StateChange);
}

/// How long to wait for what. Production defaults follow PAYMENT-FLOWS.md rule 6; tests use ms.
#[derive(Debug, Clone)]
pub struct FlowTimings {
    pub first_poll: Duration,
    pub poll_interval: Duration,
    pub poll_jitter: Duration,
    /// Deadline per network (`wechat_pay` 45 s, `alipay` 60 s); others get `default_deadline`.
    pub deadlines: HashMap<String, Duration>,
    pub default_deadline: Duration,
    pub retry: RetryPolicy,
    /// How many reverse rounds (query + reverse) before the intent is left for reconciliation.
    pub reverse_rounds: u32,
    pub refund_poll_interval: Duration,
    pub refund_polls: u32,
    /// The longest wait for one signature: a biometric prompt the user leaves open ends as
    /// `SignError::SignerTimedOut` after it.
    pub sign_timeout: Duration,
}

impl Default for FlowTimings {
    fn default() -> Self {
        FlowTimings {
            first_poll: Duration::from_secs(3),
            poll_interval: Duration::from_secs(5),
            poll_jitter: Duration::from_secs(1),
            deadlines: HashMap::from([
                ("wechat_pay".to_string(), Duration::from_secs(45)),
                ("alipay".to_string(), Duration::from_secs(60)),
            ]),
            default_deadline: Duration::from_secs(45),
            retry: RetryPolicy::default(),
            reverse_rounds: 5,
            refund_poll_interval: Duration::from_secs(2),
            refund_polls: 5,
            sign_timeout: Duration::from_secs(60),
        }
    }
}

impl FlowTimings {
    /// Millisecond-scale timings for tests and the in-process demo.
    pub fn fast() -> Self {
        FlowTimings {
            first_poll: Duration::from_millis(30),
            poll_interval: Duration::from_millis(40),
            poll_jitter: Duration::from_millis(10),
            deadlines: HashMap::new(),
            default_deadline: Duration::from_millis(1500),
            retry: RetryPolicy {
                max_attempts: 3,
                base: Duration::from_millis(10),
                cap: Duration::from_millis(50),
                max_retry_after: Duration::from_secs(2),
            },
            reverse_rounds: 4,
            refund_poll_interval: Duration::from_millis(30),
            refund_polls: 5,
            sign_timeout: Duration::from_secs(5),
        }
    }

    fn deadline_for(&self, network: &str) -> Duration {
        self.deadlines
            .get(network)
            .copied()
            .unwrap_or(self.default_deadline)
    }
}

/// What a merchant code fixes about any payment of it (invariants 1 and 2, docs/protocol.md
/// §10): its network, its currency when it names one, and a dynamic code's amount. The client
/// checks every quote and request against these before sending; the switch checks them again.
struct CodeTerms {
    /// The registry snapshot that identified the code: its profiles name the known routes.
    active: Arc<ActiveRegistry>,
    code: PaymentCode,
    network: String,
    currency: Option<Currency>,
    /// A dynamic code's amount: the merchant's till set it, so it is paid exactly.
    fixed: Option<Money>,
}

impl CodeTerms {
    fn of(merchant_code: &str, active: Arc<ActiveRegistry>) -> Result<CodeTerms, FlowError> {
        let ctx = registry::Context {
            expect: registry::Expect::MerchantCode,
            ..Default::default()
        };
        let code = identify::identify_with(active.registry(), merchant_code, &ctx);
        let network = route::payable_network(&code)?.to_string();
        let fixed = match (code.static_or_dynamic, code.amount) {
            (StaticOrDynamic::Dynamic, Some(fixed)) => Some(fixed),
            _ => None,
        };
        Ok(CodeTerms {
            active,
            currency: code.amount.map(|m| m.currency),
            network,
            fixed,
            code,
        })
    }

    /// The amount to ask for: a dynamic code's own, else the caller's (static codes leave the
    /// amount to the payer), always in the code's currency.
    fn amount(&self, asked: Option<Money>) -> Result<Option<Money>, FlowError> {
        let amount = match (self.fixed, asked) {
            (Some(fixed), None) => Some(fixed),
            (Some(fixed), Some(a)) if a != fixed => {
                return Err(FlowError::CodeMismatch(format!(
                    "this dynamic code fixes the amount at {fixed}; {a} was asked"
                )))
            }
            (_, asked) => asked,
        };
        if let (Some(a), Some(c)) = (amount, self.currency) {
            if a.currency != c {
                return Err(FlowError::CodeMismatch(format!(
                    "this code is payable in {c}, not {}",
                    a.currency
                )));
            }
        }
        Ok(amount)
    }

    /// `route` may carry a payment of this code (`route::check_route`, with the profiles of the
    /// registry that identified it).
    fn check_route(&self, route: &str, wallet: Option<&WalletProfile>) -> Result<(), FlowError> {
        Ok(route::check_route_among(
            &self.code,
            route,
            wallet,
            self.active.profiles(),
        )?)
    }

    /// A quote may be paid only if it is for this code's network, by a route that reaches it,
    /// in its currency and (dynamic code) for its amount: whether the switch or the app built it.
    fn check_quote(&self, quote: &Quote, wallet: Option<&WalletProfile>) -> Result<(), FlowError> {
        if quote.network != self.network {
            return Err(FlowError::CodeMismatch(format!(
                "the quote is for {}, but the code is a {} code",
                quote.network, self.network
            )));
        }
        self.check_route(&quote.route_requested, wallet)?;
        // The switch may pick the route it uses among those that reach the network (known to the
        // registry's profiles or the wallet's own).
        let mut known = self.active.profiles().to_vec();
        known.extend(wallet.cloned());
        route::check_route_among(&self.code, &quote.route_used, None, &known)?;
        let original = Money::try_from(&quote.original)?;
        let discount = Money::try_from(&quote.discount)?;
        let payable = Money::try_from(&quote.payable)?;
        self.amount(Some(original))?;
        let consistent = discount.currency == original.currency
            && payable.currency == original.currency
            && (0..=original.minor).contains(&discount.minor)
            && original.minor.checked_sub(discount.minor) == Some(payable.minor);
        if !consistent {
            return Err(FlowError::CodeMismatch(format!(
                "the quote does not add up: {original} - {discount} != {payable}"
            )));
        }
        Ok(())
    }
}

/// Everything a `Payments` client needs.
pub struct PaymentsConfig {
    /// `https://host:port` of the switch.
    pub endpoint: String,
    /// PEM roots to trust instead of the platform's (the sandbox's self-signed certificate).
    pub ca_pem: Option<Vec<u8>>,
    pub spki_pins: Vec<SpkiPin>,
    pub journal_path: PathBuf,
    /// The device key (any `sign::Signer` is one; an app's may prompt the user).
    pub signer: Arc<dyn AsyncSigner>,
    /// Root key(s) that sign the switch's response-key set.
    pub server_roots: Vec<PinnedRoot>,
    pub listener: Option<Arc<dyn FlowListener>>,
    pub timings: FlowTimings,
    /// Another transport (tests, an app's own HTTP stack); `None` = HTTP/1.1 over rustls(ring)
    /// (`HttpsTransport`, feature `https`; without it `None` is a configuration error).
    pub transport: Option<Arc<dyn Transport>>,
    /// The wallet's acceptance profile: the routes it may pay each code by. `None` allows the
    /// routes the registry knows for the code's network.
    pub wallet: Option<WalletProfile>,
    /// The app's registry (signed bundles, `bundle`): codes are identified and routes
    /// checked with its active table and profiles at each call. `None` = the built-in table.
    pub registry: Option<Arc<RegistryStore>>,
}

/// Extras for a payment: a description and, against the sandbox only, a forced scenario.
#[derive(Debug, Clone, Default)]
pub struct PayOptions {
    pub description: String,
    /// Sent as `X-Sandbox-Scenario` (protocol §8); ignored by a real switch.
    pub scenario: Option<String>,
}

/// What `recover()` did with one unfinished intent or refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecoverOutcome {
    Settled {
        intent_id: String,
        state: IntentState,
    },
    RefundSettled {
        refund_id: String,
        state: RefundState,
    },
    /// Still unresolved: the app must show it and reconciliation must settle it.
    NeedsReconciliation { id: String, state: String },
}

/// Which network issued a payer code, and the route a collection of it takes (`<network>:direct`:
/// the merchant's acquirer reaches the payer's network itself). Read from the registry's pay-code
/// rows (prefix and length, PAYMENT-FLOWS.md rule 21), the same table that identifies scanned
/// codes and that the console's payer-code simulator draws from.
pub fn payer_code_network(code: &PayerCode) -> Option<(&'static str, String)> {
    let digits = code.expose();
    registry::Registry::builtin()
        .pay_code_rows()
        .iter()
        .find(|n| {
            n.lengths.contains(&digits.len()) && n.prefixes.iter().any(|p| digits.starts_with(p))
        })
        .map(|n| (n.network.as_str(), format!("{}:direct", n.network)))
}

pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A UUIDv4 from the system RNG (intent and refund ids).
pub fn new_uuid_v4() -> Result<String, FlowError> {
    let mut b = [0u8; 16];
    SystemRandom::new()
        .fill(&mut b)
        .map_err(|_| FlowError::Local("system random generator failed".into()))?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ))
}

/// `out_trade_no` for an intent: `HT` + 30 hex digits of its id (32 chars, `[0-9A-Za-z_-]`).
pub fn out_trade_no_for(intent_id: &str) -> String {
    let hex: String = intent_id
        .chars()
        .filter(|c| c.is_ascii_hexdigit())
        .take(30)
        .collect();
    format!("HT{hex}")
}

fn wire_money(w: &Option<WireMoney>) -> Option<i64> {
    w.as_ref().map(|m| m.minor)
}

fn facts_from(p: &Payment, detail: &str) -> IntentFacts {
    IntentFacts {
        original_minor: wire_money(&p.original),
        discount_minor: wire_money(&p.discount),
        payable_minor: wire_money(&p.payable),
        paid_minor: wire_money(&p.paid),
        refunded_minor: wire_money(&p.refunded),
        route_used: p.route_used.clone(),
        switch_txn_id: p.switch_txn_id.clone(),
        reverse_result: p.reverse_result.clone(),
        fees_json: (!p.fees.is_empty())
            .then(|| serde_json::to_string(&p.fees).ok())
            .flatten(),
        receipt_json: p
            .receipt
            .as_ref()
            .and_then(|r| serde_json::to_string(r).ok()),
        failure_code: p.failure.as_ref().map(|f| f.code.clone()),
        needs_reconciliation: None,
        detail: Some(detail.to_string()),
    }
}

fn detail(text: impl Into<String>) -> IntentFacts {
    IntentFacts {
        detail: Some(text.into()),
        ..Default::default()
    }
}

/// HTTP/1.1 over rustls (ring) to `config.endpoint`, with its roots and pins.
#[cfg(feature = "https")]
fn builtin_transport(config: &PaymentsConfig) -> Result<Arc<dyn Transport>, FlowError> {
    let mut tls = crate::transport::TlsOptions::new(config.endpoint.clone());
    tls.ca_pem = config.ca_pem.clone();
    tls.spki_pins = config.spki_pins.clone();
    Ok(Arc::new(crate::transport::HttpsTransport::new(&tls)?))
}

/// This build carries no HTTPS client of its own (ADR 0011): the app must give one.
#[cfg(not(feature = "https"))]
fn builtin_transport(_: &PaymentsConfig) -> Result<Arc<dyn Transport>, FlowError> {
    Err(FlowError::Transport(
        crate::transport::TransportError::Config(
            "this build has no built-in HTTPS transport (feature `https`): give the client one"
                .into(),
        ),
    ))
}

/// The client an app holds: one per wallet, shared across screens.
pub struct Payments {
    api: Api,
    journal: Arc<Journal>,
    listener: Option<Arc<dyn FlowListener>>,
    timings: FlowTimings,
    wallet: Option<WalletProfile>,
    registry: Option<Arc<RegistryStore>>,
}

impl Payments {
    pub fn new(config: PaymentsConfig) -> Result<Payments, FlowError> {
        let transport = match config.transport.clone() {
            Some(t) => t,
            None => builtin_transport(&config)?,
        };
        let journal = Arc::new(Journal::open(&config.journal_path)?);
        let verifier = ResponseVerifier::new(config.server_roots, Arc::new(SystemClock));
        verifier.raise_floor(journal.key_set_floor()?);
        Ok(Payments {
            api: Api {
                transport,
                journal: journal.clone(),
                signer: config.signer,
                verifier,
                retry: config.timings.retry.clone(),
                sign_timeout: config.timings.sign_timeout,
            },
            journal,
            listener: config.listener,
            timings: config.timings,
            wallet: config.wallet,
            registry: config.registry,
        })
    }

    /// The registry snapshot for one call.
    fn active_registry(&self) -> Arc<ActiveRegistry> {
        self.registry
            .as_ref()
            .map_or_else(ActiveRegistry::builtin, |r| r.active())
    }

    /// The journal, read-only use (QA tools, reconciliation screens).
    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    fn notify(&self, change: StateChange) {
        if let Some(l) = &self.listener {
            l.on_change(&change);
        }
    }

    /// Journals `rec.state -> to` with `facts`, then tells the listener.
    fn move_to(
        &self,
        rec: &IntentRecord,
        to: IntentState,
        facts: IntentFacts,
    ) -> Result<IntentRecord, FlowError> {
        let updated = self
            .journal
            .transition(&rec.intent_id, rec.state, to, &facts, now_ms())?;
        self.notify(StateChange::Intent {
            intent_id: rec.intent_id.clone(),
            from: Some(rec.state),
            to,
        });
        Ok(updated)
    }

    /// Registers this device's public key with the switch (sandbox: any account id).
    pub async fn register_device(&self, account_id: &str) -> Result<(), FlowError> {
        use base64::Engine as _;
        let key_id = self.api.signer.signer_key_id();
        let public_key =
            base64::engine::general_purpose::STANDARD.encode(self.api.signer.signer_public_key());
        let body = serde_json::to_vec(&wire::DeviceRequest {
            key_id: &key_id,
            public_key: &public_key,
            account_id,
        })
        .map_err(|e| FlowError::Local(e.to_string()))?;
        let v = self
            .api
            .call(Method::Post, "/v1/devices", &body, Some(&key_id), &[])
            .await?;
        expect_success(&v).map(|_| ())
    }

    /// The funding sources the user may pay with (wallet balance, bound cards).
    pub async fn funding_sources(&self) -> Result<Vec<FundingSource>, FlowError> {
        let v = self
            .api
            .call(Method::Get, "/v1/funding_sources", &[], None, &[])
            .await?;
        expect_success(&v)?;
        Ok(v.json::<wire::FundingSources>()?.funding_sources)
    }

    /// The pay screen: merchant, route and promotion for a merchant code (not mutating). The
    /// network is the code's; `route` must be one that reaches it (see `route::check_route`).
    pub async fn quote(
        &self,
        merchant_code: &str,
        amount: Option<Money>,
        route: &str,
    ) -> Result<Quote, FlowError> {
        let terms = CodeTerms::of(merchant_code, self.active_registry())?;
        terms.check_route(route, self.wallet.as_ref())?;
        let amount = terms.amount(amount)?;
        let body = serde_json::to_vec(&wire::QuoteRequest {
            merchant_code,
            network: &terms.network,
            amount: amount.map(WireMoney::from),
            route_requested: route,
        })
        .map_err(|e| FlowError::Local(e.to_string()))?;
        let v = self
            .api
            .call(Method::Post, "/v1/quotes", &body, None, &[])
            .await?;
        expect_success(&v)?;
        let quote = v.json::<Quote>()?;
        if quote.route_requested != route {
            return Err(FlowError::CodeMismatch(format!(
                "the switch quoted route {} for the {route} asked",
                quote.route_requested
            )));
        }
        if let Some(a) = amount {
            if Money::try_from(&quote.original)? != a {
                return Err(FlowError::CodeMismatch(format!(
                    "the switch quoted {} for the {a} asked",
                    Money::try_from(&quote.original)?
                )));
            }
        }
        terms.check_quote(&quote, self.wallet.as_ref())?;
        Ok(quote)
    }

    /// Wallet pays a merchant-presented code: quote, journal the intent, submit, poll, settle.
    pub async fn pay(
        &self,
        merchant_code: &str,
        amount: Option<Money>,
        funding_source_id: &str,
        route: &str,
    ) -> Result<IntentRecord, FlowError> {
        let quote = self.quote(merchant_code, amount, route).await?;
        self.pay_quoted(
            merchant_code,
            &quote,
            funding_source_id,
            PayOptions::default(),
        )
        .await
    }

    /// Pays what `quote` showed the user (its payable amount is what they confirmed).
    pub async fn pay_quoted(
        &self,
        merchant_code: &str,
        quote: &Quote,
        funding_source_id: &str,
        options: PayOptions,
    ) -> Result<IntentRecord, FlowError> {
        CodeTerms::of(merchant_code, self.active_registry())?
            .check_quote(quote, self.wallet.as_ref())?;
        let original = Money::try_from(&quote.original)?;
        let payable = Money::try_from(&quote.payable)?;
        if original.minor <= 0 {
            return Err(FlowError::InvalidInput("amount must be positive".into()));
        }
        let intent_id = new_uuid_v4()?;
        let now = now_ms();
        let deadline = self.timings.deadline_for(&quote.network);
        let rec = IntentRecord {
            out_trade_no: out_trade_no_for(&intent_id),
            idempotency_key: intent_id.clone(),
            intent_id,
            direction: Direction::Pay,
            amount: original,
            original_minor: Some(original.minor),
            discount_minor: Some(quote.discount.minor),
            payable_minor: Some(payable.minor),
            paid_minor: None,
            refunded_minor: 0,
            funding_source_id: Some(funding_source_id.to_string()),
            network: Some(quote.network.clone()),
            route_requested: Some(quote.route_requested.clone()),
            route_used: Some(quote.route_used.clone()),
            merchant_code: Some(merchant_code.to_string()),
            payer_code_masked: None,
            state: IntentState::Created,
            created_at_ms: now,
            updated_at_ms: now,
            deadline_at_ms: now.saturating_add(deadline.as_millis() as i64),
            switch_txn_id: None,
            reverse_result: None,
            fees_json: None,
            receipt_json: None,
            failure_code: None,
            needs_reconciliation: false,
        };
        let body = serde_json::to_vec(&wire::PaymentRequest {
            intent_id: &rec.intent_id,
            out_trade_no: &rec.out_trade_no,
            merchant_code,
            network: &quote.network,
            amount: original.into(),
            confirmed_payable: payable.into(),
            funding_source_id,
            route_requested: &quote.route_requested,
            description: &options.description,
        })
        .map_err(|e| FlowError::Local(e.to_string()))?;
        self.start(rec, "/v1/payments", body, &options).await
    }

    /// Merchant mode: collect `amount` with the payer's code. The code is sent once and kept only
    /// masked.
    pub async fn collect(
        &self,
        payer_code: &PayerCode,
        amount: Money,
        options: PayOptions,
    ) -> Result<IntentRecord, FlowError> {
        if amount.minor <= 0 {
            return Err(FlowError::InvalidInput("amount must be positive".into()));
        }
        let (network, route) = payer_code_network(payer_code).ok_or_else(|| {
            FlowError::InvalidInput(format!("payer code {payer_code} matches no known network"))
        })?;
        let intent_id = new_uuid_v4()?;
        let now = now_ms();
        let rec = IntentRecord {
            out_trade_no: out_trade_no_for(&intent_id),
            idempotency_key: intent_id.clone(),
            intent_id,
            direction: Direction::Collect,
            amount,
            original_minor: Some(amount.minor),
            discount_minor: None,
            payable_minor: None,
            paid_minor: None,
            refunded_minor: 0,
            funding_source_id: None,
            network: Some(network.to_string()),
            route_requested: Some(route.to_string()),
            route_used: None,
            merchant_code: None,
            payer_code_masked: Some(payer_code.masked()),
            state: IntentState::Created,
            created_at_ms: now,
            updated_at_ms: now,
            deadline_at_ms: now
                .saturating_add(self.timings.deadline_for(network).as_millis() as i64),
            switch_txn_id: None,
            reverse_result: None,
            fees_json: None,
            receipt_json: None,
            failure_code: None,
            needs_reconciliation: false,
        };
        let body = serde_json::to_vec(&wire::CollectionRequest {
            intent_id: &rec.intent_id,
            out_trade_no: &rec.out_trade_no,
            auth_code: payer_code.expose(),
            amount: amount.into(),
            network,
            route_requested: &route,
            description: &options.description,
        })
        .map_err(|e| FlowError::Local(e.to_string()))?;
        self.start(rec, "/v1/collections", body, &options).await
    }

    /// Persist `Created`, persist `Submitting`, send, then settle whatever came back.
    async fn start(
        &self,
        rec: IntentRecord,
        path: &str,
        body: Vec<u8>,
        options: &PayOptions,
    ) -> Result<IntentRecord, FlowError> {
        self.journal.insert_intent(&rec)?;
        self.notify(StateChange::Intent {
            intent_id: rec.intent_id.clone(),
            from: None,
            to: IntentState::Created,
        });
        crash_point("after_created");
        let rec = match self.move_to(&rec, IntentState::Submitting, IntentFacts::default()) {
            // Another task (cancel, or a recover in another process) closed it before a byte
            // left: nothing was sent and nothing will be; its record is the answer.
            Err(e) if is_takeover(&e) => return Ok(self.journal.intent(&rec.intent_id)?),
            other => other?,
        };
        crash_point("after_submitting");
        let headers: Vec<(String, String)> = options
            .scenario
            .iter()
            .map(|s| ("X-Sandbox-Scenario".to_string(), s.clone()))
            .collect();
        let answer = self
            .api
            .call(
                Method::Post,
                path,
                &body,
                Some(&rec.idempotency_key),
                &headers,
            )
            .await;
        crash_point("after_send");
        let rec = match answer {
            Ok(v) if v.is_success() => match v.json::<Payment>() {
                Ok(p) => {
                    let why = if v.replayed {
                        "create answered (replayed)"
                    } else {
                        "create answered"
                    };
                    self.apply_payment(rec, &p, why)?
                }
                Err(e) => self.reach(rec, IntentState::Unknown, detail(e.to_string()))?,
            },
            Ok(v) if v.is_final_refusal() => {
                let e = v.error();
                let facts = IntentFacts {
                    failure_code: Some(e.code.clone()),
                    detail: Some(format!("HTTP {} {}", v.status, e.code)),
                    ..Default::default()
                };
                self.reach(rec, IntentState::Failed, facts)?
            }
            Ok(v) => self.reach(
                rec,
                IntentState::Unknown,
                detail(format!("HTTP {} {}", v.status, v.error().code)),
            )?,
            // Not one attempt left the device: nothing can have been charged.
            Err(CallFailure::NotSent(s)) => {
                let facts = IntentFacts {
                    failure_code: Some("NOT_SENT".into()),
                    detail: Some(s),
                    ..Default::default()
                };
                self.reach(rec, IntentState::Failed, facts)?
            }
            Err(CallFailure::Ambiguous(s)) => self.reach(rec, IntentState::Unknown, detail(s))?,
            // The key did not sign: nothing left the device, the app gets the typed reason.
            Err(CallFailure::NotSigned(e)) => {
                let facts = IntentFacts {
                    failure_code: Some(signer_failure_code(&e).into()),
                    detail: Some(e.to_string()),
                    ..Default::default()
                };
                self.reach(rec, IntentState::Failed, facts)?;
                return Err(FlowError::Signer(e));
            }
        };
        self.settle(rec).await
    }

    /// A settling request (query, reverse) the device key did not sign: stop asking, since a
    /// prompt the user dismissed must not come back every poll, and leave the intent open as it
    /// is for `status()` / `cancel()` / `recover()` (it may have been charged).
    fn left_unsigned(
        &self,
        rec: IntentRecord,
        e: &SignError,
        needs_reconciliation: bool,
    ) -> Result<IntentRecord, FlowError> {
        let facts = IntentFacts {
            needs_reconciliation: needs_reconciliation.then_some(true),
            detail: Some(format!("left open: {e}")),
            ..Default::default()
        };
        Ok(self.journal.annotate(&rec.intent_id, &facts, now_ms())?)
    }

    /// Drives an open intent to a terminal state: poll until the deadline, then reverse. When
    /// another task or process moves the intent meanwhile, carries on from where it left it, so
    /// the answer is always the journal's (invariant 4), never "another task moved it first".
    async fn settle(&self, rec: IntentRecord) -> Result<IntentRecord, FlowError> {
        let mut rec = rec;
        for _ in 0..TAKEOVERS {
            let polling = matches!(
                rec.state,
                IntentState::UserPaying | IntentState::Unknown | IntentState::Polling
            );
            let out = match rec.state {
                _ if polling => self.poll(rec.clone()).await,
                IntentState::TimedOut | IntentState::Reversing => {
                    self.reverse(rec.clone(), "deadline").await
                }
                _ => return Ok(rec),
            };
            match out {
                Err(e) if is_takeover(&e) => rec = self.journal.intent(&rec.intent_id)?,
                // Another task moved it from polling on to reversing: follow it there.
                Ok(r)
                    if polling
                        && matches!(r.state, IntentState::TimedOut | IntentState::Reversing) =>
                {
                    rec = r
                }
                other => return other,
            }
        }
        Ok(self.journal.intent(&rec.intent_id)?)
    }

    /// Records what a verified `Payment` says.
    fn apply_payment(
        &self,
        rec: IntentRecord,
        p: &Payment,
        why: &str,
    ) -> Result<IntentRecord, FlowError> {
        use IntentState::*;
        let target = match p.state.as_str() {
            "succeeded" => Succeeded,
            "failed" => Failed,
            "user_paying" => UserPaying,
            "timed_out" => TimedOut,
            "reversed" => Reversed,
            other => {
                return Ok(self.journal.annotate(
                    &rec.intent_id,
                    &detail(format!("unknown switch state `{other}`")),
                    now_ms(),
                )?)
            }
        };
        self.reach(rec, target, facts_from(p, why))
    }

    /// Moves `rec` towards `target`, taking the intermediate edges the machine needs. When
    /// another task or process moved the intent first, re-reads it and applies the same verified
    /// fact from there: both moves come from the switch's signed answers, so neither is lost.
    fn reach(
        &self,
        rec: IntentRecord,
        target: IntentState,
        facts: IntentFacts,
    ) -> Result<IntentRecord, FlowError> {
        let mut rec = rec;
        for _ in 0..TAKEOVERS {
            match self.reach_once(rec.clone(), target, &facts) {
                Err(e) if is_takeover(&e) => rec = self.journal.intent(&rec.intent_id)?,
                other => return other,
            }
        }
        Ok(self.journal.intent(&rec.intent_id)?)
    }

    fn reach_once(
        &self,
        rec: IntentRecord,
        target: IntentState,
        facts: &IntentFacts,
    ) -> Result<IntentRecord, FlowError> {
        use IntentState::*;
        if target == rec.state {
            return Ok(self.journal.annotate(&rec.intent_id, facts, now_ms())?);
        }
        if target == UserPaying || target == Unknown {
            // Waiting states only ever follow `Submitting`; later, they say nothing new.
            return match rec.state {
                Submitting => self.move_to(&rec, target, facts.clone()),
                _ => Ok(rec),
            };
        }
        let mut rec = rec;
        if !rec.state.can_go_to(target) {
            // e.g. Unknown -> Succeeded goes through Polling; anything -> Reversed through Reversing.
            let via = if target == Reversed {
                Reversing
            } else {
                Polling
            };
            if rec.state.can_go_to(via) {
                rec = self.move_to(&rec, via, detail(facts.detail.clone().unwrap_or_default()))?;
            }
        }
        if rec.state.can_go_to(target) {
            self.move_to(&rec, target, facts.clone())
        } else {
            Ok(rec)
        }
    }

    async fn query(&self, intent_id: &str) -> Result<Option<Payment>, CallFailure> {
        let v = self
            .api
            .call(
                Method::Get,
                &format!("/v1/payments/{intent_id}"),
                &[],
                None,
                &[],
            )
            .await?;
        if v.is_success() {
            return v.json::<Payment>().map(Some);
        }
        if v.status == 404 {
            return Ok(None);
        }
        Err(CallFailure::Ambiguous(format!(
            "query HTTP {} {}",
            v.status,
            v.error().code
        )))
    }

    /// Polls ~3 s then every ~5 s with jitter until terminal or the deadline.
    async fn poll(&self, rec: IntentRecord) -> Result<IntentRecord, FlowError> {
        let mut rec = rec;
        if matches!(rec.state, IntentState::UserPaying | IntentState::Unknown) {
            rec = self.move_to(&rec, IntentState::Polling, IntentFacts::default())?;
        }
        let mut wait = self.timings.first_poll;
        loop {
            if rec.state != IntentState::Polling {
                // Terminal, or another task (cancel) took it over.
                return Ok(rec);
            }
            let left = rec.deadline_at_ms.saturating_sub(now_ms());
            if left <= 0 {
                let rec = self.move_to(&rec, IntentState::TimedOut, detail("deadline"))?;
                return self.reverse(rec, "deadline").await;
            }
            let nap = wait.min(Duration::from_millis(left as u64));
            tokio::time::sleep(nap).await;
            wait = self.timings.poll_interval + jitter(self.timings.poll_jitter);
            rec = self.journal.intent(&rec.intent_id)?;
            if rec.state != IntentState::Polling {
                return Ok(rec);
            }
            let answer = self.query(&rec.intent_id).await;
            if let Err(CallFailure::NotSigned(e)) = &answer {
                return self.left_unsigned(rec, e, false);
            }
            if let Ok(Some(p)) = answer {
                rec = self.apply_payment(rec, &p, "query")?;
                if rec.state == IntentState::TimedOut {
                    return self.reverse(rec, "deadline").await;
                }
            }
        }
    }

    /// Reverse: persist `Reversing`, query once, then reverse (retrying "retry later" and
    /// ambiguity) until closed or refunded; what stays open is flagged for reconciliation.
    async fn reverse(&self, rec: IntentRecord, reason: &str) -> Result<IntentRecord, FlowError> {
        let mut rec = rec;
        if rec.state != IntentState::Reversing {
            rec = self.move_to(&rec, IntentState::Reversing, detail(reason))?;
        }
        crash_point("after_reversing");
        let body = serde_json::to_vec(&wire::ReverseRequest { reason })
            .map_err(|e| FlowError::Local(e.to_string()))?;
        let path = format!("/v1/payments/{}/reverse", rec.intent_id);
        for round in 0..self.timings.reverse_rounds.max(1) {
            if round > 0 {
                tokio::time::sleep(self.timings.poll_interval + jitter(self.timings.poll_jitter))
                    .await;
            }
            // Rule 7: look before reversing; a payment that settled on its own is recorded as such.
            match self.query(&rec.intent_id).await {
                Ok(Some(p)) if p.state == "failed" || p.state == "reversed" => {
                    return self.apply_payment(rec, &p, "query before reverse");
                }
                Ok(Some(p)) if p.state == "succeeded" && reason == "deadline" => {
                    return self.apply_payment(rec, &p, "paid before the deadline");
                }
                Err(CallFailure::NotSigned(e)) => return self.left_unsigned(rec, &e, true),
                _ => {}
            }
            let v = match self
                .api
                .call(Method::Post, &path, &body, Some(&rec.idempotency_key), &[])
                .await
            {
                Ok(v) => v,
                Err(CallFailure::NotSigned(e)) => return self.left_unsigned(rec, &e, true),
                Err(_) => continue,
            };
            if v.is_success() {
                let Ok(r) = v.json::<wire::ReverseResponse>() else {
                    continue;
                };
                match (r.result.as_str(), r.payment) {
                    ("closed" | "refunded", Some(p)) => {
                        let mut facts = facts_from(&p, "reversed");
                        facts.reverse_result = Some(r.result.clone());
                        return self.move_to(&rec, IntentState::Reversed, facts);
                    }
                    ("closed" | "refunded", None) => {
                        let facts = IntentFacts {
                            reverse_result: Some(r.result.clone()),
                            detail: Some("reversed".into()),
                            ..Default::default()
                        };
                        return self.move_to(&rec, IntentState::Reversed, facts);
                    }
                    _ => continue, // retry_later: the payer is confirming right now
                }
            }
            if v.is_final_refusal() {
                // e.g. REVERSE_NOT_ALLOWED (partially refunded): record what the switch holds.
                if let Ok(Some(p)) = self.query(&rec.intent_id).await {
                    return self.apply_payment(rec, &p, "reverse refused");
                }
                break;
            }
        }
        let facts = IntentFacts {
            needs_reconciliation: Some(true),
            detail: Some("reverse unresolved".into()),
            ..Default::default()
        };
        Ok(self.journal.annotate(&rec.intent_id, &facts, now_ms())?)
    }

    /// Cancels an intent explicitly. Idempotent: a settled intent is returned as it is; an open
    /// one is reversed, so the journal always ends up knowing the switch's state.
    pub async fn cancel(&self, intent_id: &str) -> Result<IntentRecord, FlowError> {
        let rec = self.journal.intent(intent_id)?;
        match rec.state {
            s if s.is_terminal() => Ok(rec),
            // `Submitting` is journalled before the first byte: `Created` was never sent.
            IntentState::Created => {
                let facts = IntentFacts {
                    failure_code: Some("CANCELLED".into()),
                    detail: Some("cancelled before sending".into()),
                    ..Default::default()
                };
                self.move_to(&rec, IntentState::Failed, facts)
            }
            _ => {
                let mut rec = rec;
                for _ in 0..TAKEOVERS {
                    match self.reverse(rec.clone(), "cancel").await {
                        Err(e) if is_takeover(&e) => rec = self.journal.intent(intent_id)?,
                        other => return other,
                    }
                    if rec.state.is_terminal() {
                        return Ok(rec);
                    }
                }
                Ok(self.journal.intent(intent_id)?)
            }
        }
    }

    /// The intent's state, refreshed by a verified query when it is still open. Only verified
    /// answers ever reach the journal, so this never reports an unverified state.
    pub async fn status(&self, intent_id: &str) -> Result<IntentRecord, FlowError> {
        let rec = self.journal.intent(intent_id)?;
        if rec.state.is_terminal() && rec.state != IntentState::Succeeded {
            return Ok(rec);
        }
        match self.query(intent_id).await {
            Ok(Some(p)) if rec.state.is_terminal() || p.state != "user_paying" => {
                self.apply_payment(rec, &p, "status")
            }
            _ => Ok(rec),
        }
    }

    /// Refunds `amount` (default: everything not yet refunded) of a succeeded payment.
    pub async fn refund(
        &self,
        intent_id: &str,
        amount: Option<Money>,
        options: PayOptions,
    ) -> Result<RefundRecord, FlowError> {
        let rec = self.journal.intent(intent_id)?;
        let outstanding: i64 = self
            .journal
            .refunds_for(intent_id)?
            .iter()
            .filter(|r| r.state != RefundState::Closed)
            .map(|r| r.amount.minor)
            .sum();
        let amount = match amount {
            Some(a) if a.currency != rec.amount.currency => {
                return Err(FlowError::InvalidInput(format!(
                    "refund in {} for a payment in {}",
                    a.currency, rec.amount.currency
                )))
            }
            Some(a) if a.minor <= 0 => {
                return Err(FlowError::InvalidInput("refund must be positive".into()))
            }
            Some(a) => a,
            None => Money::new(
                rec.paid_minor.unwrap_or(0).saturating_sub(outstanding),
                rec.amount.currency,
            ),
        };
        if amount.minor <= 0 {
            return Err(FlowError::InvalidInput("nothing left to refund".into()));
        }
        let now = now_ms();
        let refund = RefundRecord {
            refund_id: new_uuid_v4()?,
            intent_id: intent_id.to_string(),
            amount,
            state: RefundState::Requested,
            switch_refund_id: None,
            failure_code: None,
            created_at_ms: now,
            updated_at_ms: now,
        };
        self.journal.insert_refund(&refund)?;
        self.notify(StateChange::Refund {
            refund_id: refund.refund_id.clone(),
            intent_id: intent_id.to_string(),
            from: None,
            to: RefundState::Requested,
        });
        crash_point("after_refund_requested");
        self.send_refund(refund, options.scenario.as_deref()).await
    }

    async fn send_refund(
        &self,
        refund: RefundRecord,
        scenario: Option<&str>,
    ) -> Result<RefundRecord, FlowError> {
        let body = serde_json::to_vec(&wire::RefundRequest {
            refund_id: &refund.refund_id,
            amount: refund.amount.into(),
            reason: "requested",
        })
        .map_err(|e| FlowError::Local(e.to_string()))?;
        let headers: Vec<(String, String)> = scenario
            .iter()
            .map(|s| ("X-Sandbox-Scenario".to_string(), s.to_string()))
            .collect();
        let answer = self
            .api
            .call(
                Method::Post,
                &format!("/v1/payments/{}/refunds", refund.intent_id),
                &body,
                Some(&refund.refund_id),
                &headers,
            )
            .await;
        crash_point("after_refund_send");
        let refund = match answer {
            Ok(v) if v.is_success() => match v.json::<wire::Refund>() {
                Ok(r) => self.apply_refund(refund, &r)?,
                Err(_) => refund,
            },
            Ok(v) if v.is_final_refusal() => {
                let code = v.error().code;
                match self.refund_move(&refund, RefundState::Closed, None, Some(&code), None) {
                    Err(e) if is_takeover(&e) => self.journal.refund(&refund.refund_id)?,
                    other => other?,
                }
            }
            // Not signed, so never sent: the refund is closed and the app gets the reason.
            Err(CallFailure::NotSigned(e)) => {
                let code = signer_failure_code(&e);
                self.refund_move(&refund, RefundState::Closed, None, Some(code), None)?;
                return Err(FlowError::Signer(e));
            }
            _ => refund, // ambiguous: stays Requested; status/recover resolve it by query
        };
        self.poll_refund(refund).await
    }

    fn refund_move(
        &self,
        r: &RefundRecord,
        to: RefundState,
        switch_id: Option<&str>,
        failure: Option<&str>,
        total: Option<i64>,
    ) -> Result<RefundRecord, FlowError> {
        let updated = self.journal.refund_transition(
            &r.refund_id,
            r.state,
            to,
            switch_id,
            failure,
            total,
            now_ms(),
        )?;
        self.notify(StateChange::Refund {
            refund_id: r.refund_id.clone(),
            intent_id: r.intent_id.clone(),
            from: Some(r.state),
            to,
        });
        Ok(updated)
    }

    /// Records what a verified `Refund` says; re-reads the refund when another task or process
    /// moved it first.
    fn apply_refund(
        &self,
        refund: RefundRecord,
        r: &wire::Refund,
    ) -> Result<RefundRecord, FlowError> {
        let Some(to) = RefundState::parse(&r.state) else {
            return Ok(refund);
        };
        let mut refund = refund;
        for _ in 0..TAKEOVERS {
            if to == refund.state || !refund.state.can_go_to(to) {
                return Ok(refund);
            }
            match self.refund_move(
                &refund,
                to,
                r.switch_refund_id.as_deref(),
                r.failure.as_ref().map(|f| f.code.as_str()),
                r.refunded_total.as_ref().map(|m| m.minor),
            ) {
                Err(e) if is_takeover(&e) => refund = self.journal.refund(&refund.refund_id)?,
                other => return other,
            }
        }
        Ok(self.journal.refund(&refund.refund_id)?)
    }

    async fn query_refund(&self, refund_id: &str) -> Result<Option<wire::Refund>, CallFailure> {
        let v = self
            .api
            .call(
                Method::Get,
                &format!("/v1/refunds/{refund_id}"),
                &[],
                None,
                &[],
            )
            .await?;
        if v.is_success() {
            return v.json::<wire::Refund>().map(Some);
        }
        if v.status == 404 {
            return Ok(None);
        }
        Err(CallFailure::Ambiguous(format!(
            "refund query HTTP {}",
            v.status
        )))
    }

    async fn poll_refund(&self, refund: RefundRecord) -> Result<RefundRecord, FlowError> {
        let mut refund = refund;
        for _ in 0..self.timings.refund_polls {
            if refund.state.is_terminal() {
                break;
            }
            tokio::time::sleep(self.timings.refund_poll_interval).await;
            if let Ok(Some(r)) = self.query_refund(&refund.refund_id).await {
                refund = self.apply_refund(refund, &r)?;
            }
        }
        Ok(refund)
    }

    /// Start-up recovery: settle every unfinished intent and refund by query (and reverse past the
    /// deadline). Never submits a payment again; a refund whose request never arrived is re-sent
    /// under its own refund id, which the switch deduplicates.
    pub async fn recover(&self) -> Result<Vec<RecoverOutcome>, FlowError> {
        let mut out = Vec::new();
        for rec in self.journal.unfinished_intents()? {
            let id = rec.intent_id.clone();
            let settled = self.recover_intent(rec).await?;
            out.push(if settled.state.is_terminal() {
                RecoverOutcome::Settled {
                    intent_id: id,
                    state: settled.state,
                }
            } else {
                let facts = IntentFacts {
                    needs_reconciliation: Some(true),
                    ..Default::default()
                };
                self.journal.annotate(&id, &facts, now_ms())?;
                RecoverOutcome::NeedsReconciliation {
                    id,
                    state: settled.state.as_str().into(),
                }
            });
        }
        for refund in self.journal.unfinished_refunds()? {
            let id = refund.refund_id.clone();
            let refund = match self.query_refund(&id).await {
                Ok(Some(r)) => self.apply_refund(refund, &r)?,
                Ok(None) if refund.state == RefundState::Requested => {
                    self.send_refund(refund, None).await?
                }
                _ => refund,
            };
            out.push(if refund.state.is_terminal() {
                RecoverOutcome::RefundSettled {
                    refund_id: id,
                    state: refund.state,
                }
            } else {
                RecoverOutcome::NeedsReconciliation {
                    id,
                    state: refund.state.as_str().into(),
                }
            });
        }
        Ok(out)
    }

    /// Settles one intent found unfinished; when a live task in this or another process moves
    /// it meanwhile, starts again from its new state.
    async fn recover_intent(&self, rec: IntentRecord) -> Result<IntentRecord, FlowError> {
        let mut rec = rec;
        for _ in 0..TAKEOVERS {
            match self.recover_intent_once(rec.clone()).await {
                Err(e) if is_takeover(&e) => rec = self.journal.intent(&rec.intent_id)?,
                other => return other,
            }
        }
        Ok(self.journal.intent(&rec.intent_id)?)
    }

    async fn recover_intent_once(&self, rec: IntentRecord) -> Result<IntentRecord, FlowError> {
        use IntentState::*;
        match rec.state {
            Created => {
                let facts = IntentFacts {
                    failure_code: Some("NOT_SENT".into()),
                    detail: Some("recovered: never sent".into()),
                    ..Default::default()
                };
                self.move_to(&rec, Failed, facts)
            }
            Submitting | UserPaying | Unknown | Polling => {
                let mut rec = rec;
                if let Ok(Some(p)) = self.query(&rec.intent_id).await {
                    rec = self.apply_payment(rec, &p, "recover query")?;
                }
                if rec.state == Submitting {
                    rec = self.move_to(&rec, Unknown, detail("recover: no answer recorded"))?;
                }
                self.settle(rec).await
            }
            TimedOut | Reversing => self.reverse(rec, "deadline").await,
            Succeeded | Failed | Reversed => Ok(rec),
        }
    }
}

/// How many times one call re-reads a record that another task or process moved under it.
const TAKEOVERS: usize = 8;

/// Another task or process moved the record first (the journal's compare-and-set failed).
fn is_takeover(e: &FlowError) -> bool {
    matches!(e, FlowError::Journal(JournalError::StateMismatch { .. }))
}

fn expect_success(v: &Verified) -> Result<(), FlowError> {
    if v.is_success() {
        return Ok(());
    }
    let e = v.error();
    Err(FlowError::Rejected {
        code: e.code,
        message: e.message,
    })
}

/// Crash-test hook (feature `test-hooks`): when a test armed `step`, the task dies right after that
/// step is durable, as a killed process would (nothing after it runs).
#[cfg(any(test, feature = "test-hooks"))]
fn crash_point(step: &str) {
    if crash::armed(step) {
        panic!("crash test: task killed at `{step}`");
    }
}

/// In an app build the crash points compile to nothing.
#[cfg(not(any(test, feature = "test-hooks")))]
#[inline(always)]
fn crash_point(_step: &str) {}

/// Arming the crash points: tests and the QA CLI's crash injection only (feature `test-hooks`).
#[cfg(any(test, feature = "test-hooks"))]
pub mod crash {
    use std::sync::Mutex;

    static POINT: Mutex<Option<String>> = Mutex::new(None);

    /// Arms (or with `None` disarms) the crash point for the whole process. Tests only.
    pub fn arm(step: Option<&str>) {
        *POINT.lock().unwrap_or_else(|e| e.into_inner()) = step.map(str::to_string);
    }

    pub(super) fn armed(step: &str) -> bool {
        POINT.lock().unwrap_or_else(|e| e.into_inner()).as_deref() == Some(step)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key that never signs: these tests stop before any request.
    struct NoKey;

    impl crate::sign::Signer for NoKey {
        fn key_id(&self) -> String {
            "k".into()
        }
        fn public_key(&self) -> Vec<u8> {
            vec![4; 65]
        }
        fn sign(&self, _: &[u8]) -> Result<Vec<u8>, crate::sign::SignError> {
            Err(crate::sign::SignError::SignerFailed("no key".into()))
        }
    }

    fn config_without_transport(dir: &std::path::Path) -> PaymentsConfig {
        PaymentsConfig {
            endpoint: "https://switch.example".into(),
            ca_pem: None,
            spki_pins: Vec::new(),
            journal_path: dir.join("journal.sqlite"),
            signer: Arc::new(NoKey),
            server_roots: Vec::new(),
            listener: None,
            timings: FlowTimings::default(),
            transport: None,
            wallet: None,
            registry: None,
        }
    }

    /// The platform profile (ADR 0011) has no HTTPS client: without the app's transport the
    /// client cannot be built, and says why, before any journal is opened.
    #[cfg(not(feature = "https"))]
    #[test]
    fn without_the_https_feature_the_app_must_give_a_transport() {
        let dir = std::env::temp_dir().join(format!("hutong-no-https-{}", std::process::id()));
        let err = Payments::new(config_without_transport(&dir))
            .err()
            .expect("refused");
        assert!(
            matches!(&err, FlowError::Transport(crate::transport::TransportError::Config(why)) if why.contains("https")),
            "{err}"
        );
        assert!(!dir.exists());
    }

    #[cfg(feature = "https")]
    #[test]
    fn with_the_https_feature_the_built_in_transport_is_used() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Payments::new(config_without_transport(dir.path())).is_ok());
    }

    #[test]
    fn payer_code_table_routes_wechat_and_alipay_by_prefix_and_length() {
        let wechat = PayerCode::parse("134567890123456789").unwrap();
        let alipay = PayerCode::parse("2812345678901234").unwrap();
        assert_eq!(payer_code_network(&wechat).map(|n| n.0), Some("wechat_pay"));
        assert_eq!(payer_code_network(&alipay).map(|n| n.0), Some("alipay"));
    }

    #[test]
    fn collect_takes_every_payer_code_the_registry_and_the_console_know() {
        for (digits, network) in [
            ("0123456789012345678", "ecny"),
            ("181234567890123456", "jd_pay"),
            ("511234567890123456", "bestpay"),
            ("6212345678901234567", "unionpay"),
        ] {
            let code = PayerCode::parse(digits).unwrap();
            let (n, route) = payer_code_network(&code).unwrap();
            assert_eq!(
                (n, route.as_str()),
                (network, format!("{network}:direct").as_str())
            );
        }
    }

    #[test]
    fn wechat_prefix_with_the_wrong_length_matches_no_network() {
        let code = PayerCode::parse("1345678901234567").unwrap();
        assert_eq!(payer_code_network(&code), None);
    }

    #[test]
    fn intent_ids_are_uuid_v4() {
        let id = new_uuid_v4().unwrap();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
        assert_ne!(id, new_uuid_v4().unwrap());
    }

    #[test]
    fn out_trade_no_fits_the_strictest_provider_limit() {
        let no = out_trade_no_for(&new_uuid_v4().unwrap());
        assert_eq!(no.len(), 32);
        assert!(no
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'));
    }

    #[test]
    fn production_deadlines_follow_the_network() {
        let t = FlowTimings::default();
        assert_eq!(t.deadline_for("wechat_pay"), Duration::from_secs(45));
        assert_eq!(t.deadline_for("alipay"), Duration::from_secs(60));
        assert_eq!(t.deadline_for("jd_pay"), Duration::from_secs(45));
    }
}
