//! What a [`Scanner`](super::Scanner) looks for and how long it may look.
use rxing::BarcodeFormat;
use std::time::Duration;

/// The symbologies a wallet meets. Payer codes on WeChat/Alipay show a QR and a Code 128;
/// the retail and logistics linear codes come with gallery images and loyalty cards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CodeFormat {
    QrCode,
    MicroQrCode,
    Code128,
    Pdf417,
    DataMatrix,
    Aztec,
    Ean13,
    Ean8,
    UpcE,
    Code39,
}

impl CodeFormat {
    pub const ALL: [CodeFormat; 10] = [
        CodeFormat::QrCode,
        CodeFormat::MicroQrCode,
        CodeFormat::Code128,
        CodeFormat::Pdf417,
        CodeFormat::DataMatrix,
        CodeFormat::Aztec,
        CodeFormat::Ean13,
        CodeFormat::Ean8,
        CodeFormat::UpcE,
        CodeFormat::Code39,
    ];

    /// Stable snake-case name used in JSON and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            CodeFormat::QrCode => "qr_code",
            CodeFormat::MicroQrCode => "micro_qr_code",
            CodeFormat::Code128 => "code_128",
            CodeFormat::Pdf417 => "pdf_417",
            CodeFormat::DataMatrix => "data_matrix",
            CodeFormat::Aztec => "aztec",
            CodeFormat::Ean13 => "ean_13",
            CodeFormat::Ean8 => "ean_8",
            CodeFormat::UpcE => "upc_e",
            CodeFormat::Code39 => "code_39",
        }
    }

    /// Parses a user-facing name: the JSON name or its short form (`qr`, `code128`, `pdf417`).
    pub fn parse(name: &str) -> Option<Self> {
        let key: String = name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match key.as_str() {
            "qr" | "qrcode" => Some(CodeFormat::QrCode),
            "microqr" | "microqrcode" | "mqr" => Some(CodeFormat::MicroQrCode),
            "code128" => Some(CodeFormat::Code128),
            "pdf417" => Some(CodeFormat::Pdf417),
            "datamatrix" | "dm" => Some(CodeFormat::DataMatrix),
            "aztec" => Some(CodeFormat::Aztec),
            "ean13" => Some(CodeFormat::Ean13),
            "ean8" => Some(CodeFormat::Ean8),
            "upce" => Some(CodeFormat::UpcE),
            "code39" => Some(CodeFormat::Code39),
            _ => None,
        }
    }

    /// Linear (1D) codes are read along rows, so they want the upright orientation.
    pub fn is_linear(self) -> bool {
        matches!(
            self,
            CodeFormat::Code128
                | CodeFormat::Ean13
                | CodeFormat::Ean8
                | CodeFormat::UpcE
                | CodeFormat::Code39
        )
    }

    pub(crate) fn to_rxing(self) -> BarcodeFormat {
        match self {
            CodeFormat::QrCode => BarcodeFormat::QR_CODE,
            CodeFormat::MicroQrCode => BarcodeFormat::MICRO_QR_CODE,
            CodeFormat::Code128 => BarcodeFormat::CODE_128,
            CodeFormat::Pdf417 => BarcodeFormat::PDF_417,
            CodeFormat::DataMatrix => BarcodeFormat::DATA_MATRIX,
            CodeFormat::Aztec => BarcodeFormat::AZTEC,
            CodeFormat::Ean13 => BarcodeFormat::EAN_13,
            CodeFormat::Ean8 => BarcodeFormat::EAN_8,
            CodeFormat::UpcE => BarcodeFormat::UPC_E,
            CodeFormat::Code39 => BarcodeFormat::CODE_39,
        }
    }

    pub(crate) fn from_rxing(f: &BarcodeFormat) -> Option<Self> {
        CodeFormat::ALL.into_iter().find(|c| c.to_rxing() == *f)
    }
}

impl std::fmt::Display for CodeFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Scanner configuration, fixed for the scanner's life (readers are built from it once).
#[derive(Debug, Clone, PartialEq)]
pub struct ScanOptions {
    pub formats: Vec<CodeFormat>,
    /// For still images: rxing's TryHarder (rotated 1D codes, damaged symbols) plus one more
    /// pass on the image turned a quarter when nothing was found. Several times slower.
    pub try_harder: bool,
    /// Also look for light-on-dark codes (some wallets' dark mode).
    pub also_inverted: bool,
    /// Stop after this many codes in one frame (at least 1).
    pub max_codes: usize,
    /// The longest a scan call may block its caller; past it the call returns nothing.
    pub time_budget: Duration,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            formats: vec![CodeFormat::QrCode, CodeFormat::Code128],
            try_harder: false,
            also_inverted: false,
            max_codes: 4,
            time_budget: Duration::from_millis(150),
        }
    }
}
