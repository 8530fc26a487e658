//! Pay / collect / refund state machines: exactly-once money movement over a signed protocol.
//!
//! Rules (docs/adr/0004-flow-exactly-once.md): every intent and transition is journalled before
//! the request that depends on it; ambiguity is `Unknown`, never `Failed`; only a verified
//! response moves a state; `recover()` settles by query and reverse, never by a new charge.

mod api;
mod payer_code;
mod payments;
pub mod wire;

pub use payer_code::{PayerCode, PayerCodeError};
#[cfg(any(test, feature = "test-hooks"))]
pub use payments::crash;
pub use payments::{
    new_uuid_v4, out_trade_no_for, payer_code_network, FlowListener, FlowTimings, PayOptions,
    Payments, PaymentsConfig, RecoverOutcome, StateChange,
};
// The states live below both the flow and the journal (the journal stores what it does not decide).
pub use crate::states::{Direction, IntentState, RefundState};

use crate::journal::JournalError;
use crate::money::AmountError;
use crate::sign::SignError;
use crate::transport::TransportError;

/// Why a flow call could not do what was asked. An open intent is never an error: it is returned
/// in its state (`Unknown`, `Reversing`...) for the app to show and `recover()` to settle.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    #[error("invalid request: {0}")]
    InvalidInput(String),
    #[error(transparent)]
    PayerCode(#[from] PayerCodeError),
    #[error(transparent)]
    Amount(#[from] AmountError),
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error("the switch refused: {code}: {message}")]
    Rejected { code: String, message: String },
    #[error("no trustworthy answer from the switch: {0}")]
    NoAnswer(String),
    /// The device key did not sign (`SignerFailed`, `SignerCancelled`, `SignerTimedOut`), so
    /// nothing was sent. An intent that existed is `Failed` with a `SIGNER_*` failure code.
    #[error("the device key did not sign: {0}")]
    Signer(SignError),
    #[error("local failure: {0}")]
    Local(String),
    /// The route cannot carry a payment of this code (wrong network, no contract, not payable).
    #[error(transparent)]
    Route(#[from] crate::route::RouteError),
    /// A quote or amount disagrees with what the code fixes (network, currency, dynamic amount).
    #[error("does not match the code: {0}")]
    CodeMismatch(String),
}

impl From<api::CallFailure> for FlowError {
    fn from(f: api::CallFailure) -> Self {
        match f {
            api::CallFailure::NotSigned(e) => FlowError::Signer(e),
            other => FlowError::NoAnswer(other.to_string()),
        }
    }
}

/// The journal's `failure_code` for a request the device key did not sign.
pub(crate) fn signer_failure_code(e: &SignError) -> &'static str {
    match e {
        SignError::SignerCancelled(_) => "SIGNER_CANCELLED",
        SignError::SignerTimedOut { .. } => "SIGNER_TIMEOUT",
        _ => "SIGNER_FAILED",
    }
}
