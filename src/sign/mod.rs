//! Request signing and response verification (ECDSA P-256 / SHA-256); the app may supply the signer.
