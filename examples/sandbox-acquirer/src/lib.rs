//! The sandbox acquirer: a real HTTPS server speaking the Hutong wallet-to-switch protocol
//! (docs/protocol.md), with its own SQLite ledger, signed responses, idempotency storage, refund
//! rules, and forced outcomes chosen per request (protocol §8). Tests and tools start it with
//! [`start`]; `hutong-qa sandbox` runs it as a process.

pub mod admin;
pub mod conn;
pub mod console;
pub mod crash;
pub mod data;
pub mod inprocess;
pub mod ledger;
pub mod merchant;
pub mod ops;
pub mod protocol;
pub mod scenario;
pub mod setup;
pub mod state;

pub use ledger::{Exchange, PaymentRow, RefundRow};
pub use state::{SandboxState, Timing};

use axum::routing::any;
use axum::Router;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use hutong_core::sign::PinnedRoot;
use hutong_core::transport::spki_sha256;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How to run a sandbox.
pub struct SandboxConfig {
    /// Where to listen; port 0 picks a free one.
    pub listen: SocketAddr,
    /// The ledger file; `None`: a fresh temporary file, deleted with the handle.
    pub ledger: Option<PathBuf>,
    /// Serve plain HTTP instead of TLS (explicit opt-in; the SDK refuses it).
    pub plain_http: bool,
    /// The scenario of every request nothing else chose (`--scenario`).
    pub default_scenario: Option<String>,
    /// More certificate names besides 127.0.0.1 and localhost.
    pub extra_names: Vec<String>,
    pub timing: Timing,
    /// Routes to serve beside the protocol and admin ones (the QA console's `/console`).
    pub extra_routes: Option<Router>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            ledger: None,
            plain_http: false,
            default_scenario: None,
            extra_names: vec![],
            timing: Timing {
                hold_after_commit: Duration::from_secs(20),
                slow_delay: Duration::from_millis(500),
                max_body_bytes: 64 * 1024,
                clock_offset_secs: 0,
            },
            extra_routes: None,
        }
    }
}

/// Why the sandbox did not start.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("ledger: {0}")]
    Ledger(#[from] rusqlite::Error),
    #[error(transparent)]
    State(#[from] state::StateError),
    #[error("certificate: {0}")]
    Certificate(String),
    #[error("listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    #[error("unknown default scenario: {0}")]
    Scenario(String),
}

/// The protocol (`/v1/*`) and admin (`/sandbox/*`) routes on `state`, ready to merge more into.
pub fn router(state: Arc<SandboxState>) -> Router {
    Router::new()
        .route("/v1/{*rest}", any(protocol::handle))
        // The wildcard needs a segment: without these, `/v1` and `/v1/` got axum's bare 404.
        .route("/v1", any(protocol::handle))
        .route("/v1/", any(protocol::handle))
        .merge(admin::routes())
        .with_state(state)
}

/// A running sandbox. Dropping it stops the server (as `shutdown` does, without waiting).
pub struct SandboxHandle {
    addr: SocketAddr,
    plain_http: bool,
    cert_pem: String,
    cert_der: Vec<u8>,
    setup: setup::SetupSource,
    state: Arc<SandboxState>,
    ledger_path: PathBuf,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
    _temp: Option<tempfile::TempDir>,
}

/// Starts a sandbox on the current tokio runtime and returns once it is listening.
pub async fn start(config: SandboxConfig) -> Result<SandboxHandle, SandboxError> {
    if let Some(s) = &config.default_scenario {
        scenario::Scenario::parse(s, "default").map_err(SandboxError::Scenario)?;
    }
    let (ledger_path, temp) = match &config.ledger {
        Some(p) => (p.clone(), None),
        None => {
            let dir = tempfile::Builder::new()
                .prefix("hutong-sandbox-")
                .tempdir()?;
            (dir.path().join("ledger.sqlite"), Some(dir))
        }
    };
    let ledger = Arc::new(ledger::Ledger::open(&ledger_path)?);
    let state = SandboxState::new(
        ledger,
        config.timing.clone(),
        config.default_scenario.clone(),
    )?;
    let identity = conn::self_signed(&config.extra_names)
        .map_err(|e| SandboxError::Certificate(e.to_string()))?;
    let acceptor = if config.plain_http {
        None
    } else {
        Some(conn::tls_acceptor(&identity).map_err(|e| SandboxError::Certificate(e.to_string()))?)
    };
    let mut app = router(state.clone());
    if let Some(extra) = config.extra_routes {
        app = app.merge(extra);
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| SandboxError::Listen {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr()?;
    // The console's setup code reads the certificate and root key from here.
    let setup = setup::SetupSource {
        state: state.clone(),
        names: setup::preferred_names(&config.extra_names),
        port: addr.port(),
        cert_der: identity.cert_der.clone(),
        plain_http: config.plain_http,
    };
    let app = app.layer(axum::Extension(Arc::new(setup.clone())));
    let (stop, stop_rx) = watch::channel(false);
    let own = Arc::new(conn::OwnAddress::new(addr, &config.extra_names));
    let task = tokio::spawn(conn::serve(listener, acceptor, app, own, stop_rx));
    Ok(SandboxHandle {
        addr,
        plain_http: config.plain_http,
        cert_pem: identity.cert_pem,
        cert_der: identity.cert_der,
        setup,
        state,
        ledger_path,
        stop,
        task: Some(task),
        _temp: temp,
    })
}

impl SandboxHandle {
    /// `https://127.0.0.1:PORT` (or `http://` with `plain_http`).
    pub fn endpoint(&self) -> String {
        let scheme = if self.plain_http { "http" } else { "https" };
        format!("{scheme}://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The self-signed certificate, PEM: what a client trusts as its only root.
    pub fn ca_pem(&self) -> &str {
        &self.cert_pem
    }

    /// `sha256/<hex>` of the certificate's public key, the form `SpkiPin::parse_hex` reads.
    pub fn spki_pin(&self) -> String {
        spki_sha256(&self.cert_der)
            .map(|p| format!("sha256/{}", p.to_hex()))
            .unwrap_or_default()
    }

    /// The root key that signs the response-key set: what clients pin.
    pub fn server_roots(&self) -> Vec<PinnedRoot> {
        vec![self.state.root()]
    }

    pub fn ledger_path(&self) -> &std::path::Path {
        &self.ledger_path
    }

    pub fn state(&self) -> &Arc<SandboxState> {
        &self.state
    }

    /// The line `hutong-qa sandbox --ready-json` prints.
    pub fn ready_json(&self) -> serde_json::Value {
        let root = self.state.root();
        serde_json::json!({
            "endpoint": self.endpoint(),
            "ca_pem": self.cert_pem,
            "spki_pin": self.spki_pin(),
            "root_key_id": root.key_id,
            "root_public_key": B64.encode(&root.public_key),
            "ledger": self.ledger_path.display().to_string(),
            // What the console's "Phone setup" QR code holds (setup::encode), for the first name.
            "setup_code": self.setup_code(),
        })
    }

    /// The setup code for the certificate's first name (`--name`, else 127.0.0.1).
    pub fn setup_code(&self) -> String {
        self.setup
            .code(None)
            .map(|(text, _)| text)
            .unwrap_or_default()
    }

    pub fn payment(&self, intent_id: &str) -> Option<PaymentRow> {
        self.state
            .ledger
            .read(|c| ledger::payment(c, intent_id))
            .ok()
            .flatten()
    }

    pub fn payment_by_out_trade_no(&self, out_trade_no: &str) -> Option<PaymentRow> {
        self.state
            .ledger
            .read(|c| ledger::payment_by_out_trade_no(c, out_trade_no))
            .ok()
            .flatten()
    }

    pub fn payments(&self) -> Vec<PaymentRow> {
        self.state.ledger.read(ledger::payments).unwrap_or_default()
    }

    /// Refunds of one intent, or all of them.
    pub fn refunds(&self, intent_id: Option<&str>) -> Vec<RefundRow> {
        self.state
            .ledger
            .read(|c| ledger::refunds(c, intent_id))
            .unwrap_or_default()
    }

    /// How many times money was taken: for one intent, or in total.
    pub fn capture_count(&self, intent_id: Option<&str>) -> i64 {
        self.state
            .ledger
            .read(|c| ledger::capture_count(c, intent_id))
            .unwrap_or(-1)
    }

    /// Every exchange about an intent or refund id, oldest first.
    pub fn exchanges(&self, id: &str) -> Vec<Exchange> {
        self.state
            .ledger
            .read(|c| ledger::exchanges_for(c, id))
            .unwrap_or_default()
    }

    /// Stops accepting, ends every connection, and waits for the accept loop to finish.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
