//! The protocol's operations on the ledger (docs/protocol.md §6): device registration, quotes
//! with the promotion, payments and collections with their scenario's state, queries that move a
//! `user_paying` payment on, reverse, refunds with their rules. Each runs inside one ledger
//! transaction opened by `protocol::mutate` (or the query path) and returns the answer to sign.

use crate::ledger::{self, FeeRow, PaymentRow, RefundRow};
use crate::scenario::Scenario;
use crate::state::{now, now_ms};
use crate::{data, merchant};
use hutong_core::flow::{payer_code_network, PayerCode};
use hutong_core::money::{Currency, WireMoney};
use hutong_core::sign::sha256_hex;
use rusqlite::Connection;
use serde::Deserialize;
use serde_json::{json, Value};

/// Largest amount the sandbox takes in one payment (minor units): 1e10, i.e. 100 million yuan.
pub(crate) const MAX_MINOR: i64 = 10_000_000_000;
/// Most partial refunds of one payment (WeChat's limit).
pub(crate) const MAX_REFUNDS: usize = 50;
/// Payments stay payable this long after a quote (seconds).
pub(crate) const QUOTE_TTL: i64 = 300;

/// A protocol error answer: HTTP status and the `error` object (protocol §7.5).
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    /// `final`: nothing happened and nothing will; `ambiguous`: the outcome is unknown.
    pub outcome: &'static str,
    pub retryable: bool,
}

impl ApiError {
    pub(crate) fn fin(status: u16, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            outcome: "final",
            retryable: false,
        }
    }

    pub(crate) fn ambiguous(
        status: u16,
        code: &'static str,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            outcome: "ambiguous",
            retryable: true,
        }
    }

    pub fn body(&self) -> Value {
        json!({"error": {"code": self.code, "message": self.message,
            "outcome": self.outcome, "retryable": self.retryable}})
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        ApiError::ambiguous(500, "INTERNAL", format!("ledger: {e}"))
    }
}

pub(crate) type Answer = (u16, Value);

pub(crate) fn answer_of(r: Result<Answer, ApiError>) -> Answer {
    r.unwrap_or_else(|e| (e.status, e.body()))
}

/// Who sent a verified request.
pub(crate) struct Caller {
    pub(crate) key_id: String,
    pub(crate) account: String,
}

// ---------- request bodies ----------

#[derive(Deserialize)]
pub(crate) struct DeviceBody {
    pub(crate) key_id: String,
    pub(crate) public_key: String,
    pub(crate) account_id: String,
}

#[derive(Deserialize)]
pub(crate) struct QuoteBody {
    pub(crate) merchant_code: String,
    pub(crate) network: String,
    #[serde(default)]
    pub(crate) amount: Option<WireMoney>,
    pub(crate) route_requested: String,
}

#[derive(Deserialize)]
pub(crate) struct PaymentBody {
    pub(crate) intent_id: String,
    pub(crate) out_trade_no: String,
    pub(crate) merchant_code: String,
    pub(crate) network: String,
    pub(crate) amount: WireMoney,
    pub(crate) confirmed_payable: WireMoney,
    pub(crate) funding_source_id: String,
    pub(crate) route_requested: String,
    #[serde(default)]
    pub(crate) description: String,
}

#[derive(Deserialize)]
pub(crate) struct CollectionBody {
    pub(crate) intent_id: String,
    pub(crate) out_trade_no: String,
    pub(crate) auth_code: String,
    pub(crate) amount: WireMoney,
    pub(crate) network: String,
    pub(crate) route_requested: String,
    #[serde(default)]
    pub(crate) description: String,
}

#[derive(Deserialize)]
pub(crate) struct RefundBody {
    pub(crate) refund_id: String,
    pub(crate) amount: WireMoney,
    #[serde(default)]
    pub(crate) reason: String,
}

pub(crate) fn parse_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::fin(400, "INVALID_REQUEST", format!("body: {e}")))
}

pub(crate) fn money_of(w: &WireMoney, what: &str) -> Result<(i64, String), ApiError> {
    // Exactly the upper-case code: `from_alpha` alone also takes "cny", which was then stored and
    // answered as sent, and never matched a CNY funding source.
    if Currency::from_alpha(&w.currency).is_none_or(|c| c.alpha != w.currency) {
        return Err(ApiError::fin(
            400,
            "INVALID_REQUEST",
            format!("{what}: unknown currency `{}`", w.currency),
        ));
    }
    if w.minor <= 0 || w.minor > MAX_MINOR {
        return Err(ApiError::fin(
            400,
            "INVALID_REQUEST",
            format!("{what}: amount must be 1..={MAX_MINOR} minor units"),
        ));
    }
    Ok((w.minor, w.currency.clone()))
}

/// Length limits count characters, as JSON Schema's `maxLength` in docs/openapi.yaml does.
fn chars(s: &str) -> usize {
    s.chars().count()
}

pub(crate) fn valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub(crate) fn money(minor: i64, currency: &str) -> Value {
    json!({"minor": minor, "currency": currency})
}

/// The `Payment` object of the protocol (§7.1).
pub fn payment_json(p: &PaymentRow) -> Value {
    let c = p.currency.as_str();
    let merchant = p.merchant_id.as_ref().map(|id| {
        json!({"id": id, "name": p.merchant_name.clone().unwrap_or_default(), "city": p.merchant_city})
    });
    let receipt = p.paid_at.map(|paid_at| {
        json!({"receipt_id": format!("rcpt-{}", p.switch_txn_id), "switch_txn_id": p.switch_txn_id,
            "intent_id": p.intent_id, "merchant": merchant, "network": p.network,
            "route": p.route_used, "original": money(p.original, c), "discount": money(p.discount, c),
            "payable": money(p.payable, c), "paid_at": paid_at, "funding_source_id": p.funding_source_id})
    });
    let failure = p
        .failure_code
        .as_ref()
        .map(|code| json!({"code": code, "message": code, "outcome": "final", "retryable": false}));
    let fees: Vec<Value> = p
        .fees
        .iter()
        .map(|f| json!({"institution": f.institution, "role": f.role, "amount": money(f.amount_minor, c)}))
        .collect();
    let promotion = p
        .promotion_id
        .as_ref()
        .map(|id| json!({"campaign_id": id, "name": p.promotion_name}));
    json!({"intent_id": p.intent_id, "out_trade_no": p.out_trade_no, "state": p.state,
        "reverse_result": p.reverse_result, "merchant": merchant, "route_used": p.route_used,
        "original": money(p.original, c), "discount": money(p.discount, c),
        "payable": money(p.payable, c), "paid": money(p.paid, c), "refunded": money(p.refunded, c),
        "fees": fees, "promotion": promotion, "switch_txn_id": p.switch_txn_id,
        "expires_at": p.created_at / 1000 + QUOTE_TTL, "failure": failure, "receipt": receipt,
        "scenario": p.scenario})
}

/// The `Refund` object of the protocol (§7.2).
pub fn refund_json(r: &RefundRow, refunded_total: i64) -> Value {
    let failure = r
        .failure_code
        .as_ref()
        .map(|code| json!({"code": code, "message": code, "outcome": "final", "retryable": false}));
    json!({"refund_id": r.refund_id, "intent_id": r.intent_id, "state": r.state,
        "amount": money(r.amount, &r.currency), "refunded_total": money(refunded_total, &r.currency),
        "switch_refund_id": r.switch_refund_id, "failure": failure})
}

pub(crate) fn new_txn_id(prefix: &str, id: &str) -> String {
    format!("{prefix}{}", &sha256_hex(id.as_bytes())[..20])
}

// ---------- operations ----------

pub(crate) fn register_device(
    c: &Connection,
    body: &DeviceBody,
    public_key: &[u8],
    caller: &Caller,
) -> Result<Answer, ApiError> {
    if body.account_id.is_empty() || chars(&body.account_id) > 64 {
        return Err(ApiError::fin(
            400,
            "INVALID_REQUEST",
            "account_id must be 1-64 characters",
        ));
    }
    match ledger::device(c, &caller.key_id)? {
        Some((pk, _)) if pk != public_key => Err(ApiError::fin(
            409,
            "DEVICE_KEY_CONFLICT",
            "this key id is registered with another public key",
        )),
        Some((_, account)) => Ok((200, json!({"key_id": caller.key_id, "account_id": account}))),
        None => {
            ledger::insert_device(c, &caller.key_id, public_key, &body.account_id, now())?;
            Ok((
                200,
                json!({"key_id": caller.key_id, "account_id": body.account_id}),
            ))
        }
    }
}

pub(crate) fn funding_sources() -> Answer {
    let list: Vec<Value> = data::funding_sources()
        .iter()
        .map(|f| {
            json!({"id": f.id, "kind": f.kind, "label": f.label,
            "available": money(f.limit_minor, &f.currency)})
        })
        .collect();
    (200, json!({ "funding_sources": list }))
}

pub(crate) fn check_route(network: &str, route: &str) -> Result<(), ApiError> {
    match route.split_once(':') {
        Some((n, name)) if n == network && !name.is_empty() => Ok(()),
        _ => Err(ApiError::fin(
            422,
            "ROUTE_NOT_SUPPORTED",
            format!("route `{route}` is not `{network}:<route>`"),
        )),
    }
}

/// Invariants 1 and 2 at the switch: the network a request names must be the code's as this
/// switch identifies it, the route one that reaches it, the currency the code's, and a dynamic
/// code's amount exactly its own. Returns the merchant and the amount to charge.
pub(crate) fn check_code_terms(
    merchant_code: &str,
    network: &str,
    route: &str,
    amount: Option<&WireMoney>,
) -> Result<(merchant::Merchant, (i64, String)), ApiError> {
    use hutong_core::route::{check_route as route_reaches, RouteError};
    let m = merchant::resolve(merchant_code);
    route_reaches(&m.code, route, None).map_err(|e| {
        let code = match e {
            RouteError::NotPayable(_) => "CODE_NOT_PAYABLE",
            RouteError::NetworkMismatch { .. } => "NETWORK_MISMATCH",
            RouteError::Malformed { .. } | RouteError::NotAllowed { .. } => "ROUTE_NOT_SUPPORTED",
        };
        ApiError::fin(422, code, e.to_string())
    })?;
    if m.code.network.as_deref() != Some(network) {
        return Err(ApiError::fin(
            422,
            "NETWORK_MISMATCH",
            format!(
                "the request names {network}, but the code is a {} code",
                m.code.network.as_deref().unwrap_or("unknown")
            ),
        ));
    }
    let (minor, currency) = match (amount, &m.amount) {
        (Some(a), _) => money_of(a, "amount")?,
        (None, Some(own)) => own.clone(),
        (None, None) => {
            return Err(ApiError::fin(
                422,
                "AMOUNT_REQUIRED",
                "a static code needs the amount the payer typed",
            ))
        }
    };
    if let Some((_, code_currency)) = &m.amount {
        if *code_currency != currency {
            return Err(ApiError::fin(
                422,
                "CURRENCY_MISMATCH",
                format!("the code is payable in {code_currency}, not {currency}"),
            ));
        }
    }
    if let Some((fixed, _)) = &m.fixed_amount {
        if *fixed != minor {
            return Err(ApiError::fin(
                422,
                "AMOUNT_MISMATCH",
                format!("this dynamic code fixes the amount at {fixed} minor units, not {minor}"),
            ));
        }
    }
    Ok((m, (minor, currency)))
}

pub(crate) fn quote(b: &QuoteBody) -> Result<Answer, ApiError> {
    let (m, (original, currency)) = check_code_terms(
        &b.merchant_code,
        &b.network,
        &b.route_requested,
        b.amount.as_ref(),
    )?;
    let (discount, promo) = data::discount_for(&b.network, &currency, original);
    Ok((
        200,
        json!({"merchant": {"id": m.id, "name": m.name, "city": m.city}, "network": b.network,
            "route_requested": b.route_requested, "route_used": b.route_requested,
            "original": money(original, &currency), "discount": money(discount, &currency),
            "payable": money(original - discount, &currency),
            "promotion": promo.map(|p| json!({"campaign_id": p.campaign_id, "name": p.name})),
            "expires_at": now() + QUOTE_TTL}),
    ))
}

pub(crate) fn fees(route: &str, original: i64) -> Vec<FeeRow> {
    data::fees_for(route, original)
        .into_iter()
        .map(|(institution, role, amount_minor)| FeeRow {
            institution,
            role,
            amount_minor,
        })
        .collect()
}

/// Applies the scenario's state to a new payment row and captures when it is paid now.
pub(crate) fn open_payment(
    c: &Connection,
    p: &mut PaymentRow,
    scenario: &Scenario,
) -> Result<Answer, ApiError> {
    let now = now_ms();
    match scenario.name.as_str() {
        "insufficient_funds" => {
            p.state = "failed".into();
            p.failure_code = Some("INSUFFICIENT_FUNDS".into());
        }
        "user_paying" => {
            p.state = "user_paying".into();
            p.polls_left = scenario.polls;
        }
        "user_paying_forever" | "paid_at_reverse" => {
            p.state = "user_paying".into();
            p.polls_left = -1;
        }
        _ => {
            p.state = "succeeded".into();
            p.paid = p.payable;
            p.paid_at = Some(now / 1000);
            ledger::insert_capture(c, &p.intent_id, p.paid, &p.currency, now)?;
        }
    }
    ledger::save_payment(c, p)?;
    if let Some(code) = &p.failure_code {
        let e = ApiError::fin(
            422,
            "INSUFFICIENT_FUNDS",
            format!("{code}: the funding source cannot cover the payable amount"),
        );
        return Ok((e.status, e.body()));
    }
    Ok((200, payment_json(p)))
}

pub(crate) fn base_row(
    intent_id: &str,
    caller: &Caller,
    scenario: &Scenario,
    currency: &str,
) -> PaymentRow {
    let now = now_ms();
    PaymentRow {
        intent_id: intent_id.to_string(),
        out_trade_no: None,
        kind: "payment".into(),
        device_key_id: Some(caller.key_id.clone()),
        merchant_id: None,
        merchant_name: None,
        merchant_city: None,
        merchant_code: None,
        payer_code_masked: None,
        network: None,
        route_requested: None,
        route_used: None,
        currency: currency.to_string(),
        original: 0,
        discount: 0,
        payable: 0,
        paid: 0,
        refunded: 0,
        funding_source_id: None,
        promotion_id: None,
        promotion_name: None,
        fees: vec![],
        state: "user_paying".into(),
        reverse_result: None,
        polls_left: 0,
        scenario: scenario.name.clone(),
        switch_txn_id: new_txn_id("sw", intent_id),
        failure_code: None,
        created_at: now,
        updated_at: now,
        paid_at: None,
    }
}

pub(crate) fn create_payment(
    c: &Connection,
    b: &PaymentBody,
    caller: &Caller,
    scenario: &Scenario,
) -> Result<Answer, ApiError> {
    if let Some(existing) = ledger::payment(c, &b.intent_id)? {
        // A reverse closed this id before the create arrived: never a new charge (protocol §4).
        return Ok((200, payment_json(&existing)));
    }
    let (m, (original, currency)) = check_code_terms(
        &b.merchant_code,
        &b.network,
        &b.route_requested,
        Some(&b.amount),
    )?;
    let (confirmed, confirmed_cur) = money_of(&b.confirmed_payable, "confirmed_payable")?;
    if b.out_trade_no.is_empty() || chars(&b.out_trade_no) > 32 || chars(&b.description) > 128 {
        return Err(ApiError::fin(
            400,
            "INVALID_REQUEST",
            "out_trade_no 1-32 characters, description at most 128",
        ));
    }
    let (discount, promo) = data::discount_for(&b.network, &currency, original);
    let payable = original - discount;
    if confirmed != payable || confirmed_cur != currency {
        return Err(ApiError::fin(
            422,
            "PAYABLE_MISMATCH",
            format!("the payable amount is {payable} {currency}, not the {confirmed} {confirmed_cur} confirmed; quote again"),
        ));
    }
    let source = data::funding_sources()
        .iter()
        .find(|f| f.id == b.funding_source_id)
        .ok_or_else(|| {
            ApiError::fin(
                422,
                "FUNDING_SOURCE_UNKNOWN",
                format!("no funding source `{}`", b.funding_source_id),
            )
        })?;
    let mut p = base_row(&b.intent_id, caller, scenario, &currency);
    p.out_trade_no = Some(b.out_trade_no.clone());
    p.merchant_id = Some(m.id);
    p.merchant_name = Some(m.name);
    p.merchant_city = m.city;
    p.merchant_code = Some(b.merchant_code.clone());
    p.network = Some(b.network.clone());
    p.route_requested = Some(b.route_requested.clone());
    p.route_used = Some(b.route_requested.clone());
    p.original = original;
    p.discount = discount;
    p.payable = payable;
    p.funding_source_id = Some(source.id.clone());
    p.promotion_id = promo.map(|x| x.campaign_id.clone());
    p.promotion_name = promo.map(|x| x.name.clone());
    p.fees = fees(&b.route_requested, original);
    let short = source.currency != currency || payable > source.limit_minor;
    let scenario = if short {
        Scenario::parse("insufficient_funds", scenario.source)
            .map_err(|e| ApiError::fin(500, "INTERNAL", e))?
    } else {
        scenario.clone()
    };
    open_payment(c, &mut p, &scenario)
}

pub(crate) fn create_collection(
    c: &Connection,
    b: &CollectionBody,
    caller: &Caller,
    scenario: &Scenario,
) -> Result<Answer, ApiError> {
    if let Some(existing) = ledger::payment(c, &b.intent_id)? {
        return Ok((200, payment_json(&existing)));
    }
    let (amount, currency) = money_of(&b.amount, "amount")?;
    check_route(&b.network, &b.route_requested)?;
    if b.out_trade_no.is_empty() || chars(&b.out_trade_no) > 32 || chars(&b.description) > 128 {
        return Err(ApiError::fin(
            400,
            "INVALID_REQUEST",
            "out_trade_no 1-32 characters, description at most 128",
        ));
    }
    let code = PayerCode::parse(&b.auth_code)
        .map_err(|_| ApiError::fin(422, "AUTH_CODE_INVALID", "not a payer code"))?;
    let Some((network, _)) = payer_code_network(&code) else {
        return Err(ApiError::fin(
            422,
            "AUTH_CODE_INVALID",
            format!("{code} matches no network"),
        ));
    };
    if network != b.network {
        return Err(ApiError::fin(
            422,
            "AUTH_CODE_INVALID",
            format!("{code} is a {network} code, not {}", b.network),
        ));
    }
    match scenario.name.as_str() {
        "auth_code_invalid" => {
            return Err(ApiError::fin(
                422,
                "AUTH_CODE_INVALID",
                format!("{code} is not a live code"),
            ))
        }
        "auth_code_expired" => {
            return Err(ApiError::fin(
                422,
                "AUTH_CODE_EXPIRED",
                format!("{code} expired; ask the payer to refresh it"),
            ))
        }
        _ => {}
    }
    let mut p = base_row(&b.intent_id, caller, scenario, &currency);
    p.kind = "collection".into();
    p.out_trade_no = Some(b.out_trade_no.clone());
    p.merchant_id = Some(merchant::collector_id(&caller.account));
    p.merchant_name = Some(format!("Sandbox merchant {}", caller.account));
    p.payer_code_masked = Some(code.masked());
    p.network = Some(b.network.clone());
    p.route_requested = Some(b.route_requested.clone());
    p.route_used = Some(b.route_requested.clone());
    p.original = amount;
    p.payable = amount;
    p.fees = fees(&b.route_requested, amount);
    open_payment(c, &mut p, scenario)
}

/// The caller may see a payment only if its own account made it.
pub(crate) fn owned(c: &Connection, p: &PaymentRow, caller: &Caller) -> Result<bool, ApiError> {
    let Some(dev) = &p.device_key_id else {
        return Ok(true);
    };
    if *dev == caller.key_id {
        return Ok(true);
    }
    Ok(ledger::device(c, dev)?.is_some_and(|(_, acct)| acct == caller.account))
}

pub(crate) fn not_found(what: &'static str, id: &str) -> ApiError {
    ApiError::fin(404, what, format!("no such id `{id}`"))
}

pub(crate) fn capture(c: &Connection, p: &mut PaymentRow) -> Result<(), ApiError> {
    let now = now_ms();
    p.state = "succeeded".into();
    p.paid = p.payable;
    p.paid_at = Some(now / 1000);
    p.updated_at = now;
    ledger::insert_capture(c, &p.intent_id, p.paid, &p.currency, now)?;
    Ok(())
}

pub(crate) fn query_payment(c: &Connection, id: &str, caller: &Caller) -> Result<Answer, ApiError> {
    let mut p = match ledger::payment(c, id)? {
        Some(p) if owned(c, &p, caller)? => p,
        _ => return Err(not_found("PAYMENT_NOT_FOUND", id)),
    };
    if p.state == "user_paying" && p.polls_left >= 0 {
        if p.polls_left == 0 {
            capture(c, &mut p)?;
        } else {
            p.polls_left -= 1;
        }
        ledger::save_payment(c, &p)?;
    }
    Ok((200, payment_json(&p)))
}

pub(crate) fn reverse(c: &Connection, id: &str, caller: &Caller) -> Result<Answer, ApiError> {
    let now = now_ms();
    let Some(mut p) = ledger::payment(c, id)? else {
        // Never seen: close the id so a create still on its way can never charge.
        let mut t = base_row(id, caller, &Scenario::success(), "CNY");
        t.kind = "tombstone".into();
        t.state = "reversed".into();
        t.reverse_result = Some("closed".into());
        ledger::save_payment(c, &t)?;
        return Ok((
            200,
            json!({"result": "closed", "payment": payment_json(&t)}),
        ));
    };
    if !owned(c, &p, caller)? {
        return Err(not_found("PAYMENT_NOT_FOUND", id));
    }
    let result = match p.state.as_str() {
        "reversed" => p.reverse_result.clone().unwrap_or_else(|| "closed".into()),
        "failed" => {
            p.reverse_result = Some("closed".into());
            "closed".into()
        }
        "succeeded" if p.refunded > 0 => {
            return Err(ApiError::fin(
                409,
                "REVERSE_NOT_ALLOWED",
                "the payment is partly refunded; refund the rest instead",
            ))
        }
        state => {
            if state == "user_paying" && p.scenario == "paid_at_reverse" {
                // The payer confirmed a moment before the reverse: it undoes a paid order.
                capture(c, &mut p)?;
            }
            let r = if p.state == "succeeded" {
                "refunded"
            } else {
                "closed"
            };
            if r == "refunded" {
                p.refunded = p.paid;
            }
            p.state = "reversed".into();
            p.reverse_result = Some(r.into());
            r.to_string()
        }
    };
    p.updated_at = now;
    ledger::save_payment(c, &p)?;
    Ok((200, json!({"result": result, "payment": payment_json(&p)})))
}

pub(crate) fn refund(
    c: &Connection,
    intent_id: &str,
    b: &RefundBody,
    caller: &Caller,
    scenario: &Scenario,
) -> Result<Answer, ApiError> {
    if chars(&b.reason) > 128 {
        return Err(ApiError::fin(
            400,
            "INVALID_REQUEST",
            "reason is at most 128 characters",
        ));
    }
    let (amount, currency) = money_of(&b.amount, "amount")?;
    let mut p = match ledger::payment(c, intent_id)? {
        Some(p) if owned(c, &p, caller)? => p,
        _ => return Err(not_found("PAYMENT_NOT_FOUND", intent_id)),
    };
    if p.state != "succeeded" {
        return Err(ApiError::fin(
            409,
            "PAYMENT_NOT_REFUNDABLE",
            format!("the payment is {}", p.state),
        ));
    }
    if currency != p.currency {
        return Err(ApiError::fin(
            422,
            "CURRENCY_MISMATCH",
            format!("the payment is in {}", p.currency),
        ));
    }
    if ledger::refund(c, &b.refund_id)?.is_some() {
        return Err(ApiError::fin(
            422,
            "IDEMPOTENCY_CONFLICT",
            "this refund id belongs to another request",
        ));
    }
    let count = ledger::refunds(c, Some(intent_id))?
        .iter()
        .filter(|r| r.state != "closed")
        .count();
    if count >= MAX_REFUNDS {
        return Err(ApiError::fin(
            422,
            "REFUND_LIMIT",
            format!("at most {MAX_REFUNDS} refunds per payment"),
        ));
    }
    if p.refunded + amount > p.paid {
        return Err(ApiError::fin(
            422,
            "REFUND_EXCEEDS_CAPTURED",
            format!("{} already refunded of {} paid", p.refunded, p.paid),
        ));
    }
    let now = now_ms();
    let r = RefundRow {
        refund_id: b.refund_id.clone(),
        intent_id: intent_id.to_string(),
        amount,
        currency,
        state: if scenario.is("refund_processing") {
            "processing"
        } else {
            "succeeded"
        }
        .into(),
        scenario: scenario.name.clone(),
        switch_refund_id: new_txn_id("swr", &b.refund_id),
        failure_code: None,
        created_at: now,
        updated_at: now,
    };
    p.refunded += amount;
    p.updated_at = now;
    ledger::save_payment(c, &p)?;
    ledger::save_refund(c, &r)?;
    Ok((200, refund_json(&r, p.refunded)))
}

pub(crate) fn query_refund(c: &Connection, id: &str, caller: &Caller) -> Result<Answer, ApiError> {
    let Some(mut r) = ledger::refund(c, id)? else {
        return Err(not_found("REFUND_NOT_FOUND", id));
    };
    let p = match ledger::payment(c, &r.intent_id)? {
        Some(p) if owned(c, &p, caller)? => p,
        _ => return Err(not_found("REFUND_NOT_FOUND", id)),
    };
    if r.state == "processing" {
        r.state = "succeeded".into();
        r.updated_at = now_ms();
        ledger::save_refund(c, &r)?;
    }
    Ok((200, refund_json(&r, p.refunded)))
}
