//! India UPI intent URIs (`upi://pay?pa=...&pn=...&am=...&cu=INR`), NPCI linking spec.

use super::text::FieldRule;
use super::{
    payload, query_pairs, CodeError, Format, Parsed, Payload, Presentation, Receiver,
    StaticOrDynamic,
};
use crate::money::{Currency, Money};

fn invalid(param: &str, reason: &str) -> CodeError {
    CodeError::InvalidParam {
        scheme: "upi".into(),
        param: param.into(),
        reason: reason.into(),
    }
}

/// Every parameter whose text is screened, with its rule (`text::FieldRule`).
const PARAM_RULES: &[(&str, FieldRule)] = &[
    ("pa", FieldRule::Identifier),
    ("pn", FieldRule::Printable),
    ("tn", FieldRule::Printable),
    ("mc", FieldRule::Identifier),
    ("tr", FieldRule::Identifier),
    ("tid", FieldRule::Identifier),
    ("url", FieldRule::Identifier),
    ("mode", FieldRule::Identifier),
    ("purpose", FieldRule::Identifier),
    ("orgid", FieldRule::Identifier),
    ("sign", FieldRule::Identifier),
    ("mam", FieldRule::Identifier),
    ("am", FieldRule::Identifier),
    ("cu", FieldRule::Identifier),
];

pub fn parse(text: &str) -> Result<Parsed, CodeError> {
    let rest = text
        .get(..9)
        .filter(|p| p.eq_ignore_ascii_case("upi://pay"))
        .map(|_| &text[9..])
        .ok_or(CodeError::Unrecognised)?;
    let query = rest.strip_prefix('/').unwrap_or(rest);
    let query = query
        .strip_prefix('?')
        .ok_or_else(|| invalid("query", "missing `?`"))?;
    let pairs = query_pairs(query, true).ok_or_else(|| invalid("query", "bad percent escape"))?;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let mut p = Parsed::new(Format::Upi, Some("upi"));
    p.presentation = Presentation::Mpm;
    p.country = Some("IN".into());
    let pa = get("pa").ok_or(CodeError::MissingParam {
        scheme: "upi".into(),
        param: "pa".into(),
    })?;
    let (user, handle) = pa
        .split_once('@')
        .ok_or_else(|| invalid("pa", "a VPA needs `@`"))?;
    if user.is_empty() || handle.is_empty() || pa.chars().any(|c| c.is_whitespace()) {
        return Err(invalid("pa", "malformed VPA"));
    }
    // The payee address and references route the money: identifiers. Name and note are
    // display text: a control there is refused (NPCI values are printable), a bidi mark flagged.
    for (k, rule) in PARAM_RULES {
        if let Some(v) = get(k) {
            p.screen(k, v, *rule)
                .map_err(|reason| invalid(k, &reason))?;
        }
    }
    let mut upi = payload::Upi {
        vpa: pa.to_string(),
        payee_name: get("pn").map(str::to_string),
        ..payload::Upi::default()
    };
    p.merchant_name = upi.payee_name.clone();
    p.note = get("tn").map(str::to_string);
    let inr = Currency::from_alpha("INR").ok_or_else(|| invalid("cu", "INR unknown"))?;
    if let Some(cu) = get("cu") {
        if !cu.eq_ignore_ascii_case("INR") {
            return Err(invalid("cu", "UPI pays in INR only"));
        }
        // The currency stands on its own: a static code without `am` still says INR.
        p.currency = Some(inr);
    }
    if let Some(am) = get("am") {
        p.amount = Some(Money::parse_decimal(am, inr).map_err(|e| CodeError::amount("am", e))?);
        p.currency = Some(inr);
    }
    // A merchant code carries a merchant category; `tr` marks a one-time transaction reference.
    p.receiver = if get("mc").is_some_and(|mc| mc != "0000") {
        Receiver::Merchant
    } else {
        Receiver::Unknown
    };
    p.static_or_dynamic = if get("tr").is_some() {
        StaticOrDynamic::Dynamic
    } else {
        StaticOrDynamic::Static
    };
    for k in payload::Upi::KEPT {
        if let Some(v) = get(k) {
            upi.keep(k, v);
        }
    }
    p.payload = Payload::Upi(upi);
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_percent_and_plus_encoding() {
        let p = parse("upi://pay?pa=bhar4t%40upi&pn=Bharat+Sahu").unwrap();
        let Payload::Upi(upi) = &p.payload else {
            panic!("not UPI: {:?}", p.payload)
        };
        assert_eq!(upi.vpa, "bhar4t@upi");
        assert_eq!(p.merchant_name.as_deref(), Some("Bharat Sahu"));
    }

    #[test]
    fn rejects_a_missing_payee_address() {
        assert_eq!(parse("upi://pay?pn=X").unwrap_err().code(), "missing_param");
    }

    #[test]
    fn rejects_a_vpa_without_at() {
        assert_eq!(
            parse("upi://pay?pa=abc").unwrap_err().code(),
            "invalid_param"
        );
    }

    #[test]
    fn rejects_non_inr_currency() {
        assert_eq!(
            parse("upi://pay?pa=a@b&cu=USD").unwrap_err().code(),
            "invalid_param"
        );
    }
}
