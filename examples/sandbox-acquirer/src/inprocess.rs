//! The sandbox's request handling driven in-process, without sockets or TLS: a request script
//! (one or more requests: method, target, headers, body) goes through the real router on an
//! in-memory ledger, and every answer is checked against what the protocol promises. The fuzz
//! target `sandbox_request` and the property tests in `tests/request_properties.rs` use it; the
//! server itself never does.
//!
//! # Script format
//!
//! Requests are separated by a line `###`; at most [`MAX_REQUESTS`] are run. One request:
//!
//! ```text
//! POST /v1/payments/$INTENT/refunds
//! content-type: application/json
//! idempotency-key: r-1
//! @skew -400
//!
//! {"refund_id": "r-1", "amount": {"minor": 100, "currency": "CNY"}}
//! ```
//!
//! The first line is the method and the request target; header lines follow; a blank line starts
//! the body (raw bytes, to the end of the request). The harness signs every request as the
//! registered device would (protocol §2) unless the script sends its own `authorization` header
//! or says `@unsigned`. Other directives: `@fresh-key` signs with a key that is not registered
//! (so `POST /v1/devices` can register it), `@skew N` moves the signed timestamp by N seconds,
//! `@same-nonce` reuses the previous request's nonce, `@tamper` changes the body after signing.
//! `$KEY_ID` and `$PUBLIC_KEY` (base64) stand for the signing key anywhere in the request.

use crate::ledger::{self, Ledger};
use crate::state::{now, SandboxState, Timing};
use crate::SandboxError;
use axum::body::Body;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use hutong_core::sign::{
    canonical_request, new_nonce, Authorization, ResponseVerifier, SignError, Signer,
    SoftwareSigner, SystemClock,
};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tower::ServiceExt as _;

/// Requests run per script; the rest is ignored (keeps one fuzz execution short).
pub const MAX_REQUESTS: usize = 8;
/// The line between two requests of a script.
pub const SEPARATOR: &[u8] = b"\n###\n";
/// Account of the registered device.
pub const ACCOUNT: &str = "acct-fuzz";
/// Largest response body read back (the sandbox's answers are a few kilobytes).
const MAX_RESPONSE_BYTES: usize = 1 << 20;

/// One request of a script as the router saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub method: String,
    pub target: String,
    /// `None`: the script's request is not valid HTTP (bad method, target or header) and was
    /// not sent.
    pub status: Option<u16>,
    /// `error.code` of a non-2xx JSON answer.
    pub error_code: Option<String>,
    /// The `Allow` header of the answer.
    pub allow: Option<String>,
}

/// A broken promise: the answer or the ledger after it is not what the protocol says.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("request {index} ({method} {target}): {what}")]
pub struct Violation {
    pub index: usize,
    pub method: String,
    pub target: String,
    pub what: String,
}

/// Harness directives of one request (the `@...` lines).
#[derive(Debug, Default, Clone)]
struct Directives {
    unsigned: bool,
    fresh_key: bool,
    skew: i64,
    same_nonce: bool,
    tamper: bool,
}

#[derive(Debug, Default, Clone)]
struct ScriptRequest {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    directives: Directives,
}

/// The router on an in-memory ledger with one registered device, rebuilt fresh for every script.
pub struct Harness {
    rt: tokio::runtime::Runtime,
    ledger: Arc<Ledger>,
    device: SoftwareSigner,
    fresh: SoftwareSigner,
    timing: Timing,
    /// One script at a time: each starts from the same empty ledger.
    running: Mutex<()>,
}

impl Harness {
    pub fn new() -> Result<Harness, SandboxError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let ledger = Arc::new(Ledger::open(std::path::Path::new(":memory:"))?);
        let device = SoftwareSigner::generate("dev-fuzz").map_err(state_err)?;
        let fresh = SoftwareSigner::generate("dev-fresh").map_err(state_err)?;
        ledger.tx(|c| {
            ledger::insert_device(c, &device.key_id(), &device.public_key(), ACCOUNT, now())
        })?;
        Ok(Harness {
            rt,
            ledger,
            device,
            fresh,
            timing: Timing {
                // No forced fault may make an execution wait; without a connection the sandbox
                // answers `hold` and `reset` faults with a plain 503 at once.
                hold_after_commit: Duration::ZERO,
                slow_delay: Duration::ZERO,
                max_body_bytes: 64 * 1024,
                clock_offset_secs: 0,
            },
            running: Mutex::new(()),
        })
    }

    /// The registered device's key id.
    pub fn device_key_id(&self) -> String {
        self.device.key_id()
    }

    /// Runs `script` on a ledger holding only the registered device and the server keys.
    pub fn run(&self, script: &[u8]) -> Result<Vec<Sent>, Violation> {
        // A script that failed in another thread leaves nothing to protect: take the lock over.
        let _one_at_a_time = self.running.lock().unwrap_or_else(|e| e.into_inner());
        self.reset();
        let state = SandboxState::new(self.ledger.clone(), self.timing.clone(), None)
            .expect("the in-memory ledger already holds the keys");
        let app = crate::router(state.clone());
        let verifier = ResponseVerifier::new(vec![state.root()], Arc::new(SystemClock));
        if let Ok(set) = state.signed_key_set() {
            verifier
                .install_key_set(&set)
                .expect("the sandbox's own key set verifies");
        }
        let mut sent = Vec::new();
        let mut last_nonce: Option<String> = None;
        for (index, req) in split(script).into_iter().enumerate() {
            let violation = |what: String| Violation {
                index,
                method: req.method.clone(),
                target: req.target.clone(),
                what,
            };
            let signer = if req.directives.fresh_key {
                &self.fresh
            } else {
                &self.device
            };
            let req = substitute(req.clone(), signer);
            let Some((http_req, request_nonce)) = self.build(&req, signer, &state, &mut last_nonce)
            else {
                sent.push(Sent {
                    method: req.method,
                    target: req.target,
                    status: None,
                    error_code: None,
                    allow: None,
                });
                continue;
            };
            let logged_before = exchange_count(&self.ledger);
            let resp = self
                .rt
                .block_on(async {
                    let resp = app.clone().oneshot(http_req).await?;
                    let (parts, body) = resp.into_parts();
                    let bytes = axum::body::to_bytes(body, MAX_RESPONSE_BYTES).await;
                    Ok::<_, std::convert::Infallible>((parts, bytes))
                })
                .unwrap_or_else(|never| match never {});
            let (parts, bytes) = resp;
            let bytes = bytes.map_err(|e| violation(format!("response body unreadable: {e}")))?;
            let status = parts.status.as_u16();
            let logged = exchange_count(&self.ledger) - logged_before;
            let error_code = check_answer(
                logged,
                &self.ledger,
                &verifier,
                &req,
                status,
                &parts.headers,
                &bytes,
                request_nonce.as_deref(),
            )
            .map_err(violation)?;
            check_ledger(&self.ledger).map_err(violation)?;
            let allow = parts
                .headers
                .get(axum::http::header::ALLOW)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            if status == 405 && allow.is_none() {
                return Err(violation("405 without an Allow header".into()));
            }
            sent.push(Sent {
                method: req.method,
                target: req.target,
                status: Some(status),
                error_code,
                allow,
            });
        }
        Ok(sent)
    }

    /// Empties everything a script can write, keeping the keys and the registered device.
    fn reset(&self) {
        self.ledger
            .tx(|c| {
                c.execute_batch(
                    "DELETE FROM payments; DELETE FROM captures; DELETE FROM refunds;
                     DELETE FROM idempotency; DELETE FROM scenario_hits; DELETE FROM exchanges;
                     DELETE FROM client_reports;",
                )?;
                c.execute(
                    "DELETE FROM devices WHERE key_id <> ?1",
                    [self.device.key_id()],
                )
                .map(|_| ())
            })
            .expect("the in-memory ledger can be emptied");
    }

    /// The HTTP request, signed unless the script says otherwise, and the nonce the server will
    /// bind its answer to. `None` when the script's request is not valid HTTP.
    fn build(
        &self,
        req: &ScriptRequest,
        signer: &SoftwareSigner,
        state: &SandboxState,
        last_nonce: &mut Option<String>,
    ) -> Option<(axum::http::Request<Body>, Option<String>)> {
        let method = axum::http::Method::from_bytes(req.method.as_bytes()).ok()?;
        let uri: axum::http::Uri = req.target.parse().ok()?;
        let target = uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| uri.path().to_string());
        let mut builder = axum::http::Request::builder().method(method).uri(uri);
        let mut authorization = None;
        // The script wrote its own Authorization, readable or not (a header with obs-text
        // bytes has no string value): never add a signed one beside it, or the server and this
        // harness would each read a different header.
        let mut scripted_authorization = false;
        for (name, value) in &req.headers {
            let name = axum::http::HeaderName::from_bytes(name.as_bytes()).ok()?;
            let value = axum::http::HeaderValue::from_bytes(value.as_bytes()).ok()?;
            if name == axum::http::header::AUTHORIZATION {
                // The server reads the first one, as `HeaderMap::get` does.
                if !scripted_authorization {
                    authorization = value.to_str().ok().map(str::to_string);
                }
                scripted_authorization = true;
            }
            builder = builder.header(name, value);
        }
        let mut body = req.body.clone();
        if !scripted_authorization && !req.directives.unsigned {
            let nonce = match (req.directives.same_nonce, last_nonce.as_ref()) {
                (true, Some(n)) => n.clone(),
                _ => new_nonce().ok()?,
            };
            let timestamp = state.clock().saturating_add(req.directives.skew);
            let message = canonical_request(&req.method, &target, timestamp, &nonce, &body);
            let auth = Authorization {
                key_id: signer.key_id(),
                timestamp,
                nonce,
                signature: signer.sign(message.as_bytes()).ok()?,
            };
            let value = auth.to_header_value();
            builder = builder.header(axum::http::header::AUTHORIZATION, value.as_str());
            authorization = Some(value);
            if req.directives.tamper {
                match body.last_mut() {
                    Some(b) => *b ^= 0x01,
                    None => body.push(b' '),
                }
            }
        }
        // What the server binds its answer to: the nonce of a header it could parse.
        let request_nonce = authorization
            .as_deref()
            .and_then(|a| Authorization::parse(a).ok())
            .map(|a| a.nonce);
        if request_nonce.is_some() {
            last_nonce.clone_from(&request_nonce);
        }
        let http_req = builder.body(Body::from(body)).ok()?;
        Some((http_req, request_nonce))
    }
}

fn state_err(e: SignError) -> SandboxError {
    SandboxError::State(crate::state::StateError::Sign(e))
}

/// The requests of a script (at most [`MAX_REQUESTS`]).
fn split(script: &[u8]) -> Vec<ScriptRequest> {
    let mut out = Vec::new();
    let mut rest = script;
    while out.len() < MAX_REQUESTS {
        let (one, next) = match find(rest, SEPARATOR) {
            Some(at) => (&rest[..at], Some(&rest[at + SEPARATOR.len()..])),
            None => (rest, None),
        };
        out.push(parse_request(one));
        match next {
            Some(n) => rest = n,
            None => break,
        }
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn parse_request(bytes: &[u8]) -> ScriptRequest {
    let (head, body) = match find(bytes, b"\n\n") {
        Some(at) => (&bytes[..at], bytes[at + 2..].to_vec()),
        None => (bytes, Vec::new()),
    };
    let head = String::from_utf8_lossy(head);
    let mut lines = head.split('\n');
    let first = lines.next().unwrap_or("");
    let (method, target) = first.split_once(' ').unwrap_or((first, ""));
    let mut req = ScriptRequest {
        method: method.to_string(),
        target: target.to_string(),
        body,
        ..Default::default()
    };
    for line in lines {
        if let Some(d) = line.strip_prefix('@') {
            let (name, arg) = d.split_once(' ').unwrap_or((d, ""));
            match name {
                "unsigned" => req.directives.unsigned = true,
                "fresh-key" => req.directives.fresh_key = true,
                "skew" => req.directives.skew = arg.trim().parse().unwrap_or(0),
                "same-nonce" => req.directives.same_nonce = true,
                "tamper" => req.directives.tamper = true,
                _ => {}
            }
        } else if let Some((name, value)) = line.split_once(':') {
            let value = value.strip_prefix(' ').unwrap_or(value);
            req.headers.push((name.to_string(), value.to_string()));
        }
    }
    req
}

/// Replaces the `$KEY_ID` and `$PUBLIC_KEY` placeholders with the signing key's.
fn substitute(mut req: ScriptRequest, signer: &SoftwareSigner) -> ScriptRequest {
    let key_id = signer.key_id();
    let public_key = B64.encode(signer.public_key());
    let text = |s: &str| {
        s.replace("$KEY_ID", &key_id)
            .replace("$PUBLIC_KEY", &public_key)
    };
    req.target = text(&req.target);
    for (_, v) in &mut req.headers {
        *v = text(v);
    }
    if find(&req.body, b"$").is_some() {
        req.body = replace_bytes(&req.body, b"$KEY_ID", key_id.as_bytes());
        req.body = replace_bytes(&req.body, b"$PUBLIC_KEY", public_key.as_bytes());
    }
    req
}

fn replace_bytes(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(hay.len());
    let mut rest = hay;
    while let Some(at) = find(rest, from) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(to);
        rest = &rest[at + from.len()..];
    }
    out.extend_from_slice(rest);
    out
}

fn exchange_count(ledger: &Ledger) -> i64 {
    ledger.read(ledger::exchange_count).unwrap_or(0)
}

/// The last exchange the sandbox logged: its status (`None`: no answer was sent) and note.
fn last_exchange(ledger: &Ledger) -> Option<(Option<u16>, Option<String>)> {
    ledger
        .read(|c| {
            c.query_row(
                "SELECT status, note FROM exchanges ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
        })
        .ok()
}

/// The answer keeps the protocol's promises (§3, §7.5); returns the error code of a refusal.
#[allow(clippy::too_many_arguments)]
fn check_answer(
    logged: i64,
    ledger: &Ledger,
    verifier: &ResponseVerifier,
    req: &ScriptRequest,
    status: u16,
    headers: &axum::http::HeaderMap,
    body: &[u8],
    request_nonce: Option<&str>,
) -> Result<Option<String>, String> {
    if status == 500 {
        return Err(format!(
            "500 Internal Server Error: {}",
            String::from_utf8_lossy(body)
        ));
    }
    let path = req
        .target
        .parse::<axum::http::Uri>()
        .map(|u| u.path().to_string())
        .unwrap_or_default();
    if !(path == "/v1" || path.starts_with("/v1/")) {
        // Admin routes (loopback only: refused here, no connection) and unknown paths.
        return Ok(None);
    }
    if logged != 1 {
        return Err(format!(
            "{logged} exchanges logged for one request (status {status})"
        ));
    }
    let exchange = last_exchange(ledger);
    let note = exchange
        .as_ref()
        .and_then(|e| e.1.clone())
        .unwrap_or_default();
    if exchange.as_ref().is_some_and(|e| e.0.is_none()) {
        // A forced reset or hold: without a connection the sandbox can only say 503.
        return if status == 503 && note.starts_with("forced:") {
            Ok(None)
        } else {
            Err(format!("no answer logged, yet {status} was sent ({note})"))
        };
    }
    if req.method.eq_ignore_ascii_case("HEAD") {
        // HTTP strips the body of a HEAD answer, and with it what the signature covers.
        return Ok(None);
    }
    let is_json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return Err(format!("{status} answer is not application/json"));
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| format!("{status} answer is not JSON ({e}): {}", lossy(body)))?;
    let error_code = if (200..300).contains(&status) {
        None
    } else {
        let e = &value["error"];
        let ok = e["code"].is_string()
            && e["message"].is_string()
            && matches!(e["outcome"].as_str(), Some("final" | "ambiguous"))
            && e["retryable"].is_boolean();
        if !ok {
            return Err(format!("{status} answer is not an error body: {value}"));
        }
        e["code"].as_str().map(str::to_string)
    };
    let unsigned_call = req.method == "GET" && path == "/v1/keys";
    let forced_signature = note.starts_with("forced:") && note.contains("signature");
    if !unsigned_call && !forced_signature {
        let lookup = |name: &'static str| headers.get(name).and_then(|v| v.to_str().ok());
        verifier
            .verify_headers(request_nonce, status, lookup, body)
            .map_err(|e| format!("{status} answer does not verify: {e}"))?;
    }
    Ok(error_code)
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(&b[..b.len().min(300)]).into_owned()
}

/// Ledger invariants no request may break: one capture per intent, refunds within what was paid.
fn check_ledger(ledger: &Ledger) -> Result<(), String> {
    let broken: Option<String> = ledger
        .read(|c| {
            let twice: Option<String> = c
                .query_row(
                    "SELECT intent_id FROM captures GROUP BY intent_id HAVING COUNT(*) > 1 LIMIT 1",
                    [],
                    |r| r.get(0),
                )
                .ok();
            if let Some(id) = twice {
                return Ok(Some(format!("intent {id} captured more than once")));
            }
            let over: Option<(String, i64, i64, i64)> = c
                .query_row(
                    "SELECT intent_id, paid, refunded, payable FROM payments
                     WHERE refunded < 0 OR refunded > paid OR paid > payable LIMIT 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .ok();
            Ok(over.map(|(id, paid, refunded, payable)| {
                format!("intent {id}: paid {paid}, refunded {refunded}, payable {payable}")
            }))
        })
        .map_err(|e| format!("ledger unreadable: {e}"))?;
    match broken {
        Some(what) => Err(format!("ledger invariant broken: {what}")),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_splits_into_requests_with_headers_directives_and_bodies() {
        let s = b"POST /v1/quotes\ncontent-type: application/json\n@skew -5\n@tamper\n\n{\"a\":1}\n###\nGET /v1/keys";
        let reqs = split(s);
        assert_eq!(reqs.len(), 2);
        assert_eq!(reqs[0].method, "POST");
        assert_eq!(reqs[0].target, "/v1/quotes");
        assert_eq!(
            reqs[0].headers,
            vec![("content-type".to_string(), "application/json".to_string())]
        );
        assert_eq!(reqs[0].directives.skew, -5);
        assert!(reqs[0].directives.tamper);
        assert_eq!(reqs[0].body, b"{\"a\":1}");
        assert_eq!(reqs[1].target, "/v1/keys");
        assert!(reqs[1].body.is_empty());
    }

    #[test]
    fn a_signed_request_reaches_its_handler_and_its_answer_verifies() {
        let h = Harness::new().unwrap();
        let sent = h.run(b"GET /v1/funding_sources").unwrap();
        assert_eq!(sent[0].status, Some(200));
        let sent = h.run(b"GET /v1/funding_sources\n@unsigned").unwrap();
        assert_eq!(sent[0].error_code.as_deref(), Some("SIGNATURE_MISSING"));
    }

    #[test]
    fn a_payment_then_its_refund_and_a_replay() {
        let h = Harness::new().unwrap();
        let pay = "POST /v1/payments\ncontent-type: application/json\nidempotency-key: i-1\n\n\
            {\"intent_id\":\"i-1\",\"out_trade_no\":\"HT1\",\"merchant_code\":\"https://qr.alipay.com/fkx12345\",\
            \"network\":\"alipay\",\"amount\":{\"minor\":1234,\"currency\":\"CNY\"},\
            \"confirmed_payable\":{\"minor\":1234,\"currency\":\"CNY\"},\"funding_source_id\":\"balance\",\
            \"route_requested\":\"alipay:direct\"}";
        let refund = "POST /v1/payments/i-1/refunds\ncontent-type: application/json\nidempotency-key: r-1\n\n\
            {\"refund_id\":\"r-1\",\"amount\":{\"minor\":1000,\"currency\":\"CNY\"}}";
        let script = format!("{pay}\n###\n{refund}\n###\n{refund}\n###\nGET /v1/refunds/r-1");
        let sent = h.run(script.as_bytes()).unwrap();
        let statuses: Vec<_> = sent.iter().map(|s| s.status).collect();
        assert_eq!(statuses, vec![Some(200); 4], "{sent:?}");
        // The next script starts from an empty ledger again.
        let sent = h.run(b"GET /v1/refunds/r-1").unwrap();
        assert_eq!(sent[0].error_code.as_deref(), Some("REFUND_NOT_FOUND"));
    }

    #[test]
    fn a_fresh_key_registers_itself_and_a_replayed_nonce_is_refused() {
        let h = Harness::new().unwrap();
        let script = "POST /v1/devices\ncontent-type: application/json\nidempotency-key: $KEY_ID\n@fresh-key\n\n\
            {\"key_id\":\"$KEY_ID\",\"public_key\":\"$PUBLIC_KEY\",\"account_id\":\"acct-2\"}\n###\n\
            GET /v1/funding_sources\n###\nGET /v1/funding_sources\n@same-nonce";
        let sent = h.run(script.as_bytes()).unwrap();
        assert_eq!(sent[0].status, Some(200), "{sent:?}");
        assert_eq!(sent[1].status, Some(200));
        assert_eq!(sent[2].error_code.as_deref(), Some("NONCE_REPLAYED"));
    }

    #[test]
    fn a_request_that_is_not_http_is_skipped() {
        let h = Harness::new().unwrap();
        let sent = h.run(b"BAD METHOD /v1/keys\n###\nGET not a uri").unwrap();
        assert!(sent.iter().all(|s| s.status.is_none()), "{sent:?}");
    }
}
