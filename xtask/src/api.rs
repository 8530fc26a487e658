//! `cargo xtask api-contract`: schemathesis (PyPI, pinned in tests/api/requirements.txt, venv
//! under target/) against docs/openapi.yaml on a live `hutong-qa sandbox`, every request signed
//! as a registered device signs it (tests/api/hutong_auth.py). All checks, all phases (examples,
//! coverage, fuzzing, stateful links), a bounded number of examples per operation and a fixed
//! seed, so a run takes about a minute and repeats itself.

use anyhow::{Context, Result};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Generated cases per operation and phase; the seed makes a run repeatable.
const MAX_EXAMPLES: &str = "30";
const SEED: &str = "17";
/// Wall-clock bound for the whole schemathesis run (it takes about half a minute): a generator
/// stuck on a pathological schema pattern must fail the step, not eat the CI budget.
const RUN_LIMIT: Duration = Duration::from_secs(600);

fn venv_python(root: &Path) -> Result<std::path::PathBuf> {
    let dir = super::browser::target_dir(root).join("api-contract");
    let venv = dir.join("venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        super::run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    }
    // Reinstall only when the pinned requirements change.
    let req = root.join("tests/api/requirements.txt");
    let stamp = venv.join(".hutong-requirements");
    let wanted = std::fs::read(&req).with_context(|| format!("reading {}", req.display()))?;
    if std::fs::read(&stamp).ok().as_deref() != Some(&wanted[..]) {
        super::run(
            Command::new(&python)
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "-r",
                ])
                .arg(&req),
        )?;
        std::fs::write(&stamp, &wanted)?;
    }
    Ok(python)
}

pub fn api_contract(root: &Path) -> Result<()> {
    let python = venv_python(root)?;
    let bin = super::browser::qa_binary(root)?;
    let out = super::browser::target_dir(root).join("api-contract");
    let run_dir = out.join("run");
    let _ = std::fs::remove_dir_all(&run_dir);
    std::fs::create_dir_all(&run_dir)?;
    let sandbox = super::browser::start_sandbox(&bin, &run_dir)?;
    let endpoint = sandbox.ready["endpoint"]
        .as_str()
        .context("no endpoint in the ready line")?
        .to_string();
    let ca = run_dir.join("sandbox-ca.pem");
    std::fs::write(
        &ca,
        sandbox.ready["ca_pem"]
            .as_str()
            .context("no ca_pem in the ready line")?,
    )?;
    let report = run_dir.join("report");
    let started = Instant::now();
    let mut st = Command::new(&python);
    // Run inside the run folder: schemathesis keeps its replay cache in `.schemathesis/` there.
    st.current_dir(&run_dir)
        .arg("-m")
        .arg("schemathesis.cli")
        .arg("--config-file")
        .arg(root.join("tests/api/schemathesis.toml"))
        .arg("run")
        .arg(root.join("docs/openapi.yaml"))
        .args(["--url", &endpoint])
        .arg("--tls-verify")
        .arg(&ca)
        .args(["--checks", "all"])
        .args(["--phases", "examples,coverage,fuzzing,stateful"])
        .args(["--max-examples", MAX_EXAMPLES, "--seed", SEED])
        .args(["--workers", "1", "--request-timeout", "30"])
        .args(["--generation-database", "none"])
        .args(["--report", "junit,ndjson", "--report-dir"])
        .arg(&report)
        .arg("--no-color")
        .env("SCHEMATHESIS_HOOKS", "hutong_auth")
        .env("PYTHONPATH", root.join("tests/api"))
        .env("HUTONG_SANDBOX_ENDPOINT", &endpoint)
        .env("HUTONG_SANDBOX_CA", &ca);
    let result = run_bounded(&mut st, RUN_LIMIT);
    drop(sandbox);
    eprintln!(
        "xtask api-contract: schemathesis ran {:.0} s; reports in {}",
        started.elapsed().as_secs_f64(),
        report.display()
    );
    result
}

/// Runs `cmd` to completion, or kills it once `limit` has passed and says so.
fn run_bounded(cmd: &mut Command, limit: Duration) -> Result<()> {
    eprintln!("xtask> {cmd:?} (at most {} s)", limit.as_secs());
    let mut child = cmd.spawn().with_context(|| format!("spawning {cmd:?}"))?;
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            if !status.success() {
                anyhow::bail!("schemathesis failed with {status}");
            }
            return Ok(());
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            anyhow::bail!(
                "schemathesis still running after {} s: killed (see the ndjson report for the \
                 scenario it was in)",
                limit.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}
