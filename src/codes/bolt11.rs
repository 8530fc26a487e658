//! Lightning BOLT #11 invoices: bech32 checksum, human-readable amount, tagged fields, expiry.
//!
//! The secp256k1 signature is not verified here (no secp256k1 in the SDK); the paying node
//! verifies it before it pays. We check everything that can be checked without it.

use super::bech32::{self, Bech32Error};
use super::text::FieldRule;
use super::{bip21, payload, CodeError, Format, Parsed, Payload, Presentation, StaticOrDynamic};
use crate::money::{format_minor, Currency, Money};

/// BTC with millisatoshi precision (10^-11 BTC): BOLT11 amounts are in msat.
pub const BTC_MSAT: Currency = Currency {
    alpha: "BTC",
    numeric: 0,
    exponent: 11,
};

/// Even feature bits a payer understands (var_onion, payment_secret, basic_mpp, metadata...).
const KNOWN_REQUIRED_FEATURES: &[usize] = &[8, 14, 16, 24, 48];

fn bolt(reason: impl Into<String>) -> CodeError {
    CodeError::Bolt11(reason.into())
}

/// True if the text is (probably) meant as an invoice: `ln…` or `lightning:ln…`.
pub fn looks_like_invoice(text: &str) -> bool {
    let t = strip_scheme(text);
    t.len() > 4 && t.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("ln"))
}

fn strip_scheme(text: &str) -> &str {
    match text.get(..10) {
        Some(p) if p.eq_ignore_ascii_case("lightning:") => &text[10..],
        _ => text,
    }
}

fn chain(hrp: &str) -> Option<(&'static str, &'static str, usize)> {
    // Longest prefixes first: `bcrt` before `bc`, `tbs` before `tb`.
    [
        ("lnbcrt", "bitcoin_regtest", "bcrt"),
        ("lnbc", "bitcoin_mainnet", "bc"),
        ("lntbs", "bitcoin_signet", "tb"),
        ("lntb", "bitcoin_testnet", "tb"),
    ]
    .into_iter()
    .find(|(p, _, _)| hrp.starts_with(p))
    .map(|(p, name, addr_hrp)| (name, addr_hrp, p.len()))
}

/// Amount in msat from the hrp's amount part (`2500u`, `20m`, `9678785340p`).
fn amount_msat(s: &str) -> Result<Option<u64>, CodeError> {
    if s.is_empty() {
        return Ok(None);
    }
    let (digits, mult) = match s.as_bytes()[s.len() - 1] {
        b'0'..=b'9' => (s, None),
        m => (&s[..s.len() - 1], Some(m)),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.starts_with('0') {
        return Err(bolt("Invalid multiplier or amount"));
    }
    let n: u64 = digits.parse().map_err(|_| bolt("amount too large"))?;
    let msat = match mult {
        None => n.checked_mul(100_000_000_000),
        Some(b'm') => n.checked_mul(100_000_000),
        Some(b'u') => n.checked_mul(100_000),
        Some(b'n') => n.checked_mul(100),
        Some(b'p') => {
            if !n.is_multiple_of(10) {
                return Err(bolt("Invalid sub-millisatoshi precision"));
            }
            Some(n / 10)
        }
        Some(_) => return Err(bolt("Invalid multiplier")),
    };
    msat.map(Some).ok_or_else(|| bolt("amount too large"))
}

fn to_u64(groups: &[u8]) -> u64 {
    groups.iter().fold(0u64, |acc, &g| acc << 5 | u64::from(g))
}

/// Parses an invoice (optionally `lightning:`-prefixed).
pub fn parse(text: &str) -> Result<Parsed, CodeError> {
    let invoice = strip_scheme(text);
    let (hrp, data, variant) = bech32::decode(invoice).map_err(|e| match e {
        Bech32Error::NoSeparator => CodeError::Unrecognised,
        other => CodeError::Bech32(other),
    })?;
    if variant != bech32::Variant::Bech32 {
        return Err(bolt("invoices use bech32, not bech32m"));
    }
    let (chain_name, addr_hrp, prefix_len) =
        chain(&hrp).ok_or_else(|| bolt("unknown currency prefix"))?;
    let amount_part = &hrp[prefix_len..];
    let msat = amount_msat(amount_part)?;
    if data.len() < 7 + 104 {
        return Err(bolt("too short for a timestamp and a signature"));
    }
    let (body, sig) = data.split_at(data.len() - 104);
    let sig_bytes =
        bech32::convert_bits(sig, 5, 8, false).ok_or_else(|| bolt("bad signature padding"))?;
    if sig_bytes.get(64).is_none_or(|&rec| rec > 3) {
        return Err(bolt(
            "Signature is not recoverable (recovery id out of range)",
        ));
    }
    let timestamp = to_u64(&body[..7]);
    let mut p = Parsed::new(Format::Bolt11, Some("lightning_bolt11"));
    p.presentation = Presentation::Mpm;
    p.static_or_dynamic = StaticOrDynamic::Dynamic;
    let mut inv = payload::Bolt11 {
        chain: chain_name.to_string(),
        timestamp,
        ..payload::Bolt11::default()
    };
    p.currency = Some(BTC_MSAT);
    if let Some(m) = msat {
        let money = Money::new(
            i64::try_from(m).map_err(|_| bolt("amount too large"))?,
            BTC_MSAT,
        );
        let btc = format_minor(money.minor, 11);
        let btc = btc.trim_end_matches('0').trim_end_matches('.').to_string();
        inv.amount = Some(payload::Bolt11Amount {
            hrp: amount_part.to_string(),
            btc,
            msat: m,
        });
        p.amount = Some(money);
    }
    let mut expiry: u64 = 3600;
    let mut has_hash = false;
    let mut has_secret = false;
    let mut i = 7;
    while i < body.len() {
        if i + 3 > body.len() {
            return Err(bolt("tagged field header cut short"));
        }
        let tag = body[i];
        let len = usize::from(body[i + 1]) << 5 | usize::from(body[i + 2]);
        let start = i + 3;
        let field = body
            .get(start..start + len)
            .ok_or_else(|| bolt("tagged field runs past the signature"))?;
        i = start + len;
        let bytes = || bech32::convert_bits(field, 5, 8, false);
        match tag {
            1 if len == 52 => {
                has_hash = true;
                if let Some(b) = bytes() {
                    inv.payment_hash = Some(hex_lower(&b));
                }
            }
            16 if len == 52 => {
                has_secret = true;
                if let Some(b) = bytes() {
                    inv.payment_secret = Some(hex_lower(&b));
                }
            }
            13 => {
                let b = bytes().ok_or_else(|| bolt("description padding"))?;
                let d = String::from_utf8(b).map_err(|_| bolt("description is not UTF-8"))?;
                // The description says what the payment is for, not who is paid: a note. It is
                // signed free text (line breaks are honest), so odd characters are flagged only.
                p.screen("description", &d, FieldRule::FreeText)
                    .map_err(|reason| bolt(format!("description {reason}")))?;
                p.note.get_or_insert_with(|| d.clone());
                inv.description = Some(d);
            }
            23 if len == 52 => {
                if let Some(b) = bytes() {
                    inv.description_hash = Some(hex_lower(&b));
                }
            }
            6 => {
                if len > 12 {
                    return Err(bolt("expiry field too long"));
                }
                expiry = to_u64(field);
                inv.expiry_s = Some(expiry);
            }
            27 => {
                if let Some(b) = bytes() {
                    inv.payment_metadata = Some(hex_lower(&b));
                }
            }
            9 => {
                if let Some(addr) = fallback(field, addr_hrp) {
                    inv.fallback_address = Some(addr);
                }
            }
            5 => check_features(field)?,
            _ => {}
        }
    }
    if !has_hash {
        return Err(bolt("payment hash (p) is missing"));
    }
    // BOLT #11 now requires the payment secret; paying without it exposes the payee to probing
    // and every current node refuses such an invoice, so it cannot be paid.
    if !has_secret {
        return Err(bolt("payment secret (s) is missing"));
    }
    p.expires_at = Some(timestamp.saturating_add(expiry));
    p.payload = Payload::Bolt11(inv);
    Ok(p)
}

fn check_features(field: &[u8]) -> Result<(), CodeError> {
    let n = field.len() * 5;
    for (gi, g) in field.iter().enumerate() {
        for b in 0..5 {
            if g >> (4 - b) & 1 == 1 {
                let bit = n - 1 - (gi * 5 + b);
                if bit.is_multiple_of(2) && !KNOWN_REQUIRED_FEATURES.contains(&bit) {
                    return Err(bolt(format!("unknown required feature {bit}")));
                }
            }
        }
    }
    Ok(())
}

fn fallback(field: &[u8], addr_hrp: &str) -> Option<String> {
    let (&version, rest) = field.split_first()?;
    let program = bech32::convert_bits(rest, 5, 8, false)?;
    let mainnet = addr_hrp == "bc";
    match version {
        0..=16 => bech32::segwit_address(addr_hrp, version, &program),
        17 | 18 if program.len() == 20 => {
            let prefix = match (version, mainnet) {
                (17, true) => 0x00,
                (18, true) => 0x05,
                (17, false) => 0x6f,
                _ => 0xc4,
            };
            let mut payload = vec![prefix];
            payload.extend(program);
            Some(bip21::base58check_encode(&payload))
        }
        _ => None,
    }
}

fn hex_lower(b: &[u8]) -> String {
    super::to_hex_upper(b).to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// BOLT #11's "nonsense UTF-8 description" example (it carries an `s` field).
    const WITH_SECRET: &str = "lnbc2500u1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpquwpc4curk03c9wlrswe78q4eyqc7d8d0xqzpu9qrsgqhtjpauu9ur7fw2thcl4y9vfvh4m9wlfyz2gem29g5ghe2aak2pm3ps8fdhtceqsaagty2vph7utlgj48u0ged6a337aewvraedendscp573dxr";

    /// Re-encodes an invoice with its tagged fields filtered (checksum recomputed; the
    /// signature no longer matches, which this parser cannot see anyway).
    fn without_field(invoice: &str, drop_tag: u8) -> String {
        let (hrp, data, variant) = bech32::decode(invoice).unwrap();
        let (body, sig) = data.split_at(data.len() - 104);
        let mut out = body[..7].to_vec();
        let mut i = 7;
        while i < body.len() {
            let len = usize::from(body[i + 1]) << 5 | usize::from(body[i + 2]);
            if body[i] != drop_tag {
                out.extend_from_slice(&body[i..i + 3 + len]);
            }
            i += 3 + len;
        }
        out.extend_from_slice(sig);
        bech32::encode(&hrp, &out, variant)
    }

    #[test]
    fn bolt11_without_payment_secret_is_not_valid() {
        let p = parse(WITH_SECRET).unwrap();
        let Payload::Bolt11(inv) = &p.payload else {
            panic!("not BOLT11: {:?}", p.payload)
        };
        assert_eq!(inv.payment_secret.as_ref().map(String::len), Some(64));
        let stripped = without_field(WITH_SECRET, 16);
        assert_ne!(stripped, WITH_SECRET);
        let err = parse(&stripped).unwrap_err();
        assert!(err.to_string().contains("payment secret (s)"), "{err}");
        // Dropping another field keeps it valid: the failure is the secret, not the rewrite.
        assert!(parse(&without_field(WITH_SECRET, 6)).is_ok());
    }

    /// Re-encodes an invoice with another description (field 13).
    fn with_description(invoice: &str, description: &str) -> String {
        let (hrp, data, variant) = bech32::decode(invoice).unwrap();
        let (body, sig) = data.split_at(data.len() - 104);
        let mut out = body[..7].to_vec();
        let mut i = 7;
        while i < body.len() {
            let len = usize::from(body[i + 1]) << 5 | usize::from(body[i + 2]);
            if body[i] == 13 {
                let groups = bech32::convert_bits(description.as_bytes(), 8, 5, true).unwrap();
                let n = u8::try_from(groups.len()).unwrap();
                out.extend_from_slice(&[13, n >> 5, n & 31]);
                out.extend_from_slice(&groups);
            } else {
                out.extend_from_slice(&body[i..i + 3 + len]);
            }
            i += 3 + len;
        }
        out.extend_from_slice(sig);
        bech32::encode(&hrp, &out, variant)
    }

    #[test]
    fn text_spoofing_in_a_bolt11_description_is_flagged_and_line_breaks_pass() {
        let p = parse(&with_description(WITH_SECRET, "coffee\u{202e}eettal")).unwrap();
        assert_eq!(p.suspicious_text, ["description"]);
        let p = parse(&with_description(WITH_SECRET, "coffee\u{1b}[2J")).unwrap();
        assert_eq!(p.suspicious_text, ["description"]);
        let p = parse(&with_description(WITH_SECRET, "1 coffee\n1 cake")).unwrap();
        assert!(p.suspicious_text.is_empty());
        assert_eq!(p.note.as_deref(), Some("1 coffee\n1 cake"));
    }

    #[test]
    fn the_description_is_a_note_not_the_merchant_name() {
        let p = parse(WITH_SECRET).unwrap();
        assert_eq!(p.merchant_name, None);
        assert_eq!(p.note.as_deref(), Some("ナンセンス 1杯"));
        assert_eq!(p.currency, Some(BTC_MSAT));
    }

    #[test]
    fn converts_each_multiplier_to_millisatoshi() {
        assert_eq!(amount_msat("20m").unwrap(), Some(2_000_000_000));
        assert_eq!(amount_msat("2500u").unwrap(), Some(250_000_000));
        assert_eq!(amount_msat("10n").unwrap(), Some(1_000));
        assert_eq!(amount_msat("10p").unwrap(), Some(1));
    }

    #[test]
    fn rejects_pico_amounts_below_one_millisatoshi() {
        assert!(amount_msat("15p")
            .unwrap_err()
            .to_string()
            .contains("sub-millisatoshi"));
    }

    #[test]
    fn rejects_an_unknown_multiplier() {
        assert!(amount_msat("2500x")
            .unwrap_err()
            .to_string()
            .contains("multiplier"));
    }
}
