//! EPC069-12 SEPA Credit Transfer QR ("GiroCode"): `BCD` line format, versions 001 and 002.

use super::text::FieldRule;
use super::{
    iban, payload, CodeError, Format, Parsed, Payload, Presentation, Receiver, StaticOrDynamic,
};
use crate::money::{Currency, Money};

const FORMAT: &str = "EPC069-12";
const MAX_BYTES: usize = 331;

fn err(field: &str, reason: &str) -> CodeError {
    CodeError::field(FORMAT, field, reason)
}

pub fn looks_like_epc(text: &str) -> bool {
    text.starts_with("BCD\n") || text.starts_with("BCD\r\n")
}

pub fn parse(text: &str) -> Result<Parsed, CodeError> {
    if !looks_like_epc(text) {
        return Err(CodeError::Unrecognised);
    }
    if text.len() > MAX_BYTES {
        return Err(err("payload", "longer than 331 bytes"));
    }
    let lines: Vec<&str> = text.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    if lines.len() > 12 {
        return Err(err("payload", "more than 12 lines"));
    }
    let line = |i: usize| lines.get(i).copied().unwrap_or("");
    let version = line(1);
    if version != "001" && version != "002" {
        return Err(err("version", "must be 001 or 002"));
    }
    let encoding = line(2);
    if !matches!(encoding, "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8") {
        return Err(err("encoding", "must be 1 to 8"));
    }
    if line(3) != "SCT" {
        return Err(err("identification", "must be SCT"));
    }
    let bic = line(4);
    if bic.is_empty() && version == "001" {
        return Err(err("bic", "mandatory in version 001"));
    }
    if !bic.is_empty()
        && (!(bic.len() == 8 || bic.len() == 11) || !bic.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return Err(err("bic", "must be 8 or 11 letters and digits"));
    }
    let name = line(5);
    if name.is_empty() || name.chars().count() > 70 {
        return Err(err("beneficiary", "must be 1 to 70 characters"));
    }
    let account = line(6);
    if !iban::is_valid(account) {
        return Err(err("iban", "not a valid IBAN (mod-97)"));
    }
    let mut p = Parsed::new(Format::EpcSct, Some("epc_sct"));
    p.presentation = Presentation::Mpm;
    p.static_or_dynamic = StaticOrDynamic::Unknown;
    p.receiver = Receiver::Unknown;
    let amount = line(7);
    if !amount.is_empty() {
        let value = amount
            .strip_prefix("EUR")
            .ok_or_else(|| err("amount", "must start with EUR"))?;
        let eur = Currency::from_alpha("EUR").ok_or_else(|| err("amount", "EUR unknown"))?;
        let money = Money::parse_decimal(value, eur).map_err(|e| CodeError::amount("amount", e))?;
        if !(1..=99_999_999_999).contains(&money.minor) {
            return Err(err("amount", "must be between 0.01 and 999999999.99"));
        }
        p.amount = Some(money);
    }
    let purpose = line(8);
    if purpose.len() > 4 {
        return Err(err("purpose", "at most 4 characters"));
    }
    let structured = line(9);
    let unstructured = line(10);
    if structured.chars().count() > 35 {
        return Err(err("remittance_structured", "at most 35 characters"));
    }
    if unstructured.chars().count() > 140 {
        return Err(err("remittance_unstructured", "at most 140 characters"));
    }
    if !structured.is_empty() && !unstructured.is_empty() {
        return Err(err(
            "remittance",
            "structured and unstructured are exclusive",
        ));
    }
    if line(11).chars().count() > 70 {
        return Err(err("information", "at most 70 characters"));
    }
    // Lines split on LF and lose a trailing CR; any other control left inside a line is refused
    // (EPC069-12 fields are single-line text). Names and remittance text are what the payer
    // reads, so a bidi mark there is flagged (banks transliterate to the SEPA character set
    // anyway); the structured reference and codes are identifiers.
    for (k, v, rule) in [
        ("beneficiary", name, FieldRule::Printable),
        ("purpose", purpose, FieldRule::Identifier),
        ("remittance_structured", structured, FieldRule::Identifier),
        (
            "remittance_unstructured",
            unstructured,
            FieldRule::Printable,
        ),
        ("information", line(11), FieldRule::Printable),
    ] {
        p.screen(k, v, rule).map_err(|reason| err(k, &reason))?;
    }
    p.merchant_name = Some(name.to_string());
    p.note = [unstructured, line(11)]
        .into_iter()
        .find(|s| !s.is_empty())
        .map(str::to_string);
    p.currency = Currency::from_alpha("EUR");
    p.country = Some(account[..2].to_string());
    p.payload = Payload::Epc(payload::Epc {
        version: version.to_string(),
        encoding: encoding.to_string(),
        bic: bic.to_string(),
        beneficiary: name.to_string(),
        iban: account.to_string(),
        purpose: purpose.to_string(),
        remittance_structured: structured.to_string(),
        remittance_unstructured: unstructured.to_string(),
        information: line(11).to_string(),
    });
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = "BCD\n002\n1\nSCT\n\nRed Cross\nDE33100205000001194700\nEUR10\n\n\nDonation";

    #[test]
    fn accepts_version_002_without_bic() {
        let p = parse(OK).unwrap();
        assert_eq!(p.amount.unwrap().minor, 1000);
    }

    #[test]
    fn rejects_version_001_without_bic() {
        let t = OK.replace("\n002\n", "\n001\n");
        assert!(parse(&t).unwrap_err().to_string().contains("bic"));
    }

    #[test]
    fn rejects_a_zero_amount() {
        let t = OK.replace("EUR10", "EUR0");
        assert!(parse(&t).unwrap_err().to_string().contains("amount"));
    }

    #[test]
    fn rejects_a_bad_iban_check() {
        let t = OK.replace("DE33", "DE34");
        assert!(parse(&t).unwrap_err().to_string().contains("iban"));
    }

    #[test]
    fn epc_names_flag_bidi_and_refuse_controls() {
        let p = parse(&OK.replace("Red Cross", "Red \u{202e}Cross")).unwrap();
        assert_eq!(p.suspicious_text, ["beneficiary"]);
        let e = parse(&OK.replace("Red Cross", "Red \u{1b}[2JCross")).unwrap_err();
        assert!(e.to_string().contains("beneficiary"), "{e}");
        let e = parse(&OK.replace("Donation", "Dona\u{202e}tion")).unwrap();
        assert_eq!(e.suspicious_text, ["remittance_unstructured"]);
    }

    #[test]
    fn epc_currency_is_eur_without_an_amount() {
        let p = parse(&OK.replace("EUR10", "")).unwrap();
        assert_eq!(p.amount, None);
        assert_eq!(p.currency.map(|c| c.alpha), Some("EUR"));
    }

    #[test]
    fn rejects_both_remittance_kinds_at_once() {
        let t = OK.replace("\n\n\nDonation", "\n\nRF18539007547034\nDonation");
        assert!(parse(&t).unwrap_err().to_string().contains("exclusive"));
    }
}
