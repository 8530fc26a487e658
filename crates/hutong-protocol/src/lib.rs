//! The switch's side of Hutong's wire protocol (`docs/protocol.md` §2-3): verify a device's signed
//! request and refuse its replay, sign the response bound to that request's nonce.
//!
//! The SDK's side (sign a request, verify a response) lives in `hutong_core::sign`; this crate
//! builds on the same canonical strings and headers, so the two halves cannot drift apart. It is
//! used by the sandbox acquirer, the QA tools and tests; an app library never links it
//! (`docs/adr/0008-crate-split.md`).

mod request;
mod response;

pub use request::{NonceStore, RequestVerifier};
pub use response::sign_response;

#[cfg(test)]
mod round_trip;
