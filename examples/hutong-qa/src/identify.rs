//! `hutong-qa identify`: what the SDK thinks a payload is, for humans or as JSON lines.

use anyhow::{Context as _, Result};
use hutong_core::codes::text::{escape_for_display, to_safe_json};
use hutong_core::registry::{Context, Expect, PaymentCode, Registry};
use hutong_core::route;
use std::io::{BufRead, Write};

// `scan --identify` prints `hutong_core::identify::identify(text).to_json()`, the same object.

/// Longest `--jsonl` input line: payloads are a few hundred bytes (EPC at most 331), so a
/// line near this is not a payload, and it is not held whole.
const MAX_JSONL_LINE_BYTES: usize = 64 << 10;

/// Reads one line (without its newline) into `line`, keeping at most `cap` bytes: the rest of
/// a longer line is read and dropped. `None` at end of input; `Some(false)` for a long line.
pub(crate) fn read_line_capped(
    input: &mut impl BufRead,
    line: &mut Vec<u8>,
    cap: usize,
) -> std::io::Result<Option<bool>> {
    line.clear();
    let mut fits = true;
    let mut any = false;
    loop {
        let chunk = match input.fill_buf() {
            Ok(chunk) => chunk,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(any.then_some(fits));
        }
        any = true;
        let (part, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..i], Some(i + 1)),
            None => (chunk, None),
        };
        if fits && line.len() + part.len() <= cap {
            line.extend_from_slice(part);
        } else {
            fits = false;
            line.clear();
        }
        let used = done.unwrap_or(chunk.len());
        input.consume(used);
        if done.is_some() {
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            return Ok(Some(fits));
        }
    }
}

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
        // A bad line (not UTF-8, not a JSON string, too long) gets an error object in its place
        // and the stream goes on.
        let stdin = std::io::stdin();
        let mut input = stdin.lock();
        let mut out = std::io::stdout().lock();
        let mut line = Vec::new();
        let mut n = 0usize;
        loop {
            let read = read_line_capped(&mut input, &mut line, MAX_JSONL_LINE_BYTES)
                .context("reading stdin")?;
            let Some(fits) = read else { break };
            n += 1;
            if fits && line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let parsed = if !fits {
                Err(format!("longer than {MAX_JSONL_LINE_BYTES} bytes"))
            } else {
                std::str::from_utf8(&line)
                    .map_err(|e| format!("not UTF-8: {e}"))
                    .and_then(|text| {
                        serde_json::from_str::<String>(text)
                            .map_err(|e| format!("not a JSON string: {e}"))
                    })
            };
            let value = match parsed {
                Ok(text) => hutong_core::identify::identify_with(reg, &text, &ctx).to_json(),
                Err(why) => serde_json::json!({
                    "network": null, "valid": false,
                    "error": format!("line {n}: {why}"),
                    "error_code": "bad_input_line",
                    "line": n,
                }),
            };
            writeln!(out, "{}", to_safe_json(&value))?;
        }
        return Ok(());
    }
    let payload = opts
        .payload
        .context("give a PAYLOAD argument, or --jsonl to read JSON strings from stdin")?;
    let code = hutong_core::identify::identify_with(reg, &payload, &ctx);
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
    for (k, v) in &code.details() {
        row(&format!("  {}", escape_for_display(k)), v);
    }
}
