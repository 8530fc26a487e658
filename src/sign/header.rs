//! The `Authorization` request header and the `X-Hutong-*` response headers.

use super::SignError;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;

/// Scheme name of the request `Authorization` header.
pub const AUTH_SCHEME: &str = "HUTONG-ECDSA-P256-SHA256";
pub const HEADER_KEY_ID: &str = "X-Hutong-Key-Id";
pub const HEADER_TIMESTAMP: &str = "X-Hutong-Timestamp";
pub const HEADER_NONCE: &str = "X-Hutong-Nonce";
pub const HEADER_SIGNATURE: &str = "X-Hutong-Signature";

/// Longest header value we parse; anything longer is hostile or broken.
const MAX_HEADER_LEN: usize = 1024;

/// A parsed or to-be-sent `Authorization: HUTONG-ECDSA-P256-SHA256 ...` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub key_id: String,
    pub timestamp: i64,
    pub nonce: String,
    /// DER-encoded ECDSA signature (decoded from base64).
    pub signature: Vec<u8>,
}

impl Authorization {
    /// The header value, parameters in the documented order.
    pub fn to_header_value(&self) -> String {
        format!(
            "{AUTH_SCHEME} key_id=\"{}\",timestamp=\"{}\",nonce=\"{}\",signature=\"{}\"",
            self.key_id,
            self.timestamp,
            self.nonce,
            B64.encode(&self.signature)
        )
    }

    /// Parses a header value; every parameter must appear exactly once.
    pub fn parse(value: &str) -> Result<Self, SignError> {
        let bad = |why: &str| SignError::MalformedAuthorization(why.to_string());
        if value.len() > MAX_HEADER_LEN {
            return Err(bad("header too long"));
        }
        let rest = value
            .strip_prefix(AUTH_SCHEME)
            .and_then(|r| r.strip_prefix(' '))
            .ok_or_else(|| bad("wrong scheme"))?;
        let (mut key_id, mut timestamp, mut nonce, mut signature) = (None, None, None, None);
        for part in rest.split(',') {
            let (name, quoted) = part.trim().split_once('=').ok_or_else(|| bad("no `=`"))?;
            let inner = quoted
                .strip_prefix('"')
                .and_then(|q| q.strip_suffix('"'))
                .ok_or_else(|| bad("value not quoted"))?;
            if inner.contains('"') || inner.contains('\\') {
                return Err(bad("quote or backslash inside a value"));
            }
            let slot = match name {
                "key_id" => &mut key_id,
                "timestamp" => &mut timestamp,
                "nonce" => &mut nonce,
                "signature" => &mut signature,
                _ => return Err(bad("unknown parameter")),
            };
            if slot.replace(inner).is_some() {
                return Err(bad("repeated parameter"));
            }
        }
        let key_id = key_id.ok_or_else(|| bad("missing key_id"))?;
        if key_id.is_empty() {
            return Err(bad("empty key_id"));
        }
        let timestamp = parse_timestamp(timestamp.ok_or_else(|| bad("missing timestamp"))?)
            .ok_or_else(|| bad("timestamp is not Unix seconds"))?;
        let nonce = nonce.ok_or_else(|| bad("missing nonce"))?;
        if !valid_nonce(nonce) {
            return Err(bad("nonce must be 16-64 characters of [0-9A-Za-z_-]"));
        }
        let signature = B64
            .decode(signature.ok_or_else(|| bad("missing signature"))?)
            .map_err(|_| bad("signature is not base64"))?;
        Ok(Authorization {
            key_id: key_id.to_string(),
            timestamp,
            nonce: nonce.to_string(),
            signature,
        })
    }
}

/// The four response signature headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseSignature {
    pub key_id: String,
    pub timestamp: i64,
    pub nonce: String,
    /// DER-encoded ECDSA signature.
    pub signature: Vec<u8>,
}

impl ResponseSignature {
    /// `(header name, value)` pairs to attach to a response.
    pub fn to_headers(&self) -> [(&'static str, String); 4] {
        [
            (HEADER_KEY_ID, self.key_id.clone()),
            (HEADER_TIMESTAMP, self.timestamp.to_string()),
            (HEADER_NONCE, self.nonce.clone()),
            (HEADER_SIGNATURE, B64.encode(&self.signature)),
        ]
    }

    /// Reads the headers through `lookup` (case-insensitive lookup is the caller's HTTP library's
    /// job). All four absent means unsigned; some absent or unreadable means malformed.
    pub fn from_lookup<'a>(
        status: u16,
        lookup: impl Fn(&'static str) -> Option<&'a str>,
    ) -> Result<Self, SignError> {
        let values = [
            HEADER_KEY_ID,
            HEADER_TIMESTAMP,
            HEADER_NONCE,
            HEADER_SIGNATURE,
        ]
        .map(|h| (h, lookup(h)));
        if values.iter().all(|(_, v)| v.is_none()) {
            return Err(SignError::Unsigned { status });
        }
        let get = |i: usize| -> Result<&'a str, SignError> {
            let (header, value) = values[i];
            match value {
                Some(v) if !v.is_empty() && v.len() <= MAX_HEADER_LEN => Ok(v),
                Some(_) => Err(SignError::MalformedHeader {
                    header,
                    reason: "empty or too long".into(),
                }),
                None => Err(SignError::MalformedHeader {
                    header,
                    reason: "missing".into(),
                }),
            }
        };
        let timestamp = parse_timestamp(get(1)?).ok_or(SignError::MalformedHeader {
            header: HEADER_TIMESTAMP,
            reason: "not Unix seconds".into(),
        })?;
        let nonce = get(2)?;
        if !valid_nonce(nonce) {
            return Err(SignError::MalformedHeader {
                header: HEADER_NONCE,
                reason: "must be 16-64 characters of [0-9A-Za-z_-]".into(),
            });
        }
        let signature = B64
            .decode(get(3)?)
            .map_err(|_| SignError::MalformedHeader {
                header: HEADER_SIGNATURE,
                reason: "not base64".into(),
            })?;
        Ok(ResponseSignature {
            key_id: get(0)?.to_string(),
            timestamp,
            nonce: nonce.to_string(),
            signature,
        })
    }
}

/// Unix seconds as the protocol writes them: ASCII digits, no sign, no leading zero.
fn parse_timestamp(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 18 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if s.len() > 1 && s.starts_with('0') {
        return None;
    }
    s.parse().ok()
}

/// 16-64 characters of `[0-9A-Za-z_-]` (protocol §2).
pub(crate) fn valid_nonce(s: &str) -> bool {
    (16..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Authorization {
        Authorization {
            key_id: "dev-1".into(),
            timestamp: 1_764_052_800,
            nonce: "0123456789abcdef0123456789abcdef".into(),
            signature: vec![0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01],
        }
    }

    #[test]
    fn authorization_round_trips_through_its_header_value() {
        let a = sample();
        assert_eq!(Authorization::parse(&a.to_header_value()).unwrap(), a);
    }

    #[test]
    fn authorization_accepts_parameters_in_any_order() {
        let v = format!(
            "{AUTH_SCHEME} nonce=\"0123456789abcdef0123456789abcdef\",signature=\"MAYCAQECAQE=\",key_id=\"dev-1\",timestamp=\"1764052800\""
        );
        assert_eq!(Authorization::parse(&v).unwrap(), sample());
    }

    #[test]
    fn authorization_rejects_other_schemes() {
        let v = sample().to_header_value().replace(AUTH_SCHEME, "Bearer");
        assert!(matches!(
            Authorization::parse(&v),
            Err(SignError::MalformedAuthorization(_))
        ));
    }

    #[test]
    fn authorization_rejects_a_repeated_parameter() {
        let v = format!("{},key_id=\"dev-2\"", sample().to_header_value());
        assert!(Authorization::parse(&v).is_err());
    }

    #[test]
    fn authorization_rejects_missing_or_unquoted_or_unknown_parameters() {
        let good = sample().to_header_value();
        for bad in [
            good.replace("nonce=", "nonse="),
            good.replace("key_id=\"dev-1\",", ""),
            good.replace("\"1764052800\"", "1764052800"),
            good.replace("\"1764052800\"", "\"-5\""),
            good.replace("\"1764052800\"", "\"01764052800\""),
            good.replace("MAYCAQECAQE=", "not base64!"),
            good.replace("0123456789abcdef0123456789abcdef", "short"),
            good.replace("dev-1", "de\\\"v"),
            format!("{good}{}", "x".repeat(2000)),
            String::new(),
        ] {
            assert!(Authorization::parse(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn response_headers_all_absent_mean_unsigned() {
        assert_eq!(
            ResponseSignature::from_lookup(200, |_| None),
            Err(SignError::Unsigned { status: 200 })
        );
    }

    #[test]
    fn response_headers_partly_absent_are_malformed() {
        let r = ResponseSignature::from_lookup(200, |h| (h == HEADER_KEY_ID).then_some("srv"));
        assert!(matches!(r, Err(SignError::MalformedHeader { .. })));
    }

    #[test]
    fn response_headers_round_trip() {
        let s = ResponseSignature {
            key_id: "srv-1".into(),
            timestamp: 42,
            nonce: "abcdefabcdefabcdef".into(),
            signature: vec![1, 2, 3],
        };
        let headers = s.to_headers();
        let back = ResponseSignature::from_lookup(200, |h| {
            headers
                .iter()
                .find(|(n, _)| *n == h)
                .map(|(_, v)| v.as_str())
        })
        .unwrap();
        assert_eq!(back, s);
    }
}
