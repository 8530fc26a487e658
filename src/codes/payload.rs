//! What a payload says, typed: one variant per payload kind with its own fields.
//!
//! Parsers fill these; business rules (risk, route, the registry's policy) read them. The flat
//! `name -> value` map that the QA tool's JSON and the FFI record carry is only a view, rendered
//! by [`Payload::details`] with the key names those outputs have always had.

use super::emv_mpm::CrcStatus;
use std::collections::BTreeMap;

/// The parsed fields of one payload, by kind.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Payload {
    /// Nothing was read: unrecognised, empty, or broken before its fields could be trusted.
    #[default]
    None,
    /// Boxed: the EMV tree is several times larger than any other variant.
    EmvMpm(Box<EmvMpm>),
    EmvCpm(EmvCpm),
    NumericPayCode(NumericPayCode),
    /// A link a registry row names (a wallet's URL or app scheme).
    WalletLink(WalletLink),
    /// A link no registry row names.
    WebLink(WebLink),
    Upi(Upi),
    Bip21(Bip21),
    Bolt11(Bolt11),
    Epc(Epc),
    SwissQrBill(SwissQrBill),
    ThBotBarcode(ThBotBarcode),
    ThSlipVerify(ThSlipVerify),
}

impl Payload {
    /// The flat view the JSON output and the FFI record carry (`pix_key`, `mai.26.guid`, `vpa`...).
    pub fn details(&self) -> BTreeMap<String, String> {
        let mut out = Details::default();
        match self {
            Payload::None => {}
            Payload::EmvMpm(p) => p.render(&mut out),
            Payload::EmvCpm(p) => p.render(&mut out),
            Payload::NumericPayCode(p) => {
                out.put("length", p.length.to_string());
                out.put("rule", &p.rule);
            }
            Payload::WalletLink(p) => p.render(&mut out),
            Payload::WebLink(p) => out.put("host", &p.host),
            Payload::Upi(p) => p.render(&mut out),
            Payload::Bip21(p) => p.render(&mut out),
            Payload::Bolt11(p) => p.render(&mut out),
            Payload::Epc(p) => p.render(&mut out),
            Payload::SwissQrBill(p) => p.render(&mut out),
            Payload::ThBotBarcode(p) => {
                out.put("biller_id", &p.biller_id);
                out.put("ref1", &p.ref1);
                out.put("ref2", &p.ref2);
                out.opt("as_qr_tag30", &p.as_qr_tag30);
            }
            Payload::ThSlipVerify(p) => {
                out.put("api_id", ThSlipVerify::API_ID);
                out.put("sending_bank", &p.sending_bank);
                out.put("trans_ref", &p.trans_ref);
            }
        }
        out.0
    }

    pub fn emv_mpm(&self) -> Option<&EmvMpm> {
        match self {
            Payload::EmvMpm(p) => Some(p.as_ref()),
            _ => None,
        }
    }

    /// The aggregator facts of an aggregator's web-cashier link.
    pub fn aggregator(&self) -> Option<&Aggregator> {
        match self {
            Payload::WalletLink(p) => p.aggregator.as_ref(),
            _ => None,
        }
    }

    /// The merchant or terminal id, where the network's table names the field holding it.
    pub fn merchant_id(&self) -> Option<&str> {
        self.emv_mpm().and_then(|p| p.merchant_id.as_deref())
    }

    /// Links inside a payment code that a wallet may open or fetch for the payer: UPI's `url`
    /// (transaction information), BIP21's `r` (BIP72 payment request) and `pj` (payjoin).
    pub fn embedded_links(&self) -> Vec<&str> {
        match self {
            Payload::Upi(p) => p.url.as_deref().into_iter().collect(),
            Payload::Bip21(p) => [&p.payment_request, &p.payjoin]
                .into_iter()
                .filter_map(|l| l.as_deref())
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// The map being rendered.
#[derive(Default)]
struct Details(BTreeMap<String, String>);

impl Details {
    fn put(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.0.insert(key.into(), value.into());
    }

    fn opt(&mut self, key: &str, value: &Option<String>) {
        if let Some(v) = value {
            self.put(key, v);
        }
    }
}

/// One primitive EMV data object: its two-digit id and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmvField {
    pub tag: u8,
    pub value: String,
}

/// A template that starts with a globally unique identifier: a merchant account (26-51) or
/// unreserved data (80-99).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmvAccountTemplate {
    pub tag: u8,
    /// Sub-object 00 (reverse domain name or AID).
    pub guid: String,
    /// Every other sub-object, in payload order.
    pub fields: Vec<EmvField>,
}

impl EmvAccountTemplate {
    pub fn sub(&self, tag: u8) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.tag == tag)
            .map(|f| f.value.as_str())
    }
}

/// Template 62, additional data, with the sub-objects EMVCo defines.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AdditionalData {
    pub bill_number: Option<String>,
    pub mobile_number: Option<String>,
    pub store_label: Option<String>,
    pub loyalty_number: Option<String>,
    pub reference_label: Option<String>,
    pub customer_label: Option<String>,
    pub terminal_label: Option<String>,
    pub purpose: Option<String>,
    pub consumer_data_request: Option<String>,
    pub merchant_tax_id: Option<String>,
    pub merchant_channel: Option<String>,
    /// Sub-objects 12-99 (RFU, payment-system specific), in payload order.
    pub other: Vec<EmvField>,
}

impl AdditionalData {
    /// Sub-object ids 01-11 and the field each fills.
    fn slot(&mut self, tag: u8) -> Option<&mut Option<String>> {
        Some(match tag {
            1 => &mut self.bill_number,
            2 => &mut self.mobile_number,
            3 => &mut self.store_label,
            4 => &mut self.loyalty_number,
            5 => &mut self.reference_label,
            6 => &mut self.customer_label,
            7 => &mut self.terminal_label,
            8 => &mut self.purpose,
            9 => &mut self.consumer_data_request,
            10 => &mut self.merchant_tax_id,
            11 => &mut self.merchant_channel,
            _ => return None,
        })
    }

    /// Every sub-object as (id, value).
    fn fields(&self) -> Vec<(u8, &str)> {
        let named = [
            (1, &self.bill_number),
            (2, &self.mobile_number),
            (3, &self.store_label),
            (4, &self.loyalty_number),
            (5, &self.reference_label),
            (6, &self.customer_label),
            (7, &self.terminal_label),
            (8, &self.purpose),
            (9, &self.consumer_data_request),
            (10, &self.merchant_tax_id),
            (11, &self.merchant_channel),
        ];
        named
            .into_iter()
            .filter_map(|(t, v)| v.as_deref().map(|v| (t, v)))
            .chain(self.other.iter().map(|f| (f.tag, f.value.as_str())))
            .collect()
    }

    pub(crate) fn set(&mut self, tag: u8, value: String) {
        match self.slot(tag) {
            Some(slot) => *slot = Some(value),
            None => self.other.push(EmvField { tag, value }),
        }
    }
}

/// Template 64, the merchant's name and city in another language.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MerchantLanguage {
    pub language: Option<String>,
    pub merchant_name: Option<String>,
    pub merchant_city: Option<String>,
    /// Sub-objects 03-99 (RFU), in payload order.
    pub other: Vec<EmvField>,
}

/// An EMVCo merchant-presented code.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EmvMpm {
    /// Tag 00.
    pub payload_format_indicator: Option<String>,
    /// Tag 01: `11` static, `12` dynamic (others are read as neither).
    pub point_of_initiation: Option<String>,
    /// Templates 26-51, in payload order.
    pub merchant_accounts: Vec<EmvAccountTemplate>,
    /// Tag 52.
    pub merchant_category_code: Option<String>,
    /// Tag 53, ISO 4217 numeric.
    pub transaction_currency: Option<String>,
    /// Tag 54 as written (the typed amount is the code's `amount`).
    pub transaction_amount: Option<String>,
    /// Tag 55.
    pub tip_indicator: Option<String>,
    /// Tag 56.
    pub convenience_fee_fixed: Option<String>,
    /// Tag 57.
    pub convenience_fee_percentage: Option<String>,
    /// Tag 58, ISO 3166-1 alpha-2.
    pub country_code: Option<String>,
    /// Tag 59.
    pub merchant_name: Option<String>,
    /// Tag 60.
    pub merchant_city: Option<String>,
    /// Tag 61.
    pub postal_code: Option<String>,
    /// Template 62.
    pub additional_data: Option<AdditionalData>,
    /// Template 64.
    pub merchant_language: Option<MerchantLanguage>,
    /// Templates 80-99 that parse as templates, in payload order.
    pub unreserved: Vec<EmvAccountTemplate>,
    /// Every other top-level primitive: card-network accounts (02-25), RFU tags (65-79) and
    /// unreserved tags holding plain data (TrueMoney's 81), in payload order.
    pub other: Vec<EmvField>,
    /// Tag 63 as written, when present.
    pub crc_value: Option<String>,
    pub crc: CrcStatus,
    /// The network's policy lets a code without a CRC through (KHQR): risk flags it instead.
    pub missing_crc_tolerated: bool,
    /// The payload's length in characters.
    pub length_chars: usize,
    /// The network's friendly names for fields (`pix_key`, `bank_bin`...), resolved by the
    /// registry from its table: the names are data, so they stay a map.
    pub network_fields: BTreeMap<String, String>,
    /// The merchant or terminal id, from the field the network's policy names.
    pub merchant_id: Option<String>,
}

impl EmvMpm {
    /// The top-level primitives EMVCo names, with their ids.
    fn named(&self) -> [(u8, &Option<String>); 13] {
        [
            (0, &self.payload_format_indicator),
            (1, &self.point_of_initiation),
            (52, &self.merchant_category_code),
            (53, &self.transaction_currency),
            (54, &self.transaction_amount),
            (55, &self.tip_indicator),
            (56, &self.convenience_fee_fixed),
            (57, &self.convenience_fee_percentage),
            (58, &self.country_code),
            (59, &self.merchant_name),
            (60, &self.merchant_city),
            (61, &self.postal_code),
            (63, &self.crc_value),
        ]
    }

    /// Stores a top-level primitive in its field (tags 00-25, 52-61, 63, 65-99).
    pub(crate) fn set(&mut self, tag: u8, value: String) {
        let slot = match tag {
            0 => &mut self.payload_format_indicator,
            1 => &mut self.point_of_initiation,
            52 => &mut self.merchant_category_code,
            53 => &mut self.transaction_currency,
            54 => &mut self.transaction_amount,
            55 => &mut self.tip_indicator,
            56 => &mut self.convenience_fee_fixed,
            57 => &mut self.convenience_fee_percentage,
            58 => &mut self.country_code,
            59 => &mut self.merchant_name,
            60 => &mut self.merchant_city,
            61 => &mut self.postal_code,
            63 => &mut self.crc_value,
            _ => {
                self.other.push(EmvField { tag, value });
                return;
            }
        };
        *slot = Some(value);
    }

    /// The merchant account template with this id.
    pub fn account(&self, tag: u8) -> Option<&EmvAccountTemplate> {
        self.merchant_accounts.iter().find(|a| a.tag == tag)
    }

    /// A field by the network's friendly name (names are the registry table's data).
    pub fn network_field(&self, name: &str) -> Option<&str> {
        self.network_fields.get(name).map(String::as_str)
    }

    /// The CRC is absent and the network's policy tolerates that.
    pub fn crc_missing_but_tolerated(&self) -> bool {
        self.crc == CrcStatus::Missing && self.missing_crc_tolerated
    }

    fn render(&self, out: &mut Details) {
        for (tag, value) in self.named() {
            if let Some(v) = value {
                out.put(format!("{tag:02}"), v);
            }
        }
        for f in &self.other {
            out.put(format!("{:02}", f.tag), &f.value);
        }
        let templates = self
            .merchant_accounts
            .iter()
            .map(|t| ("mai", t))
            .chain(self.unreserved.iter().map(|t| ("unreserved", t)));
        for (group, t) in templates {
            out.put(format!("{group}.{:02}.guid", t.tag), &t.guid);
            for f in &t.fields {
                out.put(format!("{group}.{:02}.{:02}", t.tag, f.tag), &f.value);
            }
        }
        if let Some(a) = &self.additional_data {
            for (tag, v) in a.fields() {
                out.put(format!("additional_data.{tag:02}"), v);
            }
        }
        if let Some(l) = &self.merchant_language {
            out.opt("language_template.language", &l.language);
            out.opt("language_template.merchant_name", &l.merchant_name);
            out.opt("language_template.merchant_city", &l.merchant_city);
            for f in &l.other {
                out.put(format!("language_template.{:02}", f.tag), &f.value);
            }
        }
        for (name, value) in &self.network_fields {
            out.put(name, value);
        }
        out.put("length_chars", self.length_chars.to_string());
        if self.crc_missing_but_tolerated() {
            out.put("crc_status", "missing");
        }
    }
}

/// One application of a CPM token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpmApplication {
    /// Tag 4F, upper-case hex.
    pub aid: String,
    /// Tag 50.
    pub label: Option<String>,
}

/// An EMVCo consumer-presented token (the payload format indicator is always `CPV01`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EmvCpm {
    pub applications: Vec<CpmApplication>,
    /// Tag 5A, digits.
    pub pan: Option<String>,
    /// The PAN read from Track 2 equivalent data (57).
    pub track2_pan: Option<String>,
    /// Tag 5F20.
    pub cardholder_name: Option<String>,
    /// Tag 5F2D.
    pub language_preference: Option<String>,
    /// Tag 5F50.
    pub issuer_url: Option<String>,
    /// Tag 9F10, upper-case hex.
    pub issuer_application_data: Option<String>,
    /// Tag 9F26, upper-case hex.
    pub application_cryptogram: Option<String>,
    /// Tag 9F36 (application transaction counter), upper-case hex.
    pub atc: Option<String>,
    /// Tag 9F37, upper-case hex.
    pub unpredictable_number: Option<String>,
}

impl EmvCpm {
    /// The field a common data element fills (the first occurrence wins), with its name.
    pub(crate) fn slot(&mut self, tag: u32) -> Option<&mut Option<String>> {
        Some(match tag {
            0x5A => &mut self.pan,
            0x57 => &mut self.track2_pan,
            0x5F20 => &mut self.cardholder_name,
            0x5F2D => &mut self.language_preference,
            0x5F50 => &mut self.issuer_url,
            0x9F10 => &mut self.issuer_application_data,
            0x9F26 => &mut self.application_cryptogram,
            0x9F36 => &mut self.atc,
            0x9F37 => &mut self.unpredictable_number,
            _ => return None,
        })
    }

    fn render(&self, out: &mut Details) {
        out.put("payload_format_indicator", "CPV01");
        for (i, app) in self.applications.iter().enumerate() {
            out.put(format!("applications.{i}.aid"), &app.aid);
            if let Some(label) = &app.label {
                out.put(format!("applications.{i}.label"), label);
            }
        }
        for (key, value) in [
            ("pan", &self.pan),
            ("track2_pan", &self.track2_pan),
            ("cardholder_name", &self.cardholder_name),
            ("language_preference", &self.language_preference),
            ("issuer_url", &self.issuer_url),
            ("issuer_application_data", &self.issuer_application_data),
            ("application_cryptogram", &self.application_cryptogram),
            ("atc", &self.atc),
            ("unpredictable_number", &self.unpredictable_number),
        ] {
            out.opt(key, value);
        }
        if let Some(first) = self.applications.first() {
            out.put("aid", &first.aid);
        }
    }
}

/// A payer's numeric pay code, matched by a registry row's prefixes and lengths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumericPayCode {
    pub length: usize,
    /// The id of the registry row that matched.
    pub rule: String,
}

/// A link a registry row names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalletLink {
    /// The id of the registry row that matched.
    pub rule: String,
    /// The host, for `https`/`http` links.
    pub host: Option<String>,
    /// Set when the link is a licensed aggregator's web cashier.
    pub aggregator: Option<Aggregator>,
}

impl WalletLink {
    fn render(&self, out: &mut Details) {
        out.put("rule", &self.rule);
        out.opt("host", &self.host);
        if let Some(a) = &self.aggregator {
            out.put("aggregator", &a.aggregator);
            // The sub-merchant is known only to the aggregator's server.
            out.put("merchant_in_code", "false");
            out.put(
                "acquiring_networks",
                join_or_unknown(&a.documented_acquirers),
            );
            out.put(
                "acquiring_network",
                a.acquiring_network.as_deref().unwrap_or(UNKNOWN),
            );
        }
    }
}

const UNKNOWN: &str = "unknown";

fn join_or_unknown(list: &[String]) -> String {
    if list.is_empty() {
        UNKNOWN.to_string()
    } else {
        list.join(",")
    }
}

/// What an aggregator's code says about the network that moves the money.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aggregator {
    /// The aggregator's network id.
    pub aggregator: String,
    /// The acquiring networks the aggregator documents (empty: not documented).
    pub documented_acquirers: Vec<String>,
    /// The network this code's payment goes through, when the code says (`payway`...).
    pub acquiring_network: Option<String>,
}

/// A link no registry row names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebLink {
    pub host: String,
}

/// A UPI intent URI's parameters (NPCI linking spec), the first occurrence of each.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Upi {
    /// `pa`, the payee's virtual payment address.
    pub vpa: String,
    /// `pn`.
    pub payee_name: Option<String>,
    /// `mc`, merchant category.
    pub mc: Option<String>,
    /// `tr`, transaction reference (dynamic codes).
    pub tr: Option<String>,
    /// `tn`, transaction note.
    pub tn: Option<String>,
    pub tid: Option<String>,
    /// `url`, transaction information link.
    pub url: Option<String>,
    pub mode: Option<String>,
    pub purpose: Option<String>,
    pub orgid: Option<String>,
    pub sign: Option<String>,
    /// `mam`, minimum amount.
    pub mam: Option<String>,
}

impl Upi {
    /// Kept parameters by name, in the order they are read.
    pub(crate) const KEPT: [&'static str; 10] = [
        "mc", "tr", "tn", "tid", "url", "mode", "purpose", "orgid", "sign", "mam",
    ];

    fn kept(&self) -> [&Option<String>; 10] {
        [
            &self.mc,
            &self.tr,
            &self.tn,
            &self.tid,
            &self.url,
            &self.mode,
            &self.purpose,
            &self.orgid,
            &self.sign,
            &self.mam,
        ]
    }

    pub(crate) fn keep(&mut self, name: &str, value: &str) {
        let slot = match name {
            "mc" => &mut self.mc,
            "tr" => &mut self.tr,
            "tn" => &mut self.tn,
            "tid" => &mut self.tid,
            "url" => &mut self.url,
            "mode" => &mut self.mode,
            "purpose" => &mut self.purpose,
            "orgid" => &mut self.orgid,
            "sign" => &mut self.sign,
            "mam" => &mut self.mam,
            _ => return,
        };
        *slot = Some(value.to_string());
    }

    fn render(&self, out: &mut Details) {
        out.put("vpa", &self.vpa);
        out.opt("payee_name", &self.payee_name);
        for (name, value) in Upi::KEPT.iter().zip(self.kept()) {
            out.opt(name, value);
        }
    }
}

/// A BIP21 `bitcoin:` URI.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bip21 {
    pub address: String,
    /// False for the tolerated `bitcoin://` form.
    pub compliant: bool,
    /// `amount` as written (the typed amount is the code's `amount`).
    pub amount: Option<String>,
    pub label: Option<String>,
    pub message: Option<String>,
    /// `r`, a BIP72 payment-request URL.
    pub payment_request: Option<String>,
    /// `pj`, a payjoin endpoint.
    pub payjoin: Option<String>,
    /// Every other parameter, in order (the last of a repeated name wins in the view).
    pub other: Vec<(String, String)>,
}

impl Bip21 {
    /// Records a parameter; a repeated one replaces the earlier value.
    pub(crate) fn set(&mut self, key: &str, value: String) {
        let slot = match key {
            "amount" => &mut self.amount,
            "label" => &mut self.label,
            "message" => &mut self.message,
            "r" => &mut self.payment_request,
            "pj" => &mut self.payjoin,
            _ => {
                self.other.push((key.to_string(), value));
                return;
            }
        };
        *slot = Some(value);
    }

    fn render(&self, out: &mut Details) {
        out.put("compliant", self.compliant.to_string());
        out.put("address", &self.address);
        for (key, value) in [
            ("amount", &self.amount),
            ("label", &self.label),
            ("message", &self.message),
            ("r", &self.payment_request),
            ("pj", &self.payjoin),
        ] {
            if let Some(v) = value {
                out.put(format!("options.{key}"), v);
            }
        }
        for (k, v) in &self.other {
            out.put(format!("options.{k}"), v);
        }
    }
}

/// A BOLT11 amount as the invoice writes it and in the units it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bolt11Amount {
    /// The human-readable part's amount (`2500u`).
    pub hrp: String,
    /// In bitcoin, without trailing zeros.
    pub btc: String,
    pub msat: u64,
}

/// A BOLT11 Lightning invoice. Hashes and secrets are lower-case hex.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bolt11 {
    /// `bitcoin`, `testnet`, `signet`, `regtest`.
    pub chain: String,
    /// Unix seconds the invoice was created.
    pub timestamp: u64,
    pub amount: Option<Bolt11Amount>,
    pub payment_hash: Option<String>,
    pub payment_secret: Option<String>,
    pub description: Option<String>,
    pub description_hash: Option<String>,
    /// The expiry field when the invoice carries one (3600 s otherwise).
    pub expiry_s: Option<u64>,
    pub payment_metadata: Option<String>,
    pub fallback_address: Option<String>,
}

impl Bolt11 {
    fn render(&self, out: &mut Details) {
        out.put("chain", &self.chain);
        out.put("timestamp", self.timestamp.to_string());
        if let Some(a) = &self.amount {
            out.put("amount_hrp", &a.hrp);
            out.put("amount_btc", &a.btc);
            out.put("amount_msat", a.msat.to_string());
        }
        out.opt("payment_hash", &self.payment_hash);
        out.opt("payment_secret", &self.payment_secret);
        out.opt("description", &self.description);
        out.opt("description_hash", &self.description_hash);
        if let Some(e) = self.expiry_s {
            out.put("expiry_s", e.to_string());
        }
        out.opt("payment_metadata", &self.payment_metadata);
        out.opt("fallback_address", &self.fallback_address);
    }
}

/// An EPC069-12 SEPA credit transfer ("GiroCode"); empty lines stay empty strings. The
/// currency is always EUR.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Epc {
    pub version: String,
    pub encoding: String,
    pub bic: String,
    pub beneficiary: String,
    pub iban: String,
    pub purpose: String,
    pub remittance_structured: String,
    pub remittance_unstructured: String,
    pub information: String,
}

impl Epc {
    fn render(&self, out: &mut Details) {
        for (k, v) in [
            ("version", &self.version),
            ("encoding", &self.encoding),
            ("bic", &self.bic),
            ("beneficiary", &self.beneficiary),
            ("iban", &self.iban),
            ("purpose", &self.purpose),
            ("remittance_structured", &self.remittance_structured),
            ("remittance_unstructured", &self.remittance_unstructured),
            ("information", &self.information),
        ] {
            out.put(k, v);
        }
        out.put("currency", "EUR");
    }
}

/// A Swiss QR-bill.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SwissQrBill {
    /// The creditor's IBAN or QR-IBAN (CH or LI).
    pub account: String,
    pub creditor_name: String,
    /// `CHF` or `EUR`, as written.
    pub currency: String,
    pub debtor_name: Option<String>,
    /// `QRR`, `SCOR` or `NON`.
    pub reference_type: String,
    pub reference: String,
    pub unstructured_message: String,
}

impl SwissQrBill {
    fn render(&self, out: &mut Details) {
        out.put("account", &self.account);
        out.put("creditor_name", &self.creditor_name);
        out.put("currency", &self.currency);
        out.opt("debtor_name", &self.debtor_name);
        out.put("reference_type", &self.reference_type);
        out.put("reference", &self.reference);
        out.put("unstructured_message", &self.unstructured_message);
    }
}

/// A Bank of Thailand bill-payment barcode.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ThBotBarcode {
    /// 15 digits.
    pub biller_id: String,
    pub ref1: String,
    pub ref2: String,
    /// The same bill as a PromptPay bill-payment QR (tag 30), which Thai wallets scan.
    pub as_qr_tag30: Option<String>,
}

/// A Thai bank-slip verification mini-QR (API id `000001`): not a payment code.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ThSlipVerify {
    /// The sending bank's code (sub-object 01), empty when absent.
    pub sending_bank: String,
    /// The transfer's reference (sub-object 02), empty when absent.
    pub trans_ref: String,
}

impl ThSlipVerify {
    pub const API_ID: &'static str = "000001";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_emv_view_names_top_level_tags_by_number_and_templates_by_group() {
        let mut mpm = EmvMpm::default();
        mpm.set(0, "01".into());
        mpm.set(81, "0E2A".into());
        mpm.merchant_accounts.push(EmvAccountTemplate {
            tag: 26,
            guid: "br.gov.bcb.pix".into(),
            fields: vec![EmvField {
                tag: 1,
                value: "a@b.c".into(),
            }],
        });
        let mut extra = AdditionalData::default();
        extra.set(5, "***".into());
        extra.set(50, "x".into());
        mpm.additional_data = Some(extra);
        mpm.length_chars = 42;
        let d = Payload::EmvMpm(Box::new(mpm)).details();
        let want = [
            ("00", "01"),
            ("81", "0E2A"),
            ("additional_data.05", "***"),
            ("additional_data.50", "x"),
            ("length_chars", "42"),
            ("mai.26.01", "a@b.c"),
            ("mai.26.guid", "br.gov.bcb.pix"),
        ];
        let want: BTreeMap<String, String> = want
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(d, want);
    }

    #[test]
    fn crc_status_is_shown_only_when_a_missing_crc_was_tolerated() {
        let mut mpm = EmvMpm {
            crc: CrcStatus::Missing,
            ..EmvMpm::default()
        };
        assert!(!Payload::EmvMpm(Box::new(mpm.clone()))
            .details()
            .contains_key("crc_status"));
        mpm.missing_crc_tolerated = true;
        assert_eq!(
            Payload::EmvMpm(Box::new(mpm)).details()["crc_status"],
            "missing".to_string()
        );
    }

    #[test]
    fn an_aggregator_without_facts_says_unknown() {
        let link = Payload::WalletLink(WalletLink {
            rule: "r".into(),
            host: None,
            aggregator: Some(Aggregator {
                aggregator: "agg".into(),
                documented_acquirers: Vec::new(),
                acquiring_network: None,
            }),
        });
        let d = link.details();
        assert_eq!(d["acquiring_network"], "unknown");
        assert_eq!(d["acquiring_networks"], "unknown");
        assert_eq!(d["merchant_in_code"], "false");
    }

    #[test]
    fn embedded_links_come_from_the_typed_fields() {
        let mut bip = Bip21::default();
        bip.set("r", "javascript:x".into());
        bip.set("pj", "https://pj".into());
        bip.set("label", "L".into());
        assert_eq!(
            Payload::Bip21(bip).embedded_links(),
            ["javascript:x", "https://pj"]
        );
        let upi = Upi {
            url: Some("intent://x".into()),
            ..Upi::default()
        };
        assert_eq!(Payload::Upi(upi).embedded_links(), ["intent://x"]);
    }
}
