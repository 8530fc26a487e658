//! `hutong-qa sandbox`: runs the sandbox acquirer until killed. For people it prints where it
//! listens, its certificate pin and root key, and a `pay` command line that works against it; for
//! programs (`--ready-json`) exactly one JSON line once it is listening, and it also stops when
//! its standard input closes, so a test harness that dies takes the sandbox with it.

use anyhow::Context;
use clap::Args;
use sandbox_acquirer::{start, SandboxConfig};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args, Debug)]
pub struct SandboxArgs {
    /// Address to listen on (default 127.0.0.1:8443; with --ready-json 127.0.0.1:0, a free port).
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// Ledger file (default: a temporary file, deleted on exit).
    #[arg(long)]
    pub ledger: Option<PathBuf>,
    /// Serve plain HTTP instead of TLS (the SDK refuses it; for curl and debugging only).
    #[arg(long)]
    pub plain_http: bool,
    /// Scenario of every request that names none (see docs/protocol.md §8).
    #[arg(long)]
    pub scenario: Option<String>,
    /// Print one JSON line when listening and exit when stdin closes.
    #[arg(long)]
    pub ready_json: bool,
    /// Extra certificate names besides 127.0.0.1 and localhost (repeatable).
    #[arg(long = "name")]
    pub names: Vec<String>,
    /// Let clients other than this machine upload photos to the console's "scan a photo"
    /// (off: only loopback clients may, since a decode costs up to ~200 MB; see
    /// docs/qa-console.md). Needs --listen on a non-loopback address to matter.
    #[arg(long)]
    pub allow_remote_upload: bool,
    /// How long `timeout_after_commit` holds an answer (seconds; beyond the client's timeout).
    #[arg(long, default_value_t = 20)]
    pub hold_secs: u64,
}

pub fn run(args: SandboxArgs) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(serve(args))
}

async fn serve(args: SandboxArgs) -> anyhow::Result<()> {
    let default_listen = if args.ready_json {
        "127.0.0.1:0"
    } else {
        "127.0.0.1:8443"
    };
    let mut config = SandboxConfig {
        listen: args
            .listen
            .unwrap_or_else(|| default_listen.parse().expect("a valid address")),
        ledger: args.ledger.clone(),
        plain_http: args.plain_http,
        default_scenario: args.scenario.clone(),
        extra_names: args.names.clone(),
        // The QA console page and its JSON endpoints, beside the admin API it reads.
        extra_routes: Some(sandbox_acquirer::console::router_with(
            sandbox_acquirer::console::ConsoleOptions {
                remote_uploads: args.allow_remote_upload,
            },
        )),
        ..Default::default()
    };
    config.timing.hold_after_commit = Duration::from_secs(args.hold_secs);
    let sb = start(config).await.context("starting the sandbox")?;
    let ready = sb.ready_json();
    // Beside the ledger: the config file `--sandbox-config` reads and the certificate for curl.
    let dir = sb
        .ledger_path()
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default();
    let config_file = dir.join("sandbox.json");
    std::fs::write(&config_file, format!("{ready}\n"))?;
    std::fs::write(dir.join("sandbox-ca.pem"), sb.ca_pem())?;
    if args.ready_json {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{ready}")?;
        out.flush()?;
        drop(out);
        // Serve until stdin reaches end of file (the parent closed it or died).
        tokio::task::spawn_blocking(|| {
            let mut sink = Vec::new();
            let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
        })
        .await?;
        sb.shutdown().await;
        return Ok(());
    }
    println!("sandbox acquirer listening on {}", sb.endpoint());
    if args.plain_http {
        println!("  PLAIN HTTP: for curl only; the SDK and `hutong-qa pay` require TLS");
    }
    println!("  certificate pin : {}", sb.spki_pin());
    println!(
        "  root key id     : {}",
        ready["root_key_id"].as_str().unwrap_or("")
    );
    println!(
        "  --root-key      : {}:{}",
        ready["root_key_id"].as_str().unwrap_or(""),
        ready["root_public_key"].as_str().unwrap_or("")
    );
    println!("  response key id : {}", sb.state().active_key_id());
    println!("  ledger          : {}", sb.ledger_path().display());
    println!("  config          : {}", config_file.display());
    println!(
        "  admin           : {}/sandbox/intents  (events: /sandbox/events)",
        sb.endpoint()
    );
    println!(
        "  QA console      : {}/console  (self-signed certificate: accept it once in the browser)",
        sb.endpoint()
    );
    println!(
        "  phone setup     : {}/console#setup  (a QR code the sample apps scan; docs/qa-console.md)",
        sb.endpoint()
    );
    println!(
        "try: hutong-qa pay --sandbox-config {} --code 'https://qr.alipay.com/fkx12345' --route alipay:direct --amount 12.34",
        config_file.display()
    );
    std::future::pending::<()>().await;
    Ok(())
}
