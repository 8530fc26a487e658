//! Request signing and response verification (ECDSA P-256 / SHA-256); the app may supply the signer.
//!
//! The wire rules live in `docs/protocol.md` §2-3; why both sides share this code is decision 2 of
//! `docs/adr/0003-sandbox-acquirer.md`.
//! This is the SDK's half: sign requests, verify responses. The switch's half (verify requests,
//! sign responses) is the `hutong-protocol` crate, built on the same canonical strings and
//! headers here, so the two can never drift apart while an app library carries only its own.

mod canonical;
mod clock;
mod error;
mod header;
#[cfg(feature = "software-keys")]
mod key_file;
mod keyset;
mod nonce;
mod signer;
#[cfg(feature = "software-keys")]
mod software_signer;
mod verify;

pub use canonical::{canonical_request, canonical_response, sha256_hex, EMPTY_BODY_SHA256};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::SignError;
pub use header::{
    Authorization, ResponseSignature, AUTH_SCHEME, HEADER_KEY_ID, HEADER_NONCE, HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
};
#[cfg(feature = "software-keys")]
pub use key_file::{read_key_file, write_key_file, KeyFileContents, KeyFileError};
pub use keyset::{KeySet, KeySetEntry, PinnedRoot, SignedKeySet, KEY_SET_DOMAIN};
pub use nonce::{new_nonce, NonceCache};
pub use signer::{verify_signature, AsyncSigner, SignFuture, Signer};
#[cfg(feature = "software-keys")]
pub use software_signer::SoftwareSigner;
pub use verify::{
    check_window, sign_request, sign_request_async, ResponseVerifier, VerifiedResponse,
    DEFAULT_NONCE_CAPACITY, WINDOW_SECS,
};
