//! China's merchant code forms beyond the two big wallets' plain receive codes (issue 15):
//! aggregator web-cashier URLs (收钱吧, 拉卡拉), WeChat Pay's personal / business / small-merchant
//! and Native Pay forms. URL shapes and where they come from: tests/data/china-forms/PROVENANCE.md.
//! Every token below is synthetic (QA-..., zeros), never a real merchant's.

use hutong_core::identify::identify;
use hutong_core::route::{self, Route};
use serde_json::Value;

fn json(text: &str) -> Value {
    identify(text).to_json()
}

const SQB_ORDER: &str = "https://qr.shouqianba.com/gateway?client_sn=QA-ORDER-0001&operator=qa&return_url=https%3A%2F%2Fshop.example%2Fdone&subject=QA&terminal_sn=QA-TERMINAL-0001&total_amount=1234&sign=00000000000000000000000000000000";

#[test]
fn aggregator_order_url_is_an_aggregator_code_with_its_amount_and_acquirer() {
    let v = json(SQB_ORDER);
    assert_eq!(v["network"], "shouqianba", "{v}");
    assert!(v["network_name"].as_str().unwrap().contains("aggregator"));
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["kind"], "aggregator_order_url");
    assert_eq!(v["presentation"], "mpm");
    assert_eq!(v["static_or_dynamic"], "dynamic");
    assert_eq!(v["receiver"], "merchant");
    // total_amount is in fen.
    assert_eq!(v["amount"], "12.34");
    assert_eq!(v["currency_alpha"], "CNY");
    assert_eq!(v["details"]["aggregator"], "shouqianba");
    assert_eq!(v["details"]["merchant_in_code"], "false");
    assert_eq!(
        v["details"]["acquiring_networks"],
        "wechat_pay,alipay,qq_wallet"
    );
    // No payway: the gateway's documented default is WeChat.
    assert_eq!(v["details"]["acquiring_network"], "wechat_pay");
    assert!(v["risk"].as_array().unwrap().is_empty(), "{v}");

    let alipay = json(&SQB_ORDER.replace("&subject=", "&payway=1&subject="));
    assert_eq!(alipay["details"]["acquiring_network"], "alipay");
    let odd = json(&SQB_ORDER.replace("&subject=", "&payway=99&subject="));
    assert_eq!(odd["details"]["acquiring_network"], "unknown");
    // The operator's own host carries the same gateway.
    let wosai = json(&SQB_ORDER.replace("qr.shouqianba.com/gateway", "m.wosai.cn/qr/gateway"));
    assert_eq!(wosai["network"], "shouqianba");
    assert_eq!(wosai["amount"], "12.34");
}

#[test]
fn aggregator_order_url_with_a_malformed_amount_is_refused() {
    for bad in ["12.34", "", "-5", "12345678901", "1e3"] {
        let text = SQB_ORDER.replace("total_amount=1234", &format!("total_amount={bad}"));
        let v = json(&text);
        assert_eq!(v["network"], "shouqianba", "{text}");
        assert_eq!(v["valid"], false, "{text}: {v}");
        assert_eq!(v["error_code"], "invalid_param", "{text}: {v}");
    }
    let missing = json(&SQB_ORDER.replace("&total_amount=1234", ""));
    assert_eq!(missing["valid"], false, "{missing}");
}

#[test]
fn aggregator_sticker_of_unknown_shape_says_unknown_not_a_web_link() {
    let v = json("https://qr.shouqianba.com/QA0000000000");
    assert_eq!(v["network"], "shouqianba", "{v}");
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["kind"], "aggregator_merchant_code");
    assert_eq!(v["static_or_dynamic"], "unknown");
    assert_eq!(v["details"]["acquiring_network"], "unknown");
    assert_eq!(v["amount"], Value::Null);

    let lakala = json("https://moss.lakala.com/counter/#/r/QA0000?QA=1");
    assert_eq!(lakala["network"], "lakala", "{lakala}");
    assert_eq!(lakala["kind"], "aggregator_cashier_url");
    assert_eq!(lakala["details"]["acquiring_networks"], "unknown");
    assert_eq!(lakala["details"]["acquiring_network"], "unknown");
}

#[test]
fn aggregator_code_routes_only_through_the_wallet_that_acquires_it() {
    let wechat = route::profile("wechat").unwrap();
    let alipay = route::profile("alipay").unwrap();
    let code = identify(SQB_ORDER);
    assert_eq!(
        route::can_pay(&wechat, &code),
        Route::ViaInterconnect("aggregator_web_cashier".into())
    );
    assert!(
        matches!(route::can_pay(&alipay, &code), Route::Unsupported(why) if why.contains("wechat_pay"))
    );
    let by_alipay = identify(&SQB_ORDER.replace("&subject=", "&payway=1&subject="));
    assert_eq!(
        route::can_pay(&alipay, &by_alipay),
        Route::ViaInterconnect("aggregator_web_cashier".into())
    );
    // Which network acquires a sticker of unknown shape is unknown: no wallet claims it.
    let sticker = identify("https://qr.shouqianba.com/QA0000000000");
    match route::can_pay(&wechat, &sticker) {
        Route::Unsupported(why) => assert!(why.contains("unknown"), "{why}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        route::allowed_routes(&code, None).unwrap(),
        ["shouqianba:direct", "shouqianba:aggregator_web_cashier"]
    );
}

#[test]
fn aggregator_lookalike_host_is_not_the_aggregator() {
    let v = json(
        "https://qr.shouqianba.com.example.cn/gateway?terminal_sn=1&client_sn=2&total_amount=1",
    );
    assert_eq!(v["network"], "unknown_url", "{v}");
    assert_eq!(v["valid"], false);
}

#[test]
fn wechat_personal_receive_code_https_form() {
    let v = json("https://wx.tenpay.com/f2f?t=AQAAAQAAAAAAAAAAAAAAAAAAAAA%3D");
    assert_eq!(v["network"], "wechat_pay", "{v}");
    assert_eq!(v["valid"], true);
    assert_eq!(v["kind"], "personal_receive_code");
    assert_eq!(v["receiver"], "personal");
    assert_eq!(v["static_or_dynamic"], "static");
}

#[test]
fn wechat_business_and_small_merchant_code_forms() {
    for (text, kind) in [
        (
            "https://payapp.weixin.qq.com/materialqr/entry/QA000",
            "business_receive_code",
        ),
        (
            "https://payapp.wechatpay.cn/materialqr/entry/QA000",
            "business_receive_code",
        ),
        (
            "https://payapp.weixin.qq.com/qrpay/order/home2?key=QA000",
            "business_receive_code",
        ),
        (
            "https://payapp.wechatpay.cn/qrpay/order/home2?key=QA000",
            "business_receive_code",
        ),
        ("https://wxpay.tenpay.com/md/QA000", "business_receive_code"),
        (
            "https://wxpay.wechatpay.cn/md/QA000",
            "business_receive_code",
        ),
        (
            "https://payapp.weixin.qq.com/sjt/qr/QA000",
            "sme_receive_code",
        ),
        (
            "https://payapp.wechatpay.cn/sjt/qr/QA000",
            "sme_receive_code",
        ),
        (
            "https://sjt.wxpapp.wechatpay.cn/lnk/qr/QA000",
            "sme_receive_code",
        ),
        (
            "https://payapp.wechatpay.cn/qr/QA000?t=1",
            "merchant_receive_code",
        ),
    ] {
        let v = json(text);
        assert_eq!(v["network"], "wechat_pay", "{text}: {v}");
        assert_eq!(v["valid"], true, "{text}: {v}");
        assert_eq!(v["kind"], kind, "{text}");
        assert_eq!(v["receiver"], "merchant", "{text}");
    }
}

#[test]
fn wechat_native_pay_mode_1_product_link_is_static_and_mode_2_is_dynamic() {
    let mode1 = json("weixin://wxpay/bizpayurl?sign=00000000000000000000000000000000&appid=wx0000000000000000&mch_id=0000000000&product_id=QA1&time_stamp=1700000000&nonce_str=QA");
    assert_eq!(mode1["network"], "wechat_pay", "{mode1}");
    assert_eq!(mode1["kind"], "native_product_code_url");
    assert_eq!(mode1["static_or_dynamic"], "static");
    let short = json("weixin://wxpay/bizpayurl?sr=QA0000");
    assert_eq!(short["kind"], "native_product_code_url");
    assert_eq!(short["static_or_dynamic"], "static");
    let mode2 = json("weixin://wxpay/bizpayurl?pr=QA00000");
    assert_eq!(mode2["kind"], "native_order_code_url");
    assert_eq!(mode2["static_or_dynamic"], "dynamic");
}
