//! Who a merchant code belongs to, as the switch resolves it: the identification module reads the
//! merchant's name, city and any fixed amount; the id is a stable digest of the code.

use hutong::sign::sha256_hex;

pub struct Merchant {
    pub id: String,
    pub name: String,
    pub city: Option<String>,
    /// The amount a dynamic code fixes, in minor units and currency.
    pub amount: Option<(i64, String)>,
}

pub fn resolve(code: &str) -> Merchant {
    let id = format!("m-{}", &sha256_hex(code.trim().as_bytes())[..12]);
    let identified = hutong::registry::identify(code);
    let name = identified
        .merchant_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| {
            let network = identified.network_name.as_deref().unwrap_or("QR");
            format!("{network} merchant {}", &id[2..8])
        });
    Merchant {
        id,
        name,
        city: identified.merchant_city.clone(),
        amount: identified
            .amount
            .map(|m| (m.minor, m.currency.alpha.to_string())),
    }
}

/// The merchant id of an account collecting with payer codes (merchant mode).
pub fn collector_id(account: &str) -> String {
    format!("m-acct-{account}")
}
