//! Text hygiene: characters that can rewrite a screen or disguise what is shown.
//!
//! Two classes matter for a payment screen or a terminal:
//! - controls: C0 (U+0000-001F), DEL and C1 (U+0080-009F). ESC starts terminal escape
//!   sequences (clear screen, move the cursor, retitle the window); CR/BS overwrite what was
//!   printed; none has a place in a one-line name.
//! - bidi formatting: embeddings and overrides (U+202A-202E), isolates (U+2066-2069), the marks
//!   U+200E/200F/061C, and the line/paragraph separators U+2028/2029. U+202E turns
//!   `SHOP\u{202e}lanigiro` into something that reads differently from the bytes that are paid.
//!
//! Each parser decides per field, by [`FieldRule`], whether such a character refuses the
//! payload or only flags it (`text_spoofing` risk); every printer escapes them.

use std::borrow::Cow;
use std::io;

/// What kind of field a value sits in, which decides refuse vs flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldRule {
    /// Account numbers, VPAs, addresses, GUIDs, references: ASCII by every format's rules and
    /// compared byte for byte, so any hidden character can only disguise who is paid. Refused.
    Identifier,
    /// Single-line display text (names, cities, notes) in formats whose rules say "printable":
    /// a control is corruption or an attack (refused); a bidi mark has honest uses in
    /// right-to-left names, so it is flagged and shown escaped instead of refusing a real code.
    Printable,
    /// Free text the format allows any Unicode in, line breaks included (a BOLT11 description,
    /// a BIP21 message): tab and line breaks pass, every other control or bidi mark is flagged.
    FreeText,
}

/// What a value contains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finding {
    Clean,
    /// Only flag-worthy characters for this rule: the payload stays usable, `text_spoofing` set.
    Flag,
}

/// Why a value was refused; the message names the first offending character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

/// C0, DEL and C1 controls (Unicode general category Cc).
pub fn is_control(c: char) -> bool {
    c.is_control()
}

/// Bidi embeddings, overrides, isolates, marks, and the Unicode line/paragraph separators.
pub fn is_bidi_or_separator(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// True for any character a printer must escape.
pub fn is_unsafe(c: char) -> bool {
    is_control(c) || is_bidi_or_separator(c)
}

fn describe(c: char) -> String {
    let what = if is_control(c) {
        "a control character"
    } else {
        "a bidi formatting character"
    };
    format!("contains {what} (U+{:04X})", u32::from(c))
}

/// Checks one field's value against its rule.
pub fn check(value: &str, rule: FieldRule) -> Result<Finding, Refused> {
    let mut finding = Finding::Clean;
    for c in value.chars().filter(|&c| is_unsafe(c)) {
        match rule {
            FieldRule::Identifier => return Err(Refused(describe(c))),
            FieldRule::Printable if is_control(c) => return Err(Refused(describe(c))),
            FieldRule::FreeText if matches!(c, '\t' | '\n' | '\r') => {}
            FieldRule::Printable | FieldRule::FreeText => finding = Finding::Flag,
        }
    }
    Ok(finding)
}

/// The text with every unsafe character written as `\u{202e}` (lower-case hex), for terminals
/// and logs. Borrowed when there is nothing to escape.
pub fn escape_for_display(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A compact JSON formatter that also writes C1 controls, DEL and the bidi/separator
/// characters as `\uXXXX` (serde_json escapes only C0), so printed JSON never carries them raw.
struct SafeFormatter;

impl serde_json::ser::Formatter for SafeFormatter {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_unsafe(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                // Every unsafe character is in the BMP, so one \uXXXX escape is exact.
                write!(writer, "\\u{:04x}", u32::from(c))?;
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

/// Serialises `value` as compact JSON with every unsafe character escaped.
pub fn to_safe_json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    let mut buf = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, SafeFormatter);
    if value.serialize(&mut ser).is_err() {
        // Values built from `serde_json::Value` or plain structs cannot fail; keep output JSON.
        return "null".to_owned();
    }
    // The formatter writes only valid UTF-8 (escapes are ASCII, fragments are `str`).
    String::from_utf8(buf).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_refuse_controls_and_bidi() {
        assert!(check("acct\u{202e}1", FieldRule::Identifier).is_err());
        assert!(check("acct\u{1b}1", FieldRule::Identifier).is_err());
        assert_eq!(check("acct-1", FieldRule::Identifier), Ok(Finding::Clean));
    }

    #[test]
    fn printable_text_refuses_controls_and_flags_bidi() {
        let e = check("SHOP\u{1b}[2J", FieldRule::Printable).unwrap_err();
        assert!(e.0.contains("U+001B"), "{}", e.0);
        assert!(check("SHOP\u{9b}", FieldRule::Printable).is_err());
        assert_eq!(
            check("SHOP\u{202e}lanigiro", FieldRule::Printable),
            Ok(Finding::Flag)
        );
        for c in [
            '\u{202a}', '\u{2066}', '\u{2069}', '\u{200e}', '\u{200f}', '\u{61c}',
        ] {
            assert_eq!(
                check(&format!("a{c}b"), FieldRule::Printable),
                Ok(Finding::Flag)
            );
        }
        assert_eq!(
            check("最佳运输 Lê", FieldRule::Printable),
            Ok(Finding::Clean)
        );
    }

    #[test]
    fn free_text_keeps_line_breaks_and_flags_the_rest() {
        assert_eq!(check("a\nb\tc", FieldRule::FreeText), Ok(Finding::Clean));
        assert_eq!(check("a\u{1b}b", FieldRule::FreeText), Ok(Finding::Flag));
        assert_eq!(check("a\u{202e}b", FieldRule::FreeText), Ok(Finding::Flag));
    }

    #[test]
    fn display_escaping_writes_each_unsafe_character_as_a_rust_escape() {
        assert_eq!(
            escape_for_display("A\u{202e}B\u{1b}[2J\u{85}"),
            "A\\u{202e}B\\u{1b}[2J\\u{85}"
        );
        assert!(matches!(escape_for_display("最佳运输"), Cow::Borrowed(_)));
    }

    #[test]
    fn safe_json_escapes_bidi_c1_and_del_and_stays_parseable() {
        let v = serde_json::json!({"n": "A\u{202e}B\u{85}C\u{7f}D\u{1b}E\u{2028}最"});
        let s = to_safe_json(&v);
        assert!(!s.chars().any(is_unsafe), "{s}");
        assert!(s.contains("\\u202e") && s.contains("\\u0085") && s.contains("\\u007f"));
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }
}
