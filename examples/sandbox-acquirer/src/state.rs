//! The state every handler shares: the ledger, the signing keys, the request verifier, the
//! scenario overrides and the event channel. Public so the QA console can mount its own routes
//! on the same state (`crate::router`).

use crate::ledger::{self, Ledger};
use crate::scenario::{Op, Overrides, Scenario};
use hutong_core::sign::{KeySet, PinnedRoot, SignedKeySet, Signer, SoftwareSigner, WINDOW_SECS};
use hutong_protocol::RequestVerifier;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::broadcast;

/// Unix seconds.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Unix milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// How long server keys stay valid once created (the sandbox rotates by hand, `rotate_key`).
const KEY_LIFETIME_SECS: i64 = 365 * 24 * 3600;

/// Knobs that shape the forced outcomes.
#[derive(Debug, Clone)]
pub struct Timing {
    /// `timeout_after_commit` holds the answer this long before closing the connection; longer
    /// than the client's read timeout.
    pub hold_after_commit: Duration,
    /// `slow` keeps a key in flight this long before committing.
    pub slow_delay: Duration,
    /// Largest request body accepted (bigger: 413 BODY_TOO_LARGE).
    pub max_body_bytes: usize,
    /// This switch's clock runs this many seconds off real time (tests a client's resync on a
    /// signed `401 TIMESTAMP_SKEW`, protocol §3.3).
    pub clock_offset_secs: i64,
}

/// Why the shared state could not be built.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("ledger: {0}")]
    Ledger(#[from] rusqlite::Error),
    #[error("signing key: {0}")]
    Sign(#[from] hutong_core::sign::SignError),
}

struct Keys {
    root: SoftwareSigner,
    /// Oldest first; the last one signs responses.
    servers: Vec<(SoftwareSigner, i64, i64)>,
}

/// Everything the handlers share.
pub struct SandboxState {
    pub ledger: Arc<Ledger>,
    /// One JSON string per ledger change or exchange (`GET /sandbox/events`).
    pub events: broadcast::Sender<String>,
    pub timing: Timing,
    keys: RwLock<Keys>,
    pub(crate) verifier: RequestVerifier,
    pub(crate) in_flight: InFlight,
    overrides: Mutex<Overrides>,
}

fn key_id(prefix: &str, signer: &SoftwareSigner) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, &signer.public_key());
    let hex: String = d.as_ref()[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}-{hex}")
}

impl SandboxState {
    /// Opens the state on `ledger`, loading the root and server keys it holds or creating them,
    /// so a sandbox restarted on the same ledger keeps its identity.
    pub fn new(
        ledger: Arc<Ledger>,
        timing: Timing,
        default_scenario: Option<String>,
    ) -> Result<Arc<SandboxState>, StateError> {
        let now = now();
        let keys = ledger.tx(|c| -> Result<Keys, StateError> {
            let root = match ledger::keys(c, "root")?.into_iter().next() {
                Some((id, der, _, _)) => SoftwareSigner::from_pkcs8(id, &der)?,
                None => {
                    let tmp = SoftwareSigner::generate("tmp")?;
                    let s = SoftwareSigner::from_pkcs8(key_id("sandbox-root", &tmp), tmp.pkcs8())?;
                    ledger::insert_key(c, &s.key_id(), "root", s.pkcs8(), now, i64::MAX, now)?;
                    s
                }
            };
            let mut servers = Vec::new();
            for (id, der, nb, na) in ledger::keys(c, "server")? {
                servers.push((SoftwareSigner::from_pkcs8(id, &der)?, nb, na));
            }
            if servers.is_empty() {
                let s = new_server_key(c, now)?;
                servers.push(s);
            }
            Ok(Keys { root, servers })
        })?;
        let (events, _) = broadcast::channel(1024);
        let nonces = ledger::LedgerNonces(ledger.clone());
        Ok(Arc::new(SandboxState {
            ledger,
            events,
            timing,
            verifier: RequestVerifier::with_store(Box::new(nonces), WINDOW_SECS),
            keys: RwLock::new(keys),
            in_flight: InFlight::default(),
            overrides: Mutex::new(Overrides {
                default: default_scenario,
                ..Default::default()
            }),
        }))
    }

    /// The switch's clock (Unix seconds): real time plus the configured offset.
    pub fn clock(&self) -> i64 {
        now().saturating_add(self.timing.clock_offset_secs)
    }

    /// The root key clients pin (`PinnedRoot` form).
    pub fn root(&self) -> PinnedRoot {
        let k = self.keys.read().unwrap_or_else(|e| e.into_inner());
        PinnedRoot {
            key_id: k.root.key_id(),
            public_key: k.root.public_key(),
        }
    }

    /// The key id of the key that signs responses now.
    pub fn active_key_id(&self) -> String {
        let k = self.keys.read().unwrap_or_else(|e| e.into_inner());
        k.servers.last().map(|s| s.0.key_id()).unwrap_or_default()
    }

    /// Signs with the active server key.
    pub(crate) fn with_active<R>(&self, f: impl FnOnce(&SoftwareSigner) -> R) -> Option<R> {
        let k = self.keys.read().unwrap_or_else(|e| e.into_inner());
        k.servers.last().map(|s| f(&s.0))
    }

    /// `GET /v1/keys`: every server key, version = how many keys were ever published.
    pub fn signed_key_set(&self) -> Result<SignedKeySet, hutong_core::sign::SignError> {
        let k = self.keys.read().unwrap_or_else(|e| e.into_inner());
        let set = KeySet {
            version: k.servers.len() as u64,
            issued_at: k.servers.last().map(|s| s.1).unwrap_or(0),
            keys: k
                .servers
                .iter()
                .map(|(s, nb, na)| KeySet::entry_for(s, *nb, *na))
                .collect(),
        };
        SignedKeySet::sign(&set, &k.root)
    }

    /// Key rotation: publishes a new server key (the old ones stay in the set) and signs with it
    /// from now on. Returns the new key id.
    pub fn rotate_key(&self) -> Result<String, StateError> {
        let now = now();
        let fresh = self.ledger.tx(|c| new_server_key(c, now))?;
        let id = fresh.0.key_id();
        self.keys
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .servers
            .push(fresh);
        self.emit("key_rotated", json!({ "key_id": id }));
        Ok(id)
    }

    /// Sends one event to every `/sandbox/events` listener (none listening is fine).
    pub fn emit(&self, kind: &str, data: Value) {
        let event = json!({ "type": kind, "at_ms": now_ms(), "data": data });
        let _ = self.events.send(event.to_string());
    }

    /// Picks the scenario of one operation (see `scenario::Overrides::resolve`).
    pub fn resolve_scenario(
        &self,
        op: Op,
        header: Option<&str>,
        merchant_id: Option<&str>,
        amount_minor: Option<i64>,
    ) -> Result<Scenario, String> {
        self.overrides
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .resolve(op, header, merchant_id, amount_minor)
    }

    /// Sets (or with `None` clears) an override: scope `next`, `merchant` (needs `merchant_id`)
    /// or `default`.
    pub fn set_scenario(
        &self,
        scenario: Option<&str>,
        scope: &str,
        merchant_id: Option<&str>,
    ) -> Result<Overrides, String> {
        if let Some(s) = scenario {
            Scenario::parse(s, "admin")?;
        }
        let mut o = self.overrides.lock().unwrap_or_else(|e| e.into_inner());
        match (scope, merchant_id) {
            ("next", _) => o.next = scenario.map(str::to_string),
            ("default", _) => o.default = scenario.map(str::to_string),
            ("merchant", Some(m)) => match scenario {
                Some(s) => {
                    o.merchants.insert(m.to_string(), s.to_string());
                }
                None => {
                    o.merchants.remove(m);
                }
            },
            ("merchant", None) => return Err("scope `merchant` needs merchant_id".into()),
            (other, _) => return Err(format!("unknown scope `{other}` (next, merchant, default)")),
        }
        let snapshot = o.clone();
        drop(o);
        self.emit(
            "scenario",
            serde_json::to_value(&snapshot).unwrap_or(Value::Null),
        );
        Ok(snapshot)
    }

    /// Whether a request with this idempotency key is being processed right now.
    pub fn is_in_flight(&self, op: &str, key: &str) -> bool {
        self.in_flight.contains(op, key)
    }

    pub fn overrides(&self) -> Overrides {
        self.overrides
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

fn new_server_key(
    c: &rusqlite::Connection,
    now: i64,
) -> Result<(SoftwareSigner, i64, i64), StateError> {
    let tmp = SoftwareSigner::generate("tmp")?;
    let s = SoftwareSigner::from_pkcs8(key_id("sandbox-srv", &tmp), tmp.pkcs8())?;
    // Valid from a day ago, as if published ahead of use: a client whose clock is behind still
    // accepts it, long enough to learn the switch's clock from a signed answer.
    let (nb, na) = (now - 86_400, now + KEY_LIFETIME_SECS);
    ledger::insert_key(c, &s.key_id(), "server", s.pkcs8(), nb, na, now)?;
    Ok((s, nb, na))
}

/// Idempotency keys being processed right now, in this process's memory only: the durable row
/// is written with the operation's effects in one transaction, so a crash leaves nothing in flight.
#[derive(Debug, Default)]
pub(crate) struct InFlight(Mutex<HashSet<(String, String)>>);

/// A key held in flight; released when dropped (the request ended, or its connection went away).
pub(crate) struct Claim<'a> {
    set: &'a InFlight,
    entry: (String, String),
}

impl InFlight {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<(String, String)>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes `op`/`key`, or `None` while another request holds it.
    pub(crate) fn claim(&self, op: &str, key: &str) -> Option<Claim<'_>> {
        let entry = (op.to_string(), key.to_string());
        let fresh = self.lock().insert(entry.clone());
        // Only a fresh entry becomes a claim: dropping one would release the holder's key.
        if fresh {
            Some(Claim { set: self, entry })
        } else {
            None
        }
    }

    fn contains(&self, op: &str, key: &str) -> bool {
        self.lock().contains(&(op.to_string(), key.to_string()))
    }
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        self.set.lock().remove(&self.entry);
    }
}
