//! Acceptance: can this wallet pay a code, directly or through which interconnect route.
//!
//! Profiles are data (`wallets.json`, or the app's own JSON in the same schema): a wallet
//! lists the networks it pays directly and the interconnects it can route others through,
//! optionally limited to personal or merchant receive codes (WeChat opened personal codes to
//! other wallets before merchant codes).

use crate::codes::{Presentation, Receiver};
use crate::registry::PaymentCode;
use serde::Deserialize;

const BUILTIN: &str = include_str!("wallets.json");

#[derive(Debug, Clone, Deserialize)]
pub struct Interconnect {
    pub name: String,
    pub networks: Vec<String>,
    /// `personal` / `merchant`; empty means any receiver.
    #[serde(default)]
    pub receivers: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct WalletProfile {
    pub id: String,
    pub name: String,
    pub direct: Vec<String>,
    #[serde(default)]
    pub interconnects: Vec<Interconnect>,
}

#[derive(Debug, Clone, Deserialize)]
struct Profiles {
    profiles: Vec<WalletProfile>,
}

/// How (or whether) a wallet can pay a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Direct,
    ViaInterconnect(String),
    Unsupported(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    #[error("wallet profiles are not valid JSON for the schema: {0}")]
    Schema(String),
}

/// Parses profiles in the `wallets.json` schema (an app may ship its own).
pub fn load_profiles(json: &str) -> Result<Vec<WalletProfile>, ProfileError> {
    serde_json::from_str::<Profiles>(json)
        .map(|p| p.profiles)
        .map_err(|e| ProfileError::Schema(e.to_string()))
}

/// The seed wallets' profiles.
pub fn builtin_profiles() -> Vec<WalletProfile> {
    load_profiles(BUILTIN).unwrap_or_default()
}

/// One seed profile by id (`wechat`, `bestpay`, `qa_sample`...).
pub fn profile(id: &str) -> Option<WalletProfile> {
    builtin_profiles().into_iter().find(|p| p.id == id)
}

fn receiver_str(r: Receiver) -> &'static str {
    r.as_str()
}

pub fn can_pay(profile: &WalletProfile, code: &PaymentCode) -> Route {
    if !code.valid {
        return Route::Unsupported("the code is not valid".into());
    }
    if code.presentation == Presentation::Cpm {
        return Route::Unsupported(
            "this is a payer's pay code: a merchant scans it, a wallet does not pay it".into(),
        );
    }
    let Some(network) = code.network.as_deref() else {
        return Route::Unsupported("the network is unknown".into());
    };
    if network == "unknown_url" {
        return Route::Unsupported("a web link is not a payment code".into());
    }
    if profile.direct.iter().any(|n| n == network) {
        return Route::Direct;
    }
    for ic in &profile.interconnects {
        if !ic.networks.iter().any(|n| n == network) {
            continue;
        }
        let receiver_ok = ic.receivers.is_empty()
            || ic
                .receivers
                .iter()
                .any(|r| r == receiver_str(code.receiver));
        if receiver_ok {
            return Route::ViaInterconnect(ic.name.clone());
        }
    }
    Route::Unsupported(format!("{} does not accept {network} codes", profile.name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::identify;

    const WECHAT_PERSONAL: &str = "wxp://f2f0Qz9qxst1qazKE_53XToPLIzMELvT8Ccd";
    const WECHAT_MERCHANT: &str = "https://payapp.weixin.qq.com/qr/AbCdEf123?t=1#wechat_pay";
    const ALIPAY_ORDER: &str = "https://qr.alipay.com/bax07729i8nrz04notk60045";
    const UNIONPAY: &str = "https://qr.95516.com/00010000/62222398601660103592632963215836";

    fn p(id: &str) -> WalletProfile {
        profile(id).expect("seed profile")
    }

    #[test]
    fn every_seed_wallet_has_a_profile() {
        for id in [
            "wechat",
            "alipay",
            "unionpay_quickpass",
            "jd_pay",
            "hebao",
            "bestpay",
            "wo_wallet",
            "bank_app",
            "ecny",
            "qa_sample",
        ] {
            assert!(profile(id).is_some(), "{id}");
        }
    }

    #[test]
    fn wechat_pays_its_own_codes_directly() {
        assert_eq!(
            can_pay(&p("wechat"), &identify(WECHAT_PERSONAL)),
            Route::Direct
        );
    }

    #[test]
    fn bestpay_pays_a_wechat_personal_code_through_the_wechat_interconnect() {
        assert_eq!(
            can_pay(&p("bestpay"), &identify(WECHAT_PERSONAL)),
            Route::ViaInterconnect("wechat_open_receive_codes".into())
        );
    }

    #[test]
    fn bestpay_cannot_pay_a_wechat_merchant_code() {
        assert!(matches!(
            can_pay(&p("bestpay"), &identify(WECHAT_MERCHANT)),
            Route::Unsupported(_)
        ));
    }

    #[test]
    fn a_bank_app_pays_an_alipay_code_through_the_interconnect() {
        assert_eq!(
            can_pay(&p("bank_app"), &identify(ALIPAY_ORDER)),
            Route::ViaInterconnect("alipay_open_receive_codes".into())
        );
    }

    #[test]
    fn wechat_pays_a_unionpay_code_through_unionpay() {
        assert_eq!(
            can_pay(&p("wechat"), &identify(UNIONPAY)),
            Route::ViaInterconnect("unionpay_qr_interconnect".into())
        );
    }

    #[test]
    fn no_wallet_pays_a_payer_code() {
        assert!(matches!(
            can_pay(&p("wechat"), &identify("134567890123456789")),
            Route::Unsupported(_)
        ));
    }

    #[test]
    fn alipay_does_not_pay_a_wechat_code() {
        assert!(matches!(
            can_pay(&p("alipay"), &identify(WECHAT_PERSONAL)),
            Route::Unsupported(_)
        ));
    }

    #[test]
    fn rejects_profiles_that_are_not_the_schema() {
        assert!(load_profiles("{\"profiles\": 3}").is_err());
    }
}
