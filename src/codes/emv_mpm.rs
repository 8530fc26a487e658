//! EMVCo merchant-presented mode (QRCPS-MPM): structure, templates, CRC, and an encoder.
//!
//! The parser enforces structure (ids, lengths, duplicates, templates, value characters) and
//! reports the CRC state; which tags are mandatory and whether a missing CRC is fatal are
//! per-network policy in the registry, because real networks break the spec in known ways.

use super::crc::crc16_hex;
use super::text::{self, FieldRule, Finding};
use super::tlv::{self, DataObject};
use super::{payload, CodeError};

/// Tags whose value is itself a list of data objects.
pub fn is_template(tag: u8) -> bool {
    matches!(tag, 26..=51 | 62 | 64 | 80..=99)
}

/// What tag 63 says about the payload.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CrcStatus {
    Valid,
    #[default]
    Missing,
    NotHex {
        found: String,
    },
    Mismatch {
        found: String,
        computed: String,
    },
}

impl CrcStatus {
    pub fn error(&self) -> Option<CodeError> {
        match self {
            CrcStatus::Valid => None,
            CrcStatus::Missing => Some(CodeError::EmvMissingCrc),
            CrcStatus::NotHex { found } => Some(CodeError::EmvCrcNotHex {
                found: found.clone(),
            }),
            CrcStatus::Mismatch { found, computed } => Some(CodeError::EmvCrcMismatch {
                found: found.clone(),
                computed: computed.clone(),
            }),
        }
    }
}

/// A structurally sound MPM payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mpm<'a> {
    pub objects: Vec<DataObject<'a>>,
    /// Parsed sub-objects of each template tag, in payload order.
    pub templates: Vec<(u8, Vec<DataObject<'a>>)>,
    pub crc: CrcStatus,
    /// Unreserved tags (80-99) whose value is not a template, with the error a strict reading
    /// gives. Some issuers put plain data there (TrueMoney: its message in 81); the registry
    /// tolerates that per network with a named deviation, and refuses it everywhere else.
    pub not_templates: Vec<(u8, CodeError)>,
    /// Display-text fields (`59`, `62.08`...) holding bidi formatting characters: flagged, not
    /// refused (see `text::FieldRule::Printable`).
    pub suspicious_text: Vec<String>,
}

/// A payload that failed structurally: what was read before the failure, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MpmFailure<'a> {
    pub partial: Vec<DataObject<'a>>,
    pub error: CodeError,
}

impl<'a> Mpm<'a> {
    pub fn get(&self, tag: u8) -> Option<&'a str> {
        self.objects.iter().find(|o| o.tag == tag).map(|o| o.value)
    }

    pub fn template(&self, tag: u8) -> Option<&[DataObject<'a>]> {
        self.templates
            .iter()
            .find(|(t, _)| *t == tag)
            .map(|(_, objs)| objs.as_slice())
    }

    pub fn sub(&self, tag: u8, sub: u8) -> Option<&'a str> {
        self.template(tag)?
            .iter()
            .find(|o| o.tag == sub)
            .map(|o| o.value)
    }

    /// The typed fields of the payload `text` this was parsed from. The CRC's policy and the
    /// network's friendly names are the registry's to add.
    pub fn to_payload(&self, text: &str) -> payload::EmvMpm {
        let mut out = payload::EmvMpm {
            crc: self.crc.clone(),
            length_chars: text.chars().count(),
            ..payload::EmvMpm::default()
        };
        let fields = |subs: &[DataObject<'_>]| -> Vec<payload::EmvField> {
            subs.iter()
                .map(|s| payload::EmvField {
                    tag: s.tag,
                    value: s.value.to_string(),
                })
                .collect()
        };
        for o in &self.objects {
            let Some(subs) = self.template(o.tag) else {
                out.set(o.tag, o.value.to_string());
                continue;
            };
            match o.tag {
                62 => {
                    let mut data = payload::AdditionalData::default();
                    for s in subs {
                        data.set(s.tag, s.value.to_string());
                    }
                    out.additional_data = Some(data);
                }
                64 => {
                    let mut lang = payload::MerchantLanguage::default();
                    for s in subs {
                        let v = Some(s.value.to_string());
                        match s.tag {
                            0 => lang.language = v,
                            1 => lang.merchant_name = v,
                            2 => lang.merchant_city = v,
                            _ => lang.other.push(payload::EmvField {
                                tag: s.tag,
                                value: s.value.to_string(),
                            }),
                        }
                    }
                    out.merchant_language = Some(lang);
                }
                tag => {
                    // Account and unreserved templates were checked to start with a GUID.
                    let guid = subs.iter().find(|s| s.tag == 0).map_or("", |s| s.value);
                    let rest: Vec<DataObject<'_>> =
                        subs.iter().filter(|s| s.tag != 0).cloned().collect();
                    let template = payload::EmvAccountTemplate {
                        tag,
                        guid: guid.to_string(),
                        fields: fields(&rest),
                    };
                    if (80..=99).contains(&tag) {
                        out.unreserved.push(template);
                    } else {
                        out.merchant_accounts.push(template);
                    }
                }
            }
        }
        out
    }
}

/// Parses an MPM payload. `text` must already be trimmed of surrounding whitespace.
pub fn parse(text: &str) -> Result<Mpm<'_>, MpmFailure<'_>> {
    let fail = |partial, error| Err(MpmFailure { partial, error });
    if !text.starts_with("0002") {
        return fail(Vec::new(), CodeError::EmvBadHeader);
    }
    let (objects, err) = tlv::read(text, "");
    if let Some(error) = err {
        return fail(objects, error);
    }
    if let Err(error) = tlv::check_duplicates(&objects, "") {
        return fail(objects, error);
    }
    let mut templates = Vec::new();
    let mut not_templates = Vec::new();
    let mut suspicious_text = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        let scope = || o.tag_str();
        if o.tag == 0 && i != 0 {
            return fail(objects, CodeError::EmvBadHeader);
        }
        if o.tag == 63 && i + 1 != objects.len() {
            return fail(
                objects.clone(),
                CodeError::EmvInvalidValue {
                    tag: scope(),
                    reason: "the CRC must be the last data object".into(),
                },
            );
        }
        let subs = if is_template(o.tag) {
            let strict = tlv::read_template(o.value, &scope())
                .and_then(|subs| check_template(o.tag, &subs).map(|()| subs));
            match strict {
                Ok(subs) => Some(subs),
                Err(error) if (80..=99).contains(&o.tag) => {
                    not_templates.push((o.tag, error));
                    None
                }
                Err(error) => return fail(objects.clone(), error),
            }
        } else {
            None
        };
        let screened = match &subs {
            Some(subs) => subs.iter().try_for_each(|s| {
                let path = format!("{}.{}", scope(), s.tag_str());
                screen(&path, s.value, sub_rule(o.tag, s.tag), &mut suspicious_text)
            }),
            None => screen(&scope(), o.value, top_rule(o.tag), &mut suspicious_text),
        };
        if let Err(error) = screened {
            return fail(objects.clone(), error);
        }
        if let Some(subs) = subs {
            templates.push((o.tag, subs));
        }
        if let Err(error) = check_format(o.tag, o.value) {
            return fail(objects.clone(), error);
        }
    }
    let crc = crc_status(text, &objects);
    Ok(Mpm {
        objects,
        templates,
        crc,
        not_templates,
        suspicious_text,
    })
}

fn check_template(tag: u8, subs: &[DataObject<'_>]) -> Result<(), CodeError> {
    if (26..=51).contains(&tag) || (80..=99).contains(&tag) {
        // Account and unreserved templates begin with a globally unique identifier.
        let guid = subs.iter().find(|s| s.tag == 0).map(|s| s.value);
        match guid {
            None | Some("") => {
                return Err(CodeError::EmvInvalidValue {
                    tag: format!("{tag:02}.00"),
                    reason: "the globally unique identifier is missing or empty".into(),
                })
            }
            Some(g) if g.chars().count() > 32 => {
                return Err(CodeError::EmvInvalidValue {
                    tag: format!("{tag:02}.00"),
                    reason: "the globally unique identifier is longer than 32 characters".into(),
                })
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Top-level values a payer reads as text (name, city, postal code) only flag bidi marks; every
/// other top-level value is a code, an amount or an identifier.
fn top_rule(tag: u8) -> FieldRule {
    match tag {
        59..=61 => FieldRule::Printable,
        // An unreserved tag read as plain data (TrueMoney's message) is display text too.
        80..=99 => FieldRule::Printable,
        _ => FieldRule::Identifier,
    }
}

/// Inside templates: additional data (62), the language template's names (64) and unreserved
/// data (80-99) are display text; account templates (26-51), GUIDs and the language code say
/// who is paid or how to read the rest, so they are identifiers.
fn sub_rule(tag: u8, sub: u8) -> FieldRule {
    match (tag, sub) {
        (62, _) | (64, 1..) => FieldRule::Printable,
        (80..=99, 1..) => FieldRule::Printable,
        _ => FieldRule::Identifier,
    }
}

/// Values are printable text ("ans", or UTF-8 in the national-language fields): a control
/// character means a corrupted or forged payload, and is refused like a bidi mark in an
/// identifier; a bidi mark in display text is recorded for the `text_spoofing` flag.
fn screen(
    path: &str,
    value: &str,
    rule: FieldRule,
    flagged: &mut Vec<String>,
) -> Result<(), CodeError> {
    match text::check(value, rule) {
        Ok(Finding::Clean) => Ok(()),
        Ok(Finding::Flag) => {
            flagged.push(path.to_string());
            Ok(())
        }
        Err(refused) => Err(CodeError::EmvInvalidValue {
            tag: path.to_string(),
            reason: refused.0,
        }),
    }
}

fn check_format(tag: u8, value: &str) -> Result<(), CodeError> {
    let bad = |reason: &str| {
        Err(CodeError::EmvInvalidValue {
            tag: format!("{tag:02}"),
            reason: reason.to_string(),
        })
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    match tag {
        0 | 1 if value.len() != 2 || !digits(value) => bad("must be two digits"),
        52 if value.len() != 4 || !digits(value) => bad("merchant category code must be 4 digits"),
        53 if value.len() != 3 || !digits(value) => bad("currency must be 3 digits (ISO 4217)"),
        54 | 56 => {
            let ok = !value.is_empty()
                && value.len() <= 13
                && value.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                && value.bytes().filter(|&b| b == b'.').count() <= 1
                && value != ".";
            if ok {
                Ok(())
            } else {
                bad("amount must be digits with at most one decimal point, up to 13 characters")
            }
        }
        58 if value.len() != 2 || !value.bytes().all(|b| b.is_ascii_alphabetic()) => {
            bad("country must be two letters (ISO 3166-1)")
        }
        _ => Ok(()),
    }
}

fn crc_status(text: &str, objects: &[DataObject<'_>]) -> CrcStatus {
    let Some(last) = objects.last().filter(|o| o.tag == 63) else {
        return CrcStatus::Missing;
    };
    if last.value.len() != 4 || !last.value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return CrcStatus::NotHex {
            found: last.value.to_string(),
        };
    }
    // Covers every byte up to and including the `6304` of the CRC object itself.
    let covered = &text.as_bytes()[..last.offset + 4];
    let computed = crc16_hex(covered);
    if computed.eq_ignore_ascii_case(last.value) {
        CrcStatus::Valid
    } else {
        CrcStatus::Mismatch {
            found: last.value.to_string(),
            computed,
        }
    }
}

/// One value to encode: a primitive string or a template of (sub-tag, value) pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Text(String),
    Template(Vec<(u8, String)>),
}

/// Why an encoder refused its input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    #[error("tag {0:02}: value longer than 99 characters")]
    TooLong(u8),
    #[error("tag {0:02} is written by the encoder itself (00 first, 63 last)")]
    Reserved(u8),
}

/// Encodes data objects (in the given order) behind `000201` and appends the CRC.
pub fn encode(fields: &[(u8, Field)]) -> Result<String, EncodeError> {
    let mut out = String::from("000201");
    for (tag, field) in fields {
        if *tag == 0 || *tag == 63 {
            return Err(EncodeError::Reserved(*tag));
        }
        match field {
            Field::Text(v) => tlv::write(&mut out, *tag, v).ok_or(EncodeError::TooLong(*tag))?,
            Field::Template(subs) => {
                let mut inner = String::new();
                for (sub, v) in subs {
                    tlv::write(&mut inner, *sub, v).ok_or(EncodeError::TooLong(*tag))?;
                }
                tlv::write(&mut out, *tag, &inner).ok_or(EncodeError::TooLong(*tag))?;
            }
        }
    }
    out.push_str("6304");
    let crc = crc16_hex(out.as_bytes());
    out.push_str(&crc);
    Ok(out)
}

/// Encodes sub-objects into one template value, for a template nested inside another (VietQR
/// writes bank BIN and account as template `01` inside its account template `38`).
pub fn encode_template(subs: &[(u8, &str)]) -> Result<String, EncodeError> {
    let mut out = String::new();
    for (sub, v) in subs {
        tlv::write(&mut out, *sub, v).ok_or(EncodeError::TooLong(*sub))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC_SAMPLE: &str = "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A";

    #[test]
    fn accepts_the_spec_sample_with_a_valid_crc_over_utf8_bytes() {
        let mpm = parse(SPEC_SAMPLE).expect("parses");
        assert_eq!(mpm.crc, CrcStatus::Valid);
        assert_eq!(mpm.sub(64, 1), Some("最佳运输"));
        assert_eq!(mpm.get(54), Some("23.72"));
    }

    #[test]
    fn reports_a_wrong_crc_with_the_computed_value() {
        let bad = SPEC_SAMPLE.replace("6304A13A", "6304A13B");
        let mpm = parse(&bad).expect("structure is fine");
        assert_eq!(
            mpm.crc,
            CrcStatus::Mismatch {
                found: "A13B".into(),
                computed: "A13A".into()
            }
        );
    }

    #[test]
    fn accepts_a_lower_case_crc() {
        let mpm = parse("00020101021138540010A00000072701240006970422011003523509170208QRIBFTTA53037045802VN630479db").unwrap();
        assert_eq!(mpm.crc, CrcStatus::Valid);
    }

    #[test]
    fn rejects_duplicate_top_level_tags_naming_the_tag() {
        let err = parse("00020101021101021253037046304FFFF").unwrap_err();
        assert_eq!(err.error, CodeError::EmvDuplicateTag { tag: "01".into() });
    }

    #[test]
    fn records_an_unreserved_tag_that_is_not_a_template_for_the_registry_to_judge() {
        // The registry refuses it unless the network tolerates it (TrueMoney's tag 81).
        let mpm = parse("0002018000").unwrap();
        let (tag, err) = &mpm.not_templates[0];
        assert_eq!(*tag, 80);
        assert_eq!(err.code(), "emv_invalid_value");
        assert!(err.to_string().contains("80.00"));
        let typed = mpm.to_payload("0002018000");
        assert_eq!(
            typed.other,
            [payload::EmvField {
                tag: 80,
                value: String::new()
            }]
        );
    }

    #[test]
    fn bidi_in_display_text_is_flagged_and_in_identifiers_refused() {
        let named = encode(&[
            (
                26,
                Field::Template(vec![(0, "br.gov.bcb.pix".into()), (1, "a@b.c".into())]),
            ),
            (59, Field::Text("SHOP\u{202e}POHS".into())),
            (62, Field::Template(vec![(8, "for \u{2067}tea".into())])),
        ])
        .unwrap();
        assert_eq!(parse(&named).unwrap().suspicious_text, ["59", "62.08"]);
        let account = encode(&[(
            26,
            Field::Template(vec![
                (0, "br.gov.bcb.pix".into()),
                (1, "a@b.c\u{202e}".into()),
            ]),
        )])
        .unwrap();
        let err = parse(&account).unwrap_err().error;
        assert!(err.to_string().contains("26.01"), "{err}");
        let control = encode(&[(60, Field::Text("BEIJING\u{1b}[2J".into()))]).unwrap();
        assert!(parse(&control)
            .unwrap_err()
            .error
            .to_string()
            .contains("U+001B"));
    }

    #[test]
    fn rejects_control_characters_in_values() {
        let err = parse("0002015902A\u{8}").unwrap_err();
        assert_eq!(err.error.code(), "emv_invalid_value");
    }

    #[test]
    fn rejects_a_crc_that_is_not_last() {
        let err = parse("00020163041234520400005303156").unwrap_err();
        assert!(err.error.to_string().contains("last"));
    }

    #[test]
    fn rejects_malformed_amounts() {
        let err = parse("00020154041.2.").unwrap_err();
        assert_eq!(err.error.code(), "emv_invalid_value");
    }

    #[test]
    fn encoder_output_parses_back_with_valid_crc() {
        let text = encode(&[
            (1, Field::Text("12".into())),
            (
                26,
                Field::Template(vec![(0, "br.gov.bcb.pix".into()), (1, "a@b.c".into())]),
            ),
            (59, Field::Text("最佳运输".into())),
        ])
        .unwrap();
        let mpm = parse(&text).unwrap();
        assert_eq!(mpm.crc, CrcStatus::Valid);
        assert_eq!(mpm.sub(26, 1), Some("a@b.c"));
        assert_eq!(mpm.get(59), Some("最佳运输"));
    }

    #[test]
    fn encoder_refuses_values_over_99_characters() {
        let long = "x".repeat(100);
        assert_eq!(
            encode(&[(59, Field::Text(long))]),
            Err(EncodeError::TooLong(59))
        );
    }
}
