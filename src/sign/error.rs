use thiserror::Error;

/// Why signing failed or a signed message was not believed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SignError {
    #[error("signing key rejected: {0}")]
    KeyRejected(String),
    #[error("the signer failed: {0}")]
    SignerFailed(String),
    /// The user dismissed the authentication the key asked for (biometric prompt, passcode).
    #[error("the user cancelled signing: {0}")]
    SignerCancelled(String),
    /// The signer did not answer within the configured wait (a prompt nobody answered).
    #[error("the signer did not answer within {after_ms} ms")]
    SignerTimedOut { after_ms: u64 },
    #[error("malformed Authorization header: {0}")]
    MalformedAuthorization(String),
    #[error("response with status {status} carries no signature")]
    Unsigned { status: u16 },
    #[error("malformed signature header {header}: {reason}")]
    MalformedHeader {
        header: &'static str,
        reason: String,
    },
    #[error("unknown key id `{0}`")]
    UnknownKeyId(String),
    #[error("key `{key_id}` is not valid at {at}")]
    KeyNotValid { key_id: String, at: i64 },
    #[error("signature does not verify")]
    SignatureInvalid,
    #[error("timestamp {timestamp} is more than {window} s away from {now}")]
    TimestampSkew {
        timestamp: i64,
        now: i64,
        window: i64,
    },
    #[error("nonce `{0}` was already used")]
    NonceReplayed(String),
    #[error("nonce cache is full of live nonces")]
    NonceCacheFull,
    /// The durable nonce store could not be read or written: refused, never waved through.
    #[error("nonce store unavailable: {0}")]
    NonceStoreFailed(String),
    #[error("malformed key set: {0}")]
    MalformedKeySet(String),
    #[error("key set is signed by `{0}`, which is not a pinned root")]
    UnknownRootKey(String),
    #[error("key set signature does not verify against the pinned root")]
    KeySetSignatureInvalid,
    #[error("key set version {offered} is older than the held version {held}")]
    KeySetRollback { held: u64, offered: u64 },
    #[error("no server key set has been installed")]
    NoKeySet,
}

impl SignError {
    /// Whether the device key failed to sign (as opposed to a message that was not believed).
    pub fn is_signer_failure(&self) -> bool {
        matches!(
            self,
            SignError::SignerFailed(_)
                | SignError::SignerCancelled(_)
                | SignError::SignerTimedOut { .. }
        )
    }
}
