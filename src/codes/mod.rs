//! Strict parsers for payment payloads: EMVCo MPM/CPM, wallet URLs, numeric pay codes, other rails.
//!
//! Each parser knows one format and nothing about networks: which network issued a code is the
//! registry's business (data), so a parser returns what the payload says, typed errors for what
//! is wrong with it, and leaves naming to `registry`.

pub mod base64;
pub mod bech32;
pub mod bip21;
pub mod bolt11;
pub mod crc;
pub mod emv_cpm;
pub mod emv_mpm;
pub mod epc;
pub mod iban;
pub mod payload;
pub mod swiss_qr;
pub mod text;
pub mod th_bill;
pub mod tlv;
pub mod upi;
pub mod url;

use crate::money::AmountError;
pub use payload::Payload;

/// Who shows the code: the merchant (payer scans it) or the payer (merchant scans it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presentation {
    Mpm,
    Cpm,
    Other,
}

impl Presentation {
    pub fn as_str(self) -> &'static str {
        match self {
            Presentation::Mpm => "mpm",
            Presentation::Cpm => "cpm",
            Presentation::Other => "other",
        }
    }
}

/// Whether a code can be paid many times (static) or once (dynamic), as the payload says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaticOrDynamic {
    Static,
    Dynamic,
    /// Pix Automático: the code only sets up a recurring authorisation.
    Recurrence,
    Unknown,
}

impl StaticOrDynamic {
    pub fn as_str(self) -> &'static str {
        match self {
            StaticOrDynamic::Static => "static",
            StaticOrDynamic::Dynamic => "dynamic",
            StaticOrDynamic::Recurrence => "recurrence",
            StaticOrDynamic::Unknown => "unknown",
        }
    }
}

/// Whose receive code it is, where the network tells them apart (caps and refunds differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Receiver {
    Personal,
    Merchant,
    Unknown,
}

impl Receiver {
    pub fn as_str(self) -> &'static str {
        match self {
            Receiver::Personal => "personal",
            Receiver::Merchant => "merchant",
            Receiver::Unknown => "unknown",
        }
    }
}

/// Which parser read the payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    EmvMpm,
    EmvCpm,
    NumericPayCode,
    WalletUrl,
    Url,
    Upi,
    EpcSct,
    SwissQrBill,
    Bip21,
    Bolt11,
    ThBotBarcode,
    ThSlipVerify,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::EmvMpm => "emv_mpm",
            Format::EmvCpm => "emv_cpm",
            Format::NumericPayCode => "numeric_pay_code",
            Format::WalletUrl => "wallet_url",
            Format::Url => "url",
            Format::Upi => "upi",
            Format::EpcSct => "epc_sct",
            Format::SwissQrBill => "swiss_qr_bill",
            Format::Bip21 => "bip21",
            Format::Bolt11 => "bolt11",
            Format::ThBotBarcode => "th_bot_barcode",
            Format::ThSlipVerify => "th_slip_verify",
        }
    }
}

/// Everything wrong a payload can be. Each variant names the place (tag, field, parameter).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("the payload is empty")]
    Empty,
    #[error("the payload is not a payment code this SDK recognises")]
    Unrecognised,
    #[error("raw bytes are neither UTF-8 text nor an EMVCo CPM token")]
    NotText,
    #[error("{0} digits match no known pay-code prefix and length")]
    UnknownPayCode(usize),
    /// Read fine, but nothing here can be paid or collected (a web link, a slip check).
    #[error("not a payment code: {0}")]
    NotAPaymentCode(String),

    // EMVCo MPM (tags are two-digit ids; nested ones are written `62.05`)
    #[error("the payload does not start with the payload format indicator `000201`")]
    EmvBadHeader,
    #[error(
        "EMV data object at character {at} is cut short (needs 4 characters of id and length)"
    )]
    EmvTruncatedHeader { at: usize },
    #[error("EMV tag id `{tag}` is not two digits")]
    EmvInvalidTagId { tag: String },
    #[error("EMV tag {tag}: length `{len}` is not two digits")]
    EmvBadLength { tag: String, len: String },
    #[error("EMV tag {tag}: length {len} runs past the end of the payload")]
    EmvValueOverrun { tag: String, len: usize },
    #[error("EMV tag {tag} appears more than once")]
    EmvDuplicateTag { tag: String },
    #[error("EMV mandatory tag {tag} is missing")]
    EmvMissingTag { tag: String },
    #[error("EMV tag {tag}: {reason}")]
    EmvInvalidValue { tag: String, reason: String },
    #[error("EMV CRC (tag 63) is missing")]
    EmvMissingCrc,
    #[error("EMV CRC `{found}` is not four hex digits")]
    EmvCrcNotHex { found: String },
    #[error("EMV CRC mismatch: the payload says {found}, computed {computed}")]
    EmvCrcMismatch { found: String, computed: String },
    #[error("{profile}: {field} must be {expected}, found `{found}`")]
    ProfileMismatch {
        profile: String,
        field: String,
        expected: String,
        found: String,
    },

    // EMVCo CPM
    #[error("CPM token is not valid base64")]
    CpmBase64,
    #[error("CPM BER-TLV at byte {at}: {reason}")]
    CpmBer { at: usize, reason: String },
    #[error("CPM payload format indicator (tag 85) must be `CPV01`")]
    CpmBadIndicator,
    #[error("CPM tag {tag} is defined twice ({scope})")]
    CpmDuplicateTag { tag: String, scope: String },
    #[error("CPM {tag}: {reason}")]
    CpmInvalid { tag: String, reason: String },

    // URLs and URIs
    #[error("URL: {0}")]
    Url(String),
    #[error("{scheme} URI: parameter `{param}` is missing")]
    MissingParam { scheme: String, param: String },
    #[error("{scheme} URI: parameter `{param}` is invalid: {reason}")]
    InvalidParam {
        scheme: String,
        param: String,
        reason: String,
    },
    #[error("amount in {field}: {source}")]
    Amount {
        field: String,
        #[source]
        source: AmountError,
    },

    // Line-based formats (EPC069-12, Swiss QR-bill, Thai BOT barcode)
    #[error("{format} field `{field}`: {reason}")]
    Field {
        format: String,
        field: String,
        reason: String,
    },

    // Bitcoin / Lightning
    #[error("bech32: {0}")]
    Bech32(#[from] bech32::Bech32Error),
    #[error("bitcoin address `{0}` is not valid")]
    BitcoinAddress(String),
    #[error("BOLT11 invoice: {0}")]
    Bolt11(String),
}

impl CodeError {
    /// A stable snake_case code for logs, JSON and tests (the `Display` text may be reworded).
    pub fn code(&self) -> &'static str {
        match self {
            CodeError::Empty => "empty",
            CodeError::Unrecognised => "unrecognised",
            CodeError::NotText => "not_text",
            CodeError::UnknownPayCode(_) => "unknown_pay_code",
            CodeError::NotAPaymentCode(_) => "not_a_payment_code",
            CodeError::EmvBadHeader => "emv_bad_header",
            CodeError::EmvTruncatedHeader { .. } => "emv_truncated_header",
            CodeError::EmvInvalidTagId { .. } => "emv_invalid_tag_id",
            CodeError::EmvBadLength { .. } => "emv_bad_length",
            CodeError::EmvValueOverrun { .. } => "emv_value_overrun",
            CodeError::EmvDuplicateTag { .. } => "emv_duplicate_tag",
            CodeError::EmvMissingTag { .. } => "emv_missing_tag",
            CodeError::EmvInvalidValue { .. } => "emv_invalid_value",
            CodeError::EmvMissingCrc => "emv_missing_crc",
            CodeError::EmvCrcNotHex { .. } => "emv_crc_not_hex",
            CodeError::EmvCrcMismatch { .. } => "emv_crc_mismatch",
            CodeError::ProfileMismatch { .. } => "profile_mismatch",
            CodeError::CpmBase64 => "cpm_base64",
            CodeError::CpmBer { .. } => "cpm_ber",
            CodeError::CpmBadIndicator => "cpm_bad_indicator",
            CodeError::CpmDuplicateTag { .. } => "cpm_duplicate_tag",
            CodeError::CpmInvalid { .. } => "cpm_invalid",
            CodeError::Url(_) => "url",
            CodeError::MissingParam { .. } => "missing_param",
            CodeError::InvalidParam { .. } => "invalid_param",
            CodeError::Amount { .. } => "amount",
            CodeError::Field { .. } => "field",
            CodeError::Bech32(_) => "bech32",
            CodeError::BitcoinAddress(_) => "bitcoin_address",
            CodeError::Bolt11(_) => "bolt11",
        }
    }

    pub(crate) fn field(format: &str, field: &str, reason: impl Into<String>) -> CodeError {
        CodeError::Field {
            format: format.to_string(),
            field: field.to_string(),
            reason: reason.into(),
        }
    }

    pub(crate) fn amount(field: &str, source: AmountError) -> CodeError {
        CodeError::Amount {
            field: field.to_string(),
            source,
        }
    }
}

/// What a non-EMV parser read: the common fields plus its typed `payload`.
///
/// EMV payloads keep their own tree (`emv_mpm::Mpm`) because naming their network needs the
/// registry; every other parser fills this directly.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub format: Format,
    /// The network the format itself implies (`upi`, `bip21`...); `None` when the registry decides.
    pub network: Option<&'static str>,
    pub kind: Option<String>,
    pub presentation: Presentation,
    pub static_or_dynamic: StaticOrDynamic,
    pub receiver: Receiver,
    pub amount: Option<crate::money::Money>,
    /// The currency the code is denominated in, with or without an amount.
    pub currency: Option<crate::money::Currency>,
    /// Who is paid: the payee's or merchant's name, never a free-text note.
    pub merchant_name: Option<String>,
    pub merchant_city: Option<String>,
    /// The payer-facing note or message (BIP21 `message`, UPI `tn`, a BOLT11 description).
    pub note: Option<String>,
    pub country: Option<String>,
    /// The format's own fields.
    pub payload: Payload,
    /// Unix seconds after which the code is no longer payable (BOLT11).
    pub expires_at: Option<u64>,
    /// Display-text fields holding characters that can disguise them (`text::FieldRule`).
    pub suspicious_text: Vec<String>,
    /// Set when the payload decoded but breaks a rule of its format (fields above stay filled).
    pub error: Option<CodeError>,
}

impl Parsed {
    pub(crate) fn new(format: Format, network: Option<&'static str>) -> Parsed {
        Parsed {
            format,
            network,
            kind: None,
            presentation: Presentation::Mpm,
            static_or_dynamic: StaticOrDynamic::Unknown,
            receiver: Receiver::Unknown,
            amount: None,
            currency: None,
            merchant_name: None,
            merchant_city: None,
            note: None,
            country: None,
            payload: Payload::None,
            expires_at: None,
            suspicious_text: Vec::new(),
            error: None,
        }
    }

    /// Applies a field's text rule: `Err(reason)` when the value must be refused; a value that
    /// is only suspicious is recorded in `suspicious_text` under `field`.
    pub(crate) fn screen(
        &mut self,
        field: &str,
        value: &str,
        rule: text::FieldRule,
    ) -> Result<(), String> {
        match text::check(value, rule) {
            Ok(text::Finding::Clean) => Ok(()),
            Ok(text::Finding::Flag) => {
                self.suspicious_text.push(field.to_string());
                Ok(())
            }
            Err(text::Refused(reason)) => Err(reason),
        }
    }
}

/// Decodes `%XX` escapes (and `+` as space when `plus_is_space`), refusing broken escapes and
/// byte sequences that are not UTF-8.
pub(crate) fn percent_decode(s: &str, plus_is_space: bool) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hi = hex_val(*bytes.get(i + 1)?)?;
                let lo = hex_val(*bytes.get(i + 2)?)?;
                out.push(hi << 4 | lo);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

pub(crate) fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

pub(crate) fn to_hex_upper(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[usize::from(b >> 4)] as char);
        s.push(HEX[usize::from(b & 0xF)] as char);
    }
    s
}

/// Splits a `k=v&k=v` query into decoded pairs; `None` if an escape is broken.
pub(crate) fn query_pairs(query: &str, plus_is_space: bool) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    for part in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        out.push((
            percent_decode(k, plus_is_space)?,
            percent_decode(v, plus_is_space)?,
        ));
    }
    Some(out)
}
