//! Which network issued a code: networks, prefixes, hosts and GUIDs as data, extensible at runtime.
//!
//! [`Registry::classify`] dispatches on the payload's shape to one parser in `codes` and names the
//! network from the table in `networks.json`; `crate::identify` then asks `risk` for flags. An app adds or
//! replaces rows (a new bank GUID, a new pay-code prefix) with [`Registry::with_overlay`].

mod aggregator;
pub mod data;
mod emv;
mod flags;

use crate::codes::payload::{NumericPayCode, WalletLink, WebLink};
use crate::codes::{
    self, bip21, bolt11, emv_cpm, epc, swiss_qr, th_bill, upi, CodeError, Format, Parsed, Payload,
    Presentation, Receiver, StaticOrDynamic,
};
use crate::money::{Currency, Money};
pub use data::Confidence;
use data::RegistryData;
pub use flags::{RiskFlag, UrlFacts};
use std::collections::BTreeMap;
use std::sync::OnceLock;

pub(crate) const BUILTIN: &str = include_str!("networks.json");

/// What the caller expects to see, so risk can flag a mismatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Expect {
    #[default]
    Any,
    /// The payer is about to pay: a payer-presented code here is a red flag.
    MerchantCode,
    /// The merchant is scanning the payer's code.
    PayerCode,
}

/// Per-call context.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub expect: Expect,
    /// Validate against a named network's profile even if the GUID does not name it (JPQR
    /// acceptance checks country JP and currency 392 on any MPM payload).
    pub profile: Option<String>,
    /// Unix seconds for expiry checks; `None` reads the system clock.
    pub now_unix: Option<u64>,
}

/// One identified code: what the app shows before a pay screen.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentCode {
    /// Network id as in the vectors (`wechat_pay`, `pix`, `emvco_mpm`...); `None` if unknown.
    pub network: Option<String>,
    pub network_name: Option<String>,
    pub format: Option<Format>,
    pub kind: Option<String>,
    pub presentation: Presentation,
    pub static_or_dynamic: StaticOrDynamic,
    pub receiver: Receiver,
    pub amount: Option<Money>,
    /// The code's currency, kept when it carries no amount (EMV tag 53, UPI `cu`, Swiss QR).
    pub currency: Option<Currency>,
    /// Who is paid. Never a free-text note: see `note`.
    pub merchant_name: Option<String>,
    pub merchant_city: Option<String>,
    /// What the payment is for, as the payer should read it (BIP21 `message`, UPI `tn`...).
    pub note: Option<String>,
    pub country: Option<String>,
    pub mcc: Option<String>,
    pub confidence: Confidence,
    /// The code can be acted on: a merchant-presented code can be paid, a payer's code
    /// collected. False for anything broken (`error` says what) and for payloads that are read
    /// fine but are not payment codes: web links, `javascript:`/`data:`/`file:`/`intent:` and
    /// other app links, a Thai slip-verification code (`error_code` `not_a_payment_code`).
    /// Risk flags never change it; they say what to warn about on a valid code.
    pub valid: bool,
    pub error: Option<CodeError>,
    pub risk: Vec<RiskFlag>,
    /// Tolerated departures from the format that real issuers ship, by name
    /// (`tag_52_missing`, `tag_81_not_a_template`, `point_of_initiation_10`).
    pub deviations: Vec<String>,
    /// Display-text fields carrying bidi or control characters (the `text_spoofing` flag).
    pub suspicious_text: Vec<String>,
    pub expires_at: Option<u64>,
    /// What the payload says, typed by its kind (EMV tags and templates, UPI parameters...).
    pub payload: Payload,
}

impl PaymentCode {
    fn unknown(error: CodeError) -> PaymentCode {
        PaymentCode {
            network: None,
            network_name: None,
            format: None,
            kind: None,
            presentation: Presentation::Other,
            static_or_dynamic: StaticOrDynamic::Unknown,
            receiver: Receiver::Unknown,
            amount: None,
            currency: None,
            merchant_name: None,
            merchant_city: None,
            note: None,
            country: None,
            mcc: None,
            confidence: Confidence::High,
            valid: false,
            error: Some(error),
            risk: Vec::new(),
            deviations: Vec::new(),
            suspicious_text: Vec::new(),
            expires_at: None,
            payload: Payload::None,
        }
    }

    /// The payload's fields as a flat view (`pix_key`, `mai.26.guid`, `vpa`, `description`...):
    /// the `details` of the JSON output and the FFI record. Rules read [`Self::payload`].
    pub fn details(&self) -> BTreeMap<String, String> {
        self.payload.details()
    }

    /// The amount as a decimal string with the currency's exponent ("23.72").
    pub fn amount_decimal(&self) -> Option<String> {
        self.amount.map(|m| m.to_decimal_string())
    }

    /// The JSON object the QA tool prints (`hutong-qa identify --json`, `scan --identify`).
    /// Print it with [`crate::codes::text::to_safe_json`] so that no bidi or control
    /// character from a payload reaches a terminal raw.
    pub fn to_json(&self) -> serde_json::Value {
        let currency = self.currency.or(self.amount.map(|m| m.currency));
        serde_json::json!({
            "network": self.network,
            "network_name": self.network_name,
            "format": self.format.map(Format::as_str),
            "kind": self.kind,
            "presentation": self.presentation.as_str(),
            "static_or_dynamic": self.static_or_dynamic.as_str(),
            "receiver": self.receiver.as_str(),
            "valid": self.valid,
            "amount": self.amount_decimal(),
            "amount_minor": self.amount.map(|m| m.minor),
            "currency": currency.map(|c| {
                if c.numeric == 0 { c.alpha.to_string() } else { format!("{:03}", c.numeric) }
            }),
            "currency_alpha": currency.map(|c| c.alpha),
            "merchant_name": self.merchant_name,
            "merchant_city": self.merchant_city,
            "note": self.note,
            "country": self.country,
            "mcc": self.mcc,
            "confidence": self.confidence.as_str(),
            "risk": self.risk.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
            "deviations": self.deviations,
            "suspicious_text_fields": self.suspicious_text,
            "expires_at": self.expires_at,
            "error": self.error.as_ref().map(|e| e.to_string()),
            "error_code": self.error.as_ref().map(CodeError::code),
            "details": self.details(),
        })
    }
}

/// Why a registry table or overlay was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    #[error("registry table is not valid JSON for the schema: {0}")]
    Schema(String),
    #[error("row `{row}` names network `{network}`, which no `networks` row defines")]
    UnknownNetwork { row: String, network: String },
}

/// The network table, loaded once and then read-only.
#[derive(Debug, Clone)]
pub struct Registry {
    pub(crate) data: RegistryData,
    /// Derived from `urls` once, read on every web link.
    allowlist: Vec<String>,
}

static BUILTIN_REGISTRY: OnceLock<Registry> = OnceLock::new();

impl Registry {
    /// The table compiled into the SDK (`src/registry/networks.json`).
    pub fn builtin() -> &'static Registry {
        BUILTIN_REGISTRY.get_or_init(|| {
            // The embedded table is checked by `builtin_table_loads_and_is_consistent`.
            Registry::from_json(BUILTIN).unwrap_or_else(|_| Registry::new(RegistryData::default()))
        })
    }

    pub fn from_json(json: &str) -> Result<Registry, RegistryError> {
        let data: RegistryData =
            serde_json::from_str(json).map_err(|e| RegistryError::Schema(e.to_string()))?;
        let reg = Registry::new(data);
        reg.check()?;
        Ok(reg)
    }

    fn new(data: RegistryData) -> Registry {
        let mut allowlist: Vec<String> = data
            .urls
            .iter()
            .filter(|r| r.schemes.iter().any(|s| s == "https" || s == "http"))
            .filter_map(|r| r.prefix.split('/').next().map(str::to_ascii_lowercase))
            .filter(|h| !h.is_empty())
            .collect();
        allowlist.sort();
        allowlist.dedup();
        Registry { data, allowlist }
    }

    /// A copy of this registry with the overlay's rows merged in (same id replaces, new wins).
    pub fn with_overlay(&self, json: &str) -> Result<Registry, RegistryError> {
        let overlay: RegistryData =
            serde_json::from_str(json).map_err(|e| RegistryError::Schema(e.to_string()))?;
        let mut data = self.data.clone();
        data.apply(overlay);
        let reg = Registry::new(data);
        reg.check()?;
        Ok(reg)
    }

    fn check(&self) -> Result<(), RegistryError> {
        let known = |n: &str| self.data.networks.iter().any(|r| r.id == n);
        let rows = self
            .data
            .emv_ids
            .iter()
            .map(|r| (&r.id, &r.network))
            .chain(self.data.numeric.iter().map(|r| (&r.id, &r.network)))
            .chain(self.data.urls.iter().map(|r| (&r.id, &r.network)))
            .chain(
                self.data
                    .emv_reserved_tags
                    .iter()
                    .map(|r| (&r.tag, &r.network)),
            );
        for (row, network) in rows {
            if !known(network) {
                return Err(RegistryError::UnknownNetwork {
                    row: row.clone(),
                    network: network.clone(),
                });
            }
        }
        aggregator::check(&self.data, known)?;
        for n in &self.data.networks {
            let decodings = n.emv.iter().flat_map(|e| e.decode.values());
            if let Some(kind) = decodings
                .into_iter()
                .find(|k| !emv::DECODINGS.contains(&k.as_str()))
            {
                return Err(RegistryError::Schema(format!(
                    "network `{}`: unknown decoding `{kind}` (known: {})",
                    n.id,
                    emv::DECODINGS.join(", ")
                )));
            }
        }
        Ok(())
    }

    pub fn network(&self, id: &str) -> Option<&data::NetworkRow> {
        self.data.networks.iter().find(|n| n.id == id)
    }

    /// Every network id in the table.
    pub fn network_ids(&self) -> impl Iterator<Item = &str> {
        self.data.networks.iter().map(|n| n.id.as_str())
    }

    /// Hosts of wallet URL rows: the only web hosts a code may point at without a flag.
    pub fn allowlisted_hosts(&self) -> &[String] {
        &self.allowlist
    }

    pub fn brand_labels(&self) -> &[String] {
        &self.data.brand_labels
    }

    pub fn static_caps(&self) -> &[data::StaticCapRow] {
        &self.data.static_caps
    }

    /// The payer pay-code rows (numeric prefixes and lengths per network).
    pub fn pay_code_rows(&self) -> &[data::NumericRow] {
        &self.data.numeric
    }

    /// What a decoded text payload is and who issued it, with the facts about its link (if it is
    /// one) that risk judges. No risk flags yet: `crate::identify` composes the two.
    pub fn classify(&self, text: &str, ctx: &Context) -> (PaymentCode, Option<UrlFacts>) {
        let trimmed = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        let (mut code, url) = self.dispatch(trimmed, ctx);
        if let Some(row) = code.network.as_deref().and_then(|n| self.network(n)) {
            code.network_name = Some(row.name.clone());
            if code.country.is_none() && code.format != Some(Format::EmvMpm) {
                code.country = row.country.clone();
            }
            if let (None, Some(why)) = (&code.error, &row.not_payable) {
                code.error = Some(CodeError::NotAPaymentCode(why.clone()));
            }
        }
        if code.format.is_none()
            && trimmed
                .chars()
                .any(|c| codes::text::is_unsafe(c) && !matches!(c, '\n' | '\r' | '\t'))
        {
            // Unrecognised, but shown to someone: `\u{202e}javascript:` must not look harmless.
            code.suspicious_text.push("payload".into());
        }
        code.valid = code.error.is_none();
        (code, url)
    }

    /// [`classify`](Self::classify) for raw QR bytes: UTF-8 text, or a binary EMVCo CPM token.
    pub fn classify_bytes(&self, raw: &[u8], ctx: &Context) -> (PaymentCode, Option<UrlFacts>) {
        if let Ok(text) = std::str::from_utf8(raw) {
            return self.classify(text, ctx);
        }
        if raw.starts_with(&[0x85, 0x05, b'C', b'P', b'V', b'0', b'1']) {
            let mut code = self.code_from_cpm(emv_cpm::parse_bytes(raw));
            code.valid = code.error.is_none();
            return (code, None);
        }
        (PaymentCode::unknown(CodeError::NotText), None)
    }

    fn dispatch(&self, text: &str, ctx: &Context) -> (PaymentCode, Option<UrlFacts>) {
        if text.is_empty() {
            return (PaymentCode::unknown(CodeError::Empty), None);
        }
        let b = text.as_bytes();
        if text.starts_with("0002") {
            return (emv::identify_mpm(self, text, ctx), None);
        }
        if b.len() >= 4 && b.starts_with(b"00") && b[2..4].iter().all(u8::is_ascii_digit) {
            if let Ok(p) = th_bill::parse_slip_verify(text) {
                return (self.code_from_parsed(p), None);
            }
            return (PaymentCode::unknown(CodeError::EmvBadHeader), None);
        }
        if emv_cpm::looks_like_cpm(text) {
            return (self.code_from_cpm(emv_cpm::parse(text)), None);
        }
        if b.iter().all(u8::is_ascii_digit) {
            return (self.numeric(text), None);
        }
        if text.starts_with('|') {
            return (
                self.parsed_or_unknown(th_bill::parse_bot_barcode(text), "th_bot_barcode"),
                None,
            );
        }
        if epc::looks_like_epc(text) {
            return (self.parsed_or_unknown(epc::parse(text), "epc_sct"), None);
        }
        if swiss_qr::looks_like_swiss(text) {
            return (
                self.parsed_or_unknown(swiss_qr::parse(text), "swiss_qr_bill"),
                None,
            );
        }
        if bolt11::looks_like_invoice(text) {
            return (
                self.parsed_or_unknown(bolt11::parse(text), "lightning_bolt11"),
                None,
            );
        }
        match codes::url::scheme_of(text)
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("bitcoin") => (self.parsed_or_unknown(bip21::parse(text), "bip21"), None),
            Some("upi") => (self.parsed_or_unknown(upi::parse(text), "upi"), None),
            Some(_) => self.url(text),
            None => (PaymentCode::unknown(CodeError::Unrecognised), None),
        }
    }

    fn base(&self, network: &str, format: Format) -> PaymentCode {
        let mut code = PaymentCode::unknown(CodeError::Unrecognised);
        code.error = None;
        code.network = Some(network.to_string());
        code.format = Some(format);
        code.confidence = self
            .network(network)
            .map_or(Confidence::Low, |n| n.confidence);
        code
    }

    fn code_from_parsed(&self, p: Parsed) -> PaymentCode {
        let network = p.network.unwrap_or("unknown_url");
        let mut code = self.base(network, p.format);
        code.kind = p.kind;
        code.presentation = p.presentation;
        code.static_or_dynamic = p.static_or_dynamic;
        code.receiver = p.receiver;
        code.amount = p.amount;
        code.currency = p.currency.or(p.amount.map(|m| m.currency));
        code.merchant_name = p.merchant_name;
        code.merchant_city = p.merchant_city;
        code.note = p.note;
        code.country = p.country;
        code.payload = p.payload;
        code.expires_at = p.expires_at;
        code.suspicious_text = p.suspicious_text;
        code.error = p.error;
        code
    }

    /// A parser for a format recognised by its shape failed: the network is still known.
    fn parsed_or_unknown(&self, r: Result<Parsed, CodeError>, network: &str) -> PaymentCode {
        match r {
            Ok(p) => self.code_from_parsed(p),
            Err(CodeError::Unrecognised) => PaymentCode::unknown(CodeError::Unrecognised),
            Err(e) => {
                let mut code = self.base(network, Format::Url);
                code.format = None;
                code.presentation = Presentation::Mpm;
                code.error = Some(e);
                code
            }
        }
    }

    fn code_from_cpm(&self, r: Result<(Parsed, Vec<String>), CodeError>) -> PaymentCode {
        match r {
            Ok((p, aids)) => {
                let network = aids
                    .iter()
                    .find_map(|aid| self.data.emv_ids.iter().find(|row| row.matches_id(aid)))
                    .map_or("emvco_cpm", |row| row.network.as_str())
                    .to_string();
                let mut code = self.code_from_parsed(p);
                code.confidence = self
                    .network(&network)
                    .map_or(Confidence::Low, |n| n.confidence);
                code.network = Some(network);
                code
            }
            Err(e) => {
                let mut code = self.base("emvco_cpm", Format::EmvCpm);
                code.presentation = Presentation::Cpm;
                code.static_or_dynamic = StaticOrDynamic::Dynamic;
                code.error = Some(e);
                code
            }
        }
    }

    fn numeric(&self, digits: &str) -> PaymentCode {
        let row = self.data.numeric.iter().find(|r| {
            r.lengths.contains(&digits.len())
                && r.prefixes.iter().any(|p| digits.starts_with(p.as_str()))
        });
        let Some(row) = row else {
            return PaymentCode::unknown(CodeError::UnknownPayCode(digits.len()));
        };
        let mut code = self.base(&row.network, Format::NumericPayCode);
        code.kind = Some("payer_pay_code".into());
        code.presentation = Presentation::Cpm;
        code.static_or_dynamic = StaticOrDynamic::Dynamic;
        code.confidence = row.confidence;
        code.payload = Payload::NumericPayCode(NumericPayCode {
            length: digits.len(),
            rule: row.id.clone(),
        });
        code
    }

    fn url(&self, text: &str) -> (PaymentCode, Option<UrlFacts>) {
        let url = match codes::url::parse(text) {
            Ok(u) => u,
            Err(e) => {
                let mut code = self.base("unknown_url", Format::Url);
                code.presentation = Presentation::Other;
                code.error = Some(e);
                // Still say what the link would do if an app opened it anyway.
                let facts = codes::url::scheme_of(text).map(|s| UrlFacts {
                    scheme: s.to_ascii_lowercase(),
                    host: String::new(),
                });
                return (code, facts);
            }
        };
        let facts = UrlFacts {
            scheme: url.scheme.clone(),
            host: url.host.clone(),
        };
        let target = format!("{}{}", url.host, url.path).to_ascii_lowercase();
        // Plain http is matched as its https twin so the network is named and risk flags it.
        let scheme = if url.scheme == "http" {
            "https"
        } else {
            url.scheme.as_str()
        };
        let row = self.data.urls.iter().find(|r| {
            r.schemes.iter().any(|s| s == scheme)
                && target.starts_with(&r.prefix.to_ascii_lowercase())
                && r.first_segment_digits.is_none_or(|n| {
                    let seg = url
                        .path
                        .trim_start_matches('/')
                        .split('/')
                        .next()
                        .unwrap_or("");
                    seg.len() == n && seg.bytes().all(|b| b.is_ascii_digit())
                })
                && r.query_keys.iter().all(|k| {
                    url.query
                        .split('&')
                        .any(|pair| pair.split('=').next() == Some(k.as_str()))
                })
        });
        let Some(row) = row else {
            let mut code = self.base("unknown_url", Format::Url);
            code.presentation = Presentation::Other;
            code.kind = Some("web_link".into());
            code.payload = Payload::WebLink(WebLink {
                host: url.host.clone(),
            });
            return (code, Some(facts));
        };
        let mut code = self.base(&row.network, Format::WalletUrl);
        code.kind = Some(row.kind.clone());
        code.presentation = Presentation::Mpm;
        code.static_or_dynamic = parse_sd(&row.static_or_dynamic);
        code.receiver = parse_receiver(&row.receiver);
        code.confidence = row.confidence;
        let web = url.scheme == "https" || url.scheme == "http";
        let aggregator = aggregator::read(row, self.network(&row.network), url.query, &mut code);
        code.payload = Payload::WalletLink(WalletLink {
            rule: row.id.clone(),
            host: web.then(|| url.host.clone()),
            aggregator,
        });
        (code, Some(facts))
    }
}

pub(crate) fn parse_sd(s: &str) -> StaticOrDynamic {
    match s {
        "static" => StaticOrDynamic::Static,
        "dynamic" => StaticOrDynamic::Dynamic,
        "recurrence" => StaticOrDynamic::Recurrence,
        _ => StaticOrDynamic::Unknown,
    }
}

pub(crate) fn parse_receiver(s: &str) -> Receiver {
    match s {
        "personal" => Receiver::Personal,
        "merchant" => Receiver::Merchant,
        _ => Receiver::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identify::identify;

    #[test]
    fn json_view_carries_minor_units_and_numeric_currency() {
        let v = identify("00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A").to_json();
        assert_eq!(v["amount"], "23.72");
        assert_eq!(v["amount_minor"], 2372);
        assert_eq!(v["currency"], "156");
        assert_eq!(v["error"], serde_json::Value::Null);
    }

    #[test]
    fn builtin_table_loads_and_is_consistent() {
        let reg = Registry::from_json(BUILTIN).expect("embedded table is valid");
        assert!(reg.network("wechat_pay").is_some());
        assert!(reg
            .allowlisted_hosts()
            .contains(&"qr.alipay.com".to_string()));
    }

    #[test]
    fn an_overlay_adds_a_bank_guid_without_a_release() {
        let before = identify("00020101021126290016COM.EXAMPLE.BANK0105123455204000053033605802ID5904Shop6007Jakarta6304");
        assert_eq!(before.network.as_deref(), Some("qris"));
        let overlay = r#"{"networks":[{"id":"example_bank","name":"Example Bank QR","confidence":"high"}],
                          "emv_ids":[{"id":"COM.EXAMPLE.BANK","network":"example_bank","priority":20}]}"#;
        let reg = Registry::builtin().with_overlay(overlay).unwrap();
        let text = emv_with_crc("00020101021126290016COM.EXAMPLE.BANK0105123455204000053033605802ID5904Shop6007Jakarta6304");
        let code = crate::identify::identify_with(&reg, &text, &Context::default());
        assert_eq!(code.network.as_deref(), Some("example_bank"));
        assert!(code.valid, "{:?}", code.error);
    }

    #[test]
    fn an_overlay_replaces_a_numeric_rule_by_id() {
        let overlay = r#"{"numeric":[{"id":"bestpay_pay_code","network":"bestpay","prefixes":["51","52"],"lengths":[18],"confidence":"medium"}]}"#;
        let reg = Registry::builtin().with_overlay(overlay).unwrap();
        let code = crate::identify::identify_with(&reg, "521234567890123456", &Context::default());
        assert_eq!(code.network.as_deref(), Some("bestpay"));
        assert_eq!(code.confidence, Confidence::Medium);
    }

    #[test]
    fn rejects_an_overlay_row_naming_an_unknown_network() {
        let overlay = r#"{"emv_ids":[{"id":"X","network":"nowhere"}]}"#;
        assert!(matches!(
            Registry::builtin().with_overlay(overlay),
            Err(RegistryError::UnknownNetwork { .. })
        ));
    }

    #[test]
    fn rejects_an_overlay_that_is_not_the_schema() {
        assert!(matches!(
            Registry::builtin().with_overlay("{\"numeric\": 5}"),
            Err(RegistryError::Schema(_))
        ));
    }

    fn emv_with_crc(prefix: &str) -> String {
        format!(
            "{prefix}{}",
            crate::codes::crc::crc16_hex(prefix.as_bytes())
        )
    }
}
