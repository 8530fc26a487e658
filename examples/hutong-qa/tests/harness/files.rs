//! Read-only views of the two files the invariants are about: the sandbox's ledger (what the
//! switch did with money) and the client's journal (what the wallet believes). Both are opened
//! read-only so that looking never checkpoints or changes them between a crash and a restart.

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

fn open(path: &Path) -> rusqlite::Result<Connection> {
    let c = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    c.busy_timeout(Duration::from_secs(10))?;
    Ok(c)
}

/// One payment row of the ledger (the columns the invariants need).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerPayment {
    pub intent_id: String,
    pub kind: String,
    pub merchant_id: Option<String>,
    pub merchant_code: Option<String>,
    pub network: Option<String>,
    pub route_used: Option<String>,
    pub currency: String,
    pub original: i64,
    pub payable: i64,
    pub paid: i64,
    pub refunded: i64,
    pub state: String,
    pub reverse_result: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRefund {
    pub refund_id: String,
    pub intent_id: String,
    pub amount: i64,
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdemKey {
    pub op: String,
    pub key: String,
    pub state: String,
    pub status: Option<i64>,
}

/// The ledger at one instant.
#[derive(Debug, Default, Clone)]
pub struct Ledger {
    pub payments: HashMap<String, LedgerPayment>,
    /// intent id -> amounts captured, one entry per capture.
    pub captures: HashMap<String, Vec<i64>>,
    pub refunds: HashMap<String, LedgerRefund>,
    pub idempotency: Vec<IdemKey>,
}

impl Ledger {
    pub fn read(path: &Path) -> rusqlite::Result<Ledger> {
        let c = open(path)?;
        // One read transaction: a consistent snapshot even while the sandbox writes.
        c.execute_batch("BEGIN")?;
        let mut l = Ledger::default();
        {
            let mut st = c.prepare(
                "SELECT intent_id, kind, merchant_id, merchant_code, network, route_used, currency,
                    original, payable, paid, refunded, state, reverse_result FROM payments",
            )?;
            let rows = st.query_map([], |r| {
                Ok(LedgerPayment {
                    intent_id: r.get(0)?,
                    kind: r.get(1)?,
                    merchant_id: r.get(2)?,
                    merchant_code: r.get(3)?,
                    network: r.get(4)?,
                    route_used: r.get(5)?,
                    currency: r.get(6)?,
                    original: r.get(7)?,
                    payable: r.get(8)?,
                    paid: r.get(9)?,
                    refunded: r.get(10)?,
                    state: r.get(11)?,
                    reverse_result: r.get(12)?,
                })
            })?;
            for p in rows {
                let p = p?;
                l.payments.insert(p.intent_id.clone(), p);
            }
            let mut st = c.prepare("SELECT intent_id, amount FROM captures ORDER BY id")?;
            let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
            for row in rows {
                let (id, amount) = row?;
                l.captures.entry(id).or_default().push(amount);
            }
            let mut st = c.prepare("SELECT refund_id, intent_id, amount, state FROM refunds")?;
            let rows = st.query_map([], |r| {
                Ok(LedgerRefund {
                    refund_id: r.get(0)?,
                    intent_id: r.get(1)?,
                    amount: r.get(2)?,
                    state: r.get(3)?,
                })
            })?;
            for r in rows {
                let r = r?;
                l.refunds.insert(r.refund_id.clone(), r);
            }
            let mut st = c.prepare("SELECT op, key, state, status FROM idempotency")?;
            let rows = st.query_map([], |r| {
                Ok(IdemKey {
                    op: r.get(0)?,
                    key: r.get(1)?,
                    state: r.get(2)?,
                    status: r.get(3)?,
                })
            })?;
            for k in rows {
                l.idempotency.push(k?);
            }
        }
        c.execute_batch("COMMIT")?;
        Ok(l)
    }

    pub fn capture_count(&self, intent_id: &str) -> usize {
        self.captures.get(intent_id).map_or(0, Vec::len)
    }

    /// Money is with the merchant: captured and not given back by a reverse.
    pub fn is_charged(&self, intent_id: &str) -> bool {
        self.payments
            .get(intent_id)
            .is_some_and(|p| p.state == "succeeded")
    }
}

/// One intent of the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalIntent {
    pub intent_id: String,
    pub direction: String,
    pub state: String,
    pub paid: Option<i64>,
    pub refunded: i64,
    pub needs_reconciliation: bool,
    pub reverse_result: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalRefund {
    pub refund_id: String,
    pub intent_id: String,
    pub amount: i64,
    pub state: String,
}

#[derive(Debug, Default, Clone)]
pub struct Journal {
    pub intents: HashMap<String, JournalIntent>,
    pub refunds: HashMap<String, JournalRefund>,
}

pub const TERMINAL_INTENT: [&str; 3] = ["succeeded", "failed", "reversed"];
pub const TERMINAL_REFUND: [&str; 2] = ["succeeded", "closed"];

impl Journal {
    /// The journal, or an empty one if no client created the file yet.
    pub fn read(path: &Path) -> rusqlite::Result<Journal> {
        let mut j = Journal::default();
        if !path.exists() {
            return Ok(j);
        }
        let c = open(path)?;
        let has_table: Option<String> = c
            .query_row(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'refunds'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        if has_table.is_none() {
            return Ok(j);
        }
        c.execute_batch("BEGIN")?;
        {
            let mut st = c.prepare(
                "SELECT intent_id, direction, state, paid_minor, refunded_minor,
                    needs_reconciliation, reverse_result FROM intents",
            )?;
            let rows = st.query_map([], |r| {
                Ok(JournalIntent {
                    intent_id: r.get(0)?,
                    direction: r.get(1)?,
                    state: r.get(2)?,
                    paid: r.get(3)?,
                    refunded: r.get(4)?,
                    needs_reconciliation: r.get(5)?,
                    reverse_result: r.get(6)?,
                })
            })?;
            for i in rows {
                let i = i?;
                j.intents.insert(i.intent_id.clone(), i);
            }
            let mut st =
                c.prepare("SELECT refund_id, intent_id, amount_minor, state FROM refunds")?;
            let rows = st.query_map([], |r| {
                Ok(JournalRefund {
                    refund_id: r.get(0)?,
                    intent_id: r.get(1)?,
                    amount: r.get(2)?,
                    state: r.get(3)?,
                })
            })?;
            for r in rows {
                let r = r?;
                j.refunds.insert(r.refund_id.clone(), r);
            }
        }
        c.execute_batch("COMMIT")?;
        Ok(j)
    }
}
