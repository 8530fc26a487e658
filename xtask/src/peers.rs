//! `cargo xtask peers`: differential tests against peer implementations (issue 15,
//! docs/differential-tests.md).
//!
//! Installs the pinned npm packages of tests/peers/package.json (+ lock) under
//! target/peers/node and the PyPI ones of tests/peers/requirements.txt in a venv under
//! target/peers/py, makes the Python peers' cases (tests/peers/peers_py.py), runs
//! tests/peers/peers.cjs with them against the `hutong-qa` that `cargo test --workspace` builds, prints one row per library and fails on any unexplained disagreement, a
//! harness failure, or an exception row that explained nothing.

use anyhow::{bail, Context, Result};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The peers' node_modules, reinstalled only when the pinned manifest or lock changes.
fn node_modules(root: &Path) -> Result<PathBuf> {
    let dir = super::browser::target_dir(root).join("peers/node");
    std::fs::create_dir_all(&dir)?;
    let mut wanted = Vec::new();
    for file in ["package.json", "package-lock.json"] {
        let src = root.join("tests/peers").join(file);
        let bytes = std::fs::read(&src).with_context(|| format!("reading {}", src.display()))?;
        std::fs::write(dir.join(file), &bytes)?;
        wanted.extend_from_slice(&bytes);
    }
    let modules = dir.join("node_modules");
    let stamp = dir.join(".hutong-lock");
    if std::fs::read(&stamp).ok().as_deref() != Some(&wanted[..]) || !modules.exists() {
        // No install scripts: the peers are plain JavaScript (bolt11's optional native
        // secp256k1 falls back to its JavaScript implementation).
        super::run(Command::new("npm").current_dir(&dir).args([
            "ci",
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
        ]))?;
        std::fs::write(&stamp, &wanted)?;
    }
    Ok(modules)
}

/// The Python peers' venv (tests/peers/requirements.txt), reinstalled when the pins change.
fn venv_python(root: &Path) -> Result<PathBuf> {
    let venv = super::browser::target_dir(root).join("peers/py");
    let python = venv.join("bin/python");
    if !python.exists() {
        super::run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    }
    let req = root.join("tests/peers/requirements.txt");
    let stamp = venv.join(".hutong-requirements");
    let wanted = std::fs::read(&req).with_context(|| format!("reading {}", req.display()))?;
    if std::fs::read(&stamp).ok().as_deref() != Some(&wanted[..]) {
        super::run(
            Command::new(&python)
                .args(["-m", "pip", "install", "--quiet"])
                .args(["--disable-pip-version-check", "-r"])
                .arg(&req),
        )?;
        std::fs::write(&stamp, &wanted)?;
    }
    Ok(python)
}

pub fn peers(root: &Path) -> Result<()> {
    for tool in ["node", "npm"] {
        if Command::new(tool).arg("--version").output().is_err() {
            bail!("`{tool}` is not installed: .ci/install-extras.sh installs it (apt: nodejs npm)");
        }
    }
    let modules = node_modules(root)?;
    let python = venv_python(root)?;
    let bin = super::browser::qa_binary(root)?;
    let dir = super::browser::target_dir(root).join("peers");
    let out = dir.join("report.json");
    let py_cases = dir.join("py-cases.json");
    let _ = std::fs::remove_file(&out);
    let started = Instant::now();
    super::run(
        Command::new(&python)
            .arg(root.join("tests/peers/peers_py.py"))
            .arg(&py_cases),
    )?;
    super::run(
        Command::new("node")
            .arg(root.join("tests/peers/peers.cjs"))
            .arg("--qa")
            .arg(&bin)
            .arg("--modules")
            .arg(&modules)
            .arg("--exceptions")
            .arg(root.join("tests/peers/exceptions.json"))
            .arg("--out")
            .arg(&out)
            .arg("--extra")
            .arg(&py_cases),
    )?;
    let report: Value = serde_json::from_slice(
        &std::fs::read(&out).with_context(|| format!("reading {}", out.display()))?,
    )
    .context("peer report JSON")?;
    println!("{}", table(&report));
    println!(
        "peers: {:.1} s; report in {}",
        started.elapsed().as_secs_f64(),
        out.display()
    );
    let unexplained = report["unexplained"].as_array().map_or(0, Vec::len);
    let unused = report["unused_exceptions"].as_array().map_or(0, Vec::len);
    for u in report["unexplained"]
        .as_array()
        .into_iter()
        .flatten()
        .take(20)
    {
        eprintln!("unexplained: {u}");
    }
    if unused > 0 {
        eprintln!(
            "exception rows that explained nothing (remove or fix them): {}",
            report["unused_exceptions"]
        );
    }
    if unexplained > 0 || unused > 0 {
        bail!("{unexplained} unexplained peer disagreements, {unused} unused exception rows");
    }
    Ok(())
}

fn table(report: &Value) -> String {
    let header = format!(
        "{:<18} {:>8} {:>9} {:>7} {:>10} {:>9}",
        "library", "version", "payloads", "agreed", "explained", "failures"
    );
    let mut s = format!(
        "differential tests ({})\n{header}\n{}",
        report["runtime"].as_str().unwrap_or("?"),
        "-".repeat(header.len())
    );
    let n = |v: &Value, k: &str| v[k].as_u64().unwrap_or(0);
    let mut total = [0u64; 4];
    for row in report["libraries"].as_array().into_iter().flatten() {
        let counts = [
            n(row, "payloads"),
            n(row, "agreed"),
            n(row, "explained"),
            n(row, "failures"),
        ];
        for (t, c) in total.iter_mut().zip(counts) {
            *t += c;
        }
        s.push_str(&format!(
            "\n{:<18} {:>8} {:>9} {:>7} {:>10} {:>9}",
            row["library"].as_str().unwrap_or("?"),
            row["version"].as_str().unwrap_or("?"),
            counts[0],
            counts[1],
            counts[2],
            counts[3]
        ));
    }
    s.push_str(&format!(
        "\n{:<18} {:>8} {:>9} {:>7} {:>10} {:>9}",
        "total", "", total[0], total[1], total[2], total[3]
    ));
    s
}
