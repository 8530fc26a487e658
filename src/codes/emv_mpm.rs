//! EMVCo merchant-presented mode (QRCPS-MPM): structure, templates, CRC, and an encoder.
//!
//! The parser enforces structure (ids, lengths, duplicates, templates, value characters) and
//! reports the CRC state; which tags are mandatory and whether a missing CRC is fatal are
//! per-network policy in the registry, because real networks break the spec in known ways.

use super::crc::crc16_hex;
use super::tlv::{self, DataObject};
use super::CodeError;
use std::collections::BTreeMap;

/// Tags whose value is itself a list of data objects.
pub fn is_template(tag: u8) -> bool {
    matches!(tag, 26..=51 | 62 | 64 | 80..=99)
}

/// What tag 63 says about the payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CrcStatus {
    Valid,
    Missing,
    NotHex { found: String },
    Mismatch { found: String, computed: String },
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

    /// Every field as a flat `name -> value` map: top-level tags by number, templates as
    /// `mai.26.guid`, `additional_data.05`, `language_template.merchant_name`, `unreserved.80.01`.
    pub fn flatten(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for o in &self.objects {
            if !is_template(o.tag) {
                out.insert(o.tag_str(), o.value.to_string());
            }
        }
        for (tag, objs) in &self.templates {
            for o in objs {
                let key = match tag {
                    62 => format!("additional_data.{}", o.tag_str()),
                    64 => match o.tag {
                        0 => "language_template.language".to_string(),
                        1 => "language_template.merchant_name".to_string(),
                        2 => "language_template.merchant_city".to_string(),
                        _ => format!("language_template.{}", o.tag_str()),
                    },
                    t => {
                        let group = if (80..=99).contains(t) {
                            "unreserved"
                        } else {
                            "mai"
                        };
                        let sub = if o.tag == 0 {
                            "guid".to_string()
                        } else {
                            o.tag_str()
                        };
                        format!("{group}.{t:02}.{sub}")
                    }
                };
                out.insert(key, o.value.to_string());
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
        if is_template(o.tag) {
            let subs = match tlv::read_template(o.value, &scope()) {
                Ok(s) => s,
                Err(error) => return fail(objects.clone(), error),
            };
            if let Err(error) = check_template(o.tag, &subs) {
                return fail(objects.clone(), error);
            }
            templates.push((o.tag, subs));
        } else if has_control(o.value) {
            return fail(objects.clone(), control_error(&scope()));
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
    })
}

fn check_template(tag: u8, subs: &[DataObject<'_>]) -> Result<(), CodeError> {
    for s in subs {
        if has_control(s.value) {
            return Err(control_error(&format!("{tag:02}.{}", s.tag_str())));
        }
    }
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

/// Values are printable text; a control character means a corrupted or forged payload.
fn has_control(value: &str) -> bool {
    value.chars().any(char::is_control)
}

fn control_error(tag: &str) -> CodeError {
    CodeError::EmvInvalidValue {
        tag: tag.to_string(),
        reason: "contains a control character".into(),
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
    fn rejects_an_unreserved_template_with_an_empty_guid() {
        let err = parse("0002018000").unwrap_err();
        assert_eq!(err.error.code(), "emv_invalid_value");
        assert!(err.error.to_string().contains("80.00"));
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
