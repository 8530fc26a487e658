//! Properties: arbitrary input never panics; the EMVCo MPM encoder round-trips through identify.

use hutong_core::codes::emv_mpm::{self, Field};
use hutong_core::codes::{bip21, bolt11, emv_cpm, epc, swiss_qr, th_bill, upi};
use hutong_core::identify::{identify, identify_bytes};
use proptest::prelude::*;

fn payload_like() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "0002[0-9A-Za-z.*@ ]{0,120}",
        "000201[0-9]{0,80}6304[0-9A-F]{0,4}",
        "hQVDUFYw[A-Za-z0-9+/=]{0,80}",
        "(upi|bitcoin|https|http|wxp|weixin|lightning):[ -~]{0,80}",
        "ln[a-z0-9]{0,120}",
        "(BCD|SPC)(\n[ -~]{0,12}){0,35}",
        "\\|[0-9\r]{0,40}",
        "[0-9]{1,30}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn identify_never_panics_on_text(s in payload_like()) {
        let code = identify(&s);
        prop_assert_eq!(code.valid, code.error.is_none());
    }

    #[test]
    fn identify_never_panics_on_bytes(b in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = identify_bytes(&b);
        let _ = emv_cpm::parse_bytes(&b);
    }

    #[test]
    fn each_parser_never_panics(s in payload_like()) {
        let _ = emv_mpm::parse(&s);
        let _ = emv_cpm::parse(&s);
        let _ = upi::parse(&s);
        let _ = epc::parse(&s);
        let _ = swiss_qr::parse(&s);
        let _ = bip21::parse(&s);
        let _ = bolt11::parse(&s);
        let _ = th_bill::parse_bot_barcode(&s);
        let _ = th_bill::parse_slip_verify(&s);
    }

    #[test]
    fn encoded_mpm_payloads_parse_back_identically(
        name in "[A-Za-z0-9 ]{1,25}",
        city in "[A-Za-z ]{1,15}|北京|最佳运输",
        amount in 1u32..10_000_000,
        dynamic in any::<bool>(),
        label in proptest::option::of("[A-Z0-9-]{1,20}"),
    ) {
        let amount_text = format!("{}.{:02}", amount / 100, amount % 100);
        let mut fields = vec![
            (1, Field::Text(if dynamic { "12" } else { "11" }.into())),
            (26, Field::Template(vec![(0, "br.gov.bcb.pix".into()), (1, "qa@example.com".into())])),
            (52, Field::Text("0000".into())),
            (53, Field::Text("986".into())),
            (54, Field::Text(amount_text.clone())),
            (58, Field::Text("BR".into())),
            (59, Field::Text(name.clone())),
            (60, Field::Text(city.clone())),
        ];
        if let Some(l) = &label {
            fields.push((62, Field::Template(vec![(5, l.clone())])));
        }
        let text = emv_mpm::encode(&fields).unwrap();
        let mpm = emv_mpm::parse(&text).unwrap();
        prop_assert_eq!(&mpm.crc, &emv_mpm::CrcStatus::Valid);
        // Every field comes back, in order, with the value written.
        let got: Vec<(u8, String)> = mpm.objects.iter().skip(1).take(fields.len())
            .map(|o| (o.tag, o.value.to_string())).collect();
        for ((tag, field), (gtag, gval)) in fields.iter().zip(&got) {
            prop_assert_eq!(tag, gtag);
            if let Field::Text(v) = field { prop_assert_eq!(v, gval); }
        }
        let code = identify(&text);
        prop_assert!(code.valid, "{:?}", code.error);
        prop_assert_eq!(code.network.as_deref(), Some("pix"));
        prop_assert_eq!(code.merchant_name.as_deref(), Some(name.as_str()));
        prop_assert_eq!(code.merchant_city.as_deref(), Some(city.as_str()));
        prop_assert_eq!(code.amount_decimal(), Some(amount_text));
        let reference = code.payload.emv_mpm()
            .and_then(|m| m.additional_data.as_ref())
            .and_then(|a| a.reference_label.as_ref());
        prop_assert_eq!(reference, label.as_ref());
        let view = code.details();
        prop_assert_eq!(view.get("txid"), label.as_ref());
    }
}
