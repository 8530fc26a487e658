//! The QR search for camera frames: rxing's zxing-cpp-derived detector steps, driven by our
//! own loop so that a frame full of finder-like squares cannot take a hundred milliseconds.
//!
//! rxing's `QrReader` samples and decodes every plausible triple of finder patterns. A tilted
//! checkerboard yields a hundred patterns and thousands of triples (95 ms measured on one 720p
//! checkerboard frame whose neighbours take 2 ms). Triples come sorted by rxing's plausibility
//! score, so we try at most `max_sets` of them per image: 23 ms on that frame, the rest being
//! the finder scan itself, whose ring traces the grid passes (a cross-check along the column
//! and diagonals did not tell a grid from a finder pattern, so it was not kept).
//!
//! Micro QR and rMQR are not read here: camera frames scan for QR Code only on this path
//! (`engine.rs` picks it); still images keep rxing's full reader.
use rxing::common::cpp_essentials::ConcentricPattern;
use rxing::common::DetectorRXingResult;
use rxing::qrcode::cpp_port::decoder::Decode;
use rxing::qrcode::cpp_port::detector::{FindFinderPatterns, GenerateFinderPatternSets, SampleQR};
use rxing::{BarcodeFormat, Binarizer, BinaryBitmap, RXingResult};

/// Finder-pattern triples tried per image on camera frames. A real symbol's triple ranked 49th
/// of 1028 on a checkerboard frame of the benchmark; 64 keeps it with room to spare.
pub(crate) const LIVE_MAX_SETS: usize = 64;

#[derive(Debug, Clone)]
pub(crate) struct QrSearch {
    max_sets: usize,
}

impl QrSearch {
    pub fn new(max_sets: usize) -> Self {
        QrSearch {
            max_sets: max_sets.max(1),
        }
    }

    /// Up to `max_symbols` QR symbols found in the binarized image, best triples first.
    pub fn decode<B: Binarizer>(
        &self,
        image: &mut BinaryBitmap<B>,
        max_symbols: usize,
    ) -> Vec<RXingResult> {
        let bits = image.get_black_matrix();
        let mut patterns = FindFinderPatterns(bits, false, 0);
        let sets = GenerateFinderPatternSets(&mut patterns);
        let mut results = Vec::new();
        // Patterns of a decoded symbol are not reused for another (as rxing and zxing-cpp do).
        let mut used: Vec<ConcentricPattern> = Vec::new();
        for set in sets.iter().take(self.max_sets) {
            if [set.bl, set.tl, set.tr].iter().any(|p| used.contains(p)) {
                continue;
            }
            let Ok(detected) = SampleQR(bits, set) else {
                continue;
            };
            let Ok(decoded) = Decode(detected.getBits()) else {
                continue;
            };
            if !decoded.isValid() {
                continue;
            }
            used.extend([set.bl, set.tl, set.tr]);
            results.push(RXingResult::with_decoder_result(
                decoded,
                detected.getPoints(),
                BarcodeFormat::QR_CODE,
            ));
            if results.len() >= max_symbols {
                break;
            }
        }
        results
    }
}
