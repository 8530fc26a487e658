//! Money as integer minor units with an ISO 4217 currency. Never floats.
//!
//! Decimal strings ("23.72") convert to minor units by integer arithmetic with an exact-scale
//! check: "1.234" CNY is an error, not 1.23.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One ISO 4217 currency: alphabetic code, numeric code and minor-unit exponent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    pub alpha: &'static str,
    pub numeric: u16,
    pub exponent: u8,
}

/// The currencies payment codes we meet carry (EMVCo tag 53 is numeric, URIs use alpha).
/// Exponents per ISO 4217; providers that deviate override them in their own tables.
const CURRENCIES: &[Currency] = &[
    Currency {
        alpha: "AED",
        numeric: 784,
        exponent: 2,
    },
    Currency {
        alpha: "AUD",
        numeric: 36,
        exponent: 2,
    },
    Currency {
        alpha: "BDT",
        numeric: 50,
        exponent: 2,
    },
    Currency {
        alpha: "BHD",
        numeric: 48,
        exponent: 3,
    },
    Currency {
        alpha: "BRL",
        numeric: 986,
        exponent: 2,
    },
    Currency {
        alpha: "BTC",
        numeric: 0,
        exponent: 8,
    },
    Currency {
        alpha: "CAD",
        numeric: 124,
        exponent: 2,
    },
    Currency {
        alpha: "CHF",
        numeric: 756,
        exponent: 2,
    },
    Currency {
        alpha: "CNY",
        numeric: 156,
        exponent: 2,
    },
    Currency {
        alpha: "EUR",
        numeric: 978,
        exponent: 2,
    },
    Currency {
        alpha: "GBP",
        numeric: 826,
        exponent: 2,
    },
    Currency {
        alpha: "HKD",
        numeric: 344,
        exponent: 2,
    },
    Currency {
        alpha: "IDR",
        numeric: 360,
        exponent: 2,
    },
    Currency {
        alpha: "INR",
        numeric: 356,
        exponent: 2,
    },
    Currency {
        alpha: "JOD",
        numeric: 400,
        exponent: 3,
    },
    Currency {
        alpha: "JPY",
        numeric: 392,
        exponent: 0,
    },
    Currency {
        alpha: "KHR",
        numeric: 116,
        exponent: 2,
    },
    Currency {
        alpha: "KRW",
        numeric: 410,
        exponent: 0,
    },
    Currency {
        alpha: "KWD",
        numeric: 414,
        exponent: 3,
    },
    Currency {
        alpha: "LAK",
        numeric: 418,
        exponent: 2,
    },
    Currency {
        alpha: "LKR",
        numeric: 144,
        exponent: 2,
    },
    Currency {
        alpha: "MMK",
        numeric: 104,
        exponent: 2,
    },
    Currency {
        alpha: "MOP",
        numeric: 446,
        exponent: 2,
    },
    Currency {
        alpha: "MYR",
        numeric: 458,
        exponent: 2,
    },
    Currency {
        alpha: "NPR",
        numeric: 524,
        exponent: 2,
    },
    Currency {
        alpha: "NZD",
        numeric: 554,
        exponent: 2,
    },
    Currency {
        alpha: "OMR",
        numeric: 512,
        exponent: 3,
    },
    Currency {
        alpha: "PHP",
        numeric: 608,
        exponent: 2,
    },
    Currency {
        alpha: "PKR",
        numeric: 586,
        exponent: 2,
    },
    Currency {
        alpha: "SGD",
        numeric: 702,
        exponent: 2,
    },
    Currency {
        alpha: "THB",
        numeric: 764,
        exponent: 2,
    },
    Currency {
        alpha: "TND",
        numeric: 788,
        exponent: 3,
    },
    Currency {
        alpha: "TWD",
        numeric: 901,
        exponent: 2,
    },
    Currency {
        alpha: "USD",
        numeric: 840,
        exponent: 2,
    },
    Currency {
        alpha: "VND",
        numeric: 704,
        exponent: 0,
    },
];

impl Currency {
    /// Looks a currency up by alphabetic code ("CNY", case-insensitive).
    pub fn from_alpha(code: &str) -> Option<Currency> {
        CURRENCIES
            .iter()
            .copied()
            .find(|c| c.alpha.eq_ignore_ascii_case(code))
    }

    /// Looks a currency up by ISO 4217 numeric code as EMVCo tag 53 carries it ("156").
    pub fn from_numeric_str(code: &str) -> Option<Currency> {
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u16 = code.parse().ok()?;
        CURRENCIES
            .iter()
            .copied()
            .find(|c| c.numeric == n && c.alpha != "BTC")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.alpha)
    }
}

/// Why a decimal amount string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("amount is empty")]
    Empty,
    #[error("amount `{0}` is not a plain decimal number")]
    NotDecimal(String),
    #[error("amount `{value}` has more than {exponent} decimal places")]
    TooManyDecimals { value: String, exponent: u8 },
    #[error("amount `{0}` is too large")]
    Overflow(String),
    #[error("amount `{0}` is negative")]
    Negative(String),
    #[error("unknown currency `{0}`")]
    UnknownCurrency(String),
}

/// An amount in integer minor units of a currency (fen for CNY, cents for USD, yen for JPY).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Money { minor, currency }
    }

    /// Parses a non-negative decimal string ("23.72", "5", "0.5") into minor units of `currency`.
    /// Trailing zeros beyond the exponent are accepted ("1.500" CNY = 150); other extra digits are not.
    pub fn parse_decimal(text: &str, currency: Currency) -> Result<Money, AmountError> {
        Ok(Money {
            minor: parse_minor(text, currency.exponent)?,
            currency,
        })
    }

    /// The amount as a plain decimal string with exactly the currency's exponent ("23.72", "100").
    pub fn to_decimal_string(&self) -> String {
        format_minor(self.minor, self.currency.exponent)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_decimal_string(), self.currency.alpha)
    }
}

/// Parses a decimal string into an integer count of 10^-exponent units, exactly.
pub fn parse_minor(text: &str, exponent: u8) -> Result<i64, AmountError> {
    if text.is_empty() {
        return Err(AmountError::Empty);
    }
    if text.starts_with('-') {
        return Err(AmountError::Negative(text.to_string()));
    }
    let (int_part, frac_part) = match text.split_once('.') {
        Some((i, f)) => (i, f),
        None => (text, ""),
    };
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int_part.is_empty() && frac_part.is_empty())
        || !digits_only(int_part)
        || !digits_only(frac_part)
        || (text.contains('.') && frac_part.is_empty() && int_part.is_empty())
    {
        return Err(AmountError::NotDecimal(text.to_string()));
    }
    let exp = exponent as usize;
    let significant = frac_part.trim_end_matches('0');
    if significant.len() > exp {
        return Err(AmountError::TooManyDecimals {
            value: text.to_string(),
            exponent,
        });
    }
    let overflow = || AmountError::Overflow(text.to_string());
    let mut minor: i64 = 0;
    for b in int_part.bytes() {
        minor = minor
            .checked_mul(10)
            .and_then(|m| m.checked_add(i64::from(b - b'0')))
            .ok_or_else(overflow)?;
    }
    for i in 0..exp {
        let digit = significant
            .as_bytes()
            .get(i)
            .map_or(0, |b| i64::from(b - b'0'));
        minor = minor
            .checked_mul(10)
            .and_then(|m| m.checked_add(digit))
            .ok_or_else(overflow)?;
    }
    Ok(minor)
}

/// Formats an integer count of 10^-exponent units as a decimal string.
pub fn format_minor(minor: i64, exponent: u8) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    if exponent == 0 {
        return format!("{sign}{abs}");
    }
    let scale = 10u64.pow(u32::from(exponent));
    format!(
        "{sign}{}.{:0width$}",
        abs / scale,
        abs % scale,
        width = exponent as usize
    )
}

/// The wire form of money in the Hutong protocol: `{ "minor": 2372, "currency": "CNY" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireMoney {
    pub minor: i64,
    pub currency: String,
}

impl From<Money> for WireMoney {
    fn from(m: Money) -> Self {
        WireMoney {
            minor: m.minor,
            currency: m.currency.alpha.to_string(),
        }
    }
}

impl TryFrom<&WireMoney> for Money {
    type Error = AmountError;
    fn try_from(w: &WireMoney) -> Result<Self, Self::Error> {
        let currency = Currency::from_alpha(&w.currency)
            .ok_or_else(|| AmountError::UnknownCurrency(w.currency.clone()))?;
        if w.minor < 0 {
            return Err(AmountError::Negative(w.minor.to_string()));
        }
        Ok(Money::new(w.minor, currency))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cny() -> Currency {
        Currency::from_alpha("CNY").unwrap()
    }

    #[test]
    fn parses_decimal_strings_exactly() {
        assert_eq!(Money::parse_decimal("23.72", cny()).unwrap().minor, 2372);
        assert_eq!(Money::parse_decimal("5", cny()).unwrap().minor, 500);
        assert_eq!(Money::parse_decimal("0.5", cny()).unwrap().minor, 50);
        assert_eq!(Money::parse_decimal(".5", cny()).unwrap().minor, 50);
        assert_eq!(Money::parse_decimal("1.500", cny()).unwrap().minor, 150);
        let jpy = Currency::from_alpha("JPY").unwrap();
        assert_eq!(Money::parse_decimal("1000", jpy).unwrap().minor, 1000);
    }

    #[test]
    fn rejects_amounts_that_would_need_rounding_or_are_malformed() {
        assert!(matches!(
            Money::parse_decimal("1.234", cny()),
            Err(AmountError::TooManyDecimals { .. })
        ));
        for bad in ["", ".", "1.2.3", "1e3", " 1", "1,00", "+1", "abc", "0x10"] {
            assert!(Money::parse_decimal(bad, cny()).is_err(), "{bad:?}");
        }
        assert!(matches!(
            Money::parse_decimal("-1", cny()),
            Err(AmountError::Negative(_))
        ));
        assert!(matches!(
            Money::parse_decimal("99999999999999999999", cny()),
            Err(AmountError::Overflow(_))
        ));
    }

    #[test]
    fn formats_with_the_currency_exponent() {
        assert_eq!(Money::new(2372, cny()).to_decimal_string(), "23.72");
        assert_eq!(Money::new(5, cny()).to_decimal_string(), "0.05");
        let kwd = Currency::from_alpha("KWD").unwrap();
        assert_eq!(Money::new(1500, kwd).to_decimal_string(), "1.500");
        assert_eq!(format_minor(-150, 2), "-1.50");
    }

    #[test]
    fn looks_up_numeric_codes_from_emv_tag_53() {
        assert_eq!(Currency::from_numeric_str("156").unwrap().alpha, "CNY");
        assert_eq!(Currency::from_numeric_str("986").unwrap().alpha, "BRL");
        assert!(Currency::from_numeric_str("15").is_none());
        assert!(Currency::from_numeric_str("000").is_none());
    }
}
