//! Crash tests with a real process: `hutong-qa pay|refund` runs against an in-process sandbox over
//! TLS, freezes right after a journalled step (`HUTONG_QA_CRASH_AT`) and is killed with SIGKILL.
//! A new process runs `hutong-qa recover` on the same journal; the journal and the sandbox's
//! ledger must then agree, with every payment and refund exactly once.

use hutong_core::journal::Journal;
use sandbox_acquirer::{start, SandboxConfig, SandboxHandle};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const CODE: &str = "https://qr.alipay.com/fkx12345";

struct Env {
    sb: SandboxHandle,
    dir: tempfile::TempDir,
}

impl Env {
    async fn new() -> Env {
        let mut config = SandboxConfig::default();
        config.timing.hold_after_commit = Duration::from_secs(3);
        let sb = start(config).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("sandbox.json"), sb.ready_json().to_string()).unwrap();
        Env { sb, dir }
    }

    fn journal_path(&self) -> PathBuf {
        self.dir.path().join("journal.sqlite")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_hutong-qa"));
        cmd.args(args)
            .arg("--sandbox-config")
            .arg(self.dir.path().join("sandbox.json"))
            .arg("--journal")
            .arg(self.journal_path())
            .arg("--key-file")
            .arg(self.dir.path().join("device.p8"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }
}

/// Runs `args` to completion; returns stdout.
async fn run(env: &Env, args: &[&str]) -> String {
    let mut cmd = env.command(args);
    let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Runs `args` with the crash point `step` armed, waits until the process is frozen there,
/// SIGKILLs it, and returns what it printed.
async fn run_and_kill_at(env: &Env, args: &[&str], step: &str) -> Vec<String> {
    let mut cmd = env.command(args);
    cmd.env("HUTONG_QA_CRASH_AT", step);
    let step = step.to_string();
    tokio::task::spawn_blocking(move || {
        let mut child = cmd.spawn().unwrap();
        let mut lines = Vec::new();
        let reader = BufReader::new(child.stdout.take().unwrap());
        for line in reader.lines() {
            let line = line.unwrap();
            let frozen = line == format!("CRASH-POINT {step}");
            lines.push(line);
            if frozen {
                child.kill().unwrap(); // SIGKILL on Unix
                let status = child.wait().unwrap();
                assert!(!status.success());
                return lines;
            }
        }
        let status = child.wait().unwrap();
        let mut err = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
        panic!(
            "never reached {step} ({status}):\n{}\n{err}",
            lines.join("\n")
        );
    })
    .await
    .unwrap()
}

fn intent_id(lines: &[String]) -> String {
    lines
        .iter()
        .find_map(|l| {
            l.trim()
                .strip_prefix("intent ")?
                .split(':')
                .next()
                .map(str::to_string)
        })
        .expect("the child printed its intent id")
}

fn journal(path: &Path) -> Journal {
    Journal::open(path).unwrap()
}

/// Pays with a crash at `step`, recovers in a new process, returns (intent id, journal state).
async fn crash_pay(env: &Env, step: &str, scenario: &str) -> (String, String) {
    let lines = run_and_kill_at(
        env,
        &[
            "pay",
            "--code",
            CODE,
            "--route",
            "alipay:direct",
            "--amount",
            "25.00",
            "--scenario",
            scenario,
        ],
        step,
    )
    .await;
    let id = intent_id(&lines);
    let before = journal(&env.journal_path()).intent(&id).unwrap();
    assert!(
        !before.state.is_terminal(),
        "killed at {step} yet {:?}",
        before.state
    );
    let out = run(env, &["recover"]).await;
    assert!(out.contains(&id), "{out}");
    let after = journal(&env.journal_path()).intent(&id).unwrap();
    assert!(!after.needs_reconciliation, "{out}");
    (id, after.state.as_str().to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_after_created_nothing_was_sent() {
    let env = Env::new().await;
    let (id, state) = crash_pay(&env, "after_created", "success").await;
    assert_eq!(state, "failed");
    assert!(env.sb.payment(&id).is_none());
    assert_eq!(env.sb.capture_count(None), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_after_submitting_the_id_is_closed_not_charged() {
    let env = Env::new().await;
    let (id, state) = crash_pay(&env, "after_submitting", "success").await;
    assert_eq!(state, "reversed");
    let row = env.sb.payment(&id).unwrap();
    assert_eq!(
        (row.kind.as_str(), row.state.as_str()),
        ("tombstone", "reversed")
    );
    assert_eq!(env.sb.capture_count(None), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_after_the_switch_answered_the_payment_is_kept_once() {
    let env = Env::new().await;
    let (id, state) = crash_pay(&env, "after_send", "success").await;
    assert_eq!(state, "succeeded");
    let j = journal(&env.journal_path()).intent(&id).unwrap();
    assert_eq!(j.paid_minor, Some(env.sb.payment(&id).unwrap().paid));
    assert_eq!(env.sb.capture_count(Some(&id)), 1);
    assert_eq!(env.sb.capture_count(None), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_after_a_timed_out_answer_the_committed_payment_is_found() {
    let env = Env::new().await;
    let (id, state) = crash_pay(&env, "after_send", "timeout_after_commit").await;
    assert_eq!(state, "succeeded");
    assert_eq!(env.sb.capture_count(None), 1);
    assert_eq!(env.sb.payment(&id).unwrap().state, "succeeded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_while_reversing_the_reverse_is_finished() {
    let env = Env::new().await;
    let (id, state) = crash_pay(&env, "after_reversing", "user_paying_forever").await;
    assert_eq!(state, "reversed");
    assert_eq!(
        env.sb.payment(&id).unwrap().reverse_result.as_deref(),
        Some("closed")
    );
    assert_eq!(env.sb.capture_count(None), 0);
}

async fn crash_refund(step: &str) {
    let env = Env::new().await;
    let out = run(
        &env,
        &[
            "pay",
            "--code",
            CODE,
            "--route",
            "alipay:direct",
            "--amount",
            "25.00",
        ],
    )
    .await;
    let id = intent_id(&out.lines().map(str::to_string).collect::<Vec<_>>());
    run_and_kill_at(&env, &["refund", &id, "--amount", "10.00"], step).await;
    let open = journal(&env.journal_path()).unfinished_refunds().unwrap();
    assert_eq!(open.len(), 1, "killed at {step}");
    run(&env, &["recover"]).await;
    let j = journal(&env.journal_path());
    let refunds = j.refunds_for(&id).unwrap();
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0].state.as_str(), "succeeded");
    let ledger = env.sb.refunds(Some(&id));
    assert_eq!(ledger.len(), 1, "exactly one refund reached the switch");
    assert_eq!(ledger[0].refund_id, refunds[0].refund_id);
    assert_eq!(env.sb.payment(&id).unwrap().refunded, 1000);
    assert_eq!(env.sb.capture_count(None), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_after_a_refund_was_journalled_it_is_sent_once_by_recover() {
    crash_refund("after_refund_requested").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_after_a_refund_was_answered_it_is_not_sent_again() {
    crash_refund("after_refund_send").await;
}
