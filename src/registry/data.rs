//! The registry's data model: rows read from `networks.json`, plus runtime overlays.
//!
//! Rows are matched in table order, so an overlay's new rows go first (they win), and a row
//! with the same key as a built-in row replaces it in place.

use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

fn default_confidence() -> Confidence {
    Confidence::Medium
}

/// EMVCo MPM policy for one network. Unset fields fall back to `emv_default`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EmvPolicy {
    /// Tags that must be present, e.g. `["52","53","58","59","60"]`.
    pub required_tags: Option<Vec<String>>,
    /// `reject` (default) or `flag`: what a missing tag 63 does.
    pub missing_crc: Option<String>,
    /// Accepted payload format indicators (tag 00).
    pub pfi: Option<Vec<String>>,
    /// Values tag 58 / tag 53 must take when this network is identified (or asked for).
    pub country: Option<Vec<String>>,
    pub currency: Option<Vec<String>>,
    /// `poi` (tag 01: 11 static / 12 dynamic) or `pix` (key vs URL vs recurrence).
    pub static_or_dynamic: Option<String>,
    /// A field that, when `0` and an amount is present, makes the code dynamic whatever tag 01
    /// says (PayNow: "amount not editable" marks a one-off payment request).
    pub dynamic_if_zero: Option<String>,
    /// Friendly detail name -> path (`52`, `62.05`, `account.01`, `mai.26.guid`, `a|b`).
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// Friendly fields that must be present for the code to be payable (the payee's id).
    pub required_fields: Option<Vec<String>>,
    /// Paths whose value must itself be a well-formed template (VietQR's `account.01`).
    pub nested_templates: Option<Vec<String>>,
    /// Friendly field -> how its value is encoded (`ucs2_hex`: TrueMoney's message).
    #[serde(default)]
    pub decode: BTreeMap<String, String>,
    /// Deviations this network's real issuers ship, read tolerantly and reported by name
    /// (`tag_52_missing`, `tag_81_not_a_template`); any other deviation is an error.
    pub tolerate: Option<Vec<String>>,
    /// The friendly field that names the payee when tag 59 is absent.
    pub merchant_name_field: Option<String>,
    /// The friendly field that holds the payer-facing note.
    pub note_field: Option<String>,
    /// The friendly field that holds the merchant or terminal id (default `merchant_id`).
    pub merchant_id_field: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct NetworkRow {
    pub id: String,
    pub name: String,
    pub country: Option<String>,
    #[serde(default = "default_confidence")]
    pub confidence: Confidence,
    /// Countries (tag 58) where an EMV payload with no known GUID belongs to this network.
    #[serde(default)]
    pub fallback_countries: Vec<String>,
    pub emv: Option<EmvPolicy>,
    /// Set for payloads that are recognised but cannot be paid (a web link, a slip check):
    /// the reason becomes the code's `not_a_payment_code` error.
    pub not_payable: Option<String>,
    /// Set for a licensed aggregator (收单外包 / 聚合支付 service provider): its codes are its own
    /// web cashier's URLs, paid through whichever network acquires the payment.
    pub aggregator: Option<AggregatorRow>,
}

/// What is known about an aggregator's codes.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AggregatorRow {
    /// The networks its web cashier is documented to pay through; empty means unknown.
    #[serde(default)]
    pub acquiring_networks: Vec<String>,
    /// Where the URL shapes come from (docs/registry-and-routes.md keeps the full list).
    #[serde(default)]
    pub source: String,
}

/// A GUID (MPM template sub-tag 00) or AID (CPM tag 4F) that names a network.
#[derive(Debug, Clone, Deserialize)]
pub struct EmvIdRow {
    pub id: String,
    pub network: String,
    /// `exact` (default, case-insensitive) or `prefix`.
    #[serde(rename = "match", default)]
    pub match_kind: Option<String>,
    /// Only when this sub-tag of the template starts with `when_prefix`.
    pub when_sub: Option<String>,
    pub when_prefix: Option<String>,
    #[serde(default)]
    pub priority: i32,
    pub receiver: Option<String>,
    #[serde(default = "default_confidence")]
    pub confidence: Confidence,
}

impl EmvIdRow {
    fn key(&self) -> String {
        format!(
            "{}|{}|{}",
            self.id.to_ascii_uppercase(),
            self.when_sub.as_deref().unwrap_or(""),
            self.when_prefix.as_deref().unwrap_or("")
        )
    }

    pub fn matches_id(&self, guid: &str) -> bool {
        if self.match_kind.as_deref() == Some("prefix") {
            guid.len() >= self.id.len()
                && guid.as_bytes()[..self.id.len()].eq_ignore_ascii_case(self.id.as_bytes())
        } else {
            guid.eq_ignore_ascii_case(&self.id)
        }
    }
}

/// MAI tags 02-25 reserved for card schemes, when a primitive value there names a network.
#[derive(Debug, Clone, Deserialize)]
pub struct ReservedTagRow {
    pub tag: String,
    /// Only when the tag holds exactly this value (VNPAY's wallet writes `VNPayWallet` in 04).
    pub value: Option<String>,
    pub network: String,
    pub kind: Option<String>,
    pub receiver: Option<String>,
    #[serde(default = "default_confidence")]
    pub confidence: Confidence,
}

impl ReservedTagRow {
    fn key(&self) -> String {
        format!("{}|{}", self.tag, self.value.as_deref().unwrap_or(""))
    }
}

/// A payer's numeric pay code: prefixes and lengths.
#[derive(Debug, Clone, Deserialize)]
pub struct NumericRow {
    pub id: String,
    pub network: String,
    pub prefixes: Vec<String>,
    pub lengths: Vec<usize>,
    #[serde(default = "default_confidence")]
    pub confidence: Confidence,
}

/// A wallet URL: scheme(s) plus a case-insensitive prefix of `host + path`.
#[derive(Debug, Clone, Deserialize)]
pub struct UrlRow {
    pub id: String,
    pub network: String,
    pub schemes: Vec<String>,
    pub prefix: String,
    /// The first path segment must be exactly this many digits (UnionPay institution code).
    pub first_segment_digits: Option<usize>,
    /// Query parameters that must all be present (an acquirer's per-order `token`).
    #[serde(default)]
    pub query_keys: Vec<String>,
    /// A query parameter that carries the order's amount (an aggregator's `total_amount`).
    pub amount_query: Option<AmountQuery>,
    /// A query parameter that names the network the payment goes through (`payway`).
    pub acquirer_query: Option<AcquirerQuery>,
    pub kind: String,
    pub static_or_dynamic: String,
    pub receiver: String,
    #[serde(default = "default_confidence")]
    pub confidence: Confidence,
}

/// `key=<digits>` in the URL's query is the amount, in `unit` (`minor`) of `currency`.
#[derive(Debug, Clone, Deserialize)]
pub struct AmountQuery {
    pub key: String,
    pub currency: String,
    /// `minor` (fen, cents) is the only unit so far.
    pub unit: String,
    /// Longest digit string accepted (the aggregator's own limit).
    pub max_digits: usize,
}

/// `key=<value>` in the URL's query names the acquiring network through `values`; absent, the
/// network is `default` (or unknown when there is none); a value not in `values` is unknown.
#[derive(Debug, Clone, Deserialize)]
pub struct AcquirerQuery {
    pub key: String,
    pub default: Option<String>,
    pub values: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StaticCapRow {
    pub currency: String,
    pub max: String,
    #[serde(default)]
    pub source: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct EmvDefault {
    #[serde(default)]
    pub required_tags: Vec<String>,
    #[serde(default)]
    pub missing_crc: String,
    #[serde(default)]
    pub pfi: Vec<String>,
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    pub note_field: Option<String>,
    pub merchant_id_field: Option<String>,
}

/// The whole table. Every list may be absent in an overlay.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RegistryData {
    pub emv_default: Option<EmvDefault>,
    #[serde(default)]
    pub networks: Vec<NetworkRow>,
    #[serde(default)]
    pub emv_ids: Vec<EmvIdRow>,
    #[serde(default)]
    pub emv_reserved_tags: Vec<ReservedTagRow>,
    #[serde(default)]
    pub numeric: Vec<NumericRow>,
    #[serde(default)]
    pub urls: Vec<UrlRow>,
    #[serde(default)]
    pub brand_labels: Vec<String>,
    #[serde(default)]
    pub static_caps: Vec<StaticCapRow>,
}

/// Merges `overlay` rows into `base`: same key replaces, new rows go in front.
fn merge<T: Clone>(base: &mut Vec<T>, overlay: Vec<T>, key: impl Fn(&T) -> String) {
    let mut fresh = Vec::new();
    for row in overlay {
        let k = key(&row);
        match base.iter_mut().find(|b| key(b) == k) {
            Some(slot) => *slot = row,
            None => fresh.push(row),
        }
    }
    fresh.append(base);
    *base = fresh;
}

impl RegistryData {
    pub fn apply(&mut self, overlay: RegistryData) {
        if let Some(d) = overlay.emv_default {
            self.emv_default = Some(d);
        }
        merge(&mut self.networks, overlay.networks, |r| r.id.clone());
        merge(&mut self.emv_ids, overlay.emv_ids, EmvIdRow::key);
        merge(
            &mut self.emv_reserved_tags,
            overlay.emv_reserved_tags,
            ReservedTagRow::key,
        );
        merge(&mut self.numeric, overlay.numeric, |r| r.id.clone());
        merge(&mut self.urls, overlay.urls, |r| r.id.clone());
        merge(&mut self.static_caps, overlay.static_caps, |r| {
            r.currency.clone()
        });
        for b in overlay.brand_labels {
            if !self.brand_labels.contains(&b) {
                self.brand_labels.push(b);
            }
        }
    }
}
