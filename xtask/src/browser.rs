//! `cargo xtask browser-test` and `cargo xtask screenshots`: the QA console in the Debian
//! Chromium, driven by playwright-core (tests/browser), against a real `hutong-qa sandbox`.

use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The sandbox as the harness started it; dropping it closes its stdin, which stops it.
pub(crate) struct Sandbox {
    child: Child,
    console_url: String,
    config: PathBuf,
    /// The `--ready-json` line: endpoint, ca_pem, spki_pin, root key.
    pub(crate) ready: serde_json::Value,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        // `--ready-json` exits when stdin closes; give it a moment, then make sure.
        for _ in 0..50 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// Installs Chromium and playwright-core if missing (idempotent), builds the QA CLI.
fn prepare(root: &Path) -> Result<PathBuf> {
    super::run(Command::new("bash").arg(root.join(".ci/install-browser.sh")))?;
    qa_binary(root)
}

/// The QA CLI binary (`target/debug/hutong-qa`).
pub(crate) fn qa_binary(root: &Path) -> Result<PathBuf> {
    // The same build `cargo test --workspace` made (it builds the CLI for its own tests): building
    // `-p hutong-qa` alone unifies features differently and would recompile the whole core.
    super::run(super::cargo().args(["test", "--workspace", "--no-run"]))?;
    let bin = target_dir(root).join("debug/hutong-qa");
    if !bin.exists() {
        bail!("{} was not built", bin.display());
    }
    Ok(bin)
}

pub(crate) fn start_sandbox(bin: &Path, out: &Path) -> Result<Sandbox> {
    let mut child = Command::new(bin)
        .args(["sandbox", "--ready-json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("starting {} sandbox", bin.display()))?;
    let stdout = child.stdout.take().context("sandbox stdout")?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let mut sandbox = Sandbox {
        child,
        console_url: String::new(),
        config: out.join("sandbox.json"),
        ready: serde_json::Value::Null,
    };
    let line = rx
        .recv_timeout(Duration::from_secs(60))
        .context("the sandbox printed no ready line within 60 s")?;
    let ready: serde_json::Value = serde_json::from_str(line.trim())
        .with_context(|| format!("the sandbox's ready line is not JSON: {line:?}"))?;
    let endpoint = ready["endpoint"]
        .as_str()
        .context("no endpoint in the ready line")?;
    sandbox.console_url = format!("{endpoint}/console");
    sandbox.ready = ready.clone();
    std::fs::write(&sandbox.config, line.as_bytes())?;
    eprintln!("xtask> sandbox ready at {endpoint}");
    Ok(sandbox)
}

/// Runs one node script (or `node --test` file) against a fresh sandbox.
fn with_sandbox(root: &Path, node_args: &[&str]) -> Result<()> {
    let bin = prepare(root)?;
    let out = target_dir(root).join("browser");
    // A fresh journal and device key each run: the sandbox's ledger is fresh too.
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out)?;
    let sandbox = start_sandbox(&bin, &out)?;
    let mut node = Command::new("node");
    node.current_dir(root.join("tests/browser"))
        .args(node_args)
        .env("HUTONG_CONSOLE_URL", &sandbox.console_url)
        .env("HUTONG_QA_BIN", &bin)
        .env("HUTONG_SANDBOX_CONFIG", &sandbox.config)
        .env("HUTONG_BROWSER_OUT", &out)
        .env("HUTONG_CORPUS", root.join("tests/data/zxing-cpp"));
    let result = super::run(&mut node);
    drop(sandbox);
    result
}

pub fn browser_test(root: &Path) -> Result<()> {
    with_sandbox(
        root,
        &["--test", "--test-reporter=spec", "console.test.mjs"],
    )?;
    eprintln!(
        "xtask browser-test: screenshots in {}",
        target_dir(root).join("browser").display()
    );
    Ok(())
}

pub fn screenshots(root: &Path) -> Result<()> {
    with_sandbox(root, &["screenshot.mjs"])?;
    let from = target_dir(root).join("browser/console.png");
    let to = root.join("docs/img/console.png");
    std::fs::create_dir_all(to.parent().context("docs/img")?)?;
    std::fs::copy(&from, &to)
        .with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    eprintln!("xtask screenshots: wrote {}", to.display());
    Ok(())
}
