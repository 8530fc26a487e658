//! Amounts across the boundary: decimal text in, integer minor units out, and back.
//!
//! Apps never see floats: `Money.minor` is an `i64` count of the currency's minor unit.

use super::guard::{guarded, Panicked};
use hutong_core::money::{self, Currency};

/// An amount in integer minor units (fen, cents, yen) of an ISO 4217 currency.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Money {
    /// Count of the currency's minor unit: 2372 CNY is 23.72 yuan.
    pub minor: i64,
    /// Alphabetic ISO 4217 code, upper case ("CNY").
    pub currency: String,
}

/// Why an amount could not be parsed or formatted. The message (Kotlin `message`, Swift
/// `localizedDescription`) says which input and why, in English.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum AmountError {
    /// The text is empty: ask the user for an amount.
    #[error("{0}")]
    Empty(String),
    /// The text is not a plain decimal (digits with at most one `.`; no sign, spaces, grouping
    /// or `,` separator): show the message and let the user correct it.
    #[error("{0}")]
    NotDecimal(String),
    /// More significant decimal places than the currency has ("1.234" CNY, "1.5" JPY; trailing
    /// zeros such as "1.500" CNY are fine); never rounded: show the message and let the user
    /// correct it.
    #[error("{0}")]
    TooManyDecimals(String),
    /// The amount does not fit a 64-bit count of minor units.
    #[error("{0}")]
    Overflow(String),
    /// A minus sign: amounts are never negative.
    #[error("{0}")]
    Negative(String),
    /// The currency code is not an ISO 4217 alphabetic code the library knows.
    #[error("{0}")]
    UnknownCurrency(String),
    /// A bug in the library (a caught panic); the message is for a bug report.
    #[error("internal error in hutong (please report): {0}")]
    Internal(String),
}

impl From<money::AmountError> for AmountError {
    fn from(e: money::AmountError) -> Self {
        let text = e.to_string();
        match e {
            money::AmountError::Empty => AmountError::Empty(text),
            money::AmountError::NotDecimal(_) => AmountError::NotDecimal(text),
            money::AmountError::TooManyDecimals { .. } => AmountError::TooManyDecimals(text),
            money::AmountError::Overflow(_) => AmountError::Overflow(text),
            money::AmountError::Negative(_) => AmountError::Negative(text),
            money::AmountError::UnknownCurrency(_) => AmountError::UnknownCurrency(text),
        }
    }
}

impl From<Panicked> for AmountError {
    fn from(p: Panicked) -> Self {
        AmountError::Internal(p.0)
    }
}

impl From<money::Money> for Money {
    fn from(m: money::Money) -> Self {
        Money {
            minor: m.minor,
            currency: m.currency.alpha.to_owned(),
        }
    }
}

impl Money {
    /// The core amount, refusing a currency code the table does not know.
    pub(crate) fn to_core(&self) -> Result<money::Money, money::AmountError> {
        let currency = Currency::from_alpha(&self.currency)
            .ok_or_else(|| money::AmountError::UnknownCurrency(self.currency.clone()))?;
        Ok(money::Money::new(self.minor, currency))
    }
}

fn currency(alpha: &str) -> Result<Currency, AmountError> {
    Currency::from_alpha(alpha)
        .ok_or_else(|| money::AmountError::UnknownCurrency(alpha.to_owned()).into())
}

/// Parses user or payload text ("23.72") into minor units of `currency_alpha` ("CNY", case
/// insensitive; the result holds it upper case), exactly: digits beyond the currency's exponent
/// are `TooManyDecimals`, never rounded. "23.72" CNY is `Money(minor = 2372, currency = "CNY")`.
///
/// Throws `AmountError` (every variant but `Internal` is the user's or caller's input: show it).
#[uniffi::export]
pub fn parse_amount(decimal: String, currency_alpha: String) -> Result<Money, AmountError> {
    guarded(|| {
        let money = money::Money::parse_decimal(&decimal, currency(&currency_alpha)?)?;
        Ok(Money {
            minor: money.minor,
            currency: money.currency.alpha.to_owned(),
        })
    })
}

/// Formats an amount as plain decimal text with exactly the currency's exponent ("23.72" for
/// 2372 CNY, "1000" for 1000 JPY, "1.500" for 1500 KWD), without currency symbol or grouping:
/// localise it for display yourself. Throws `AmountError.UnknownCurrency` for a code the
/// library does not know.
#[uniffi::export]
pub fn format_amount(amount: Money) -> Result<String, AmountError> {
    guarded(|| {
        let currency = currency(&amount.currency)?;
        Ok(money::Money::new(amount.minor, currency).to_decimal_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amount(minor: i64, currency: &str) -> Money {
        Money {
            minor,
            currency: currency.to_owned(),
        }
    }

    #[test]
    fn parses_decimal_text_into_minor_units_with_canonical_currency() {
        assert_eq!(
            parse_amount("23.72".into(), "cny".into()),
            Ok(amount(2372, "CNY"))
        );
    }

    #[test]
    fn parses_zero_exponent_currencies_without_a_fraction() {
        assert_eq!(
            parse_amount("1000".into(), "JPY".into()),
            Ok(amount(1000, "JPY"))
        );
    }

    #[test]
    fn refuses_more_decimals_than_the_currency_has_with_a_readable_message() {
        let err = parse_amount("1.234".into(), "CNY".into()).unwrap_err();
        assert!(matches!(err, AmountError::TooManyDecimals(_)));
        assert_eq!(
            err.to_string(),
            "amount `1.234` has more than 2 decimal places"
        );
    }

    #[test]
    fn refuses_an_unknown_currency_by_name() {
        let err = parse_amount("1".into(), "XXX".into()).unwrap_err();
        assert_eq!(
            err,
            AmountError::UnknownCurrency("unknown currency `XXX`".into())
        );
    }

    fn parse_err(text: &str) -> AmountError {
        parse_amount(text.into(), "CNY".into()).unwrap_err()
    }

    #[test]
    fn refuses_empty_text() {
        assert_eq!(parse_err(""), AmountError::Empty("amount is empty".into()));
    }

    #[test]
    fn refuses_text_that_is_not_a_plain_decimal() {
        assert!(matches!(parse_err("1,00"), AmountError::NotDecimal(_)));
    }

    #[test]
    fn refuses_a_negative_amount() {
        assert!(matches!(parse_err("-1"), AmountError::Negative(_)));
    }

    #[test]
    fn refuses_an_amount_beyond_64_bits() {
        assert!(matches!(
            parse_err("99999999999999999999"),
            AmountError::Overflow(_)
        ));
    }

    #[test]
    fn turns_a_panic_into_the_internal_variant() {
        let err: AmountError =
            guarded(|| -> Result<(), AmountError> { panic!("boom") }).unwrap_err();
        assert_eq!(
            err.to_string(),
            "internal error in hutong (please report): boom"
        );
    }

    #[test]
    fn formats_with_exactly_the_currency_exponent() {
        assert_eq!(format_amount(amount(5, "CNY")), Ok("0.05".to_owned()));
        assert_eq!(format_amount(amount(1500, "KWD")), Ok("1.500".to_owned()));
        assert_eq!(format_amount(amount(1000, "JPY")), Ok("1000".to_owned()));
    }

    #[test]
    fn format_refuses_an_unknown_currency() {
        assert!(matches!(
            format_amount(amount(1, "ZZZ")),
            Err(AmountError::UnknownCurrency(_))
        ));
    }
}
