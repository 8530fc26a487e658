//! The peer decoders (zxing-cpp, WeChat's QR engine) served by `benches/compare_peers.py`, and
//! the statistics the benches report: shared by `compare.rs` and `sequences.rs`.
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// A running peer server: one timed call per line.
pub struct Peers {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    /// What the server said when ready: `ready {"zxing": ..., "wechat": ...}` (versions).
    pub hello: String,
}

impl Peers {
    /// Starts `compare_peers.py` with `python` over the planes `manifest` lists and waits for it.
    pub fn start(python: &std::ffi::OsStr, root: &Path, manifest: &Path) -> Peers {
        let mut child = Command::new(python)
            .arg(root.join("benches/compare_peers.py"))
            .arg(manifest)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the peer server");
        let stdin = child.stdin.take().expect("stdin");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut hello = String::new();
        stdout.read_line(&mut hello).expect("peer server ready");
        Peers {
            child,
            stdin,
            stdout,
            hello: hello.trim().to_owned(),
        }
    }

    /// The versions the server reported.
    pub fn versions(&self) -> serde_json::Value {
        serde_json::from_str(self.hello.trim_start_matches("ready ")).expect("versions")
    }

    /// One timed call of `engine` on plane `index`; texts that are not UTF-8 come back as `None`.
    pub fn read(&mut self, engine: &str, index: usize) -> (f64, Vec<Option<String>>) {
        writeln!(self.stdin, "{engine} {index}").expect("peer server alive");
        self.stdin.flush().expect("peer server alive");
        let mut line = String::new();
        self.stdout
            .read_line(&mut line)
            .expect("peer server answers");
        let (ms, texts) = line
            .trim_end()
            .split_once(' ')
            .expect("`<ms> <json>` reply");
        (
            ms.parse().expect("milliseconds"),
            serde_json::from_str(texts).expect("json list of texts"),
        )
    }

    /// Closes the server's input and waits for it to exit.
    pub fn stop(self) {
        let Peers {
            mut child, stdin, ..
        } = self;
        drop(stdin);
        let _ = child.wait();
    }
}

pub fn median(v: &[f64]) -> f64 {
    percentile(v, 0.5)
}

pub fn percentile(v: &[f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let i = ((s.len() as f64 - 1.0) * p).round() as usize;
    s[i.min(s.len() - 1)]
}
