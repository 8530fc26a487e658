//! `hutong-qa identify`: what the SDK thinks a payload is, for humans or as JSON lines.

use anyhow::{Context as _, Result};
use hutong::codes::text::{escape_for_display, to_safe_json};
use hutong::registry::{Context, Expect, PaymentCode, Registry};
use hutong::route;
use std::io::{BufRead, Write};

// `scan --identify` prints `hutong::registry::identify(text).to_json()`, the same object.

pub struct Options {
    pub json: bool,
    pub jsonl: bool,
    pub expect_merchant: bool,
    pub wallet: Option<String>,
    pub payload: Option<String>,
}

pub fn run(opts: Options) -> Result<()> {
    let ctx = Context {
        expect: if opts.expect_merchant {
            Expect::MerchantCode
        } else {
            Expect::Any
        },
        ..Context::default()
    };
    let reg = Registry::builtin();
    if opts.jsonl {
        // Each input line is a JSON string, because payloads may contain newlines (EPC, Swiss).
        let stdin = std::io::stdin();
        let mut out = std::io::stdout().lock();
        for (n, line) in stdin.lock().lines().enumerate() {
            let line = line.context("reading stdin")?;
            if line.trim().is_empty() {
                continue;
            }
            let value = match serde_json::from_str::<String>(&line) {
                Ok(text) => reg.identify(&text, &ctx).to_json(),
                Err(e) => serde_json::json!({
                    "network": null, "valid": false,
                    "error": format!("line {}: not a JSON string: {e}", n + 1),
                    "error_code": "bad_input_line",
                }),
            };
            writeln!(out, "{}", to_safe_json(&value))?;
        }
        return Ok(());
    }
    let payload = opts
        .payload
        .context("give a PAYLOAD argument, or --jsonl to read JSON strings from stdin")?;
    let code = reg.identify(&payload, &ctx);
    let route = opts
        .wallet
        .as_deref()
        .map(|w| route::profile(w).with_context(|| format!("no wallet profile `{w}`")))
        .transpose()?
        .map(|p| (p.id.clone(), route::can_pay(&p, &code)));
    if opts.json {
        let mut v = code.to_json();
        if let Some((wallet, r)) = route {
            v["route"] = serde_json::json!({ "wallet": wallet, "route": format!("{r:?}") });
        }
        println!("{}", to_safe_json(&v));
    } else {
        print_human(&code);
        if let Some((wallet, r)) = route {
            row("route", &format!("{wallet}: {r:?}"));
        }
    }
    Ok(())
}

/// One `key  value` line; the value is escaped, so a payload's control or bidi characters
/// (an ESC sequence, U+202E) are shown as `\u{1b}`, `\u{202e}` and never act on the terminal.
fn row(key: &str, value: &str) {
    println!("{key:<17} {}", escape_for_display(value));
}

fn print_human(code: &PaymentCode) {
    row(
        "network",
        &format!(
            "{} ({})",
            code.network.as_deref().unwrap_or("unknown"),
            code.network_name.as_deref().unwrap_or("-")
        ),
    );
    row("valid", &code.valid.to_string());
    if let Some(e) = &code.error {
        row("error", &e.to_string());
    }
    row("presentation", code.presentation.as_str());
    row("static/dynamic", code.static_or_dynamic.as_str());
    row("receiver", code.receiver.as_str());
    row("confidence", code.confidence.as_str());
    if let Some(k) = &code.kind {
        row("kind", k);
    }
    if let Some(m) = code.amount {
        row("amount", &m.to_string());
    } else if let Some(c) = code.currency {
        row("currency", c.alpha);
    }
    for (k, v) in [
        ("merchant", &code.merchant_name),
        ("city", &code.merchant_city),
        ("note", &code.note),
        ("country", &code.country),
    ] {
        if let Some(v) = v {
            row(k, v);
        }
    }
    let risk: Vec<&str> = code.risk.iter().map(|r| r.as_str()).collect();
    row(
        "risk",
        &if risk.is_empty() {
            "none".to_string()
        } else {
            risk.join(", ")
        },
    );
    if !code.suspicious_text.is_empty() {
        row("suspicious text", &code.suspicious_text.join(", "));
    }
    if !code.deviations.is_empty() {
        row("deviations", &code.deviations.join(", "));
    }
    for (k, v) in &code.details {
        row(&format!("  {}", escape_for_display(k)), v);
    }
}
