//! The exact byte strings that are signed; one function per direction so both sides share them.

use ring::digest::{digest, SHA256};

/// SHA-256 of the empty body, as it appears in canonical strings of GET requests.
pub const EMPTY_BODY_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let d = digest(&SHA256, bytes);
    let mut out = String::with_capacity(64);
    for b in d.as_ref() {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// `METHOD\npath?query\ntimestamp\nnonce\nbody-sha256-hex\n` (protocol §2).
///
/// `target` is the request target exactly as sent (path plus `?query` when there is one).
pub fn canonical_request(
    method: &str,
    target: &str,
    timestamp: i64,
    nonce: &str,
    body: &[u8],
) -> String {
    format!(
        "{}\n{}\n{}\n{}\n{}\n",
        method.to_ascii_uppercase(),
        target,
        timestamp,
        nonce,
        sha256_hex(body)
    )
}

/// `timestamp\nnonce\nrequest-nonce\nstatus\nbody-sha256-hex\n` (protocol §3.1).
///
/// The request nonce binds the response to the one request it answers; it is empty when the
/// request carried none.
pub fn canonical_response(
    timestamp: i64,
    nonce: &str,
    request_nonce: Option<&str>,
    status: u16,
    body: &[u8],
) -> String {
    format!(
        "{}\n{}\n{}\n{}\n{}\n",
        timestamp,
        nonce,
        request_nonce.unwrap_or(""),
        status,
        sha256_hex(body)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_body_hash_is_the_sha256_of_nothing() {
        assert_eq!(sha256_hex(b""), EMPTY_BODY_SHA256);
    }

    #[test]
    fn canonical_request_has_five_newline_terminated_lines() {
        let s = canonical_request("post", "/v1/payments?x=1", 1_764_052_800, "abc", b"{}");
        assert_eq!(
            s,
            "POST\n/v1/payments?x=1\n1764052800\nabc\n44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\n"
        );
    }

    #[test]
    fn canonical_response_leaves_request_nonce_line_empty_without_a_request_nonce() {
        let s = canonical_response(5, "n", None, 200, b"");
        assert_eq!(s, format!("5\nn\n\n200\n{EMPTY_BODY_SHA256}\n"));
    }

    #[test]
    fn canonical_response_changes_with_the_request_nonce() {
        assert_ne!(
            canonical_response(5, "n", Some("a"), 200, b"x"),
            canonical_response(5, "n", Some("b"), 200, b"x")
        );
    }
}
