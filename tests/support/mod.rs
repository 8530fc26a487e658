//! An in-process switch for flow tests: a ledger with the protocol's idempotency and refund rules,
//! real request verification and real response signing, and scenarios that inject exactly the
//! failures the flow must survive (timeouts after commit, resets, 5xx, bad signatures).
//! It plugs in through the public `Transport` trait; the TLS transport is tested separately.
#![allow(dead_code)]

use hutong_core::flow::{FlowTimings, Payments, PaymentsConfig};
use hutong_core::sign::{Authorization, KeySet, PinnedRoot, SignedKeySet, Signer, SoftwareSigner};
use hutong_core::transport::{Method, Request, Response, SendFuture, Transport, TransportError};
use hutong_protocol::{sign_response, RequestVerifier};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[derive(Debug, Clone)]
pub struct PaymentRow {
    pub body: Value,
    pub state: String,
    pub paid: i64,
    pub refunded: i64,
    pub polls_left: u32,
    pub reverse_result: Option<String>,
}

#[derive(Debug, Default)]
pub struct Ledger {
    pub payments: HashMap<String, PaymentRow>,
    pub refunds: HashMap<String, (String, i64, String)>, // id -> (intent, amount, state)
    idem: HashMap<String, (String, u16, Value, String)>, // op:key -> (hash, status, answer, scenario)
    /// How many times money was captured (must equal the number of succeeded payments).
    pub captures: u32,
    pub requests: u32,
    once: HashMap<String, u32>,
}

pub struct TestSwitch {
    pub root: SoftwareSigner,
    pub server: SoftwareSigner,
    verifier: RequestVerifier,
    pub ledger: Mutex<Ledger>,
    devices: Mutex<HashMap<String, Vec<u8>>>,
}

impl TestSwitch {
    pub fn new() -> Arc<TestSwitch> {
        Arc::new(TestSwitch {
            root: SoftwareSigner::generate("root-test").unwrap(),
            server: SoftwareSigner::generate("srv-test").unwrap(),
            verifier: RequestVerifier::default(),
            ledger: Mutex::new(Ledger::default()),
            devices: Mutex::new(HashMap::new()),
        })
    }

    pub fn roots(&self) -> Vec<PinnedRoot> {
        vec![PinnedRoot {
            key_id: self.root.key_id(),
            public_key: self.root.public_key(),
        }]
    }

    /// Registers a device key out of band (as an operator would), for clients that skip
    /// `register_device`.
    pub fn register(&self, key_id: &str, public_key: Vec<u8>) {
        self.devices
            .lock()
            .unwrap()
            .insert(key_id.to_string(), public_key);
    }

    pub fn payment(&self, id: &str) -> Option<PaymentRow> {
        self.ledger.lock().unwrap().payments.get(id).cloned()
    }

    pub fn captures(&self) -> u32 {
        self.ledger.lock().unwrap().captures
    }

    fn respond(
        &self,
        req_nonce: Option<&str>,
        status: u16,
        body: &Value,
        scenario: &str,
    ) -> Response {
        let bytes = serde_json::to_vec(body).unwrap();
        let ts = if scenario == "stale_timestamp" {
            now() - 1000
        } else {
            now()
        };
        let sig = sign_response(&self.server, ts, req_nonce, status, &bytes).unwrap();
        let mut headers: Vec<(String, String)> = sig
            .to_headers()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        if scenario == "bad_signature" {
            headers[3].1 = "MEUCIQDtampered000000000000000000000000000000000AiAtampered00000000000000000000000000000000=".into();
        }
        Response {
            status,
            headers,
            body: bytes,
        }
    }

    fn handle(&self, req: &Request) -> Result<Response, TransportError> {
        if req.target == "/v1/keys" {
            let set = KeySet {
                version: 1,
                issued_at: now(),
                keys: vec![KeySet::entry_for(&self.server, now() - 3600, now() + 3600)],
            };
            let signed = SignedKeySet::sign(&set, &self.root).unwrap();
            return Ok(Response {
                status: 200,
                headers: vec![],
                body: serde_json::to_vec(&signed).unwrap(),
            });
        }
        let header = |n: &str| {
            req.headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(n))
                .map(|(_, v)| v.as_str())
        };
        let Ok(auth) = Authorization::parse(header("authorization").unwrap_or("")) else {
            return Ok(self.respond(None, 401, &err("SIGNATURE_INVALID", "final", false), ""));
        };
        let key_of = self.devices.lock().unwrap().get(&auth.key_id).cloned();
        let checked = key_of.ok_or(()).and_then(|pk| {
            self.verifier
                .verify(
                    &auth,
                    &pk,
                    req.method.as_str(),
                    &req.target,
                    &req.body,
                    now(),
                )
                .map_err(|_| ())
        });
        if checked.is_err() {
            let e = err("SIGNATURE_INVALID", "final", false);
            return Ok(self.respond(Some(&auth.nonce), 401, &e, ""));
        }
        let scenario_full = header("x-sandbox-scenario")
            .unwrap_or("success")
            .to_string();
        let scenario = scenario_full
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        let nonce = auth.nonce.clone();
        let mut l = self.ledger.lock().unwrap();
        l.requests += 1;
        let key = header("idempotency-key").map(|k| {
            let op = if req.target.ends_with("/reverse") {
                "reverse"
            } else if req.target.contains("/refunds") {
                "refund"
            } else {
                "create"
            };
            format!("{op}:{k}")
        });
        let body_hash = hutong_core::sign::sha256_hex(&req.body);
        if let Some(k) = &key {
            if let Some((h, status, answer, first_scenario)) = l.idem.get(k).cloned() {
                if h != body_hash {
                    let e = err("IDEMPOTENCY_CONFLICT", "final", false);
                    return Ok(self.respond(Some(&nonce), 422, &e, ""));
                }
                // The first request's scenario sticks to its key, as in the sandbox (protocol §8).
                let mut r = self.respond(Some(&nonce), status, &answer, &first_scenario);
                r.headers
                    .push(("Idempotent-Replayed".into(), "true".into()));
                return Ok(r);
            }
        }
        let first_time = {
            let c = l
                .once
                .entry(format!("{scenario}:{}", key.clone().unwrap_or_default()))
                .or_insert(0);
            *c += 1;
            *c == 1
        };
        let (status, answer) = match (req.method, req.target.as_str()) {
            (Method::Post, "/v1/devices") => {
                (200, json!({"key_id": auth.key_id, "account_id": "acct"}))
            }
            (Method::Get, "/v1/funding_sources") => (
                200,
                json!({"funding_sources": [
                {"id": "balance", "kind": "wallet_balance", "label": "Wallet balance", "available": {"minor": 50000, "currency": "CNY"}}]}),
            ),
            (Method::Post, "/v1/quotes") => {
                let b: Value = serde_json::from_slice(&req.body).unwrap();
                let original = b["amount"]["minor"].as_i64().unwrap_or(0);
                let discount = if b["network"] == "wechat_pay" {
                    (original / 10).min(3000)
                } else {
                    0
                };
                (
                    200,
                    json!({"merchant": {"id": "m-1", "name": "Hutong Coffee"}, "network": b["network"],
                    "route_requested": b["route_requested"], "route_used": b["route_requested"],
                    "original": money(original), "discount": money(discount), "payable": money(original - discount),
                    "promotion": null, "expires_at": now() + 60}),
                )
            }
            (Method::Post, "/v1/payments") | (Method::Post, "/v1/collections") => {
                if scenario == "system_error_once" && first_time {
                    return Ok(self.respond(
                        Some(&nonce),
                        503,
                        &err("SYSTEM_ERROR", "ambiguous", true),
                        "",
                    ));
                }
                if scenario == "reset_before_commit" && first_time {
                    return Err(TransportError::Io("connection reset by peer".into()));
                }
                let b: Value = serde_json::from_slice(&req.body).unwrap();
                let id = b["intent_id"].as_str().unwrap().to_string();
                if let Some(existing) = l.payments.get(&id) {
                    // Reverse closed the id before the create arrived: never a new charge.
                    (200, payment_json(&id, existing))
                } else {
                    match scenario.as_str() {
                        "insufficient_funds" => (422, err("INSUFFICIENT_FUNDS", "final", false)),
                        "auth_code_invalid" => (422, err("AUTH_CODE_INVALID", "final", false)),
                        _ => {
                            let amount = b.get("confirmed_payable").unwrap_or(&b["amount"])
                                ["minor"]
                                .as_i64()
                                .unwrap();
                            let paying = scenario.starts_with("user_paying");
                            let polls = scenario_full
                                .split("polls=")
                                .nth(1)
                                .and_then(|s| s.trim().parse().ok())
                                .unwrap_or(2);
                            let row = PaymentRow {
                                body: b.clone(),
                                state: if paying { "user_paying" } else { "succeeded" }.into(),
                                paid: if paying { 0 } else { amount },
                                refunded: 0,
                                polls_left: if scenario == "user_paying_forever" {
                                    u32::MAX
                                } else {
                                    polls
                                },
                                reverse_result: None,
                            };
                            if !paying {
                                l.captures += 1;
                            }
                            let j = payment_json(&id, &row);
                            l.payments.insert(id.clone(), row);
                            if scenario == "timeout_after_commit"
                                || scenario == "reset_after_commit"
                            {
                                if let Some(k) = &key {
                                    l.idem.insert(k.clone(), (body_hash, 200, j, String::new()));
                                }
                                return Err(if scenario == "timeout_after_commit" {
                                    TransportError::Timeout
                                } else {
                                    TransportError::Io("connection reset".into())
                                });
                            }
                            (200, j)
                        }
                    }
                }
            }
            (Method::Get, t) if t.starts_with("/v1/payments/") => {
                let id = t.trim_start_matches("/v1/payments/").to_string();
                match l.payments.get_mut(&id) {
                    None => (404, err("PAYMENT_NOT_FOUND", "final", false)),
                    Some(row) => {
                        if row.state == "user_paying" {
                            if row.polls_left == 0 {
                                row.state = "succeeded".into();
                                row.paid = row
                                    .body
                                    .get("confirmed_payable")
                                    .unwrap_or(&row.body["amount"])["minor"]
                                    .as_i64()
                                    .unwrap();
                                l.captures += 1;
                            } else if row.polls_left != u32::MAX {
                                row.polls_left -= 1;
                            }
                        }
                        let row = l.payments.get(&id).unwrap().clone();
                        (200, payment_json(&id, &row))
                    }
                }
            }
            (Method::Post, t) if t.ends_with("/reverse") => {
                let id = t
                    .trim_start_matches("/v1/payments/")
                    .trim_end_matches("/reverse")
                    .to_string();
                let row = l.payments.entry(id.clone()).or_insert_with(|| PaymentRow {
                    body: json!({"amount": money(0)}),
                    state: "user_paying".into(),
                    paid: 0,
                    refunded: 0,
                    polls_left: 0,
                    reverse_result: None,
                });
                if row.refunded > 0 && row.state == "succeeded" {
                    (409, err("REVERSE_NOT_ALLOWED", "final", false))
                } else {
                    let result = if row.state == "succeeded" {
                        "refunded"
                    } else {
                        "closed"
                    };
                    if result == "refunded" {
                        row.refunded = row.paid;
                    }
                    if row.state != "reversed" {
                        row.state = "reversed".into();
                        row.reverse_result = Some(result.into());
                    }
                    let row = row.clone();
                    (
                        200,
                        json!({"result": row.reverse_result, "payment": payment_json(&id, &row)}),
                    )
                }
            }
            (Method::Post, t) if t.ends_with("/refunds") => {
                let id = t
                    .trim_start_matches("/v1/payments/")
                    .trim_end_matches("/refunds")
                    .to_string();
                let b: Value = serde_json::from_slice(&req.body).unwrap();
                let amount = b["amount"]["minor"].as_i64().unwrap();
                let count = l.refunds.values().filter(|r| r.0 == id).count();
                match l.payments.get(&id).cloned() {
                    Some(row) if row.state == "succeeded" => {
                        if count >= 50 {
                            (422, err("REFUND_LIMIT", "final", false))
                        } else if row.refunded + amount > row.paid {
                            (422, err("REFUND_EXCEEDS_CAPTURED", "final", false))
                        } else {
                            let rid = b["refund_id"].as_str().unwrap().to_string();
                            let state = if scenario == "refund_processing" {
                                "processing"
                            } else {
                                "succeeded"
                            };
                            let total = row.refunded + amount;
                            l.payments.get_mut(&id).unwrap().refunded = total;
                            l.refunds
                                .insert(rid.clone(), (id.clone(), amount, state.into()));
                            (200, refund_json(&rid, &id, amount, state, total))
                        }
                    }
                    _ => (409, err("PAYMENT_NOT_REFUNDABLE", "final", false)),
                }
            }
            (Method::Get, t) if t.starts_with("/v1/refunds/") => {
                let rid = t.trim_start_matches("/v1/refunds/").to_string();
                match l.refunds.get_mut(&rid) {
                    None => (404, err("REFUND_NOT_FOUND", "final", false)),
                    Some(r) => {
                        r.2 = "succeeded".into();
                        let r = r.clone();
                        let total = l.payments.get(&r.0).map(|p| p.refunded).unwrap_or(0);
                        (200, refund_json(&rid, &r.0, r.1, &r.2, total))
                    }
                }
            }
            _ => (404, err("NOT_FOUND", "final", false)),
        };
        if let Some(k) = key {
            if status < 500 && !(status == 200 && answer["result"] == "retry_later") {
                l.idem
                    .insert(k, (body_hash, status, answer.clone(), scenario.clone()));
            }
        }
        Ok(self.respond(Some(&nonce), status, &answer, &scenario))
    }
}

fn money(minor: i64) -> Value {
    json!({"minor": minor, "currency": "CNY"})
}

fn err(code: &str, outcome: &str, retryable: bool) -> Value {
    json!({"error": {"code": code, "message": code, "outcome": outcome, "retryable": retryable}})
}

fn payment_json(id: &str, row: &PaymentRow) -> Value {
    let amount = row.body["amount"]["minor"].as_i64().unwrap_or(0);
    json!({"intent_id": id, "out_trade_no": row.body["out_trade_no"], "state": row.state,
        "reverse_result": row.reverse_result, "original": money(amount),
        "paid": money(row.paid), "refunded": money(row.refunded),
        "route_used": row.body["route_requested"], "switch_txn_id": format!("sw-{id}"),
        "fees": [{"institution": "hutong-switch", "role": "switch", "amount": money(row.paid / 100)}]})
}

fn refund_json(rid: &str, id: &str, amount: i64, state: &str, total: i64) -> Value {
    json!({"refund_id": rid, "intent_id": id, "state": state, "amount": money(amount),
        "refunded_total": money(total), "switch_refund_id": format!("swr-{rid}")})
}

impl Transport for TestSwitch {
    fn send<'a>(&'a self, request: &'a Request) -> SendFuture<'a> {
        Box::pin(async move { self.handle(request) })
    }
}

/// A `Payments` client wired to `switch`, with a journal in `dir` and millisecond timings.
pub fn client(
    switch: &Arc<TestSwitch>,
    dir: &std::path::Path,
    device: Arc<SoftwareSigner>,
) -> Payments {
    switch
        .devices
        .lock()
        .unwrap()
        .insert(device.key_id(), device.public_key());
    Payments::new(PaymentsConfig {
        endpoint: "https://switch.test".into(),
        ca_pem: None,
        spki_pins: vec![],
        journal_path: dir.join("journal.sqlite"),
        signer: device,
        server_roots: switch.roots(),
        listener: None,
        timings: FlowTimings::fast(),
        transport: Some(switch.clone() as Arc<dyn Transport>),
        wallet: None,
        registry: None,
    })
    .unwrap()
}
