//! Signing a response so the SDK believes it (`hutong_core::sign::ResponseVerifier`).

use hutong_core::sign::{canonical_response, new_nonce, ResponseSignature, SignError, Signer};

/// Signs a response bound to the nonce of the request it answers.
pub fn sign_response(
    signer: &dyn Signer,
    timestamp: i64,
    request_nonce: Option<&str>,
    status: u16,
    body: &[u8],
) -> Result<ResponseSignature, SignError> {
    let nonce = new_nonce()?;
    let message = canonical_response(timestamp, &nonce, request_nonce, status, body);
    Ok(ResponseSignature {
        key_id: signer.key_id(),
        timestamp,
        signature: signer.sign(message.as_bytes())?,
        nonce,
    })
}
