//! The sandbox's data tables (scenarios, promotions, fee split, funding sources), embedded at build
//! time from `data/*.json` so a change of rate or scenario is a data edit, not a code edit.

use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Deserialize)]
pub struct ScenarioRow {
    pub name: String,
    pub applies_to: Vec<String>,
    pub about: String,
    #[serde(default)]
    pub magic_minor: Option<i64>,
}

#[derive(Debug, Deserialize)]
struct ScenarioTable {
    scenarios: Vec<ScenarioRow>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PromotionRow {
    pub campaign_id: String,
    pub name: String,
    pub network: String,
    pub currency: String,
    pub rate_bp: i64,
    pub cap_minor: i64,
    pub min_original_minor: i64,
}

#[derive(Debug, Deserialize)]
struct PromotionTable {
    promotions: Vec<PromotionRow>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FeeShare {
    pub institution: String,
    pub role: String,
    pub bp: i64,
}

#[derive(Debug, Deserialize)]
pub struct RouteTable {
    pub networks: HashMap<String, Vec<FeeShare>>,
    pub interconnect: FeeShare,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FundingRow {
    pub id: String,
    pub kind: String,
    pub label: String,
    pub currency: String,
    pub limit_minor: i64,
}

#[derive(Debug, Deserialize)]
struct FundingTable {
    funding_sources: Vec<FundingRow>,
}

fn parse<T: serde::de::DeserializeOwned>(name: &str, text: &str) -> T {
    // Embedded and covered by the tests below: a broken table is a build-time bug, not input.
    serde_json::from_str(text).unwrap_or_else(|e| panic!("data/{name} does not parse: {e}"))
}

pub fn scenarios() -> &'static [ScenarioRow] {
    static T: OnceLock<Vec<ScenarioRow>> = OnceLock::new();
    T.get_or_init(|| {
        parse::<ScenarioTable>("scenarios.json", include_str!("../data/scenarios.json")).scenarios
    })
}

pub fn promotions() -> &'static [PromotionRow] {
    static T: OnceLock<Vec<PromotionRow>> = OnceLock::new();
    T.get_or_init(|| {
        parse::<PromotionTable>("promotions.json", include_str!("../data/promotions.json"))
            .promotions
    })
}

pub fn routes() -> &'static RouteTable {
    static T: OnceLock<RouteTable> = OnceLock::new();
    T.get_or_init(|| parse("routes.json", include_str!("../data/routes.json")))
}

pub fn funding_sources() -> &'static [FundingRow] {
    static T: OnceLock<Vec<FundingRow>> = OnceLock::new();
    T.get_or_init(|| {
        parse::<FundingTable>(
            "funding_sources.json",
            include_str!("../data/funding_sources.json"),
        )
        .funding_sources
    })
}

/// `(discount, campaign)` the promotion table grants on `original` for `network`.
pub fn discount_for(
    network: &str,
    currency: &str,
    original: i64,
) -> (i64, Option<&'static PromotionRow>) {
    promotions()
        .iter()
        .find(|p| {
            p.network == network && p.currency == currency && original >= p.min_original_minor
        })
        .map(|p| {
            let by_rate = original.saturating_mul(p.rate_bp) / 10_000;
            (by_rate.min(p.cap_minor), Some(p))
        })
        .unwrap_or((0, None))
}

/// The fee split for `original` on `route` (`network:route_name`).
pub fn fees_for(route: &str, original: i64) -> Vec<(String, String, i64)> {
    let t = routes();
    let (network, name) = route.split_once(':').unwrap_or((route, "direct"));
    let mut shares: Vec<&FeeShare> = t
        .networks
        .get(network)
        .or_else(|| t.networks.get("_default"))
        .map(|v| v.iter().collect())
        .unwrap_or_default();
    if name != "direct" {
        shares.push(&t.interconnect);
    }
    shares
        .into_iter()
        .map(|s| {
            (
                s.institution.clone(),
                s.role.clone(),
                original.saturating_mul(s.bp) / 10_000,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_parse_and_magic_amounts_are_unique() {
        assert!(scenarios().len() >= 15);
        let mut magic: Vec<i64> = scenarios().iter().filter_map(|s| s.magic_minor).collect();
        let n = magic.len();
        magic.sort_unstable();
        magic.dedup();
        assert_eq!(magic.len(), n);
        assert!(!funding_sources().is_empty());
    }

    #[test]
    fn wechat_discount_is_ten_percent_capped_at_thirty_yuan() {
        assert_eq!(discount_for("wechat_pay", "CNY", 2500).0, 250);
        assert_eq!(discount_for("wechat_pay", "CNY", 1_000_000).0, 3000);
        assert_eq!(discount_for("alipay", "CNY", 2500).0, 0);
        assert_eq!(discount_for("wechat_pay", "HKD", 2500).0, 0);
    }

    #[test]
    fn interconnect_routes_add_the_operator_share() {
        let direct = fees_for("wechat_pay:direct", 100_000);
        let via = fees_for("unionpay:unionpay_qr_interconnect", 100_000);
        assert_eq!(direct.len(), 3);
        assert_eq!(via.len(), 4);
        assert_eq!(via[3].1, "interconnect");
        assert_eq!(via[3].2, 50);
    }
}
