//! Hutong's half of `cargo xtask bench-compare`: writes each benchmark frame's luma plane to
//! a file (so zxing-cpp reads exactly the same pixels), times `scan_frame` on it, and writes a
//! manifest that `benches/zxing_compare.py` completes with zxing-cpp's timings.
use hutong::frame::Frame;
use hutong::scan::{decode_luma, ScanOptions, Scanner};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod frames;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Median and p95 in milliseconds over `iters` calls, after a short warm-up.
fn time(iters: usize, mut f: impl FnMut() -> usize) -> (f64, f64, usize) {
    let mut found = 0;
    for _ in 0..5 {
        found = f();
    }
    let mut ms: Vec<f64> = (0..iters)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    (percentile(&ms, 0.5), percentile(&ms, 0.95), found)
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out: PathBuf = std::env::var_os("HUTONG_BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/bench-compare"));
    let iters: usize = std::env::var("HUTONG_BENCH_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    std::fs::create_dir_all(&out).expect("output folder");
    let scanner = Scanner::new(ScanOptions {
        time_budget: Duration::from_secs(5),
        ..ScanOptions::default()
    });
    let mut manifest = Vec::new();
    for case in frames::cases() {
        let frame = Frame::nv21(
            &case.nv21,
            case.sensor.width,
            case.sensor.height,
            case.stride,
            case.rotation,
        )
        .expect("valid bench frame");
        let (median, p95, found) = time(iters, || scanner.scan_frame(&frame).len());
        let file = out.join(format!("{}.gray", case.name));
        std::fs::write(&file, &case.sensor.pixels).expect("write luma plane");
        manifest.push(serde_json::json!({
            "case": case.name, "file": file, "width": case.sensor.width, "height": case.sensor.height,
            "hutong_median_ms": median, "hutong_p95_ms": p95, "hutong_codes": found,
        }));
    }
    let bytes = std::fs::read(root.join(frames::CORPUS_PHOTO)).expect("corpus photo");
    let photo = decode_luma(&bytes).expect("corpus photo decodes");
    let frame = Frame::gray8(
        &photo.pixels,
        photo.width,
        photo.height,
        photo.width as usize,
        0,
    )
    .expect("valid photo frame");
    let (median, p95, found) = time(iters, || scanner.scan_frame(&frame).len());
    let file = out.join("corpus_photo.gray");
    std::fs::write(&file, &photo.pixels).expect("write luma plane");
    manifest.push(serde_json::json!({
        "case": format!("corpus_photo_{}x{}", photo.width, photo.height), "file": file,
        "width": photo.width, "height": photo.height,
        "hutong_median_ms": median, "hutong_p95_ms": p95, "hutong_codes": found,
    }));
    let path = out.join("manifest.json");
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&manifest).expect("json"),
    )
    .expect("manifest");
    println!(
        "hutong timings ({iters} runs per case) written to {}",
        path.display()
    );
}
