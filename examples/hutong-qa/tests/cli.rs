//! The QA tool as a user runs it: `demo` tells the whole story, `sandbox --ready-json` announces
//! itself with one JSON line and stops when its stdin closes, and `pay --sandbox-config` talks to
//! that child process over TLS.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

fn qa() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hutong-qa"))
}

#[test]
fn demo_scans_identifies_pays_and_refunds_half() {
    let out = qa().arg("demo").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for needle in [
        "matches : true",
        "route   : WeChat Pay pays unionpay codes by unionpay:unionpay_qr_interconnect",
        "payment submitting -> succeeded",
        "refund  : half of what was paid, 12.50 CNY",
        "refund  requested -> succeeded",
        "ledger  : succeeded paid 25.00 refunded 12.50 (1 capture, 1 refund)",
        "agree   : journal and ledger agree",
    ] {
        assert!(text.contains(needle), "missing `{needle}` in:\n{text}");
    }
}

#[test]
fn sandbox_ready_json_serves_a_pay_and_exits_when_stdin_closes() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("ledger.sqlite");
    let mut child = qa()
        .args(["sandbox", "--ready-json", "--ledger"])
        .arg(&ledger)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let ready: serde_json::Value = serde_json::from_str(&line).unwrap();
    for field in [
        "endpoint",
        "ca_pem",
        "spki_pin",
        "root_key_id",
        "root_public_key",
        "ledger",
    ] {
        assert!(
            ready[field].as_str().is_some_and(|v| !v.is_empty()),
            "{field} in {line}"
        );
    }
    assert!(ready["endpoint"]
        .as_str()
        .unwrap()
        .starts_with("https://127.0.0.1:"));
    assert!(ready["spki_pin"].as_str().unwrap().starts_with("sha256/"));
    assert!(ready["ca_pem"]
        .as_str()
        .unwrap()
        .starts_with("-----BEGIN CERTIFICATE-----"));
    assert_eq!(ready["ledger"].as_str().unwrap(), ledger.to_str().unwrap());

    let config = dir.path().join("sandbox.json");
    std::fs::write(&config, &line).unwrap();
    let pay = qa()
        .args([
            "pay",
            "--code",
            "https://qr.alipay.com/fkx12345",
            "--route",
            "alipay:direct",
        ])
        .args(["--amount", "12.34", "--sandbox-config"])
        .arg(&config)
        .arg("--journal")
        .arg(dir.path().join("journal.sqlite"))
        .arg("--key-file")
        .arg(dir.path().join("device.p8"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&pay.stdout);
    assert!(
        pay.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&pay.stderr)
    );
    assert!(text.contains("ended succeeded"), "{text}");
    #[cfg(unix)]
    key_file_is_owner_only_and_a_readable_one_is_narrowed(&config, dir.path());

    // Closing stdin stops it; nothing else is printed on stdout.
    let mut stdin = child.stdin.take().unwrap();
    stdin.flush().unwrap();
    drop(stdin);
    let status = child.wait().unwrap();
    assert!(status.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    assert_eq!(rest, "", "exactly one line on stdout");
}

/// The device key `pay` created is 0600; one left 0644 (by an older CLI) is narrowed to 0600,
/// with a warning, before the next command uses it.
#[cfg(unix)]
fn key_file_is_owner_only_and_a_readable_one_is_narrowed(
    config: &std::path::Path,
    dir: &std::path::Path,
) {
    use std::os::unix::fs::PermissionsExt;
    let key = dir.join("device.p8");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&key), 0o600, "a new key file is owner-only");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let recover = qa()
        .args(["recover", "--sandbox-config"])
        .arg(config)
        .arg("--journal")
        .arg(dir.join("journal.sqlite"))
        .arg("--key-file")
        .arg(&key)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&recover.stderr);
    assert!(recover.status.success(), "{err}");
    assert!(err.contains("was readable by others (mode 644)"), "{err}");
    assert_eq!(mode(&key), 0o600, "a readable key file is narrowed");
}

/// A BIP21 code whose label carries U+202E and whose message carries an ESC sequence.
const SPOOFED: &str =
    "bitcoin:1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH?label=Tea%E2%80%AEesuoH&message=hi%1B%5B2J%C2%9B";

fn assert_no_raw_controls_or_bidi(out: &str) {
    for c in out.chars() {
        assert!(
            !hutong_core::codes::text::is_unsafe(c) || c == '\n',
            "raw U+{:04X} in output:\n{}",
            u32::from(c),
            out.escape_debug()
        );
    }
}

#[test]
fn identify_human_output_escapes_controls_and_bidi() {
    let out = qa().args(["identify", SPOOFED]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_no_raw_controls_or_bidi(&text);
    assert!(text.contains("Tea\\u{202e}esuoH"), "{text}");
    assert!(text.contains("hi\\u{1b}[2J\\u{9b}"), "{text}");
    assert!(text.contains("text_spoofing"), "{text}");
}

#[test]
fn identify_json_output_escapes_bidi_and_c1_and_round_trips() {
    let out = qa().args(["identify", "--json", SPOOFED]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_no_raw_controls_or_bidi(&text);
    assert!(
        text.contains("\\u202e") && text.contains("\\u009b"),
        "{text}"
    );
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["merchant_name"], "Tea\u{202e}esuoH");
    assert_eq!(v["note"], "hi\u{1b}[2J\u{9b}");
    assert_eq!(v["suspicious_text_fields"][0], "options.label");

    let mut child = qa()
        .args(["identify", "--jsonl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let line = serde_json::to_string(SPOOFED).unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{line}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_no_raw_controls_or_bidi(&text);
    assert!(text.contains("\\u202e"), "{text}");
}

#[test]
fn scan_identify_escapes_controls_and_bidi_in_table_and_json() {
    use hutong_core::render::{render, RenderOptions, Symbology};
    let dir = tempfile::tempdir().unwrap();
    let payload = "upi://pay?pa=tea@upi&pn=Tea%E2%80%AEesuoH\u{202e}";
    let png = render(
        payload,
        Symbology::Qr,
        RenderOptions::for_symbology(Symbology::Qr, 6),
    )
    .unwrap()
    .to_png()
    .unwrap();
    let file = dir.path().join("spoof.png");
    std::fs::write(&file, png).unwrap();

    let out = qa()
        .args(["scan", "--identify"])
        .arg(&file)
        .output()
        .unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{table}");
    assert_no_raw_controls_or_bidi(&table);
    assert!(table.contains("esuoH\\u{202e}"), "{table}");

    let out = qa()
        .args(["scan", "--identify", "--json"])
        .arg(&file)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_no_raw_controls_or_bidi(&text);
    let v: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(v["codes"][0]["text"], payload);
    assert_eq!(v["codes"][0]["identification"]["network"], "upi");
}

#[test]
fn gen_jsonl_writes_one_identified_payload_per_request_and_survives_bad_lines() {
    let mut child = qa()
        .args(["gen", "--jsonl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            concat!(
                r#"{"network":"promptpay","amount":"0.01","merchant_name":"测试商店","merchant_city":"北京"}"#,
                "\n",
                "not json\n",
                r#"{"network":"nowhere"}"#,
                "\n",
                r#"{"network":"vietqr","amount":"1.5"}"#,
                "\n",
            )
            .as_bytes(),
        )
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    let pp = &lines[0];
    assert_eq!(pp["error"], serde_json::Value::Null, "{pp}");
    assert_eq!(pp["identified"]["network"], "promptpay");
    assert_eq!(pp["identified"]["amount"], "0.01");
    assert_eq!(pp["identified"]["merchant_name"], "测试商店");
    assert_eq!(pp["identified"]["merchant_city"], "北京");
    assert!(pp["payload"]
        .as_str()
        .unwrap()
        .contains("5904测试商店6002北京"));
    for bad in &lines[1..] {
        assert_eq!(bad["payload"], serde_json::Value::Null, "{bad}");
        assert!(bad["error"].as_str().is_some(), "{bad}");
    }
}
