//! EMVCo MPM: naming the network from account templates, and applying its policy.
//!
//! Policy is data (`emv` in a network row, defaults in `emv_default`): which tags are
//! mandatory, whether a missing CRC is fatal or only flagged, accepted format indicators,
//! and friendly names for fields. Real networks break the spec in known, per-network ways.

use super::data::{Confidence, EmvDefault, EmvIdRow, EmvPolicy};
use super::{parse_receiver, Context, PaymentCode, Registry};
use crate::codes::emv_mpm::{self, CrcStatus, Mpm};
use crate::codes::text::{self, FieldRule, Finding};
use crate::codes::tlv::{self, DataObject};
use crate::codes::{CodeError, Format, Payload, Presentation, Receiver, StaticOrDynamic};
use crate::money::{Currency, Money};
use std::collections::BTreeMap;

/// What the account templates say: network, the template that named it, receiver, confidence.
struct Naming {
    network: String,
    account_tag: Option<u8>,
    receiver: Receiver,
    confidence: Confidence,
    kind: Option<String>,
}

fn name_network(
    reg: &Registry,
    objects: &[DataObject<'_>],
    templates: &[(u8, Vec<DataObject<'_>>)],
) -> Naming {
    let mut best: Option<(&EmvIdRow, u8)> = None;
    for (tag, subs) in templates.iter().filter(|(t, _)| (26..=51).contains(t)) {
        let Some(guid) = subs.iter().find(|s| s.tag == 0).map(|s| s.value) else {
            continue;
        };
        for row in reg.data.emv_ids.iter().filter(|r| r.matches_id(guid)) {
            let cond_ok = match (&row.when_sub, &row.when_prefix) {
                (Some(sub), Some(prefix)) => subs
                    .iter()
                    .any(|s| s.tag_str() == *sub && s.value.starts_with(prefix.as_str())),
                _ => true,
            };
            if cond_ok && best.is_none_or(|(b, _)| row.priority > b.priority) {
                best = Some((row, *tag));
            }
        }
    }
    if let Some((row, tag)) = best {
        return Naming {
            network: row.network.clone(),
            account_tag: Some(tag),
            receiver: row
                .receiver
                .as_deref()
                .map_or(Receiver::Unknown, parse_receiver),
            confidence: row.confidence,
            kind: None,
        };
    }
    let first_account = templates
        .iter()
        .map(|(t, _)| *t)
        .find(|t| (26..=51).contains(t));
    for row in &reg.data.emv_reserved_tags {
        let hit = objects
            .iter()
            .any(|o| o.tag_str() == row.tag && row.value.as_deref().is_none_or(|v| v == o.value));
        if hit {
            return Naming {
                network: row.network.clone(),
                account_tag: None,
                receiver: row
                    .receiver
                    .as_deref()
                    .map_or(Receiver::Unknown, parse_receiver),
                confidence: row.confidence,
                kind: row.kind.clone(),
            };
        }
    }
    let country = objects.iter().find(|o| o.tag == 58).map(|o| o.value);
    if let Some(country) = country {
        if let Some(n) = reg.data.networks.iter().find(|n| {
            n.fallback_countries
                .iter()
                .any(|c| c.eq_ignore_ascii_case(country))
        }) {
            return Naming {
                network: n.id.clone(),
                account_tag: first_account,
                receiver: Receiver::Unknown,
                confidence: Confidence::Low,
                kind: None,
            };
        }
    }
    Naming {
        network: "emvco_mpm".into(),
        account_tag: first_account,
        receiver: Receiver::Unknown,
        confidence: Confidence::High,
        kind: None,
    }
}

/// Effective policy: the network's values over `emv_default`.
struct Policy<'r> {
    required_tags: &'r [String],
    crc_missing_fatal: bool,
    pfi: &'r [String],
    country: &'r [String],
    currency: &'r [String],
    pix_rules: bool,
    dynamic_if_zero: Option<&'r str>,
    fields: Vec<(&'r String, &'r String)>,
    required_fields: &'r [String],
    nested_templates: &'r [String],
    decode: &'r BTreeMap<String, String>,
    tolerate: &'r [String],
    merchant_name_field: Option<&'r str>,
    note_field: Option<&'r str>,
    merchant_id_field: &'r str,
}

/// The friendly field read as the merchant id when no policy names one.
const MERCHANT_ID_FIELD: &str = "merchant_id";

fn policy<'r>(reg: &'r Registry, network: &str) -> Policy<'r> {
    static NONE: EmvPolicy = EmvPolicy {
        required_tags: None,
        missing_crc: None,
        pfi: None,
        country: None,
        currency: None,
        static_or_dynamic: None,
        dynamic_if_zero: None,
        fields: BTreeMap::new(),
        required_fields: None,
        nested_templates: None,
        decode: BTreeMap::new(),
        tolerate: None,
        merchant_name_field: None,
        note_field: None,
        merchant_id_field: None,
    };
    static NO_DEFAULT: EmvDefault = EmvDefault {
        required_tags: Vec::new(),
        missing_crc: String::new(),
        pfi: Vec::new(),
        fields: BTreeMap::new(),
        note_field: None,
        merchant_id_field: None,
    };
    let d = reg.data.emv_default.as_ref().unwrap_or(&NO_DEFAULT);
    let n = reg
        .network(network)
        .and_then(|n| n.emv.as_ref())
        .unwrap_or(&NONE);
    Policy {
        required_tags: n.required_tags.as_deref().unwrap_or(&d.required_tags),
        crc_missing_fatal: n.missing_crc.as_deref().unwrap_or(&d.missing_crc) != "flag",
        pfi: n.pfi.as_deref().unwrap_or(&d.pfi),
        country: n.country.as_deref().unwrap_or_default(),
        currency: n.currency.as_deref().unwrap_or_default(),
        pix_rules: n.static_or_dynamic.as_deref() == Some("pix"),
        dynamic_if_zero: n.dynamic_if_zero.as_deref(),
        fields: d.fields.iter().chain(n.fields.iter()).collect(),
        required_fields: n.required_fields.as_deref().unwrap_or_default(),
        nested_templates: n.nested_templates.as_deref().unwrap_or_default(),
        decode: &n.decode,
        tolerate: n.tolerate.as_deref().unwrap_or_default(),
        merchant_name_field: n.merchant_name_field.as_deref(),
        note_field: n.note_field.as_deref().or(d.note_field.as_deref()),
        merchant_id_field: n
            .merchant_id_field
            .as_deref()
            .or(d.merchant_id_field.as_deref())
            .unwrap_or(MERCHANT_ID_FIELD),
    }
}

pub(super) fn identify_mpm(reg: &Registry, text: &str, ctx: &Context) -> PaymentCode {
    match emv_mpm::parse(text) {
        Ok(mpm) => from_mpm(reg, text, &mpm, ctx),
        Err(failure) => {
            // Fewer than two readable objects is no evidence of EMVCo at all.
            if failure.partial.len() < 2 {
                return PaymentCode::unknown(failure.error);
            }
            let templates: Vec<(u8, Vec<DataObject<'_>>)> = failure
                .partial
                .iter()
                .filter(|o| emv_mpm::is_template(o.tag))
                .map(|o| (o.tag, tlv::read(o.value, "").0))
                .collect();
            let naming = name_network(reg, &failure.partial, &templates);
            let mut code = reg.base(&naming.network, Format::EmvMpm);
            code.presentation = Presentation::Mpm;
            code.error = Some(failure.error);
            code
        }
    }
}

fn resolve(mpm: &Mpm<'_>, account: Option<u8>, path: &str) -> Option<String> {
    path.split('|')
        .find_map(|alt| resolve_one(mpm, account, alt))
}

fn resolve_one(mpm: &Mpm<'_>, account: Option<u8>, path: &str) -> Option<String> {
    let mut segs = path.split('.');
    let first = segs.next()?;
    let tag: u8 = match first {
        "account" => account?,
        "mai" | "unreserved" => segs.next()?.parse().ok()?,
        t => t.parse().ok()?,
    };
    let mut value = mpm.objects.iter().find(|o| o.tag == tag)?.value;
    for seg in segs {
        let sub: u8 = if seg == "guid" { 0 } else { seg.parse().ok()? };
        let (objs, _) = tlv::read(value, "");
        value = objs.iter().find(|o| o.tag == sub)?.value;
    }
    Some(value.to_string())
}

/// A path with `account` replaced by the tag that named the network (`account.01` -> `38.01`).
fn concrete(path: &str, account: Option<u8>) -> String {
    match (path.strip_prefix("account"), account) {
        (Some(rest), Some(tag)) => format!("{tag:02}{rest}"),
        _ => path.to_string(),
    }
}

/// Decodings a network's policy may name for a field (`decode` in `networks.json`).
pub(super) const DECODINGS: &[&str] = &["ucs2_hex"];

fn decode(kind: &str, value: &str) -> Result<String, String> {
    match kind {
        // TrueMoney writes its message as UCS-2 code units in upper-case hex, 4 digits each.
        "ucs2_hex" => {
            let units = value
                .as_bytes()
                .chunks(4)
                .map(|c| {
                    std::str::from_utf8(c)
                        .ok()
                        .filter(|h| h.len() == 4)
                        .and_then(|h| u16::from_str_radix(h, 16).ok())
                })
                .collect::<Option<Vec<u16>>>()
                .ok_or("is not UCS-2 hex (4 hex digits per character)")?;
            String::from_utf16(&units).map_err(|_| "holds an unpaired UTF-16 surrogate".into())
        }
        other => Err(format!("unknown decoding `{other}`")),
    }
}

/// Records a deviation the network tolerates, or returns the error a strict reading gives.
fn tolerated(
    pol: &Policy<'_>,
    name: String,
    strict: CodeError,
    code: &mut PaymentCode,
) -> Option<CodeError> {
    if pol.tolerate.contains(&name) {
        code.deviations.push(name);
        None
    } else {
        Some(strict)
    }
}

fn from_mpm(reg: &Registry, text: &str, mpm: &Mpm<'_>, ctx: &Context) -> PaymentCode {
    let naming = name_network(reg, &mpm.objects, &mpm.templates);
    let pol = policy(reg, &naming.network);
    let mut code = reg.base(&naming.network, Format::EmvMpm);
    code.presentation = Presentation::Mpm;
    code.confidence = naming.confidence.min(code.confidence);
    code.receiver = naming.receiver;
    code.kind = naming.kind.clone();
    let mut typed = mpm.to_payload(text);
    code.merchant_name = typed.merchant_name.clone();
    code.merchant_city = typed.merchant_city.clone();
    code.country = typed.country_code.clone();
    code.mcc = typed.merchant_category_code.clone();
    // Tag 53 is mandatory and stands on its own: a static code without an amount still says
    // which currency it will be paid in.
    code.currency = typed
        .transaction_currency
        .as_deref()
        .and_then(Currency::from_numeric_str);
    code.suspicious_text = mpm.suspicious_text.clone();
    let mut errors: Vec<CodeError> = Vec::new();
    for (name, path) in &pol.fields {
        let Some(raw) = resolve(mpm, naming.account_tag, path) else {
            continue;
        };
        let value = match pol.decode.get(*name) {
            None => raw,
            Some(kind) => {
                let tag = concrete(path, naming.account_tag);
                let decoded = decode(kind, &raw).and_then(|v| {
                    // Decoded text was hidden from the parser's screening: screen it here.
                    match text::check(&v, FieldRule::Printable) {
                        Ok(Finding::Flag) => code.suspicious_text.push(tag.clone()),
                        Ok(Finding::Clean) => {}
                        Err(refused) => return Err(refused.0),
                    }
                    Ok(v)
                });
                match decoded {
                    Ok(v) => v,
                    Err(reason) => {
                        errors.push(CodeError::EmvInvalidValue { tag, reason });
                        continue;
                    }
                }
            }
        };
        typed.network_fields.insert((*name).clone(), value);
    }
    // Which friendly field plays which role is the network's policy (data), so these are
    // looked up by the names the policy gives.
    let named = |field: Option<&str>| {
        field
            .and_then(|f| typed.network_field(f))
            .map(str::to_string)
    };
    if code.merchant_name.is_none() {
        code.merchant_name = named(pol.merchant_name_field);
    }
    code.note = named(pol.note_field);
    typed.merchant_id = named(Some(pol.merchant_id_field));
    code.static_or_dynamic = static_or_dynamic(mpm, naming.account_tag, pol.pix_rules);
    if let Some(path) = pol.dynamic_if_zero {
        if mpm.get(54).is_some() && resolve(mpm, naming.account_tag, path).as_deref() == Some("0") {
            code.static_or_dynamic = StaticOrDynamic::Dynamic;
        }
    }
    if code.receiver == Receiver::Unknown && code.mcc.as_deref() == Some("0000") {
        // MCC 0000 is what person-to-person schemes write (Pix keys, PayNow mobiles).
        code.receiver = Receiver::Personal;
    }

    match &mpm.crc {
        CrcStatus::Missing if !pol.crc_missing_fatal => typed.missing_crc_tolerated = true,
        status => {
            if let Some(e) = status.error() {
                errors.insert(0, e);
            }
        }
    }
    if let Some(pfi) = mpm.get(0) {
        if !pol.pfi.iter().any(|p| p == pfi) {
            errors.push(CodeError::EmvInvalidValue {
                tag: "00".into(),
                reason: format!("payload format indicator `{pfi}` is not accepted"),
            });
        }
    }
    if let Some(poi) = mpm.get(1).filter(|p| !matches!(*p, "11" | "12")) {
        // Only 11 and 12 are defined; a wallet writing `10` is read as neither, and said so.
        code.deviations.push(format!("point_of_initiation_{poi}"));
    }
    for (tag, strict) in &mpm.not_templates {
        let name = format!("tag_{tag:02}_not_a_template");
        errors.extend(tolerated(&pol, name, strict.clone(), &mut code));
    }
    if !mpm.templates.iter().any(|(t, _)| (26..=51).contains(t))
        && !mpm.objects.iter().any(|o| (2..=25).contains(&o.tag))
    {
        errors.push(CodeError::EmvMissingTag {
            tag: "02-51 (merchant account information)".into(),
        });
    }
    for tag in pol
        .required_tags
        .iter()
        .filter(|t| !mpm.objects.iter().any(|o| o.tag_str() == **t))
    {
        let strict = CodeError::EmvMissingTag {
            tag: tag.to_string(),
        };
        errors.extend(tolerated(
            &pol,
            format!("tag_{tag}_missing"),
            strict,
            &mut code,
        ));
    }
    for path in pol.nested_templates {
        if let Some(value) = resolve(mpm, naming.account_tag, path) {
            if let Err(e) = tlv::read_template(&value, &concrete(path, naming.account_tag)) {
                errors.push(e);
            }
        }
    }
    for field in pol.required_fields {
        if typed.network_field(field).is_none_or(str::is_empty) {
            let path = pol
                .fields
                .iter()
                .find(|(n, _)| *n == field)
                .map_or(String::new(), |(_, p)| concrete(p, naming.account_tag));
            errors.push(CodeError::EmvMissingTag {
                tag: format!("{path} ({field})"),
            });
        }
    }
    let mut profiles = vec![(naming.network.as_str(), pol.country, pol.currency)];
    if let Some(p) = &ctx.profile {
        let pp = policy(reg, p);
        profiles.push((p.as_str(), pp.country, pp.currency));
    }
    for (profile, countries, currencies) in profiles {
        for (field, tag, allowed) in [("country", 58, countries), ("currency", 53, currencies)] {
            let found = mpm.get(tag).unwrap_or("");
            if !allowed.is_empty() && !allowed.iter().any(|a| a == found) {
                errors.push(CodeError::ProfileMismatch {
                    profile: profile.to_string(),
                    field: field.into(),
                    expected: allowed.join(" or "),
                    found: found.into(),
                });
            }
        }
    }
    match (mpm.get(54), mpm.get(53)) {
        (Some(amount), Some(cur)) => match Currency::from_numeric_str(cur) {
            Some(c) => match Money::parse_decimal(amount, c) {
                Ok(m) => code.amount = Some(m),
                Err(e) => errors.push(CodeError::amount("54", e)),
            },
            None => errors.push(CodeError::EmvInvalidValue {
                tag: "53".into(),
                reason: format!("unknown currency `{cur}`"),
            }),
        },
        (Some(_), None) => errors.push(CodeError::EmvMissingTag { tag: "53".into() }),
        _ => {}
    }
    code.error = errors.into_iter().next();
    code.payload = Payload::EmvMpm(Box::new(typed));
    code
}

fn static_or_dynamic(mpm: &Mpm<'_>, account: Option<u8>, pix: bool) -> StaticOrDynamic {
    if pix {
        let has = |p: &str| resolve(mpm, account, p).is_some_and(|v| !v.is_empty());
        if mpm.get(1) == Some("12") || has("account.25") {
            return StaticOrDynamic::Dynamic;
        }
        if has("account.01") {
            return StaticOrDynamic::Static;
        }
        let recurrence = mpm
            .templates
            .iter()
            .any(|(t, subs)| (80..=99).contains(t) && subs.iter().any(|s| s.tag == 25));
        return if recurrence {
            StaticOrDynamic::Recurrence
        } else {
            StaticOrDynamic::Unknown
        };
    }
    match mpm.get(1) {
        Some("11") => StaticOrDynamic::Static,
        Some("12") => StaticOrDynamic::Dynamic,
        _ => StaticOrDynamic::Unknown,
    }
}
