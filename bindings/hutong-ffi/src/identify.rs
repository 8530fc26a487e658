//! Identification across the boundary: a scanned payload in, one `CodeInfo` record out with the
//! fields a pay screen shows, the wallet's route when asked, and the full JSON for the rest.

use super::amount::Money;
use super::guard::{guarded, Panicked};
use hutong_core::codes;
use hutong_core::identify;
use hutong_core::registry::{self, Registry};
use hutong_core::risk;
use hutong_core::route;
use std::collections::HashMap;

/// What the app expects to see, so a mismatch can be flagged (`PayerCodeWhereMerchantExpected`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Expect {
    /// No expectation (a general-purpose scanner): no mismatch flag. The default.
    Any,
    /// The user is about to pay: a payer-presented code here is a red flag.
    MerchantCode,
    /// The merchant is scanning the payer's code.
    PayerCode,
}

/// Per-call context for `identify`. Every field has a default; passing no context at all is the
/// same as `IdentifyContext()`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct IdentifyContext {
    /// What the screen expects; `None` is `Expect.Any`. Set `MerchantCode` on a pay screen.
    #[uniffi(default = None)]
    pub expect: Option<Expect>,
    /// A network id whose acceptance rules an EMV merchant code must also meet, even when the
    /// payload does not name that network (`jpqr`: country JP, currency JPY); a mismatch makes
    /// the code invalid. `None`: only the payload's own network's rules.
    #[uniffi(default = None)]
    pub profile: Option<String>,
    /// A wallet profile id (`wechat`, `bestpay`, `qa_sample`...): fills `route` and `can_pay`.
    /// An id the registry does not know is `IdentifyError.UnknownWalletProfile`. `None` leaves
    /// both unset.
    #[uniffi(default = None)]
    pub wallet_profile_id: Option<String>,
    /// Unix seconds for expiry checks; `None` reads the system clock.
    #[uniffi(default = None)]
    pub now_unix: Option<u64>,
}

/// Who shows the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Presentation {
    /// Merchant-presented: the payer scans it and pays.
    Merchant,
    /// Payer-presented (a wallet's pay code): the merchant scans it and collects.
    Payer,
    /// Neither (a web link, a bill, an invoice).
    Other,
}

/// Whether a code can be paid many times or once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CodeKind {
    /// Printed and reused: usually no amount, the payer enters one.
    Static,
    /// Made for one payment: carries its amount, which is paid exactly.
    Dynamic,
    /// Sets up a recurring authorisation (Pix Automático).
    Recurrence,
    /// The format does not say.
    Unknown,
}

/// Whose receive code it is, where the network tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Receiver {
    /// A person's receive code (a friend, a small trader's personal code).
    Personal,
    /// A merchant's code.
    Merchant,
    /// The network does not tell them apart, or the code does not say.
    Unknown,
}

/// How sure the registry is that `CodeInfo.network` is right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Confidence {
    /// A guess (e.g. a generic EMV code named by its country): show the network hedged.
    Low,
    /// A shared or loosely specified format: probably this network.
    Medium,
    /// The payload names the network unambiguously.
    High,
}

/// A warning to show before the user pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum RiskFlag {
    /// The EMV CRC does not match: altered, mis-scanned or forged. Scan again; do not pay.
    CrcMismatch,
    /// No CRC where the network tolerates that: nothing protects the text.
    CrcMissing,
    /// The host imitates a known payment host (`qr-alipay.com`, `qr.alipay.com.evil.cn`).
    LookalikeHost,
    /// A web link to a host that is not a known payment host.
    NonAllowlistedHost,
    /// `http://`: the content can be changed in transit.
    PlainHttp,
    /// Punycode (`xn--`) or non-ASCII host: a classic homograph disguise.
    IdnHost,
    /// A static code asks for more than the regulator's cap for static codes.
    AmountOverStaticCap,
    /// The code's expiry (`CodeInfo.expires_at`) has passed.
    Expired,
    /// A payer's own pay code where the context expected a merchant's code (a common scam:
    /// "scan this to receive money" makes the victim pay).
    PayerCodeWhereMerchantExpected,
    /// A name or note holds bidi or control characters: show it escaped.
    TextSpoofing,
    /// `javascript:`/`vbscript:` link.
    ScriptLink,
    /// `data:`/`blob:` link carrying its own content.
    EmbeddedContentLink,
    /// `file:`/`content:`... link to local resources.
    LocalResourceLink,
    /// `intent:`/`itms-services:`... link that starts or installs an app.
    AppLaunchLink,
    /// `tel:`/`sms:`/`mailto:`... an ordinary action, not a payment.
    NonPaymentLink,
    /// Some app's or wallet's private scheme.
    UnknownAppScheme,
}

/// How a wallet can pay a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum RouteKind {
    /// The wallet accepts the code's network itself.
    Direct,
    /// Through an interconnect (e.g. a UnionPay code paid from WeChat Pay), named in
    /// `PayRoute.interconnect`.
    ViaInterconnect,
    /// The wallet cannot pay it; `PayRoute.reason` says why.
    Unsupported,
}

/// The answer for one wallet profile: whether and how it can pay the code.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PayRoute {
    /// The wallet profile asked about (`IdentifyContext.wallet_profile_id`).
    pub wallet_profile_id: String,
    /// Direct, via an interconnect, or not at all.
    pub kind: RouteKind,
    /// The interconnect's name for `ViaInterconnect`.
    pub interconnect: Option<String>,
    /// Why not, for `Unsupported`.
    pub reason: Option<String>,
}

/// One identified code: what a pay screen shows. Text fields come from the scanned payload,
/// which anyone can print: show them as untrusted text (see `suspicious_text_fields`).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CodeInfo {
    /// Network id (`wechat_pay`, `pix`, `upi`, `emvco_mpm`...), `None` when unknown.
    pub network: Option<String>,
    /// The network's display name ("WeChat Pay", "Pix"), `None` when unknown.
    pub network_name: Option<String>,
    /// Which parser read it (`emv_mpm`, `upi`, `bip21`...).
    pub payload_format: Option<String>,
    /// The network's own kind label, when it has one.
    pub kind: Option<String>,
    /// Who shows the code: a merchant (pay it) or a payer (collect with it).
    pub presentation: Presentation,
    /// Static (payer enters the amount), dynamic (one payment, fixed amount) or unknown.
    pub static_or_dynamic: CodeKind,
    /// A person's or a merchant's code, where the network tells them apart.
    pub receiver: Receiver,
    /// The amount the code asks for, in minor units of its ISO 4217 currency; `None` when the
    /// code carries none (a static code: ask the user, then `parse_amount`).
    pub amount: Option<Money>,
    /// ISO 4217 alpha code the code is paid in (`CNY`, `INR`, `BTC`), also when it carries no
    /// amount (EMV tag 53, UPI `cu`).
    pub currency: Option<String>,
    /// Who is paid (never a free-text note).
    pub merchant_name: Option<String>,
    /// The merchant's city, as the code states it.
    pub merchant_city: Option<String>,
    /// What the payment is for, as the payer should read it (BIP21 message, UPI note...).
    pub note: Option<String>,
    /// The merchant or terminal id where the network's table names one.
    pub merchant_id: Option<String>,
    /// The merchant's country as the code states it (ISO 3166-1 alpha-2 in EMV codes, tag 58).
    pub country: Option<String>,
    /// The merchant category code (4 digits, ISO 18245; EMV tag 52), when the code has one.
    pub mcc: Option<String>,
    /// How sure the registry is about `network`.
    pub confidence: Confidence,
    /// True when the code can be acted on: paid (merchant-presented) or collected (a payer's
    /// code). False when the payload breaks a rule of its format, and for payloads that are
    /// not payment codes at all: web links and `javascript:`/`data:`/`file:`/`intent:`/app
    /// links (`error_code` `not_a_payment_code`, with a risk flag naming the kind of link).
    pub valid: bool,
    /// Why the code is not valid, in English for logs and QA (show your own text, keyed by
    /// `error_code`); `None` when valid.
    pub error: Option<String>,
    /// A stable snake_case code for `error` (`emv_crc_mismatch`...).
    pub error_code: Option<String>,
    /// Warnings to show before the user pays, most codes have none. They never change `valid`.
    pub risk: Vec<RiskFlag>,
    /// Tolerated departures from the format that real issuers ship (`tag_52_missing`...).
    pub deviations: Vec<String>,
    /// Display fields that hold bidi or control characters (why `TextSpoofing` is set).
    pub suspicious_text_fields: Vec<String>,
    /// Unix seconds after which the code is no longer payable.
    pub expires_at: Option<u64>,
    /// Set when the context named a wallet profile.
    pub route: Option<PayRoute>,
    /// `route.kind != Unsupported`; `None` without a wallet profile.
    pub can_pay: Option<bool>,
    /// Format- and network-specific fields (`pix_key`, `vpa`, `mai.26.guid`...).
    pub details: HashMap<String, String>,
    /// Every field as the QA tool prints it (`hutong-qa identify --json`).
    pub json: String,
}

/// Why a code could not be identified as asked. An unrecognised or broken payload is not an
/// error: it comes back with `valid = false` and the reason in `error`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum IdentifyError {
    /// `IdentifyContext.wallet_profile_id` names no profile the registry knows (the message
    /// lists the known ones): a configuration bug in the app, not the code's fault.
    #[error("no wallet profile `{0}` (known: {1})")]
    UnknownWalletProfile(String, String),
    /// A bug in the library (a caught panic); the message is for a bug report.
    #[error("internal error in hutong (please report): {0}")]
    Internal(String),
}

impl From<Panicked> for IdentifyError {
    fn from(p: Panicked) -> Self {
        IdentifyError::Internal(p.0)
    }
}

fn presentation(p: codes::Presentation) -> Presentation {
    match p {
        codes::Presentation::Mpm => Presentation::Merchant,
        codes::Presentation::Cpm => Presentation::Payer,
        codes::Presentation::Other => Presentation::Other,
    }
}

fn code_kind(k: codes::StaticOrDynamic) -> CodeKind {
    match k {
        codes::StaticOrDynamic::Static => CodeKind::Static,
        codes::StaticOrDynamic::Dynamic => CodeKind::Dynamic,
        codes::StaticOrDynamic::Recurrence => CodeKind::Recurrence,
        codes::StaticOrDynamic::Unknown => CodeKind::Unknown,
    }
}

fn receiver(r: codes::Receiver) -> Receiver {
    match r {
        codes::Receiver::Personal => Receiver::Personal,
        codes::Receiver::Merchant => Receiver::Merchant,
        codes::Receiver::Unknown => Receiver::Unknown,
    }
}

fn confidence(c: registry::Confidence) -> Confidence {
    match c {
        registry::Confidence::Low => Confidence::Low,
        registry::Confidence::Medium => Confidence::Medium,
        registry::Confidence::High => Confidence::High,
    }
}

fn risk_flag(f: risk::RiskFlag) -> RiskFlag {
    use risk::RiskFlag as R;
    match f {
        R::CrcMismatch => RiskFlag::CrcMismatch,
        R::CrcMissing => RiskFlag::CrcMissing,
        R::LookalikeHost => RiskFlag::LookalikeHost,
        R::NonAllowlistedHost => RiskFlag::NonAllowlistedHost,
        R::PlainHttp => RiskFlag::PlainHttp,
        R::IdnHost => RiskFlag::IdnHost,
        R::AmountOverStaticCap => RiskFlag::AmountOverStaticCap,
        R::Expired => RiskFlag::Expired,
        R::PayerCodeWhereMerchantExpected => RiskFlag::PayerCodeWhereMerchantExpected,
        R::TextSpoofing => RiskFlag::TextSpoofing,
        R::ScriptLink => RiskFlag::ScriptLink,
        R::EmbeddedContentLink => RiskFlag::EmbeddedContentLink,
        R::LocalResourceLink => RiskFlag::LocalResourceLink,
        R::AppLaunchLink => RiskFlag::AppLaunchLink,
        R::NonPaymentLink => RiskFlag::NonPaymentLink,
        R::UnknownAppScheme => RiskFlag::UnknownAppScheme,
    }
}

fn core_context(ctx: &IdentifyContext) -> registry::Context {
    registry::Context {
        expect: match ctx.expect.unwrap_or(Expect::Any) {
            Expect::Any => registry::Expect::Any,
            Expect::MerchantCode => registry::Expect::MerchantCode,
            Expect::PayerCode => registry::Expect::PayerCode,
        },
        profile: ctx.profile.clone(),
        now_unix: ctx.now_unix,
    }
}

/// The context's wallet profile, the first in `profiles` with its id.
fn wallet(
    ctx: &IdentifyContext,
    profiles: &[route::WalletProfile],
) -> Result<Option<route::WalletProfile>, IdentifyError> {
    let Some(id) = ctx.wallet_profile_id.as_deref() else {
        return Ok(None);
    };
    match profiles.iter().find(|p| p.id == id) {
        Some(p) => Ok(Some(p.clone())),
        None => {
            let mut known: Vec<&str> = Vec::new();
            for p in profiles {
                if !known.contains(&p.id.as_str()) {
                    known.push(&p.id);
                }
            }
            Err(IdentifyError::UnknownWalletProfile(
                id.to_owned(),
                known.join(", "),
            ))
        }
    }
}

fn pay_route(profile: &route::WalletProfile, code: &registry::PaymentCode) -> PayRoute {
    let (kind, interconnect, reason) = match route::can_pay(profile, code) {
        route::Route::Direct => (RouteKind::Direct, None, None),
        route::Route::ViaInterconnect(name) => (RouteKind::ViaInterconnect, Some(name), None),
        route::Route::Unsupported(why) => (RouteKind::Unsupported, None, Some(why)),
    };
    PayRoute {
        wallet_profile_id: profile.id.clone(),
        kind,
        interconnect,
        reason,
    }
}

fn code_info(code: registry::PaymentCode, wallet: Option<&route::WalletProfile>) -> CodeInfo {
    let route = wallet.map(|w| pay_route(w, &code));
    // Both flat views are rendered here, at the edge, from the typed code. The JSON is escaped
    // like the QA tool's output: an app that logs it shows no raw bidi or controls.
    let json = codes::text::to_safe_json(&code.to_json());
    let details = code.details().into_iter().collect();
    let merchant_id = code.payload.merchant_id().map(str::to_owned);
    CodeInfo {
        can_pay: route.as_ref().map(|r| r.kind != RouteKind::Unsupported),
        route,
        network: code.network,
        network_name: code.network_name,
        payload_format: code.format.map(|f| f.as_str().to_owned()),
        kind: code.kind,
        presentation: presentation(code.presentation),
        static_or_dynamic: code_kind(code.static_or_dynamic),
        receiver: receiver(code.receiver),
        amount: code.amount.map(Money::from),
        currency: code
            .currency
            .or(code.amount.map(|m| m.currency))
            .map(|c| c.alpha.to_owned()),
        merchant_name: code.merchant_name,
        merchant_city: code.merchant_city,
        note: code.note,
        merchant_id,
        country: code.country,
        mcc: code.mcc,
        confidence: confidence(code.confidence),
        valid: code.valid,
        error_code: code.error.as_ref().map(|e| e.code().to_owned()),
        error: code.error.as_ref().map(ToString::to_string),
        risk: code.risk.into_iter().map(risk_flag).collect(),
        deviations: code.deviations,
        suspicious_text_fields: code.suspicious_text,
        expires_at: code.expires_at,
        details,
        json,
    }
}

fn run(
    context: Option<IdentifyContext>,
    ident: impl FnOnce(&Registry, &registry::Context) -> registry::PaymentCode,
) -> Result<CodeInfo, IdentifyError> {
    run_in(
        Registry::builtin(),
        &route::builtin_profiles(),
        context,
        ident,
    )
}

/// Identifies with `registry`; the context's wallet profile is looked up in `profiles`.
pub(super) fn run_in(
    registry: &Registry,
    profiles: &[route::WalletProfile],
    context: Option<IdentifyContext>,
    ident: impl FnOnce(&Registry, &registry::Context) -> registry::PaymentCode,
) -> Result<CodeInfo, IdentifyError> {
    let ctx = context.unwrap_or(IdentifyContext {
        expect: None,
        profile: None,
        wallet_profile_id: None,
        now_unix: None,
    });
    let wallet = wallet(&ctx, profiles)?;
    let code = ident(registry, &core_context(&ctx));
    Ok(code_info(code, wallet.as_ref()))
}

/// Identifies a scanned payload: network, merchant, amount, static or dynamic, risk flags, and
/// with a wallet profile in the context, whether and how that wallet can pay it. Uses the
/// built-in table and wallet profiles; `PaymentRegistry.identify` uses an updated registry and
/// the app's own profile.
///
/// Synchronous and fast (microseconds, no I/O): fine on the camera's analysis thread right
/// after a scan. Throws `IdentifyError.UnknownWalletProfile` only for a bad
/// `context.wallet_profile_id`; every payload, however broken, gives a `CodeInfo`.
#[uniffi::export]
pub fn identify(
    payload: String,
    context: Option<IdentifyContext>,
) -> Result<CodeInfo, IdentifyError> {
    guarded(|| {
        run(context, |reg, ctx| {
            identify::identify_with(reg, &payload, ctx)
        })
    })
}

/// Identifies a code's raw bytes (`ScannedCode.raw_bytes`): UTF-8 text or an EMVCo CPM token.
/// Otherwise as `identify`.
#[uniffi::export]
pub fn identify_bytes(
    bytes: Vec<u8>,
    context: Option<IdentifyContext>,
) -> Result<CodeInfo, IdentifyError> {
    guarded(|| {
        run(context, |reg, ctx| {
            identify::identify_bytes_with(reg, &bytes, ctx)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The EMVCo sample the registry tests use: UnionPay-style dynamic code, 23.72 CNY.
    const EMV: &str = "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A";

    fn ctx(wallet: Option<&str>, expect: Option<Expect>) -> Option<IdentifyContext> {
        Some(IdentifyContext {
            expect,
            profile: None,
            wallet_profile_id: wallet.map(str::to_owned),
            now_unix: None,
        })
    }

    #[test]
    fn identifies_an_emv_code_with_amount_merchant_and_the_json_view() {
        let info = identify(EMV.into(), None).unwrap();
        assert!(info.valid);
        assert_eq!(
            info.amount,
            Some(Money {
                minor: 2372,
                currency: "CNY".into()
            })
        );
        assert_eq!(info.merchant_name.as_deref(), Some("BEST TRANSPORT"));
        assert_eq!(info.presentation, Presentation::Merchant);
        assert_eq!(info.payload_format.as_deref(), Some("emv_mpm"));
        let json: serde_json::Value = serde_json::from_str(&info.json).unwrap();
        assert_eq!(json["amount_minor"], 2372);
        assert_eq!(json["network"].as_str(), info.network.as_deref());
        assert!(info.route.is_none() && info.can_pay.is_none());
    }

    #[test]
    fn a_broken_crc_is_invalid_with_a_flag_and_a_code_not_an_error() {
        let broken = EMV.replace("A13A", "0000");
        let info = identify(broken, None).unwrap();
        assert!(!info.valid);
        assert_eq!(info.error_code.as_deref(), Some("emv_crc_mismatch"));
        assert!(info.risk.contains(&RiskFlag::CrcMismatch));
    }

    #[test]
    fn a_wallet_profile_fills_route_and_can_pay() {
        let profile = route::builtin_profiles().into_iter().next().unwrap();
        let info = identify(EMV.into(), ctx(Some(&profile.id), None)).unwrap();
        let r = info.route.clone().unwrap();
        assert_eq!(r.wallet_profile_id, profile.id);
        assert_eq!(info.can_pay, Some(r.kind != RouteKind::Unsupported));
        assert_eq!(r.reason.is_some(), r.kind == RouteKind::Unsupported);
    }

    #[test]
    fn an_unknown_wallet_profile_is_an_error_naming_the_known_ones() {
        let err = identify(EMV.into(), ctx(Some("no_such_wallet"), None)).unwrap_err();
        assert!(matches!(err, IdentifyError::UnknownWalletProfile(..)));
        assert!(err
            .to_string()
            .starts_with("no wallet profile `no_such_wallet`"));
    }

    #[test]
    fn unrecognised_text_is_invalid_not_an_error() {
        let info = identify("hello".into(), None).unwrap();
        assert!(!info.valid);
        assert!(info.network.is_none());
        assert!(info.error.is_some());
    }

    #[test]
    fn currency_without_amount_reaches_the_record() {
        let static_code =
            "00020101021129370016A0000006770101110113006681222333353037645802TH63041DCF";
        let info = identify(static_code.into(), None).unwrap();
        assert_eq!(info.amount, None);
        assert_eq!(info.currency.as_deref(), Some("THB"));
        let json: serde_json::Value = serde_json::from_str(&info.json).unwrap();
        assert_eq!(json["currency"], "764");
    }

    #[test]
    fn text_spoofing_reaches_the_record_and_its_json_stays_escaped() {
        let info = identify(
            "upi://pay?pa=shop@upi&pn=Shop%E2%80%AEnimda&tn=note".into(),
            None,
        )
        .unwrap();
        assert!(info.valid, "{:?}", info.error);
        assert!(info.risk.contains(&RiskFlag::TextSpoofing));
        assert_eq!(info.suspicious_text_fields, ["pn"]);
        assert_eq!(info.note.as_deref(), Some("note"));
        assert!(!info.json.contains('\u{202e}'), "{}", info.json);
        assert!(info.json.contains("\\u202e"), "{}", info.json);
    }

    #[test]
    fn a_script_link_is_not_valid_and_says_why() {
        let info = identify("javascript:alert(1)".into(), None).unwrap();
        assert!(!info.valid);
        assert_eq!(info.error_code.as_deref(), Some("not_a_payment_code"));
        assert_eq!(info.risk, [RiskFlag::ScriptLink]);
    }

    #[test]
    fn bytes_identify_like_the_same_text() {
        let a = identify(EMV.into(), None).unwrap();
        let b = identify_bytes(EMV.as_bytes().to_vec(), None).unwrap();
        assert_eq!(a.network, b.network);
        assert_eq!(a.amount, b.amount);
    }
}
