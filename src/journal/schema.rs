//! Schema migrations, numbered by SQLite's `user_version`. Append new steps; never edit old ones,
//! because a phone may open a journal written by any earlier release.

/// Each entry upgrades the schema from version `index` to `index + 1`.
pub(super) const MIGRATIONS: &[&str] = &[
    // v1: intents, refunds and the append-only transition history.
    r#"
    CREATE TABLE intents (
        intent_id          TEXT PRIMARY KEY,
        out_trade_no       TEXT NOT NULL UNIQUE,
        idempotency_key    TEXT NOT NULL UNIQUE,
        direction          TEXT NOT NULL CHECK (direction IN ('pay', 'collect')),
        currency           TEXT NOT NULL,
        amount_minor       INTEGER NOT NULL CHECK (amount_minor > 0),
        original_minor     INTEGER,
        discount_minor     INTEGER,
        payable_minor      INTEGER,
        paid_minor         INTEGER,
        refunded_minor     INTEGER NOT NULL DEFAULT 0,
        funding_source_id  TEXT,
        network            TEXT,
        route_requested    TEXT,
        route_used         TEXT,
        merchant_code      TEXT,
        payer_code_masked  TEXT,
        state              TEXT NOT NULL,
        created_at_ms      INTEGER NOT NULL,
        updated_at_ms      INTEGER NOT NULL,
        deadline_at_ms     INTEGER NOT NULL,
        switch_txn_id      TEXT,
        reverse_result     TEXT,
        fees_json          TEXT,
        receipt_json       TEXT,
        failure_code       TEXT,
        needs_reconciliation INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX intents_unfinished ON intents (state)
        WHERE state NOT IN ('succeeded', 'failed', 'reversed');
    CREATE TABLE refunds (
        refund_id          TEXT PRIMARY KEY,
        intent_id          TEXT NOT NULL REFERENCES intents (intent_id),
        currency           TEXT NOT NULL,
        amount_minor       INTEGER NOT NULL CHECK (amount_minor > 0),
        state              TEXT NOT NULL,
        switch_refund_id   TEXT,
        failure_code       TEXT,
        created_at_ms      INTEGER NOT NULL,
        updated_at_ms      INTEGER NOT NULL
    );
    CREATE INDEX refunds_by_intent ON refunds (intent_id);
    CREATE TABLE transitions (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        subject      TEXT NOT NULL CHECK (subject IN ('intent', 'refund')),
        subject_id   TEXT NOT NULL,
        from_state   TEXT,
        to_state     TEXT NOT NULL,
        at_ms        INTEGER NOT NULL,
        detail       TEXT
    );
    CREATE INDEX transitions_by_subject ON transitions (subject_id, seq);
    "#,
    // v2: small durable facts about the wallet itself (the response-key-set version floor).
    r#"
    CREATE TABLE meta (
        key    TEXT PRIMARY KEY,
        value  INTEGER NOT NULL
    );
    -- A settled intent no longer needs reconciliation (v1 left the flag set).
    UPDATE intents SET needs_reconciliation = 0
        WHERE state IN ('succeeded', 'failed', 'reversed');
    "#,
];

/// The version a journal has once every migration ran.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;
