//! Image files as a gallery pick or a console upload delivers them: arbitrary bytes through
//! `HutongScanner.decodeImage` (format sniffing, decoding, EXIF orientation, luma, scanning) must give
//! codes or a typed error, never a panic, and the scan must finish within its budget.
//!
//! Images whose header declares more than `MAX_FUZZ_PIXELS` are skipped so one execution stays
//! in milliseconds; the memory ceilings of large images are the job of their own tests.
use hutong::{CodeFormat, HutongScanner, ScanError, ScanOptions};
use std::io::Cursor;
use std::sync::{Arc, OnceLock};

const MAX_FUZZ_PIXELS: u64 = 512 * 512;

fn scanner() -> &'static Arc<HutongScanner> {
    static SCANNER: OnceLock<Arc<HutongScanner>> = OnceLock::new();
    SCANNER.get_or_init(|| {
        // Every symbology and the slow paths, as a gallery scan would use them.
        HutongScanner::new(ScanOptions {
            formats: hutong_core::scan::CodeFormat::ALL
                .map(CodeFormat::from)
                .to_vec(),
            try_harder: true,
            also_inverted: true,
            max_codes: 8,
            budget_ms: 5_000,
        })
        .expect("valid options")
    })
}

fn declared_pixels(data: &[u8]) -> Option<u64> {
    let (w, h) = image::ImageReader::new(Cursor::new(data))
        .with_guessed_format()
        .ok()?
        .into_dimensions()
        .ok()?;
    Some(u64::from(w) * u64::from(h))
}

/// Runs one input; returns how many codes were found (0 also for a refused file).
pub fn run(data: &[u8]) -> usize {
    if declared_pixels(data).is_some_and(|p| p > MAX_FUZZ_PIXELS) {
        return 0;
    }
    let s = scanner();
    let before = s.stats();
    let found = match s.decode_image(data.to_vec()) {
        Ok(codes) => {
            for c in &codes {
                assert!(
                    c.corners.iter().all(|p| p.x.is_finite() && p.y.is_finite()),
                    "corner not a number: {c:?}"
                );
            }
            codes.len()
        }
        Err(
            ScanError::UnsupportedImage(_)
            | ScanError::ImageTooLarge(_)
            | ScanError::CorruptImage(_),
        ) => 0,
        Err(e) => panic!("untyped failure: {e}"),
    };
    let after = s.stats();
    assert_eq!(after.panics, before.panics, "a decoder panic was caught");
    assert_eq!(
        after.timeouts, before.timeouts,
        "the scan ran past its budget"
    );
    assert_eq!(
        after.skipped_busy, before.skipped_busy,
        "the scanner refused to run"
    );
    found
}
