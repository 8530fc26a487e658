//! The observation and admin API for QA (docs/protocol.md §9): JSON, not signed, loopback only.
//! Lists intents with their full exchange history, streams ledger changes as server-sent events,
//! forces scenarios, rotates the response key, and reconciles the ledger against what a client's
//! journal reports.

use crate::conn::ConnCtl;
use crate::ledger::{self, PaymentRow, RefundRow};
use crate::state::{now_ms, SandboxState};
use crate::{data, protocol};
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;

type S = State<Arc<SandboxState>>;

/// The `/sandbox/*` routes.
pub fn routes() -> Router<Arc<SandboxState>> {
    Router::new()
        .route("/sandbox/info", get(info))
        .route("/sandbox/intents", get(intents))
        .route("/sandbox/intents/{id}", get(intent))
        .route("/sandbox/events", get(events))
        .route("/sandbox/scenario", get(scenario_get).post(scenario_set))
        .route("/sandbox/ledger", get(reconciliation))
        .route("/sandbox/client-report", post(client_report))
        .route("/sandbox/rotate-key", post(rotate_key))
        .layer(axum::middleware::from_fn(json_same_site_writes))
        .layer(axum::middleware::from_fn(own_host_only))
        .layer(axum::middleware::from_fn(loopback_only))
}

/// DNS rebinding: a page on `evil.example` that resolves to 127.0.0.1 reaches a loopback server
/// with `Host: evil.example`, and its requests carry `Origin: http://evil.example`. The admin API
/// answers only requests addressed to one of this sandbox's own names and port, and from a page
/// of its own origin (or from no page at all: curl, the QA tools).
pub async fn own_host_only(req: Request, next: Next) -> Response {
    let Some(own) = req
        .extensions()
        .get::<ConnCtl>()
        .and_then(|c| c.own.clone())
    else {
        // Not served by `start` (a router in a unit test): there is no address to hold it to.
        return next.run(req).await;
    };
    let allowed = {
        // An unreadable header value never matches a name.
        let header = |name: &str| {
            req.headers()
                .get(name)
                .map(|v| v.to_str().unwrap_or("\u{0}"))
        };
        let host_ok = header("host").is_some_and(|h| own.accepts_authority(h));
        let origin_ok = match header("origin") {
            None => true,
            Some(o) => o.split_once("://").is_some_and(|(scheme, authority)| {
                matches!(scheme, "http" | "https") && own.accepts_authority(authority)
            }),
        };
        host_ok && origin_ok
    };
    if !allowed {
        return error(
            StatusCode::FORBIDDEN,
            "the admin API answers requests addressed to this sandbox's own host and origin only",
        );
    }
    next.run(req).await
}

/// Admin writes change outcomes and the reconciliation view, so another web page open in the QA
/// engineer's browser must not forge them: a POST must be JSON (a cross-site JSON POST needs a
/// CORS preflight, which this server never grants) and must not be labelled cross-site.
async fn json_same_site_writes(req: Request, next: Next) -> Response {
    if req.method() == axum::http::Method::POST {
        let header = |name: &str| {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_ascii_lowercase()
        };
        let site = header("sec-fetch-site");
        if !(site.is_empty() || site == "same-origin" || site == "none") {
            return error(
                StatusCode::FORBIDDEN,
                "admin writes must come from this sandbox's console or a local tool",
            );
        }
        if !header("content-type").starts_with("application/json") {
            return error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "admin writes take Content-Type: application/json",
            );
        }
    }
    next.run(req).await
}

/// Admin calls change outcomes and expose the ledger: only from this machine.
async fn loopback_only(req: Request, next: Next) -> Response {
    let local = req
        .extensions()
        .get::<ConnCtl>()
        .map(|c| c.peer.ip().is_loopback())
        .unwrap_or(true);
    if !local {
        return error(
            StatusCode::FORBIDDEN,
            "the admin API answers loopback clients only",
        );
    }
    next.run(req).await
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (
        status,
        Json(json!({"error": {"code": status.as_u16(), "message": message.into()}})),
    )
        .into_response()
}

fn internal(e: rusqlite::Error) -> Response {
    error(StatusCode::INTERNAL_SERVER_ERROR, format!("ledger: {e}"))
}

async fn info(State(s): S) -> Response {
    let root = s.root();
    let scenarios: Vec<Value> = data::scenarios()
        .iter()
        .map(|r| json!({"name": r.name, "applies_to": r.applies_to, "about": r.about, "magic_minor": r.magic_minor}))
        .collect();
    Json(json!({
        "root_key_id": root.key_id,
        "root_public_key": B64.encode(&root.public_key),
        "active_key_id": s.active_key_id(),
        "scenarios": scenarios,
        "overrides": s.overrides(),
    }))
    .into_response()
}

fn summary(p: &PaymentRow, refunds: &[RefundRow]) -> Value {
    let mut v = serde_json::to_value(p).unwrap_or(Value::Null);
    v["refund_ids"] = json!(refunds.iter().map(|r| &r.refund_id).collect::<Vec<_>>());
    v
}

async fn intents(State(s): S) -> Response {
    let r = s
        .ledger
        .read(|c| Ok((ledger::payments(c)?, ledger::refunds(c, None)?)));
    match r {
        Ok((payments, refunds)) => {
            let mut by_intent: HashMap<&str, Vec<RefundRow>> = HashMap::new();
            for r in &refunds {
                by_intent
                    .entry(r.intent_id.as_str())
                    .or_default()
                    .push(r.clone());
            }
            let list: Vec<Value> = payments
                .iter()
                .map(|p| {
                    summary(
                        p,
                        by_intent
                            .get(p.intent_id.as_str())
                            .map(Vec::as_slice)
                            .unwrap_or(&[]),
                    )
                })
                .collect();
            Json(json!({"payments": list, "refunds": refunds})).into_response()
        }
        Err(e) => internal(e),
    }
}

/// An exchange as the console shows it: bodies parsed back to JSON where they are JSON.
fn exchange_json(e: &ledger::Exchange) -> Value {
    let parse = |s: &Option<String>| {
        s.as_deref().map(|b| {
            serde_json::from_str::<Value>(b).unwrap_or_else(|_| Value::String(b.to_string()))
        })
    };
    let mut v = serde_json::to_value(e).unwrap_or(Value::Null);
    v["request_body"] = parse(&Some(e.request_body.clone())).unwrap_or(Value::Null);
    v["response_body"] = parse(&e.response_body).unwrap_or(Value::Null);
    v["response_signature"] = parse(&e.response_signature).unwrap_or(Value::Null);
    v
}

async fn intent(State(s): S, Path(id): Path<String>) -> Response {
    let r = s.ledger.read(|c| {
        let refund = ledger::refund(c, &id)?;
        let intent_id = refund
            .as_ref()
            .map(|r| r.intent_id.clone())
            .unwrap_or(id.clone());
        let payment = ledger::payment(c, &intent_id)?;
        let refunds = ledger::refunds(c, Some(&intent_id))?;
        let mut exchanges = ledger::exchanges_for(c, &intent_id)?;
        for r in &refunds {
            for e in ledger::exchanges_for(c, &r.refund_id)? {
                if !exchanges.iter().any(|x| x.id == e.id) {
                    exchanges.push(e);
                }
            }
        }
        exchanges.sort_by_key(|e| e.id);
        let captures = ledger::capture_count(c, Some(&intent_id))?;
        Ok((payment, refunds, exchanges, captures))
    });
    match r {
        Ok((None, refunds, exchanges, _)) if refunds.is_empty() && exchanges.is_empty() => {
            error(StatusCode::NOT_FOUND, format!("no intent or refund `{id}`"))
        }
        Ok((payment, refunds, exchanges, captures)) => Json(json!({
            "payment": payment,
            "protocol_view": payment.as_ref().map(protocol::payment_json),
            "refunds": refunds,
            "captures": captures,
            "exchanges": exchanges.iter().map(exchange_json).collect::<Vec<_>>(),
        }))
        .into_response(),
        Err(e) => internal(e),
    }
}

async fn events(State(s): S) -> Sse<impl futures_util::Stream<Item = Result<Event, Infallible>>> {
    let rx = s.events.subscribe();
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        let item = match rx.recv().await {
            Ok(text) => Event::default().data(text),
            // A slow listener missed some: tell it, then carry on from now.
            Err(RecvError::Lagged(n)) => {
                Event::default().data(json!({"type": "lagged", "missed": n}).to_string())
            }
            Err(RecvError::Closed) => return None,
        };
        Some((Ok(item), rx))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

async fn scenario_get(State(s): S) -> Response {
    Json(json!({"overrides": s.overrides()})).into_response()
}

#[derive(Deserialize)]
struct ScenarioBody {
    /// `null` clears the override of the scope.
    scenario: Option<String>,
    #[serde(default = "next_scope")]
    scope: String,
    #[serde(default)]
    merchant_id: Option<String>,
}

fn next_scope() -> String {
    "next".into()
}

async fn scenario_set(
    State(s): S,
    body: Result<Json<ScenarioBody>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Ok(Json(b)) = body else {
        return error(StatusCode::BAD_REQUEST, "body: {\"scenario\": NAME|null, \"scope\": \"next\"|\"merchant\"|\"default\", \"merchant_id\": ...}");
    };
    match s.set_scenario(b.scenario.as_deref(), &b.scope, b.merchant_id.as_deref()) {
        Ok(o) => Json(json!({"overrides": o})).into_response(),
        Err(e) => error(StatusCode::BAD_REQUEST, e),
    }
}

async fn rotate_key(State(s): S) -> Response {
    match s.rotate_key() {
        Ok(id) => Json(json!({"active_key_id": id})).into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

#[derive(Deserialize)]
struct MoneyIn {
    minor: i64,
    currency: String,
}

#[derive(Deserialize)]
struct ClientReport {
    intent_id: String,
    state: String,
    #[serde(default)]
    paid: Option<MoneyIn>,
    #[serde(default)]
    refunded: Option<MoneyIn>,
}

async fn client_report(State(s): S, body: axum::body::Bytes) -> Response {
    let report: ClientReport = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return error(StatusCode::BAD_REQUEST, format!("report: {e}")),
    };
    if report.intent_id.is_empty() || report.intent_id.len() > 64 {
        return error(StatusCode::BAD_REQUEST, "intent_id must be 1-64 characters");
    }
    let text = String::from_utf8_lossy(&body).into_owned();
    match s
        .ledger
        .tx(|c| ledger::save_client_report(c, &report.intent_id, &text, now_ms()))
    {
        Ok(()) => {
            let row = s.ledger.read(|c| reconcile_one(c, &report.intent_id));
            s.emit(
                "client_report",
                json!({"intent_id": report.intent_id, "state": report.state}),
            );
            match row {
                Ok(v) => Json(v).into_response(),
                Err(e) => internal(e),
            }
        }
        Err(e) => internal(e),
    }
}

/// Where the client's journal and the ledger disagree about one intent (empty: they agree).
fn differences(p: Option<&PaymentRow>, report: Option<&ClientReport>) -> Vec<String> {
    let Some(r) = report else {
        return vec![];
    };
    let mut out = Vec::new();
    let server_state = p.map(|p| p.state.as_str()).unwrap_or("absent");
    let agrees = match (r.state.as_str(), server_state) {
        ("succeeded", "succeeded") | ("reversed", "reversed") => true,
        // A create that never arrived or a refusal: nothing was charged on either side.
        ("failed", "failed" | "absent") => true,
        ("failed", "reversed") => p.is_some_and(|p| p.paid == 0),
        _ => false,
    };
    if !agrees {
        out.push(format!("state: client {} / ledger {server_state}", r.state));
    }
    let (paid, refunded) = p.map(|p| (p.paid, p.refunded)).unwrap_or((0, 0));
    if let Some(m) = &r.paid {
        if m.minor != paid || p.is_some_and(|p| p.currency != m.currency && paid > 0) {
            out.push(format!(
                "paid: client {} {} / ledger {paid}",
                m.minor, m.currency
            ));
        }
    }
    if let Some(m) = &r.refunded {
        if m.minor != refunded {
            out.push(format!(
                "refunded: client {} {} / ledger {refunded}",
                m.minor, m.currency
            ));
        }
    }
    out
}

/// The ledger's own invariants for one payment: captured once, refunds add up.
fn self_check(p: &PaymentRow, refunds: &[RefundRow], captures: i64) -> Vec<String> {
    let mut out = Vec::new();
    if captures > 1 {
        out.push(format!("captured {captures} times"));
    }
    if p.paid > 0 && captures == 0 {
        out.push("paid without a capture".into());
    }
    let refund_sum: i64 = refunds
        .iter()
        .filter(|r| r.state != "closed")
        .map(|r| r.amount)
        .sum();
    let by_reverse = if p.reverse_result.as_deref() == Some("refunded") {
        p.paid
    } else {
        0
    };
    if refund_sum + by_reverse != p.refunded {
        out.push(format!(
            "refunded {} but refunds sum to {}",
            p.refunded,
            refund_sum + by_reverse
        ));
    }
    if p.refunded > p.paid {
        out.push(format!("refunded {} of {} paid", p.refunded, p.paid));
    }
    out
}

fn reconcile_one(c: &rusqlite::Connection, intent_id: &str) -> rusqlite::Result<Value> {
    let p = ledger::payment(c, intent_id)?;
    let refunds = ledger::refunds(c, Some(intent_id))?;
    let captures = ledger::capture_count(c, Some(intent_id))?;
    let report_text = ledger::client_reports(c)?
        .into_iter()
        .find(|r| r.0 == intent_id)
        .map(|r| r.2);
    let report: Option<ClientReport> = report_text
        .as_deref()
        .and_then(|t| serde_json::from_str(t).ok());
    let mut diffs = differences(p.as_ref(), report.as_ref());
    if let Some(p) = &p {
        diffs.extend(self_check(p, &refunds, captures));
    }
    Ok(json!({
        "intent_id": intent_id,
        "kind": p.as_ref().map(|p| p.kind.clone()),
        "ledger_state": p.as_ref().map(|p| p.state.clone()),
        "currency": p.as_ref().map(|p| p.currency.clone()),
        "original": p.as_ref().map(|p| p.original),
        "discount": p.as_ref().map(|p| p.discount),
        "payable": p.as_ref().map(|p| p.payable),
        "paid": p.as_ref().map(|p| p.paid),
        "refunded": p.as_ref().map(|p| p.refunded),
        "fees": p.as_ref().map(|p| p.fees.clone()),
        "route_used": p.as_ref().and_then(|p| p.route_used.clone()),
        "scenario": p.as_ref().map(|p| p.scenario.clone()),
        "captures": captures,
        "refunds": refunds.len(),
        "client_report": report_text.and_then(|t| serde_json::from_str::<Value>(&t).ok()),
        "differences": diffs,
    }))
}

async fn reconciliation(State(s): S) -> Response {
    let r = s.ledger.read(|c| {
        let mut ids: Vec<String> = ledger::payments(c)?
            .into_iter()
            .map(|p| p.intent_id)
            .collect();
        for (id, _, _) in ledger::client_reports(c)? {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        let rows = ids
            .iter()
            .map(|id| reconcile_one(c, id))
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok((rows, ledger::capture_count(c, None)?))
    });
    match r {
        Ok((rows, captures)) => {
            let mut paid: HashMap<String, i64> = HashMap::new();
            let mut refunded: HashMap<String, i64> = HashMap::new();
            for row in &rows {
                if let Some(c) = row["currency"].as_str() {
                    *paid.entry(c.to_string()).or_default() += row["paid"].as_i64().unwrap_or(0);
                    *refunded.entry(c.to_string()).or_default() +=
                        row["refunded"].as_i64().unwrap_or(0);
                }
            }
            let differing = rows
                .iter()
                .filter(|r| r["differences"].as_array().is_some_and(|d| !d.is_empty()))
                .count();
            Json(json!({
                "totals": {"captures": captures, "paid": paid, "refunded": refunded,
                    "intents": rows.len(), "with_differences": differing},
                "rows": rows,
            }))
            .into_response()
        }
        Err(e) => internal(e),
    }
}
