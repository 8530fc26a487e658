//! "Scan a photo": an uploaded image goes through the SDK's image decoder and scanner, and every
//! code found comes back with its corners (for the page to draw) and its identification.

use super::error::ApiError;
use axum::body::Bytes;
use axum::http::StatusCode;
use hutong_core::identify::identify;
use hutong_core::scan::{decode_luma, CodeFormat, ImageError, ScanOptions, Scanner};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Largest upload accepted: a full-resolution phone photo fits with room to spare (the SDK's
/// own cap for image files is 32 MiB; a console upload is held in memory while it arrives).
pub const MAX_UPLOAD_BYTES: usize = 12 << 20;

/// Longest an upload may take to arrive: it holds the console's one decode permit meanwhile.
pub const UPLOAD_READ_SECONDS: u64 = 30;

/// One scanner for all uploads: its readers are built once. Uploads take turns (a semaphore in
/// the route), so one photo's decode is the most the console ever holds.
pub fn scanner() -> Arc<Scanner> {
    Arc::new(Scanner::new(ScanOptions {
        formats: CodeFormat::ALL.to_vec(),
        // A still photo from QA: worth the slower, thorough passes.
        try_harder: true,
        also_inverted: true,
        max_codes: 16,
        time_budget: Duration::from_secs(10),
    }))
}

fn image_error(e: ImageError) -> ApiError {
    match e {
        ImageError::UnsupportedFormat | ImageError::NotBuiltIn { .. } => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_image",
            e.to_string(),
        ),
        ImageError::FileTooLarge { .. }
        | ImageError::TooLarge { .. }
        | ImageError::MemoryLimit { .. }
        | ImageError::TooComplex { .. } => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "image_too_large",
            e.to_string(),
        ),
        ImageError::Truncated { .. } | ImageError::Corrupt { .. } => {
            ApiError::unprocessable("corrupt_image", e.to_string())
        }
    }
}

/// Decodes and scans `bytes`; blocking (call it off the async runtime).
pub fn scan(scanner: &Scanner, bytes: &Bytes) -> Result<serde_json::Value, ApiError> {
    if bytes.is_empty() {
        return Err(ApiError::bad_request("empty_body", "no image was uploaded"));
    }
    let started = Instant::now();
    let image = decode_luma(bytes).map_err(image_error)?;
    // A gallery photo: every quarter turn if the first look finds nothing.
    let found = scanner.scan_still(&image);
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let codes: Vec<_> = found
        .iter()
        .map(|c| {
            serde_json::json!({
                "text": c.text,
                "format": c.format.as_str(),
                "corners": c.corners.iter().map(|p| [p.x, p.y]).collect::<Vec<_>>(),
                "identification": identify(&c.text).to_json(),
            })
        })
        .collect();
    Ok(serde_json::json!({
        // Upright (EXIF applied) size: the corners are in this space.
        "width": image.width,
        "height": image.height,
        "decode_ms": (ms * 10.0).round() / 10.0,
        "codes": codes,
    }))
}
