//! `hutong-qa scan`: decode every image under the given paths, as a table or JSON lines.
use crate::files::{self, Entry};
use anyhow::{bail, Result};
use hutong_core::scan::{
    decode_luma, CodeFormat, ScanOptions, ScannedCode, Scanner, MAX_IMAGE_FILE_BYTES,
};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Arguments of `hutong-qa scan`.
#[derive(clap::Args, Debug)]
pub struct ScanArgs {
    /// One JSON object per image per line instead of a table.
    #[arg(long)]
    json: bool,
    /// Comma-separated formats: qr, microqr, code128, pdf417, datamatrix, aztec, ean13, ean8, upce, code39.
    #[arg(long, value_delimiter = ',', default_value = "qr,code128")]
    formats: Vec<String>,
    /// Slower, more thorough decoding (rxing TryHarder plus a quarter-turn retry).
    #[arg(long)]
    try_harder: bool,
    /// Also look for light-on-dark codes.
    #[arg(long)]
    inverted: bool,
    /// Identify each decoded payload (network, presentation, amount, risk), as `identify` does.
    #[arg(long)]
    identify: bool,
    /// Image files, or folders searched recursively for .png/.jpg/.jpeg/.webp files (regular
    /// files only: FIFOs, sockets and devices in folders are skipped; symlinks are followed,
    /// each folder once). Files over the SDK's image size cap (32 MiB) are refused unread.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

/// Folders hold corpora with expected-text files beside the images: only pick images there.
const IMAGE_EXTENSIONS: [&str; 4] = ["png", "jpg", "jpeg", "webp"];
/// More files than this get a progress bar (when stderr is a terminal).
const PROGRESS_MIN_FILES: usize = 5;

#[derive(serde::Serialize)]
struct JsonCode<'a> {
    text: &'a str,
    format: &'static str,
    corners: [[f32; 2]; 4],
    /// Present with --identify: the same object `hutong-qa identify --json` prints.
    #[serde(skip_serializing_if = "Option::is_none")]
    identification: Option<serde_json::Value>,
}

#[derive(serde::Serialize)]
struct JsonLine<'a> {
    path: String,
    ms: Option<f64>,
    codes: Vec<JsonCode<'a>>,
    error: Option<String>,
}

fn parse_formats(names: &[String]) -> Result<Vec<CodeFormat>> {
    let mut formats = Vec::new();
    for name in names.iter().filter(|n| !n.trim().is_empty()) {
        match CodeFormat::parse(name) {
            Some(f) => formats.push(f),
            None => bail!("unknown format `{name}` (try qr, microqr, code128, pdf417, datamatrix, aztec, ean13, ean8, upce, code39)"),
        }
    }
    if formats.is_empty() {
        bail!("--formats needs at least one format");
    }
    Ok(formats)
}

/// Reads (capped) and decodes the file into pixels, then times the scan of those pixels
/// alone: as a gallery image, every quarter turn and both polarities if need be.
fn scan_file(scanner: &Scanner, entry: &Entry) -> Result<(f64, Vec<ScannedCode>), String> {
    let path = match entry {
        Entry::File(path) => path,
        Entry::Refused(_, why) => return Err(why.clone()),
    };
    let bytes = files::read_capped(path, MAX_IMAGE_FILE_BYTES)?;
    let image = decode_luma(&bytes).map_err(|e| e.to_string())?;
    drop(bytes);
    let started = Instant::now();
    let codes = scanner.scan_still(&image);
    Ok((started.elapsed().as_secs_f64() * 1000.0, codes))
}

/// One human line for an identification: network, presentation, amount, risk.
fn identification_line(code: &hutong_core::registry::PaymentCode) -> String {
    let v = code.to_json();
    let field = |k: &str| match &v[k] {
        serde_json::Value::Null => "-".to_owned(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let line = format!(
        "{} {} {} amount {} {} valid {} risk {}",
        field("network"),
        field("presentation"),
        field("static_or_dynamic"),
        field("amount"),
        field("currency"),
        field("valid"),
        field("risk")
    );
    hutong_core::codes::text::escape_for_display(&line).into_owned()
}

/// The text on one table cell: line breaks (EPC, Swiss QR payloads) as spaces, every other
/// control or bidi character escaped (`\u{202e}`), then cut to `max` characters.
fn shorten(text: &str, max: usize) -> String {
    let spaced: String = text
        .chars()
        .map(|c| {
            if matches!(c, '\n' | '\r' | '\t') {
                ' '
            } else {
                c
            }
        })
        .collect();
    let flat = hutong_core::codes::text::escape_for_display(&spaced);
    if flat.chars().count() <= max {
        flat.into_owned()
    } else {
        let cut: String = flat.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

pub fn run(args: ScanArgs) -> Result<std::process::ExitCode> {
    match scan_all(args) {
        // `hutong-qa scan ... | head` closes the pipe early: that is not a failure.
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            Ok(std::process::ExitCode::SUCCESS)
        }
        other => other,
    }
}

fn scan_all(args: ScanArgs) -> Result<std::process::ExitCode> {
    let scanner = Scanner::new(ScanOptions {
        formats: parse_formats(&args.formats)?,
        try_harder: args.try_harder,
        also_inverted: args.inverted,
        max_codes: 16,
        // A QA run wants the answer, not a camera's frame rate.
        time_budget: Duration::from_secs(10),
    });
    let files = files::collect(&args.paths, &IMAGE_EXTENSIONS);
    let progress = (std::io::stderr().is_terminal() && files.len() > PROGRESS_MIN_FILES)
        .then(|| indicatif::ProgressBar::new(files.len() as u64));
    let mut out = std::io::stdout().lock();
    if !args.json {
        writeln!(out, "{:<50} {:>8}  {:<12} text", "path", "ms", "format")?;
    }
    let (mut unreadable, mut with_codes) = (0usize, 0usize);
    for path in &files {
        let result = scan_file(&scanner, path);
        if let Some(bar) = &progress {
            bar.inc(1);
        }
        let shown = path.path().display().to_string();
        match &result {
            Ok((_, codes)) if !codes.is_empty() => with_codes += 1,
            Ok(_) => {}
            Err(_) => unreadable += 1,
        }
        if args.json {
            let line = match &result {
                Ok((ms, codes)) => JsonLine {
                    path: shown,
                    ms: Some((ms * 100.0).round() / 100.0),
                    codes: codes
                        .iter()
                        .map(|c| JsonCode {
                            text: &c.text,
                            format: c.format.as_str(),
                            corners: c.corners.map(|p| [p.x, p.y]),
                            identification: args
                                .identify
                                .then(|| hutong_core::identify::identify(&c.text).to_json()),
                        })
                        .collect(),
                    error: None,
                },
                Err(e) => JsonLine {
                    path: shown,
                    ms: None,
                    codes: Vec::new(),
                    error: Some(e.clone()),
                },
            };
            writeln!(out, "{}", hutong_core::codes::text::to_safe_json(&line))?;
        } else {
            match &result {
                Ok((ms, codes)) if codes.is_empty() => {
                    writeln!(out, "{:<50} {ms:>8.2}  {:<12} -", shorten(&shown, 50), "")?
                }
                Ok((ms, codes)) => {
                    for (i, c) in codes.iter().enumerate() {
                        let (p, t) = if i == 0 {
                            (shorten(&shown, 50), format!("{ms:>8.2}"))
                        } else {
                            (String::new(), String::new())
                        };
                        writeln!(
                            out,
                            "{p:<50} {t:>8}  {:<12} {}",
                            c.format.as_str(),
                            shorten(&c.text, 60)
                        )?;
                        if args.identify {
                            let id = hutong_core::identify::identify(&c.text);
                            writeln!(out, "{:<73} -> {}", "", identification_line(&id))?;
                        }
                    }
                }
                Err(e) => writeln!(
                    out,
                    "{:<50} {:>8}  {:<12} error: {}",
                    shorten(&shown, 50),
                    "-",
                    "",
                    hutong_core::codes::text::escape_for_display(e)
                )?,
            }
        }
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if !args.json {
        let stats = scanner.stats();
        writeln!(
            out,
            "\n{} files, {with_codes} with codes, {unreadable} unreadable; decoder panics {}, timeouts {}",
            files.len(),
            stats.panics,
            stats.timeouts
        )?;
    }
    Ok(if unreadable == 0 {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::from(1)
    })
}
