//! Time to first decode on short frame sequences of a phone approaching a code (issue 16):
//! stateless `Scanner::scan_frame` against a `ScanSession`, and zxing-cpp per frame when
//! `HUTONG_ZXING_PYTHON` names the venv `cargo xtask bench-compare` sets up.
//!
//! A third generator, tuned on by nobody: each sequence zooms in on a code in a world of its
//! own (a mottled table, paper slips and text lines around a phone or a printed slip) from a
//! few percent of the frame to most of it, the hand drifting the aim toward the centre, the
//! focus hunting (defocus that comes and goes), sensor noise. QR codes and Code 128 pay
//! codes, 720p and 1080p, mostly from a portrait phone (NV21 sensor turned 90 degrees).
//!
//! For every sequence each decoder runs the frames in order, `HUTONG_SEQ_REPS` times (a fresh
//! session each time), the decoders taking turns frame by frame; a frame's latency is the
//! median of its runs.
//! Time to first decode is the frame at which the expected text first comes back, and the
//! summed latency of the frames up to it. Prints the tables; writes
//! `target/bench-sequences.json`. Deterministic: everything derives from `SEED`, or from
//! `HUTONG_SEQ_SEED` (a number): sequences nobody looked at while building the session.
#![allow(dead_code)]

mod live_frames;
mod peers;

use hutong_core::frame::Frame;
use hutong_core::render::{render, RenderOptions, Symbology};
use hutong_core::scan::{ScanOptions, ScanSession, Scanner, SessionStep};
use live_frames::{box_blur, draw_warped, pay_code, qr_payload, Canvas, Rng, ValueNoise};
use peers::{median, percentile, Peers};
use serde_json::json;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub const SEED: u64 = 0x4875_746f_6e67_5345;

/// Frames per sequence.
const FRAMES: usize = 24;

/// (code, display long side, short side, rotation) per sequence.
const SEQUENCES: [(Code, usize, usize, u32); 8] = [
    (Code::Qr, 1280, 720, 90),
    (Code::Code128, 1280, 720, 90),
    (Code::Qr, 1920, 1080, 90),
    (Code::Code128, 1920, 1080, 90),
    (Code::Qr, 1280, 720, 0),
    (Code::Code128, 1280, 720, 90),
    (Code::Qr, 1920, 1080, 90),
    (Code::Code128, 1920, 1080, 0),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Code {
    Qr,
    Code128,
}

struct SeqFrame {
    nv21: Vec<u8>,
    sensor_width: u32,
    sensor_height: u32,
    stride: usize,
    rotation: u32,
    upright: Vec<u8>,
    width: u32,
    height: u32,
    /// Code width as a share of the display's short side.
    share: f64,
}

struct Sequence {
    name: String,
    expect: String,
    frames: Vec<SeqFrame>,
}

/// Axis-aligned rectangles of the world around the code (code width = 1 unit): level, box.
struct World {
    mottle: ValueNoise,
    base: f32,
    rects: Vec<(f32, [f32; 4])>,
}

impl World {
    fn new(rng: &mut Rng, code: Code) -> Self {
        let mut rects = Vec::new();
        // Paper slips and objects on the table, far and near.
        for _ in 0..24 {
            let (w, h) = (rng.range(0.2, 3.0), rng.range(0.1, 2.0));
            let (x, y) = (rng.range(-9.0, 9.0), rng.range(-9.0, 9.0));
            if x.abs() < 1.6 && y.abs() < 1.6 {
                continue; // the code's own surroundings come next
            }
            rects.push((rng.range(20.0, 240.0), [x, y, x + w, y + h]));
        }
        // What shows the code: a phone (dark bezel, bright screen) or a printed slip.
        let half_h = if code == Code::Qr { 0.5 } else { 0.15 };
        let phone = rng.below(2) == 0;
        if phone {
            rects.push((
                rng.range(10.0, 40.0),
                [-0.85, -half_h - 0.9, 0.85, half_h + 1.3],
            ));
        }
        let paper = rng.range(200.0, 240.0);
        rects.push((paper, [-0.7, -half_h - 0.7, 0.7, half_h + 1.1]));
        // Text lines above and below the code (merchant name, amount, hints).
        let ink = rng.range(20.0, 70.0);
        for line in 0..6 {
            let y = if line < 2 {
                -half_h - 0.55 + line as f32 * 0.14
            } else {
                half_h + 0.15 + (line - 2) as f32 * 0.17
            };
            let mut x = -0.6 + rng.range(0.0, 0.2);
            while x < 0.55 {
                let w = rng.range(0.02, 0.12);
                rects.push((ink, [x, y, x + w, y + 0.07]));
                x += w + rng.range(0.02, 0.05);
            }
        }
        World {
            mottle: ValueNoise::new(rng, 64, 64, 3.0),
            base: rng.range(70.0, 160.0),
            rects,
        }
    }

    /// The level at world point (u, v): the last rectangle holding it, else the table.
    fn at(&self, u: f32, v: f32) -> f32 {
        for (level, [x0, y0, x1, y1]) in self.rects.iter().rev() {
            if u >= *x0 && u < *x1 && v >= *y0 && v < *y1 {
                return *level;
            }
        }
        // Value noise wraps; shifted so negative coordinates stay in range.
        self.base + 30.0 * self.mottle.at((u + 20.0) * 4.0, (v + 20.0) * 4.0)
    }
}

fn sequence(rng: &mut Rng, index: usize) -> Sequence {
    let (code, long, short, rotation) = SEQUENCES[index];
    let (w, h) = if rotation == 90 {
        (short, long)
    } else {
        (long, short)
    };
    let (kind, expect, bmp) = match code {
        Code::Qr => {
            let (source, text) = qr_payload(rng, index);
            let bmp = render(
                &text,
                Symbology::Qr,
                RenderOptions::for_symbology(Symbology::Qr, 1),
            )
            .expect("renders");
            (source, text, bmp)
        }
        Code::Code128 => {
            let text = pay_code(rng, index);
            let mut opts = RenderOptions::for_symbology(Symbology::Code128, 1);
            opts.bar_height_px = 30;
            let bmp = render(&text, Symbology::Code128, opts).expect("renders");
            ("paycode", text, bmp)
        }
    };
    let world = World::new(rng, code);
    let aspect = bmp.height as f32 / bmp.width as f32;
    // From far (a few percent of the short side) to near, geometrically (constant speed).
    let (s0, s1) = match code {
        Code::Qr => (rng.range(0.06, 0.10), rng.range(0.45, 0.65)),
        Code::Code128 => (rng.range(0.15, 0.22), rng.range(0.70, 0.90)),
    };
    let angle = match code {
        Code::Qr => rng.range(-0.35, 0.35),
        Code::Code128 => rng.range(-0.06, 0.06),
    };
    // The aim starts off-centre and converges, with hand tremor.
    let (ax, ay) = (rng.range(-0.25, 0.25), rng.range(-0.25, 0.25));
    let (ink, paper) = if rng.below(4) == 0 {
        (rng.range(60.0, 95.0), rng.range(150.0, 180.0))
    } else {
        (rng.range(15.0, 50.0), rng.range(190.0, 240.0))
    };
    let noise = rng.range(2.0, 7.0);
    let mut frames = Vec::new();
    for t in 0..FRAMES {
        let f = t as f32 / (FRAMES - 1) as f32;
        let share = s0 * (s1 / s0).powf(f);
        let zoom = share * short as f32; // pixels per world unit (code width)
        let settle = 1.0 - f.powf(0.7);
        let cx = w as f32 * (0.5 + ax * settle) + rng.gauss() * 0.01 * w as f32;
        let cy = h as f32 * (0.5 + ay * settle) + rng.gauss() * 0.01 * h as f32;
        let (sa, ca) = angle.sin_cos();
        let mut canvas = Canvas::new(w, h, 0.0);
        for y in 0..h {
            for x in 0..w {
                let (dx, dy) = ((x as f32 - cx) / zoom, (y as f32 - cy) / zoom);
                let (u, v) = (dx * ca + dy * sa, -dx * sa + dy * ca);
                canvas.px[y * w + x] = world.at(u, v);
            }
        }
        // The code: its corners from world to screen, nudged a little (the phone is tilted).
        let corners = [(-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)].map(|(u, v)| {
            let (u, v) = (u as f32, v as f32 * aspect);
            let (x, y) = (u * ca - v * sa, u * sa + v * ca);
            let j = 0.02 * zoom;
            (
                f64::from(cx + x * zoom + rng.range(-j, j)),
                f64::from(cy + y * zoom + rng.range(-j, j)),
            )
        });
        draw_warped(
            &mut canvas,
            &bmp.pixels,
            bmp.width as usize,
            bmp.height as usize,
            corners,
            ink,
            paper,
        );
        // Focus hunts while the phone moves: sharper as it settles, never for sure.
        let blur = match rng.below(6) {
            0 => 3,
            1 | 2 => 2 - usize::from(f > 0.6),
            3 => 1,
            _ => usize::from(f < 0.3),
        };
        for _ in 0..2 {
            box_blur(&mut canvas, blur);
        }
        for p in &mut canvas.px {
            *p += noise * rng.gauss();
        }
        let upright = canvas.to_luma();
        let sensor = upright.to_sensor(rotation);
        let stride = sensor.width as usize + 32;
        frames.push(SeqFrame {
            nv21: sensor.to_semi_planar(stride),
            sensor_width: sensor.width,
            sensor_height: sensor.height,
            stride,
            rotation,
            width: upright.width,
            height: upright.height,
            upright: upright.pixels,
            share: f64::from(share),
        });
    }
    let res = if short == 720 { "720p" } else { "1080p" };
    Sequence {
        name: format!("seq{index}_{kind}_{res}_r{rotation}"),
        expect,
        frames,
    }
}

/// One decoder's run of one sequence: per frame, the latency of each rep and what it read.
#[derive(Default, Clone)]
struct Run {
    ms: Vec<Vec<f64>>,
    decoded: Vec<bool>,
    false_positives: Vec<usize>,
    steps: Vec<String>,
}

impl Run {
    fn new(frames: usize) -> Self {
        Run {
            ms: vec![Vec::new(); frames],
            decoded: vec![false; frames],
            false_positives: vec![0; frames],
            steps: vec![String::new(); frames],
        }
    }

    fn record(&mut self, i: usize, ms: f64, expect: &str, texts: &[Option<String>], rep: usize) {
        self.ms[i].push(ms);
        // The first timed rep's reads are the ones reported (all reps read alike but for
        // timeouts under load, which the time budget of 5 s rules out).
        if rep == 1 {
            self.decoded[i] = texts.iter().flatten().any(|t| t == expect);
            self.false_positives[i] = texts.iter().flatten().filter(|t| *t != expect).count();
        }
    }

    fn latencies(&self) -> Vec<f64> {
        self.ms.iter().map(|m| median(m)).collect()
    }

    /// (1-based frame of the first decode, summed latency of the frames up to it).
    fn first_decode(&self) -> Option<(usize, f64)> {
        let first = self.decoded.iter().position(|d| *d)?;
        Some((first + 1, self.latencies()[..=first].iter().sum()))
    }

    fn summary(&self) -> serde_json::Value {
        let lat = self.latencies();
        let first = self.first_decode();
        let split = first.map_or(lat.len(), |(f, _)| f);
        json!({
            "first_decode_frame": first.map(|f| f.0),
            "ms_to_first_decode": first.map(|f| f.1),
            "median_ms": median(&lat),
            "p95_ms": percentile(&lat, 0.95),
            "median_ms_before_first_decode": median(&lat[..split.saturating_sub(1)]),
            "median_ms_after_first_decode": median(&lat[split.min(lat.len())..]),
            "frames_decoded": self.decoded.iter().filter(|d| **d).count(),
            "frames_decoded_after_first": self.decoded[split.min(lat.len())..].iter().filter(|d| **d).count(),
            "false_positives": self.false_positives.iter().sum::<usize>(),
            "latency_ms": lat,
            "decoded": self.decoded,
            "steps": self.steps,
        })
    }
}

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let reps: usize = std::env::var("HUTONG_SEQ_REPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let started = Instant::now();
    let seed = std::env::var("HUTONG_SEQ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SEED);
    let mut rng = Rng::new(seed);
    let sequences: Vec<Sequence> = (0..SEQUENCES.len())
        .map(|i| sequence(&mut rng, i))
        .collect();
    eprintln!(
        "generated {} sequences of {FRAMES} frames in {:.1} s",
        sequences.len(),
        started.elapsed().as_secs_f64()
    );
    let options = ScanOptions {
        time_budget: Duration::from_secs(5),
        ..ScanOptions::default()
    };
    let scanner = Scanner::new(options.clone());
    let session = ScanSession::with_options(options);

    let mut peers = std::env::var_os("HUTONG_ZXING_PYTHON").map(|python| {
        let work = root.join("target/bench-sequences");
        std::fs::create_dir_all(&work).expect("output folder");
        let mut manifest = Vec::new();
        for s in &sequences {
            for (i, f) in s.frames.iter().enumerate() {
                let file = work.join(format!("{}_{i:02}.gray", s.name));
                std::fs::write(&file, &f.upright).expect("write plane");
                manifest.push(json!({"file": file, "width": f.width, "height": f.height,
                    "formats": "qr+code128", "zxing_mode": "fast"}));
            }
        }
        let manifest_path = work.join("frames.json");
        std::fs::write(&manifest_path, serde_json::to_vec(&manifest).expect("json"))
            .expect("manifest");
        Peers::start(&python, root, &manifest_path)
    });
    let zxing_version = peers.as_ref().map(|p| p.hello.clone());

    let mut rows = Vec::new();
    let mut plane_base = 0;
    for s in &sequences {
        let n = s.frames.len();
        let mut runs = [Run::new(n), Run::new(n), Run::new(n)];
        let deciders = if peers.is_some() { 3 } else { 2 };
        // Rep 0 warms up. The decoders take turns frame by frame (the session's state only
        // needs its own frames in order), each frame starting with another decoder, so a burst
        // of load from elsewhere hits all alike.
        for rep in 0..=reps {
            session.reset();
            for (i, f) in s.frames.iter().enumerate() {
                for k in 0..deciders {
                    let d = (k + i + rep) % deciders;
                    let (ms, texts, step) = match d {
                        0 | 1 => {
                            let frame = Frame::nv21(
                                &f.nv21,
                                f.sensor_width,
                                f.sensor_height,
                                f.stride,
                                f.rotation,
                            )
                            .expect("valid frame");
                            let t = Instant::now();
                            let (codes, step) = if d == 0 {
                                (scanner.scan_frame(&frame), None)
                            } else {
                                let (c, s) = session.scan_frame_step(&frame);
                                (c, Some(s))
                            };
                            let ms = t.elapsed().as_secs_f64() * 1000.0;
                            let texts: Vec<Option<String>> =
                                codes.into_iter().map(|c| Some(c.text)).collect();
                            (ms, texts, step)
                        }
                        _ => {
                            let peers = peers.as_mut().expect("peers");
                            let (ms, texts) = peers.read("zxing", plane_base + i);
                            (ms, texts, None)
                        }
                    };
                    if rep > 0 {
                        runs[d].record(i, ms, &s.expect, &texts, rep);
                        if let (Some(step), 1) = (step, rep) {
                            runs[d].steps[i] = step_name(step);
                        }
                    }
                }
            }
        }
        plane_base += n;
        let mut row = json!({
            "sequence": s.name,
            "expect": s.expect,
            "frames": n,
            "share_of_short_side": s.frames.iter().map(|f| f.share).collect::<Vec<_>>(),
            "stateless": runs[0].summary(),
            "session": runs[1].summary(),
        });
        if deciders == 3 {
            row["zxing"] = runs[2].summary();
        }
        rows.push(row);
    }
    if let Some(peers) = peers {
        peers.stop();
    }
    let report = json!({
        "reps": reps,
        "seed": seed,
        "zxing": zxing_version,
        "hutong_options": "ScanOptions::default() (QR Code + Code 128), time budget 5 s; stateless: Scanner::scan_frame; session: ScanSession::scan_frame, reset before each run of a sequence",
        "zxing_options": "formats QRCode+Code128, try_rotate off, try_invert off, try_downscale on; upright luma, per frame (no state)",
        "sequences": rows,
    });
    println!("{}", table(&report));
    let path = std::env::var_os("HUTONG_SEQ_JSON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/bench-sequences.json"));
    std::fs::write(&path, serde_json::to_string_pretty(&report).expect("json"))
        .expect("write report");
    eprintln!(
        "{} sequences in {:.1} s; report: {}",
        sequences.len(),
        started.elapsed().as_secs_f64(),
        path.display()
    );
}

fn step_name(step: SessionStep) -> String {
    match step {
        SessionStep::Tracked => "tracked".into(),
        SessionStep::Whole => "whole".into(),
        SessionStep::Band(n) => format!("band{n}"),
        SessionStep::OutOfTime => "out_of_time".into(),
    }
}

/// Two tables: time to first decode, then per-frame latency before and after it.
fn table(report: &serde_json::Value) -> String {
    let decoders: Vec<(&str, &str)> = [("stateless", "h"), ("session", "s"), ("zxing", "z")]
        .into_iter()
        .filter(|(k, _)| report["sequences"][0][k].is_object())
        .collect();
    let f = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
    let mut s = String::from(
        "time to first decode (frame #, summed scan ms up to it; h = scan_frame, s = ScanSession, z = zxing-cpp)\n",
    );
    s.push_str(&format!("{:<28}", "sequence"));
    for (_, t) in &decoders {
        s.push_str(&format!(
            " {:>6} {:>8}",
            format!("{t} #"),
            format!("{t} ms")
        ));
    }
    for (_, t) in &decoders {
        s.push_str(&format!(" {:>7}", format!("{t} dec")));
    }
    s.push_str("  false pos\n");
    let mut ttfd: Vec<Vec<f64>> = vec![Vec::new(); decoders.len()];
    let mut per_frame: Vec<Vec<f64>> = vec![Vec::new(); decoders.len()];
    let mut before: Vec<Vec<f64>> = vec![Vec::new(); decoders.len()];
    let mut after: Vec<Vec<f64>> = vec![Vec::new(); decoders.len()];
    let mut never = vec![0; decoders.len()];
    for row in report["sequences"].as_array().into_iter().flatten() {
        s.push_str(&format!("{:<28}", row["sequence"].as_str().unwrap_or("?")));
        for (d, (k, _)) in decoders.iter().enumerate() {
            let r = &row[k];
            match r["first_decode_frame"].as_u64() {
                Some(n) => {
                    s.push_str(&format!(" {:>6} {:>8.1}", n, f(&r["ms_to_first_decode"])));
                    ttfd[d].push(f(&r["ms_to_first_decode"]));
                }
                None => {
                    s.push_str(&format!(" {:>6} {:>8}", "-", "never"));
                    never[d] += 1;
                }
            }
            for v in r["latency_ms"].as_array().into_iter().flatten() {
                per_frame[d].push(f(v));
            }
            let split = r["first_decode_frame"].as_u64().unwrap_or(u64::MAX) as usize;
            for (i, v) in r["latency_ms"].as_array().into_iter().flatten().enumerate() {
                if i + 1 < split {
                    before[d].push(f(v));
                } else if i + 1 > split {
                    after[d].push(f(v));
                }
            }
        }
        for (k, _) in &decoders {
            s.push_str(&format!(
                " {:>7}",
                format!("{}/{}", row[k]["frames_decoded"], row["frames"])
            ));
        }
        let fp: Vec<String> = decoders
            .iter()
            .map(|(k, _)| row[k]["false_positives"].to_string())
            .collect();
        s.push_str(&format!("  {}\n", fp.join("/")));
    }
    s.push_str(&format!(
        "\nper-frame latency (median / p95 ms over every frame of every sequence; 'searching' = frames before the first decode, 'holding' = after)\n{:<10} {:>9} {:>9} {:>13} {:>13} {:>14} {:>6}\n",
        "decoder", "median", "p95", "searching", "holding", "median ttfd ms", "never"
    ));
    for (d, (k, _)) in decoders.iter().enumerate() {
        s.push_str(&format!(
            "{:<10} {:>9.2} {:>9.2} {:>13.2} {:>13.2} {:>14.1} {:>6}\n",
            k,
            median(&per_frame[d]),
            percentile(&per_frame[d], 0.95),
            median(&before[d]),
            median(&after[d]),
            median(&ttfd[d]),
            never[d]
        ));
    }
    s
}
