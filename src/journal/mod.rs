//! The SQLite journal: every intent and transition is durable before the request that depends on it.
