//! EMVCo MPM: naming the network from account templates, and applying its policy.
//!
//! Policy is data (`emv` in a network row, defaults in `emv_default`): which tags are
//! mandatory, whether a missing CRC is fatal or only flagged, accepted format indicators,
//! and friendly names for fields. Real networks break the spec in known, per-network ways.

use super::data::{Confidence, EmvDefault, EmvIdRow, EmvPolicy};
use super::{parse_receiver, Context, PaymentCode, Registry};
use crate::codes::emv_mpm::{self, CrcStatus, Mpm};
use crate::codes::tlv::{self, DataObject};
use crate::codes::{CodeError, Format, Presentation, Receiver, StaticOrDynamic};
use crate::money::{Currency, Money};
use std::collections::BTreeMap;

/// What the account templates say: network, the template that named it, receiver, confidence.
struct Naming {
    network: String,
    account_tag: Option<u8>,
    receiver: Receiver,
    confidence: Confidence,
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
        };
    }
    let first_account = templates
        .iter()
        .map(|(t, _)| *t)
        .find(|t| (26..=51).contains(t));
    for row in &reg.data.emv_reserved_tags {
        if objects.iter().any(|o| o.tag_str() == row.tag) {
            return Naming {
                network: row.network.clone(),
                account_tag: None,
                receiver: Receiver::Unknown,
                confidence: row.confidence,
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
            };
        }
    }
    Naming {
        network: "emvco_mpm".into(),
        account_tag: first_account,
        receiver: Receiver::Unknown,
        confidence: Confidence::High,
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
}

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
    };
    static NO_DEFAULT: EmvDefault = EmvDefault {
        required_tags: Vec::new(),
        missing_crc: String::new(),
        pfi: Vec::new(),
        fields: BTreeMap::new(),
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

fn from_mpm(reg: &Registry, text: &str, mpm: &Mpm<'_>, ctx: &Context) -> PaymentCode {
    let naming = name_network(reg, &mpm.objects, &mpm.templates);
    let pol = policy(reg, &naming.network);
    let mut code = reg.base(&naming.network, Format::EmvMpm);
    code.presentation = Presentation::Mpm;
    code.confidence = naming.confidence.min(code.confidence);
    code.receiver = naming.receiver;
    code.merchant_name = mpm.get(59).map(str::to_string);
    code.merchant_city = mpm.get(60).map(str::to_string);
    code.country = mpm.get(58).map(str::to_string);
    code.mcc = mpm.get(52).map(str::to_string);
    code.details = mpm.flatten();
    for (name, path) in &pol.fields {
        if let Some(v) = resolve(mpm, naming.account_tag, path) {
            code.details.insert((*name).clone(), v);
        }
    }
    code.details
        .insert("length_chars".into(), text.chars().count().to_string());
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

    let mut errors: Vec<CodeError> = Vec::new();
    match &mpm.crc {
        CrcStatus::Missing if !pol.crc_missing_fatal => {
            code.details.insert("crc_status".into(), "missing".into());
        }
        status => {
            if let Some(e) = status.error() {
                errors.push(e);
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
    if !mpm.templates.iter().any(|(t, _)| (26..=51).contains(t))
        && !mpm.objects.iter().any(|o| (2..=25).contains(&o.tag))
    {
        errors.push(CodeError::EmvMissingTag {
            tag: "02-51 (merchant account information)".into(),
        });
    }
    if let Some(tag) = pol
        .required_tags
        .iter()
        .find(|t| !mpm.objects.iter().any(|o| o.tag_str() == **t))
    {
        errors.push(CodeError::EmvMissingTag {
            tag: tag.to_string(),
        });
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
