//! EMVCo consumer-presented mode (QRCPS-CPM): base64 of BER-TLV, `85 05 "CPV01"` first.
//!
//! Always a payer's one-time token: the wallet that scans it is acting as a merchant.

use super::text::FieldRule;
use super::{
    base64, payload, to_hex_upper, CodeError, Format, Parsed, Payload, Presentation,
    StaticOrDynamic,
};

/// One BER-TLV object; `children` is filled for constructed tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ber {
    pub tag: u32,
    pub value: Vec<u8>,
    pub children: Vec<Ber>,
}

impl Ber {
    pub fn tag_hex(&self) -> String {
        format!("{:X}", self.tag)
    }

    fn find(&self, tag: u32) -> Option<&Ber> {
        self.children.iter().find(|c| c.tag == tag)
    }
}

/// True if the text looks like a CPM token (cheap test before a full decode).
pub fn looks_like_cpm(text: &str) -> bool {
    text.starts_with("hQVDUFYw")
}

/// Reads BER-TLV objects. `lenient` accepts one real-world quirk: a length byte >= 0x80 whose
/// long-form reading is impossible is taken as a one-byte length (QRIS CPM writes 147 as `93`).
pub fn read_ber(data: &[u8], base: usize, lenient: bool, depth: u8) -> Result<Vec<Ber>, CodeError> {
    let err = |at: usize, reason: &str| CodeError::CpmBer {
        at,
        reason: reason.to_string(),
    };
    if depth > 8 {
        return Err(err(base, "templates nested too deep"));
    }
    let mut out = Vec::new();
    let mut i = 0usize;
    while i < data.len() {
        let start = i;
        let first = data[i];
        let constructed = first & 0x20 != 0;
        let mut tag = u32::from(first);
        i += 1;
        if first & 0x1F == 0x1F {
            loop {
                let b = *data.get(i).ok_or_else(|| err(base + i, "tag cut short"))?;
                if tag > 0x00FF_FFFF {
                    return Err(err(base + start, "tag longer than 4 bytes"));
                }
                tag = tag << 8 | u32::from(b);
                i += 1;
                if b & 0x80 == 0 {
                    break;
                }
            }
        }
        let lb = *data.get(i).ok_or_else(|| err(base + i, "length missing"))?;
        i += 1;
        let len = if lb < 0x80 {
            usize::from(lb)
        } else {
            let n = usize::from(lb & 0x7F);
            let long = (1..=3).contains(&n) && i + n <= data.len();
            if long {
                let mut l = 0usize;
                for &b in &data[i..i + n] {
                    l = l << 8 | usize::from(b);
                }
                if i + n + l <= data.len() {
                    i += n;
                    l
                } else if lenient && i + usize::from(lb) <= data.len() {
                    usize::from(lb)
                } else {
                    return Err(err(base + start, "value runs past the end"));
                }
            } else if lenient && i + usize::from(lb) <= data.len() {
                usize::from(lb)
            } else {
                return Err(err(base + start, "unsupported length form"));
            }
        };
        let end = i
            .checked_add(len)
            .filter(|&e| e <= data.len())
            .ok_or_else(|| err(base + start, "value runs past the end"))?;
        let value = data[i..end].to_vec();
        let children = if constructed {
            read_ber(&value, base + i, lenient, depth + 1)?
        } else {
            Vec::new()
        };
        out.push(Ber {
            tag,
            value,
            children,
        });
        i = end;
    }
    Ok(out)
}

fn text(v: &[u8]) -> String {
    String::from_utf8_lossy(v).into_owned()
}

/// Track-2 and PAN are BCD nibbles padded with `F`; the separator `D` ends the PAN.
fn bcd_digits(v: &[u8]) -> String {
    let hex = to_hex_upper(v);
    hex.split(['D', 'F']).next().unwrap_or("").to_string()
}

/// Parses a CPM token. Returns the parsed fields plus the AIDs of its applications (the
/// registry names the network from them).
pub fn parse(token: &str) -> Result<(Parsed, Vec<String>), CodeError> {
    let bytes = base64::decode(token).ok_or(CodeError::CpmBase64)?;
    parse_bytes(&bytes)
}

pub fn parse_bytes(bytes: &[u8]) -> Result<(Parsed, Vec<String>), CodeError> {
    let top = read_ber(bytes, 0, true, 0)?;
    let mut p = Parsed::new(Format::EmvCpm, None);
    p.presentation = Presentation::Cpm;
    p.static_or_dynamic = StaticOrDynamic::Dynamic;
    match top.first() {
        Some(o) if o.tag == 0x85 && o.value == b"CPV01" => {}
        _ => return Err(CodeError::CpmBadIndicator),
    }
    if top.iter().filter(|o| o.tag == 0x85).count() > 1 {
        return Err(CodeError::CpmDuplicateTag {
            tag: "85".into(),
            scope: "payload".into(),
        });
    }
    let mut cpm = payload::EmvCpm::default();
    let mut aids = Vec::new();
    let mut app_tags: Vec<u32> = Vec::new();
    let mut common_tags: Vec<u32> = Vec::new();
    let mut app_index = 0;
    for o in &top[1..] {
        match o.tag {
            0x61 => {
                // The AID is what the token pays from; a template without it is cut short.
                let aid = o.find(0x4F).ok_or_else(|| CodeError::CpmInvalid {
                    tag: format!("61 (application {app_index})"),
                    reason: "the application identifier (4F) is missing".into(),
                })?;
                let aid = to_hex_upper(&aid.value);
                aids.push(aid.clone());
                let label = match o.find(0x50) {
                    Some(label) => {
                        let label = text(&label.value);
                        screen(&mut p, "50", &label, FieldRule::Printable)?;
                        Some(label)
                    }
                    None => None,
                };
                cpm.applications
                    .push(payload::CpmApplication { aid, label });
                app_index += 1;
                collect(o, &mut app_tags, "application template")?;
                fill_common(&mut p, &mut cpm, o)?;
            }
            0x62 => {
                collect(o, &mut common_tags, "common data template")?;
                fill_common(&mut p, &mut cpm, o)?;
            }
            // Only application and common data templates follow the indicator; anything else
            // here is the tail of a template whose length was cut.
            other => {
                return Err(CodeError::CpmInvalid {
                    tag: format!("{other:X}"),
                    reason: "only application (61) and common data (62) templates may follow \
                             the payload format indicator"
                        .into(),
                })
            }
        }
    }
    // A data element belongs either to an application or to the common data, never both.
    if let Some(t) = common_tags.iter().find(|t| app_tags.contains(t)) {
        return Err(CodeError::CpmDuplicateTag {
            tag: format!("{t:X}"),
            scope: "common data template and an application template".into(),
        });
    }
    if aids.is_empty() {
        return Err(CodeError::CpmInvalid {
            tag: "61".into(),
            reason: "no application template".into(),
        });
    }
    // A token must say which account pays: a PAN (5A) or Track 2 (57), in an application
    // template or the common data. Without one nothing can be collected.
    if cpm.pan.is_none() && cpm.track2_pan.is_none() {
        return Err(CodeError::CpmInvalid {
            tag: "5A/57".into(),
            reason: "neither a PAN (5A) nor Track 2 equivalent data (57) is present".into(),
        });
    }
    p.payload = Payload::EmvCpm(cpm);
    Ok((p, aids))
}

fn collect(o: &Ber, tags: &mut Vec<u32>, scope: &str) -> Result<(), CodeError> {
    let mut local: Vec<u32> = Vec::new();
    for c in &o.children {
        if local.contains(&c.tag) {
            return Err(CodeError::CpmDuplicateTag {
                tag: c.tag_hex(),
                scope: scope.to_string(),
            });
        }
        local.push(c.tag);
    }
    tags.extend(
        local
            .iter()
            .filter(|t| **t != 0x4F && **t != 0x50 && **t != 0x63),
    );
    Ok(())
}

fn screen(p: &mut Parsed, tag: &str, value: &str, rule: FieldRule) -> Result<(), CodeError> {
    p.screen(tag, value, rule)
        .map_err(|reason| CodeError::CpmInvalid {
            tag: tag.to_string(),
            reason,
        })
}

fn fill_common(p: &mut Parsed, cpm: &mut payload::EmvCpm, o: &Ber) -> Result<(), CodeError> {
    for c in &o.children {
        let value = match c.tag {
            0x5A | 0x57 => bcd_digits(&c.value),
            0x5F20 | 0x5F2D | 0x5F50 => text(&c.value),
            0x9F10 | 0x9F26 | 0x9F36 | 0x9F37 => to_hex_upper(&c.value),
            0x63 | 0x64 => {
                fill_common(p, cpm, c)?;
                continue;
            }
            _ => continue,
        };
        // The merchant's terminal shows the cardholder name: display text. The issuer URL and
        // language code are read by machines: identifiers.
        let rule = match c.tag {
            0x5F20 => FieldRule::Printable,
            _ => FieldRule::Identifier,
        };
        screen(p, &c.tag_hex(), &value, rule)?;
        // The first occurrence of an element wins.
        if let Some(slot) = cpm.slot(c.tag) {
            slot.get_or_insert(value);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(p: &Parsed) -> &payload::EmvCpm {
        match &p.payload {
            Payload::EmvCpm(cpm) => cpm,
            other => panic!("not a CPM payload: {other:?}"),
        }
    }

    const SPEC: &str = "hQVDUFYwMWETTwegAAAAVVVVUAhQcm9kdWN0MWETTwegAAAAZmZmUAhQcm9kdWN0MmJJWggSNFZ4kBI0WF8gDkNBUkRIT0xERVIvRU1WXy0IcnVlc2RlZW5kIZ8QBwYBCgMAAACfJghYT9OF+iNLzJ82AgABnzcEbVjvEw==";

    #[test]
    fn reads_the_spec_sample_applications_and_common_data() {
        let (p, aids) = parse(SPEC).unwrap();
        assert_eq!(aids, ["A0000000555555", "A0000000666666"]);
        assert_eq!(typed(&p).pan.as_deref(), Some("1234567890123458"));
        assert_eq!(
            typed(&p).application_cryptogram.as_deref(),
            Some("584FD385FA234BCC")
        );
    }

    #[test]
    fn rejects_a_token_whose_first_object_is_not_cpv01() {
        let token = base64::encode(&[0x85, 0x05, b'C', b'P', b'V', b'0', b'2']);
        assert_eq!(parse(&token).unwrap_err(), CodeError::CpmBadIndicator);
    }

    #[test]
    fn rejects_a_length_running_past_the_end() {
        let token = base64::encode(&[0x85, 0x05, b'C', b'P', b'V', b'0', b'1', 0x61, 0x10, 0x4F]);
        assert_eq!(parse(&token).unwrap_err().code(), "cpm_ber");
    }

    const UNIONPAY: &str = "hQVDUFYwMWFWTwigAAADMwEBAlcRYmNgAQBxNnLSMSIBAAABiAFfNAEAYzOfJghWite85mtxi58nAYCfEBEHAAEDoAAAAQgwMDAwMDAwMZ82AhEiggIAAJ83BCJgSI4=";

    #[test]
    fn truncated_cpm_application_template_is_not_valid() {
        let bytes = base64::decode(UNIONPAY).unwrap();
        assert!(parse_bytes(&bytes).is_ok());
        // The application template cut after its AID (length fixed up): no PAN, no Track 2.
        let aid_only = [&bytes[..7], &[0x61, 0x0A], &bytes[9..19]].concat();
        assert_eq!(parse_bytes(&aid_only).unwrap_err().code(), "cpm_invalid");
        // Its length byte cut instead: the rest spills out to the top level.
        let mut short = bytes.clone();
        short[8] = 0x0A;
        assert_eq!(parse_bytes(&short).unwrap_err().code(), "cpm_invalid");
        // Cut anywhere: never a valid token.
        for end in 8..bytes.len() {
            assert!(parse_bytes(&bytes[..end]).is_err(), "cut at {end}");
        }
        for end in 4..UNIONPAY.trim_end_matches('=').len() {
            assert!(parse(&UNIONPAY[..end]).is_err(), "text cut at {end}");
        }
    }

    #[test]
    fn an_application_template_without_an_aid_is_not_valid() {
        let data = [
            &[
                0x85, 0x05, b'C', b'P', b'V', b'0', b'1', 0x61, 0x0A, 0x5A, 0x08,
            ][..],
            &[0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x34, 0x58],
        ]
        .concat();
        let err = parse_bytes(&data).unwrap_err();
        assert!(err.to_string().contains("4F"), "{err}");
    }

    #[test]
    fn a_cardholder_name_with_an_escape_sequence_is_refused() {
        let (p, _) = parse(SPEC).unwrap();
        assert_eq!(typed(&p).cardholder_name.as_deref(), Some("CARDHOLDER/EMV"));
        let mut bytes = base64::decode(SPEC).unwrap();
        let at = bytes.windows(4).position(|w| w == b"CARD").unwrap();
        bytes[at] = 0x1B;
        assert_eq!(parse_bytes(&bytes).unwrap_err().code(), "cpm_invalid");
    }

    #[test]
    fn accepts_a_non_canonical_single_byte_length_above_127() {
        let mut data = vec![0x85, 0x05, b'C', b'P', b'V', b'0', b'1', 0x61, 0x84];
        data.extend(std::iter::repeat_n(0x00, 0x84));
        assert!(read_ber(&data, 0, true, 0).is_ok());
        assert!(read_ber(&data, 0, false, 0).is_err());
    }
}
