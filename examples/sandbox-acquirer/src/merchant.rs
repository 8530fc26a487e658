//! Who a merchant code belongs to, as the switch resolves it: the identification module reads the
//! merchant's name, city, network, currency and any fixed amount; the id is a stable digest of
//! the code. The switch re-identifies every code itself and never takes the network, currency or
//! a dynamic code's amount from the request (invariants 1 and 2, docs/protocol.md §10).

use hutong_core::codes::StaticOrDynamic;
use hutong_core::registry::{self, PaymentCode};
use hutong_core::sign::sha256_hex;

pub struct Merchant {
    pub id: String,
    pub name: String,
    pub city: Option<String>,
    /// The amount the code carries, in minor units and currency (the quote's default).
    pub amount: Option<(i64, String)>,
    /// The amount a dynamic code fixes: any other is refused.
    pub fixed_amount: Option<(i64, String)>,
    /// The code as the switch identifies it.
    pub code: PaymentCode,
}

pub fn resolve(code: &str) -> Merchant {
    let id = format!("m-{}", &sha256_hex(code.trim().as_bytes())[..12]);
    let ctx = registry::Context {
        expect: registry::Expect::MerchantCode,
        ..Default::default()
    };
    let identified =
        hutong_core::identify::identify_with(registry::Registry::builtin(), code, &ctx);
    let name = identified
        .merchant_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| {
            let network = identified.network_name.as_deref().unwrap_or("QR");
            format!("{network} merchant {}", &id[2..8])
        });
    let amount = identified
        .amount
        .map(|m| (m.minor, m.currency.alpha.to_string()));
    Merchant {
        id,
        name,
        city: identified.merchant_city.clone(),
        fixed_amount: amount
            .clone()
            .filter(|_| identified.static_or_dynamic == StaticOrDynamic::Dynamic),
        amount,
        code: identified,
    }
}

/// The merchant id of an account collecting with payer codes (merchant mode).
pub fn collector_id(account: &str) -> String {
    format!("m-acct-{account}")
}
