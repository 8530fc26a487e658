//! The network between the wallet and the switch, made hostile: a TLS-terminating proxy on
//! loopback that reads each request in clear, draws a fault for it, and forwards it to the
//! sandbox over TLS (or not). Terminating TLS is what makes the faults exact: "reset before the
//! request reached the server" and "reset after the server answered" are told apart by bytes
//! seen, not guessed from timing. The client trusts the proxy's certificate; the switch's
//! response signatures pass through untouched, so nothing here can forge an answer.

use super::rng::SplitMix;
use super::wire::{self, Message};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsConnector;

/// One fault on one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Fault {
    /// Delay of this many ms before forwarding and again before answering.
    Latency(u64),
    /// The request is swallowed; the connection stays open and silent (packet loss).
    Loss,
    /// TCP reset once the request reached the proxy: the server never saw it.
    ResetBeforeRequest,
    /// The server processed and answered; the client gets a TCP reset instead.
    ResetAfterRequest,
    /// The server processed and answered; the client's connection is held open and silent.
    HalfOpen,
    /// The server's answer is cut in the middle of its body, then the connection closes.
    CutBody,
    /// The request reaches the server twice at once; the first answer is relayed.
    Duplicate,
    /// The request reaches the server, its answer is lost, a middlebox delivers the same bytes
    /// again, and the client gets the answer to that second copy (`401 NONCE_REPLAYED`).
    Redelivered,
}

impl Fault {
    pub fn name(self) -> &'static str {
        match self {
            Fault::Latency(_) => "latency",
            Fault::Loss => "loss",
            Fault::ResetBeforeRequest => "reset_before_request",
            Fault::ResetAfterRequest => "reset_after_request",
            Fault::HalfOpen => "half_open",
            Fault::CutBody => "cut_body",
            Fault::Duplicate => "duplicate",
            Fault::Redelivered => "redelivered",
        }
    }
}

/// Every kind of fault, as the fault matrix runs them.
pub const FAULTS: [Fault; 8] = [
    Fault::Latency(400),
    Fault::Loss,
    Fault::ResetBeforeRequest,
    Fault::ResetAfterRequest,
    Fault::HalfOpen,
    Fault::CutBody,
    Fault::Duplicate,
    Fault::Redelivered,
];

/// Which requests a fault rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `POST /v1/payments` or `/v1/collections`.
    Create,
    /// `POST /v1/payments/{id}/refunds`.
    Refund,
    /// `POST /v1/payments/{id}/reverse`.
    Reverse,
    /// `GET /v1/payments/{id}` or `/v1/refunds/{id}`.
    Query,
    /// Any of the above.
    MoneyOrQuery,
}

impl Target {
    pub fn matches(self, method: &str, path: &str) -> bool {
        let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let create =
            method == "POST" && matches!(segs.as_slice(), ["v1", "payments" | "collections"]);
        let refund =
            method == "POST" && matches!(segs.as_slice(), ["v1", "payments", _, "refunds"]);
        let reverse =
            method == "POST" && matches!(segs.as_slice(), ["v1", "payments", _, "reverse"]);
        let query = method == "GET" && matches!(segs.as_slice(), ["v1", "payments" | "refunds", _]);
        match self {
            Target::Create => create,
            Target::Refund => refund,
            Target::Reverse => reverse,
            Target::Query => query,
            Target::MoneyOrQuery => create || refund || reverse || query,
        }
    }
}

/// A signed request the switch answered 2xx, kept for replay tests (invariant 6).
#[derive(Debug, Clone)]
pub struct Captured {
    pub raw: Vec<u8>,
    pub method: String,
    pub target: String,
    pub status: u16,
    pub at: Instant,
}

/// What the proxy did so far.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub requests: u64,
    pub faults: u64,
    pub refused_connections: u64,
    pub by_fault: BTreeMap<&'static str, u64>,
}

struct Rule {
    target: Target,
    fault: Fault,
    times: u32,
}

struct Random {
    percent: u8,
    target: Target,
    rng: SplitMix,
}

#[derive(Default)]
struct Shared {
    upstream: Option<(SocketAddr, TlsConnector)>,
    /// A second sandbox process on the same ledger: requests alternate between the two.
    twin: Option<(SocketAddr, TlsConnector)>,
    turn: u64,
    rules: Vec<Rule>,
    random: Option<Random>,
    refuse_percent: u8,
    refuse_rng: Option<SplitMix>,
    stats: Stats,
    captured: Vec<Captured>,
    /// An attacker's view of the network (invariant 6): this body answers `GET /v1/keys`...
    key_set: Option<Vec<u8>>,
    /// ...and this key re-signs every answer of the switch.
    resign: Option<Arc<hutong_core::sign::SoftwareSigner>>,
}

impl Shared {
    fn draw(&mut self, method: &str, path: &str) -> Option<Fault> {
        if let Some(i) = self
            .rules
            .iter()
            .position(|r| r.times > 0 && r.target.matches(method, path))
        {
            let r = &mut self.rules[i];
            r.times -= 1;
            return Some(r.fault);
        }
        let random = self.random.as_mut()?;
        if !random.target.matches(method, path) || !random.rng.chance(random.percent) {
            return None;
        }
        let pick = random.rng.below(FAULTS.len() as u64) as usize;
        Some(match FAULTS[pick] {
            Fault::Latency(_) => Fault::Latency(50 + random.rng.below(600)),
            f => f,
        })
    }
}

/// The proxy, on its own small runtime (the tests themselves are synchronous).
pub struct FaultProxy {
    pub addr: SocketAddr,
    /// The proxy's certificate: what clients trust instead of the sandbox's.
    pub cert_pem: String,
    /// `sha256/<hex>` of the proxy's key, the form `--sandbox-config` reads.
    pub spki_pin: String,
    shared: Arc<Mutex<Shared>>,
    rt: tokio::runtime::Runtime,
}

/// The longest a silent connection (loss, half-open) is held before the proxy gives up on it.
const HOLD_LIMIT: Duration = Duration::from_secs(120);

impl FaultProxy {
    pub fn start() -> FaultProxy {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("proxy runtime");
        let ck = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()])
            .expect("proxy certificate");
        let cert_der = ck.cert.der().to_vec();
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(
            rustls::pki_types::PrivatePkcs8KeyDer::from(ck.signing_key.serialize_der()),
        );
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("tls versions")
            .with_no_client_auth()
            .with_single_cert(vec![cert_der.clone().into()], key)
            .expect("proxy tls config");
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = rt
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("proxy listens");
        let addr = listener.local_addr().expect("proxy address");
        let shared = Arc::new(Mutex::new(Shared::default()));
        let s = shared.clone();
        rt.spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let _ = tcp.set_nodelay(true);
                tokio::spawn(serve(tcp, acceptor.clone(), s.clone()));
            }
        });
        let pin = hutong_core::transport::spki_sha256(&cert_der).expect("proxy SPKI");
        FaultProxy {
            addr,
            cert_pem: ck.cert.pem(),
            spki_pin: format!("sha256/{}", pin.to_hex()),
            shared,
            rt,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Points the proxy at a (re)started sandbox, or with `None` at nothing: while the switch
    /// is down every new connection is reset before its TLS handshake (nothing can be sent).
    pub fn set_upstream(&self, upstream: Option<(SocketAddr, &str)>) {
        let up = upstream.map(|(a, pem)| {
            (
                a,
                wire::connector(pem.as_bytes()).expect("sandbox certificate"),
            )
        });
        let mut s = self.lock();
        s.upstream = up;
        s.twin = None;
    }

    /// Adds (or with `None` removes) a second sandbox that takes every other request.
    pub fn set_twin(&self, twin: Option<(SocketAddr, &str)>) {
        let up = twin.map(|(a, pem)| {
            (
                a,
                wire::connector(pem.as_bytes()).expect("sandbox certificate"),
            )
        });
        self.lock().twin = up;
    }

    /// The next `times` requests matching `target` get `fault`.
    pub fn inject(&self, target: Target, fault: Fault, times: u32) {
        self.lock().rules.push(Rule {
            target,
            fault,
            times,
        });
    }

    /// From now on each request matching `target` gets a random fault with this probability.
    pub fn random_faults(&self, percent: u8, target: Target, seed: u64) {
        self.lock().random = (percent > 0).then(|| Random {
            percent,
            target,
            rng: SplitMix::new(seed),
        });
    }

    /// Each new connection is reset before TLS with this probability (nothing sent).
    pub fn refuse_connections(&self, percent: u8, seed: u64) {
        let mut s = self.lock();
        s.refuse_percent = percent;
        s.refuse_rng = Some(SplitMix::new(seed));
    }

    /// Answers `GET /v1/keys` with `body` instead of the switch's set (`None`: the switch's).
    pub fn serve_key_set(&self, body: Option<Vec<u8>>) {
        self.lock().key_set = body;
    }

    /// Re-signs every answer of the switch with `key` (`None`: answers pass untouched).
    pub fn resign_with(&self, key: Option<hutong_core::sign::SoftwareSigner>) {
        self.lock().resign = key.map(Arc::new);
    }

    /// Clears every rule and random fault: a quiet network.
    pub fn calm(&self) {
        let mut s = self.lock();
        s.rules.clear();
        s.random = None;
        s.refuse_percent = 0;
    }

    pub fn stats(&self) -> Stats {
        self.lock().stats.clone()
    }

    pub fn captured(&self) -> Vec<Captured> {
        self.lock().captured.clone()
    }

    /// Runs a future on the proxy's runtime (raw probes and replays).
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// The sandbox the proxy forwards to now.
    pub fn upstream(&self) -> Option<(SocketAddr, TlsConnector)> {
        self.lock().upstream.clone()
    }
}

fn reset(tcp: TcpStream) {
    let _ = tcp.set_zero_linger();
    drop(tcp);
}

async fn hold_silent<R: tokio::io::AsyncRead + Unpin>(r: &mut R) {
    let mut sink = [0u8; 1024];
    let _ = tokio::time::timeout(HOLD_LIMIT, async {
        while let Ok(n) = r.read(&mut sink).await {
            if n == 0 {
                break;
            }
        }
    })
    .await;
}

async fn forward(upstream: &(SocketAddr, TlsConnector), raw: &[u8]) -> std::io::Result<Message> {
    // The sandbox may hold an answer (timeout_after_commit) for its hold time; wait past it.
    wire::round_trip(upstream.0, &upstream.1, raw, Duration::from_secs(60)).await
}

async fn serve(tcp: TcpStream, acceptor: tokio_rustls::TlsAcceptor, shared: Arc<Mutex<Shared>>) {
    let lock = || shared.lock().unwrap_or_else(|e| e.into_inner());
    let refuse = {
        let mut s = lock();
        let percent = s.refuse_percent;
        let chance = s.refuse_rng.as_mut().is_some_and(|r| r.chance(percent));
        let down = s.upstream.is_none();
        if chance || down {
            s.stats.refused_connections += 1;
        }
        chance || down
    };
    if refuse {
        return reset(tcp);
    }
    let Ok(Ok(mut tls)) = tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await
    else {
        return;
    };
    let Ok(Some(req)) = wire::read_message(&mut tls, false).await else {
        return;
    };
    let (method, path) = req.request_line();
    let path = path.split('?').next().unwrap_or("").to_string();
    let (key_set, resign) = {
        let s = lock();
        (s.key_set.clone(), s.resign.clone())
    };
    if let (Some(body), "/v1/keys") = (&key_set, path.as_str()) {
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        );
        wire::write_quietly(&mut tls, head.as_bytes()).await;
        wire::write_quietly(&mut tls, body).await;
        let _ = tokio::io::AsyncWriteExt::shutdown(&mut tls).await;
        return;
    }
    let (fault, upstream) = {
        let mut s = lock();
        s.stats.requests += 1;
        let fault = s.draw(&method, &path);
        if let Some(f) = fault {
            s.stats.faults += 1;
            *s.stats.by_fault.entry(f.name()).or_default() += 1;
        }
        s.turn += 1;
        let upstream = match (&s.twin, s.turn % 2) {
            (Some(t), 0) => Some(t.clone()),
            _ => s.upstream.clone(),
        };
        (fault, upstream)
    };
    match fault {
        Some(Fault::Loss) => return hold_silent(&mut tls).await,
        Some(Fault::ResetBeforeRequest) => return reset(tls.into_inner().0),
        Some(Fault::Latency(ms)) => tokio::time::sleep(Duration::from_millis(ms)).await,
        _ => {}
    }
    let Some(upstream) = upstream else {
        return reset(tls.into_inner().0);
    };
    let raw = wire::with_host(&req.to_bytes(), upstream.0);
    if fault == Some(Fault::Duplicate) {
        let (up, copy) = (upstream.clone(), raw.clone());
        tokio::spawn(async move {
            let _ = forward(&up, &copy).await;
        });
    }
    if fault == Some(Fault::Redelivered) {
        // The first copy is processed; its answer never comes back.
        let _ = forward(&upstream, &raw).await;
    }
    let mut resp = match forward(&upstream, &raw).await {
        Ok(r) => r,
        // The switch reset, closed or died: so does the client's connection.
        Err(_) => return reset(tls.into_inner().0),
    };
    if let Some(key) = resign {
        resp = resign_answer(&req, resp, &key);
    }
    let status = resp.status();
    if method == "POST"
        && (200..300).contains(&status)
        && Target::MoneyOrQuery.matches(&method, &path)
    {
        lock().captured.push(Captured {
            raw: raw.clone(),
            method: method.clone(),
            target: path.clone(),
            status,
            at: Instant::now(),
        });
    }
    match fault {
        Some(Fault::ResetAfterRequest) => reset(tls.into_inner().0),
        Some(Fault::HalfOpen) => hold_silent(&mut tls).await,
        Some(Fault::CutBody) => {
            let bytes = resp.with_connection_close();
            let cut = bytes.len() - resp.body.len() / 2 - 1;
            wire::write_quietly(&mut tls, &bytes[..cut]).await;
            let _ = tokio::io::AsyncWriteExt::shutdown(&mut tls).await;
        }
        Some(Fault::Latency(ms)) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            wire::write_quietly(&mut tls, &resp.with_connection_close()).await;
            let _ = tokio::io::AsyncWriteExt::shutdown(&mut tls).await;
        }
        _ => {
            wire::write_quietly(&mut tls, &resp.with_connection_close()).await;
            let _ = tokio::io::AsyncWriteExt::shutdown(&mut tls).await;
        }
    }
}

/// The switch's answer, signed again by `key` for the request's nonce (an attacker holding a key
/// the client should no longer trust).
fn resign_answer(req: &Message, resp: Message, key: &hutong_core::sign::SoftwareSigner) -> Message {
    let nonce = req
        .header("authorization")
        .and_then(|a| hutong_core::sign::Authorization::parse(a).ok())
        .map(|a| a.nonce);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let Ok(sig) =
        hutong_protocol::sign_response(key, now, nonce.as_deref(), resp.status(), &resp.body)
    else {
        return resp;
    };
    let replaced: Vec<(String, String)> = sig
        .to_headers()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    resp.with_headers(&replaced)
}
