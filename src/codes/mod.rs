//! Strict parsers for payment payloads: EMVCo MPM/CPM, wallet URLs, numeric pay codes, other rails.
