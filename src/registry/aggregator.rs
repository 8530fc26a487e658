//! Aggregator merchant codes: a licensed aggregator's (收钱吧, 拉卡拉...) web-cashier URLs.
//!
//! The code names the aggregator, not the network that moves the money: what is known about
//! that (documented acquiring networks, a `payway`-style query parameter, the order amount) is
//! read from the registry rows into the link's typed [`Aggregator`] facts (`None` where the
//! code does not say). The merchant is the aggregator's sub-merchant and is not named in the code.

use super::data::{NetworkRow, RegistryData, UrlRow};
use super::{PaymentCode, RegistryError};
use crate::codes::payload::Aggregator;
use crate::codes::CodeError;
use crate::money::{Currency, Money};

/// The value of `key` in a raw query string (`a=1&b=2`), undecoded.
fn query_value<'a>(query: &'a str, key: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

/// The aggregator facts of `row` (and its network) for a code matched from a URL; the order's
/// amount, when the row reads one, goes to `code`.
pub(super) fn read(
    row: &UrlRow,
    network: Option<&NetworkRow>,
    query: &str,
    code: &mut PaymentCode,
) -> Option<Aggregator> {
    let agg = network.and_then(|n| n.aggregator.as_ref())?;
    let acquiring = match &row.acquirer_query {
        Some(q) => match query_value(query, &q.key) {
            Some(v) => q.values.get(v).cloned(),
            None => q.default.clone(),
        },
        None => None,
    };
    let facts = Aggregator {
        aggregator: row.network.clone(),
        documented_acquirers: agg.acquiring_networks.clone(),
        acquiring_network: acquiring,
    };
    if let Some(aq) = &row.amount_query {
        let Some(cur) = Currency::from_alpha(&aq.currency) else {
            return Some(facts);
        };
        let invalid = |reason: &str| CodeError::InvalidParam {
            scheme: row.network.clone(),
            param: aq.key.clone(),
            reason: reason.into(),
        };
        // The order's amount is what the payer is charged: a malformed one refuses the code.
        match query_value(query, &aq.key) {
            None => {
                code.error = Some(CodeError::MissingParam {
                    scheme: row.network.clone(),
                    param: aq.key.clone(),
                })
            }
            Some(v) if v.is_empty() || v.len() > aq.max_digits => {
                code.error = Some(invalid(&format!("must be 1 to {} digits", aq.max_digits)))
            }
            Some(v) if !v.bytes().all(|b| b.is_ascii_digit()) => {
                code.error = Some(invalid("must be digits (minor units)"))
            }
            Some(v) => match v.parse::<i64>() {
                Ok(minor) => {
                    code.amount = Some(Money::new(minor, cur));
                    code.currency = Some(cur);
                }
                Err(_) => code.error = Some(invalid("out of range")),
            },
        }
    }
    Some(facts)
}

/// Every network an aggregator row names must exist; amounts must be in a known currency.
pub(super) fn check(
    data: &RegistryData,
    known: impl Fn(&str) -> bool,
) -> Result<(), RegistryError> {
    let unknown = |row: &str, network: &str| RegistryError::UnknownNetwork {
        row: row.to_string(),
        network: network.to_string(),
    };
    for n in &data.networks {
        for a in n.aggregator.iter().flat_map(|a| &a.acquiring_networks) {
            if !known(a) {
                return Err(unknown(&n.id, a));
            }
        }
    }
    for r in &data.urls {
        if let Some(q) = &r.acquirer_query {
            for n in q.values.values().chain(&q.default) {
                if !known(n) {
                    return Err(unknown(&r.id, n));
                }
            }
        }
        if let Some(a) = &r.amount_query {
            if Currency::from_alpha(&a.currency).is_none() || a.unit != "minor" || a.max_digits > 18
            {
                return Err(RegistryError::Schema(format!(
                    "url row `{}`: amount_query needs a known currency, unit `minor` and at most 18 digits",
                    r.id
                )));
            }
        }
    }
    Ok(())
}
