//! Acceptance: can this wallet pay a code, directly or through which interconnect route.
//!
//! Profiles are data (`wallets.json`, or the app's own JSON in the same schema): a wallet
//! lists the networks it pays directly and the interconnects it can route others through,
//! optionally limited to personal or merchant receive codes (WeChat opened personal codes to
//! other wallets before merchant codes).

use crate::codes::{Presentation, Receiver};
use crate::registry::PaymentCode;
use serde::{Deserialize, Serialize};

const BUILTIN: &str = include_str!("wallets.json");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interconnect {
    pub name: String,
    pub networks: Vec<String>,
    /// `personal` / `merchant`; empty means any receiver.
    #[serde(default)]
    pub receivers: Vec<String>,
    /// For an aggregator's code: only when the code says which network acquires the payment
    /// and it is one of these (the link's `Aggregator::acquiring_network`); empty means any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acquiring_networks: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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

/// Parses one profile in the `wallets.json` schema: the app's own wallet (`{"id": "my_wallet", ...}`).
pub fn load_profile(json: &str) -> Result<WalletProfile, ProfileError> {
    let profile: WalletProfile =
        serde_json::from_str(json).map_err(|e| ProfileError::Schema(e.to_string()))?;
    if profile.id.is_empty() {
        return Err(ProfileError::Schema("the profile's `id` is empty".into()));
    }
    Ok(profile)
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

/// The first way `profile` can pay `code`: directly, else through the first interconnect that
/// carries it.
pub fn can_pay(profile: &WalletProfile, code: &PaymentCode) -> Route {
    let network = match payable_network(code) {
        Ok(n) => n,
        Err(RouteError::NotPayable(why)) => return Route::Unsupported(why),
        Err(other) => return Route::Unsupported(other.to_string()),
    };
    if profile.direct.iter().any(|n| n == network) {
        return Route::Direct;
    }
    match profile
        .interconnects
        .iter()
        .find(|ic| interconnect_carries(ic, network, code))
    {
        Some(ic) => Route::ViaInterconnect(ic.name.clone()),
        None => match code.payload.aggregator() {
            // An aggregator's code: say which network it would go through, or that it is unknown.
            Some(agg) => Route::Unsupported(format!(
                "{} cannot pay this {network} aggregator code (acquiring network: {})",
                profile.name,
                agg.acquiring_network.as_deref().unwrap_or("unknown")
            )),
            None => Route::Unsupported(format!("{} does not accept {network} codes", profile.name)),
        },
    }
}

/// Why a `<network>:<route>` string may not carry a payment of a given code (invariant 1 of
/// docs/protocol.md §10: the network, merchant and currency are the code's; a route is only a
/// way to reach that network).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    #[error("the code is not payable: {0}")]
    NotPayable(String),
    #[error("route `{route}` is not of the form `<network>:<route name>`")]
    Malformed { route: String },
    #[error("route `{route}` reaches {route_network}, but the code is a {code_network} code")]
    NetworkMismatch {
        route: String,
        route_network: String,
        code_network: String,
    },
    #[error("route `{route}` is not one that reaches this {network} code (allowed: {})", allowed.join(", "))]
    NotAllowed {
        route: String,
        network: String,
        allowed: Vec<String>,
    },
}

/// The code's network if a wallet may pay it at all: valid, merchant-presented, a known network.
pub fn payable_network(code: &PaymentCode) -> Result<&str, RouteError> {
    if !code.valid {
        let why = code
            .error
            .as_ref()
            .map(|e| e.to_string())
            .unwrap_or_else(|| "the code is not valid".into());
        return Err(RouteError::NotPayable(why));
    }
    if code.presentation == Presentation::Cpm {
        return Err(RouteError::NotPayable(
            "this is a payer's pay code: a merchant collects it, a wallet does not pay it".into(),
        ));
    }
    match code.network.as_deref() {
        None => Err(RouteError::NotPayable("the network is unknown".into())),
        Some("unknown_url") => Err(RouteError::NotPayable(
            "a web link is not a payment code".into(),
        )),
        Some(n) => Ok(n),
    }
}

fn interconnect_carries(ic: &Interconnect, network: &str, code: &PaymentCode) -> bool {
    let acquiring = code
        .payload
        .aggregator()
        .and_then(|a| a.acquiring_network.as_ref());
    ic.networks.iter().any(|n| n == network)
        && (ic.receivers.is_empty()
            || ic
                .receivers
                .iter()
                .any(|r| r == receiver_str(code.receiver)))
        && (ic.acquiring_networks.is_empty()
            || acquiring.is_some_and(|a| ic.acquiring_networks.contains(a)))
}

/// The `<network>:<route name>` strings that may carry a payment of `code`. With a wallet
/// profile: what that wallet can do (direct, and each interconnect that takes the code). Without
/// one (a switch, which does not know the wallet's contracts): `direct` and every interconnect
/// of the registry's profiles that carries this network and receiver.
pub fn allowed_routes(
    code: &PaymentCode,
    profile: Option<&WalletProfile>,
) -> Result<Vec<String>, RouteError> {
    allowed_routes_among(code, profile, &builtin_profiles())
}

/// [`allowed_routes`] where "the registry's profiles" are `known` (an updated registry's, see
/// `bundle`), not the built-in ones.
pub fn allowed_routes_among(
    code: &PaymentCode,
    profile: Option<&WalletProfile>,
    known: &[WalletProfile],
) -> Result<Vec<String>, RouteError> {
    let network = payable_network(code)?;
    let profiles = match profile {
        Some(p) => std::slice::from_ref(p),
        None => known,
    };
    let mut names: Vec<&str> = Vec::new();
    if profile.is_none_or(|p| p.direct.iter().any(|n| n == network)) {
        names.push("direct");
    }
    for ic in profiles.iter().flat_map(|p| &p.interconnects) {
        if interconnect_carries(ic, network, code) && !names.contains(&ic.name.as_str()) {
            names.push(&ic.name);
        }
    }
    Ok(names.iter().map(|n| format!("{network}:{n}")).collect())
}

/// Checks that `route` may carry a payment of `code` (see [`allowed_routes`]): the client before
/// it sends, the switch before it charges.
pub fn check_route(
    code: &PaymentCode,
    route: &str,
    profile: Option<&WalletProfile>,
) -> Result<(), RouteError> {
    check_route_among(code, route, profile, &builtin_profiles())
}

/// [`check_route`] against `known` profiles (see [`allowed_routes_among`]).
pub fn check_route_among(
    code: &PaymentCode,
    route: &str,
    profile: Option<&WalletProfile>,
    known: &[WalletProfile],
) -> Result<(), RouteError> {
    let network = payable_network(code)?;
    let Some((route_network, name)) = route
        .split_once(':')
        .filter(|(n, r)| !n.is_empty() && !r.is_empty() && !r.contains(':'))
    else {
        return Err(RouteError::Malformed {
            route: route.into(),
        });
    };
    if route_network != network {
        return Err(RouteError::NetworkMismatch {
            route: route.into(),
            route_network: route_network.into(),
            code_network: network.into(),
        });
    }
    let allowed = allowed_routes_among(code, profile, known)?;
    if allowed
        .iter()
        .any(|a| a.split_once(':').map(|(_, n)| n) == Some(name))
    {
        return Ok(());
    }
    Err(RouteError::NotAllowed {
        route: route.into(),
        network: network.into(),
        allowed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identify::identify;

    const WECHAT_PERSONAL: &str = "wxp://f2f0Qz9qxst1qazKE_53XToPLIzMELvT8Ccd";
    const WECHAT_MERCHANT: &str = "https://payapp.weixin.qq.com/qr/AbCdEf123?t=1#wechat_pay";
    const ALIPAY_ORDER: &str = "https://qr.alipay.com/bax07729i8nrz04notk60045";
    const UNIONPAY: &str = "https://qr.95516.com/00010000/62222398601660103592632963215836";

    fn p(id: &str) -> WalletProfile {
        profile(id).expect("seed profile")
    }

    /// A 收钱吧 order link paid through Alipay (`payway=1`).
    const SQB_VIA_ALIPAY: &str = "https://qr.shouqianba.com/gateway?client_sn=QA-1&payway=1&subject=QA&terminal_sn=QA-T-1&total_amount=1234&sign=00000000000000000000000000000000";

    #[test]
    fn an_aggregator_code_routes_on_its_typed_acquiring_network() {
        use crate::codes::Payload;
        let mut code = identify(SQB_VIA_ALIPAY);
        assert!(code.valid, "{:?}", code.error);
        let agg = code.payload.aggregator().expect("aggregator facts");
        assert_eq!(agg.acquiring_network.as_deref(), Some("alipay"));
        assert_eq!(
            can_pay(&p("alipay"), &code),
            Route::ViaInterconnect("aggregator_web_cashier".into())
        );
        assert!(matches!(
            can_pay(&p("wechat"), &code),
            Route::Unsupported(_)
        ));
        let Payload::WalletLink(link) = &mut code.payload else {
            panic!("not a wallet link: {:?}", code.payload)
        };
        let agg = link.aggregator.as_mut().expect("aggregator facts");
        agg.acquiring_network = Some("wechat_pay".into());
        assert_eq!(
            can_pay(&p("wechat"), &code),
            Route::ViaInterconnect("aggregator_web_cashier".into())
        );
        let Payload::WalletLink(link) = &mut code.payload else {
            unreachable!()
        };
        link.aggregator
            .as_mut()
            .expect("aggregator facts")
            .acquiring_network = None;
        match can_pay(&p("wechat"), &code) {
            Route::Unsupported(why) => assert!(why.contains("acquiring network: unknown"), "{why}"),
            other => panic!("{other:?}"),
        }
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

    #[test]
    fn a_route_to_another_network_is_refused_whatever_the_profile() {
        let alipay = identify(ALIPAY_ORDER);
        for profile in [None, Some(p("wechat")), Some(p("bank_app"))] {
            assert!(matches!(
                check_route(&alipay, "wechat_pay:interconnect", profile.as_ref()),
                Err(RouteError::NetworkMismatch { .. })
            ));
        }
    }

    #[test]
    fn a_route_the_wallet_has_no_contract_for_is_refused() {
        let alipay = identify(ALIPAY_ORDER);
        assert_eq!(
            check_route(
                &alipay,
                "alipay:alipay_open_receive_codes",
                Some(&p("bank_app"))
            ),
            Ok(())
        );
        assert!(matches!(
            check_route(&alipay, "alipay:direct", Some(&p("bank_app"))),
            Err(RouteError::NotAllowed { .. })
        ));
        assert!(matches!(
            check_route(&alipay, "alipay:made_up", None),
            Err(RouteError::NotAllowed { .. })
        ));
    }

    #[test]
    fn without_a_profile_the_registry_routes_of_the_network_are_allowed() {
        let wechat = identify(WECHAT_PERSONAL);
        let allowed = allowed_routes(&wechat, None).unwrap();
        assert!(allowed.contains(&"wechat_pay:direct".to_string()));
        assert!(allowed.contains(&"wechat_pay:wechat_open_receive_codes".to_string()));
        assert!(!allowed.iter().any(|r| !r.starts_with("wechat_pay:")));
    }

    #[test]
    fn malformed_routes_and_unpayable_codes_are_refused() {
        let alipay = identify(ALIPAY_ORDER);
        for bad in ["alipay", "alipay:", ":direct", "alipay:direct:x"] {
            assert!(
                matches!(
                    check_route(&alipay, bad, None),
                    Err(RouteError::Malformed { .. })
                ),
                "{bad}"
            );
        }
        let payer = identify("134567890123456789");
        assert!(matches!(
            check_route(&payer, "wechat_pay:direct", None),
            Err(RouteError::NotPayable(_))
        ));
    }
}
