//! `cargo xtask fuzz`: builds every cargo-fuzz target in `fuzz/` once and runs each in turn, on
//! one core, for a bounded time or number of executions, starting from the committed seeds
//! (`fuzz/corpus/<target>`, never written to) plus a working corpus that grows across runs
//! (`target/fuzz/corpus/<target>`). Prints executions, exec/s, coverage and corpus size per
//! target; a crash, timeout or memory blow-up fails the command with the reproducer's path.
//!
//! Built without a sanitizer: the code under test has no `unsafe`, and libFuzzer still catches
//! panics (overflow checks and debug assertions are on), slow inputs and RSS blow-ups;
//! `--sanitizer address` builds with ASan instead. `--no-trace-compares` leaves out libFuzzer's
//! comparison tracing, which takes three quarters of the image target's time (perf, 2026-12-06):
//! replaying its working corpus of 2,776 inputs took 20 s instead of 95 s, at the same edge
//! coverage. Tracing guides the fuzzer through magic numbers (file signatures, chunk names), so
//! long runs use it on a corpus the traced runs have grown.

use anyhow::{bail, Context, Result};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Seconds per target in `cargo xtask test` unless `HUTONG_FUZZ_SECONDS` says otherwise.
const SMOKE_SECONDS: u64 = 5;
/// One input may take this long before libFuzzer calls it a hang.
const INPUT_TIMEOUT_SECS: u64 = 30;
const RSS_LIMIT_MB: u64 = 2048;

#[derive(Debug, Clone, Copy)]
pub enum Budget {
    Seconds(u64),
    Runs(u64),
}

#[derive(Debug, Clone)]
pub struct Options {
    pub targets: Vec<String>,
    pub budget: Budget,
    pub sanitizer: String,
    /// Processes per target: above 1, libFuzzer's fork mode runs that many children on one
    /// shared corpus (the way to reach 10^7 executions of the image and frame targets, whose
    /// one-core rates are tens a second: docs/reliability.md).
    pub jobs: u32,
    /// Build without `-sanitizer-coverage-trace-compares` (its own build directory).
    pub no_trace_compares: bool,
}

impl Options {
    /// `[TARGET...] [--minutes N | --seconds N | --runs N] [--jobs N] [--no-trace-compares]
    /// [--sanitizer none|address]`
    pub fn parse(args: &[String]) -> Result<Options> {
        let mut o = Options {
            targets: vec![],
            budget: Budget::Seconds(smoke_seconds()),
            sanitizer: "none".into(),
            jobs: 1,
            no_trace_compares: false,
        };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut number = |flag: &str| -> Result<u64> {
                it.next()
                    .with_context(|| format!("{flag} needs a number"))?
                    .parse()
                    .with_context(|| format!("{flag} needs a whole number"))
            };
            match a.as_str() {
                "--minutes" => o.budget = Budget::Seconds(number("--minutes")?.saturating_mul(60)),
                "--seconds" => o.budget = Budget::Seconds(number("--seconds")?),
                "--runs" => o.budget = Budget::Runs(number("--runs")?),
                "--jobs" => {
                    o.jobs = u32::try_from(number("--jobs")?)
                        .ok()
                        .filter(|&n| n >= 1)
                        .context("--jobs needs a number from 1")?;
                }
                "--no-trace-compares" => o.no_trace_compares = true,
                "--sanitizer" => {
                    o.sanitizer = it.next().context("--sanitizer needs a name")?.clone();
                }
                flag if flag.starts_with("--") => bail!("unknown fuzz option `{flag}`"),
                target => o.targets.push(target.to_string()),
            }
        }
        Ok(o)
    }
}

fn smoke_seconds() -> u64 {
    std::env::var("HUTONG_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SMOKE_SECONDS)
}

/// What one target's run gave.
#[derive(Debug, Default, Clone)]
struct Outcome {
    target: String,
    runs: u64,
    exec_per_sec: u64,
    cov: Option<u64>,
    corpus: Option<u64>,
    new_units: u64,
    peak_rss_mb: u64,
    seconds: f64,
    crash: Option<String>,
    /// Stopped by SIGINT (Ctrl-C, `kill -INT`) with nothing found: a clean partial run.
    interrupted: bool,
}

fn fuzz_dir(root: &Path) -> PathBuf {
    root.join("fuzz")
}

fn work_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
        .join("fuzz")
}

/// Every target in `fuzz/fuzz_targets`, sorted.
fn all_targets(root: &Path) -> Result<Vec<String>> {
    let dir = fuzz_dir(root).join("fuzz_targets");
    let mut targets: Vec<String> = std::fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.path()
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
        })
        .collect();
    targets.sort();
    Ok(targets)
}

/// Installs nightly and cargo-fuzz if missing, then builds every target in one cargo run.
fn build(root: &Path, sanitizer: &str, no_trace_compares: bool) -> Result<PathBuf> {
    super::run(Command::new("bash").arg(root.join(".ci/install-fuzz.sh")))?;
    let suffix = if no_trace_compares { "-notc" } else { "" };
    let target_dir = work_dir(root).join(format!("build-{sanitizer}{suffix}"));
    let started = Instant::now();
    let mut cargo = Command::new("cargo");
    super::without_package_env(&mut cargo);
    super::run(
        cargo
            .current_dir(root)
            .args(["+nightly", "fuzz", "build", "--sanitizer", sanitizer])
            .args(no_trace_compares.then_some("--no-trace-compares"))
            .arg("--target-dir")
            .arg(&target_dir)
            // Debug info is not needed to find a crash; it only costs link time and disk.
            .env("CARGO_PROFILE_RELEASE_DEBUG", "line-tables-only"),
    )?;
    eprintln!(
        "xtask fuzz: built all targets in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(target_dir.join(host_triple()).join("release"))
}

fn host_triple() -> &'static str {
    // cargo-fuzz builds for the host unless told otherwise; CI and developers run x86_64 Linux.
    if cfg!(all(target_arch = "aarch64", target_os = "linux")) {
        "aarch64-unknown-linux-gnu"
    } else if cfg!(all(target_arch = "aarch64", target_os = "macos")) {
        "aarch64-apple-darwin"
    } else if cfg!(target_os = "macos") {
        "x86_64-apple-darwin"
    } else {
        "x86_64-unknown-linux-gnu"
    }
}

/// The value after `key` on a libFuzzer status line (`cov: 123`, `corp: 45/6789b`).
fn field(line: &str, key: &str) -> Option<u64> {
    let rest = line.split(key).nth(1)?.trim_start();
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

fn stat(log: &str, name: &str) -> u64 {
    log.lines()
        .find_map(|l| l.strip_prefix(&format!("stat::{name}:")))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

/// The last progress line of a fork-mode parent (`#1037278: cov: 570 ft: 1638 corp: 460 exec/s:
/// 199112 ... time: 3s ...`): (executions, cov, corpus, seconds).
fn fork_progress(log: &str) -> Option<(u64, u64, u64, u64)> {
    let line = log
        .lines()
        .rev()
        .find(|l| l.starts_with('#') && l.contains(": cov: "))?;
    let runs = line[1..].split(':').next()?.parse().ok()?;
    Some((
        runs,
        field(line, "cov:")?,
        field(line, "corp:")?,
        field(line, "time:")?,
    ))
}

fn run_target(
    root: &Path,
    bins: &Path,
    target: &str,
    budget: Budget,
    jobs: u32,
) -> Result<Outcome> {
    let work = work_dir(root);
    let corpus = work.join("corpus").join(target);
    let artifacts = work.join("artifacts").join(target);
    let logs = work.join("logs");
    for d in [&corpus, &artifacts, &logs] {
        std::fs::create_dir_all(d)?;
    }
    let seeds = fuzz_dir(root).join("corpus").join(target);
    let log_path = logs.join(format!("{target}.log"));
    let mut cmd = Command::new(bins.join(target));
    cmd.current_dir(root)
        .arg(match budget {
            Budget::Seconds(s) => format!("-max_total_time={s}"),
            Budget::Runs(n) => format!("-runs={n}"),
        })
        .arg(format!("-timeout={INPUT_TIMEOUT_SECS}"))
        .arg(format!("-rss_limit_mb={RSS_LIMIT_MB}"))
        .arg("-print_final_stats=1")
        .arg(format!("-artifact_prefix={}/", artifacts.display()));
    if jobs > 1 {
        // Children merge what they find into the first corpus directory; the first crash,
        // timeout or out-of-memory input stops the run as it does with one process.
        cmd.arg(format!("-fork={jobs}"));
    }
    let dict = fuzz_dir(root).join("dict").join(format!("{target}.dict"));
    if dict.exists() {
        cmd.arg(format!("-dict={}", dict.display()));
    }
    cmd.arg(&corpus);
    if seeds.is_dir() {
        cmd.arg(&seeds);
    }
    // Fork mode reports no new units: they are counted from the corpus folder.
    let files_in = |dir: &Path| std::fs::read_dir(dir).map_or(0, |d| d.count() as u64);
    let corpus_before = if jobs > 1 { files_in(&corpus) } else { 0 };
    let log_file = File::create(&log_path)?;
    cmd.stdout(log_file.try_clone()?).stderr(log_file);
    let started = Instant::now();
    let status = cmd
        .status()
        .with_context(|| format!("running {}", bins.join(target).display()))?;
    let seconds = started.elapsed().as_secs_f64();
    let log = String::from_utf8_lossy(&std::fs::read(&log_path).unwrap_or_default()).into_owned();
    let last_status = log
        .lines()
        .rev()
        .find(|l| l.contains(" cov: ") || l.contains("corp: "));
    let mut o = Outcome {
        target: target.to_string(),
        runs: stat(&log, "number_of_executed_units"),
        exec_per_sec: stat(&log, "average_exec_per_sec"),
        cov: last_status.and_then(|l| field(l, "cov:")),
        corpus: last_status.and_then(|l| field(l, "corp:")),
        new_units: stat(&log, "new_units_added"),
        peak_rss_mb: stat(&log, "peak_rss_mb"),
        seconds,
        crash: None,
        interrupted: false,
    };
    // A fork-mode parent prints no final stats of its own: its progress lines count every
    // child's executions.
    if let (true, Some((runs, cov, corpus_size, secs))) = (jobs > 1, fork_progress(&log)) {
        o.runs = runs;
        o.exec_per_sec = runs / secs.max(1);
        o.cov = Some(cov);
        o.corpus = Some(corpus_size);
        o.new_units = files_in(&corpus).saturating_sub(corpus_before);
    }
    if !status.success() && interrupted_clean(&log) {
        o.interrupted = true;
    } else if !status.success() {
        let reproducer = log
            .lines()
            .find_map(|l| l.split("Test unit written to ").nth(1))
            .map(|p| p.trim().to_string())
            .unwrap_or_else(|| format!("(none written; see {})", log_path.display()));
        let tail: Vec<&str> = log.lines().rev().take(40).collect();
        eprintln!("--- {target}: last lines of its log ---");
        for l in tail.iter().rev() {
            eprintln!("{l}");
        }
        o.crash = Some(reproducer);
    }
    Ok(o)
}

/// libFuzzer stopped by SIGINT before it found anything: its executions count, nothing failed.
fn interrupted_clean(log: &str) -> bool {
    log.contains("libFuzzer: run interrupted")
        && !log.contains("Test unit written to ")
        && !log.contains("ERROR: libFuzzer")
        && !log.contains("panicked at")
}

fn result_of(o: &Outcome) -> String {
    match (&o.crash, o.interrupted) {
        (Some(c), _) => format!("CRASH {c}"),
        (None, true) => "interrupted, clean".to_string(),
        (None, false) => "ok".to_string(),
    }
}

fn print_table(outcomes: &[Outcome]) {
    println!(
        "{:<16} {:>12} {:>8} {:>7} {:>7} {:>5} {:>8} {:>8}  result",
        "target", "executions", "exec/s", "cov", "corpus", "new", "peak MB", "seconds"
    );
    let opt = |v: Option<u64>| v.map_or("-".to_string(), |v| v.to_string());
    for o in outcomes {
        println!(
            "{:<16} {:>12} {:>8} {:>7} {:>7} {:>5} {:>8} {:>8.0}  {}",
            o.target,
            o.runs,
            o.exec_per_sec,
            opt(o.cov),
            opt(o.corpus),
            o.new_units,
            o.peak_rss_mb,
            o.seconds,
            result_of(o)
        );
    }
}

fn write_summary(root: &Path, outcomes: &[Outcome], budget: Budget) -> Result<()> {
    let rows: Vec<serde_json::Value> = outcomes
        .iter()
        .map(|o| {
            serde_json::json!({
                "target": o.target, "executions": o.runs, "exec_per_sec": o.exec_per_sec,
                "cov": o.cov, "corpus": o.corpus, "new_units": o.new_units,
                "peak_rss_mb": o.peak_rss_mb, "seconds": o.seconds, "crash": o.crash,
                "interrupted": o.interrupted,
            })
        })
        .collect();
    let budget = match budget {
        Budget::Seconds(s) => serde_json::json!({"seconds_per_target": s}),
        Budget::Runs(n) => serde_json::json!({"runs_per_target": n}),
    };
    let path = work_dir(root).join("summary.json");
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&serde_json::json!({"budget": budget, "targets": rows}))?,
    )?;
    eprintln!("xtask fuzz: summary in {}", path.display());
    Ok(())
}

pub fn fuzz(root: &Path, options: &Options) -> Result<()> {
    let all = all_targets(root)?;
    let targets: Vec<String> = if options.targets.is_empty() {
        all.clone()
    } else {
        for t in &options.targets {
            if !all.contains(t) {
                bail!("no fuzz target `{t}` (have: {})", all.join(", "));
            }
        }
        options.targets.clone()
    };
    let bins = build(root, &options.sanitizer, options.no_trace_compares)?;
    let mut outcomes = Vec::new();
    for t in &targets {
        let o = run_target(root, &bins, t, options.budget, options.jobs)?;
        eprintln!(
            "xtask fuzz: {t}: {} executions ({} /s), {}",
            o.runs,
            o.exec_per_sec,
            result_of(&o)
        );
        outcomes.push(o);
    }
    print_table(&outcomes);
    write_summary(root, &outcomes, options.budget)?;
    let crashed: Vec<String> = outcomes
        .iter()
        .filter_map(|o| o.crash.as_ref().map(|c| format!("{}: {c}", o.target)))
        .collect();
    if !crashed.is_empty() {
        bail!(
            "fuzzing found {} failing target(s); reproduce with `cargo +nightly fuzz run <target> <file>`:\n  {}",
            crashed.len(),
            crashed.join("\n  ")
        );
    }
    Ok(())
}

/// The bounded run inside `cargo xtask test`: every target for `HUTONG_FUZZ_SECONDS` (5) seconds.
pub fn smoke(root: &Path) -> Result<()> {
    fuzz(
        root,
        &Options {
            targets: vec![],
            budget: Budget::Seconds(smoke_seconds()),
            sanitizer: "none".into(),
            jobs: 1,
            no_trace_compares: false,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_stopped_by_hand_is_clean_unless_it_found_something() {
        let stopped = "#7887\tRELOAD cov: 7266\n==13631== libFuzzer: run interrupted; exiting\n\
                       stat::number_of_executed_units: 7901\n";
        assert!(interrupted_clean(stopped));
        let found = "==1== ERROR: libFuzzer: deadly signal\nTest unit written to ./crash-1\n\
                     ==1== libFuzzer: run interrupted; exiting\n";
        assert!(!interrupted_clean(found));
        assert!(!interrupted_clean(
            "==1== ERROR: libFuzzer: timeout after 30 seconds\n"
        ));
    }

    #[test]
    fn reads_a_fork_mode_parents_last_progress_line() {
        let log = "INFO: -fork=2: fuzzing in separate process(s)\n\
                   #439942: cov: 281 ft: 376 corp: 11 exec/s: 219971 oom/timeout/crash: 0/0/0 time: 2s job: 1 dft_time: 0\n\
                   #3736329: cov: 596 ft: 2006 corp: 616 exec/s: 111174 oom/timeout/crash: 0/0/0 time: 15s job: 6 dft_time: 0\n\
                   INFO: fuzzed for 15 seconds, wrapping up soon\n";
        assert_eq!(fork_progress(log), Some((3_736_329, 596, 616, 15)));
        assert_eq!(fork_progress("#12\tINITED cov: 5 ft: 5 corp: 1/1b"), None);
    }

    #[test]
    fn jobs_must_be_a_positive_number() {
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let o = Options::parse(&args(&["image", "--jobs", "8", "--runs", "10000000"])).unwrap();
        assert_eq!((o.jobs, o.targets.len()), (8, 1));
        assert!(matches!(o.budget, Budget::Runs(10_000_000)));
        assert!(!o.no_trace_compares);
        assert!(
            Options::parse(&args(&["--no-trace-compares"]))
                .unwrap()
                .no_trace_compares
        );
        assert!(Options::parse(&args(&["--jobs", "0"])).is_err());
        assert!(Options::parse(&args(&["--jobs"])).is_err());
    }
}
