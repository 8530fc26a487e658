//! The two sides as real processes: `hutong-qa sandbox --ready-json` on a ledger file that
//! survives its restarts, and `hutong-qa pay|collect|refund|cancel|status|recover` clients that
//! share one journal file. Every wait has a limit; a child that outlives it is SIGKILLed and the
//! overrun is reported, so an unattended soak can never hang.

use super::proxy::FaultProxy;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub fn qa_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_hutong-qa"))
}

/// Lines of a child's stream, read on a thread and handed over as they come.
struct Lines {
    rx: Receiver<String>,
    all: Arc<Mutex<Vec<String>>>,
}

impl Lines {
    fn spawn(stream: impl std::io::Read + Send + 'static) -> Lines {
        let (tx, rx) = channel();
        let all = Arc::new(Mutex::new(Vec::new()));
        let keep = all.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                keep.lock().unwrap().push(line.clone());
                let _ = tx.send(line);
            }
        });
        Lines { rx, all }
    }

    fn text(&self) -> String {
        self.all.lock().unwrap().join("\n")
    }
}

/// How a sandbox's ready line and restarts are seen by the harness.
pub struct Sandbox {
    pub dir: PathBuf,
    pub ledger: PathBuf,
    pub hold_secs: u64,
    child: Option<Child>,
    stdin: Option<ChildStdin>,
    stderr: Option<Lines>,
    pub ready: serde_json::Value,
    pub starts: u32,
    pub kills: u32,
}

impl Sandbox {
    /// Starts a sandbox on `dir/ledger.sqlite` (created on first start).
    pub fn start(dir: &Path, crash_at: Option<&str>) -> Sandbox {
        Sandbox::start_on(&dir.join("ledger.sqlite"), crash_at)
    }

    /// Starts a sandbox on `ledger`, which another sandbox process may be using too.
    pub fn start_on(ledger: &Path, crash_at: Option<&str>) -> Sandbox {
        let dir = ledger.parent().unwrap_or(Path::new("."));
        let mut sb = Sandbox {
            dir: dir.to_path_buf(),
            ledger: ledger.to_path_buf(),
            hold_secs: 2,
            child: None,
            stdin: None,
            stderr: None,
            ready: serde_json::Value::Null,
            starts: 0,
            kills: 0,
        };
        sb.spawn(crash_at);
        sb
    }

    fn spawn(&mut self, crash_at: Option<&str>) {
        let mut cmd = Command::new(qa_bin());
        cmd.args(["sandbox", "--ready-json", "--hold-secs"])
            .arg(self.hold_secs.to_string())
            .arg("--ledger")
            .arg(&self.ledger)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env_remove("HUTONG_SANDBOX_CRASH_AT");
        if let Some(point) = crash_at {
            cmd.env("HUTONG_SANDBOX_CRASH_AT", point);
        }
        let mut child = cmd.spawn().expect("spawn hutong-qa sandbox");
        let stdout = Lines::spawn(child.stdout.take().expect("stdout"));
        let stderr = Lines::spawn(child.stderr.take().expect("stderr"));
        let line = match stdout.rx.recv_timeout(Duration::from_secs(60)) {
            Ok(l) => l,
            Err(_) => {
                let _ = child.kill();
                panic!("sandbox never became ready: {}", stderr.text());
            }
        };
        self.ready = serde_json::from_str(&line).expect("ready line is JSON");
        self.stdin = child.stdin.take();
        self.child = Some(child);
        self.stderr = Some(stderr);
        self.starts += 1;
    }

    pub fn addr(&self) -> std::net::SocketAddr {
        let ep = self.ready["endpoint"].as_str().unwrap_or("");
        ep.trim_start_matches("https://")
            .parse()
            .expect("endpoint is https://ip:port")
    }

    pub fn ca_pem(&self) -> &str {
        self.ready["ca_pem"].as_str().unwrap_or("")
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// Waits up to `limit` for the process to die by itself (a crash point); true if it did.
    pub fn wait_dead(&mut self, limit: Duration) -> bool {
        let end = Instant::now() + limit;
        while Instant::now() < end {
            if !self.alive() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }

    /// What the sandbox printed on stderr (crash points announce themselves there).
    pub fn stderr_text(&self) -> String {
        self.stderr.as_ref().map(Lines::text).unwrap_or_default()
    }

    /// SIGKILL, wherever it is.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            if matches!(c.try_wait(), Ok(None)) {
                self.kills += 1;
            }
            let _ = c.kill();
            let _ = c.wait();
        }
        self.stdin = None;
    }

    /// Kills (if running) and starts again on the same ledger, optionally armed to crash.
    pub fn restart(&mut self, crash_at: Option<&str>) {
        self.kill();
        self.spawn(crash_at);
    }

    /// Stops it the polite way (stdin closed) and waits.
    pub fn stop(&mut self) {
        self.stdin = None;
        if let Some(mut c) = self.child.take() {
            let end = Instant::now() + Duration::from_secs(10);
            while Instant::now() < end {
                if !matches!(c.try_wait(), Ok(None)) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// The admin API, straight to the sandbox (never through the faulty network).
    pub fn admin(&self, proxy: &FaultProxy, method: &str, path: &str, body: &str) -> (u16, String) {
        let raw = format!(
            "{method} {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        let tls = super::wire::connector(self.ca_pem().as_bytes()).expect("sandbox cert");
        let addr = self.addr();
        match proxy.block_on(super::wire::round_trip(
            addr,
            &tls,
            raw.as_bytes(),
            Duration::from_secs(10),
        )) {
            Ok(m) => (m.status(), String::from_utf8_lossy(&m.body).into_owned()),
            Err(e) => (0, e.to_string()),
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.kill();
    }
}

/// What one client process did.
#[derive(Debug, Clone)]
pub struct Run {
    pub args: Vec<String>,
    /// Exit code; `None` when it was killed.
    pub code: Option<i32>,
    pub killed: bool,
    /// It ran past its limit and was killed for it.
    pub overran: bool,
    /// The crash point it froze at before the kill.
    pub crashed_at: Option<String>,
    pub stdout: Vec<String>,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Run {
    pub fn ok(&self) -> bool {
        self.code == Some(0)
    }

    /// Ids of intents this run journalled (`intent X: (new) -> created`).
    pub fn new_intents(&self) -> Vec<String> {
        self.stdout
            .iter()
            .filter_map(|l| {
                let rest = l.trim().strip_prefix("intent ")?;
                let (id, tail) = rest.split_once(": ")?;
                tail.starts_with("(new)").then(|| id.to_string())
            })
            .collect()
    }

    pub fn new_refunds(&self) -> Vec<String> {
        self.stdout
            .iter()
            .filter_map(|l| {
                let rest = l.trim().strip_prefix("refund ")?;
                let (id, tail) = rest.split_once(": ")?;
                tail.starts_with("(new)").then(|| id.to_string())
            })
            .collect()
    }
}

/// Where the clients of one case find the switch, their journal and their key.
#[derive(Debug, Clone)]
pub struct Clients {
    pub config: PathBuf,
    pub journal: PathBuf,
    pub key_file: PathBuf,
    pub request_timeout_ms: u64,
}

/// A client process still running.
pub struct Running {
    args: Vec<String>,
    child: Child,
    stdout: Lines,
    stderr: Lines,
    started: Instant,
}

impl Clients {
    /// Writes the config the clients read: the proxy's address and certificate, the sandbox's
    /// root key (what signs the response keys; unchanged across restarts).
    pub fn write_config(&self, proxy: &FaultProxy, sandbox: &Sandbox) {
        let cfg = serde_json::json!({
            "endpoint": format!("https://{}", proxy.addr),
            "ca_pem": proxy.cert_pem,
            "spki_pin": proxy.spki_pin,
            "root_key_id": sandbox.ready["root_key_id"],
            "root_public_key": sandbox.ready["root_public_key"],
        });
        std::fs::write(&self.config, cfg.to_string()).expect("write client config");
    }

    pub fn spawn(&self, args: &[String], crash_at: Option<&str>) -> Running {
        let mut cmd = Command::new(qa_bin());
        cmd.args(args)
            .arg("--sandbox-config")
            .arg(&self.config)
            .arg("--journal")
            .arg(&self.journal)
            .arg("--key-file")
            .arg(&self.key_file)
            .arg("--request-timeout-ms")
            .arg(self.request_timeout_ms.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env_remove("HUTONG_QA_CRASH_AT");
        if let Some(step) = crash_at {
            cmd.env("HUTONG_QA_CRASH_AT", step);
        }
        let mut child = cmd.spawn().expect("spawn hutong-qa client");
        let stdout = Lines::spawn(child.stdout.take().expect("stdout"));
        let stderr = Lines::spawn(child.stderr.take().expect("stderr"));
        Running {
            args: args.to_vec(),
            child,
            stdout,
            stderr,
            started: Instant::now(),
        }
    }

    /// Runs to the end (or `limit`).
    pub fn run(&self, args: &[String], limit: Duration) -> Run {
        self.spawn(args, None).wait(limit)
    }
}

impl Running {
    fn finish(mut self, killed: bool, overran: bool, crashed_at: Option<String>) -> Run {
        if killed {
            let _ = self.child.kill();
        }
        let status = self.child.wait().ok();
        // The reader threads end with the pipes; give them a moment to hand over the tail.
        let end = Instant::now() + Duration::from_secs(2);
        while Instant::now() < end {
            match self.stdout.rx.recv_timeout(Duration::from_millis(50)) {
                Err(RecvTimeoutError::Disconnected) => break,
                _ => continue,
            }
        }
        let code = if killed {
            None
        } else {
            status.and_then(|s| s.code())
        };
        Run {
            args: self.args.clone(),
            code,
            killed: killed || code.is_none(),
            overran,
            crashed_at,
            stdout: self.stdout.all.lock().unwrap().clone(),
            stderr: self.stderr.text(),
            elapsed: self.started.elapsed(),
        }
    }

    /// Waits for the end; past `limit` the process is killed and marked as overrun.
    pub fn wait(mut self, limit: Duration) -> Run {
        let end = self.started + limit;
        loop {
            if let Ok(Some(_)) = self.child.try_wait() {
                return self.finish(false, false, None);
            }
            if Instant::now() >= end {
                return self.finish(true, true, None);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// SIGKILLs after `after` (or lets it finish first).
    pub fn kill_after(mut self, after: Duration) -> Run {
        let end = self.started + after;
        loop {
            if let Ok(Some(_)) = self.child.try_wait() {
                return self.finish(false, false, None);
            }
            if Instant::now() >= end {
                return self.finish(true, false, None);
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Waits for `CRASH-POINT <step>` (the process froze right after that step was journalled)
    /// and SIGKILLs it there; a run that ends first is returned as it ended.
    pub fn kill_at_crash_point(self, limit: Duration) -> Run {
        let end = self.started + limit;
        loop {
            match self.stdout.rx.recv_timeout(Duration::from_millis(20)) {
                Ok(line) => {
                    if let Some(step) = line.strip_prefix("CRASH-POINT ") {
                        let step = step.to_string();
                        return self.finish(true, false, Some(step));
                    }
                }
                Err(RecvTimeoutError::Disconnected) => return self.wait(limit),
                Err(RecvTimeoutError::Timeout) => {}
            }
            if Instant::now() >= end {
                return self.finish(true, true, None);
            }
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}
