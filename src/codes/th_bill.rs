//! Thailand: the Bank of Thailand bill-payment barcode and the bank-slip verification mini-QR.

use super::emv_mpm::{self, Field};
use super::{crc, payload, tlv, CodeError, Format, Parsed, Payload, Presentation, StaticOrDynamic};
use crate::money::{Currency, Money};

const BOT: &str = "BOT bill barcode";
const PROMPTPAY_BILLER_GUID: &str = "A000000677010112";

/// `|` + biller id (15) + CR ref1 + CR ref2 + CR amount in satang.
pub fn parse_bot_barcode(text: &str) -> Result<Parsed, CodeError> {
    let body = text.strip_prefix('|').ok_or(CodeError::Unrecognised)?;
    let parts: Vec<&str> = body.split('\r').collect();
    if parts.len() != 4 {
        return Err(CodeError::field(
            BOT,
            "amount",
            "data loss (missing amount field)",
        ));
    }
    let (biller, ref1, ref2, satang) = (parts[0], parts[1], parts[2], parts[3]);
    if biller.len() != 15 || !biller.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CodeError::field(BOT, "biller_id", "must be 15 digits"));
    }
    if ref1.is_empty() || ref1.len() > 20 || ref2.len() > 20 {
        return Err(CodeError::field(
            BOT,
            "ref1",
            "ref1 is 1-20 and ref2 0-20 characters",
        ));
    }
    if satang.is_empty() || satang.len() > 12 || !satang.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CodeError::field(
            BOT,
            "amount",
            "amount must be digits (satang)",
        ));
    }
    // References are matched by the biller byte for byte: anything hidden in them is refused.
    for (field, value) in [("ref1", ref1), ("ref2", ref2)] {
        super::text::check(value, super::text::FieldRule::Identifier)
            .map_err(|refused| CodeError::field(BOT, field, refused.0))?;
    }
    let minor: i64 = satang
        .parse()
        .map_err(|_| CodeError::field(BOT, "amount", "too large"))?;
    let thb = Currency::from_alpha("THB")
        .ok_or_else(|| CodeError::field(BOT, "amount", "THB unknown"))?;
    let mut p = Parsed::new(Format::ThBotBarcode, Some("th_bot_barcode"));
    p.presentation = Presentation::Mpm;
    p.country = Some("TH".into());
    p.static_or_dynamic = if minor > 0 {
        StaticOrDynamic::Dynamic
    } else {
        StaticOrDynamic::Static
    };
    let money = (minor > 0).then(|| Money::new(minor, thb));
    p.amount = money;
    p.payload = Payload::ThBotBarcode(payload::ThBotBarcode {
        biller_id: biller.to_string(),
        ref1: ref1.to_string(),
        ref2: ref2.to_string(),
        as_qr_tag30: to_promptpay_bill_qr(biller, ref1, ref2, money).ok(),
    });
    Ok(p)
}

/// The same bill as a PromptPay bill-payment QR (tag 30), which Thai wallets scan.
pub fn to_promptpay_bill_qr(
    biller: &str,
    ref1: &str,
    ref2: &str,
    amount: Option<Money>,
) -> Result<String, emv_mpm::EncodeError> {
    let mut acct = vec![
        (0, PROMPTPAY_BILLER_GUID.to_string()),
        (1, biller.to_string()),
        (2, ref1.to_string()),
    ];
    if !ref2.is_empty() {
        acct.push((3, ref2.to_string()));
    }
    let poi = if amount.is_some() { "12" } else { "11" };
    let mut fields = vec![
        (1, Field::Text(poi.into())),
        (30, Field::Template(acct)),
        (53, Field::Text("764".into())),
    ];
    if let Some(m) = amount {
        fields.push((54, Field::Text(m.to_decimal_string())));
    }
    fields.push((58, Field::Text("TH".into())));
    emv_mpm::encode(&fields)
}

/// Slip-verification mini-QR: tag 00 is a template (API id `000001`), country in 51, CRC in 91.
/// Not a payment code; recognised so a wallet can say so instead of "unknown".
pub fn parse_slip_verify(text: &str) -> Result<Parsed, CodeError> {
    let (objects, err) = tlv::read(text, "");
    if let Some(e) = err {
        return Err(e);
    }
    tlv::check_duplicates(&objects, "")?;
    let head = objects
        .first()
        .filter(|o| o.tag == 0 && o.value.len() > 2)
        .ok_or(CodeError::Unrecognised)?;
    let inner = tlv::read_template(head.value, "00")?;
    let sub = |t: u8| inner.iter().find(|o| o.tag == t).map(|o| o.value);
    if sub(0) != Some(payload::ThSlipVerify::API_ID) {
        return Err(CodeError::Unrecognised);
    }
    let crc_obj = objects
        .last()
        .filter(|o| o.tag == 91 && o.value.len() == 4)
        .ok_or(CodeError::EmvMissingCrc)?;
    let mut p = Parsed::new(Format::ThSlipVerify, Some("th_slip_verify"));
    p.presentation = Presentation::Other;
    p.country = objects
        .iter()
        .find(|o| o.tag == 51)
        .map(|o| o.value.to_string());
    p.payload = Payload::ThSlipVerify(payload::ThSlipVerify {
        sending_bank: sub(1).unwrap_or("").to_string(),
        trans_ref: sub(2).unwrap_or("").to_string(),
    });
    let computed = crc::crc16_hex(&text.as_bytes()[..crc_obj.offset + 4]);
    if !computed.eq_ignore_ascii_case(crc_obj.value) {
        p.error = Some(CodeError::EmvCrcMismatch {
            found: crc_obj.value.to_string(),
            computed,
        });
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_a_bot_barcode_to_a_promptpay_bill_qr() {
        let p = parse_bot_barcode("|099999999999990\r111222333444\r\r0").unwrap();
        let Payload::ThBotBarcode(bill) = &p.payload else {
            panic!("not a BOT barcode: {:?}", p.payload)
        };
        assert_eq!(
            bill.as_qr_tag30.as_deref(),
            Some("00020101021130550016A0000006770101120115099999999999990021211122233344453037645802TH63043EE7")
        );
    }

    #[test]
    fn rejects_a_barcode_without_amount_field() {
        let e = parse_bot_barcode("|099400016550100\r123456789012\r670429").unwrap_err();
        assert!(e.to_string().contains("data loss"));
    }

    #[test]
    fn verifies_the_slip_crc_in_tag_91() {
        let p = parse_slip_verify("004000060000010103002021900021231231212000115102TH91049C30")
            .unwrap();
        assert!(p.error.is_none());
        let p = parse_slip_verify("004000060000010103002021900021231231212000115102TH91049C31")
            .unwrap();
        assert!(p.error.is_some());
    }
}
