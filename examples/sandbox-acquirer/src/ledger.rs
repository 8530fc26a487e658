//! The sandbox's own SQLite ledger: payments, refunds, captures, idempotency records, device keys,
//! signing keys and every exchange. One connection behind a mutex; every protocol operation runs
//! in one IMMEDIATE transaction, so a crash of the sandbox never leaves half an operation.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;
use std::path::Path;
use std::sync::Mutex;

pub type SqlResult<T> = rusqlite::Result<T>;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS keys (
  key_id TEXT PRIMARY KEY, role TEXT NOT NULL, pkcs8 BLOB NOT NULL,
  not_before INTEGER NOT NULL, not_after INTEGER NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS devices (
  key_id TEXT PRIMARY KEY, public_key BLOB NOT NULL, account_id TEXT NOT NULL,
  registered_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS payments (
  intent_id TEXT PRIMARY KEY, out_trade_no TEXT, kind TEXT NOT NULL, device_key_id TEXT,
  merchant_id TEXT, merchant_name TEXT, merchant_city TEXT, merchant_code TEXT,
  payer_code_masked TEXT, network TEXT, route_requested TEXT, route_used TEXT,
  currency TEXT NOT NULL, original INTEGER NOT NULL, discount INTEGER NOT NULL,
  payable INTEGER NOT NULL, paid INTEGER NOT NULL, refunded INTEGER NOT NULL,
  funding_source_id TEXT, promotion_id TEXT, promotion_name TEXT, fees_json TEXT NOT NULL,
  state TEXT NOT NULL, reverse_result TEXT, polls_left INTEGER NOT NULL, scenario TEXT NOT NULL,
  switch_txn_id TEXT NOT NULL, failure_code TEXT, created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL, paid_at INTEGER);
CREATE TABLE IF NOT EXISTS captures (
  id INTEGER PRIMARY KEY AUTOINCREMENT, intent_id TEXT NOT NULL, amount INTEGER NOT NULL,
  currency TEXT NOT NULL, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS refunds (
  refund_id TEXT PRIMARY KEY, intent_id TEXT NOT NULL, amount INTEGER NOT NULL,
  currency TEXT NOT NULL, state TEXT NOT NULL, scenario TEXT NOT NULL,
  switch_refund_id TEXT NOT NULL, failure_code TEXT, created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS refunds_by_intent ON refunds(intent_id);
CREATE TABLE IF NOT EXISTS idempotency (
  op TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL, state TEXT NOT NULL,
  status INTEGER, body TEXT, scenario TEXT NOT NULL, created_at INTEGER NOT NULL,
  PRIMARY KEY (op, key));
CREATE TABLE IF NOT EXISTS scenario_hits (
  scenario TEXT NOT NULL, key TEXT NOT NULL, hits INTEGER NOT NULL, PRIMARY KEY (scenario, key));
CREATE TABLE IF NOT EXISTS exchanges (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at_ms INTEGER NOT NULL, method TEXT NOT NULL,
  path TEXT NOT NULL, device_key_id TEXT, intent_id TEXT, refund_id TEXT, idempotency_key TEXT,
  scenario TEXT, request_body TEXT NOT NULL, canonical_request TEXT, verdict TEXT NOT NULL,
  status INTEGER, response_body TEXT, response_signature TEXT, replayed INTEGER NOT NULL,
  note TEXT);
CREATE INDEX IF NOT EXISTS exchanges_by_intent ON exchanges(intent_id);
CREATE INDEX IF NOT EXISTS exchanges_by_refund ON exchanges(refund_id);
CREATE TABLE IF NOT EXISTS client_reports (
  intent_id TEXT PRIMARY KEY, reported_at INTEGER NOT NULL, report_json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nonces (
  scoped TEXT PRIMARY KEY, ts INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS nonces_by_ts ON nonces(ts);
";

/// One fee share of a payment (protocol §7.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FeeRow {
    pub institution: String,
    pub role: String,
    pub amount_minor: i64,
}

/// A payment or collection as the switch holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentRow {
    pub intent_id: String,
    pub out_trade_no: Option<String>,
    /// `payment`, `collection`, or `tombstone` (an id closed by a reverse before any create).
    pub kind: String,
    pub device_key_id: Option<String>,
    pub merchant_id: Option<String>,
    pub merchant_name: Option<String>,
    pub merchant_city: Option<String>,
    pub merchant_code: Option<String>,
    pub payer_code_masked: Option<String>,
    pub network: Option<String>,
    pub route_requested: Option<String>,
    pub route_used: Option<String>,
    pub currency: String,
    pub original: i64,
    pub discount: i64,
    pub payable: i64,
    pub paid: i64,
    pub refunded: i64,
    pub funding_source_id: Option<String>,
    pub promotion_id: Option<String>,
    pub promotion_name: Option<String>,
    pub fees: Vec<FeeRow>,
    /// `user_paying`, `succeeded`, `failed`, `reversed`.
    pub state: String,
    pub reverse_result: Option<String>,
    /// Queries left before a `user_paying` payment succeeds; -1: never (until reversed).
    pub polls_left: i64,
    pub scenario: String,
    pub switch_txn_id: String,
    pub failure_code: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub paid_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefundRow {
    pub refund_id: String,
    pub intent_id: String,
    pub amount: i64,
    pub currency: String,
    /// `processing`, `succeeded`, `closed`.
    pub state: String,
    pub scenario: String,
    pub switch_refund_id: String,
    pub failure_code: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdemRow {
    pub request_hash: String,
    /// `done` (rows of older sandboxes may say `in_flight`: `Ledger::open` clears those).
    pub state: String,
    pub status: Option<u16>,
    pub body: Option<String>,
    pub scenario: String,
}

/// One request and what the sandbox did with it (the QA console's history).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Exchange {
    pub id: i64,
    pub at_ms: i64,
    pub method: String,
    pub path: String,
    pub device_key_id: Option<String>,
    pub intent_id: Option<String>,
    pub refund_id: Option<String>,
    pub idempotency_key: Option<String>,
    pub scenario: Option<String>,
    /// The request body (payer codes masked).
    pub request_body: String,
    /// The canonical string the request signature had to cover (protocol §2).
    pub canonical_request: Option<String>,
    /// `valid`, `unsigned`, `not_required`, or why the signature was refused.
    pub verdict: String,
    /// `None` when no answer was sent (connection reset or held past the timeout).
    pub status: Option<u16>,
    pub response_body: Option<String>,
    /// The four `X-Hutong-*` response signature headers, as a JSON object.
    pub response_signature: Option<String>,
    pub replayed: bool,
    pub note: Option<String>,
}

pub struct Ledger {
    conn: Mutex<Connection>,
}

impl Ledger {
    /// Opens (or creates, mode 0600: it holds the switch's signing keys) the ledger at `path`.
    pub fn open(path: &Path) -> SqlResult<Ledger> {
        hutong_core::journal::ensure_private_file(path).map_err(|e| {
            rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
                Some(format!("{}: {e}", path.display())),
            )
        })?;
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch(SCHEMA)?;
        // Sandboxes before 0.1 wrote an `in_flight` row before the operation, in a transaction of
        // its own; one left behind means the operation never committed: the key was never begun.
        conn.execute("DELETE FROM idempotency WHERE state = 'in_flight'", [])?;
        Ok(Ledger {
            conn: Mutex::new(conn),
        })
    }

    /// Runs `f` in one IMMEDIATE transaction; an error rolls everything back.
    pub fn tx<R, E: From<rusqlite::Error>>(
        &self,
        f: impl FnOnce(&Connection) -> Result<R, E>,
    ) -> Result<R, E> {
        let mut guard = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        let tx = guard.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Read-only access (a plain deferred transaction).
    pub fn read<R>(&self, f: impl FnOnce(&Connection) -> SqlResult<R>) -> SqlResult<R> {
        let guard = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        f(&guard)
    }
}

// ---- keys and devices ----

/// A stored signing key: id, PKCS#8 DER, not-before, not-after.
pub type KeyRow = (String, Vec<u8>, i64, i64);

pub fn keys(c: &Connection, role: &str) -> SqlResult<Vec<KeyRow>> {
    let mut st = c.prepare(
        "SELECT key_id, pkcs8, not_before, not_after FROM keys WHERE role = ?1 ORDER BY created_at, rowid",
    )?;
    let rows = st.query_map([role], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    rows.collect()
}

pub fn insert_key(
    c: &Connection,
    key_id: &str,
    role: &str,
    pkcs8: &[u8],
    not_before: i64,
    not_after: i64,
    now: i64,
) -> SqlResult<()> {
    c.execute(
        "INSERT INTO keys (key_id, role, pkcs8, not_before, not_after, created_at) VALUES (?1,?2,?3,?4,?5,?6)",
        params![key_id, role, pkcs8, not_before, not_after, now],
    )?;
    Ok(())
}

pub fn device(c: &Connection, key_id: &str) -> SqlResult<Option<(Vec<u8>, String)>> {
    c.query_row(
        "SELECT public_key, account_id FROM devices WHERE key_id = ?1",
        [key_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

pub fn insert_device(
    c: &Connection,
    key_id: &str,
    public_key: &[u8],
    account: &str,
    now: i64,
) -> SqlResult<()> {
    c.execute(
        "INSERT INTO devices (key_id, public_key, account_id, registered_at) VALUES (?1,?2,?3,?4)",
        params![key_id, public_key, account, now],
    )?;
    Ok(())
}

// ---- idempotency ----

pub fn idem(c: &Connection, op: &str, key: &str) -> SqlResult<Option<IdemRow>> {
    c.query_row(
        "SELECT request_hash, state, status, body, scenario FROM idempotency WHERE op = ?1 AND key = ?2",
        [op, key],
        |r| {
            Ok(IdemRow {
                request_hash: r.get(0)?,
                state: r.get(1)?,
                status: r.get::<_, Option<u16>>(2)?,
                body: r.get(3)?,
                scenario: r.get(4)?,
            })
        },
    )
    .optional()
}

/// Stores the first answer of `key`, in the transaction of the operation it answers.
#[allow(clippy::too_many_arguments)]
pub fn idem_store(
    c: &Connection,
    op: &str,
    key: &str,
    hash: &str,
    scenario: &str,
    status: u16,
    body: &str,
    now: i64,
) -> SqlResult<()> {
    c.execute(
        "INSERT INTO idempotency (op, key, request_hash, state, status, body, scenario, created_at)
         VALUES (?1, ?2, ?3, 'done', ?4, ?5, ?6, ?7)",
        params![op, key, hash, status, body, scenario, now],
    )?;
    Ok(())
}

/// Request nonces accepted within the signature window, kept in the ledger so that a replay is
/// refused across restarts of the sandbox (invariant 6).
pub struct LedgerNonces(pub std::sync::Arc<Ledger>);

impl hutong_protocol::NonceStore for LedgerNonces {
    fn check_and_insert(
        &self,
        scoped: &str,
        timestamp: i64,
        now: i64,
    ) -> Result<(), hutong_core::sign::SignError> {
        use hutong_core::sign::{SignError, WINDOW_SECS};
        let inserted = self.0.tx(|c| -> SqlResult<usize> {
            // Forgetting what left the window is safe: a replay of it fails the timestamp check.
            c.execute(
                "DELETE FROM nonces WHERE ts < ?1",
                [now.saturating_sub(2 * WINDOW_SECS)],
            )?;
            c.execute(
                "INSERT INTO nonces (scoped, ts) VALUES (?1, ?2) ON CONFLICT (scoped) DO NOTHING",
                params![scoped, timestamp],
            )
        });
        match inserted {
            Ok(1) => Ok(()),
            Ok(_) => Err(SignError::NonceReplayed(scoped.to_string())),
            Err(e) => Err(SignError::NonceStoreFailed(e.to_string())),
        }
    }
}

/// Counts one more use of `scenario` for `key` and returns the count (1 on the first).
pub fn scenario_hit(c: &Connection, scenario: &str, key: &str) -> SqlResult<i64> {
    c.execute(
        "INSERT INTO scenario_hits (scenario, key, hits) VALUES (?1, ?2, 1)
         ON CONFLICT (scenario, key) DO UPDATE SET hits = hits + 1",
        [scenario, key],
    )?;
    c.query_row(
        "SELECT hits FROM scenario_hits WHERE scenario = ?1 AND key = ?2",
        [scenario, key],
        |r| r.get(0),
    )
}

// ---- payments, captures, refunds ----

const PAYMENT_COLS: &str =
    "intent_id, out_trade_no, kind, device_key_id, merchant_id, merchant_name,
  merchant_city, merchant_code, payer_code_masked, network, route_requested, route_used, currency,
  original, discount, payable, paid, refunded, funding_source_id, promotion_id, promotion_name,
  fees_json, state, reverse_result, polls_left, scenario, switch_txn_id, failure_code, created_at,
  updated_at, paid_at";

fn payment_from(r: &Row<'_>) -> SqlResult<PaymentRow> {
    let fees: String = r.get(21)?;
    Ok(PaymentRow {
        intent_id: r.get(0)?,
        out_trade_no: r.get(1)?,
        kind: r.get(2)?,
        device_key_id: r.get(3)?,
        merchant_id: r.get(4)?,
        merchant_name: r.get(5)?,
        merchant_city: r.get(6)?,
        merchant_code: r.get(7)?,
        payer_code_masked: r.get(8)?,
        network: r.get(9)?,
        route_requested: r.get(10)?,
        route_used: r.get(11)?,
        currency: r.get(12)?,
        original: r.get(13)?,
        discount: r.get(14)?,
        payable: r.get(15)?,
        paid: r.get(16)?,
        refunded: r.get(17)?,
        funding_source_id: r.get(18)?,
        promotion_id: r.get(19)?,
        promotion_name: r.get(20)?,
        fees: serde_json::from_str(&fees).unwrap_or_default(),
        state: r.get(22)?,
        reverse_result: r.get(23)?,
        polls_left: r.get(24)?,
        scenario: r.get(25)?,
        switch_txn_id: r.get(26)?,
        failure_code: r.get(27)?,
        created_at: r.get(28)?,
        updated_at: r.get(29)?,
        paid_at: r.get(30)?,
    })
}

pub fn payment(c: &Connection, intent_id: &str) -> SqlResult<Option<PaymentRow>> {
    c.query_row(
        &format!("SELECT {PAYMENT_COLS} FROM payments WHERE intent_id = ?1"),
        [intent_id],
        payment_from,
    )
    .optional()
}

pub fn payment_by_out_trade_no(c: &Connection, no: &str) -> SqlResult<Option<PaymentRow>> {
    c.query_row(
        &format!("SELECT {PAYMENT_COLS} FROM payments WHERE out_trade_no = ?1"),
        [no],
        payment_from,
    )
    .optional()
}

pub fn payments(c: &Connection) -> SqlResult<Vec<PaymentRow>> {
    let mut st = c.prepare(&format!(
        "SELECT {PAYMENT_COLS} FROM payments ORDER BY created_at, rowid"
    ))?;
    let rows = st.query_map([], payment_from)?;
    rows.collect()
}

/// Inserts or replaces the whole row (the caller read it in the same transaction).
pub fn save_payment(c: &Connection, p: &PaymentRow) -> SqlResult<()> {
    let fees = serde_json::to_string(&p.fees).unwrap_or_else(|_| "[]".into());
    c.execute(
        &format!(
            "INSERT OR REPLACE INTO payments ({PAYMENT_COLS}) VALUES
             (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23,?24,?25,?26,?27,?28,?29,?30,?31)"
        ),
        params![
            p.intent_id,
            p.out_trade_no,
            p.kind,
            p.device_key_id,
            p.merchant_id,
            p.merchant_name,
            p.merchant_city,
            p.merchant_code,
            p.payer_code_masked,
            p.network,
            p.route_requested,
            p.route_used,
            p.currency,
            p.original,
            p.discount,
            p.payable,
            p.paid,
            p.refunded,
            p.funding_source_id,
            p.promotion_id,
            p.promotion_name,
            fees,
            p.state,
            p.reverse_result,
            p.polls_left,
            p.scenario,
            p.switch_txn_id,
            p.failure_code,
            p.created_at,
            p.updated_at,
            p.paid_at
        ],
    )?;
    Ok(())
}

/// Records money taken from the payer. Exactly one per paid intent, or something doubled.
pub fn insert_capture(
    c: &Connection,
    intent_id: &str,
    amount: i64,
    currency: &str,
    now: i64,
) -> SqlResult<()> {
    c.execute(
        "INSERT INTO captures (intent_id, amount, currency, at) VALUES (?1,?2,?3,?4)",
        params![intent_id, amount, currency, now],
    )?;
    Ok(())
}

pub fn capture_count(c: &Connection, intent_id: Option<&str>) -> SqlResult<i64> {
    match intent_id {
        Some(id) => c.query_row(
            "SELECT COUNT(*) FROM captures WHERE intent_id = ?1",
            [id],
            |r| r.get(0),
        ),
        None => c.query_row("SELECT COUNT(*) FROM captures", [], |r| r.get(0)),
    }
}

const REFUND_COLS: &str =
    "refund_id, intent_id, amount, currency, state, scenario, switch_refund_id,
  failure_code, created_at, updated_at";

fn refund_from(r: &Row<'_>) -> SqlResult<RefundRow> {
    Ok(RefundRow {
        refund_id: r.get(0)?,
        intent_id: r.get(1)?,
        amount: r.get(2)?,
        currency: r.get(3)?,
        state: r.get(4)?,
        scenario: r.get(5)?,
        switch_refund_id: r.get(6)?,
        failure_code: r.get(7)?,
        created_at: r.get(8)?,
        updated_at: r.get(9)?,
    })
}

pub fn refund(c: &Connection, refund_id: &str) -> SqlResult<Option<RefundRow>> {
    c.query_row(
        &format!("SELECT {REFUND_COLS} FROM refunds WHERE refund_id = ?1"),
        [refund_id],
        refund_from,
    )
    .optional()
}

pub fn refunds(c: &Connection, intent_id: Option<&str>) -> SqlResult<Vec<RefundRow>> {
    let (sql, args): (String, Vec<&str>) = match intent_id {
        Some(id) => (
            format!(
                "SELECT {REFUND_COLS} FROM refunds WHERE intent_id = ?1 ORDER BY created_at, rowid"
            ),
            vec![id],
        ),
        None => (
            format!("SELECT {REFUND_COLS} FROM refunds ORDER BY created_at, rowid"),
            vec![],
        ),
    };
    let mut st = c.prepare(&sql)?;
    let rows = st.query_map(rusqlite::params_from_iter(args), refund_from)?;
    rows.collect()
}

pub fn save_refund(c: &Connection, r: &RefundRow) -> SqlResult<()> {
    c.execute(
        &format!("INSERT OR REPLACE INTO refunds ({REFUND_COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)"),
        params![
            r.refund_id,
            r.intent_id,
            r.amount,
            r.currency,
            r.state,
            r.scenario,
            r.switch_refund_id,
            r.failure_code,
            r.created_at,
            r.updated_at
        ],
    )?;
    Ok(())
}

// ---- exchanges and client reports ----

pub fn insert_exchange(c: &Connection, e: &Exchange) -> SqlResult<i64> {
    c.execute(
        "INSERT INTO exchanges (at_ms, method, path, device_key_id, intent_id, refund_id,
           idempotency_key, scenario, request_body, canonical_request, verdict, status,
           response_body, response_signature, replayed, note)
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)",
        params![
            e.at_ms,
            e.method,
            e.path,
            e.device_key_id,
            e.intent_id,
            e.refund_id,
            e.idempotency_key,
            e.scenario,
            e.request_body,
            e.canonical_request,
            e.verdict,
            e.status,
            e.response_body,
            e.response_signature,
            e.replayed,
            e.note
        ],
    )?;
    Ok(c.last_insert_rowid())
}

fn exchange_from(r: &Row<'_>) -> SqlResult<Exchange> {
    Ok(Exchange {
        id: r.get(0)?,
        at_ms: r.get(1)?,
        method: r.get(2)?,
        path: r.get(3)?,
        device_key_id: r.get(4)?,
        intent_id: r.get(5)?,
        refund_id: r.get(6)?,
        idempotency_key: r.get(7)?,
        scenario: r.get(8)?,
        request_body: r.get(9)?,
        canonical_request: r.get(10)?,
        verdict: r.get(11)?,
        status: r.get(12)?,
        response_body: r.get(13)?,
        response_signature: r.get(14)?,
        replayed: r.get(15)?,
        note: r.get(16)?,
    })
}

/// Every exchange about an intent (its creates, queries, reverses and refunds) or a refund.
pub fn exchanges_for(c: &Connection, id: &str) -> SqlResult<Vec<Exchange>> {
    let mut st = c.prepare(
        "SELECT id, at_ms, method, path, device_key_id, intent_id, refund_id, idempotency_key,
           scenario, request_body, canonical_request, verdict, status, response_body,
           response_signature, replayed, note
         FROM exchanges WHERE intent_id = ?1 OR refund_id = ?1 ORDER BY id",
    )?;
    let rows = st.query_map([id], exchange_from)?;
    rows.collect()
}

pub fn exchange_count(c: &Connection) -> SqlResult<i64> {
    c.query_row("SELECT COUNT(*) FROM exchanges", [], |r| r.get(0))
}

pub fn save_client_report(c: &Connection, intent_id: &str, json: &str, now: i64) -> SqlResult<()> {
    c.execute(
        "INSERT OR REPLACE INTO client_reports (intent_id, reported_at, report_json) VALUES (?1,?2,?3)",
        params![intent_id, now, json],
    )?;
    Ok(())
}

pub fn client_reports(c: &Connection) -> SqlResult<Vec<(String, i64, String)>> {
    let mut st =
        c.prepare("SELECT intent_id, reported_at, report_json FROM client_reports ORDER BY rowid")?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    rows.collect()
}
