//! Merchant codes to show on the QA screen, from the table in `merchant_templates.json`.
//!
//! Every code is built with the SDK's own encoders (EMVCo MPM with its CRC), drawn with
//! `hutong_core::render` and identified with `hutong_core::registry`, so what QA scans is what the SDK
//! would produce and accept. Names and cities are the caller's, unchanged: payloads are
//! attacker-controlled in real life and the page must show them as data.

use super::error::ApiError;
use super::rng::Rng;
use hutong_core::codes::emv_mpm::{self, Field};
use hutong_core::money::{Currency, Money};
use hutong_core::render::Symbology;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

const TABLE: &str = include_str!("merchant_templates.json");

/// The longest merchant name or city accepted: the EMVCo data-object limit, far above what
/// any wallet shows, small enough that a payload always fits a QR code.
pub const MAX_TEXT: usize = 99;

#[derive(Debug, Clone, Deserialize)]
struct Table {
    templates: Vec<Template>,
}

/// One kind of merchant code.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Template {
    pub id: String,
    pub network: String,
    pub label: String,
    pub shape: Shape,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub mcc: Option<String>,
}

/// How the payload is written.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// A fixed URL pattern: no amount and no name in the payload.
    Url(String),
    /// EMVCo MPM with one merchant-account data object (a primitive value or sub-fields).
    Emv {
        tag: u8,
        #[serde(default)]
        value: Option<String>,
        #[serde(default)]
        subs: Vec<(u8, String)>,
    },
    Upi {
        vpa: String,
    },
    Bip21 {
        address: String,
    },
    Epc {
        iban: String,
    },
}

impl Template {
    /// Which optional inputs this template puts into its payload (the page shows only these).
    pub fn fields(&self) -> Vec<&'static str> {
        match self.shape {
            Shape::Url(_) => vec![],
            Shape::Emv { .. } => vec!["dynamic", "amount", "merchant_name", "merchant_city"],
            Shape::Upi { .. } | Shape::Epc { .. } => vec!["amount", "merchant_name"],
            Shape::Bip21 { .. } => vec!["amount"],
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "network": self.network,
            "label": self.label,
            "currency": self.currency,
            "fields": self.fields(),
        })
    }
}

pub fn templates() -> &'static [Template] {
    static T: OnceLock<Vec<Template>> = OnceLock::new();
    T.get_or_init(|| {
        // Checked by `every_template_identifies_as_its_network`.
        serde_json::from_str::<Table>(TABLE)
            .map(|t| t.templates)
            .unwrap_or_default()
    })
}

/// What the page asks for.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MerchantRequest {
    pub template: String,
    /// EMVCo: point of initiation 12 (one payment) instead of 11 (reusable). Needs an amount.
    #[serde(default)]
    pub dynamic: bool,
    /// Decimal in the template's currency ("25.00").
    #[serde(default)]
    pub amount: Option<String>,
    #[serde(default)]
    pub merchant_name: Option<String>,
    #[serde(default)]
    pub merchant_city: Option<String>,
    /// Reproduce the random parts (tests, screenshots).
    #[serde(default)]
    pub seed: Option<u64>,
}

/// A built merchant code before drawing.
#[derive(Debug, Clone)]
pub struct Built {
    pub template: &'static Template,
    pub payload: String,
    pub symbology: Symbology,
}

fn fill(pattern: &str, rng: &mut Rng) -> Result<String, ApiError> {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..]
            .find('}')
            .map(|c| open + c)
            .ok_or_else(|| bad_template(pattern))?;
        let (kind, n) = rest[open + 1..close]
            .split_once(':')
            .ok_or_else(|| bad_template(pattern))?;
        let n: usize = n.parse().map_err(|_| bad_template(pattern))?;
        out.push_str(&match kind {
            "digits" => rng.digits(n),
            "token" => rng.pick_from(
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
                n,
            ),
            "lower" => rng.pick_from(b"abcdefghijklmnopqrstuvwxyz0123456789", n),
            _ => return Err(bad_template(pattern)),
        });
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn bad_template(pattern: &str) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        "bad_template",
        format!("merchant template pattern `{pattern}` is malformed"),
    )
}

/// Percent-encodes everything but RFC 3986 unreserved characters (UPI parameters).
fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn text_input(value: Option<&str>, what: &str) -> Result<Option<String>, ApiError> {
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if v.chars().count() > MAX_TEXT {
        return Err(ApiError::unprocessable(
            "too_long",
            format!("{what} is longer than {MAX_TEXT} characters"),
        ));
    }
    if v.chars().any(char::is_control) {
        return Err(ApiError::unprocessable(
            "control_character",
            format!("{what} contains a control character"),
        ));
    }
    Ok(Some(v.to_string()))
}

/// Builds the payload for a request (not yet drawn).
pub fn build(req: &MerchantRequest) -> Result<Built, ApiError> {
    let template = templates()
        .iter()
        .find(|t| t.id == req.template)
        .ok_or_else(|| {
            ApiError::unprocessable(
                "unknown_template",
                format!("no merchant template `{}`", req.template),
            )
        })?;
    let fields = template.fields();
    let amount_text = req
        .amount
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty());
    let name = text_input(req.merchant_name.as_deref(), "merchant_name")?;
    let city = text_input(req.merchant_city.as_deref(), "merchant_city")?;
    for (given, field) in [
        (amount_text.is_some(), "amount"),
        (name.is_some(), "merchant_name"),
        (city.is_some(), "merchant_city"),
        (req.dynamic, "dynamic"),
    ] {
        if given && !fields.contains(&field) {
            return Err(ApiError::unprocessable(
                "field_not_supported",
                format!("a `{}` code carries no {field}", template.id),
            ));
        }
    }
    let amount = match amount_text {
        None => None,
        Some(text) => {
            let code = template.currency.as_deref().unwrap_or("CNY");
            let currency = Currency::from_alpha(code).ok_or_else(|| {
                ApiError::unprocessable("bad_currency", format!("unknown currency {code}"))
            })?;
            let money = Money::parse_decimal(text, currency).map_err(|e| {
                ApiError::unprocessable("bad_amount", format!("amount `{text}`: {e}"))
            })?;
            if money.minor <= 0 {
                return Err(ApiError::unprocessable(
                    "bad_amount",
                    "amount must be above zero",
                ));
            }
            Some(money)
        }
    };
    if req.dynamic && amount.is_none() {
        return Err(ApiError::unprocessable(
            "amount_required",
            "a dynamic code is for one payment and carries its amount",
        ));
    }
    let mut rng = Rng::new(req.seed);
    let payload = match &template.shape {
        Shape::Url(pattern) => fill(pattern, &mut rng)?,
        Shape::Emv { tag, value, subs } => {
            let account = match value {
                Some(v) => Field::Text(fill(v, &mut rng)?),
                None => Field::Template(
                    subs.iter()
                        .map(|(t, v)| Ok((*t, fill(v, &mut rng)?)))
                        .collect::<Result<_, ApiError>>()?,
                ),
            };
            let currency = Currency::from_alpha(template.currency.as_deref().unwrap_or("CNY"))
                .ok_or_else(|| bad_template(&template.id))?;
            let mut f = vec![
                (1, Field::Text(if req.dynamic { "12" } else { "11" }.into())),
                (*tag, account),
                (
                    52,
                    Field::Text(template.mcc.clone().unwrap_or_else(|| "5812".into())),
                ),
                (53, Field::Text(format!("{:03}", currency.numeric))),
            ];
            if let Some(m) = amount {
                f.push((54, Field::Text(m.to_decimal_string())));
            }
            f.push((
                58,
                Field::Text(template.country.clone().unwrap_or_default()),
            ));
            f.push((
                59,
                Field::Text(name.unwrap_or_else(|| "QA TEST SHOP".into())),
            ));
            f.push((
                60,
                Field::Text(city.or_else(|| template.city.clone()).unwrap_or_default()),
            ));
            emv_mpm::encode(&f)
                .map_err(|e| ApiError::unprocessable("unencodable", e.to_string()))?
        }
        Shape::Upi { vpa } => {
            let mut p = format!(
                "upi://pay?pa={}&pn={}",
                fill(vpa, &mut rng)?,
                percent_encode(name.as_deref().unwrap_or("QA Test Shop"))
            );
            if let Some(m) = amount {
                p.push_str(&format!(
                    "&am={}&cu={}",
                    m.to_decimal_string(),
                    m.currency.alpha
                ));
            }
            p
        }
        Shape::Bip21 { address } => match amount {
            Some(m) => format!("bitcoin:{address}?amount={}", m.to_decimal_string()),
            None => format!("bitcoin:{address}"),
        },
        Shape::Epc { iban } => format!(
            "BCD\n002\n1\nSCT\n\n{}\n{iban}\n{}\n\n\nQA test payment",
            name.as_deref().unwrap_or("QA Test Shop"),
            amount
                .map(|m| format!("{}{}", m.currency.alpha, m.to_decimal_string()))
                .unwrap_or_default()
        ),
    };
    Ok(Built {
        template,
        payload,
        symbology: Symbology::Qr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hutong_core::identify::identify;

    fn req(template: &str) -> MerchantRequest {
        MerchantRequest {
            template: template.into(),
            seed: Some(3),
            ..MerchantRequest::default()
        }
    }

    #[test]
    fn every_template_identifies_as_its_network() {
        assert!(templates().len() >= 15, "table failed to load");
        for t in templates() {
            let mut r = req(&t.id);
            if t.fields().contains(&"amount") {
                r.amount = Some("12".into());
            }
            let built = build(&r).unwrap();
            let code = identify(&built.payload);
            assert!(code.valid, "{}: {}: {:?}", t.id, built.payload, code.error);
            assert_eq!(
                code.network.as_deref(),
                Some(t.network.as_str()),
                "{}",
                t.id
            );
        }
    }

    #[test]
    fn a_dynamic_emv_code_carries_its_amount_and_point_of_initiation() {
        let mut r = req("emvco_mpm");
        r.dynamic = true;
        r.amount = Some("23.72".into());
        let built = build(&r).unwrap();
        let code = identify(&built.payload);
        assert_eq!(code.amount.map(|m| m.minor), Some(2372));
        assert_eq!(code.static_or_dynamic.as_str(), "dynamic");
    }

    #[test]
    fn a_dynamic_code_without_amount_and_fields_a_shape_cannot_carry_are_refused() {
        let mut r = req("pix");
        r.dynamic = true;
        assert_eq!(build(&r).unwrap_err().code, "amount_required");
        let mut r = req("wechat_personal");
        r.amount = Some("1".into());
        assert_eq!(build(&r).unwrap_err().code, "field_not_supported");
        let mut r = req("pix");
        r.amount = Some("1.234".into());
        assert_eq!(build(&r).unwrap_err().code, "bad_amount");
        let mut r = req("pix");
        r.merchant_name = Some("x".repeat(MAX_TEXT + 1));
        assert_eq!(build(&r).unwrap_err().code, "too_long");
        assert_eq!(build(&req("nope")).unwrap_err().code, "unknown_template");
    }

    #[test]
    fn upi_names_are_percent_encoded() {
        let mut r = req("upi");
        r.merchant_name = Some("A&B <x>".into());
        let p = build(&r).unwrap().payload;
        assert!(p.contains("pn=A%26B%20%3Cx%3E"), "{p}");
        assert_eq!(identify(&p).merchant_name.as_deref(), Some("A&B <x>"));
    }
}
