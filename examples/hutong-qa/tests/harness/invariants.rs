//! The six money invariants of docs/protocol.md, as checks over the ledger file, the journal
//! file and what the client processes said. Each check returns the violations it found; none
//! panics, so a soak counts every violation and goes on.
//!
//! 1. network, merchant and currency of a payment are the code's;
//! 2. a dynamic code's amount is paid exactly;
//! 3. at most one capture per intent, refunds never above the capture;
//! 4. what pay/collect/refund/cancel/status/recover returned agrees with the ledger;
//! 5. every idempotency key and journal entry reaches a final answer, even after crashes;
//! 6. a replayed or rolled-back message is refused, across restarts (checked where replayed).

use super::files::{Journal, Ledger, TERMINAL_INTENT, TERMINAL_REFUND};
use super::procs::Run;
use hutong_core::codes::StaticOrDynamic;
use std::collections::HashSet;
use std::fmt;

/// One broken invariant (0: the secrets-on-disk rule of issue 14, not a money invariant).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Violation {
    pub invariant: u8,
    pub what: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.invariant {
            0 => write!(f, "[files] {}", self.what),
            n => write!(f, "[invariant {n}] {}", self.what),
        }
    }
}

fn v(invariant: u8, what: impl Into<String>) -> Violation {
    Violation {
        invariant,
        what: what.into(),
    }
}

/// Something a client process said about an intent or a refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// `intent X ended S` (pay, collect, cancel), `intent X: S (paid ...)` (status),
    /// `Settled { intent_id: X, state: S }` (recover).
    Intent {
        id: String,
        state: String,
        by: String,
    },
    /// `refund R of A ended S` (refund), `RefundSettled { refund_id: R, state: S }` (recover).
    Refund {
        id: String,
        state: String,
        by: String,
    },
    /// The command failed (exit 1) after it had journalled this intent: a wallet shows an error,
    /// which a user reads as "not paid".
    ErrorAfterIntent {
        id: String,
        by: String,
        error: String,
    },
}

/// `TimedOut` -> `timed_out`: recover prints states in their Debug form.
fn snake(debug: &str) -> String {
    let mut out = String::new();
    for (i, c) in debug.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn quoted_after<'a>(line: &'a str, field: &str) -> Option<&'a str> {
    let rest = &line[line.find(field)? + field.len()..];
    let rest = rest.strip_prefix('"')?;
    Some(&rest[..rest.find('"')?])
}

fn debug_state(line: &str) -> Option<String> {
    let rest = &line[line.find("state: ")? + 7..];
    let word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '"' || *c == '_')
        .filter(|c| *c != '"')
        .collect();
    Some(snake(&word))
}

/// The claims of one finished (not killed) run.
pub fn claims_of(run: &Run) -> Vec<Claim> {
    let by = run.args.join(" ");
    let mut out = Vec::new();
    if run.killed {
        return out;
    }
    for line in &run.stdout {
        let l = line.trim();
        if let Some(rest) = l.strip_prefix("intent ") {
            if let Some((id, state)) = rest.split_once(" ended ") {
                out.push(Claim::Intent {
                    id: id.into(),
                    state: state.trim().into(),
                    by: by.clone(),
                });
            } else if let Some((id, tail)) = rest.split_once(": ") {
                if let Some((state, _)) = tail.split_once(" (paid") {
                    out.push(Claim::Intent {
                        id: id.into(),
                        state: state.trim().into(),
                        by: by.clone(),
                    });
                }
            }
        } else if let Some(rest) = l.strip_prefix("refund ") {
            if let (Some((id, _)), Some((_, state))) =
                (rest.split_once(" of "), rest.split_once(" ended "))
            {
                out.push(Claim::Refund {
                    id: id.into(),
                    state: state.trim().into(),
                    by: by.clone(),
                });
            }
        } else if l.starts_with("Settled {") {
            if let (Some(id), Some(state)) = (quoted_after(l, "intent_id: "), debug_state(l)) {
                out.push(Claim::Intent {
                    id: id.into(),
                    state,
                    by: by.clone(),
                });
            }
        } else if l.starts_with("RefundSettled {") {
            if let (Some(id), Some(state)) = (quoted_after(l, "refund_id: "), debug_state(l)) {
                out.push(Claim::Refund {
                    id: id.into(),
                    state,
                    by: by.clone(),
                });
            }
        }
    }
    if run.code.is_some_and(|c| c != 0) {
        let error = run
            .stderr
            .lines()
            .find(|l| l.starts_with("Error:"))
            .unwrap_or("(no error line)")
            .to_string();
        for id in run.new_intents() {
            out.push(Claim::ErrorAfterIntent {
                id,
                by: by.clone(),
                error: error.clone(),
            });
        }
    }
    out
}

/// Invariant 4 for one claim against the ledger now. Open states claim nothing yet.
pub fn check_claim(claim: &Claim, ledger: &Ledger) -> Option<Violation> {
    match claim {
        Claim::Intent { id, state, by } => {
            let p = ledger.payments.get(id);
            let captures = ledger.capture_count(id);
            match state.as_str() {
                "succeeded" if captures != 1 => Some(v(
                    4,
                    format!(
                        "`{by}` said {id} succeeded; the ledger has {captures} captures ({:?})",
                        p.map(|p| &p.state)
                    ),
                )),
                "failed" if captures > 0 => Some(v(
                    4,
                    format!(
                        "`{by}` said {id} failed; the ledger captured it ({:?})",
                        p.map(|p| &p.state)
                    ),
                )),
                "reversed" if p.is_none_or(|p| p.state != "reversed") => Some(v(
                    4,
                    format!(
                        "`{by}` said {id} reversed; the ledger has {:?}",
                        p.map(|p| &p.state)
                    ),
                )),
                _ => None,
            }
        }
        Claim::Refund { id, state, by } => {
            let r = ledger.refunds.get(id);
            match state.as_str() {
                "succeeded" if r.is_none_or(|r| r.state != "succeeded") => Some(v(
                    4,
                    format!(
                        "`{by}` said refund {id} succeeded; the ledger has {:?}",
                        r.map(|r| &r.state)
                    ),
                )),
                "closed" if r.is_some_and(|r| r.state != "closed") => Some(v(
                    4,
                    format!(
                        "`{by}` said refund {id} closed; the ledger has it {:?}",
                        r.map(|r| &r.state)
                    ),
                )),
                _ => None,
            }
        }
        Claim::ErrorAfterIntent { id, by, error } if ledger.is_charged(id) => Some(v(
            4,
            format!("`{by}` exited with an error ({error}) for {id}, which the ledger charged"),
        )),
        Claim::ErrorAfterIntent { .. } => None,
    }
}

/// The currency a code's payment must be in: the code's own, else its network's.
fn expected_currency(code: &hutong_core::registry::PaymentCode) -> Option<String> {
    const NETWORK_CURRENCY: [(&str, &str); 4] = [
        ("wechat_pay", "CNY"),
        ("alipay", "CNY"),
        ("unionpay", "CNY"),
        ("ecny", "CNY"),
    ];
    if let Some(m) = code.amount {
        return Some(m.currency.alpha.to_string());
    }
    let n = code.network.as_deref()?;
    NETWORK_CURRENCY
        .iter()
        .find(|(net, _)| *net == n)
        .map(|(_, c)| c.to_string())
}

/// Invariants 1-3 over the whole ledger: true at every instant, whatever is in flight.
pub fn check_ledger(ledger: &Ledger) -> Vec<Violation> {
    let mut out = Vec::new();
    for p in ledger.payments.values() {
        let id = &p.intent_id;
        if let (Some(network), Some(route)) = (&p.network, &p.route_used) {
            if route.split(':').next() != Some(network.as_str()) {
                out.push(v(
                    1,
                    format!("{id}: route {route} is not a {network} route"),
                ));
            }
        }
        if p.kind == "payment" {
            let code_text = p.merchant_code.clone().unwrap_or_default();
            let code = hutong_core::identify::identify(&code_text);
            if p.network != code.network {
                out.push(v(
                    1,
                    format!(
                        "{id}: charged on {:?}, the code is {:?} ({code_text})",
                        p.network, code.network
                    ),
                ));
            }
            let merchant = format!(
                "m-{}",
                &hutong_core::sign::sha256_hex(code_text.trim().as_bytes())[..12]
            );
            if p.merchant_id.as_deref() != Some(merchant.as_str()) {
                out.push(v(
                    1,
                    format!(
                        "{id}: merchant {:?}, the code's is {merchant}",
                        p.merchant_id
                    ),
                ));
            }
            if let Some(c) = expected_currency(&code) {
                if p.currency != c {
                    out.push(v(
                        1,
                        format!("{id}: currency {}, the code's is {c}", p.currency),
                    ));
                }
            }
            if let (StaticOrDynamic::Dynamic, Some(fixed)) = (code.static_or_dynamic, code.amount) {
                if p.original != fixed.minor || p.currency != fixed.currency.alpha {
                    out.push(v(
                        2,
                        format!(
                            "{id}: dynamic code fixes {} {}, the ledger took {} {}",
                            fixed.minor, fixed.currency.alpha, p.original, p.currency
                        ),
                    ));
                }
            }
        }
        let captures = ledger.captures.get(id).cloned().unwrap_or_default();
        if captures.len() > 1 {
            out.push(v(
                3,
                format!("{id}: captured {} times {captures:?}", captures.len()),
            ));
        }
        if let Some(amount) = captures.first() {
            if *amount != p.paid || p.paid != p.payable {
                out.push(v(
                    3,
                    format!(
                        "{id}: captured {amount}, paid {}, payable {}",
                        p.paid, p.payable
                    ),
                ));
            }
        }
        let charged_states = match p.state.as_str() {
            "succeeded" => Some(1),
            "failed" | "user_paying" => Some(0),
            "reversed" if p.reverse_result.as_deref() == Some("closed") => Some(0),
            "reversed" => Some(1),
            _ => None,
        };
        if let Some(want) = charged_states {
            if captures.len() != want {
                out.push(v(
                    3,
                    format!(
                        "{id}: state {} ({:?}) with {} captures",
                        p.state,
                        p.reverse_result,
                        captures.len()
                    ),
                ));
            }
        }
        let refunded: i64 = ledger
            .refunds
            .values()
            .filter(|r| r.intent_id == *id && r.state != "closed")
            .map(|r| r.amount)
            .sum();
        let reversed_refund =
            p.state == "reversed" && p.reverse_result.as_deref() == Some("refunded");
        if refunded > p.paid || p.refunded > p.paid {
            out.push(v(
                3,
                format!(
                    "{id}: refunds {refunded} (recorded {}) exceed the {} paid",
                    p.refunded, p.paid
                ),
            ));
        }
        if !reversed_refund && refunded != p.refunded {
            out.push(v(
                3,
                format!(
                    "{id}: refund rows add up to {refunded}, payment says {}",
                    p.refunded
                ),
            ));
        }
    }
    for r in ledger.refunds.values() {
        if !ledger.payments.contains_key(&r.intent_id) {
            out.push(v(
                3,
                format!("refund {} of unknown payment {}", r.refund_id, r.intent_id),
            ));
        }
    }
    out
}

/// After the final healthy `recover`: invariants 4 and 5 between the journal and the ledger.
/// `foreign` are intent ids the harness created itself (raw probes), not the wallet.
pub fn check_settled(
    journal: &Journal,
    ledger: &Ledger,
    foreign: &HashSet<String>,
) -> Vec<Violation> {
    let mut out = Vec::new();
    for k in &ledger.idempotency {
        if k.state == "in_flight" {
            out.push(v(
                5,
                format!(
                    "idempotency key {}:{} still in flight with no request running",
                    k.op, k.key
                ),
            ));
        }
    }
    for i in journal.intents.values() {
        let id = &i.intent_id;
        if !TERMINAL_INTENT.contains(&i.state.as_str()) {
            out.push(v(5, format!("{id} is still {} after recover", i.state)));
            continue;
        }
        if i.needs_reconciliation {
            out.push(v(
                5,
                format!("{id} is {} yet still flagged needs_reconciliation", i.state),
            ));
        }
        let p = ledger.payments.get(id);
        let captures = ledger.capture_count(id);
        let agrees = match (i.state.as_str(), p) {
            ("succeeded", Some(p)) => {
                p.state == "succeeded" && i.paid == Some(p.paid) && i.refunded == p.refunded
            }
            ("succeeded", None) => false,
            ("failed", p) => captures == 0 && p.is_none_or(|p| p.state != "succeeded"),
            ("reversed", Some(p)) => p.state == "reversed",
            _ => false,
        };
        if !agrees {
            out.push(v(
                4,
                format!(
                    "journal {id}: {} paid {:?} refunded {}; ledger: {:?} paid {:?} refunded {:?}, {captures} captures",
                    i.state,
                    i.paid,
                    i.refunded,
                    p.map(|p| &p.state),
                    p.map(|p| p.paid),
                    p.map(|p| p.refunded)
                ),
            ));
        }
    }
    for r in journal.refunds.values() {
        let id = &r.refund_id;
        if !TERMINAL_REFUND.contains(&r.state.as_str()) {
            out.push(v(
                5,
                format!("refund {id} is still {} after recover", r.state),
            ));
            continue;
        }
        let l = ledger.refunds.get(id);
        let agrees = match r.state.as_str() {
            "succeeded" => l.is_some_and(|l| l.state == "succeeded" && l.amount == r.amount),
            _ => l.is_none_or(|l| l.state == "closed"),
        };
        if !agrees {
            out.push(v(
                4,
                format!(
                    "journal refund {id}: {}; ledger: {:?}",
                    r.state,
                    l.map(|l| &l.state)
                ),
            ));
        }
    }
    for p in ledger.payments.values() {
        if p.kind != "tombstone"
            && !foreign.contains(&p.intent_id)
            && !journal.intents.contains_key(&p.intent_id)
        {
            out.push(v(
                4,
                format!(
                    "the ledger has {} ({}) that no journal knows",
                    p.intent_id, p.state
                ),
            ));
        }
    }
    for r in ledger.refunds.values() {
        if !journal.refunds.contains_key(&r.refund_id) {
            out.push(v(
                4,
                format!(
                    "the ledger has refund {} that no journal knows",
                    r.refund_id
                ),
            ));
        }
    }
    out
}

/// Issue 14: secrets on disk are private to their owner.
pub fn check_private(path: &std::path::Path, what: &str) -> Option<Violation> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then(|| {
        v(
            0,
            format!("{what} {} is mode {mode:o}, not 600", path.display()),
        )
    })
}
