//! One signed call to the switch: sign with a fresh nonce, send, verify the response against the
//! pinned key set, and retry with full-jitter backoff only when the call is idempotent and the
//! outcome was ambiguous. Nothing above this layer ever sees an unverified byte.

use super::wire::ErrorDetail;
use crate::journal::Journal;
use crate::sign::{sign_request_async, AsyncSigner, ResponseVerifier, SignError, SignedKeySet};
use crate::transport::{Method, Request, Response, RetryPolicy, Transport, TransportError};
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::Duration;

/// A response whose signature verified and that is bound to the request we sent.
#[derive(Debug, Clone)]
pub(crate) struct Verified {
    pub status: u16,
    pub body: Vec<u8>,
    pub replayed: bool,
}

impl Verified {
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, CallFailure> {
        serde_json::from_slice(&self.body)
            .map_err(|e| CallFailure::Ambiguous(format!("signed body does not parse: {e}")))
    }

    /// The error object of a verified non-2xx answer (an unparsable one counts as ambiguous).
    pub fn error(&self) -> ErrorDetail {
        serde_json::from_slice::<super::wire::ErrorBody>(&self.body)
            .map(|b| b.error)
            .unwrap_or(ErrorDetail {
                code: "UNPARSABLE_ERROR".into(),
                message: format!("HTTP {}", self.status),
                outcome: "ambiguous".into(),
                retryable: true,
            })
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// A refusal the switch made before any money moved: the only thing that may become `Failed`.
    /// `NONCE_REPLAYED` never is, whatever outcome it carries: it proves that a copy of this very
    /// request (a network duplicate, a proxy's redelivery) reached the switch first, and that
    /// copy may have been charged, so only a query can tell.
    pub fn is_final_refusal(&self) -> bool {
        if self.is_success() {
            return false;
        }
        let e = self.error();
        e.outcome == "final" && e.code != "NONCE_REPLAYED"
    }
}

/// Why a call produced no verified answer worth acting on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CallFailure {
    /// The request may or may not have taken effect: resolve by query, never by assuming.
    Ambiguous(String),
    /// Every attempt was refused before a byte left (connect/TLS).
    NotSent(String),
    /// The device key did not sign (failed, cancelled by the user, timed out) and nothing of
    /// this call can have taken effect. Never retried: a retry would prompt the user again.
    NotSigned(SignError),
}

impl std::fmt::Display for CallFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallFailure::Ambiguous(s) => write!(f, "outcome unknown: {s}"),
            CallFailure::NotSent(s) => write!(f, "not sent: {s}"),
            CallFailure::NotSigned(e) => write!(f, "not signed: {e}"),
        }
    }
}

pub(crate) struct Api {
    pub transport: Arc<dyn Transport>,
    /// Where the installed key-set version is kept across restarts (invariant 6).
    pub journal: Arc<Journal>,
    pub signer: Arc<dyn AsyncSigner>,
    pub verifier: ResponseVerifier,
    pub retry: RetryPolicy,
    /// The longest wait for one signature (a prompt the user may leave open).
    pub sign_timeout: Duration,
}

/// Whether a verified answer is worth repeating with identical parameters.
fn retryable(v: &Verified) -> bool {
    if v.is_success() {
        return false;
    }
    let e = v.error();
    (e.outcome == "ambiguous" && e.retryable)
        || e.code == "NONCE_REPLAYED"
        || e.code == "TIMESTAMP_SKEW"
}

impl Api {
    /// Fetches and installs the server key set (verified against the pinned roots).
    pub async fn refresh_keys(&self) -> Result<(), CallFailure> {
        let req = Request {
            method: Method::Get,
            target: "/v1/keys".into(),
            headers: vec![],
            body: vec![],
        };
        let resp = self
            .transport
            .send(&req)
            .await
            .map_err(|e| CallFailure::NotSent(format!("key set: {e}")))?;
        let signed: SignedKeySet = serde_json::from_slice(&resp.body)
            .map_err(|e| CallFailure::NotSent(format!("key set does not parse: {e}")))?;
        let version = self
            .verifier
            .install_key_set(&signed)
            .map_err(|e| CallFailure::NotSent(format!("key set refused: {e}")))?;
        self.journal
            .raise_key_set_floor(version)
            .map_err(|e| CallFailure::NotSent(format!("key set version not kept: {e}")))?;
        Ok(())
    }

    fn verify(&self, nonce: &str, resp: &Response) -> Result<(), SignError> {
        self.verifier
            .verify_headers(Some(nonce), resp.status, |h| resp.header(h), &resp.body)
            .map(|_| ())
    }

    /// Signs one attempt, waiting at most `sign_timeout`. On timeout the signer's future is
    /// dropped, which cancels the app's coroutine or task (and with it its prompt).
    async fn sign(
        &self,
        method: Method,
        target: &str,
        body: &[u8],
    ) -> Result<crate::sign::Authorization, SignError> {
        let signing = sign_request_async(
            self.signer.as_ref(),
            method.as_str(),
            target,
            body,
            self.verifier.server_now(),
        );
        match tokio::time::timeout(self.sign_timeout, signing).await {
            Ok(signed) => signed,
            Err(_) => Err(SignError::SignerTimedOut {
                after_ms: u64::try_from(self.sign_timeout.as_millis()).unwrap_or(u64::MAX),
            }),
        }
    }

    /// One attempt: sign, send, verify (refetching the key set once on an unknown key id).
    async fn attempt(
        &self,
        method: Method,
        target: &str,
        body: &[u8],
        idempotency_key: Option<&str>,
        extra_headers: &[(String, String)],
    ) -> Result<Verified, (CallFailure, Option<std::time::Duration>)> {
        if self.verifier.key_set_version().is_none() {
            self.refresh_keys().await.map_err(|e| (e, None))?;
        }
        let auth = self
            .sign(method, target, body)
            .await
            .map_err(|e| (CallFailure::NotSigned(e), None))?;
        let mut headers = vec![("Authorization".to_string(), auth.to_header_value())];
        if method == Method::Post {
            headers.push(("Content-Type".into(), "application/json".into()));
        }
        if let Some(k) = idempotency_key {
            headers.push(("Idempotency-Key".into(), k.to_string()));
        }
        headers.extend(extra_headers.iter().cloned());
        let req = Request {
            method,
            target: target.to_string(),
            headers,
            body: body.to_vec(),
        };
        let resp = match self.transport.send(&req).await {
            Ok(r) => r,
            Err(e) => {
                let f = if e.request_may_have_arrived() {
                    CallFailure::Ambiguous(e.to_string())
                } else {
                    CallFailure::NotSent(e.to_string())
                };
                return Err((f, None));
            }
        };
        let retry_after = resp.retry_after();
        let mut checked = self.verify(&auth.nonce, &resp);
        if let Err(SignError::UnknownKeyId(_)) = checked {
            // Rotation: the switch may have started signing with a key published after our fetch.
            if self.refresh_keys().await.is_ok() {
                checked = self.verify(&auth.nonce, &resp);
            }
        }
        if let Err(SignError::TimestampSkew { timestamp, .. }) = checked {
            // Protocol §3.3: a signed `401 TIMESTAMP_SKEW` bound to our nonce proves the switch's
            // clock (the signature is checked before the window), so adopt it. Any other skewed
            // answer stays refused: a stale success must never be believed.
            if resp.status == 401 && error_code(&resp.body) == "TIMESTAMP_SKEW" {
                self.verifier.resync(timestamp);
                checked = self.verify(&auth.nonce, &resp);
            }
        }
        match checked {
            Ok(()) => Ok(Verified {
                status: resp.status,
                replayed: resp
                    .header("idempotent-replayed")
                    .is_some_and(|v| v.eq_ignore_ascii_case("true")),
                body: resp.body,
            }),
            // An unverifiable answer is never believed, whatever it says: ambiguous.
            Err(e) => Err((
                CallFailure::Ambiguous(format!("HTTP {} not trusted: {e}", resp.status)),
                retry_after,
            )),
        }
    }

    /// A call with retries. Non-idempotent calls (none in this protocol carry money without a
    /// key) get exactly one attempt.
    pub async fn call(
        &self,
        method: Method,
        target: &str,
        body: &[u8],
        idempotency_key: Option<&str>,
        extra_headers: &[(String, String)],
    ) -> Result<Verified, CallFailure> {
        let idempotent = method == Method::Get || idempotency_key.is_some();
        let mut attempt = 0u32;
        let mut sent_once = false;
        let mut skew_retry = true;
        loop {
            let outcome = self
                .attempt(method, target, body, idempotency_key, extra_headers)
                .await;
            // The switch refused our timestamp, so nothing happened: after the resync in
            // `attempt`, re-sign and send once more at once, idempotent call or not.
            if let Ok(v) = &outcome {
                if skew_retry && v.status == 401 && v.error().code == "TIMESTAMP_SKEW" {
                    skew_retry = false;
                    sent_once = true;
                    continue;
                }
            }
            if let Err((CallFailure::NotSigned(e), _)) = outcome {
                // An earlier attempt of a mutating call may have landed; a read never has.
                return Err(if sent_once && method == Method::Post {
                    CallFailure::Ambiguous(format!("retry not signed: {e}"))
                } else {
                    CallFailure::NotSigned(e)
                });
            }
            let retry_after = match &outcome {
                Ok(v) if !retryable(v) => return outcome.map_err(|(f, _)| f),
                Ok(_) => None,
                Err((CallFailure::Ambiguous(_), ra)) => {
                    sent_once = true;
                    *ra
                }
                Err((CallFailure::NotSent(_) | CallFailure::NotSigned(_), _)) => None,
            };
            if outcome.is_ok() {
                sent_once = true;
            }
            let delay = if idempotent {
                self.retry.delay(attempt, retry_after)
            } else {
                None
            };
            let Some(delay) = delay else {
                return match outcome {
                    Ok(v) => Ok(v),
                    Err((CallFailure::NotSent(s), _)) if sent_once => {
                        Err(CallFailure::Ambiguous(s))
                    }
                    Err((f, _)) => Err(f),
                };
            };
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }
}

/// The `error.code` of a (not yet verified) error body, or "".
fn error_code(body: &[u8]) -> String {
    serde_json::from_slice::<super::wire::ErrorBody>(body)
        .map(|b| b.error.code)
        .unwrap_or_default()
}

impl From<TransportError> for CallFailure {
    fn from(e: TransportError) -> Self {
        if e.request_may_have_arrived() {
            CallFailure::Ambiguous(e.to_string())
        } else {
            CallFailure::NotSent(e.to_string())
        }
    }
}
