//! The Rust side of the FFI cost measurement: the exported `HutongScanner.scan_nv21` and `identify`
//! called from Rust on the same inputs the Kotlin harness (`FfiBench.kt`) sends through JNA.
//! `cargo xtask bench-ffi` runs both and prints the table; this bench also writes the frame and
//! payload it used to `HUTONG_FFI_BENCH_OUT` (default `target/ffi-bench`) so Kotlin scans the
//! very same bytes.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use hutong::{hutong_version, identify, HutongScanner, ScanOptions};
use std::path::PathBuf;
use std::time::Duration;

#[path = "../../../benches/frames.rs"]
mod frames;

/// The EMVCo specification's sample merchant code (also in the identify bench).
const PAYLOAD: &str = "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A";

fn out_dir() -> PathBuf {
    std::env::var_os("HUTONG_FFI_BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/ffi-bench"))
}

fn bench(c: &mut Criterion) {
    // A portrait phone frame: 1280x720 NV21 sensor image turned 90 degrees, padded rows.
    let case = frames::cases()
        .into_iter()
        .find(|c| c.name == "nv21_720p_qr")
        .expect("the 720p bench frame exists");
    let (w, h) = (case.sensor.width, case.sensor.height);
    let (y, vu) = case.nv21.split_at(case.stride * h as usize);
    let scanner = HutongScanner::new(ScanOptions {
        formats: vec![],
        try_harder: false,
        also_inverted: false,
        max_codes: 4,
        budget_ms: 5000,
    })
    .expect("valid options");
    let stride = case.stride as u32;
    let scan = || {
        scanner
            .scan_nv21(y, vu, w, h, stride, stride, case.rotation, None)
            .expect("valid frame")
    };
    assert_eq!(
        scan().first().map(|c| c.text.as_str()),
        case.expect,
        "the bench frame must scan as intended"
    );

    let dir = out_dir();
    std::fs::create_dir_all(&dir).expect("bench output folder");
    std::fs::write(dir.join("frame_nv21.bin"), &case.nv21).expect("write frame");
    let manifest = serde_json::json!({
        "width": w, "height": h, "stride": case.stride, "rotation": case.rotation,
        "y_len": y.len(), "expect": case.expect, "payload": PAYLOAD,
    });
    std::fs::write(dir.join("frame.json"), manifest.to_string()).expect("write manifest");

    c.bench_function("ffi_scan_nv21_1280x720", |b| b.iter(|| black_box(scan())));
    // The floor of one call: no arguments, a short string back.
    c.bench_function("ffi_version", |b| b.iter(hutong_version));
    c.bench_function("ffi_identify_emv", |b| {
        b.iter(|| identify(black_box(PAYLOAD.to_owned()), None).expect("identifies"))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(60).measurement_time(Duration::from_secs(6));
    targets = bench
}
criterion_main!(benches);
