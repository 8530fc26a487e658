//! Every record of `tests/data/vectors/payment-codes.json` and `field-samples.json` (provenance
//! in SOURCES.md beside them) is checked here: network, valid, and every expected field our
//! output carries.

use hutong_core::registry::{Context, PaymentCode, Registry};
use serde_json::Value;

/// Records whose source asserts something we deliberately do differently, with the reason.
/// Each must still disagree with the source: a stale exception fails the test.
const EXCEPTIONS: &[(&str, &str)] = &[
    (
        "emv-mpm-mercari-pass",
        "the record's expected template-80 GUID is shifted by two characters against the payload \
         (`8036` `0032` `39401ff0...02e`); we follow the lengths the payload declares",
    ),
    (
        "fps-hk-mobile-amount",
        "tag 01 in the payload is `12` (dynamic); the record's `static` is a researcher's reading \
         of how the source uses the code, not a field of the payload",
    ),
    (
        "vnpay-personal-wallet",
        "the source library calls any payload it cannot place `vn_unknown_provider`; tag 04 \
         `VNPayWallet` names VNPAY's wallet, so we report `vnpay_wallet` (valid, read tolerantly \
         with the missing tags 52/53/58/59/60 and POI `10` named as deviations)",
    ),
    (
        "bip21-valid-13",
        "the source decoder was told to accept a custom `other:` scheme; an arbitrary URI scheme \
         is not a bitcoin payment, so we report `unknown_url`",
    ),
    (
        "th-slip-verify-generated",
        "the source validates the slip-verification structure; we read it the same way (network, \
         sending bank, reference) but `valid` means payable, and a slip check proves a past \
         transfer: it comes back invalid with `not_a_payment_code`",
    ),
    (
        "bolt11-invalid-sig",
        "the signature's recovery id is in range; telling that the point is not on the curve needs \
         secp256k1 public-key recovery, which the SDK does not carry (the paying node verifies it)",
    ),
];

/// Records that test acceptance under a named network profile, not plain identification.
const PROFILE_RECORDS: &[(&str, &str)] = &[
    ("jpqr-country-not-jp", "jpqr"),
    ("jpqr-currency-not-392", "jpqr"),
    ("jpqr-lowercased-crc-invalid", "jpqr"),
];

fn records() -> Vec<Value> {
    parse_records(include_str!("data/vectors/payment-codes.json"))
}

fn field_samples() -> Vec<Value> {
    parse_records(include_str!("data/vectors/field-samples.json"))
}

fn parse_records(text: &str) -> Vec<Value> {
    let parsed: Value = serde_json::from_str(text).expect("vector file is JSON");
    parsed.as_array().expect("vector file is an array").clone()
}

fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                flatten(&format!("{prefix}.{i}"), v, out);
            }
        }
        _ => out.push((prefix.to_string(), v.clone())),
    }
}

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn opt_eq(field: &str, ours: Option<&str>, expected: &Value, problems: &mut Vec<String>) {
    let exp = as_text(expected);
    if ours.map(str::to_string) != exp {
        problems.push(format!("{field}: expected {expected}, got {ours:?}"));
    }
}

/// Compares one record; returns the mismatches.
fn check(record: &Value, code: &PaymentCode) -> Vec<String> {
    let mut problems = Vec::new();
    let expect = &record["expect"];
    let obj = expect.as_object().expect("expect is an object");
    for (key, value) in obj {
        match key.as_str() {
            "network" => opt_eq(key, code.network.as_deref(), value, &mut problems),
            "valid" => {
                if value.as_bool() != Some(code.valid) {
                    problems.push(format!(
                        "valid: expected {value}, got {} ({:?})",
                        code.valid, code.error
                    ));
                }
            }
            "error" => {
                if code.error.is_none() {
                    problems.push(format!("error: expected `{value}`, got none"));
                }
            }
            "presentation" => opt_eq(key, Some(code.presentation.as_str()), value, &mut problems),
            "static_or_dynamic" => opt_eq(
                key,
                Some(code.static_or_dynamic.as_str()),
                value,
                &mut problems,
            ),
            "merchant_name" => opt_eq(key, code.merchant_name.as_deref(), value, &mut problems),
            "merchant_city" => opt_eq(key, code.merchant_city.as_deref(), value, &mut problems),
            "note" => opt_eq(key, code.note.as_deref(), value, &mut problems),
            "deviations" => {
                let want: Vec<&str> = value
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                if code.deviations != want {
                    problems.push(format!(
                        "deviations: expected {want:?}, got {:?}",
                        code.deviations
                    ));
                }
            }
            "country" => opt_eq(key, code.country.as_deref(), value, &mut problems),
            "mcc" => opt_eq(key, code.mcc.as_deref(), value, &mut problems),
            "kind" => opt_eq(key, code.kind.as_deref(), value, &mut problems),
            "amount" => match (as_text(value), code.amount) {
                (None, None) => {}
                (Some(exp), Some(m)) => {
                    let want = hutong_core::money::parse_minor(&exp, m.currency.exponent);
                    if want != Ok(m.minor) {
                        problems.push(format!("amount: expected {exp}, got {m}"));
                    }
                }
                (exp, ours) => problems.push(format!("amount: expected {exp:?}, got {ours:?}")),
            },
            "currency" => {
                let exp = as_text(value).unwrap_or_default();
                let ours = [
                    code.currency.map(|c| format!("{:03}", c.numeric)),
                    code.currency.map(|c| c.alpha.to_string()),
                    code.amount.map(|m| format!("{:03}", m.currency.numeric)),
                    code.amount.map(|m| m.currency.alpha.to_string()),
                    code.details().get("53").cloned(),
                    code.details().get("currency").cloned(),
                ];
                if !ours.iter().flatten().any(|o| *o == exp) {
                    problems.push(format!("currency: expected {exp}, got {ours:?}"));
                }
            }
            _ => {
                let mut flat = Vec::new();
                flatten(key, value, &mut flat);
                for (k, v) in flat {
                    match (code.details().get(&k), &v) {
                        (Some(ours), _) if Some(ours.clone()) == as_text(&v) => {}
                        (None, Value::Null) => {}
                        (None, _) => {} // a field our output does not carry
                        (ours, _) => problems.push(format!("{k}: expected {v}, got {ours:?}")),
                    }
                }
            }
        }
    }
    problems
}

fn identify_record(record: &Value) -> PaymentCode {
    let id = record["id"].as_str().unwrap_or_default();
    let payload = record["payload"].as_str().expect("payload is a string");
    let profile = PROFILE_RECORDS
        .iter()
        .find(|(r, _)| *r == id)
        .map(|(_, p)| p.to_string());
    let ctx = Context {
        profile,
        ..Context::default()
    };
    hutong_core::identify::identify_with(Registry::builtin(), payload, &ctx)
}

#[test]
fn every_vector_record_matches_or_is_a_listed_exception() {
    let mut failures = Vec::new();
    let mut stale = Vec::new();
    for record in records() {
        let id = record["id"].as_str().unwrap_or_default().to_string();
        let code = identify_record(&record);
        let problems = check(&record, &code);
        let excepted = EXCEPTIONS.iter().any(|(e, _)| *e == id);
        match (problems.is_empty(), excepted) {
            (false, false) => failures.push(format!("{id}: {}", problems.join("; "))),
            (true, true) => stale.push(id),
            _ => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} records differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        stale.is_empty(),
        "exceptions that now pass, remove them: {stale:?}"
    );
}

#[test]
fn every_field_sample_matches() {
    let samples = field_samples();
    assert!(samples.len() >= 4);
    let failures: Vec<String> = samples
        .iter()
        .filter_map(|record| {
            let problems = check(record, &identify_record(record));
            (!problems.is_empty()).then(|| format!("{}: {}", record["id"], problems.join("; ")))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_vector_file_holds_all_141_records() {
    assert_eq!(records().len(), 141);
}

#[test]
fn jpqr_profile_is_only_applied_when_asked() {
    let record = records()
        .into_iter()
        .find(|r| r["id"] == "jpqr-country-not-jp")
        .expect("record present");
    let plain = hutong_core::identify::identify(record["payload"].as_str().unwrap_or_default());
    assert!(plain.valid);
    assert!(!identify_record(&record).valid);
}
