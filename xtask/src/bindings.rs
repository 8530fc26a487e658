//! `cargo xtask bindings`: host library -> Kotlin + Swift (library mode) -> API snapshot check ->
//! Swift presence check -> doc comments on every exported declaration (`doc_check`).
//! `kotlin_tests` then runs the JVM tests against that library.
//!
//! The host library is built with the dev profile: `cargo test` has already compiled it (with
//! dependencies at opt-level 2), so generation adds seconds, where the LTO release profile would
//! add minutes on two cores. `--release` exists for timing runs.

use anyhow::{bail, Context, Result};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{cargo, run};

pub struct Options {
    pub update_snapshot: bool,
    pub release: bool,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Options> {
        let mut opts = Options {
            update_snapshot: false,
            release: false,
        };
        for a in args {
            match a.as_str() {
                "--update-snapshot" => opts.update_snapshot = true,
                "--release" => opts.release = true,
                other => bail!("unknown option `{other}` for `cargo xtask bindings`"),
            }
        }
        Ok(opts)
    }
}

const SNAPSHOT: &str = "bindings/api-snapshot.txt";
const KOTLIN_SRC: &str = "bindings/kotlin/src/main/kotlin";
const KOTLIN_NATIVE: &str = "bindings/kotlin/src/main/resources/linux-x86-64";
const SWIFT_SOURCES: &str = "bindings/swift/Sources";

pub(crate) fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

fn host_library_name() -> &'static str {
    if cfg!(target_os = "macos") {
        "libhutong.dylib"
    } else {
        "libhutong.so"
    }
}

pub fn bindings(root: &Path, opts: &Options) -> Result<()> {
    let profile_dir = if opts.release { "release" } else { "debug" };
    // The library is the one `cargo test --workspace` builds (same feature unification, so right
    // after the tests this compiles nothing; it lands in target/debug/deps). The bindgen tool is
    // built on its own: a workspace-wide `cargo build` would rebuild hutong with other features.
    run(cargo().args(["test", "--workspace", "--no-run"]))?;
    run(cargo().args(["build", "-p", "uniffi-bindgen"]))?;
    if opts.release {
        run(cargo().args(["build", "-p", "hutong-ffi", "--release"]))?;
    }

    let target = target_dir(root);
    let library = if opts.release {
        target.join(profile_dir).join(host_library_name())
    } else {
        target.join("debug/deps").join(host_library_name())
    };
    let tools = target.join("debug");
    let bindgen = tools.join("uniffi-bindgen");

    // Kotlin straight into the Maven source root (gitignored); stale files removed first.
    let kotlin_out = root.join(KOTLIN_SRC);
    if kotlin_out.exists() {
        fs::remove_dir_all(&kotlin_out).with_context(|| format!("clearing {kotlin_out:?}"))?;
    }
    fs::create_dir_all(&kotlin_out)?;
    generate(&bindgen, &library, "kotlin", &kotlin_out)?;

    // Swift into a scratch folder, then split into the package's two targets.
    let swift_scratch = target.join("bindings-swift");
    if swift_scratch.exists() {
        fs::remove_dir_all(&swift_scratch)?;
    }
    fs::create_dir_all(&swift_scratch)?;
    generate(&bindgen, &library, "swift", &swift_scratch)?;
    let swift = root.join(SWIFT_SOURCES);
    for (file, dir) in [
        ("Hutong.swift", "Hutong"),
        ("HutongFFI.h", "HutongFFI"),
        ("HutongFFI.modulemap", "HutongFFI"),
    ] {
        let from = swift_scratch.join(file);
        let to_dir = swift.join(dir);
        fs::create_dir_all(&to_dir)?;
        fs::copy(&from, to_dir.join(file))
            .with_context(|| format!("uniffi-bindgen did not write {from:?}"))?;
    }

    // JNA looks for `linux-x86-64/libhutong.so` on the classpath.
    let native = root.join(KOTLIN_NATIVE);
    fs::create_dir_all(&native)?;
    copy_without_debug_info(&library, &native.join(host_library_name()))?;

    let snapshot = api_snapshot(&tools.join("hutong-api-snapshot"), &library)?;
    check_snapshot(root, &snapshot, opts.update_snapshot)?;
    check_swift(&swift, &snapshot)?;
    crate::doc_check::check(&kotlin_out, &swift.join("Hutong/Hutong.swift"), &snapshot)?;
    crate::snippets::check_kotlin(root)?;
    crate::snippets::check_swift(root, &swift.join("Hutong"))?;
    eprintln!("xtask> bindings generated: {KOTLIN_SRC}, {SWIFT_SOURCES}; API snapshot matches");
    Ok(())
}

/// The dev library is ~100 MB of debug info that Maven and JNA would copy twice per run; the JVM
/// tests do not need it. Plain copy where binutils' `strip` is missing (macOS).
fn copy_without_debug_info(from: &Path, to: &Path) -> Result<()> {
    let stripped = Command::new("strip")
        .arg("--strip-debug")
        .arg("-o")
        .arg(to)
        .arg(from)
        .status()
        .is_ok_and(|s| s.success());
    if !stripped {
        fs::copy(from, to).with_context(|| format!("copying {from:?} to {to:?}"))?;
    }
    Ok(())
}

fn generate(bindgen: &Path, library: &Path, language: &str, out: &Path) -> Result<()> {
    run(Command::new(bindgen)
        .args(["generate", "--library", "--crate", "hutong", "--no-format"])
        .args(["--language", language, "--out-dir"])
        .arg(out)
        .arg(library))
}

fn api_snapshot(tool: &Path, library: &Path) -> Result<String> {
    let out = Command::new(tool)
        .arg(library)
        .output()
        .with_context(|| format!("running {tool:?}"))?;
    if !out.status.success() {
        bail!(
            "{tool:?} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8(out.stdout)?)
}

/// The checked-in snapshot must equal what the library exports, line for line.
fn check_snapshot(root: &Path, current: &str, update: bool) -> Result<()> {
    let path = root.join(SNAPSHOT);
    let header =
        "# Exported API of libhutong (UniFFI metadata). Generated by `cargo xtask bindings \
                  --update-snapshot`; do not edit.\n";
    let wanted = format!("{header}{current}");
    if update {
        fs::write(&path, &wanted)?;
        eprintln!("xtask> wrote {SNAPSHOT}");
        return Ok(());
    }
    let checked_in = fs::read_to_string(&path).unwrap_or_default();
    if checked_in == wanted {
        return Ok(());
    }
    let old: BTreeSet<&str> = checked_in.lines().collect();
    let new: BTreeSet<&str> = wanted.lines().collect();
    for gone in old.difference(&new) {
        eprintln!("- {gone}");
    }
    for added in new.difference(&old) {
        eprintln!("+ {added}");
    }
    bail!(
        "the exported API differs from {SNAPSHOT} (above: - checked in, + now). If the change is \
         intended, run `cargo xtask bindings --update-snapshot` and commit the file"
    )
}

/// Names a snapshot line declares, as they appear in the generated Swift: functions and
/// methods in lowerCamelCase, types as written.
fn swift_names(snapshot: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in snapshot.lines().filter(|l| !l.starts_with('#')) {
        let mut words = line.split_whitespace();
        let (Some(kind), Some(rest)) = (words.next(), words.next()) else {
            continue;
        };
        let name = rest.split(['(', '{', ' ']).next().unwrap_or(rest);
        match kind {
            "fn" => names.push(lower_camel(name)),
            "object" | "record" | "enum" | "error" | "trait" | "callback" | "custom" => {
                // "object Foo::method bar(...)": both the type and the member.
                if let Some((ty, _)) = name.split_once("::") {
                    names.push(ty.to_owned());
                    if let Some(member) = line.split_whitespace().nth(2) {
                        let member = member.split('(').next().unwrap_or(member);
                        names.push(lower_camel(member));
                    }
                } else {
                    names.push(line_type_name(line));
                }
            }
            _ => {}
        }
    }
    names
}

/// "error (flat, message only) AmountError { .. }" -> "AmountError".
fn line_type_name(line: &str) -> String {
    let before_brace = line.split('{').next().unwrap_or(line);
    before_brace
        .split_whitespace()
        .last()
        .unwrap_or_default()
        .to_owned()
}

fn lower_camel(snake: &str) -> String {
    let mut out = String::new();
    for (i, part) in snake.split('_').filter(|p| !p.is_empty()).enumerate() {
        if i == 0 {
            out.push_str(part);
        } else {
            let mut chars = part.chars();
            if let Some(c) = chars.next() {
                out.extend(c.to_uppercase());
                out.push_str(chars.as_str());
            }
        }
    }
    out
}

/// The C symbols the header must declare: one per function, constructor and method
/// (`uniffi_hutong_fn_func_identify`, `uniffi_hutong_fn_method_scanner_scan_nv21`...).
fn header_symbols(snapshot: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in snapshot.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let name = |w: &str| w.split('(').next().unwrap_or(w).to_owned();
        match words.as_slice() {
            ["fn", f, ..] => out.push(format!("uniffi_hutong_fn_func_{}", name(f))),
            ["object" | "trait", owner, m, ..] => {
                let (ty, kind) = owner.split_once("::").unwrap_or((owner, ""));
                let ty = ty.to_ascii_lowercase();
                match kind {
                    "method" => out.push(format!("uniffi_hutong_fn_method_{ty}_{}", name(m))),
                    "constructor" => {
                        out.push(format!("uniffi_hutong_fn_constructor_{ty}_{}", name(m)))
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    out
}

/// No Swift toolchain here: check that generation produced the three files and that the Swift
/// source mentions every exported name (the header every exported function's symbol).
fn check_swift(swift: &Path, snapshot: &str) -> Result<()> {
    let read = |p: PathBuf| fs::read_to_string(&p).with_context(|| format!("reading {p:?}"));
    let source = read(swift.join("Hutong/Hutong.swift"))?;
    let header = read(swift.join("HutongFFI/HutongFFI.h"))?;
    let modulemap = read(swift.join("HutongFFI/HutongFFI.modulemap"))?;
    let mut missing = Vec::new();
    if !modulemap.contains("module HutongFFI") || !modulemap.contains("HutongFFI.h") {
        missing.push("modulemap: module HutongFFI with header HutongFFI.h".to_owned());
    }
    for name in swift_names(snapshot) {
        if !source.contains(&name) {
            missing.push(format!("Hutong.swift: {name}"));
        }
    }
    for symbol in header_symbols(snapshot) {
        if !header.contains(&symbol) {
            missing.push(format!("HutongFFI.h: {symbol}"));
        }
    }
    if !missing.is_empty() {
        bail!("generated Swift is missing:\n  {}", missing.join("\n  "));
    }
    Ok(())
}

/// The JVM tests of the generated Kotlin, against the library `bindings` copied in.
pub fn kotlin_tests(root: &Path) -> Result<()> {
    maven_test(&root.join("bindings/kotlin"), "Kotlin binding tests")
}

/// `mvn clean test` in `dir`, quiet on success apart from Surefire's result lines.
pub(crate) fn maven_test(dir: &Path, what: &str) -> Result<()> {
    let mut cmd = Command::new("mvn");
    // `clean`: regenerated sources must not sit next to stale classes of removed ones.
    cmd.args(["-B", "--no-transfer-progress", "clean", "test"])
        .current_dir(dir)
        // JNA must load the library `bindings` put on the classpath, not whatever `cargo run`'s
        // LD_LIBRARY_PATH (target/debug/deps) offers to dlopen first.
        .env_remove("LD_LIBRARY_PATH");
    eprintln!("xtask> {cmd:?} (in {dir:?})");
    let out = cmd
        .output()
        .context("running mvn (install a JDK 17+ and Maven: .ci/install-extras.sh)")?;
    let log = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        eprintln!("{log}{}", String::from_utf8_lossy(&out.stderr));
        bail!("{what} failed ({})", out.status);
    }
    // Quiet on success: Surefire's per-class lines and its closing summary.
    for line in log.lines().filter(|l| l.contains("Tests run:")) {
        println!(
            "{}",
            line.trim_start_matches("[INFO] ")
                .trim_start_matches("[WARNING] ")
        );
    }
    Ok(())
}

/// `cargo xtask bench-ffi`: the Rust bench (`bindings/hutong-ffi/benches/ffi_calls.rs`, bench profile) writes its
/// frame and medians; the Kotlin harness (`FfiBench.kt`) then scans the same frame through JNA
/// with the cdylib that same `cargo bench` built, so both sides run identical machine code.
/// On a shared machine one pair of runs can differ by 2x from the next, so the pair is repeated
/// `HUTONG_FFI_ROUNDS` times (default 3), each Kotlin run compared with the Rust run just before.
pub fn bench_ffi(root: &Path) -> Result<()> {
    let target = target_dir(root);
    let out = target.join("ffi-bench");
    let rust_bench = || {
        run(cargo()
            .args(["bench", "-p", "hutong-ffi", "--bench", "ffi_calls"])
            .env("HUTONG_FFI_BENCH_OUT", &out))
    };
    rust_bench()?;
    bindings(
        root,
        &Options {
            update_snapshot: false,
            release: false,
        },
    )?;
    // The bench profile's cdylib, built alongside the bench (the release profile's code, with symbols).
    let bench_lib = target.join("release/deps").join(host_library_name());
    copy_without_debug_info(
        &bench_lib,
        &root.join(KOTLIN_NATIVE).join(host_library_name()),
    )?;
    let rounds: u32 = std::env::var("HUTONG_FFI_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let mut report = String::new();
    for round in 1..=rounds {
        if round > 1 {
            rust_bench()?;
        }
        let mut cmd = Command::new("mvn");
        cmd.args([
            "-B",
            "-q",
            "--no-transfer-progress",
            "test",
            "-Dtest=FfiBench",
            "-Dhutong.bench=true",
            "-Dsurefire.failIfNoSpecifiedTests=false",
        ])
        .current_dir(root.join("bindings/kotlin"))
        // `cargo run` puts target/debug/deps on LD_LIBRARY_PATH, where JNA's dlopen would find the
        // debug libhutong.so before the bench build on the classpath.
        .env_remove("LD_LIBRARY_PATH");
        run(&mut cmd)?;
        let table = out.join("table.md");
        let text = fs::read_to_string(&table).with_context(|| format!("reading {table:?}"))?;
        report.push_str(&format!("\nround {round}\n{text}"));
    }
    fs::write(out.join("rounds.md"), &report)?;
    print!("{report}");
    Ok(())
}

/// How far the core gets for Android without the NDK (ring and friends need a C compiler for
/// the target; pure-Rust crates check fine).
pub fn android_check() -> Result<()> {
    run(Command::new("rustup").args(["target", "add", "aarch64-linux-android"]))?;
    run(cargo().args([
        "check",
        "-p",
        "hutong-ffi",
        "--target",
        "aarch64-linux-android",
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_snake_case_to_swift_lower_camel() {
        assert_eq!(lower_camel("encode_luma_png"), "encodeLumaPng");
        assert_eq!(lower_camel("hutong_version"), "hutongVersion");
    }

    #[test]
    fn lists_the_header_symbol_of_every_function_constructor_and_method() {
        let snapshot = "fn identify(payload: String) -> CodeInfo\n\
            object Scanner\n\
            object Scanner::constructor new(options: ScanOptions) throws ScanError\n\
            object Payments::method pay async(code: String) -> Intent\n\
            trait Signer::method sign(message: Vec<u8>) -> Vec<u8>\n";
        assert_eq!(
            header_symbols(snapshot),
            [
                "uniffi_hutong_fn_func_identify",
                "uniffi_hutong_fn_constructor_scanner_new",
                "uniffi_hutong_fn_method_payments_pay",
                "uniffi_hutong_fn_method_signer_sign",
            ]
        );
    }

    #[test]
    fn reads_exported_names_from_snapshot_lines() {
        let snapshot = "# header\n\
            error (flat, message only) AmountError { Empty, Internal }\n\
            fn parse_amount(decimal: String) -> Amount throws AmountError\n\
            object Scanner::method scan_frame(y: &[u8]) -> Vec<u8>\n\
            record Amount { minor: i64 }\n";
        assert_eq!(
            swift_names(snapshot),
            [
                "AmountError",
                "parseAmount",
                "Scanner",
                "scanFrame",
                "Amount"
            ]
        );
    }
}
