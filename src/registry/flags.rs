//! The record's warning vocabulary: which risks a code can carry (`risk` decides which apply) and
//! the facts about a link that `risk` judges. Defined with `PaymentCode` so the registry never
//! imports the step after it.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskFlag {
    /// The EMV CRC does not match: altered, mis-scanned or forged.
    CrcMismatch,
    /// No CRC where the network tolerates that (KHQR decoders do): nothing protects the text.
    CrcMissing,
    /// The host imitates an allow-listed payment host (`qr-alipay.com`, `qr.alipay.com.evil.cn`).
    LookalikeHost,
    /// A web link to a host that is not a known payment host.
    NonAllowlistedHost,
    /// `http://`: the content can be changed in transit.
    PlainHttp,
    /// Punycode (`xn--`) or non-ASCII host: a classic homograph disguise.
    IdnHost,
    /// A static code asks for more than the regulator's cap for static codes.
    AmountOverStaticCap,
    /// The invoice's expiry has passed.
    Expired,
    /// The payer's own pay code shown where a merchant's code is expected (a common scam:
    /// "scan this to receive money" makes the victim pay).
    PayerCodeWhereMerchantExpected,
    /// A name, city or note holds bidi overrides/isolates/marks or control characters that
    /// can make it read differently from what is paid: show it escaped or isolated.
    TextSpoofing,
    /// `javascript:`, `vbscript:`: runs code in whatever opens it.
    ScriptLink,
    /// `data:`, `blob:`: carries its own page or script instead of pointing at one.
    EmbeddedContentLink,
    /// `file:`, `content:`, `smb:`...: reaches files or services on the device or its network.
    LocalResourceLink,
    /// `intent:`, `itms-services:`...: starts or installs an app with the code's parameters.
    AppLaunchLink,
    /// `tel:`, `sms:`, `mailto:`, `geo:`...: an ordinary action, not a payment.
    NonPaymentLink,
    /// A scheme no registry row or scheme table knows: some app's or wallet's private link.
    UnknownAppScheme,
}

impl RiskFlag {
    pub fn as_str(self) -> &'static str {
        match self {
            RiskFlag::CrcMismatch => "crc_mismatch",
            RiskFlag::CrcMissing => "crc_missing",
            RiskFlag::LookalikeHost => "lookalike_host",
            RiskFlag::NonAllowlistedHost => "non_allowlisted_host",
            RiskFlag::PlainHttp => "plain_http",
            RiskFlag::IdnHost => "idn_host",
            RiskFlag::AmountOverStaticCap => "amount_over_static_cap",
            RiskFlag::Expired => "expired",
            RiskFlag::PayerCodeWhereMerchantExpected => "payer_code_where_merchant_expected",
            RiskFlag::TextSpoofing => "text_spoofing",
            RiskFlag::ScriptLink => "script_link",
            RiskFlag::EmbeddedContentLink => "embedded_content_link",
            RiskFlag::LocalResourceLink => "local_resource_link",
            RiskFlag::AppLaunchLink => "app_launch_link",
            RiskFlag::NonPaymentLink => "non_payment_link",
            RiskFlag::UnknownAppScheme => "unknown_app_scheme",
        }
    }
}

/// What risk needs to know about a URL payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlFacts {
    pub scheme: String,
    pub host: String,
}
