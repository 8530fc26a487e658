//! EMVCo MPM data objects: two-digit id, two-digit length, value; lengths count characters.

use super::CodeError;

/// One data object; `value` borrows the payload, `offset` is the byte offset of its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataObject<'a> {
    pub tag: u8,
    pub value: &'a str,
    pub offset: usize,
}

impl DataObject<'_> {
    pub fn tag_str(&self) -> String {
        format!("{:02}", self.tag)
    }
}

/// Reads every object of `s`. On a structural error returns the objects read before it, so a
/// caller can still say what the payload was trying to be.
pub fn read<'a>(s: &'a str, scope: &str) -> (Vec<DataObject<'a>>, Option<CodeError>) {
    let mut out = Vec::with_capacity(24);
    let mut pos = 0usize;
    let bytes = s.as_bytes();
    while pos < s.len() {
        let name = |tag: &str| {
            if scope.is_empty() {
                tag.to_string()
            } else {
                format!("{scope}.{tag}")
            }
        };
        let Some(header) = bytes.get(pos..pos + 4) else {
            return (out, Some(CodeError::EmvTruncatedHeader { at: pos }));
        };
        let tag_bytes = &header[..2];
        if !tag_bytes.iter().all(u8::is_ascii_digit) {
            let tag = String::from_utf8_lossy(tag_bytes).into_owned();
            return (out, Some(CodeError::EmvInvalidTagId { tag: name(&tag) }));
        }
        let tag = (tag_bytes[0] - b'0') * 10 + (tag_bytes[1] - b'0');
        let tag_name = name(&format!("{tag:02}"));
        let len_bytes = &header[2..4];
        if !len_bytes.iter().all(u8::is_ascii_digit) {
            let len = String::from_utf8_lossy(len_bytes).into_owned();
            return (out, Some(CodeError::EmvBadLength { tag: tag_name, len }));
        }
        let len = usize::from((len_bytes[0] - b'0') * 10 + (len_bytes[1] - b'0'));
        let start = pos + 4;
        // Lengths count characters, so walk `len` chars to find the value's byte end.
        let rest = &s[start..];
        let end = if len == 0 {
            Some(start)
        } else {
            rest.char_indices()
                .nth(len - 1)
                .map(|(i, c)| start + i + c.len_utf8())
        };
        let Some(end) = end else {
            return (out, Some(CodeError::EmvValueOverrun { tag: tag_name, len }));
        };
        out.push(DataObject {
            tag,
            value: &s[start..end],
            offset: pos,
        });
        pos = end;
    }
    (out, None)
}

/// Reads a template value strictly: any structural error or duplicate sub-tag is returned.
pub fn read_template<'a>(value: &'a str, scope: &str) -> Result<Vec<DataObject<'a>>, CodeError> {
    let (objects, err) = read(value, scope);
    if let Some(e) = err {
        return Err(e);
    }
    check_duplicates(&objects, scope)?;
    Ok(objects)
}

pub fn check_duplicates(objects: &[DataObject<'_>], scope: &str) -> Result<(), CodeError> {
    let mut seen = [false; 100];
    for o in objects {
        let slot = &mut seen[usize::from(o.tag)];
        if *slot {
            let tag = if scope.is_empty() {
                o.tag_str()
            } else {
                format!("{scope}.{}", o.tag_str())
            };
            return Err(CodeError::EmvDuplicateTag { tag });
        }
        *slot = true;
    }
    Ok(())
}

/// Writes one object; `None` if the value is longer than 99 characters.
pub fn write(out: &mut String, tag: u8, value: &str) -> Option<()> {
    let len = value.chars().count();
    if len > 99 || tag > 99 {
        return None;
    }
    out.push_str(&format!("{tag:02}{len:02}"));
    out.push_str(value);
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_length_in_characters_not_bytes() {
        let (objs, err) = read("0104最佳运输0202北京", "64");
        assert!(err.is_none());
        assert_eq!(objs[0].value, "最佳运输");
        assert_eq!(objs[1].value, "北京");
    }

    #[test]
    fn reports_truncated_header_with_its_position() {
        let (objs, err) = read("00020163", "");
        assert_eq!(objs.len(), 1);
        assert_eq!(err, Some(CodeError::EmvTruncatedHeader { at: 6 }));
    }

    #[test]
    fn reports_value_overrun_naming_the_tag() {
        let (_, err) = read("0110ABC", "");
        assert_eq!(
            err,
            Some(CodeError::EmvValueOverrun {
                tag: "01".into(),
                len: 10
            })
        );
    }

    #[test]
    fn rejects_non_digit_tag_ids() {
        let (_, err) = read("AA0212", "");
        assert_eq!(err, Some(CodeError::EmvInvalidTagId { tag: "AA".into() }));
    }

    #[test]
    fn names_nested_duplicates_with_their_template() {
        let objs = read_template("0102ab0102cd", "62");
        assert_eq!(
            objs,
            Err(CodeError::EmvDuplicateTag {
                tag: "62.01".into()
            })
        );
    }
}
