//! Risk flags on an identified code: bad CRC, look-alike hosts, plain http, expiry, caps.
//!
//! Flags never change what a code *is* (that is `valid` and `error`); they tell the app what
//! to warn about before it lets the user pay.

pub mod schemes;

use crate::codes::{CodeError, Presentation, StaticOrDynamic};
use crate::money::Money;
pub use crate::registry::RiskFlag;
use crate::registry::{Context, Expect, PaymentCode, Registry, UrlFacts};

/// The scheme of `link` (RFC 3986: a letter, then letters, digits, `+`, `-`, `.`), after the
/// leading spaces a browser would skip; `None` when it has none.
fn link_scheme(link: &str) -> Option<&str> {
    let link = link.trim_start();
    let (scheme, _) = link.split_once(':')?;
    let mut chars = scheme.chars();
    let first_is_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    (first_is_letter && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
        .then_some(scheme)
}

pub fn assess(
    code: &PaymentCode,
    reg: &Registry,
    ctx: &Context,
    url: Option<&UrlFacts>,
) -> Vec<RiskFlag> {
    let mut flags = Vec::new();
    if matches!(code.error, Some(CodeError::EmvCrcMismatch { .. })) {
        flags.push(RiskFlag::CrcMismatch);
    }
    if code
        .payload
        .emv_mpm()
        .is_some_and(|mpm| mpm.crc_missing_but_tolerated())
    {
        flags.push(RiskFlag::CrcMissing);
    }
    if let Some(u) = url {
        let unknown = code.network.as_deref() == Some("unknown_url");
        if unknown {
            flags.extend(schemes::flag_for(&u.scheme));
        }
        host_flags(u, reg, unknown, &mut flags);
    }
    // A payment code can carry a `javascript:` or `intent:` link in a field a wallet may open
    // (UPI `url`, BIP21 `r`/`pj`) as easily as on its own: judged by the same scheme table.
    for link in code.payload.embedded_links() {
        if let Some(scheme) = link_scheme(link) {
            flags.extend(schemes::flag_for(scheme));
        }
    }
    if !code.suspicious_text.is_empty() {
        flags.push(RiskFlag::TextSpoofing);
    }
    if code.static_or_dynamic == StaticOrDynamic::Static {
        if let Some(amount) = code.amount {
            if over_static_cap(amount, reg) {
                flags.push(RiskFlag::AmountOverStaticCap);
            }
        }
    }
    if let Some(exp) = code.expires_at {
        let now = ctx.now_unix.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        });
        if now > exp {
            flags.push(RiskFlag::Expired);
        }
    }
    if ctx.expect == Expect::MerchantCode && code.presentation == Presentation::Cpm {
        flags.push(RiskFlag::PayerCodeWhereMerchantExpected);
    }
    flags
}

fn over_static_cap(amount: Money, reg: &Registry) -> bool {
    reg.static_caps().iter().any(|cap| {
        cap.currency.eq_ignore_ascii_case(amount.currency.alpha)
            && crate::money::parse_minor(&cap.max, amount.currency.exponent)
                .is_ok_and(|max| amount.minor > max)
    })
}

fn host_flags(u: &UrlFacts, reg: &Registry, unknown: bool, flags: &mut Vec<RiskFlag>) {
    if u.scheme == "http" {
        flags.push(RiskFlag::PlainHttp);
    }
    if u.host.is_empty() || !(u.scheme == "http" || u.scheme == "https") {
        return;
    }
    if !u.host.is_ascii() || u.host.split('.').any(|l| l.starts_with("xn--")) {
        flags.push(RiskFlag::IdnHost);
    }
    if !unknown {
        return;
    }
    flags.push(RiskFlag::NonAllowlistedHost);
    if is_lookalike(&u.host, reg.allowlisted_hosts(), reg.brand_labels()) {
        flags.push(RiskFlag::LookalikeHost);
    }
}

/// A host that is not allow-listed but resembles one: a brand label outside the real domain,
/// or within two edits of an allow-listed host.
pub fn is_lookalike(host: &str, allowlisted: &[String], brands: &[String]) -> bool {
    let host = host.trim_end_matches('.');
    if allowlisted.iter().any(|a| a == host) {
        return false;
    }
    let brand_hit = brands.iter().any(|b| {
        host.contains(b.as_str())
            && !allowlisted
                .iter()
                .any(|a| registrable(a) == registrable(host) && a.contains(b.as_str()))
    });
    brand_hit || allowlisted.iter().any(|a| edit_distance(a, host) <= 2)
}

/// Last two labels: good enough to tell `qr.alipay.com` from `alipay.com.evil.cn`.
fn registrable(host: &str) -> &str {
    let mut dots = host.rmatch_indices('.');
    match (dots.next(), dots.next()) {
        (Some(_), Some((i, _))) => &host[i + 1..],
        _ => host,
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len().abs_diff(b.len()) > 2 {
        return 3;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identify::identify;
    use crate::registry::{Context, Expect, Registry};

    fn flags(text: &str) -> Vec<RiskFlag> {
        identify(text).risk
    }

    /// A KHQR-shaped code (Cambodia, Bakong account in template 29), signed with its CRC.
    fn khqr_signed() -> String {
        use crate::codes::emv_mpm::{encode, Field};
        let text = |v: &str| Field::Text(v.into());
        encode(&[
            (1, text("12")),
            (29, Field::Template(vec![(0, "jonhsmith@nbcq".into())])),
            (52, text("5999")),
            (53, text("840")),
            (54, text("1")),
            (58, text("KH")),
            (59, text("Jonh Smith")),
            (60, text("PHNOM PENH")),
        ])
        .expect("encodes")
    }

    #[test]
    fn crc_missing_is_read_from_the_typed_crc_status_and_the_networks_tolerance() {
        use crate::codes::emv_mpm::CrcStatus;
        use crate::codes::Payload;
        let signed = khqr_signed();
        let unsigned = signed.strip_suffix(&signed[signed.len() - 8..]).unwrap();
        let mut code = identify(unsigned);
        assert_eq!(code.network.as_deref(), Some("khqr"));
        assert!(code.valid, "{:?}", code.error);
        let mpm = code.payload.emv_mpm().expect("an EMV code");
        assert_eq!(mpm.crc, CrcStatus::Missing);
        assert!(mpm.missing_crc_tolerated);
        assert!(code.risk.contains(&RiskFlag::CrcMissing));
        // The rule reads the typed status, not the rendered view: untolerated, no flag.
        if let Payload::EmvMpm(mpm) = &mut code.payload {
            mpm.missing_crc_tolerated = false;
        }
        let ctx = Context::default();
        let again = assess(&code, Registry::builtin(), &ctx, None);
        assert!(!again.contains(&RiskFlag::CrcMissing), "{again:?}");
        let signed = identify(&signed);
        assert_eq!(
            signed.payload.emv_mpm().map(|m| &m.crc),
            Some(&CrcStatus::Valid)
        );
        assert!(!signed.risk.contains(&RiskFlag::CrcMissing));
    }

    #[test]
    fn an_embedded_link_is_judged_from_the_typed_parameter() {
        use crate::codes::Payload;
        let mut code = identify("upi://pay?pa=shop@upi&pn=Shop");
        assert!(code.risk.is_empty(), "{:?}", code.risk);
        let Payload::Upi(upi) = &mut code.payload else {
            panic!("not UPI: {:?}", code.payload)
        };
        upi.url = Some("javascript:alert(1)".into());
        let ctx = Context::default();
        assert_eq!(
            assess(&code, Registry::builtin(), &ctx, None),
            [RiskFlag::ScriptLink]
        );
    }

    #[test]
    fn flags_a_crc_mismatch() {
        let f = flags("00020101021126280010A000000775011001087990425204597753037045802VN5909MYPHAMHER6005HANOI62260311MY PHAM HER0707MPHER0163041C55");
        assert!(f.contains(&RiskFlag::CrcMismatch));
    }

    #[test]
    fn flags_plain_http_on_a_wallet_host() {
        let code = identify("http://qr.alipay.com/bax07729i8nrz04notk60045");
        assert_eq!(code.network.as_deref(), Some("alipay"));
        assert!(code.risk.contains(&RiskFlag::PlainHttp));
    }

    #[test]
    fn flags_a_lookalike_alipay_host() {
        let f = flags("https://qr.alipay.com.pay-verify.cn/bax07729i8nrz04notk60045");
        assert!(f.contains(&RiskFlag::LookalikeHost));
        let f = flags("https://qr.a1ipay.com/bax07729i8nrz04notk60045");
        assert!(f.contains(&RiskFlag::LookalikeHost));
    }

    #[test]
    fn flags_an_unrelated_host_as_not_allowlisted_only() {
        let f = flags("https://example.org/pay");
        assert_eq!(f, vec![RiskFlag::NonAllowlistedHost]);
    }

    #[test]
    fn flags_punycode_hosts() {
        let f = flags("https://xn--alipy-9ra.com/x");
        assert!(f.contains(&RiskFlag::IdnHost));
    }

    #[test]
    fn flags_a_static_cny_code_above_500() {
        let text = crate::codes::emv_mpm::encode(&[
            (1, crate::codes::emv_mpm::Field::Text("11".into())),
            (
                15,
                crate::codes::emv_mpm::Field::Text("3721011637210116012345678901234".into()),
            ),
            (52, crate::codes::emv_mpm::Field::Text("5812".into())),
            (53, crate::codes::emv_mpm::Field::Text("156".into())),
            (54, crate::codes::emv_mpm::Field::Text("500.01".into())),
            (58, crate::codes::emv_mpm::Field::Text("CN".into())),
            (59, crate::codes::emv_mpm::Field::Text("SHOP".into())),
            (60, crate::codes::emv_mpm::Field::Text("BEIJING".into())),
        ])
        .unwrap();
        let code = identify(&text);
        assert!(code.valid, "{:?}", code.error);
        assert!(code.risk.contains(&RiskFlag::AmountOverStaticCap));
        assert!(!identify(&text.replace("5406500.01", "5406500.00"))
            .risk
            .contains(&RiskFlag::AmountOverStaticCap));
    }

    #[test]
    fn flags_an_expired_invoice_against_the_given_clock() {
        let invoice = "lnbc2500u1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpquwpc4curk03c9wlrswe78q4eyqc7d8d0xqzpu9qrsgqhtjpauu9ur7fw2thcl4y9vfvh4m9wlfyz2gem29g5ghe2aak2pm3ps8fdhtceqsaagty2vph7utlgj48u0ged6a337aewvraedendscp573dxr";
        let reg = Registry::builtin();
        let early = Context {
            now_unix: Some(1_496_314_658 + 30),
            ..Context::default()
        };
        let late = Context {
            now_unix: Some(1_496_314_658 + 61),
            ..Context::default()
        };
        assert!(!crate::identify::identify_with(reg, invoice, &early)
            .risk
            .contains(&RiskFlag::Expired));
        assert!(crate::identify::identify_with(reg, invoice, &late)
            .risk
            .contains(&RiskFlag::Expired));
    }

    #[test]
    fn every_non_payment_or_script_scheme_is_flagged_and_not_valid() {
        for (text, flag) in [
            ("javascript:alert(document.cookie)", RiskFlag::ScriptLink),
            ("JavaScript:alert(1)", RiskFlag::ScriptLink),
            ("vbscript:msgbox(1)", RiskFlag::ScriptLink),
            ("javascript:alert( 1 )", RiskFlag::ScriptLink),
            (
                "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
                RiskFlag::EmbeddedContentLink,
            ),
            (
                "blob:https://example.org/1b2c",
                RiskFlag::EmbeddedContentLink,
            ),
            ("file:///etc/passwd", RiskFlag::LocalResourceLink),
            (
                "content://com.android.contacts/contacts",
                RiskFlag::LocalResourceLink,
            ),
            (
                "intent://scan/#Intent;scheme=zxing;package=com.evil;end",
                RiskFlag::AppLaunchLink,
            ),
            (
                "itms-services://?action=download-manifest&url=https://evil.example/m.plist",
                RiskFlag::AppLaunchLink,
            ),
            ("tel:+8613800000000", RiskFlag::NonPaymentLink),
            ("mailto:a@example.org", RiskFlag::NonPaymentLink),
            (
                "alipays://platformapi/startapp?appId=20000067",
                RiskFlag::UnknownAppScheme,
            ),
            ("phonepe://pay?pa=x@ybl", RiskFlag::UnknownAppScheme),
            ("weixin://dl/business/?t=abc", RiskFlag::UnknownAppScheme),
        ] {
            let code = identify(text);
            assert!(code.risk.contains(&flag), "{text}: {:?}", code.risk);
            assert!(!code.valid, "{text} is not payable");
            assert_eq!(code.network.as_deref(), Some("unknown_url"), "{text}");
        }
        // Payment schemes the registry knows are not flagged as links.
        let upi = identify("upi://pay?pa=shop@okaxis&pn=Shop&url=https://shop.example/t/1");
        assert!(upi.valid && upi.risk.is_empty(), "{:?}", upi.risk);
        let wechat = identify("weixin://wxpay/bizpayurl?pr=abcdefg");
        assert!(wechat.valid && wechat.risk.is_empty(), "{:?}", wechat.risk);
    }

    #[test]
    fn text_spoofing_is_flagged_on_unrecognised_payloads_too() {
        for text in ["\u{202e}javascript:alert(1)", "\u{1b}]0;x\u{7}hello"] {
            let code = identify(text);
            assert!(!code.valid);
            assert_eq!(code.risk, [RiskFlag::TextSpoofing], "{text:?}");
        }
        assert!(identify("hello").risk.is_empty());
    }

    #[test]
    fn a_web_link_is_not_a_payment_code() {
        let code = identify("https://example.org/pay");
        assert!(!code.valid);
        assert_eq!(
            code.error.as_ref().map(CodeError::code),
            Some("not_a_payment_code")
        );
    }

    #[test]
    fn flags_a_payer_code_where_a_merchant_code_is_expected() {
        let ctx = Context {
            expect: Expect::MerchantCode,
            ..Context::default()
        };
        let code = crate::identify::identify_with(Registry::builtin(), "134567890123456789", &ctx);
        assert!(code
            .risk
            .contains(&RiskFlag::PayerCodeWhereMerchantExpected));
        assert!(identify("134567890123456789").risk.is_empty());
    }

    #[test]
    fn links_inside_payment_codes_are_judged_by_their_scheme() {
        for (text, flag) in [
            (
                "upi://pay?pa=shop@okaxis&pn=Shop&url=javascript:alert(1)",
                RiskFlag::ScriptLink,
            ),
            (
                "upi://pay?pa=shop@okaxis&pn=Shop&url=intent://x%23Intent;package=com.evil;end",
                RiskFlag::AppLaunchLink,
            ),
            (
                "bitcoin:1BoatSLRHtKNngkdXEeobR76b53LETtpyT?r=data:text/html;base64,PGI%2B",
                RiskFlag::EmbeddedContentLink,
            ),
            (
                "bitcoin:1BoatSLRHtKNngkdXEeobR76b53LETtpyT?pj=file:///etc/passwd",
                RiskFlag::LocalResourceLink,
            ),
        ] {
            let code = identify(text);
            assert!(code.risk.contains(&flag), "{text}: {:?}", code.risk);
        }
        let https =
            identify("bitcoin:1BoatSLRHtKNngkdXEeobR76b53LETtpyT?r=https://merchant.example/i/1");
        assert!(https.risk.is_empty(), "{:?}", https.risk);
    }

    #[test]
    fn a_link_scheme_is_letters_first_and_nothing_else_is_one() {
        assert_eq!(link_scheme("  JavaScript:alert(1)"), Some("JavaScript"));
        assert_eq!(
            link_scheme("ms-appinstaller:?source=x"),
            Some("ms-appinstaller")
        );
        assert_eq!(link_scheme("/relative:path"), None);
        assert_eq!(link_scheme("1abc:x"), None);
        assert_eq!(link_scheme("no scheme"), None);
    }
}
