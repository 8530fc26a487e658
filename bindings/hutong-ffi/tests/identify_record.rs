//! The exported `CodeInfo` is flattened at the edge from the core's typed code: its `details`,
//! `json` and `merchant_id` are exactly what the typed payload renders.

use hutong_core::codes::text::to_safe_json;
use std::collections::HashMap;

/// A QRIS code (Indonesia) whose policy names a merchant id (`mai.26.02`).
const QRIS: &str = "00020101021126630016COM.MEMBASUH.WWW0118936000091100004515021004893710810303UMI51440014ID.CO.QRIS.WWW0215ID20200340731930303UKE5204482953033605404133755020256036665802ID5912Sintas Store6015Kota Yogyakarta61055500062070703A016304F98B";

/// One payload per kind whose view has fields.
const PAYLOADS: &[&str] = &[
    QRIS,
    "upi://pay?pa=shop@upi&pn=Shop&tn=tea&am=10.00&cu=INR",
    "bitcoin:1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH?amount=0.001&label=Shop&r=https%3A%2F%2Fpay.example%2Fr",
    "https://qr.alipay.com/bax07729i8nrz04notk60045",
    "https://shop.example/pay",
    "134567890123456789",
    "BCD\n002\n1\nSCT\n\nRed Cross\nDE33100205000001194700\nEUR10\n\n\nDonation",
];

#[test]
fn merchant_id_comes_from_the_typed_emv_payload() {
    let core = hutong_core::identify::identify(QRIS);
    let typed = core.payload.emv_mpm().expect("an EMV code");
    assert_eq!(typed.merchant_id.as_deref(), Some("0489371081"));
    let info = hutong::identify(QRIS.into(), None).unwrap();
    assert_eq!(info.merchant_id.as_deref(), Some("0489371081"));
}

#[test]
fn details_and_json_are_rendered_from_the_typed_code() {
    for payload in PAYLOADS {
        let core = hutong_core::identify::identify(payload);
        assert!(!core.details().is_empty(), "{payload}: no fields");
        let info = hutong::identify((*payload).into(), None).unwrap();
        let view: HashMap<String, String> = core.details().into_iter().collect();
        assert_eq!(info.details, view, "{payload}");
        assert_eq!(info.json, to_safe_json(&core.to_json()), "{payload}");
        let json: serde_json::Value = serde_json::from_str(&info.json).unwrap();
        for (k, v) in &info.details {
            assert_eq!(
                json["details"][k].as_str(),
                Some(v.as_str()),
                "{payload}: {k}"
            );
        }
    }
}
