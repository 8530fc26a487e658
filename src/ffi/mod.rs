//! The thin UniFFI surface: exported objects, records and errors that wrap the plain Rust modules.
