//! The barcode scanner: configured rxing readers, time budget, panic isolation, multi-code frames.
//!
//! [`Scanner::scan_frame`] copies the frame's luma once (the crop only) and hands it to a
//! decoder thread that runs a pass strategy (`engine.rs`): a coarse matrix-only pass first on
//! large frames, then full resolution, with a bit-exact fast binarizer (`binarize.rs`), a
//! bounded QR search (`qr.rs`), our own Code 128 reader (`code128.rs`), rxing's other linear
//! readers on averaged rows (`averaged.rs`), a second look at EAN-8/UPC-E (`confirm.rs`) and
//! a timing-pattern resample of Data Matrix symbols that fail to decode (`dm_timing.rs`).
//! The caller never waits past the time budget (`worker.rs`). A [`ScanSession`] scans the
//! frames of one preview stream with what the previous frames found (`session.rs`).
mod averaged;
mod binarize;
mod code;
mod code128;
mod confirm;
mod dm_timing;
mod engine;
mod enlarge;
mod image;
mod options;
mod qr;
mod readers;
mod scanner;
mod session;
mod still;
mod transposed;
mod turned_line;
mod worker;

pub use code::{ScanStats, ScannedCode};
pub use image::{
    decode_luma, plan_decode, DecodePlan, ImageError, ImageFormat, LumaImage, MAX_DECODE_BYTES,
    MAX_IMAGE_FILE_BYTES, MAX_JPEG_SCANS, MAX_JPEG_SCAN_PIXELS,
};
pub use options::{CodeFormat, ScanOptions};
pub use scanner::Scanner;
pub use session::{ScanSession, SessionStep, BANDS, WHOLE_FRAME_EVERY};

#[cfg(test)]
mod tests;
