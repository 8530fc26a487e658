//! `hutong-qa pay | collect | refund | status | recover`: drive the payment flow against a switch
//! (by default the sandbox on localhost) and print every state transition as it happens.

use anyhow::{anyhow, bail, Context};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use clap::{Args, Subcommand};
use hutong_core::flow::{
    FlowListener, FlowTimings, PayOptions, PayerCode, Payments, PaymentsConfig, StateChange,
};
use hutong_core::money::{Currency, Money};
use hutong_core::route;
use hutong_core::sign::{PinnedRoot, Signer, SoftwareSigner};
use hutong_core::transport::{HttpsTransport, SpkiPin, TlsOptions, Transport};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Where the switch is and who we are (defaults fit `hutong-qa sandbox`).
#[derive(Args, Debug, Clone)]
pub struct Connection {
    /// Switch endpoint.
    #[arg(long, default_value = "https://127.0.0.1:8443")]
    pub endpoint: String,
    /// PEM certificate(s) to trust (the sandbox's self-signed certificate).
    #[arg(long)]
    pub ca_cert: Option<PathBuf>,
    /// SPKI SHA-256 pin(s): `sha256/` and 64 hex digits, as `sandbox` prints it (prefix
    /// optional; repeatable).
    #[arg(long = "pin")]
    pub pins: Vec<String>,
    /// The switch's key-set root public key: `key_id:base64(65-byte SEC1)` (the sandbox prints it).
    #[arg(long, required_unless_present = "sandbox_config")]
    pub root_key: Option<String>,
    /// The JSON line `hutong-qa sandbox --ready-json` printed (or the `sandbox.json` it wrote):
    /// sets the endpoint, certificate, pin and root key at once.
    #[arg(long)]
    pub sandbox_config: Option<PathBuf>,
    /// Journal file.
    #[arg(long, default_value = "hutong-journal.sqlite")]
    pub journal: PathBuf,
    /// Device key (PKCS#8 DER); created owner-only (0600) and registered with the switch if
    /// missing. A file that others can read is narrowed to 0600 before use, with a warning.
    #[arg(long, default_value = "hutong-device.p8")]
    pub key_file: PathBuf,
    /// Use production timings (45-60 s deadlines) instead of the fast sandbox ones.
    #[arg(long)]
    pub production_timings: bool,
    /// Whole-request timeout in milliseconds (default 15 s): fault tests use short ones.
    #[arg(long)]
    pub request_timeout_ms: Option<u64>,
    /// The wallet's acceptance profile (wechat, bank_app, qa_sample...): the routes it may pay
    /// each code by. Without it, any route the registry knows for the code's network.
    #[arg(long)]
    pub wallet: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum PayCmd {
    /// Pay a merchant-presented code.
    Pay {
        /// The scanned payload.
        #[arg(long)]
        code: String,
        #[arg(long)]
        amount: String,
        #[arg(long, default_value = "CNY")]
        currency: String,
        #[arg(long, default_value = "balance")]
        funding_source: String,
        /// `<network>:<route>` reaching the code's network (`alipay:direct`); default: the first
        /// route the wallet profile (or the registry) allows for this code.
        #[arg(long)]
        route: Option<String>,
        /// Sandbox only: force an outcome (`X-Sandbox-Scenario`).
        #[arg(long)]
        scenario: Option<String>,
        #[command(flatten)]
        conn: Connection,
    },
    /// Collect with a payer-presented code (merchant mode).
    Collect {
        #[arg(long)]
        payer_code: String,
        #[arg(long)]
        amount: String,
        #[arg(long, default_value = "CNY")]
        currency: String,
        #[arg(long)]
        scenario: Option<String>,
        #[command(flatten)]
        conn: Connection,
    },
    /// Refund a succeeded payment (default: everything not yet refunded).
    Refund {
        intent: String,
        #[arg(long)]
        amount: Option<String>,
        /// Sandbox only: force an outcome (`X-Sandbox-Scenario`).
        #[arg(long)]
        scenario: Option<String>,
        #[command(flatten)]
        conn: Connection,
    },
    /// Cancel an intent: a settled one is shown as it is, an open one is reversed.
    Cancel {
        intent: String,
        #[command(flatten)]
        conn: Connection,
    },
    /// Verified status of an intent.
    Status {
        intent: String,
        #[command(flatten)]
        conn: Connection,
    },
    /// Settle every unfinished intent and refund in the journal.
    Recover {
        #[command(flatten)]
        conn: Connection,
    },
}

struct Printer;

impl FlowListener for Printer {
    fn on_change(&self, change: &StateChange) {
        match change {
            StateChange::Intent {
                intent_id,
                from,
                to,
            } => println!(
                "  intent {intent_id}: {} -> {to}",
                from.map_or("(new)".to_string(), |f| f.to_string())
            ),
            StateChange::Refund {
                refund_id,
                from,
                to,
                ..
            } => println!(
                "  refund {refund_id}: {} -> {to}",
                from.map_or("(new)".to_string(), |f| f.to_string())
            ),
        }
    }
}

fn money(amount: &str, currency: &str) -> anyhow::Result<Money> {
    let c = Currency::from_alpha(currency).ok_or_else(|| anyhow!("unknown currency {currency}"))?;
    Ok(Money::parse_decimal(amount, c)?)
}

fn parse_root(text: &str) -> anyhow::Result<PinnedRoot> {
    let (id, key) = text
        .split_once(':')
        .ok_or_else(|| anyhow!("--root-key must be key_id:base64"))?;
    Ok(PinnedRoot {
        key_id: id.to_string(),
        public_key: B64
            .decode(key)
            .context("--root-key public key is not base64")?,
    })
}

/// Builds a client; returns whether the device key is new (and so must be registered).
fn client(conn: &Connection) -> anyhow::Result<(Payments, bool)> {
    // The key file is owner-only (0600) from creation; one others could read is narrowed first.
    let (signer, fresh) = if conn.key_file.exists() {
        let (s, tightened_from) = SoftwareSigner::load_pkcs8("qa-device", &conn.key_file)?;
        if let Some(mode) = tightened_from {
            eprintln!(
                "warning: {} was readable by others (mode {mode:o}); now 0600. Replace the key if \
                 others may have read it.",
                conn.key_file.display()
            );
        }
        (s, false)
    } else {
        let s = SoftwareSigner::generate("qa-device")?;
        s.save_pkcs8(&conn.key_file)?;
        (s, true)
    };
    let key_id = format!("dev-{}", &hex(&signer.public_key())[2..18]);
    let signer = SoftwareSigner::from_pkcs8(key_id, signer.pkcs8())?;
    let mut pins = Vec::new();
    for p in &conn.pins {
        pins.push(SpkiPin::parse_hex(p).ok_or_else(|| anyhow!("bad --pin {p}"))?);
    }
    let mut endpoint = conn.endpoint.clone();
    let mut ca_pem = conn.ca_cert.as_ref().map(std::fs::read).transpose()?;
    let mut root = conn.root_key.as_deref().map(parse_root).transpose()?;
    if let Some(path) = &conn.sandbox_config {
        let s = SandboxConfigFile::read(path)?;
        endpoint = s.endpoint;
        ca_pem = Some(s.ca_pem.into_bytes());
        pins.push(
            SpkiPin::parse_hex(&s.spki_pin)
                .ok_or_else(|| anyhow!("bad spki_pin in {}", path.display()))?,
        );
        root = Some(PinnedRoot {
            key_id: s.root_key_id,
            public_key: B64
                .decode(&s.root_public_key)
                .context("root_public_key is not base64")?,
        });
    }
    let root = root.ok_or_else(|| anyhow!("give --root-key or --sandbox-config"))?;
    let transport = match conn.request_timeout_ms {
        Some(ms) => {
            let mut tls = TlsOptions::new(endpoint.clone());
            tls.ca_pem = ca_pem.clone();
            tls.spki_pins = pins.clone();
            tls.request_timeout = Duration::from_millis(ms);
            tls.connect_timeout = tls.connect_timeout.min(tls.request_timeout);
            Some(Arc::new(HttpsTransport::new(&tls)?) as Arc<dyn Transport>)
        }
        None => None,
    };
    let payments = Payments::new(PaymentsConfig {
        endpoint,
        ca_pem,
        spki_pins: pins,
        journal_path: conn.journal.clone(),
        signer: Arc::new(signer),
        server_roots: vec![root],
        listener: Some(Arc::new(Printer)),
        timings: if conn.production_timings {
            FlowTimings::default()
        } else {
            FlowTimings::fast()
        },
        transport,
        wallet: conn
            .wallet
            .as_deref()
            .map(|id| route::profile(id).ok_or_else(|| anyhow!("no wallet profile `{id}`")))
            .transpose()?,
        registry: None,
    })?;
    Ok((payments, fresh))
}

/// The sandbox's ready line (`hutong-qa sandbox --ready-json`).
#[derive(serde::Deserialize)]
struct SandboxConfigFile {
    endpoint: String,
    ca_pem: String,
    spki_pin: String,
    root_key_id: String,
    root_public_key: String,
}

impl SandboxConfigFile {
    fn read(path: &std::path::Path) -> anyhow::Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        serde_json::from_str(text.trim())
            .with_context(|| format!("{} is not a sandbox config", path.display()))
    }
}

/// The first route the wallet profile (or, without one, the registry) allows for `code`.
fn default_route(code: &str, wallet: Option<&str>) -> anyhow::Result<String> {
    let profile = wallet
        .map(|id| route::profile(id).ok_or_else(|| anyhow!("no wallet profile `{id}`")))
        .transpose()?;
    let routes = route::allowed_routes(&hutong_core::identify::identify(code), profile.as_ref())?;
    routes
        .into_iter()
        .next()
        .ok_or_else(|| anyhow!("no route reaches this code's network"))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Crash tests (tests/crash_sigkill.rs): `HUTONG_QA_CRASH_AT=<step>` freezes the process right
/// after that step is durable and prints `CRASH-POINT <step>`, so the parent can SIGKILL it there.
fn arm_crash_point() {
    let Ok(step) = std::env::var("HUTONG_QA_CRASH_AT") else {
        return;
    };
    hutong_core::flow::crash::arm(Some(&step));
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let text = info.to_string();
        if text.contains("crash test:") {
            println!("CRASH-POINT {step}");
            // Frozen, not unwound: nothing after the step may run before the SIGKILL.
            loop {
                std::thread::park();
            }
        }
        default(info);
    }));
}

pub fn run(cmd: PayCmd) -> anyhow::Result<()> {
    arm_crash_point();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(run_async(cmd))
}

async fn connect(conn: &Connection) -> anyhow::Result<Payments> {
    let (p, fresh) = client(conn)?;
    // Registration is idempotent (keyed by the device key id): doing it every time also covers a
    // key file created by a run that could not reach the switch.
    p.register_device("acct-demo").await?;
    if fresh {
        println!("registered a new device key ({})", conn.key_file.display());
    }
    Ok(p)
}

async fn run_async(cmd: PayCmd) -> anyhow::Result<()> {
    match cmd {
        PayCmd::Pay {
            code,
            amount,
            currency,
            funding_source,
            route,
            scenario,
            conn,
        } => {
            if std::path::Path::new(&code).is_file() {
                bail!(
                    "--code takes the scanned payload; scan the image first with `hutong-qa scan`"
                );
            }
            let p = connect(&conn).await?;
            let route = match route {
                Some(r) => r,
                None => default_route(&code, conn.wallet.as_deref())?,
            };
            let quote = p
                .quote(&code, Some(money(&amount, &currency)?), &route)
                .await?;
            println!(
                "quote: {} via {}: original {} discount {} payable {}",
                quote.merchant.name,
                quote.route_used,
                quote.original.minor,
                quote.discount.minor,
                quote.payable.minor
            );
            let opts = PayOptions {
                description: "hutong-qa".into(),
                scenario,
            };
            let rec = p.pay_quoted(&code, &quote, &funding_source, opts).await?;
            println!("intent {} ended {}", rec.intent_id, rec.state);
            if let Some(r) = rec.receipt_json {
                println!("receipt: {r}");
            }
        }
        PayCmd::Collect {
            payer_code,
            amount,
            currency,
            scenario,
            conn,
        } => {
            let p = connect(&conn).await?;
            let code = PayerCode::parse(&payer_code)?;
            let opts = PayOptions {
                description: "hutong-qa collect".into(),
                scenario,
            };
            let rec = p.collect(&code, money(&amount, &currency)?, opts).await?;
            println!("intent {} ended {}", rec.intent_id, rec.state);
        }
        PayCmd::Refund {
            intent,
            amount,
            scenario,
            conn,
        } => {
            let p = connect(&conn).await?;
            let currency = p.journal().intent(&intent)?.amount.currency;
            let amount = amount
                .map(|a| Money::parse_decimal(&a, currency))
                .transpose()?;
            let opts = PayOptions {
                description: String::new(),
                scenario,
            };
            let r = p.refund(&intent, amount, opts).await?;
            println!("refund {} of {} ended {}", r.refund_id, r.amount, r.state);
        }
        PayCmd::Cancel { intent, conn } => {
            let p = connect(&conn).await?;
            let rec = p.cancel(&intent).await?;
            println!("intent {} ended {}", rec.intent_id, rec.state);
        }
        PayCmd::Status { intent, conn } => {
            let p = connect(&conn).await?;
            let rec = p.status(&intent).await?;
            println!(
                "intent {}: {} (paid {:?}, refunded {})",
                rec.intent_id, rec.state, rec.paid_minor, rec.refunded_minor
            );
        }
        PayCmd::Recover { conn } => {
            let p = connect(&conn).await?;
            for outcome in p.recover().await? {
                println!("{outcome:?}");
            }
        }
    }
    Ok(())
}
