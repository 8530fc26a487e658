//! IBAN (ISO 13616) checks: shape and the mod-97 check digits.

/// True if `iban` (no spaces) has a country code, two check digits and a valid mod-97 remainder.
pub fn is_valid(iban: &str) -> bool {
    let b = iban.as_bytes();
    if !(15..=34).contains(&b.len())
        || !b[..2].iter().all(u8::is_ascii_uppercase)
        || !b[2..4].iter().all(u8::is_ascii_digit)
        || !b.iter().all(u8::is_ascii_alphanumeric)
    {
        return false;
    }
    mod97(b[4..].iter().chain(&b[..4]).copied()) == Some(1)
}

/// Remainder mod 97 of the digits, letters expanded A=10..Z=35 (as IBAN and ISO 11649 use).
pub fn mod97(chars: impl Iterator<Item = u8>) -> Option<u32> {
    let mut r: u32 = 0;
    for c in chars {
        let c = c.to_ascii_uppercase();
        match c {
            b'0'..=b'9' => r = (r * 10 + u32::from(c - b'0')) % 97,
            b'A'..=b'Z' => r = (r * 100 + u32::from(c - b'A') + 10) % 97,
            _ => return None,
        }
    }
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_valid_german_iban() {
        assert!(is_valid("DE33100205000001194700"));
    }

    #[test]
    fn rejects_a_single_changed_digit() {
        assert!(!is_valid("DE33100205000001194701"));
    }

    #[test]
    fn rejects_lower_case_and_short_strings() {
        assert!(!is_valid("de33100205000001194700"));
        assert!(!is_valid("DE33"));
    }
}
