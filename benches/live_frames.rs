//! The seeded live-frame set of issue 8: what a wallet's camera preview shows while scanning.
//!
//! Real payment payloads (WeChat `wxp://`, Alipay, UnionPay `qr.95516.com`, EMVCo MPM, an
//! 18-digit pay code as Code 128) are drawn onto procedural photographic-like scenes (wood
//! desk, keyboard, printed text, checkerboards, cluttered desk) with mild perspective, any
//! in-plane angle for QR, blur, sensor noise, low contrast, glare and uneven light; plus
//! frames of the same scenes without a code. Frames come as NV21 at 1280x720 and 1920x1080,
//! mostly from a portrait phone (sensor turned 90 degrees), some landscape.
//!
//! Everything derives from one seed, so every run (and every machine) scans the same pixels.
#![allow(dead_code)]

use hutong_core::codes::emv_mpm::{encode, Field};
use hutong_core::frame::synth::LumaPicture;
use hutong_core::render::{render, RenderOptions, Symbology};

pub const SEED: u64 = 0x4875_746f_6e67_0008;

/// splitmix64: small, seedable, and identical on every platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }
    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.unit()
    }
    pub fn below(&mut self, n: u32) -> u32 {
        (self.next_u64() % u64::from(n.max(1))) as u32
    }
    /// Roughly normal with unit variance (sum of four uniforms).
    pub fn gauss(&mut self) -> f32 {
        (self.unit() + self.unit() + self.unit() + self.unit() - 2.0) * 1.732
    }
    pub fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
    fn token(&mut self, n: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
        (0..n)
            .map(|_| char::from(ALPHABET[self.below(ALPHABET.len() as u32) as usize]))
            .collect()
    }
}

/// What a frame holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Qr,
    Code128,
    NoCode,
}

pub struct LiveFrame {
    /// Case name shared by all frames of the same resolution and kind.
    pub case: String,
    pub name: String,
    pub kind: Kind,
    /// Sensor-to-display rotation (what the app passes with the frame).
    pub rotation: u32,
    /// NV21 with padded rows: what Hutong is given.
    pub nv21: Vec<u8>,
    pub sensor_width: u32,
    pub sensor_height: u32,
    pub stride: usize,
    /// The same pixels turned upright: what zxing-cpp is given (it has no rotation input,
    /// and reads level linear codes along rows only with `try_rotate` off).
    pub upright: LumaPicture,
    pub expect: Option<String>,
    /// Human summary of what was drawn, for the JSON report.
    pub desc: String,
}

/// A float scene, display orientation.
pub struct Canvas {
    pub w: usize,
    pub h: usize,
    pub px: Vec<f32>,
}

impl Canvas {
    pub fn new(w: usize, h: usize, level: f32) -> Self {
        Canvas {
            w,
            h,
            px: vec![level; w * h],
        }
    }
    pub fn fill_rect(&mut self, x0: f32, y0: f32, x1: f32, y1: f32, level: f32) {
        let xa = x0.max(0.0) as usize;
        let ya = y0.max(0.0) as usize;
        let xb = (x1.max(0.0) as usize).min(self.w);
        let yb = (y1.max(0.0) as usize).min(self.h);
        for y in ya..yb {
            self.px[y * self.w + xa.min(xb)..y * self.w + xb].fill(level);
        }
    }
    pub fn to_luma(&self) -> LumaPicture {
        LumaPicture {
            width: self.w as u32,
            height: self.h as u32,
            pixels: self
                .px
                .iter()
                .map(|v| v.round().clamp(0.0, 255.0) as u8)
                .collect(),
        }
    }
}

/// Smooth value noise: random lattice values every `cell` pixels, bilinear in between.
pub struct ValueNoise {
    cols: usize,
    rows: usize,
    cell: f32,
    lattice: Vec<f32>,
}

impl ValueNoise {
    pub fn new(rng: &mut Rng, w: usize, h: usize, cell: f32) -> Self {
        let cols = (w as f32 / cell) as usize + 2;
        let rows = (h as f32 / cell) as usize + 2;
        ValueNoise {
            cols,
            rows,
            cell,
            lattice: (0..cols * rows).map(|_| rng.unit() * 2.0 - 1.0).collect(),
        }
    }
    pub fn at(&self, x: f32, y: f32) -> f32 {
        let (fx, fy) = (x / self.cell, y / self.cell);
        let (ix, iy) = (fx as usize, fy as usize);
        let (tx, ty) = (fx - ix as f32, fy - iy as f32);
        let (tx, ty) = (tx * tx * (3.0 - 2.0 * tx), ty * ty * (3.0 - 2.0 * ty));
        // Wraps around, so stretched lookups (wood grain) tile instead of running off.
        let v = |cx: usize, cy: usize| self.lattice[(cy % self.rows) * self.cols + cx % self.cols];
        let top = v(ix, iy) * (1.0 - tx) + v(ix + 1, iy) * tx;
        let bottom = v(ix, iy + 1) * (1.0 - tx) + v(ix + 1, iy + 1) * tx;
        top * (1.0 - ty) + bottom * ty
    }
}

#[derive(Debug, Clone, Copy)]
enum Scene {
    Wood,
    Keyboard,
    Text,
    Checkerboard,
    Desk,
}

impl Scene {
    const ALL: [Scene; 5] = [
        Scene::Wood,
        Scene::Keyboard,
        Scene::Text,
        Scene::Checkerboard,
        Scene::Desk,
    ];
    fn name(self) -> &'static str {
        match self {
            Scene::Wood => "wood",
            Scene::Keyboard => "keyboard",
            Scene::Text => "text",
            Scene::Checkerboard => "checkerboard",
            Scene::Desk => "desk",
        }
    }
}

fn wood(rng: &mut Rng, c: &mut Canvas) {
    let warp = ValueNoise::new(rng, c.w, c.h, 90.0);
    let grain = ValueNoise::new(rng, c.w, c.h, 6.0);
    let angle = rng.range(-0.4, 0.4);
    let (sa, ca) = angle.sin_cos();
    let period = rng.range(7.0, 16.0);
    let base = rng.range(95.0, 150.0);
    for y in 0..c.h {
        for x in 0..c.w {
            let (xf, yf) = (x as f32, y as f32);
            let u = xf * ca + yf * sa;
            let ring = ((u / period) + 4.0 * warp.at(xf, yf)).sin();
            c.px[y * c.w + x] = base + 28.0 * ring + 10.0 * grain.at(xf * 0.3, yf * 3.0);
        }
    }
}

/// Strokes of glyph-like marks inside a box: short bars, dots and crossbars.
fn glyph(rng: &mut Rng, c: &mut Canvas, x: f32, y: f32, size: f32, ink: f32) {
    let stroke = (size / 7.0).max(1.0);
    for _ in 0..2 + rng.below(3) {
        if rng.below(2) == 0 {
            let gx = x + rng.range(0.0, size * 0.7);
            c.fill_rect(gx, y, gx + stroke, y + size * rng.range(0.5, 1.0), ink);
        } else {
            let gy = y + rng.range(0.0, size * 0.8);
            c.fill_rect(x, gy, x + size * rng.range(0.4, 0.8), gy + stroke, ink);
        }
    }
}

fn keyboard(rng: &mut Rng, c: &mut Canvas) {
    let body = rng.range(25.0, 60.0);
    c.px.fill(body);
    let key = rng.range(c.w as f32 / 22.0, c.w as f32 / 9.0);
    let gap = key * rng.range(0.12, 0.22);
    let light_keys = rng.below(2) == 0;
    let (cap, label) = if light_keys {
        (rng.range(170.0, 220.0), rng.range(20.0, 60.0))
    } else {
        (rng.range(45.0, 80.0), rng.range(170.0, 230.0))
    };
    let mut y = rng.range(-key, 0.0);
    let mut row = 0;
    while y < c.h as f32 {
        let mut x = -(row as f32 % 3.0) * key * 0.25 - rng.range(0.0, key);
        while x < c.w as f32 {
            let kw = if rng.below(9) == 0 { key * 2.1 } else { key };
            c.fill_rect(x, y, x + kw, y + key, cap);
            // A lighter top edge: keycaps catch the light.
            c.fill_rect(x, y, x + kw, y + gap * 0.4, cap + 20.0);
            glyph(rng, c, x + key * 0.2, y + key * 0.2, key * 0.35, label);
            x += kw + gap;
        }
        y += key + gap;
        row += 1;
    }
}

fn text(rng: &mut Rng, c: &mut Canvas) {
    let paper = rng.range(185.0, 235.0);
    c.px.fill(paper);
    let size = rng.range(7.0, 18.0);
    let ink = rng.range(15.0, 70.0);
    let margin = rng.range(10.0, 60.0);
    let mut y = margin;
    while y + size < c.h as f32 - margin {
        if rng.below(8) == 0 {
            y += size * 1.6; // paragraph break
            continue;
        }
        let mut x = margin;
        let line_end = c.w as f32 - margin - rng.range(0.0, c.w as f32 * 0.3);
        while x < line_end {
            let letters = 1 + rng.below(9);
            for _ in 0..letters {
                glyph(rng, c, x, y, size, ink);
                x += size * 0.62;
            }
            x += size * 0.5;
        }
        y += size * 1.5;
    }
}

fn checkerboard(rng: &mut Rng, c: &mut Canvas) {
    let cell = rng.range(6.0, 42.0);
    let angle = rng.range(-0.6, 0.6);
    let (sa, ca) = angle.sin_cos();
    let (dark, light) = (rng.range(20.0, 70.0), rng.range(170.0, 230.0));
    for y in 0..c.h {
        for x in 0..c.w {
            let (xf, yf) = (x as f32, y as f32);
            let u = ((xf * ca + yf * sa) / cell).floor() as i64;
            let v = ((-xf * sa + yf * ca) / cell).floor() as i64;
            c.px[y * c.w + x] = if (u + v).rem_euclid(2) == 0 {
                dark
            } else {
                light
            };
        }
    }
}

fn desk(rng: &mut Rng, c: &mut Canvas) {
    let mottle = ValueNoise::new(rng, c.w, c.h, 40.0);
    let base = rng.range(80.0, 170.0);
    for y in 0..c.h {
        for x in 0..c.w {
            c.px[y * c.w + x] = base + 25.0 * mottle.at(x as f32, y as f32);
        }
    }
    // Objects: paper slips, a phone, pens; some with printed marks.
    for _ in 0..10 + rng.below(20) {
        let (w, h) = (
            rng.range(8.0, c.w as f32 / 3.0),
            rng.range(4.0, c.h as f32 / 5.0),
        );
        let (x, y) = (
            rng.range(-w / 2.0, c.w as f32),
            rng.range(-h / 2.0, c.h as f32),
        );
        let level = rng.range(10.0, 245.0);
        c.fill_rect(x, y, x + w, y + h, level);
        if rng.below(3) == 0 {
            let ink = if level > 128.0 { 30.0 } else { 220.0 };
            glyph(rng, c, x + 4.0, y + 4.0, (h - 8.0).clamp(4.0, 24.0), ink);
        }
    }
}

fn scene(rng: &mut Rng, kind: Scene, w: usize, h: usize) -> Canvas {
    let mut c = Canvas::new(w, h, 128.0);
    match kind {
        Scene::Wood => wood(rng, &mut c),
        Scene::Keyboard => keyboard(rng, &mut c),
        Scene::Text => text(rng, &mut c),
        Scene::Checkerboard => checkerboard(rng, &mut c),
        Scene::Desk => desk(rng, &mut c),
    }
    c
}

/// 3x3 homography mapping the unit-less source rectangle to a destination quad.
type Mat3 = [[f64; 3]; 3];

/// Solves the homography sending (0,0),(1,0),(1,1),(0,1) to the quad (Heckbert's closed form).
fn square_to_quad(q: [(f64, f64); 4]) -> Mat3 {
    let [(x0, y0), (x1, y1), (x2, y2), (x3, y3)] = q;
    let (dx1, dx2, dx3) = (x1 - x2, x3 - x2, x0 - x1 + x2 - x3);
    let (dy1, dy2, dy3) = (y1 - y2, y3 - y2, y0 - y1 + y2 - y3);
    let den = dx1 * dy2 - dx2 * dy1;
    let g = (dx3 * dy2 - dx2 * dy3) / den;
    let h = (dx1 * dy3 - dx3 * dy1) / den;
    [
        [x1 - x0 + g * x1, x3 - x0 + h * x3, x0],
        [y1 - y0 + g * y1, y3 - y0 + h * y3, y0],
        [g, h, 1.0],
    ]
}

fn invert(m: Mat3) -> Mat3 {
    let [[a, b, c], [d, e, f], [g, h, i]] = m;
    let co = [
        [e * i - f * h, c * h - b * i, b * f - c * e],
        [f * g - d * i, a * i - c * g, c * d - a * f],
        [d * h - e * g, b * g - a * h, a * e - b * d],
    ];
    let det = a * co[0][0] + b * co[1][0] + c * co[2][0];
    co.map(|row| row.map(|v| v / det))
}

/// Draws a black-on-white bitmap into the quad, 4x4 supersampled so module edges blend as a
/// lens would. `ink` and `paper` are the printed levels under the scene's light.
pub fn draw_warped(
    c: &mut Canvas,
    bmp: &[u8],
    bw: usize,
    bh: usize,
    quad: [(f64, f64); 4],
    ink: f32,
    paper: f32,
) {
    let inv = invert(square_to_quad(quad));
    let xs = quad.iter().map(|p| p.0);
    let ys = quad.iter().map(|p| p.1);
    let x0 = xs.clone().fold(f64::MAX, f64::min).floor().max(0.0) as usize;
    let x1 = (xs.fold(f64::MIN, f64::max).ceil() as usize).min(c.w);
    let y0 = ys.clone().fold(f64::MAX, f64::min).floor().max(0.0) as usize;
    let y1 = (ys.fold(f64::MIN, f64::max).ceil() as usize).min(c.h);
    const SS: usize = 4;
    for y in y0..y1 {
        for x in x0..x1 {
            let (mut inside, mut white) = (0u32, 0u32);
            for sy in 0..SS {
                for sx in 0..SS {
                    let px = x as f64 + (sx as f64 + 0.5) / SS as f64;
                    let py = y as f64 + (sy as f64 + 0.5) / SS as f64;
                    let w = inv[2][0] * px + inv[2][1] * py + inv[2][2];
                    let u = (inv[0][0] * px + inv[0][1] * py + inv[0][2]) / w;
                    let v = (inv[1][0] * px + inv[1][1] * py + inv[1][2]) / w;
                    if !(0.0..1.0).contains(&u) || !(0.0..1.0).contains(&v) {
                        continue;
                    }
                    inside += 1;
                    let (bx, by) = ((u * bw as f64) as usize, (v * bh as f64) as usize);
                    if bmp[by * bw + bx] >= 128 {
                        white += 1;
                    }
                }
            }
            if inside > 0 {
                let n = (SS * SS) as f32;
                let code = (ink * (inside - white) as f32 + paper * white as f32) / inside as f32;
                let a = inside as f32 / n;
                let p = &mut c.px[y * c.w + x];
                *p = *p * (1.0 - a) + code * a;
            }
        }
    }
}

/// A quad of side `size` (and height `size * aspect`) centred at (cx, cy), turned by `angle`,
/// with each corner nudged by up to `skew` of the size (mild perspective).
pub fn quad(
    rng: &mut Rng,
    cx: f64,
    cy: f64,
    size: f64,
    aspect: f64,
    angle: f64,
    skew: f64,
) -> [(f64, f64); 4] {
    let (s, co) = angle.sin_cos();
    let (hw, hh) = (size / 2.0, size * aspect / 2.0);
    [(-hw, -hh), (hw, -hh), (hw, hh), (-hw, hh)].map(|(x, y)| {
        let jx = f64::from(rng.range(-1.0, 1.0)) * skew * size;
        let jy = f64::from(rng.range(-1.0, 1.0)) * skew * size;
        (cx + x * co - y * s + jx, cy + x * s + y * co + jy)
    })
}

/// The camera: uneven light, glare, defocus and sensor noise over the whole scene.
fn camera(rng: &mut Rng, c: &mut Canvas, blur: usize, glare: bool, noise: f32) {
    let (gx, gy) = (rng.range(-0.6, 0.6), rng.range(-0.6, 0.6));
    let (w, h) = (c.w as f32, c.h as f32);
    for y in 0..c.h {
        for x in 0..c.w {
            let light = 1.0 + gx * (x as f32 / w - 0.5) + gy * (y as f32 / h - 0.5);
            c.px[y * c.w + x] *= light;
        }
    }
    if glare {
        let (cx, cy) = (rng.range(0.2, 0.8) * w, rng.range(0.2, 0.8) * h);
        let sigma = rng.range(0.05, 0.14) * w;
        let peak = rng.range(50.0, 110.0);
        for y in 0..c.h {
            for x in 0..c.w {
                let d2 = (x as f32 - cx).powi(2) + (y as f32 - cy).powi(2);
                let g = (-d2 / (2.0 * sigma * sigma)).exp();
                if g > 0.01 {
                    c.px[y * c.w + x] += peak * g;
                }
            }
        }
    }
    // Two box passes approximate a Gaussian defocus.
    for _ in 0..2 {
        box_blur(c, blur);
    }
    for p in &mut c.px {
        *p += noise * rng.gauss();
    }
}

pub fn box_blur(c: &mut Canvas, r: usize) {
    if r == 0 {
        return;
    }
    let (w, h) = (c.w, c.h);
    let n = (2 * r + 1) as f32;
    let mut tmp = vec![0f32; w * h];
    for y in 0..h {
        for x in 0..w {
            let mut s = 0.0;
            for k in x as isize - r as isize..=x as isize + r as isize {
                s += c.px[y * w + k.clamp(0, w as isize - 1) as usize];
            }
            tmp[y * w + x] = s / n;
        }
    }
    for y in 0..h {
        for x in 0..w {
            let mut s = 0.0;
            for k in y as isize - r as isize..=y as isize + r as isize {
                s += tmp[k.clamp(0, h as isize - 1) as usize * w + x];
            }
            c.px[y * w + x] = s / n;
        }
    }
}

/// The QR payloads the set cycles through: what Chinese and EMVCo wallets scan.
pub fn qr_payload(rng: &mut Rng, i: usize) -> (&'static str, String) {
    match i % 4 {
        0 => ("wechat", format!("wxp://f2f0{}", rng.token(32))),
        1 => (
            "alipay",
            format!(
                "https://qr.alipay.com/bax0{}",
                rng.token(20).to_ascii_lowercase()
            ),
        ),
        2 => (
            "unionpay",
            format!("https://qr.95516.com/00010000/62{}", rng.digits(28)),
        ),
        _ => {
            let amount = format!("{}.{:02}", 1 + rng.below(500), rng.below(100));
            let fields = vec![
                (1, Field::Text("12".into())),
                (15, Field::Text(format!("9156000000{}", rng.digits(10)))),
                (
                    26,
                    Field::Template(vec![(0, "A000000333010108".into()), (1, rng.digits(15))]),
                ),
                (52, Field::Text("5812".into())),
                (53, Field::Text("156".into())),
                (54, Field::Text(amount)),
                (58, Field::Text("CN".into())),
                (59, Field::Text("HUTONG NOODLE BAR".into())),
                (60, Field::Text("SHANGHAI".into())),
            ];
            ("emv_mpm", encode(&fields).expect("valid EMVCo fields"))
        }
    }
}

/// An 18-digit payer code (the barcode under the QR on WeChat/Alipay/UnionPay payer screens).
pub fn pay_code(rng: &mut Rng, i: usize) -> String {
    let prefix = ["13", "28", "62"][i % 3];
    format!("{prefix}{}", rng.digits(16))
}

struct Look {
    blur: usize,
    glare: bool,
    noise: f32,
    ink: f32,
    paper: f32,
    low_contrast: bool,
}

fn look(rng: &mut Rng) -> Look {
    let low_contrast = rng.below(4) == 0;
    let (ink, paper) = if low_contrast {
        (rng.range(70.0, 105.0), rng.range(145.0, 175.0))
    } else {
        (rng.range(15.0, 55.0), rng.range(185.0, 240.0))
    };
    Look {
        blur: [0, 0, 1, 1, 2][rng.below(5) as usize],
        glare: rng.below(3) == 0,
        noise: rng.range(2.0, 7.0),
        ink,
        paper,
        low_contrast,
    }
}

/// Renders one frame. `display` is the upright size the user sees.
fn frame(
    rng: &mut Rng,
    res: &str,
    kind: Kind,
    index: usize,
    display: (usize, usize),
    rotation: u32,
) -> LiveFrame {
    let (w, h) = display;
    let bg = Scene::ALL[rng.below(Scene::ALL.len() as u32) as usize];
    let mut canvas = scene(rng, bg, w, h);
    let lk = look(rng);
    let mut desc = format!("{} background", bg.name());
    let expect = match kind {
        Kind::Qr => {
            let (source, text) = qr_payload(rng, index);
            let bmp = render(
                &text,
                Symbology::Qr,
                RenderOptions::for_symbology(Symbology::Qr, 1),
            )
            .expect("payload renders");
            // Symbol width (quiet zone excluded) as a share of the frame's width (its shorter
            // side: portrait, or the height of a landscape frame, so every size fits).
            let short = w.min(h) as f64;
            let share = f64::from(rng.range(0.15, 0.70));
            let with_quiet = bmp.width as f64 / (bmp.width as f64 - 8.0);
            let angle = f64::from(rng.range(-std::f32::consts::PI, std::f32::consts::PI));
            // Half the turned square's extent plus the corner nudges must stay inside.
            let spread = (angle.cos().abs() + angle.sin().abs()) / 2.0 + 0.06;
            let size = (share * short * with_quiet).min((short / 2.0 - 4.0) / spread);
            let share = size / with_quiet / short;
            let margin = size * spread;
            let cx = margin + f64::from(rng.unit()) * (w as f64 - 2.0 * margin);
            let cy = margin + f64::from(rng.unit()) * (h as f64 - 2.0 * margin);
            let q = quad(rng, cx, cy, size, 1.0, angle, 0.05);
            draw_warped(
                &mut canvas,
                &bmp.pixels,
                bmp.width as usize,
                bmp.height as usize,
                q,
                lk.ink,
                lk.paper,
            );
            desc = format!(
                "{source} QR {:.0}% of the short side, {:.0} deg, {desc}",
                share * 100.0,
                angle.to_degrees()
            );
            Some(text)
        }
        Kind::Code128 => {
            let text = pay_code(rng, index);
            let mut opts = RenderOptions::for_symbology(Symbology::Code128, 1);
            opts.bar_height_px = 36;
            let bmp = render(&text, Symbology::Code128, opts).expect("pay code renders");
            let share = rng.range(0.45, 0.85);
            let size = f64::from(share) * w.min(h) as f64;
            let aspect = f64::from(bmp.height) / f64::from(bmp.width);
            let angle = f64::from(rng.range(-0.1, 0.1));
            // Payer barcodes are aimed at: near the middle of the view.
            let cx = w as f64 / 2.0 + f64::from(rng.range(-0.08, 0.08)) * w as f64;
            let cy = h as f64 / 2.0 + f64::from(rng.range(-0.08, 0.08)) * h as f64;
            let q = quad(rng, cx, cy, size, aspect, angle, 0.02);
            draw_warped(
                &mut canvas,
                &bmp.pixels,
                bmp.width as usize,
                bmp.height as usize,
                q,
                lk.ink,
                lk.paper,
            );
            desc = format!(
                "Code 128 pay code {:.0}% of the short side, {desc}",
                share * 100.0
            );
            Some(text)
        }
        Kind::NoCode => None,
    };
    camera(rng, &mut canvas, lk.blur, lk.glare, lk.noise);
    desc.push_str(&format!(
        ", blur {}, noise {:.1}{}{}",
        lk.blur,
        lk.noise,
        if lk.glare { ", glare" } else { "" },
        if lk.low_contrast && kind != Kind::NoCode {
            ", low contrast"
        } else {
            ""
        }
    ));
    let upright = canvas.to_luma();
    let sensor = upright.to_sensor(rotation);
    let stride = sensor.width as usize + 32;
    let kind_name = match kind {
        Kind::Qr => "qr",
        Kind::Code128 => "code128",
        Kind::NoCode => "no_code",
    };
    LiveFrame {
        case: format!("{res}_{kind_name}"),
        name: format!("{res}_{kind_name}_{index:02}"),
        kind,
        rotation,
        nv21: sensor.to_semi_planar(stride),
        sensor_width: sensor.width,
        sensor_height: sensor.height,
        stride,
        upright,
        expect,
        desc,
    }
}

/// Frames per case: (kind, count).
pub const COUNTS: [(Kind, usize); 3] = [(Kind::Qr, 24), (Kind::Code128, 12), (Kind::NoCode, 20)];

/// The whole set, in a fixed order: per resolution, QR frames, Code 128 frames, frames
/// without a code. Three in four frames come from a portrait phone (sensor turned 90°).
pub fn live_frames() -> Vec<LiveFrame> {
    let mut rng = Rng::new(SEED);
    let mut out = Vec::new();
    for (res, long, short) in [("720p", 1280usize, 720usize), ("1080p", 1920, 1080)] {
        for (kind, count) in COUNTS {
            for i in 0..count {
                let portrait = rng.below(4) != 0;
                let (display, rotation) = if portrait {
                    ((short, long), 90)
                } else {
                    ((long, short), 0)
                };
                out.push(frame(&mut rng, res, kind, i, display, rotation));
            }
        }
    }
    out
}
