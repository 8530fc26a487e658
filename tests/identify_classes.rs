//! One test per class of wrong answer found by running `identify` beside peer libraries and as
//! an attacker would (issues 15 and 17). Each goes through the public `identify` and its JSON
//! view, the contract QA scripts and apps read.

use hutong_core::codes::emv_mpm::{self, Field};
use hutong_core::codes::{base64, bech32, crc};
use hutong_core::identify::identify;
use serde_json::Value;

fn json(text: &str) -> Value {
    identify(text).to_json()
}

fn risk(v: &Value) -> Vec<String> {
    v["risk"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| r.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| r.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A Pix code with the given extra objects, CRC computed.
fn pix_with(extra: Vec<(u8, Field)>) -> String {
    let mut fields = vec![
        (1, Field::Text("11".into())),
        (
            26,
            Field::Template(vec![
                (0, "br.gov.bcb.pix".into()),
                (1, "qa@example.com".into()),
            ]),
        ),
        (52, Field::Text("0000".into())),
        (53, Field::Text("986".into())),
        (58, Field::Text("BR".into())),
    ];
    if !extra.iter().any(|(t, _)| *t == 59) {
        fields.push((59, Field::Text("SHOP".into())));
    }
    fields.extend(extra);
    emv_mpm::encode(&fields).unwrap()
}

fn with_crc(prefix_up_to_6304: &str) -> String {
    format!(
        "{prefix_up_to_6304}{}",
        crc::crc16_hex(prefix_up_to_6304.as_bytes())
    )
}

// ---- issue 17: risk and text hygiene ----

#[test]
fn risk_flags_every_non_payment_or_script_scheme() {
    for (text, flag) in [
        ("javascript:alert(document.cookie)", "script_link"),
        ("vbscript:msgbox(1)", "script_link"),
        (
            "data:text/html,<script>alert(1)</script>",
            "embedded_content_link",
        ),
        ("blob:https://example.org/5b1c", "embedded_content_link"),
        ("file:///sdcard/wallet.db", "local_resource_link"),
        (
            "intent://pay/#Intent;package=com.evil.app;end",
            "app_launch_link",
        ),
        ("sms:+10000000000?body=pay", "non_payment_link"),
        (
            "alipays://platformapi/startapp?saId=10000007",
            "unknown_app_scheme",
        ),
        (
            "mywallet://send?to=attacker&amount=100",
            "unknown_app_scheme",
        ),
    ] {
        let v = json(text);
        assert!(risk(&v).contains(&flag.to_owned()), "{text}: {v}");
        assert_eq!(v["valid"], false, "{text} is not payable: {v}");
        assert_eq!(v["error_code"], "not_a_payment_code", "{text}: {v}");
    }
}

#[test]
fn text_spoofing_in_emv_names_and_additional_data_is_flagged() {
    let cases = [
        (59, Field::Text("TEA\u{202e}ESUOH".into()), "59"),
        (60, Field::Text("SAO\u{2066}PAULO\u{2069}".into()), "60"),
        (
            62,
            Field::Template(vec![(8, "for \u{200f}tea".into())]),
            "62.08",
        ),
        (
            64,
            Field::Template(vec![(0, "ZH".into()), (1, "茶\u{202d}馆".into())]),
            "64.01",
        ),
    ];
    for (tag, field, path) in cases {
        let text = pix_with(vec![(tag, field)]);
        let v = json(&text);
        assert_eq!(v["valid"], true, "{path}: {v}");
        assert!(
            risk(&v).contains(&"text_spoofing".to_owned()),
            "{path}: {v}"
        );
        assert_eq!(strings(&v["suspicious_text_fields"]), [path], "{v}");
    }
}

#[test]
fn text_spoofing_controls_in_emv_fields_and_bidi_in_accounts_are_refused() {
    let esc = pix_with(vec![(59, Field::Text("TEA\u{1b}[2JHOUSE".into()))]);
    assert_eq!(json(&esc)["valid"], false);
    let c1 = pix_with(vec![(60, Field::Text("CITY\u{9b}31m".into()))]);
    assert_eq!(json(&c1)["valid"], false);
    let account = emv_mpm::encode(&[
        (
            26,
            Field::Template(vec![
                (0, "br.gov.bcb.pix".into()),
                (1, "qa@\u{202e}moc.elpmaxe".into()),
            ]),
        ),
        (52, Field::Text("0000".into())),
        (53, Field::Text("986".into())),
        (58, Field::Text("BR".into())),
        (59, Field::Text("SHOP".into())),
    ])
    .unwrap();
    let v = json(&account);
    assert_eq!(v["valid"], false, "{v}");
    assert!(v["error"].as_str().unwrap_or("").contains("26.01"), "{v}");
}

#[test]
fn text_spoofing_in_upi_bip21_epc_and_swiss_text_fields() {
    // Flagged: the payload stays payable, the field is named.
    for (text, field) in [
        ("upi://pay?pa=shop@upi&pn=Tea%E2%80%AEesuoH", "pn"),
        ("upi://pay?pa=shop@upi&pn=Tea&tn=for%E2%81%A6you", "tn"),
        (
            "bitcoin:1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH?label=Luke%E2%80%AEJr",
            "options.label",
        ),
        (
            "bitcoin:1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH?message=hi%1B%5B2J",
            "options.message",
        ),
        (
            "BCD\n002\n1\nSCT\n\nRed \u{202e}Cross\nDE33100205000001194700\nEUR10\n\n\nDonation",
            "beneficiary",
        ),
        (
            "BCD\n002\n1\nSCT\n\nRed Cross\nDE33100205000001194700\nEUR10\n\n\nDona\u{2067}tion",
            "remittance_unstructured",
        ),
        (
            "SPC\n0200\n1\nCH5800791123000889012\nS\nRobert \u{202e}Schneider AG\nRue du Lac\n1268\n2501\nBiel\nCH\n\n\n\n\n\n\n\n\nCHF\n\n\n\n\n\n\n\nNON\n\n\nEPD",
            "creditor_name",
        ),
    ] {
        let v = json(text);
        assert_eq!(v["valid"], true, "{text}: {v}");
        assert!(risk(&v).contains(&"text_spoofing".to_owned()), "{text}: {v}");
        assert_eq!(strings(&v["suspicious_text_fields"]), [field], "{v}");
    }
    // Refused: a control in single-line text, or anything hidden in an identifier.
    for text in [
        "upi://pay?pa=shop@upi&pn=Tea%1B%5B2J",
        "upi://pay?pa=shop%E2%80%AE@upi&pn=Tea",
        "BCD\n002\n1\nSCT\n\nRed \u{1b}[2JCross\nDE33100205000001194700\nEUR10\n\n\nDonation",
        "SPC\n0200\n1\nCH5800791123000889012\nS\nRobert\u{7} Schneider AG\nRue du Lac\n1268\n2501\nBiel\nCH\n\n\n\n\n\n\n\n\nCHF\n\n\n\n\n\n\n\nNON\n\n\nEPD",
        "https://qr.alipay.com/fkx\u{202e}0987",
    ] {
        assert_eq!(json(text)["valid"], false, "{text}");
    }
}

// ---- issue 15: real-world codes ----

#[test]
fn currency_is_kept_without_an_amount() {
    // Static PromptPay: tag 53 = 764, no tag 54.
    let v = json("00020101021129370016A0000006770101110113006681222333353037645802TH63041DCF");
    assert_eq!(v["amount"], Value::Null);
    assert_eq!(v["currency"], "764");
    assert_eq!(v["currency_alpha"], "THB");
    let v = json("upi://pay?pa=shop@upi&pn=Shop&cu=INR");
    assert_eq!(v["amount"], Value::Null);
    assert_eq!(v["currency_alpha"], "INR");
    // A currency our table lacks is not an error without an amount, and is not invented.
    let unknown = pix_with(vec![]).replace("5303986", "5303999");
    let unknown = with_crc(&unknown[..unknown.len() - 4]);
    let v = json(&unknown);
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["currency"], Value::Null, "{v}");
}

#[test]
fn vietqr_account_template_must_be_well_formed_and_is_kept() {
    let good = emv_mpm::encode(&[
        (1, Field::Text("11".into())),
        (
            38,
            Field::Template(vec![
                (0, "A000000727".into()),
                (1, "000697042201100012345678".into()),
                (2, "QRIBFTTA".into()),
            ]),
        ),
        (53, Field::Text("704".into())),
        (58, Field::Text("VN".into())),
    ])
    .unwrap();
    let v = json(&good);
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["details"]["bank_bin"], "970422");
    assert_eq!(v["details"]["account"], "0012345678");
    // What the old generator wrote when its random digit was not 0: sub-tag 01 claims 13
    // characters where 10 follow.
    let broken = good.replace("01100012345678", "01130012345678");
    let broken = with_crc(&broken[..broken.len() - 4]);
    let v = json(&broken);
    assert_eq!(v["valid"], false, "{v}");
    assert!(v["error"].as_str().unwrap_or("").contains("38.01"), "{v}");
}

#[test]
fn promptpay_by_bank_account_yields_the_promptpay_id() {
    let v = json(
        "00020101021229370016A0000006770101110413014123456789053037645406100.005802TH6304901D",
    );
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["network"], "promptpay");
    assert_eq!(v["details"]["promptpay_id"], "0141234567890");
    assert_eq!(v["details"]["promptpay_bank_account"], "0141234567890");
}

#[test]
fn bip21_message_is_a_note_not_the_merchant_name() {
    let v = json("bitcoin:1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH?message=Donation%20for%20xyz");
    assert_eq!(v["merchant_name"], Value::Null, "{v}");
    assert_eq!(v["note"], "Donation for xyz");
    let v = json("bitcoin:1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH?message=Donation&label=Luke-Jr");
    assert_eq!(v["merchant_name"], "Luke-Jr");
    assert_eq!(v["note"], "Donation");
}

/// BOLT #11's example with the UTF-8 description (it carries a payment secret).
const INVOICE: &str = "lnbc2500u1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpquwpc4curk03c9wlrswe78q4eyqc7d8d0xqzpu9qrsgqhtjpauu9ur7fw2thcl4y9vfvh4m9wlfyz2gem29g5ghe2aak2pm3ps8fdhtceqsaagty2vph7utlgj48u0ged6a337aewvraedendscp573dxr";

#[test]
fn bolt11_without_payment_secret_is_not_valid() {
    assert_eq!(json(INVOICE)["valid"], true);
    let (hrp, data, variant) = bech32::decode(INVOICE).unwrap();
    let (body, sig) = data.split_at(data.len() - 104);
    let mut kept = body[..7].to_vec();
    let mut i = 7;
    while i < body.len() {
        let len = usize::from(body[i + 1]) << 5 | usize::from(body[i + 2]);
        if body[i] != 16 {
            kept.extend_from_slice(&body[i..i + 3 + len]);
        }
        i += 3 + len;
    }
    kept.extend_from_slice(sig);
    let without_secret = bech32::encode(&hrp, &kept, variant);
    let v = json(&without_secret);
    assert_eq!(v["valid"], false, "{v}");
    assert!(v["error"].as_str().unwrap_or("").contains("secret"), "{v}");
}

#[test]
fn truncated_cpm_application_template_is_not_valid() {
    // mvallim/emv-qrcode's UnionPay CPM token (see tests/data/vectors).
    let token = "hQVDUFYwMWFWTwigAAADMwEBAlcRYmNgAQBxNnLSMSIBAAABiAFfNAEAYzOfJghWite85mtxi58nAYCfEBEHAAEDoAAAAQgwMDAwMDAwMZ82AhEiggIAAJ83BCJgSI4=";
    assert_eq!(json(token)["valid"], true);
    let bytes = base64::decode(token).unwrap();
    // The application template cut after its AID, lengths consistent.
    let aid_only = [&bytes[..7], &[0x61, 0x0A], &bytes[9..19]].concat();
    assert_eq!(json(&base64::encode(&aid_only))["valid"], false);
    // Its length cut so the rest of it spills to the top level.
    let mut spilled = bytes.clone();
    spilled[8] = 0x0A;
    assert_eq!(json(&base64::encode(&spilled))["valid"], false);
}

#[test]
fn unionpay_acquirer_order_url_with_token_is_dynamic() {
    let v =
        json("https://qr.95516.com/00010048/unifiedNative?token=393256a175ccfa150cce76366034e9983");
    assert_eq!(v["network"], "unionpay");
    assert_eq!(v["static_or_dynamic"], "dynamic");
    assert_eq!(v["valid"], true);
    // Without a token it stays what it was.
    let v = json("https://qr.95516.com/00010000/62222398601660103592632963215836");
    assert_eq!(v["static_or_dynamic"], "unknown");
}

const TRUEMONEY_MESSAGE: &str = "00020101021229390016A000000677010111031514000080111111153037645802TH540510.05814800480065006C006C006F00200057006F0072006C006400216304F5A2";

#[test]
fn truemoney_message_in_tag_81_is_read_tolerantly_with_a_flag() {
    let v = json(TRUEMONEY_MESSAGE);
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["network"], "truemoney");
    assert_eq!(v["note"], "Hello World!");
    assert_eq!(strings(&v["deviations"]), ["tag_81_not_a_template"]);
    // Integrity stays strict: the same code with a wrong CRC is refused.
    let bad = TRUEMONEY_MESSAGE.replace("6304F5A2", "6304F5A3");
    let v = json(&bad);
    assert_eq!(v["valid"], false);
    assert!(risk(&v).contains(&"crc_mismatch".to_owned()));
    // Only networks that ship it are read tolerantly: plain PromptPay with the same tag 81.
    let promptpay = TRUEMONEY_MESSAGE.replace("0315140000801111111", "01130066801111111");
    let promptpay = promptpay.replace("29390016", "29370016");
    let promptpay = with_crc(&promptpay[..promptpay.len() - 4]);
    let v = json(&promptpay);
    assert_eq!(v["network"], "promptpay", "{v}");
    assert_eq!(v["valid"], false, "{v}");
}

#[test]
fn vnpay_without_tag_52_is_read_tolerantly_with_a_flag() {
    // xuannghia/vietnam-qr-pay's VNPAY merchant code, with tag 52 taken out.
    let merchant = "00020101021126280010A000000775011001087990425204597753037045802VN5909MYPHAMHER6005HANOI62260311MY PHAM HER0707MPHER016304";
    let without_mcc = with_crc(&merchant.replace("52045977", ""));
    let v = json(&without_mcc);
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["network"], "vnpay");
    assert_eq!(strings(&v["deviations"]), ["tag_52_missing"]);
    assert_eq!(v["currency"], "704");
    // The VNPAY wallet's personal code: no 52/53/58/59/60 at all, POI 10.
    let v = json("00020101021002020103069084010411VNPayWallet071003933571580809Lê Anh Tú09051000010037041107content63042678");
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["network"], "vnpay_wallet");
    assert_eq!(v["merchant_name"], "Lê Anh Tú");
    assert_eq!(v["details"]["wallet_phone"], "0393357158");
    assert!(strings(&v["deviations"]).contains(&"tag_52_missing".to_owned()));
    // Still strict about integrity and about networks that do not ship it.
    assert_eq!(
        json(
            &without_mcc
                .replace("VN5909", "VN5908")
                .replace("MYPHAMHER6005", "MYPHAMHE6005")
        )["valid"],
        false
    );
    let pix_without_mcc = pix_with(vec![]).replace("52040000", "");
    let pix_without_mcc = with_crc(&pix_without_mcc[..pix_without_mcc.len() - 4]);
    assert_eq!(json(&pix_without_mcc)["valid"], false);
}

#[test]
fn vnpay_without_tag_60_is_read_tolerantly_with_a_flag() {
    // Found by the differential tests (tests/peers): xuannghia/vietnam-qr-pay decodes this
    // VNPAY merchant code in its README (MIT, @17a05d3f), and its VNPAY generator writes the
    // same shape: neither 52 nor 60. Every field needed to pay is there.
    let cellphones = "00020101021126280010A0000007750110010531314453037045408210900005802VN5910CELLPHONES62600312CPSHN ONLINE0517021908061613127850705ONLHN0810CellphoneS63047685";
    let v = json(cellphones);
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["network"], "vnpay");
    assert_eq!(
        strings(&v["deviations"]),
        ["tag_52_missing", "tag_60_missing"]
    );
    assert_eq!(v["amount"], "21090000");
    assert_eq!(v["merchant_name"], "CELLPHONES");
    assert_eq!(v["merchant_city"], Value::Null);
    // Integrity stays strict: one character changed breaks the CRC.
    assert_eq!(
        json(&cellphones.replace("CELLPHONES", "CELLPHONEZ"))["valid"],
        false
    );
    // A network whose issuers do not ship it (here a generic EMVCo code) still refuses it.
    let generic = emv_mpm::encode(&[
        (1, Field::Text("11".into())),
        (
            26,
            Field::Template(vec![(0, "COM.EXAMPLE.QA".into()), (1, "123".into())]),
        ),
        (52, Field::Text("5812".into())),
        (53, Field::Text("156".into())),
        (58, Field::Text("CN".into())),
        (59, Field::Text("SHOP".into())),
    ])
    .unwrap();
    let v = json(&generic);
    assert_eq!(v["valid"], false, "{v}");
    assert_eq!(v["error"], "EMV mandatory tag 60 is missing");
}
