//! Swiss QR-bill (`SPC`, version 02xx): layout, amount, IBAN, QRR/SCOR reference check digits.

use super::text::FieldRule;
use super::{
    iban, payload, CodeError, Format, Parsed, Payload, Presentation, Receiver, StaticOrDynamic,
};
use crate::money::{Currency, Money};

const FORMAT: &str = "Swiss QR-bill";

fn err(field: &str, reason: &str) -> CodeError {
    CodeError::field(FORMAT, field, reason)
}

pub fn looks_like_swiss(text: &str) -> bool {
    text.starts_with("SPC\n") || text.starts_with("SPC\r\n")
}

/// QR reference: 27 digits, last one a mod-10 recursive check digit.
pub fn qrr_is_valid(r: &str) -> bool {
    const T: [u8; 10] = [0, 9, 4, 6, 8, 2, 7, 1, 3, 5];
    r.len() == 27
        && r.bytes().all(|b| b.is_ascii_digit())
        && r.bytes()
            .fold(0u8, |carry, b| T[usize::from((carry + (b - b'0')) % 10)])
            == 0
}

/// Creditor reference (ISO 11649): `RF` + 2 check digits + up to 21 characters, mod 97 = 1.
pub fn scor_is_valid(r: &str) -> bool {
    let b = r.as_bytes();
    (5..=25).contains(&b.len())
        && b[..2].eq_ignore_ascii_case(b"RF")
        && b[2..4].iter().all(u8::is_ascii_digit)
        && iban::mod97(b[4..].iter().chain(&b[..4]).copied()) == Some(1)
}

/// Names of lines 4 onwards (creditor to alternative schemes), for error messages and flags.
const LINE_FIELDS: [&str; 30] = [
    "creditor_address_type",
    "creditor_name",
    "creditor_street_or_line1",
    "creditor_house_or_line2",
    "creditor_postal_code",
    "creditor_town",
    "creditor_country",
    "ultimate_creditor_address_type",
    "ultimate_creditor_name",
    "ultimate_creditor_street_or_line1",
    "ultimate_creditor_house_or_line2",
    "ultimate_creditor_postal_code",
    "ultimate_creditor_town",
    "ultimate_creditor_country",
    "amount",
    "currency",
    "debtor_address_type",
    "debtor_name",
    "debtor_street_or_line1",
    "debtor_house_or_line2",
    "debtor_postal_code",
    "debtor_town",
    "debtor_country",
    "reference_type",
    "reference",
    "unstructured_message",
    "trailer",
    "bill_information",
    "alternative_scheme_1",
    "alternative_scheme_2",
];

pub fn parse(text: &str) -> Result<Parsed, CodeError> {
    if !looks_like_swiss(text) {
        return Err(CodeError::Unrecognised);
    }
    let lines: Vec<&str> = text.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    let line = |i: usize| lines.get(i).copied().unwrap_or("");
    let version = line(1);
    if version.len() != 4
        || !version.starts_with("02")
        || !version.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(err("version", "version_unsupported (must be 02xx)"));
    }
    if lines.len() < 30 {
        return Err(err("qrText", "data_structure_invalid (too few lines)"));
    }
    if lines.get(30).copied() != Some("EPD") {
        return Err(err(
            "trailer",
            "data_structure_invalid (missing EPD trailer)",
        ));
    }
    if lines.len() > 34 {
        return Err(err("qrText", "data_structure_invalid (too many lines)"));
    }
    if line(2) != "1" {
        return Err(err("coding", "coding type must be 1"));
    }
    let account = line(3);
    if !iban::is_valid(account) || !(account.starts_with("CH") || account.starts_with("LI")) {
        return Err(err("account", "must be a valid CH or LI IBAN"));
    }
    let currency = line(19);
    let cur = match currency {
        "CHF" | "EUR" => Currency::from_alpha(currency),
        _ => None,
    }
    .ok_or_else(|| err("currency", "must be CHF or EUR"))?;
    let mut p = Parsed::new(Format::SwissQrBill, Some("swiss_qr_bill"));
    // Lines lose their CR/LF; a control still inside a line is refused (every field is one
    // line of text). Names, addresses and messages are what the payer reads: a bidi mark there
    // is flagged (it is outside the Latin set the implementation guidelines allow, but the
    // bank transliterates, and the payment itself is unaffected). The reference and the
    // alternative-scheme parameters are read by machines: identifiers.
    for (i, field) in LINE_FIELDS.iter().enumerate() {
        let rule = match *field {
            "reference" | "alternative_scheme_1" | "alternative_scheme_2" => FieldRule::Identifier,
            _ => FieldRule::Printable,
        };
        p.screen(field, line(i + 4), rule)
            .map_err(|reason| err(field, &reason))?;
    }
    p.currency = Some(cur);
    p.presentation = Presentation::Mpm;
    p.receiver = Receiver::Merchant;
    p.static_or_dynamic = StaticOrDynamic::Unknown;
    let amount = line(18);
    if !amount.is_empty() {
        let money =
            Money::parse_decimal(amount, cur).map_err(|_| err("amount", "number_invalid"))?;
        if money.minor > 99_999_999_999 {
            return Err(err("amount", "number_invalid (above 999999999.99)"));
        }
        p.amount = Some(money);
    }
    let ref_type = line(27);
    let reference = line(28);
    p.payload = Payload::SwissQrBill(payload::SwissQrBill {
        account: account.to_string(),
        creditor_name: line(5).to_string(),
        currency: currency.to_string(),
        debtor_name: Some(line(21).to_string()).filter(|s| !s.is_empty()),
        reference_type: ref_type.to_string(),
        reference: reference.to_string(),
        unstructured_message: line(29).to_string(),
    });
    p.note = Some(line(29).to_string()).filter(|s| !s.is_empty());
    p.merchant_name = Some(line(5).to_string());
    p.merchant_city = Some(line(9).to_string()).filter(|s| !s.is_empty());
    p.country = Some(line(10).to_string()).filter(|s| !s.is_empty());
    // The IID 30000-31999 marks a QR-IBAN, which only takes QR references.
    let qr_iban = account
        .get(4..9)
        .and_then(|iid| iid.parse::<u32>().ok())
        .is_some_and(|iid| (30000..=31999).contains(&iid));
    p.error = match ref_type {
        "QRR" if !qrr_is_valid(reference) => {
            Some(err("reference", "QR reference check digit is wrong"))
        }
        "SCOR" if !scor_is_valid(reference) => Some(err(
            "reference",
            "creditor reference (RF) check digits are wrong",
        )),
        "NON" if !reference.is_empty() => Some(err("reference", "must be empty for NON")),
        "QRR" | "SCOR" | "NON" if qr_iban != (ref_type == "QRR") => Some(err(
            "reference_type",
            "QR-IBAN requires QRR and QRR requires a QR-IBAN",
        )),
        "QRR" | "SCOR" | "NON" => None,
        _ => Some(err("reference_type", "must be QRR, SCOR or NON")),
    };
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_valid_qr_reference() {
        assert!(qrr_is_valid("210000000003139471430009017"));
        assert!(!qrr_is_valid("210000000003139471430009018"));
    }

    #[test]
    fn accepts_a_valid_creditor_reference() {
        assert!(scor_is_valid("RF18539007547034"));
        assert!(!scor_is_valid("RF19539007547034"));
    }

    const SAMPLE: &str = "SPC\n0200\n1\nCH5800791123000889012\nS\nRobert Schneider AG\nRue du Lac\n1268\n2501\nBiel\nCH\n\n\n\n\n\n\n\n\nCHF\nS\nPia Rutschmann\nMarktgasse\n28\n9400\nRorschach\nCH\nNON\n\nBill no. 3139\nEPD";

    #[test]
    fn swiss_names_flag_bidi_and_refuse_controls() {
        let p = parse(SAMPLE).unwrap();
        assert!(p.suspicious_text.is_empty());
        assert_eq!(p.currency.map(|c| c.alpha), Some("CHF"));
        assert_eq!(p.amount, None);
        assert_eq!(p.note.as_deref(), Some("Bill no. 3139"));
        let p = parse(&SAMPLE.replace("Pia Rutschmann", "Pia \u{2067}Rutschmann")).unwrap();
        assert_eq!(p.suspicious_text, ["debtor_name"]);
        let e = parse(&SAMPLE.replace("Robert", "Rob\u{1b}]0;pwned\u{7}ert")).unwrap_err();
        assert!(e.to_string().contains("creditor_name"), "{e}");
    }

    #[test]
    fn rejects_unsupported_versions() {
        let e = parse("SPC\n0100\n1").unwrap_err();
        assert!(e.to_string().contains("version"));
    }
}
