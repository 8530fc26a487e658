//! BIP21 `bitcoin:` URIs, with base58check and segwit address validation.

use super::text::FieldRule;
use super::{
    bech32, payload, query_pairs, CodeError, Format, Parsed, Payload, Presentation, StaticOrDynamic,
};
use crate::money::{parse_minor, Currency, Money};

const BASE58: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

fn sha256d(data: &[u8]) -> [u8; 32] {
    use ring::digest::{digest, SHA256};
    let once = digest(&SHA256, data);
    let twice = digest(&SHA256, once.as_ref());
    let mut out = [0u8; 32];
    out.copy_from_slice(twice.as_ref());
    out
}

/// Decodes base58check; returns the payload without the 4-byte checksum.
pub fn base58check_decode(s: &str) -> Option<Vec<u8>> {
    if s.is_empty() || s.len() > 100 {
        return None;
    }
    let mut bytes: Vec<u8> = Vec::with_capacity(s.len());
    for c in s.bytes() {
        let mut carry = BASE58.iter().position(|&x| x == c)? as u32;
        for b in bytes.iter_mut().rev() {
            carry += u32::from(*b) * 58;
            *b = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            bytes.insert(0, (carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    let zeros = s.bytes().take_while(|&c| c == b'1').count();
    let mut full = vec![0u8; zeros];
    full.extend(bytes);
    if full.len() < 5 {
        return None;
    }
    let (payload, check) = full.split_at(full.len() - 4);
    (sha256d(payload)[..4] == *check).then(|| payload.to_vec())
}

/// Encodes `payload` as base58check.
pub fn base58check_encode(payload: &[u8]) -> String {
    let mut data = payload.to_vec();
    data.extend_from_slice(&sha256d(payload)[..4]);
    let mut digits: Vec<u8> = Vec::new();
    for &b in &data {
        let mut carry = u32::from(b);
        for d in digits.iter_mut() {
            carry += u32::from(*d) << 8;
            *d = (carry % 58) as u8;
            carry /= 58;
        }
        while carry > 0 {
            digits.push((carry % 58) as u8);
            carry /= 58;
        }
    }
    let zeros = data.iter().take_while(|&&b| b == 0).count();
    let mut s = "1".repeat(zeros);
    s.extend(
        digits
            .iter()
            .rev()
            .map(|&d| char::from(BASE58[usize::from(d)])),
    );
    s
}

/// True for a mainnet or testnet P2PKH/P2SH or segwit address with a good checksum.
pub fn is_valid_address(addr: &str) -> bool {
    let lower = addr.to_ascii_lowercase();
    for hrp in ["bc", "tb", "bcrt"] {
        if lower.starts_with(&format!("{hrp}1")) {
            return bech32::decode_segwit(hrp, addr).is_some();
        }
    }
    matches!(
        base58check_decode(addr).as_deref(),
        Some([0x00 | 0x05 | 0x6f | 0xc4, rest @ ..]) if rest.len() == 20
    )
}

fn btc() -> Currency {
    Currency {
        alpha: "BTC",
        numeric: 0,
        exponent: 8,
    }
}

/// Parses `bitcoin:<address>[?params]` (scheme case-insensitive; `bitcoin://` tolerated and
/// reported as non-compliant).
pub fn parse(text: &str) -> Result<Parsed, CodeError> {
    let rest = text
        .get(..8)
        .filter(|s| s.eq_ignore_ascii_case("bitcoin:"))
        .map(|_| &text[8..])
        .ok_or(CodeError::Unrecognised)?;
    let mut p = Parsed::new(Format::Bip21, Some("bip21"));
    p.presentation = Presentation::Mpm;
    p.static_or_dynamic = StaticOrDynamic::Static;
    let (rest, compliant) = match rest.strip_prefix("//") {
        Some(r) => (r, false),
        None => (rest, true),
    };
    let (address, query) = rest.split_once('?').unwrap_or((rest, ""));
    if !is_valid_address(address) {
        return Err(CodeError::BitcoinAddress(address.to_string()));
    }
    let mut bip = payload::Bip21 {
        address: address.to_string(),
        compliant,
        ..payload::Bip21::default()
    };
    let invalid = |param: &str, reason: &str| CodeError::InvalidParam {
        scheme: "bitcoin".into(),
        param: param.into(),
        reason: reason.into(),
    };
    let pairs = query_pairs(query, false).ok_or_else(|| invalid("query", "bad escape"))?;
    p.currency = Some(btc());
    for (k, v) in pairs {
        // BIP21 values are any percent-encoded UTF-8: `label` and `message` are free text
        // (flagged, never refused); every other parameter is machine-read (`amount`, `r`...).
        let rule = match k.as_str() {
            "label" | "message" => FieldRule::FreeText,
            _ => FieldRule::Identifier,
        };
        p.screen(&format!("options.{k}"), &v, rule)
            .map_err(|reason| invalid(&k, &reason))?;
        if k == "amount" {
            let minor = parse_minor(&v, 8).map_err(|e| CodeError::amount("amount", e))?;
            p.amount = Some(Money::new(minor, btc()));
        } else if k.starts_with("req-") {
            // BIP21: an unknown required parameter makes the whole URI unusable.
            return Err(invalid(&k, "required parameter not understood"));
        }
        // The label names the recipient; the message describes the payment, so it is a note.
        match k.as_str() {
            "label" => p.merchant_name = Some(v.clone()),
            "message" => p.note = Some(v.clone()),
            _ => {}
        }
        bip.set(&k, v);
    }
    p.payload = Payload::Bip21(bip);
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_a_p2pkh_checksum() {
        assert!(is_valid_address("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH"));
        assert!(!is_valid_address("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMJ"));
    }

    #[test]
    fn base58check_round_trips() {
        let payload = [
            0u8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
        ];
        let s = base58check_encode(&payload);
        assert_eq!(base58check_decode(&s).unwrap(), payload);
    }

    #[test]
    fn rejects_a_negative_amount() {
        let err = parse("bitcoin:1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH?amount=-1").unwrap_err();
        assert_eq!(err.code(), "amount");
    }

    #[test]
    fn bip21_message_is_a_note_and_only_label_names_the_recipient() {
        let p = parse("bitcoin:1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH?message=Donation%20for%20xyz")
            .unwrap();
        assert_eq!(p.merchant_name, None);
        assert_eq!(p.note.as_deref(), Some("Donation for xyz"));
        let p = parse("bitcoin:1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH?message=Thanks&label=Luke-Jr")
            .unwrap();
        assert_eq!(p.merchant_name.as_deref(), Some("Luke-Jr"));
        assert_eq!(p.note.as_deref(), Some("Thanks"));
    }

    #[test]
    fn text_spoofing_in_a_bip21_label_is_flagged_and_in_a_parameter_refused() {
        let p =
            parse("bitcoin:1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH?label=Shop%E2%80%AEliaM").unwrap();
        assert_eq!(p.suspicious_text, ["options.label"]);
        let err = parse("bitcoin:1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH?amount=1%1B").unwrap_err();
        assert_eq!(err.code(), "invalid_param");
    }

    #[test]
    fn rejects_unknown_required_parameters() {
        let err = parse("bitcoin:1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH?req-x=1").unwrap_err();
        assert_eq!(err.code(), "invalid_param");
    }
}
