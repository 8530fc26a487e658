//! The wallet-to-switch protocol (docs/protocol.md): request verification, idempotency, the
//! payment / collection / reverse / refund rules on the ledger, signed answers, and the forced
//! outcomes of §8. Every request leaves one row in the exchange log, answered or not.

use crate::conn::ConnCtl;
use crate::ledger::{self, Exchange, FeeRow, PaymentRow, RefundRow};
use crate::scenario::{Op, Scenario};
use crate::state::{now, now_ms, SandboxState};
use crate::{data, merchant};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use hutong::flow::{payer_code_network, PayerCode};
use hutong::money::{Currency, WireMoney};
use hutong::sign::{canonical_request, sha256_hex, sign_response, Authorization, SignError};
use rusqlite::Connection;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// Largest amount the sandbox takes in one payment (minor units): 1e10, i.e. 100 million yuan.
const MAX_MINOR: i64 = 10_000_000_000;
/// Most partial refunds of one payment (WeChat's limit).
const MAX_REFUNDS: usize = 50;
/// Payments stay payable this long after a quote (seconds).
const QUOTE_TTL: i64 = 300;

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
    fn fin(status: u16, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            outcome: "final",
            retryable: false,
        }
    }

    fn ambiguous(status: u16, code: &'static str, message: impl Into<String>) -> ApiError {
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

type Answer = (u16, Value);

fn answer_of(r: Result<Answer, ApiError>) -> Answer {
    r.unwrap_or_else(|e| (e.status, e.body()))
}

/// How the answer of one exchange is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SignMode {
    Good,
    /// The signature does not verify (`bad_signature`).
    Bad,
    /// Signed with a timestamp 1000 s old (`stale_timestamp`).
    Stale,
}

impl SignMode {
    fn of(scenario: &str) -> SignMode {
        match scenario {
            "bad_signature" => SignMode::Bad,
            "stale_timestamp" => SignMode::Stale,
            _ => SignMode::Good,
        }
    }
}

/// What the sandbox does with a request after deciding.
enum Outcome {
    Answer {
        status: u16,
        body: Value,
        replayed: bool,
        sign: SignMode,
    },
    /// Reset the TCP connection (RST), no answer.
    Reset(&'static str),
    /// Keep the connection silent past the client's timeout, then close it.
    Hold(&'static str),
}

impl Outcome {
    fn answer((status, body): Answer) -> Outcome {
        Outcome::Answer {
            status,
            body,
            replayed: false,
            sign: SignMode::Good,
        }
    }
}

struct Caller {
    key_id: String,
    account: String,
}

// ---------- request bodies ----------

#[derive(Deserialize)]
struct DeviceBody {
    key_id: String,
    public_key: String,
    account_id: String,
}

#[derive(Deserialize)]
struct QuoteBody {
    merchant_code: String,
    network: String,
    #[serde(default)]
    amount: Option<WireMoney>,
    route_requested: String,
}

#[derive(Deserialize)]
struct PaymentBody {
    intent_id: String,
    out_trade_no: String,
    merchant_code: String,
    network: String,
    amount: WireMoney,
    confirmed_payable: WireMoney,
    funding_source_id: String,
    route_requested: String,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize)]
struct CollectionBody {
    intent_id: String,
    out_trade_no: String,
    auth_code: String,
    amount: WireMoney,
    network: String,
    route_requested: String,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize)]
struct RefundBody {
    refund_id: String,
    amount: WireMoney,
    #[serde(default)]
    reason: String,
}

fn parse_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::fin(400, "INVALID_REQUEST", format!("body: {e}")))
}

fn money_of(w: &WireMoney, what: &str) -> Result<(i64, String), ApiError> {
    if Currency::from_alpha(&w.currency).is_none() {
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

fn valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The request body as the exchange log keeps it: payer codes masked, binary shown as a length.
fn loggable_body(bytes: &[u8]) -> String {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(mut v) => {
            if let Some(code) = v.get("auth_code").and_then(Value::as_str) {
                let masked = PayerCode::parse(code)
                    .map(|c| c.masked())
                    .unwrap_or_else(|_| "(invalid, not logged)".into());
                v["auth_code"] = Value::String(masked);
            }
            v.to_string()
        }
        Err(_) => match std::str::from_utf8(bytes) {
            Ok(s) if s.len() <= 4096 => s.to_string(),
            _ => format!("({} bytes, not JSON)", bytes.len()),
        },
    }
}

/// The intent and refund ids a request names, in its path or body.
fn ids_named(path: &str, bytes: &[u8]) -> (Option<String>, Option<String>) {
    let body: Value = serde_json::from_slice(bytes).unwrap_or(Value::Null);
    let field = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .filter(|v| valid_id(v))
            .map(str::to_string)
    };
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let intent = match segs.as_slice() {
        ["v1", "payments", id, ..] if valid_id(id) => Some(id.to_string()),
        _ => field("intent_id"),
    };
    let refund = match segs.as_slice() {
        ["v1", "refunds", id] if valid_id(id) => Some(id.to_string()),
        _ => field("refund_id"),
    };
    (intent, refund)
}

fn money(minor: i64, currency: &str) -> Value {
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

fn new_txn_id(prefix: &str, id: &str) -> String {
    format!("{prefix}{}", &sha256_hex(id.as_bytes())[..20])
}

// ---------- the handler ----------

/// Everything under `/v1/`.
pub async fn handle(State(s): State<Arc<SandboxState>>, req: Request) -> Response {
    let ctl = req.extensions().get::<ConnCtl>().cloned();
    let (parts, body) = req.into_parts();
    let method = parts.method.as_str().to_string();
    let path = parts.uri.path().to_string();
    let target = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| path.clone());
    let mut ex = Exchange {
        at_ms: now_ms(),
        method: method.clone(),
        path: target.clone(),
        verdict: "unsigned".into(),
        ..Default::default()
    };
    if method == "GET" && path == "/v1/keys" {
        ex.verdict = "not_required".into();
        return match s.signed_key_set() {
            Ok(set) => {
                let body = serde_json::to_value(&set).unwrap_or(Value::Null);
                finish_unsigned(&s, ex, 200, body)
            }
            Err(e) => finish_unsigned(
                &s,
                ex,
                500,
                ApiError::ambiguous(500, "INTERNAL", e.to_string()).body(),
            ),
        };
    }
    let headers = parts.headers;
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
    let auth = match header("authorization").map(Authorization::parse) {
        Some(Ok(a)) => a,
        Some(Err(e)) => {
            ex.verdict = format!("refused: {e}");
            let err = ApiError::fin(401, "SIGNATURE_INVALID", e.to_string());
            return finish(&s, ex, None, Outcome::answer((401, err.body())), ctl).await;
        }
        None => {
            let err = ApiError::fin(401, "SIGNATURE_MISSING", "no Authorization header");
            return finish(&s, ex, None, Outcome::answer((401, err.body())), ctl).await;
        }
    };
    ex.device_key_id = Some(auth.key_id.clone());
    let nonce = Some(auth.nonce.clone());
    let bytes = match axum::body::to_bytes(body, s.timing.max_body_bytes).await {
        Ok(b) => b,
        Err(_) => {
            ex.verdict = "not checked: body too large".into();
            ex.request_body = format!("(more than {} bytes)", s.timing.max_body_bytes);
            let err = ApiError::fin(
                413,
                "BODY_TOO_LARGE",
                format!("bodies are limited to {} bytes", s.timing.max_body_bytes),
            );
            return finish(&s, ex, nonce, Outcome::answer((413, err.body())), ctl).await;
        }
    };
    ex.request_body = loggable_body(&bytes);
    // Name the intent before verifying, so even a refused request shows in its history.
    let (intent_id, refund_id) = ids_named(&path, &bytes);
    ex.intent_id = intent_id;
    ex.refund_id = refund_id;
    ex.canonical_request = Some(canonical_request(
        &method,
        &target,
        auth.timestamp,
        &auth.nonce,
        &bytes,
    ));
    // Who signed: a registered device, or a device registering itself with the key it proves.
    let known = s.ledger.read(|c| ledger::device(c, &auth.key_id));
    let (public_key, account) = match known {
        Ok(Some(d)) => d,
        Ok(None) if method == "POST" && path == "/v1/devices" => {
            match serde_json::from_slice::<DeviceBody>(&bytes)
                .ok()
                .filter(|d| d.key_id == auth.key_id)
                .and_then(|d| Some((B64.decode(&d.public_key).ok()?, d.account_id)))
            {
                Some(d) => d,
                None => {
                    ex.verdict = "refused: registration body does not name the signing key".into();
                    let err = ApiError::fin(
                        400,
                        "INVALID_REQUEST",
                        "device registration must carry the signing key's id and public key",
                    );
                    return finish(&s, ex, nonce, Outcome::answer((400, err.body())), ctl).await;
                }
            }
        }
        Ok(None) => {
            ex.verdict = "refused: unknown device key".into();
            let err = ApiError::fin(
                401,
                "UNKNOWN_DEVICE",
                format!("key `{}` is not registered", auth.key_id),
            );
            return finish(&s, ex, nonce, Outcome::answer((401, err.body())), ctl).await;
        }
        Err(e) => {
            let err = ApiError::from(e);
            return finish(
                &s,
                ex,
                nonce,
                Outcome::answer((err.status, err.body())),
                ctl,
            )
            .await;
        }
    };
    if let Err(e) = s
        .verifier
        .verify(&auth, &public_key, &method, &target, &bytes, now())
    {
        ex.verdict = format!("refused: {e}");
        let err = match e {
            SignError::TimestampSkew { .. } => ApiError {
                retryable: true,
                ..ApiError::fin(401, "TIMESTAMP_SKEW", e.to_string())
            },
            SignError::NonceReplayed(_) => ApiError::fin(401, "NONCE_REPLAYED", e.to_string()),
            _ => ApiError::fin(401, "SIGNATURE_INVALID", e.to_string()),
        };
        return finish(&s, ex, nonce, Outcome::answer((401, err.body())), ctl).await;
    }
    ex.verdict = "valid".into();
    if method == "POST"
        && !header("content-type")
            .map(|t| t.split(';').next().unwrap_or("").trim())
            .is_some_and(|t| t.eq_ignore_ascii_case("application/json"))
    {
        let err = ApiError::fin(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            "POST bodies are application/json",
        );
        return finish(&s, ex, nonce, Outcome::answer((415, err.body())), ctl).await;
    }
    let caller = Caller {
        key_id: auth.key_id.clone(),
        account,
    };
    let idem_key = header("idempotency-key").map(str::to_string);
    let scenario_header = header("x-sandbox-scenario").map(str::to_string);
    ex.idempotency_key = idem_key.clone();
    let outcome = dispatch(
        &s,
        &mut ex,
        &caller,
        &method,
        &path,
        &bytes,
        idem_key.as_deref(),
        scenario_header.as_deref(),
        &public_key,
    )
    .await;
    finish(&s, ex, nonce, outcome, ctl).await
}

#[allow(clippy::too_many_arguments)]
async fn dispatch(
    s: &SandboxState,
    ex: &mut Exchange,
    caller: &Caller,
    method: &str,
    path: &str,
    bytes: &[u8],
    key: Option<&str>,
    scenario_header: Option<&str>,
    public_key: &[u8],
) -> Outcome {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let hash = sha256_hex(format!("{method}\n{path}\n{}", sha256_hex(bytes)).as_bytes());
    match (method, segments.as_slice()) {
        ("POST", ["v1", "devices"]) => {
            let body: DeviceBody = match parse_body(bytes) {
                Ok(b) => b,
                Err(e) => return Outcome::answer((e.status, e.body())),
            };
            let Some(key) = key.filter(|k| *k == body.key_id) else {
                return idem_key_error(key);
            };
            let pk = public_key.to_vec();
            let scenario = Scenario::success();
            mutate(s, "device", key, &hash, &scenario, |c| {
                register_device(c, &body, &pk, caller)
            })
            .await
        }
        ("GET", ["v1", "funding_sources"]) => Outcome::answer(funding_sources()),
        ("POST", ["v1", "quotes"]) => {
            Outcome::answer(answer_of(parse_body(bytes).and_then(|b| quote(&b))))
        }
        ("POST", ["v1", op @ ("payments" | "collections")]) => {
            let collection = *op == "collections";
            let (intent_id, amount, merchant_id) = if collection {
                match parse_body::<CollectionBody>(bytes) {
                    Ok(b) => (
                        b.intent_id,
                        b.amount.minor,
                        Some(merchant::collector_id(&caller.account)),
                    ),
                    Err(e) => return Outcome::answer((e.status, e.body())),
                }
            } else {
                match parse_body::<PaymentBody>(bytes) {
                    Ok(b) => (
                        b.intent_id,
                        b.amount.minor,
                        Some(merchant::resolve(&b.merchant_code).id),
                    ),
                    Err(e) => return Outcome::answer((e.status, e.body())),
                }
            };
            ex.intent_id = Some(intent_id.clone());
            if !valid_id(&intent_id) {
                let e = ApiError::fin(
                    400,
                    "INVALID_REQUEST",
                    "intent_id must be 1-64 of [0-9A-Za-z_-]",
                );
                return Outcome::answer((e.status, e.body()));
            }
            let Some(key) = key.filter(|k| *k == intent_id) else {
                return idem_key_error(key);
            };
            let op = if collection {
                Op::Collection
            } else {
                Op::Payment
            };
            let scenario =
                match s.resolve_scenario(op, scenario_header, merchant_id.as_deref(), Some(amount))
                {
                    Ok(sc) => sc,
                    Err(e) => return bad_scenario(e),
                };
            ex.scenario = Some(scenario.name.clone());
            let bytes = bytes.to_vec();
            mutate(s, op.as_str(), key, &hash, &scenario, |c| {
                if collection {
                    create_collection(c, &parse_body(&bytes)?, caller, &scenario)
                } else {
                    create_payment(c, &parse_body(&bytes)?, caller, &scenario)
                }
            })
            .await
        }
        ("GET", ["v1", "payments", id]) => {
            ex.intent_id = Some(id.to_string());
            Outcome::answer(answer_of(s.ledger.tx(|c| query_payment(c, id, caller))))
        }
        ("POST", ["v1", "payments", id, "reverse"]) => {
            ex.intent_id = Some(id.to_string());
            let Some(key) = key.filter(|k| k == id) else {
                return idem_key_error(key);
            };
            let merchant = s
                .ledger
                .read(|c| ledger::payment(c, id))
                .ok()
                .flatten()
                .and_then(|p| p.merchant_id);
            let scenario =
                match s.resolve_scenario(Op::Reverse, scenario_header, merchant.as_deref(), None) {
                    Ok(sc) => sc,
                    Err(e) => return bad_scenario(e),
                };
            ex.scenario = Some(scenario.name.clone());
            mutate(s, "reverse", key, &hash, &scenario, |c| {
                reverse(c, id, caller)
            })
            .await
        }
        ("POST", ["v1", "payments", id, "refunds"]) => {
            ex.intent_id = Some(id.to_string());
            let body: RefundBody = match parse_body(bytes) {
                Ok(b) => b,
                Err(e) => return Outcome::answer((e.status, e.body())),
            };
            ex.refund_id = Some(body.refund_id.clone());
            if !valid_id(&body.refund_id) {
                let e = ApiError::fin(
                    400,
                    "INVALID_REQUEST",
                    "refund_id must be 1-64 of [0-9A-Za-z_-]",
                );
                return Outcome::answer((e.status, e.body()));
            }
            let Some(key) = key.filter(|k| *k == body.refund_id) else {
                return idem_key_error(key);
            };
            let merchant = s
                .ledger
                .read(|c| ledger::payment(c, id))
                .ok()
                .flatten()
                .and_then(|p| p.merchant_id);
            let scenario = match s.resolve_scenario(
                Op::Refund,
                scenario_header,
                merchant.as_deref(),
                Some(body.amount.minor),
            ) {
                Ok(sc) => sc,
                Err(e) => return bad_scenario(e),
            };
            ex.scenario = Some(scenario.name.clone());
            mutate(s, "refund", key, &hash, &scenario, |c| {
                refund(c, id, &body, caller, &scenario)
            })
            .await
        }
        ("GET", ["v1", "refunds", id]) => {
            ex.refund_id = Some(id.to_string());
            let r = s.ledger.tx(|c| query_refund(c, id, caller));
            if let Ok((_, v)) = &r {
                ex.intent_id = v["intent_id"].as_str().map(str::to_string);
            }
            Outcome::answer(answer_of(r))
        }
        _ => {
            let e = ApiError::fin(404, "NOT_FOUND", format!("no endpoint {method} {path}"));
            Outcome::answer((e.status, e.body()))
        }
    }
}

fn idem_key_error(key: Option<&str>) -> Outcome {
    let e = match key {
        None => ApiError::fin(
            400,
            "IDEMPOTENCY_KEY_MISSING",
            "this call needs an Idempotency-Key",
        ),
        Some(_) => ApiError::fin(
            400,
            "IDEMPOTENCY_KEY_MISMATCH",
            "the Idempotency-Key must be the id the body (or path) names",
        ),
    };
    Outcome::answer((e.status, e.body()))
}

fn bad_scenario(why: String) -> Outcome {
    let e = ApiError::fin(400, "UNKNOWN_SCENARIO", why);
    Outcome::answer((e.status, e.body()))
}

/// The idempotent core of every money-moving call (protocol §4): the first result for a key is
/// the result forever; a repeat while the first is running gets 409; the same key with other
/// parameters 422. Forced outcomes are applied around the commit.
async fn mutate(
    s: &SandboxState,
    op: &str,
    key: &str,
    hash: &str,
    scenario: &Scenario,
    exec: impl FnOnce(&Connection) -> Result<Answer, ApiError>,
) -> Outcome {
    enum Gate {
        Replay(ledger::IdemRow),
        Fault(Outcome),
        Go,
    }
    let gate = s.ledger.tx(|c| -> Result<Gate, ApiError> {
        if let Some(row) = ledger::idem(c, op, key)? {
            if row.request_hash != hash {
                return Err(ApiError::fin(
                    422,
                    "IDEMPOTENCY_CONFLICT",
                    "this key was first used with other parameters",
                ));
            }
            if row.state == "in_flight" {
                return Err(ApiError::ambiguous(
                    409,
                    "IDEMPOTENCY_IN_FLIGHT",
                    "the first request with this key is still being processed",
                ));
            }
            return Ok(Gate::Replay(row));
        }
        let first = |name: &str| -> Result<bool, ApiError> {
            Ok(scenario.is(name) && ledger::scenario_hit(c, name, &format!("{op}:{key}"))? == 1)
        };
        if first("system_error_once")? {
            let e = ApiError::ambiguous(503, "SYSTEM_ERROR", "forced: system error before commit");
            return Ok(Gate::Fault(Outcome::answer((e.status, e.body()))));
        }
        if first("reset_before_commit")? {
            return Ok(Gate::Fault(Outcome::Reset("forced: reset before commit")));
        }
        if op == "reverse" && first("reverse_retry_later")? {
            return Ok(Gate::Fault(Outcome::answer((
                200,
                json!({"result": "retry_later", "payment": null}),
            ))));
        }
        ledger::idem_begin(c, op, key, hash, &scenario.name, now_ms())?;
        Ok(Gate::Go)
    });
    match gate {
        Err(e) => return Outcome::answer((e.status, e.body())),
        Ok(Gate::Fault(o)) => return o,
        Ok(Gate::Replay(row)) => return replay(&row),
        Ok(Gate::Go) => {}
    }
    if scenario.is("slow") {
        tokio::time::sleep(s.timing.slow_delay).await;
    }
    let done = s.ledger.tx(|c| -> Result<Answer, ApiError> {
        let (status, body) = match exec(c) {
            Ok(a) => a,
            // A refusal is a result too: it is stored and replayed like a success.
            Err(e) if e.status < 500 => (e.status, e.body()),
            // A failure rolls back everything the operation wrote.
            Err(e) => return Err(e),
        };
        ledger::idem_finish(c, op, key, status, &body.to_string())?;
        Ok((status, body))
    });
    let (status, body) = match done {
        Ok(a) => a,
        Err(e) => {
            let _ = s.ledger.tx(|c| ledger::idem_abort(c, op, key));
            return Outcome::answer((e.status, e.body()));
        }
    };
    match scenario.name.as_str() {
        "timeout_after_commit" => Outcome::Hold("forced: committed, answer held past the timeout"),
        "reset_after_commit" => Outcome::Reset("forced: committed, connection reset"),
        "duplicate_delivery" => match s.ledger.read(|c| ledger::idem(c, op, key)) {
            Ok(Some(row)) => replay(&row),
            _ => Outcome::answer((status, body)),
        },
        other => Outcome::Answer {
            status,
            body,
            replayed: false,
            sign: SignMode::of(other),
        },
    }
}

/// The stored first answer of a key; signing faults stick to the key (protocol §8).
fn replay(row: &ledger::IdemRow) -> Outcome {
    Outcome::Answer {
        status: row.status.unwrap_or(500),
        body: row
            .body
            .as_deref()
            .and_then(|b| serde_json::from_str(b).ok())
            .unwrap_or(Value::Null),
        replayed: true,
        sign: SignMode::of(&row.scenario),
    }
}

// ---------- operations ----------

fn register_device(
    c: &Connection,
    body: &DeviceBody,
    public_key: &[u8],
    caller: &Caller,
) -> Result<Answer, ApiError> {
    if body.account_id.is_empty() || body.account_id.len() > 64 {
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

fn funding_sources() -> Answer {
    let list: Vec<Value> = data::funding_sources()
        .iter()
        .map(|f| {
            json!({"id": f.id, "kind": f.kind, "label": f.label,
            "available": money(f.limit_minor, &f.currency)})
        })
        .collect();
    (200, json!({ "funding_sources": list }))
}

fn check_route(network: &str, route: &str) -> Result<(), ApiError> {
    match route.split_once(':') {
        Some((n, name)) if n == network && !name.is_empty() => Ok(()),
        _ => Err(ApiError::fin(
            422,
            "ROUTE_NOT_SUPPORTED",
            format!("route `{route}` is not `{network}:<route>`"),
        )),
    }
}

fn quote(b: &QuoteBody) -> Result<Answer, ApiError> {
    check_route(&b.network, &b.route_requested)?;
    let m = merchant::resolve(&b.merchant_code);
    let (original, currency) = match (&b.amount, m.amount) {
        (Some(a), _) => money_of(a, "amount")?,
        (None, Some((minor, cur))) => (minor, cur),
        (None, None) => {
            return Err(ApiError::fin(
                422,
                "AMOUNT_REQUIRED",
                "a static code needs the amount the payer typed",
            ))
        }
    };
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

fn fees(route: &str, original: i64) -> Vec<FeeRow> {
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
fn open_payment(
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

fn base_row(intent_id: &str, caller: &Caller, scenario: &Scenario, currency: &str) -> PaymentRow {
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

fn create_payment(
    c: &Connection,
    b: &PaymentBody,
    caller: &Caller,
    scenario: &Scenario,
) -> Result<Answer, ApiError> {
    if let Some(existing) = ledger::payment(c, &b.intent_id)? {
        // A reverse closed this id before the create arrived: never a new charge (protocol §4).
        return Ok((200, payment_json(&existing)));
    }
    let (original, currency) = money_of(&b.amount, "amount")?;
    let (confirmed, confirmed_cur) = money_of(&b.confirmed_payable, "confirmed_payable")?;
    check_route(&b.network, &b.route_requested)?;
    if b.out_trade_no.is_empty() || b.out_trade_no.len() > 32 || b.description.len() > 128 {
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
    let m = merchant::resolve(&b.merchant_code);
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

fn create_collection(
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
    if b.out_trade_no.is_empty() || b.out_trade_no.len() > 32 || b.description.len() > 128 {
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
fn owned(c: &Connection, p: &PaymentRow, caller: &Caller) -> Result<bool, ApiError> {
    let Some(dev) = &p.device_key_id else {
        return Ok(true);
    };
    if *dev == caller.key_id {
        return Ok(true);
    }
    Ok(ledger::device(c, dev)?.is_some_and(|(_, acct)| acct == caller.account))
}

fn not_found(what: &'static str, id: &str) -> ApiError {
    ApiError::fin(404, what, format!("no such id `{id}`"))
}

fn capture(c: &Connection, p: &mut PaymentRow) -> Result<(), ApiError> {
    let now = now_ms();
    p.state = "succeeded".into();
    p.paid = p.payable;
    p.paid_at = Some(now / 1000);
    p.updated_at = now;
    ledger::insert_capture(c, &p.intent_id, p.paid, &p.currency, now)?;
    Ok(())
}

fn query_payment(c: &Connection, id: &str, caller: &Caller) -> Result<Answer, ApiError> {
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

fn reverse(c: &Connection, id: &str, caller: &Caller) -> Result<Answer, ApiError> {
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

fn refund(
    c: &Connection,
    intent_id: &str,
    b: &RefundBody,
    caller: &Caller,
    scenario: &Scenario,
) -> Result<Answer, ApiError> {
    if b.reason.len() > 128 {
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

fn query_refund(c: &Connection, id: &str, caller: &Caller) -> Result<Answer, ApiError> {
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

// ---------- answering ----------

fn finish_unsigned(s: &SandboxState, mut ex: Exchange, status: u16, body: Value) -> Response {
    let bytes = body.to_string();
    ex.status = Some(status);
    ex.response_body = Some(bytes.clone());
    log(s, ex);
    let mut resp = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        bytes,
    )
        .into_response();
    resp.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    resp
}

fn log(s: &SandboxState, ex: Exchange) {
    let id = s
        .ledger
        .tx(|c| ledger::insert_exchange(c, &ex))
        .unwrap_or(0);
    s.emit(
        "exchange",
        json!({"id": id, "method": ex.method, "path": ex.path, "status": ex.status,
            "intent_id": ex.intent_id, "refund_id": ex.refund_id, "scenario": ex.scenario,
            "verdict": ex.verdict, "replayed": ex.replayed, "note": ex.note}),
    );
    if let Some(id) = &ex.intent_id {
        if let Ok(Some(p)) = s.ledger.read(|c| ledger::payment(c, id)) {
            s.emit("payment", serde_json::to_value(&p).unwrap_or(Value::Null));
        }
    }
    if let Some(id) = &ex.refund_id {
        if let Ok(Some(r)) = s.ledger.read(|c| ledger::refund(c, id)) {
            s.emit("refund", serde_json::to_value(&r).unwrap_or(Value::Null));
        }
    }
}

/// Signs and sends the answer, or carries out a forced non-answer; logs the exchange either way.
async fn finish(
    s: &SandboxState,
    mut ex: Exchange,
    request_nonce: Option<String>,
    outcome: Outcome,
    ctl: Option<ConnCtl>,
) -> Response {
    let (status, body, replayed, sign) = match outcome {
        Outcome::Answer {
            status,
            body,
            replayed,
            sign,
        } => (status, body, replayed, sign),
        Outcome::Reset(note) | Outcome::Hold(note) => {
            let hold = matches!(outcome, Outcome::Hold(_));
            ex.note = Some(note.to_string());
            log(s, ex);
            let Some(ctl) = ctl else {
                // No connection to break (router used without the sandbox's server): 503.
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "forced fault needs a sandbox connection",
                )
                    .into_response();
            };
            if hold {
                tokio::time::sleep(s.timing.hold_after_commit).await;
                ctl.close();
            } else {
                ctl.reset();
            }
            // The connection is being torn down; this future is dropped with it.
            std::future::pending::<()>().await;
            unreachable!("pending never completes");
        }
    };
    let bytes = body.to_string().into_bytes();
    let ts = if sign == SignMode::Stale {
        now() - 1000
    } else {
        now()
    };
    let signed = s.with_active(|k| {
        let over: &[u8] = if sign == SignMode::Bad {
            b"tampered"
        } else {
            &bytes
        };
        sign_response(k, ts, request_nonce.as_deref(), status, over)
    });
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    if replayed {
        headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    let mut sig_json = serde_json::Map::new();
    if let Some(Ok(sig)) = signed {
        for (name, value) in sig.to_headers() {
            if let Ok(v) = HeaderValue::from_str(&value) {
                headers.insert(name, v);
            }
            sig_json.insert(name.to_string(), Value::String(value));
        }
    }
    if sign != SignMode::Good {
        ex.note = Some(format!("forced: {sign:?} response signature"));
    }
    ex.status = Some(status);
    ex.replayed = replayed;
    ex.response_body = Some(String::from_utf8_lossy(&bytes).into_owned());
    ex.response_signature = Some(Value::Object(sig_json).to_string());
    log(s, ex);
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = Response::new(Body::from(bytes));
    *resp.status_mut() = code;
    *resp.headers_mut() = headers;
    resp
}
