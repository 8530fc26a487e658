//! The payer's one-time pay code (`auth_code`): a secret that prints masked and is never stored.

use std::fmt;

/// Why a payer code was refused before anything was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayerCodeError {
    #[error("payer code must be 10 to 32 digits")]
    BadShape,
}

/// A payer code. `Debug` and `Display` show only the last 4 digits; the clear value leaves this
/// type only for the one request body that needs it, and the buffer is zeroed on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct PayerCode(String);

impl PayerCode {
    /// Accepts 10-32 ASCII digits (WeChat 18, Alipay 16-24, UnionPay 19), spaces stripped.
    pub fn parse(text: &str) -> Result<PayerCode, PayerCodeError> {
        let digits: String = text.chars().filter(|c| *c != ' ').collect();
        if !(10..=32).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PayerCodeError::BadShape);
        }
        Ok(PayerCode(digits))
    }

    /// The form the journal and the UI may keep: `••••6789`.
    pub fn masked(&self) -> String {
        let tail = self.0.get(self.0.len().saturating_sub(4)..).unwrap_or("");
        format!("••••{tail}")
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PayerCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PayerCode({})", self.masked())
    }
}

impl fmt::Display for PayerCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl Drop for PayerCode {
    fn drop(&mut self) {
        // Best effort: overwrite the digits before the allocation is freed.
        let zeros = "0".repeat(self.0.len());
        self.0.replace_range(.., &zeros);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_show_only_the_last_four_digits() {
        let c = PayerCode::parse("134567890123456789").unwrap();
        assert_eq!(format!("{c}"), "••••6789");
        assert_eq!(format!("{c:?}"), "PayerCode(••••6789)");
        assert!(!format!("{c:?}").contains("1345678"));
    }

    #[test]
    fn rejects_letters_and_wrong_lengths() {
        assert_eq!(
            PayerCode::parse("13456789a123456789"),
            Err(PayerCodeError::BadShape)
        );
        assert_eq!(PayerCode::parse("123"), Err(PayerCodeError::BadShape));
        assert_eq!(
            PayerCode::parse(&"1".repeat(33)),
            Err(PayerCodeError::BadShape)
        );
    }

    #[test]
    fn spaces_from_a_typed_code_are_ignored() {
        let c = PayerCode::parse("1345 6789 0123 4567 89").unwrap();
        assert_eq!(c.expose(), "134567890123456789");
    }
}
