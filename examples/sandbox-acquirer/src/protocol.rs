//! The wallet-to-switch protocol (docs/protocol.md): request verification, idempotency, signed
//! answers, and the forced outcomes of §8 around the operations of `ops`. Every request leaves one
//! row in the exchange log, answered or not.

use crate::conn::ConnCtl;
use crate::crash;
use crate::ledger::{self, Exchange};
use crate::merchant;
use crate::ops::{self, answer_of, parse_body, valid_id, Answer, ApiError, Caller};
use crate::scenario::{Op, Scenario};
use crate::state::{now_ms, SandboxState};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use hutong_core::flow::PayerCode;
use hutong_core::sign::{canonical_request, sha256_hex, Authorization, SignError};
use hutong_protocol::sign_response;
use rusqlite::Connection;
use serde_json::{json, Value};
use std::sync::Arc;

pub use crate::ops::{payment_json, refund_json};

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

/// The methods of each protocol endpoint by path shape (`*`: one non-empty id segment), so a
/// method an endpoint does not have is answered `405` with `Allow` before anything else.
const ENDPOINTS: &[(&[&str], &[&str])] = &[
    (&["v1", "keys"], &["GET"]),
    (&["v1", "devices"], &["POST"]),
    (&["v1", "funding_sources"], &["GET"]),
    (&["v1", "quotes"], &["POST"]),
    (&["v1", "payments"], &["POST"]),
    (&["v1", "collections"], &["POST"]),
    (&["v1", "payments", "*"], &["GET"]),
    (&["v1", "payments", "*", "reverse"], &["POST"]),
    (&["v1", "payments", "*", "refunds"], &["POST"]),
    (&["v1", "refunds", "*"], &["GET"]),
];

/// The methods the endpoint at `path` answers; `None` when no endpoint lives there.
fn allowed_methods(path: &str) -> Option<&'static [&'static str]> {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    ENDPOINTS
        .iter()
        .find(|(shape, _)| {
            shape.len() == segs.len()
                && shape.iter().zip(&segs).all(|(want, got)| {
                    if *want == "*" {
                        !got.is_empty()
                    } else {
                        want == got
                    }
                })
        })
        .map(|(_, methods)| *methods)
}

// ---------- the handler ----------

/// Everything under `/v1/`.
pub async fn handle(State(s): State<Arc<SandboxState>>, req: Request) -> Response {
    let ctl = req.extensions().get::<ConnCtl>().cloned();
    let (parts, body) = req.into_parts();
    // Read the body (bounded) before any answer, even a refusal: closing a connection with
    // unread request bytes makes the kernel send RST, which can destroy the answer already
    // sent before the client reads it (schemathesis saw "EOF occurred in violation of protocol").
    let read_body = axum::body::to_bytes(body, s.timing.max_body_bytes).await;
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
    let headers = parts.headers;
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
    if let Some(allowed) = allowed_methods(&path).filter(|m| !m.contains(&method.as_str())) {
        ex.verdict = "not checked: method not allowed".into();
        let nonce = header("authorization")
            .and_then(|a| Authorization::parse(a).ok())
            .map(|a| a.nonce);
        let err = ApiError::fin(
            405,
            "METHOD_NOT_ALLOWED",
            format!("{path} answers {}", allowed.join(", ")),
        );
        let mut resp = finish(&s, ex, nonce, Outcome::answer((405, err.body())), ctl).await;
        if let Ok(v) = HeaderValue::from_str(&allowed.join(", ")) {
            resp.headers_mut().insert(axum::http::header::ALLOW, v);
        }
        return resp;
    }
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
    let bytes = match read_body {
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
            match serde_json::from_slice::<ops::DeviceBody>(&bytes)
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
        .verify(&auth, &public_key, &method, &target, &bytes, s.clock())
    {
        ex.verdict = format!("refused: {e}");
        let err = match e {
            SignError::TimestampSkew { .. } => ApiError {
                retryable: true,
                ..ApiError::fin(401, "TIMESTAMP_SKEW", e.to_string())
            },
            // The first copy of this very request arrived and may have taken effect: the
            // outcome is unknown to the sender, who must query (or retry under its key).
            SignError::NonceReplayed(_) => {
                ApiError::ambiguous(401, "NONCE_REPLAYED", e.to_string())
            }
            // The durable nonce store failed: nothing was done, the client may retry.
            SignError::NonceStoreFailed(_) => {
                ApiError::ambiguous(503, "SYSTEM_ERROR", e.to_string())
            }
            _ => ApiError::fin(401, "SIGNATURE_INVALID", e.to_string()),
        };
        return finish(&s, ex, nonce, Outcome::answer((401, err.body())), ctl).await;
    }
    ex.verdict = "valid".into();
    crash::point("request", "after_verify");
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
    // A value that is not visible ASCII names no scenario: refused like an unknown name, never
    // ignored (it used to be, so the request ran as `success`).
    let scenario_header = headers.get("x-sandbox-scenario").map(|v| {
        v.to_str()
            .map_or_else(|_| "(not visible ASCII)".to_string(), str::to_string)
    });
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
            let body: ops::DeviceBody = match parse_body(bytes) {
                Ok(b) => b,
                Err(e) => return Outcome::answer((e.status, e.body())),
            };
            let Some(key) = key.filter(|k| *k == body.key_id) else {
                return idem_key_error(key);
            };
            let pk = public_key.to_vec();
            let scenario = Scenario::success();
            mutate(s, "device", key, &hash, &scenario, |c| {
                ops::register_device(c, &body, &pk, caller)
            })
            .await
        }
        ("GET", ["v1", "funding_sources"]) => Outcome::answer(ops::funding_sources()),
        ("POST", ["v1", "quotes"]) => {
            Outcome::answer(answer_of(parse_body(bytes).and_then(|b| ops::quote(&b))))
        }
        ("POST", ["v1", op @ ("payments" | "collections")]) => {
            let collection = *op == "collections";
            let (intent_id, amount, merchant_id) = if collection {
                match parse_body::<ops::CollectionBody>(bytes) {
                    Ok(b) => (
                        b.intent_id,
                        b.amount.minor,
                        Some(merchant::collector_id(&caller.account)),
                    ),
                    Err(e) => return Outcome::answer((e.status, e.body())),
                }
            } else {
                match parse_body::<ops::PaymentBody>(bytes) {
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
                    ops::create_collection(c, &parse_body(&bytes)?, caller, &scenario)
                } else {
                    ops::create_payment(c, &parse_body(&bytes)?, caller, &scenario)
                }
            })
            .await
        }
        ("GET", ["v1", "payments", id]) => {
            ex.intent_id = Some(id.to_string());
            let answer = answer_of(s.ledger.tx(|c| ops::query_payment(c, id, caller)));
            crash::point("query", "after_commit");
            Outcome::answer(answer)
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
                ops::reverse(c, id, caller)
            })
            .await
        }
        ("POST", ["v1", "payments", id, "refunds"]) => {
            ex.intent_id = Some(id.to_string());
            let body: ops::RefundBody = match parse_body(bytes) {
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
                ops::refund(c, id, &body, caller, &scenario)
            })
            .await
        }
        ("GET", ["v1", "refunds", id]) => {
            ex.refund_id = Some(id.to_string());
            let r = s.ledger.tx(|c| ops::query_refund(c, id, caller));
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
///
/// The durable idempotency row is written in the same transaction as the operation's effects
/// (invariant 5): after a crash at any point a key is either done, with its answer, or was never
/// begun. "In flight" is only ever in this process's memory, released when the request ends
/// or is dropped, so nothing can stay in flight across a restart.
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
    let Some(_claim) = s.in_flight.claim(op, key) else {
        let e = ApiError::ambiguous(
            409,
            "IDEMPOTENCY_IN_FLIGHT",
            "the first request with this key is still being processed",
        );
        return Outcome::answer((e.status, e.body()));
    };
    let stored = |c: &Connection| -> Result<Option<ledger::IdemRow>, ApiError> {
        match ledger::idem(c, op, key)? {
            Some(row) if row.request_hash != hash => Err(ApiError::fin(
                422,
                "IDEMPOTENCY_CONFLICT",
                "this key was first used with other parameters",
            )),
            other => Ok(other),
        }
    };
    let gate = s.ledger.tx(|c| -> Result<Gate, ApiError> {
        if let Some(row) = stored(c)? {
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
    crash::point(op, "before_commit");
    let done = s
        .ledger
        .tx(|c| -> Result<Result<Answer, ledger::IdemRow>, ApiError> {
            // Another sandbox process on the same ledger may have finished this key meanwhile.
            if let Some(row) = stored(c)? {
                return Ok(Err(row));
            }
            let (status, body) = match exec(c) {
                Ok(a) => a,
                // A refusal is a result too: it is stored and replayed like a success.
                Err(e) if e.status < 500 => (e.status, e.body()),
                // A failure rolls back everything the operation wrote.
                Err(e) => return Err(e),
            };
            crash::point(op, "in_commit");
            ledger::idem_store(
                c,
                op,
                key,
                hash,
                &scenario.name,
                status,
                &body.to_string(),
                now_ms(),
            )?;
            Ok(Ok((status, body)))
        });
    crash::point(op, "after_commit");
    let (status, body) = match done {
        Ok(Ok(a)) => a,
        Ok(Err(row)) => return replay(&row),
        Err(e) => return Outcome::answer((e.status, e.body())),
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
        s.clock() - 1000
    } else {
        s.clock()
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
