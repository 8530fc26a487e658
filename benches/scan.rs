//! Per-frame latency of the scanner on camera-like frames, and of decoding an image file.
use criterion::{criterion_group, criterion_main, Criterion};
use hutong_core::frame::Frame;
use hutong_core::scan::{ScanOptions, Scanner};
use std::time::Duration;

mod frames;

fn bench_frames(c: &mut Criterion) {
    let scanner = Scanner::new(ScanOptions {
        time_budget: Duration::from_secs(5),
        ..ScanOptions::default()
    });
    for case in frames::cases() {
        let frame = Frame::nv21(
            &case.nv21,
            case.sensor.width,
            case.sensor.height,
            case.stride,
            case.rotation,
        )
        .expect("valid bench frame");
        let found = scanner.scan_frame(&frame);
        assert_eq!(
            found.first().map(|c| c.text.as_str()),
            case.expect,
            "{}: the bench frame must scan as intended",
            case.name
        );
        c.bench_function(&format!("scan_frame/{}", case.name), |b| {
            b.iter(|| scanner.scan_frame(&frame))
        });
    }
}

fn bench_image(c: &mut Criterion) {
    let scanner = Scanner::new(ScanOptions {
        time_budget: Duration::from_secs(5),
        ..ScanOptions::default()
    });
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(frames::CORPUS_PHOTO);
    let bytes = std::fs::read(&path).expect("corpus photo present");
    c.bench_function("decode_image/corpus_photo_jpeg", |b| {
        b.iter(|| scanner.decode_image(&bytes))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(4));
    targets = bench_frames, bench_image
}
criterion_main!(benches);
