//! The SQLite journal: every intent and transition is durable before the request that depends on it.
//!
//! One file per wallet, WAL mode with `synchronous = FULL`, one transaction per transition. Each
//! transition is a compare-and-set on the current state, checked against the state machine in
//! `states`, and appends a row to the history. Payer codes never reach this file in clear:
//! the record holds only the masked form.

mod private_file;
mod schema;

pub use private_file::ensure_private_file;
pub use schema::SCHEMA_VERSION;

use crate::money::{Currency, Money};
use crate::states::{Direction, IntentState, RefundState};
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// The most partial refunds one payment may have (WeChat's limit; protocol §6.8).
pub const MAX_REFUNDS_PER_PAYMENT: i64 = 50;

/// Why the journal refused or failed an operation.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("journal storage error: {0}")]
    Storage(#[from] rusqlite::Error),
    #[error("journal file: {0}")]
    File(String),
    #[error("journal schema version {found} is newer than this SDK supports ({supported})")]
    SchemaTooNew { found: u32, supported: u32 },
    #[error("no intent `{0}` in the journal")]
    IntentNotFound(String),
    #[error("no refund `{0}` in the journal")]
    RefundNotFound(String),
    #[error("intent `{id}` is {found}, not {expected}: another task moved it first")]
    StateMismatch {
        id: String,
        expected: String,
        found: String,
    },
    #[error("transition {from} -> {to} is not allowed")]
    IllegalTransition { from: String, to: String },
    #[error("an intent or refund with id `{0}` already exists")]
    DuplicateId(String),
    #[error("journal row is corrupt: {0}")]
    Corrupt(String),
    #[error("refunds would total {requested} minor units, more than the {captured} captured")]
    RefundExceedsCaptured { requested: i64, captured: i64 },
    #[error("payment already has {MAX_REFUNDS_PER_PAYMENT} refunds")]
    RefundLimit,
    #[error("intent `{0}` has not succeeded: nothing to refund")]
    NotRefundable(String),
}

/// One intent as the journal holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntentRecord {
    pub intent_id: String,
    pub out_trade_no: String,
    pub idempotency_key: String,
    pub direction: Direction,
    pub amount: Money,
    pub original_minor: Option<i64>,
    pub discount_minor: Option<i64>,
    pub payable_minor: Option<i64>,
    pub paid_minor: Option<i64>,
    pub refunded_minor: i64,
    pub funding_source_id: Option<String>,
    pub network: Option<String>,
    pub route_requested: Option<String>,
    pub route_used: Option<String>,
    /// The merchant-presented payload (public data printed on a sticker); pay direction only.
    pub merchant_code: Option<String>,
    /// The payer code masked to its last 4 digits; collect direction only.
    pub payer_code_masked: Option<String>,
    pub state: IntentState,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    pub deadline_at_ms: i64,
    pub switch_txn_id: Option<String>,
    pub reverse_result: Option<String>,
    pub fees_json: Option<String>,
    pub receipt_json: Option<String>,
    pub failure_code: Option<String>,
    pub needs_reconciliation: bool,
}

/// Facts learned with a transition; `None` leaves the stored value as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntentFacts {
    pub original_minor: Option<i64>,
    pub discount_minor: Option<i64>,
    pub payable_minor: Option<i64>,
    pub paid_minor: Option<i64>,
    pub refunded_minor: Option<i64>,
    pub route_used: Option<String>,
    pub switch_txn_id: Option<String>,
    pub reverse_result: Option<String>,
    pub fees_json: Option<String>,
    pub receipt_json: Option<String>,
    pub failure_code: Option<String>,
    pub needs_reconciliation: Option<bool>,
    /// A short note for the history row (error code, HTTP status): never a secret.
    pub detail: Option<String>,
}

/// One refund as the journal holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRecord {
    pub refund_id: String,
    pub intent_id: String,
    pub amount: Money,
    pub state: RefundState,
    pub switch_refund_id: Option<String>,
    pub failure_code: Option<String>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

/// One row of the append-only history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionRecord {
    pub seq: i64,
    pub subject_id: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub at_ms: i64,
    pub detail: Option<String>,
}

/// The journal file. Calls are short synchronous transactions; the flow holds it in an `Arc`.
#[derive(Debug)]
pub struct Journal {
    conn: Mutex<Connection>,
}

impl Journal {
    /// Opens (or creates) the journal at `path` and brings its schema up to date.
    pub fn open(path: impl AsRef<Path>) -> Result<Journal, JournalError> {
        let path = path.as_ref();
        ensure_private_file(path)
            .map_err(|e| JournalError::File(format!("{}: {e}", path.display())))?;
        let conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // WAL lets `status()` read while a transition commits; FULL makes each commit durable
        // across power loss, which "persist before send" needs.
        retry_busy(|| Ok(conn.pragma_update(None, "journal_mode", "WAL")?))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let journal = Journal {
            conn: Mutex::new(conn),
        };
        journal.migrate()?;
        Ok(journal)
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a half-written row: SQLite rolled it back.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Brings the schema up to date. The version is read inside the write transaction, so
    /// processes opening a new file at once migrate it exactly once between them.
    /// An up-to-date file takes no write lock at all: every app start and every process opening
    /// the journal used to queue for one (with an fsync each), and 24 at once under I/O load
    /// ran past the busy timeout.
    fn migrate(&self) -> Result<(), JournalError> {
        retry_busy(|| self.migrate_once())
    }

    fn migrate_once(&self) -> Result<(), JournalError> {
        let mut conn = self.lock();
        let current: u32 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if current == SCHEMA_VERSION {
            return Ok(());
        }
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found: u32 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(JournalError::SchemaTooNew {
                found,
                supported: SCHEMA_VERSION,
            });
        }
        if found == SCHEMA_VERSION {
            // Another process migrated between the two reads.
            return Ok(());
        }
        for step in schema::MIGRATIONS.iter().skip(found as usize) {
            tx.execute_batch(step)?;
        }
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        tx.commit()?;
        Ok(())
    }

    /// The highest response-key-set version this wallet ever installed (0: none). A key set
    /// older than this is a rollback, refused across app restarts (invariant 6).
    pub fn key_set_floor(&self) -> Result<u64, JournalError> {
        let v: Option<i64> = self
            .lock()
            .query_row(
                "SELECT value FROM meta WHERE key = 'key_set_version'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(v.and_then(|v| u64::try_from(v).ok()).unwrap_or(0))
    }

    /// Raises the key-set floor to `version` (never lowers it).
    pub fn raise_key_set_floor(&self, version: u64) -> Result<(), JournalError> {
        let v = i64::try_from(version)
            .map_err(|_| JournalError::Corrupt(format!("key-set version {version}")))?;
        self.lock().execute(
            "INSERT INTO meta (key, value) VALUES ('key_set_version', ?1)
             ON CONFLICT (key) DO UPDATE SET value = MAX(value, excluded.value)",
            params![v],
        )?;
        Ok(())
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<u32, JournalError> {
        Ok(self
            .lock()
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// Writes a new intent in state `Created`, with its first history row, in one transaction.
    pub fn insert_intent(&self, rec: &IntentRecord) -> Result<(), JournalError> {
        if rec.state != IntentState::Created {
            return Err(JournalError::IllegalTransition {
                from: "(none)".into(),
                to: rec.state.as_str().into(),
            });
        }
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let exists: Option<i64> = tx
            .query_row(
                "SELECT 1 FROM intents WHERE intent_id = ?1 OR out_trade_no = ?2 OR idempotency_key = ?3",
                params![rec.intent_id, rec.out_trade_no, rec.idempotency_key],
                |r| r.get(0),
            )
            .optional()?;
        if exists.is_some() {
            return Err(JournalError::DuplicateId(rec.intent_id.clone()));
        }
        tx.execute(
            "INSERT INTO intents (intent_id, out_trade_no, idempotency_key, direction, currency,
                amount_minor, original_minor, discount_minor, payable_minor, paid_minor,
                refunded_minor, funding_source_id, network, route_requested, route_used,
                merchant_code, payer_code_masked, state, created_at_ms, updated_at_ms,
                deadline_at_ms, switch_txn_id, reverse_result, fees_json, receipt_json,
                failure_code, needs_reconciliation)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)",
            params![
                rec.intent_id,
                rec.out_trade_no,
                rec.idempotency_key,
                rec.direction.as_str(),
                rec.amount.currency.alpha,
                rec.amount.minor,
                rec.original_minor,
                rec.discount_minor,
                rec.payable_minor,
                rec.paid_minor,
                rec.refunded_minor,
                rec.funding_source_id,
                rec.network,
                rec.route_requested,
                rec.route_used,
                rec.merchant_code,
                rec.payer_code_masked,
                rec.state.as_str(),
                rec.created_at_ms,
                rec.updated_at_ms,
                rec.deadline_at_ms,
                rec.switch_txn_id,
                rec.reverse_result,
                rec.fees_json,
                rec.receipt_json,
                rec.failure_code,
                rec.needs_reconciliation,
            ],
        )?;
        append_history(
            &tx,
            "intent",
            &rec.intent_id,
            None,
            rec.state.as_str(),
            rec.created_at_ms,
            None,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Moves an intent `from -> to` (compare-and-set) and records `facts`, in one transaction.
    pub fn transition(
        &self,
        intent_id: &str,
        from: IntentState,
        to: IntentState,
        facts: &IntentFacts,
        now_ms: i64,
    ) -> Result<IntentRecord, JournalError> {
        if !from.can_go_to(to) {
            return Err(JournalError::IllegalTransition {
                from: from.as_str().into(),
                to: to.as_str().into(),
            });
        }
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = load_intent(&tx, intent_id)?;
        if current.state != from {
            return Err(JournalError::StateMismatch {
                id: intent_id.into(),
                expected: from.as_str().into(),
                found: current.state.as_str().into(),
            });
        }
        write_facts(&tx, intent_id, Some(to), facts, now_ms)?;
        append_history(
            &tx,
            "intent",
            intent_id,
            Some(from.as_str()),
            to.as_str(),
            now_ms,
            facts.detail.as_deref(),
        )?;
        let updated = load_intent(&tx, intent_id)?;
        tx.commit()?;
        Ok(updated)
    }

    /// Records facts without a state change (e.g. a refund total, a reconciliation flag).
    pub fn annotate(
        &self,
        intent_id: &str,
        facts: &IntentFacts,
        now_ms: i64,
    ) -> Result<IntentRecord, JournalError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = load_intent(&tx, intent_id)?;
        write_facts(&tx, intent_id, None, facts, now_ms)?;
        if let Some(detail) = &facts.detail {
            let s = current.state.as_str();
            append_history(&tx, "intent", intent_id, Some(s), s, now_ms, Some(detail))?;
        }
        let updated = load_intent(&tx, intent_id)?;
        tx.commit()?;
        Ok(updated)
    }

    pub fn intent(&self, intent_id: &str) -> Result<IntentRecord, JournalError> {
        load_intent(&self.lock(), intent_id)
    }

    /// Every intent not in a terminal state, oldest first: what `recover()` must settle.
    pub fn unfinished_intents(&self) -> Result<Vec<IntentRecord>, JournalError> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT * FROM intents WHERE state NOT IN ('succeeded', 'failed', 'reversed')
             ORDER BY created_at_ms, intent_id",
        )?;
        let rows = stmt.query_map([], |r| Ok(intent_from_row(r)))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row??);
        }
        Ok(out)
    }

    /// Writes a new refund in state `Requested`, after checking the local refund rules against
    /// what was actually paid (the switch is authoritative and checks again).
    pub fn insert_refund(&self, rec: &RefundRecord) -> Result<(), JournalError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let intent = load_intent(&tx, &rec.intent_id)?;
        if intent.state != IntentState::Succeeded {
            return Err(JournalError::NotRefundable(rec.intent_id.clone()));
        }
        let exists: Option<i64> = tx
            .query_row(
                "SELECT 1 FROM refunds WHERE refund_id = ?1",
                params![rec.refund_id],
                |r| r.get(0),
            )
            .optional()?;
        if exists.is_some() {
            return Err(JournalError::DuplicateId(rec.refund_id.clone()));
        }
        let (count, outstanding): (i64, i64) = tx.query_row(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN state != 'closed' THEN amount_minor ELSE 0 END), 0)
             FROM refunds WHERE intent_id = ?1",
            params![rec.intent_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if count >= MAX_REFUNDS_PER_PAYMENT {
            return Err(JournalError::RefundLimit);
        }
        let captured = intent.paid_minor.unwrap_or(0);
        let requested = outstanding.saturating_add(rec.amount.minor);
        if requested > captured {
            return Err(JournalError::RefundExceedsCaptured {
                requested,
                captured,
            });
        }
        tx.execute(
            "INSERT INTO refunds (refund_id, intent_id, currency, amount_minor, state,
                switch_refund_id, failure_code, created_at_ms, updated_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                rec.refund_id,
                rec.intent_id,
                rec.amount.currency.alpha,
                rec.amount.minor,
                RefundState::Requested.as_str(),
                rec.switch_refund_id,
                rec.failure_code,
                rec.created_at_ms,
                rec.updated_at_ms,
            ],
        )?;
        append_history(
            &tx,
            "refund",
            &rec.refund_id,
            None,
            RefundState::Requested.as_str(),
            rec.created_at_ms,
            Some(&rec.intent_id),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Moves a refund `from -> to` (compare-and-set); `refunded_total` updates its payment.
    #[allow(clippy::too_many_arguments)]
    pub fn refund_transition(
        &self,
        refund_id: &str,
        from: RefundState,
        to: RefundState,
        switch_refund_id: Option<&str>,
        failure_code: Option<&str>,
        refunded_total: Option<i64>,
        now_ms: i64,
    ) -> Result<RefundRecord, JournalError> {
        if !from.can_go_to(to) {
            return Err(JournalError::IllegalTransition {
                from: from.as_str().into(),
                to: to.as_str().into(),
            });
        }
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = load_refund(&tx, refund_id)?;
        if current.state != from {
            return Err(JournalError::StateMismatch {
                id: refund_id.into(),
                expected: from.as_str().into(),
                found: current.state.as_str().into(),
            });
        }
        tx.execute(
            "UPDATE refunds SET state = ?2, switch_refund_id = COALESCE(?3, switch_refund_id),
                failure_code = COALESCE(?4, failure_code), updated_at_ms = ?5
             WHERE refund_id = ?1",
            params![
                refund_id,
                to.as_str(),
                switch_refund_id,
                failure_code,
                now_ms
            ],
        )?;
        if let Some(total) = refunded_total {
            tx.execute(
                "UPDATE intents SET refunded_minor = MAX(refunded_minor, ?2), updated_at_ms = ?3
                 WHERE intent_id = ?1",
                params![current.intent_id, total, now_ms],
            )?;
        }
        append_history(
            &tx,
            "refund",
            refund_id,
            Some(from.as_str()),
            to.as_str(),
            now_ms,
            failure_code,
        )?;
        let updated = load_refund(&tx, refund_id)?;
        tx.commit()?;
        Ok(updated)
    }

    pub fn refund(&self, refund_id: &str) -> Result<RefundRecord, JournalError> {
        load_refund(&self.lock(), refund_id)
    }

    /// The refunds of one payment, oldest first.
    pub fn refunds_for(&self, intent_id: &str) -> Result<Vec<RefundRecord>, JournalError> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT * FROM refunds WHERE intent_id = ?1 ORDER BY created_at_ms, refund_id",
        )?;
        let rows = stmt.query_map(params![intent_id], |r| Ok(refund_from_row(r)))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row??);
        }
        Ok(out)
    }

    /// Every refund not in a terminal state.
    pub fn unfinished_refunds(&self) -> Result<Vec<RefundRecord>, JournalError> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT * FROM refunds WHERE state NOT IN ('succeeded', 'closed')
             ORDER BY created_at_ms, refund_id",
        )?;
        let rows = stmt.query_map([], |r| Ok(refund_from_row(r)))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row??);
        }
        Ok(out)
    }

    /// The history of one intent or refund, in order.
    pub fn history(&self, subject_id: &str) -> Result<Vec<TransitionRecord>, JournalError> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT seq, subject_id, from_state, to_state, at_ms, detail FROM transitions
             WHERE subject_id = ?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map(params![subject_id], |r| {
            Ok(TransitionRecord {
                seq: r.get(0)?,
                subject_id: r.get(1)?,
                from_state: r.get(2)?,
                to_state: r.get(3)?,
                at_ms: r.get(4)?,
                detail: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }
}

fn append_history(
    conn: &Connection,
    subject: &str,
    subject_id: &str,
    from: Option<&str>,
    to: &str,
    at_ms: i64,
    detail: Option<&str>,
) -> Result<(), JournalError> {
    conn.execute(
        "INSERT INTO transitions (subject, subject_id, from_state, to_state, at_ms, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![subject, subject_id, from, to, at_ms, detail],
    )?;
    Ok(())
}

fn write_facts(
    conn: &Connection,
    intent_id: &str,
    to: Option<IntentState>,
    f: &IntentFacts,
    now_ms: i64,
) -> Result<(), JournalError> {
    conn.execute(
        "UPDATE intents SET
            state = COALESCE(?2, state),
            original_minor = COALESCE(?3, original_minor),
            discount_minor = COALESCE(?4, discount_minor),
            payable_minor = COALESCE(?5, payable_minor),
            paid_minor = COALESCE(?6, paid_minor),
            refunded_minor = COALESCE(?7, refunded_minor),
            route_used = COALESCE(?8, route_used),
            switch_txn_id = COALESCE(?9, switch_txn_id),
            reverse_result = COALESCE(?10, reverse_result),
            fees_json = COALESCE(?11, fees_json),
            receipt_json = COALESCE(?12, receipt_json),
            failure_code = COALESCE(?13, failure_code),
            needs_reconciliation = COALESCE(?14,
                CASE WHEN ?2 IN ('succeeded', 'failed', 'reversed') THEN 0
                     ELSE needs_reconciliation END),
            updated_at_ms = ?15
         WHERE intent_id = ?1",
        params![
            intent_id,
            to.map(IntentState::as_str),
            f.original_minor,
            f.discount_minor,
            f.payable_minor,
            f.paid_minor,
            f.refunded_minor,
            f.route_used,
            f.switch_txn_id,
            f.reverse_result,
            f.fees_json,
            f.receipt_json,
            f.failure_code,
            f.needs_reconciliation,
            now_ms,
        ],
    )?;
    Ok(())
}

fn load_intent(conn: &Connection, intent_id: &str) -> Result<IntentRecord, JournalError> {
    conn.query_row(
        "SELECT * FROM intents WHERE intent_id = ?1",
        params![intent_id],
        |r| Ok(intent_from_row(r)),
    )
    .optional()?
    .ok_or_else(|| JournalError::IntentNotFound(intent_id.into()))?
}

fn load_refund(conn: &Connection, refund_id: &str) -> Result<RefundRecord, JournalError> {
    conn.query_row(
        "SELECT * FROM refunds WHERE refund_id = ?1",
        params![refund_id],
        |r| Ok(refund_from_row(r)),
    )
    .optional()?
    .ok_or_else(|| JournalError::RefundNotFound(refund_id.into()))?
}

fn currency(code: &str) -> Result<Currency, JournalError> {
    Currency::from_alpha(code).ok_or_else(|| JournalError::Corrupt(format!("currency `{code}`")))
}

fn intent_from_row(r: &Row<'_>) -> Result<IntentRecord, JournalError> {
    let direction: String = r.get("direction")?;
    let state: String = r.get("state")?;
    let cur: String = r.get("currency")?;
    Ok(IntentRecord {
        intent_id: r.get("intent_id")?,
        out_trade_no: r.get("out_trade_no")?,
        idempotency_key: r.get("idempotency_key")?,
        direction: Direction::parse(&direction)
            .ok_or_else(|| JournalError::Corrupt(format!("direction `{direction}`")))?,
        amount: Money::new(r.get("amount_minor")?, currency(&cur)?),
        original_minor: r.get("original_minor")?,
        discount_minor: r.get("discount_minor")?,
        payable_minor: r.get("payable_minor")?,
        paid_minor: r.get("paid_minor")?,
        refunded_minor: r.get("refunded_minor")?,
        funding_source_id: r.get("funding_source_id")?,
        network: r.get("network")?,
        route_requested: r.get("route_requested")?,
        route_used: r.get("route_used")?,
        merchant_code: r.get("merchant_code")?,
        payer_code_masked: r.get("payer_code_masked")?,
        state: IntentState::parse(&state)
            .ok_or_else(|| JournalError::Corrupt(format!("intent state `{state}`")))?,
        created_at_ms: r.get("created_at_ms")?,
        updated_at_ms: r.get("updated_at_ms")?,
        deadline_at_ms: r.get("deadline_at_ms")?,
        switch_txn_id: r.get("switch_txn_id")?,
        reverse_result: r.get("reverse_result")?,
        fees_json: r.get("fees_json")?,
        receipt_json: r.get("receipt_json")?,
        failure_code: r.get("failure_code")?,
        needs_reconciliation: r.get("needs_reconciliation")?,
    })
}

fn refund_from_row(r: &Row<'_>) -> Result<RefundRecord, JournalError> {
    let state: String = r.get("state")?;
    let cur: String = r.get("currency")?;
    Ok(RefundRecord {
        refund_id: r.get("refund_id")?,
        intent_id: r.get("intent_id")?,
        amount: Money::new(r.get("amount_minor")?, currency(&cur)?),
        state: RefundState::parse(&state)
            .ok_or_else(|| JournalError::Corrupt(format!("refund state `{state}`")))?,
        switch_refund_id: r.get("switch_refund_id")?,
        failure_code: r.get("failure_code")?,
        created_at_ms: r.get("created_at_ms")?,
        updated_at_ms: r.get("updated_at_ms")?,
    })
}

/// How long a connection waits for another's lock (SQLite's busy handler).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Runs `step` again while SQLite answers "busy" at once, up to `BUSY_TIMEOUT`. SQLite skips the
/// busy handler where waiting could deadlock: two connections opening a new file together, one
/// turning it to WAL or migrating while the other holds a read lock it wants to upgrade. The
/// loser gets SQLITE_BUSY immediately; trying again once the other is done succeeds (24
/// openers at once under I/O load hit it: `processes_opening_a_new_journal_at_once_all_succeed`).
fn retry_busy<T>(mut step: impl FnMut() -> Result<T, JournalError>) -> Result<T, JournalError> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        match step() {
            Err(JournalError::Storage(rusqlite::Error::SqliteFailure(e, _)))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(10));
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests;
