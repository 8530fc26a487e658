//! The payer-code simulator: a wallet's numeric pay code, drawn as Code 128 above a QR holding
//! the same digits, re-issued every [`REFRESH_SECONDS`] as wallets do.
//!
//! Prefixes and lengths come from the registry's pay-code rows, so a simulated code is always
//! one the SDK identifies as that network's payer code.

use super::error::ApiError;
use super::rng::Rng;
use hutong_core::registry::{data::NumericRow, Registry};
use serde::Deserialize;

/// Wallets re-issue their pay code about once a minute.
pub const REFRESH_SECONDS: u64 = 60;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PayerRequest {
    pub network: String,
    #[serde(default)]
    pub seed: Option<u64>,
}

/// Networks with pay-code rows, in table order, each once.
pub fn networks() -> Vec<serde_json::Value> {
    let reg = Registry::builtin();
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for row in reg.pay_code_rows() {
        if seen.contains(&row.network) {
            continue;
        }
        seen.push(row.network.clone());
        let name = reg
            .network(&row.network)
            .map_or(row.network.as_str(), |n| n.name.as_str());
        out.push(serde_json::json!({
            "network": row.network,
            "label": name,
            "prefixes": row.prefixes,
            "lengths": row.lengths,
        }));
    }
    out
}

fn row_for(network: &str) -> Result<&'static NumericRow, ApiError> {
    Registry::builtin()
        .pay_code_rows()
        .iter()
        .find(|r| r.network == network)
        .ok_or_else(|| {
            ApiError::unprocessable(
                "unknown_network",
                format!("no pay-code row for network `{network}`"),
            )
        })
}

/// A fresh pay code for `network`: a registry prefix, then random digits up to a registry length.
pub fn issue(req: &PayerRequest) -> Result<String, ApiError> {
    let row = row_for(&req.network)?;
    let mut rng = Rng::new(req.seed);
    let prefix = row
        .prefixes
        .get(rng.below(row.prefixes.len().max(1)))
        .ok_or_else(|| ApiError::unprocessable("bad_row", "pay-code row without prefixes"))?;
    let length = *row
        .lengths
        .get(rng.below(row.lengths.len().max(1)))
        .ok_or_else(|| ApiError::unprocessable("bad_row", "pay-code row without lengths"))?;
    let tail = length.saturating_sub(prefix.len());
    Ok(format!("{prefix}{}", rng.digits(tail)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hutong_core::identify::identify;

    #[test]
    fn every_simulated_pay_code_identifies_as_its_networks_payer_code() {
        let nets = networks();
        assert!(nets.len() >= 5);
        for n in nets {
            let network = n["network"].as_str().unwrap();
            for seed in 0..20 {
                let digits = issue(&PayerRequest {
                    network: network.into(),
                    seed: Some(seed),
                })
                .unwrap();
                let code = identify(&digits);
                assert!(code.valid, "{network}: {digits}: {:?}", code.error);
                assert_eq!(code.network.as_deref(), Some(network), "{digits}");
                assert_eq!(code.presentation.as_str(), "cpm", "{digits}");
            }
        }
    }

    #[test]
    fn an_unknown_network_is_a_typed_error() {
        let e = issue(&PayerRequest {
            network: "pix".into(),
            seed: None,
        })
        .unwrap_err();
        assert_eq!(e.code, "unknown_network");
    }
}
