//! Build glue for Hutong: the one place where multi-step commands live.
//!
//! `cargo xtask test` is the single test command that the README and CI use.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

mod android;
mod api;
mod bindings;
mod browser;
mod compare;
mod doc_check;
mod fuzz;
mod ios;
mod peers;
mod size;
mod snippets;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    std::env::set_current_dir(&root)?;
    match args.first().map(String::as_str) {
        Some("test") => test(&root),
        Some("bench-compare") => compare::bench_compare(&root),
        Some("bench-sequences") => compare::bench_sequences(&root),
        Some("bench-ffi") => bindings::bench_ffi(&root),
        Some("bindings") => bindings::bindings(&root, &bindings::Options::parse(&args[1..])?),
        Some("android-check") => bindings::android_check(),
        Some("android") => android::android(&root),
        Some("android-native") => {
            android::android_native(&root, &android::NativeOptions::parse(&root, &args[1..])?)
        }
        Some("android-jvm") => android::jvm_check(&root),
        Some("ios") => ios::ios(&root, &args[1..]),
        Some("fuzz") => fuzz::fuzz(&root, &fuzz::Options::parse(&args[1..])?),
        Some("api-contract") => api::api_contract(&root),
        Some("peers") => peers::peers(&root),
        Some("browser-test") => browser::browser_test(&root),
        Some("soak") => soak(&root, &args[1..]),
        Some("size") => size::size(&root, &size::Options::parse(&args[1..])?),
        Some("image-memory") => image_memory(),
        Some("screenshots") => browser::screenshots(&root),
        Some("help") | None => {
            print_help();
            Ok(())
        }
        Some(other) => {
            print_help();
            bail!("unknown xtask command `{other}`")
        }
    }
}

fn print_help() {
    eprintln!(
        "cargo xtask <command>\n\
         \n  test          fmt check, clippy -D warnings, all Rust tests, bindings + Kotlin JVM tests, Android JVM check,\
         \n                browser test of the QA console, schemathesis, every fuzz target briefly (what CI runs)\
         \n  bench-compare scan_frame against zxing-cpp (PyPI, venv under target/) on the seeded live-frame set:\
         \n                table, target/bench-compare.json, docs/perf/scan-latency.svg; then bench-sequences\
         \n  bench-sequences  time to first decode on frame sequences of a phone approaching a code: scan_frame,\
         \n                ScanSession and zxing-cpp per frame (same venv); tables, target/bench-sequences.json\
         \n  bench-ffi     scan a 1280x720 NV21 frame and identify a payload from Rust and from Kotlin,\
         \n                print both medians and the overhead of the Kotlin path\
         \n  bindings      host library -> Kotlin + Swift, API snapshot and Swift checks\
         \n                [--update-snapshot] rewrite bindings/api-snapshot.txt; [--release] release library\
         \n  android-check cargo check the core for aarch64-linux-android (no NDK needed to try)\
         \n  android       build the AAR with Gradle (needs the Android SDK + NDK, cargo-ndk)\
         \n  android-native  cargo-ndk libraries (16 KB pages) + Android Kotlin, called by Gradle\
         \n                [--jni-libs DIR] [--kotlin DIR]\
         \n  android-jvm   compile the Android Kotlin against android-all, run its JVM tests (needs `bindings`)\
         \n  ios           XCFramework (iOS, simulator, macOS) + Swift into bindings/swift (macOS only)\
         \n  fuzz [T...]   build every cargo-fuzz target, run each (or T...) in turn: [--minutes N | --seconds N\
         \n                | --runs N] (default HUTONG_FUZZ_SECONDS=5 s) [--jobs N: libFuzzer fork mode, N processes\
         \n                per target on one corpus] [--no-trace-compares: ~4x the image target's rate];\
         \n                table of executions, exec/s, coverage,\
         \n                corpus; a crash fails with its reproducer. Installs nightly + cargo-fuzz if missing\
         \n  api-contract  schemathesis (PyPI, venv under target/) against docs/openapi.yaml on a live sandbox,\
         \n                requests signed as a registered device (tests/api/hutong_auth.py); part of test\
         \n  peers         differential tests: pinned npm and PyPI peer libraries (tests/peers; node_modules and a venv\
         \n                under target/peers) write codes for `hutong-qa identify` and read what `hutong-qa gen --jsonl`\
         \n                writes; table of payloads / agreed / explained / failures per library; part of test\
         \n  browser-test  the QA console in headless Chromium against `hutong-qa sandbox` (part of test);\
         \n                installs chromium + playwright-core if missing (.ci/install-browser.sh)\
         \n  screenshots   regenerate docs/img/console.png from a live console\
         \n  soak [--minutes N]  the money model test (tests/money_model.rs) for N minutes (30): random\
         \n                pay/collect/refund/cancel/status/recover, network faults, client and sandbox\
         \n                SIGKILLs; prints cases, steps, kills, faults, violations; fails on any violation\
         \n  image-memory  tests/image_memory.rs at the 50 M pixel cap: peak heap of the worst image\
         \n                files against their ceilings (minutes; `test` runs them at 4 M pixels)\
         \n  size [--arm64-only|--host-only] [--top N] [-- cargo args]  release libhutong.so for the host\
         \n                and arm64: stripped sizes, top crates by code size; fails over the arm64 ceiling\
         \n                budget (part of test, arm64 only)\n"
    );
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

/// Runs a command, echoing it, and fails with its exit status.
fn run(cmd: &mut Command) -> Result<()> {
    eprintln!("xtask> {cmd:?}");
    let status = cmd.status().with_context(|| format!("spawning {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed with {status}");
    }
    Ok(())
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    without_package_env(&mut cmd);
    cmd
}

/// `cargo run -p xtask` gives this process the xtask package's own variables
/// (`CARGO_MANIFEST_DIR`, `CARGO_PKG_NAME`, ...). Build scripts such as ring's rerun when those
/// change, so a cargo started with them rebuilt ring, rustls and everything above them, and the
/// next plain `cargo` rebuilt them back: minutes per CI run. Children get them removed.
fn without_package_env(cmd: &mut Command) {
    for (name, _) in std::env::vars_os() {
        let Some(name) = name.to_str() else { continue };
        if name.starts_with("CARGO_PKG_")
            || name.starts_with("CARGO_MANIFEST_")
            || matches!(
                name,
                "CARGO_CRATE_NAME" | "CARGO_BIN_NAME" | "CARGO_PRIMARY_PACKAGE"
            )
        {
            cmd.env_remove(name);
        }
    }
}

fn test(root: &Path) -> Result<()> {
    run(cargo().args(["fmt", "--all", "--", "--check"]))?;
    run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    run(cargo().args(["test", "--workspace"]))?;
    // The platform profile (no image decoding, no PNG encoding, no built-in HTTPS; ADR 0011 and
    // 0012): the bindings' and the core's unit tests pass without them (files are refused with a
    // typed error, `encodeLumaPng` says it has no encoder, a client without the app's transport
    // is refused up front).
    run(cargo().args(["test", "-p", "hutong-ffi", "--no-default-features", "--lib"]))?;
    run(cargo().args([
        "test",
        "-p",
        "hutong-core",
        "--no-default-features",
        "--lib",
    ]))?;
    size::size(root, &size::Options::budget_check())?;
    bindings::bindings(root, &bindings::Options::parse(&[])?)?;
    bindings::kotlin_tests(root)?;
    android::jvm_check(root)?;
    browser::browser_test(root)?;
    api::api_contract(root)?;
    peers::peers(root)?;
    fuzz::smoke(root)?;
    Ok(())
}

/// `cargo xtask soak --minutes N`: the long run of the money model test (docs/reliability.md).
/// Runs unattended (every child process has a time limit), prints one line per case and a final
/// summary line, and fails if any invariant was violated.
fn soak(root: &Path, args: &[String]) -> Result<()> {
    let mut minutes: u64 = 30;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--minutes" => {
                minutes = it
                    .next()
                    .context("--minutes takes a number")?
                    .parse()
                    .context("--minutes takes a whole number of minutes")?
            }
            other => bail!("unknown soak option `{other}` (soak [--minutes N])"),
        }
    }
    let out = root.join("target/soak/summary.json");
    let _ = std::fs::remove_file(&out);
    let mut cmd = cargo();
    cmd.args([
        "test",
        "-p",
        "hutong-qa",
        "--test",
        "money_model",
        "--",
        "--ignored",
        "--exact",
        "soak",
        "--nocapture",
    ])
    .env("HUTONG_SOAK_MINUTES", minutes.to_string())
    .env("HUTONG_SOAK_OUT", &out);
    eprintln!("xtask> {cmd:?}");
    let status = cmd.status().context("running the soak")?;
    let text = std::fs::read_to_string(&out)
        .with_context(|| format!("the soak wrote no summary ({})", out.display()))?;
    let v: serde_json::Value = serde_json::from_str(&text).context("soak summary JSON")?;
    let t = &v["totals"];
    let n = |k: &str| t[k].as_u64().unwrap_or(0);
    println!(
        "soak: {} min ({} s): cases {} steps {} client runs {} client kills {} sandbox kills {} \
         sandbox crash points {} faults {} refused connections {} replays {} probes {} captured {} \
         refunds {} violations {} harness errors {}",
        minutes,
        v["elapsed_secs"].as_u64().unwrap_or(0),
        n("cases"),
        n("steps"),
        n("client_runs"),
        n("client_kills"),
        n("sandbox_kills"),
        n("sandbox_crash_points"),
        n("faults"),
        n("refused_connections"),
        n("replays"),
        n("probes"),
        n("captured"),
        n("refunds"),
        n("violations"),
        v["harness_errors"].as_u64().unwrap_or(0)
    );
    if !status.success() || n("violations") > 0 {
        bail!("soak failed ({status}); summary in {}", out.display());
    }
    Ok(())
}

/// The image memory ceilings at full size (issue 17); `test` runs the same cases smaller.
fn image_memory() -> Result<()> {
    run(cargo().env("HUTONG_IMAGE_MEMORY_AT_CAP", "1").args([
        "test",
        "-p",
        "hutong-core",
        "--test",
        "image_memory",
        "--",
        "--nocapture",
    ]))
}
