//! Request signing and response verification (ECDSA P-256 / SHA-256); the app may supply the signer.
//!
//! The wire rules live in `docs/protocol.md` §2-3; why both sides share this code is decision 2 of
//! `docs/adr/0003-sandbox-acquirer.md`.
//! Both sides use this module: the SDK signs requests and verifies responses, the sandbox
//! acquirer verifies requests and signs responses, so the two can never drift apart.

mod canonical;
mod clock;
mod error;
mod header;
mod key_file;
mod keyset;
mod nonce;
mod signer;
mod verify;

pub use canonical::{canonical_request, canonical_response, sha256_hex, EMPTY_BODY_SHA256};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::SignError;
pub use header::{
    Authorization, ResponseSignature, AUTH_SCHEME, HEADER_KEY_ID, HEADER_NONCE, HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
};
pub use key_file::{read_key_file, write_key_file, KeyFileContents, KeyFileError};
pub use keyset::{KeySet, KeySetEntry, PinnedRoot, SignedKeySet, KEY_SET_DOMAIN};
pub use nonce::{new_nonce, NonceCache, NonceStore};
pub use signer::{verify_signature, AsyncSigner, SignFuture, Signer, SoftwareSigner};
pub use verify::{
    sign_request, sign_request_async, sign_response, RequestVerifier, ResponseVerifier,
    VerifiedResponse, DEFAULT_NONCE_CAPACITY, WINDOW_SECS,
};
