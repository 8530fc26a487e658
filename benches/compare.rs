//! Hutong against zxing-cpp on the live-frame set (`live_frames.rs`), measured in one run.
//!
//! Run through `cargo xtask bench-compare`, which provides the Python venv with zxing-cpp.
//! For every frame, the two decoders take turns (`HUTONG_BENCH_REPS` calls each, alternating
//! which goes first), so a busy machine slows both alike. A frame's latency is the median of
//! its calls; a case reports the median and p95 of its frames. Writes `target/bench-compare.json`
//! (cases, per-frame timings and what each decoder read); `xtask` prints and plots it.
use hutong::frame::Frame;
use hutong::scan::{decode_luma, ScanOptions, Scanner};
use serde_json::json;
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Counts heap allocations (the decoder thread's included), to report how many one
/// `scan_frame` call makes on each frame after warm-up.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        System.alloc(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

mod frames;
mod live_frames;

use live_frames::{live_frames, Kind};

/// One frame as both decoders see it.
struct Item {
    case: String,
    name: String,
    desc: String,
    has_code: bool,
    expect: Option<String>,
    /// Hutong's input.
    nv21: Vec<u8>,
    width: u32,
    height: u32,
    stride: usize,
    rotation: u32,
    /// zxing-cpp's input: the same pixels, upright, tightly packed.
    upright: Vec<u8>,
    upright_width: u32,
    upright_height: u32,
}

struct Zxing {
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Zxing {
    fn read(&mut self, index: usize) -> (f64, Vec<String>) {
        writeln!(self.stdin, "{index}").expect("zxing-cpp server alive");
        self.stdin.flush().expect("zxing-cpp server alive");
        let mut line = String::new();
        self.stdout
            .read_line(&mut line)
            .expect("zxing-cpp server answers");
        let (ms, texts) = line
            .trim_end()
            .split_once(' ')
            .expect("`<ms> <json>` reply");
        (
            ms.parse().expect("milliseconds"),
            serde_json::from_str(texts).expect("json list of texts"),
        )
    }
}

fn median(v: &[f64]) -> f64 {
    percentile(v, 0.5)
}

fn percentile(v: &[f64], p: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let i = ((s.len() as f64 - 1.0) * p).round() as usize;
    s[i.min(s.len() - 1)]
}

/// A frame counts as decoded when the expected text came back; anything else read on it
/// (any text on a frame without a code) is a false positive.
fn judge(expect: &Option<String>, texts: &[String]) -> (bool, usize) {
    let hit = expect.as_ref().is_some_and(|e| texts.contains(e));
    let wrong = texts.iter().filter(|t| Some(*t) != expect.as_ref()).count();
    (hit, wrong)
}

fn items(root: &Path) -> Vec<Item> {
    let mut out: Vec<Item> = live_frames()
        .into_iter()
        .map(|f| Item {
            case: f.case,
            name: f.name,
            desc: f.desc,
            has_code: f.kind != Kind::NoCode,
            expect: f.expect,
            nv21: f.nv21,
            width: f.sensor_width,
            height: f.sensor_height,
            stride: f.stride,
            rotation: f.rotation,
            upright_width: f.upright.width,
            upright_height: f.upright.height,
            upright: f.upright.pixels,
        })
        .collect();
    // A real camera photo of a QR (the corpus), scanned as an upright gray frame.
    let bytes = std::fs::read(root.join(frames::CORPUS_PHOTO)).expect("corpus photo");
    let photo = decode_luma(&bytes).expect("corpus photo decodes");
    let expect = std::fs::read_to_string(root.join(frames::CORPUS_PHOTO).with_extension("txt"))
        .expect("corpus photo has its expected text");
    out.push(Item {
        case: "corpus_photo".into(),
        name: format!("corpus_photo_{}x{}", photo.width, photo.height),
        desc: frames::CORPUS_PHOTO.into(),
        has_code: true,
        expect: Some(expect),
        nv21: photo.pixels.clone(),
        width: photo.width,
        height: photo.height,
        stride: photo.width as usize,
        rotation: 0,
        upright_width: photo.width,
        upright_height: photo.height,
        upright: photo.pixels,
    });
    out
}

fn frame_of(item: &Item) -> Frame<'_> {
    if item.case == "corpus_photo" {
        Frame::gray8(&item.nv21, item.width, item.height, item.stride, 0)
    } else {
        Frame::nv21(
            &item.nv21,
            item.width,
            item.height,
            item.stride,
            item.rotation,
        )
    }
    .expect("valid bench frame")
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work: PathBuf = std::env::var_os("HUTONG_BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/bench-compare"));
    let reps: usize = std::env::var("HUTONG_BENCH_REPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(7);
    let started = Instant::now();
    let items = items(root);
    eprintln!(
        "generated {} frames in {:.1} s",
        items.len(),
        started.elapsed().as_secs_f64()
    );
    let Some(python) = std::env::var_os("HUTONG_ZXING_PYTHON") else {
        eprintln!("HUTONG_ZXING_PYTHON unset (use `cargo xtask bench-compare`): Hutong alone");
        hutong_only(&items, reps);
        return;
    };
    std::fs::create_dir_all(work.join("frames")).expect("output folder");
    let mut manifest = Vec::new();
    for item in &items {
        let file = work.join("frames").join(format!("{}.gray", item.name));
        std::fs::write(&file, &item.upright).expect("write luma plane");
        manifest.push(
            json!({"file": file, "width": item.upright_width, "height": item.upright_height}),
        );
        if let Some(dir) = std::env::var_os("HUTONG_BENCH_DUMP") {
            let path = Path::new(&dir).join(format!("{}.png", item.name));
            image::save_buffer(
                &path,
                &item.upright,
                item.upright_width,
                item.upright_height,
                image::ExtendedColorType::L8,
            )
            .expect("dump frame");
        }
    }
    let manifest_path = work.join("frames.json");
    std::fs::write(&manifest_path, serde_json::to_vec(&manifest).expect("json")).expect("manifest");

    let mut child = Command::new(&python)
        .arg(root.join("benches/zxing_compare.py"))
        .arg(&manifest_path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the zxing-cpp server");
    let mut zx = Zxing {
        stdin: child.stdin.take().expect("stdin"),
        stdout: BufReader::new(child.stdout.take().expect("stdout")),
    };
    let mut hello = String::new();
    zx.stdout.read_line(&mut hello).expect("zxing-cpp ready");
    let zxing_version = hello.trim().trim_start_matches("ready ").to_owned();

    let scanner = Scanner::new(ScanOptions {
        time_budget: Duration::from_secs(5),
        ..ScanOptions::default()
    });
    let mut per_frame = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let frame = frame_of(item);
        // Warm-up: caches, and the scanner's buffers sized for this frame.
        let mut h_texts: Vec<String> = scanner
            .scan_frame(&frame)
            .into_iter()
            .map(|c| c.text)
            .collect();
        let (_, mut z_texts) = zx.read(index);
        let (mut h_ms, mut z_ms) = (Vec::new(), Vec::new());
        let mut h_allocs = Vec::new();
        for rep in 0..reps {
            let mut hutong = || {
                let a = ALLOCATIONS.load(Ordering::Relaxed);
                let t = Instant::now();
                let found = scanner.scan_frame(&frame);
                let elapsed = t.elapsed();
                h_allocs.push(ALLOCATIONS.load(Ordering::Relaxed) - a);
                h_ms.push(elapsed.as_secs_f64() * 1000.0);
                h_texts = found.into_iter().map(|c| c.text).collect();
            };
            if rep % 2 == 0 {
                hutong();
                let (ms, texts) = zx.read(index);
                z_ms.push(ms);
                z_texts = texts;
            } else {
                let (ms, texts) = zx.read(index);
                z_ms.push(ms);
                z_texts = texts;
                hutong();
            }
        }
        let (h_ok, h_wrong) = judge(&item.expect, &h_texts);
        let (z_ok, z_wrong) = judge(&item.expect, &z_texts);
        per_frame.push(json!({
            "case": item.case, "frame": item.name, "desc": item.desc, "has_code": item.has_code,
            "rotation": item.rotation,
            "hutong_ms": median(&h_ms), "zxing_ms": median(&z_ms),
            "hutong_samples_ms": h_ms, "zxing_samples_ms": z_ms,
            "hutong_allocations": median_count(&mut h_allocs),
            "hutong_decoded": h_ok, "zxing_decoded": z_ok,
            "hutong_false_positives": h_wrong, "zxing_false_positives": z_wrong,
            "hutong_texts": h_texts, "zxing_texts": z_texts,
        }));
    }
    drop(zx);
    let _ = child.wait();

    let mut cases: Vec<String> = Vec::new();
    for f in &per_frame {
        let c = f["case"].as_str().expect("case").to_owned();
        if !cases.contains(&c) {
            cases.push(c);
        }
    }
    let num = |f: &serde_json::Value, k: &str| f[k].as_f64().expect("number");
    let case_rows: Vec<_> = cases
        .iter()
        .map(|c| {
            let fs: Vec<_> = per_frame
                .iter()
                .filter(|f| f["case"] == c.as_str())
                .collect();
            let h: Vec<f64> = fs.iter().map(|f| num(f, "hutong_ms")).collect();
            let z: Vec<f64> = fs.iter().map(|f| num(f, "zxing_ms")).collect();
            let count = |k: &str| fs.iter().filter(|f| f[k] == true).count();
            let wrong = |k: &str| fs.iter().map(|f| f[k].as_u64().unwrap_or(0)).sum::<u64>();
            let mut allocs: Vec<u64> = fs
                .iter()
                .map(|f| f["hutong_allocations"].as_u64().unwrap_or(0))
                .collect();
            let allocs_max = allocs.iter().copied().max().unwrap_or(0);
            json!({
                "case": c, "frames": fs.len(), "has_code": fs[0]["has_code"],
                "hutong_decoded": count("hutong_decoded"), "zxing_decoded": count("zxing_decoded"),
                "hutong_false_positives": wrong("hutong_false_positives"),
                "zxing_false_positives": wrong("zxing_false_positives"),
                "hutong_median_ms": median(&h), "hutong_p95_ms": percentile(&h, 0.95),
                "zxing_median_ms": median(&z), "zxing_p95_ms": percentile(&z, 0.95),
                "ratio": median(&h) / median(&z),
                "hutong_allocations_median": median_count(&mut allocs),
                "hutong_allocations_max": allocs_max,
            })
        })
        .collect();
    // The headline: the median over frames of each frame's hutong/zxing-cpp latency ratio.
    let overall = |with_code: bool| {
        let r: Vec<f64> = per_frame
            .iter()
            .filter(|f| f["has_code"] == with_code)
            .map(|f| num(f, "hutong_ms") / num(f, "zxing_ms"))
            .collect();
        median(&r)
    };
    let report = json!({
        "reps_per_frame": reps,
        "zxing_cpp": zxing_version,
        "zxing_options": "formats QRCode+Code128, try_rotate off, try_invert off, try_downscale on (default)",
        "hutong_options": "ScanOptions::default() (QR Code + Code 128), no crop",
        "machine": machine(),
        "cases": case_rows,
        "overall": {"ratio_with_code": overall(true), "ratio_without_code": overall(false)},
        "frames": per_frame,
    });
    let json_path = std::env::var_os("HUTONG_BENCH_JSON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/bench-compare.json"));
    std::fs::write(
        &json_path,
        serde_json::to_string_pretty(&report).expect("json"),
    )
    .expect("write report");
    eprintln!(
        "{} frames x {reps} interleaved calls each in {:.1} s; report: {}",
        items.len(),
        started.elapsed().as_secs_f64(),
        json_path.display()
    );
}

/// Hutong's side alone, for quick profiling runs (`perf record` on the bench binary).
fn hutong_only(items: &[Item], reps: usize) {
    let scanner = Scanner::new(ScanOptions {
        time_budget: Duration::from_secs(5),
        ..ScanOptions::default()
    });
    let mut case = String::new();
    let (mut ms, mut decoded, mut frames) = (Vec::new(), 0, 0);
    let only = std::env::var("HUTONG_BENCH_ONLY").ok();
    for (i, item) in items.iter().enumerate() {
        if only
            .as_ref()
            .is_some_and(|o| !item.name.contains(o.as_str()))
        {
            continue;
        }
        let frame = frame_of(item);
        let mut samples = Vec::new();
        let mut texts = Vec::new();
        for _ in 0..reps + 1 {
            let t = Instant::now();
            texts = scanner.scan_frame(&frame);
            samples.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let texts: Vec<String> = texts.into_iter().map(|c| c.text).collect();
        ms.push(median(&samples[1..]));
        if std::env::var_os("HUTONG_BENCH_VERBOSE").is_some() {
            let (ok, _) = judge(&item.expect, &texts);
            println!(
                "  {} {:.2} ms {} {}",
                item.name,
                median(&samples[1..]),
                if ok { "ok" } else { "--" },
                item.desc
            );
        }
        decoded += usize::from(judge(&item.expect, &texts).0);
        frames += 1;
        case.clone_from(&item.case);
        if items.get(i + 1).is_none_or(|n| n.case != case) && frames > 0 {
            println!(
                "{case:<16} {frames:>3} frames, decoded {decoded:>3}, median {:.2} ms, p95 {:.2} ms",
                median(&ms),
                percentile(&ms, 0.95)
            );
            (ms, decoded, frames) = (Vec::new(), 0, 0);
        }
    }
}

/// CPU model, core count and load at the time of the run, for the report.
fn machine() -> serde_json::Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_else(|| std::env::consts::ARCH.to_owned());
    let loadavg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    json!({
        "cpu": model,
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "os": std::env::consts::OS,
        "loadavg": loadavg.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    })
}

/// The median of allocation counts (the lower middle one for an even count).
fn median_count(v: &mut [u64]) -> u64 {
    v.sort_unstable();
    v.get(v.len().saturating_sub(1) / 2).copied().unwrap_or(0)
}
