//! What a scan returns: decoded codes with corners, and counters the app can read.
use super::options::CodeFormat;
use crate::frame::Point;

/// One decoded code.
#[derive(Debug, Clone, PartialEq)]
pub struct ScannedCode {
    pub text: String,
    /// The symbol's data bytes as the decoder saw them (empty when rxing gives none).
    pub raw_bytes: Vec<u8>,
    pub format: CodeFormat,
    /// Upright display coordinates of the whole frame (crop offset included), in the code's own
    /// order: top-left, top-right, bottom-right, bottom-left. For QR codes these are the
    /// finder-pattern centres (3.5 modules inside the edge) plus the inferred fourth; for
    /// linear codes the two ends of the scan line, each repeated.
    pub corners: [Point; 4],
    /// Milliseconds from the start of the scan call until this code was decoded.
    pub decode_ms: f64,
}

/// Running counters of a [`Scanner`](super::Scanner): read them to see why frames came back empty.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanStats {
    pub frames: u64,
    pub frames_with_codes: u64,
    pub codes: u64,
    /// Decoder panics caught and turned into "no code".
    pub panics: u64,
    /// Calls that reached the time budget before the decoder finished.
    pub timeouts: u64,
    /// Calls refused at once because earlier, timed-out decodes were still running.
    pub skipped_busy: u64,
}
