//! `hutong-qa identify`: what the SDK thinks a payload is, for humans or as JSON lines.

use anyhow::{Context as _, Result};
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
            writeln!(out, "{value}")?;
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
        println!("{v}");
    } else {
        print_human(&code);
        if let Some((wallet, r)) = route {
            println!("{:<18}{wallet}: {r:?}", "route");
        }
    }
    Ok(())
}

fn print_human(code: &PaymentCode) {
    let row = |k: &str, v: &str| println!("{k:<18}{v}");
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
    }
    for (k, v) in [
        ("merchant", &code.merchant_name),
        ("city", &code.merchant_city),
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
    for (k, v) in &code.details {
        row(&format!("  {k}"), v);
    }
}
