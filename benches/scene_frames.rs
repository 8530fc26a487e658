//! A second, independent frame generator (issue 16): scene statistics the scanner was not
//! tuned on, one family per scene or distortion, so `bench-compare` reports each on its own.
//!
//! Backgrounds: multi-octave noise with granite speckle or fabric weave, dense newspaper text
//! with diagonal strokes, line and box clutter with ruled grids, a photographed screen (pixel
//! grid at an angle, which aliases into moiré, plus refresh banding), and store shelves of
//! products carrying EAN-13/UPC-A barcodes (retail codes, not pay codes: Code 128 and QR
//! readers must stay silent). Codes: small and distant QR, QR in low light with amplified
//! sensor noise, QR under motion blur, skewed, curved (a label on a cylinder) and distant
//! Code 128 pay codes. The camera differs from `live_frames.rs` too: vignetting, shot noise
//! that grows with the signal, a gain stage.
//!
//! Deterministic: everything derives from `SEED`; nothing is written to the repository.
#![allow(dead_code)]

use crate::live_frames::{
    box_blur, draw_warped, pay_code, qr_payload, quad, Canvas, Kind, LiveFrame, Rng, ValueNoise,
};
use hutong_core::render::{render, RenderOptions, Symbology};

pub const SEED: u64 = 0x4875_746f_6e67_0016;

/// Frames per family (alternating 720p and 1080p).
pub const FRAMES_PER_FAMILY: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    SmallQr,
    LowLightQr,
    MotionBlurQr,
    SkewedCode128,
    CurvedCode128,
    DistantCode128,
    NoiseTexture,
    DenseText,
    LineBoxClutter,
    MoireScreen,
    RetailShelf,
    LowLightEmpty,
}

/// (family, case name, what it holds).
const FAMILIES: [(Family, &str, Kind); 12] = [
    (Family::SmallQr, "g2_small_qr", Kind::Qr),
    (Family::LowLightQr, "g2_low_light_qr", Kind::Qr),
    (Family::MotionBlurQr, "g2_motion_blur_qr", Kind::Qr),
    (Family::SkewedCode128, "g2_skewed_code128", Kind::Code128),
    (Family::CurvedCode128, "g2_curved_code128", Kind::Code128),
    (Family::DistantCode128, "g2_distant_code128", Kind::Code128),
    (Family::NoiseTexture, "g2_noise_texture", Kind::NoCode),
    (Family::DenseText, "g2_dense_text", Kind::NoCode),
    (Family::LineBoxClutter, "g2_line_box_clutter", Kind::NoCode),
    (Family::MoireScreen, "g2_moire_screen", Kind::NoCode),
    (Family::RetailShelf, "g2_retail_shelf", Kind::NoCode),
    (Family::LowLightEmpty, "g2_low_light_no_code", Kind::NoCode),
];

/// Background scenes of this generator (also behind the codes).
#[derive(Debug, Clone, Copy)]
enum Backdrop {
    Noise,
    Text,
    Clutter,
    Screen,
    Shelf,
}

const BACKDROPS: [Backdrop; 5] = [
    Backdrop::Noise,
    Backdrop::Text,
    Backdrop::Clutter,
    Backdrop::Screen,
    Backdrop::Shelf,
];

fn backdrop_name(b: Backdrop) -> &'static str {
    match b {
        Backdrop::Noise => "noise texture",
        Backdrop::Text => "dense text",
        Backdrop::Clutter => "line/box clutter",
        Backdrop::Screen => "screen moire",
        Backdrop::Shelf => "retail shelf",
    }
}

fn paint(rng: &mut Rng, b: Backdrop, c: &mut Canvas) {
    match b {
        Backdrop::Noise => noise_texture(rng, c),
        Backdrop::Text => dense_text(rng, c),
        Backdrop::Clutter => clutter(rng, c),
        Backdrop::Screen => screen(rng, c),
        Backdrop::Shelf => shelf(rng, c),
    }
}

/// An anti-aliased straight stroke of width `w`.
fn stroke(c: &mut Canvas, a: (f32, f32), b: (f32, f32), w: f32, level: f32) {
    let r = w / 2.0 + 1.0;
    let x0 = (a.0.min(b.0) - r).floor().max(0.0) as usize;
    let y0 = (a.1.min(b.1) - r).floor().max(0.0) as usize;
    let x1 = ((a.0.max(b.0) + r).ceil().max(0.0) as usize).min(c.w);
    let y1 = ((a.1.max(b.1) + r).ceil().max(0.0) as usize).min(c.h);
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = (dx * dx + dy * dy).max(1e-6);
    for y in y0..y1 {
        for x in x0..x1 {
            let (px, py) = (x as f32 + 0.5 - a.0, y as f32 + 0.5 - a.1);
            let t = ((px * dx + py * dy) / len2).clamp(0.0, 1.0);
            let d = ((px - t * dx).powi(2) + (py - t * dy).powi(2)).sqrt();
            let cover = (w / 2.0 - d + 0.5).clamp(0.0, 1.0);
            if cover > 0.0 {
                let p = &mut c.px[y * c.w + x];
                *p = *p * (1.0 - cover) + level * cover;
            }
        }
    }
}

fn noise_texture(rng: &mut Rng, c: &mut Canvas) {
    let octaves: Vec<(ValueNoise, f32)> = [96.0, 40.0, 17.0, 7.0, 3.0]
        .iter()
        .enumerate()
        .map(|(i, cell)| {
            (
                ValueNoise::new(rng, c.w, c.h, *cell),
                0.55f32.powi(i as i32),
            )
        })
        .collect();
    let base = rng.range(70.0, 190.0);
    let contrast = rng.range(30.0, 80.0);
    // Fabric: a woven grating at an angle; otherwise granite speckle.
    let fabric = rng.below(2) == 0;
    let (period, angle) = (rng.range(3.0, 9.0), rng.range(-0.8, 0.8));
    let (sa, ca) = angle.sin_cos();
    for y in 0..c.h {
        for x in 0..c.w {
            let (xf, yf) = (x as f32, y as f32);
            let n: f32 = octaves.iter().map(|(o, a)| a * o.at(xf, yf)).sum();
            let mut v = base + contrast * n;
            if fabric {
                let (u, w) = (xf * ca + yf * sa, -xf * sa + yf * ca);
                let weave = (u * std::f32::consts::TAU / period).sin()
                    * (w * std::f32::consts::TAU / period).sin();
                v += 22.0 * weave;
            }
            c.px[y * c.w + x] = v;
        }
    }
    if !fabric {
        for _ in 0..c.w * c.h / 60 {
            let (x, y) = (rng.below(c.w as u32) as f32, rng.below(c.h as u32) as f32);
            let r = rng.range(0.6, 2.5);
            let level = if rng.below(2) == 0 { 25.0 } else { 235.0 };
            c.fill_rect(x, y, x + r, y + r, level);
        }
    }
}

/// A glyph from two to four strokes between points of a 3x4 lattice (diagonals included).
fn glyph(rng: &mut Rng, c: &mut Canvas, x: f32, y: f32, size: f32, ink: f32) {
    let w = (size / 8.0).max(0.8);
    let point = |rng: &mut Rng| {
        (
            x + size * 0.6 * rng.below(3) as f32 / 2.0,
            y + size * rng.below(4) as f32 / 3.0,
        )
    };
    for _ in 0..2 + rng.below(3) {
        let (a, b) = (point(rng), point(rng));
        stroke(c, a, b, w, ink);
    }
}

fn dense_text(rng: &mut Rng, c: &mut Canvas) {
    let paper = rng.range(170.0, 240.0);
    c.px.fill(paper);
    let ink = rng.range(10.0, 60.0);
    let columns = 2 + rng.below(3) as usize;
    let gutter = rng.range(8.0, 24.0);
    let col_w = (c.w as f32 - gutter * (columns as f32 + 1.0)) / columns as f32;
    for col in 0..columns {
        let x0 = gutter + col as f32 * (col_w + gutter);
        let mut y = gutter;
        while y < c.h as f32 - gutter {
            // A headline now and then, then body text in small print, and a rule.
            let size = if rng.below(12) == 0 {
                rng.range(14.0, 26.0)
            } else {
                rng.range(5.0, 10.0)
            };
            let mut x = x0;
            while x + size < x0 + col_w {
                for _ in 0..1 + rng.below(8) {
                    if x + size >= x0 + col_w {
                        break;
                    }
                    glyph(rng, c, x, y, size, ink);
                    x += size * 0.7;
                }
                x += size * 0.45;
            }
            y += size * 1.35;
            if rng.below(25) == 0 {
                stroke(c, (x0, y), (x0 + col_w, y), 1.0, ink);
                y += 4.0;
            }
        }
    }
}

fn clutter(rng: &mut Rng, c: &mut Canvas) {
    let (w, h) = (c.w as f32, c.h as f32);
    let (a, b) = (rng.range(60.0, 200.0), rng.range(60.0, 200.0));
    for y in 0..c.h {
        for x in 0..c.w {
            let t = (x as f32 / w + y as f32 / h) / 2.0;
            c.px[y * c.w + x] = a + (b - a) * t;
        }
    }
    // A ruled grid (a form or a spreadsheet) in part of the view.
    let (gx, gy) = (rng.range(0.0, w * 0.6), rng.range(0.0, h * 0.6));
    let (gw, gh) = (rng.range(w * 0.2, w * 0.5), rng.range(h * 0.2, h * 0.5));
    let pitch = rng.range(10.0, 30.0);
    let ink = rng.range(20.0, 90.0);
    let mut t = 0.0;
    while t <= gw.max(gh) {
        if t <= gw {
            stroke(c, (gx + t, gy), (gx + t, gy + gh), 1.2, ink);
        }
        if t <= gh {
            stroke(c, (gx, gy + t), (gx + gw, gy + t), 1.2, ink);
        }
        t += pitch;
    }
    for _ in 0..20 + rng.below(40) {
        let (x, y) = (rng.range(-50.0, w), rng.range(-50.0, h));
        let (bw, bh) = (rng.range(10.0, w / 4.0), rng.range(10.0, h / 4.0));
        let level = rng.range(0.0, 255.0);
        if rng.below(3) == 0 {
            c.fill_rect(x, y, x + bw, y + bh, level);
        } else {
            let lw = rng.range(1.0, 5.0);
            let corners = [(x, y), (x + bw, y), (x + bw, y + bh), (x, y + bh)];
            for i in 0..4 {
                stroke(c, corners[i], corners[(i + 1) % 4], lw, level);
            }
        }
    }
    for _ in 0..40 + rng.below(80) {
        let a = (rng.range(0.0, w), rng.range(0.0, h));
        let angle = rng.range(0.0, std::f32::consts::PI);
        let len = rng.range(20.0, w);
        let b = (a.0 + len * angle.cos(), a.1 + len * angle.sin());
        stroke(c, a, b, rng.range(0.8, 6.0), rng.range(0.0, 255.0));
    }
}

/// A phone or monitor screen photographed: app content under a pixel grid slightly turned
/// against the sensor (the grid is near the sampling rate, so it beats into moiré), with
/// refresh banding.
fn screen(rng: &mut Rng, c: &mut Canvas) {
    let dark_mode = rng.below(2) == 0;
    let (bg, fg) = if dark_mode {
        (rng.range(15.0, 40.0), rng.range(180.0, 240.0))
    } else {
        (rng.range(200.0, 245.0), rng.range(20.0, 70.0))
    };
    c.px.fill(bg);
    let (w, h) = (c.w as f32, c.h as f32);
    // Cards and buttons, each with a few lines of text.
    let mut y = rng.range(10.0, 40.0);
    while y < h - 30.0 {
        let card_h = rng.range(40.0, 160.0);
        let tone = bg + (fg - bg) * rng.range(0.05, 0.2);
        c.fill_rect(12.0, y, w - 12.0, y + card_h, tone);
        let size = rng.range(8.0, 16.0);
        let mut ty = y + 8.0;
        while ty + size < y + card_h - 6.0 {
            let mut x = 24.0;
            let end = w - 24.0 - rng.range(0.0, w * 0.4);
            while x < end {
                glyph(rng, c, x, ty, size, fg);
                x += size * 0.75;
            }
            ty += size * 1.5;
        }
        y += card_h + rng.range(8.0, 24.0);
    }
    let period = rng.range(2.2, 4.5);
    let angle = rng.range(-0.09, 0.09);
    let (sa, ca) = angle.sin_cos();
    let depth = rng.range(0.15, 0.35);
    let band_period = rng.range(40.0, 200.0);
    let band_depth = rng.range(0.0, 0.12);
    for y in 0..c.h {
        for x in 0..c.w {
            let (xf, yf) = (x as f32, y as f32);
            let (u, v) = (xf * ca + yf * sa, -xf * sa + yf * ca);
            let tau = std::f32::consts::TAU;
            let grid = (tau * u / period).cos() * (tau * v / period).cos();
            let band = 1.0 + band_depth * (tau * yf / band_period).sin();
            let p = &mut c.px[y * c.w + x];
            *p *= (1.0 - depth / 2.0 + depth / 2.0 * grid) * band;
        }
    }
}

/// EAN-13 module patterns: L (odd parity) per digit; G is R reversed, R is L inverted.
const EAN_L: [&str; 10] = [
    "0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011",
    "0110111", "0001011",
];
/// Which left-half digits take G parity, by the first digit.
const EAN_PARITY: [&str; 10] = [
    "LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL",
    "LGGLGL",
];

/// The 95 modules of an EAN-13 symbol (UPC-A is EAN-13 with a leading 0), check digit added.
fn ean13_modules(first12: &[u8; 12]) -> Vec<bool> {
    let sum: u32 = first12
        .iter()
        .enumerate()
        .map(|(i, d)| u32::from(*d) * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    let check = ((10 - sum % 10) % 10) as u8;
    let mut digits = first12.to_vec();
    digits.push(check);
    let bits = |s: &str| s.bytes().map(|b| b == b'1').collect::<Vec<_>>();
    let l = |d: u8| bits(EAN_L[d as usize]);
    let r = |d: u8| l(d).into_iter().map(|b| !b).collect::<Vec<_>>();
    let g = |d: u8| r(d).into_iter().rev().collect::<Vec<_>>();
    let mut m = bits("101");
    for (i, p) in EAN_PARITY[digits[0] as usize].bytes().enumerate() {
        m.extend(if p == b'L' {
            l(digits[1 + i])
        } else {
            g(digits[1 + i])
        });
    }
    m.extend(bits("01010"));
    for d in &digits[7..13] {
        m.extend(r(*d));
    }
    m.extend(bits("101"));
    m
}

/// A retail barcode bitmap (black bars on white, 9 modules of quiet zone each side).
fn retail_barcode(rng: &mut Rng) -> (Vec<u8>, usize, usize) {
    let mut first12 = [0u8; 12];
    // UPC-A in one of three (a leading 0), else an EAN-13 with a GS1 prefix from Asia or Europe.
    let prefix: &[u8] = [&[0u8][..], &[6, 9, 0], &[4, 0, 0]][rng.below(3) as usize];
    for (i, d) in first12.iter_mut().enumerate() {
        *d = prefix
            .get(i)
            .copied()
            .unwrap_or_else(|| rng.below(10) as u8);
    }
    let modules = ean13_modules(&first12);
    let (bw, bh) = (modules.len() + 18, 60);
    let mut bmp = vec![255u8; bw * bh];
    for y in 0..bh {
        for (i, dark) in modules.iter().enumerate() {
            if *dark {
                bmp[y * bw + 9 + i] = 0;
            }
        }
    }
    (bmp, bw, bh)
}

fn shelf(rng: &mut Rng, c: &mut Canvas) {
    let (w, h) = (c.w as f32, c.h as f32);
    c.px.fill(rng.range(20.0, 60.0));
    let rows = 2 + rng.below(3);
    let row_h = h / rows as f32;
    for r in 0..rows {
        let top = r as f32 * row_h;
        let edge = top + row_h * 0.86;
        // The shelf edge with price tags.
        c.fill_rect(0.0, edge, w, top + row_h, rng.range(150.0, 220.0));
        let mut x = rng.range(-40.0, 0.0);
        while x < w {
            let pw = rng.range(50.0, 190.0);
            let ph = rng.range(row_h * 0.45, row_h * 0.8);
            let level = rng.range(90.0, 240.0);
            c.fill_rect(x, edge - ph, x + pw - 4.0, edge, level);
            // Brand text, then the product's barcode, upright or on its side.
            for k in 0..3 {
                glyph(
                    rng,
                    c,
                    x + 6.0 + k as f32 * 12.0,
                    edge - ph + 6.0,
                    10.0,
                    255.0 - level,
                );
            }
            let (bmp, bw, bh) = retail_barcode(rng);
            let size = f64::from(rng.range(0.45, 0.9) * pw);
            let turned = rng.below(4) == 0;
            let angle = if turned {
                std::f64::consts::FRAC_PI_2
            } else {
                0.0
            } + f64::from(rng.range(-0.06, 0.06));
            let cx = f64::from(x + pw / 2.0);
            let cy = f64::from(edge - ph * 0.35);
            let q = quad(rng, cx, cy, size, bh as f64 / bw as f64, angle, 0.01);
            draw_warped(c, &bmp, bw, bh, q, 25.0, level.max(200.0));
            x += pw;
        }
        let mut tx = rng.range(0.0, 60.0);
        while tx < w {
            c.fill_rect(tx, edge + 4.0, tx + 70.0, top + row_h - 4.0, 245.0);
            for k in 0..4 {
                glyph(rng, c, tx + 6.0 + k as f32 * 12.0, edge + 8.0, 11.0, 30.0);
            }
            tx += rng.range(120.0, 260.0);
        }
    }
}

/// A Code 128 label wrapped round a cylinder (a bottle, a cup): bars crowd towards the edges,
/// which fall off in light. `wrap` is the half-angle of the label seen, in radians.
#[allow(clippy::too_many_arguments)]
fn draw_cylinder(
    c: &mut Canvas,
    bmp: &[u8],
    bw: usize,
    bh: usize,
    centre: (f64, f64),
    size: (f64, f64),
    angle: f64,
    wrap: f64,
    ink: f32,
    paper: f32,
) {
    let (sa, ca) = angle.sin_cos();
    let reach = (size.0.powi(2) + size.1.powi(2)).sqrt() / 2.0 + 2.0;
    let x0 = (centre.0 - reach).max(0.0) as usize;
    let x1 = ((centre.0 + reach) as usize).min(c.w);
    let y0 = (centre.1 - reach).max(0.0) as usize;
    let y1 = ((centre.1 + reach) as usize).min(c.h);
    const SS: usize = 3;
    for y in y0..y1 {
        for x in x0..x1 {
            let (mut inside, mut sum) = (0u32, 0.0f32);
            for sy in 0..SS {
                for sx in 0..SS {
                    let px = x as f64 + (sx as f64 + 0.5) / SS as f64 - centre.0;
                    let py = y as f64 + (sy as f64 + 0.5) / SS as f64 - centre.1;
                    let (lx, ly) = (px * ca + py * sa, -px * sa + py * ca);
                    let xn = lx / (size.0 / 2.0);
                    if xn.abs() >= 1.0 {
                        continue;
                    }
                    let theta = (xn * wrap.sin()).asin();
                    let u = (theta / wrap + 1.0) / 2.0;
                    let v = ly / size.1 + 0.5;
                    if !(0.0..1.0).contains(&u) || !(0.0..1.0).contains(&v) {
                        continue;
                    }
                    inside += 1;
                    let white =
                        bmp[(v * bh as f64) as usize * bw + (u * bw as f64) as usize] >= 128;
                    let light = 0.6 + 0.4 * theta.cos() as f32;
                    sum += if white { paper } else { ink } * light;
                }
            }
            if inside > 0 {
                let a = inside as f32 / (SS * SS) as f32;
                let p = &mut c.px[y * c.w + x];
                *p = *p * (1.0 - a) + sum / inside as f32 * a;
            }
        }
    }
}

/// Motion blur: the mean of `len` samples along a line at `angle` (a hand moving the phone).
fn motion_blur(c: &mut Canvas, len: usize, angle: f32) {
    let (dy, dx) = angle.sin_cos();
    let offsets: Vec<(isize, isize)> = (0..len)
        .map(|i| {
            let t = i as f32 - (len as f32 - 1.0) / 2.0;
            ((t * dx).round() as isize, (t * dy).round() as isize)
        })
        .collect();
    let (w, h) = (c.w as isize, c.h as isize);
    let src = c.px.clone();
    for y in 0..h {
        for x in 0..w {
            let s: f32 = offsets
                .iter()
                .map(|(ox, oy)| {
                    src[((y + oy).clamp(0, h - 1) * w + (x + ox).clamp(0, w - 1)) as usize]
                })
                .sum();
            c.px[(y * w + x) as usize] = s / len as f32;
        }
    }
}

/// This generator's camera: vignetting, defocus, shot noise growing with the signal plus read
/// noise, through a gain stage (`gain` > 1 in low light, which amplifies the noise too).
fn camera(rng: &mut Rng, c: &mut Canvas, exposure: f32, gain: f32, blur: usize) {
    let (cx, cy) = (c.w as f32 / 2.0, c.h as f32 / 2.0);
    let r2max = cx * cx + cy * cy;
    let falloff = rng.range(0.1, 0.4);
    for y in 0..c.h {
        for x in 0..c.w {
            let r2 = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)) / r2max;
            c.px[y * c.w + x] *= exposure * (1.0 - falloff * r2);
        }
    }
    box_blur(c, blur);
    let read_noise = rng.range(1.0, 3.0);
    for p in &mut c.px {
        let signal = p.max(0.0);
        let shot = (signal * 0.25).sqrt();
        *p = (signal + (shot + read_noise) * rng.gauss()) * gain;
    }
}

fn to_frame(
    canvas: &Canvas,
    case: &str,
    index: usize,
    kind: Kind,
    rotation: u32,
    expect: Option<String>,
    desc: String,
) -> LiveFrame {
    let upright = canvas.to_luma();
    let sensor = upright.to_sensor(rotation);
    let stride = sensor.width as usize + 32;
    LiveFrame {
        case: case.to_owned(),
        name: format!("{case}_{index:02}"),
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

fn qr_bitmap(text: &str) -> (Vec<u8>, usize, usize) {
    let bmp = render(
        text,
        Symbology::Qr,
        RenderOptions::for_symbology(Symbology::Qr, 1),
    )
    .expect("payload renders");
    (bmp.pixels, bmp.width as usize, bmp.height as usize)
}

fn code128_bitmap(text: &str) -> (Vec<u8>, usize, usize) {
    let mut opts = RenderOptions::for_symbology(Symbology::Code128, 1);
    opts.bar_height_px = 36;
    let bmp = render(text, Symbology::Code128, opts).expect("pay code renders");
    (bmp.pixels, bmp.width as usize, bmp.height as usize)
}

/// Places a QR whose symbol is `share` of the short side at a random spot, turned by up to
/// `max_angle`; returns the text and a description.
fn place_qr(
    rng: &mut Rng,
    c: &mut Canvas,
    index: usize,
    share: (f32, f32),
    max_angle: f32,
    ink: f32,
    paper: f32,
) -> (String, String) {
    let (source, text) = qr_payload(rng, index);
    let (bmp, bw, bh) = qr_bitmap(&text);
    let short = c.w.min(c.h) as f64;
    let share = f64::from(rng.range(share.0, share.1));
    let size = share * short * bw as f64 / (bw as f64 - 8.0);
    let angle = f64::from(rng.range(-max_angle, max_angle));
    let margin = size * 0.75;
    let cx = margin + f64::from(rng.unit()) * (c.w as f64 - 2.0 * margin);
    let cy = margin + f64::from(rng.unit()) * (c.h as f64 - 2.0 * margin);
    let q = quad(rng, cx, cy, size, 1.0, angle, 0.04);
    draw_warped(c, &bmp, bw, bh, q, ink, paper);
    (
        text,
        format!(
            "{source} QR {:.0}% of the short side, {:.0} deg",
            share * 100.0,
            angle.to_degrees()
        ),
    )
}

fn frame(rng: &mut Rng, family: Family, case: &str, kind: Kind, index: usize) -> LiveFrame {
    let (long, short) = if index.is_multiple_of(2) {
        (1280, 720)
    } else {
        (1920, 1080)
    };
    let portrait = rng.below(4) != 0;
    let ((w, h), rotation) = if portrait {
        ((short, long), 90)
    } else {
        ((long, short), 0)
    };
    let backdrop = match family {
        Family::NoiseTexture => Backdrop::Noise,
        Family::DenseText => Backdrop::Text,
        Family::LineBoxClutter => Backdrop::Clutter,
        Family::MoireScreen => Backdrop::Screen,
        Family::RetailShelf => Backdrop::Shelf,
        _ => BACKDROPS[rng.below(BACKDROPS.len() as u32) as usize],
    };
    let mut c = Canvas::new(w, h, 128.0);
    paint(rng, backdrop, &mut c);
    let (ink, paper) = (rng.range(10.0, 50.0), rng.range(190.0, 245.0));
    let (mut exposure, mut gain, blur) = (1.0, 1.0, rng.below(2) as usize);
    let mut motion = None;
    let (expect, what) = match family {
        Family::SmallQr => {
            let (t, d) = place_qr(rng, &mut c, index, (0.10, 0.18), 0.5, ink, paper);
            (Some(t), d)
        }
        Family::LowLightQr => {
            let (t, d) = place_qr(
                rng,
                &mut c,
                index,
                (0.25, 0.5),
                std::f32::consts::PI,
                ink,
                paper,
            );
            (Some(t), d)
        }
        Family::MotionBlurQr => {
            let (t, d) = place_qr(rng, &mut c, index, (0.25, 0.5), 0.3, ink, paper);
            (Some(t), d)
        }
        Family::SkewedCode128 | Family::DistantCode128 | Family::CurvedCode128 => {
            let text = pay_code(rng, index);
            let (bmp, bw, bh) = code128_bitmap(&text);
            let share = match family {
                Family::DistantCode128 => rng.range(0.28, 0.40),
                _ => rng.range(0.5, 0.85),
            };
            let size = f64::from(share) * w.min(h) as f64;
            let aspect = bh as f64 / bw as f64;
            let (cx, cy) = (
                w as f64 * f64::from(rng.range(0.4, 0.6)),
                h as f64 * f64::from(rng.range(0.4, 0.6)),
            );
            let desc = match family {
                Family::SkewedCode128 => {
                    let sign = if rng.below(2) == 0 { -1.0 } else { 1.0 };
                    let angle = sign * f64::from(rng.range(0.17, 0.7));
                    let q = quad(rng, cx, cy, size, aspect, angle, 0.06);
                    draw_warped(&mut c, &bmp, bw, bh, q, ink, paper);
                    format!(
                        "Code 128 pay code {:.0}% of the short side, skewed {:.0} deg",
                        share * 100.0,
                        angle.to_degrees()
                    )
                }
                Family::CurvedCode128 => {
                    let wrap = f64::from(rng.range(0.6, 1.1));
                    let angle = f64::from(rng.range(-0.15, 0.15));
                    draw_cylinder(
                        &mut c,
                        &bmp,
                        bw,
                        bh,
                        (cx, cy),
                        (size, size * aspect),
                        angle,
                        wrap,
                        ink,
                        paper,
                    );
                    format!(
                        "Code 128 pay code {:.0}% of the short side on a cylinder, wrap {:.0} deg",
                        share * 100.0,
                        wrap.to_degrees()
                    )
                }
                _ => {
                    let angle = f64::from(rng.range(-0.1, 0.1));
                    let q = quad(rng, cx, cy, size, aspect, angle, 0.02);
                    draw_warped(&mut c, &bmp, bw, bh, q, ink, paper);
                    format!(
                        "distant Code 128 pay code {:.0}% of the short side",
                        share * 100.0
                    )
                }
            };
            (Some(text), desc)
        }
        _ => (None, String::new()),
    };
    match family {
        Family::LowLightQr | Family::LowLightEmpty => {
            exposure = rng.range(0.1, 0.25);
            gain = rng.range(2.0, 4.0);
        }
        Family::MotionBlurQr => {
            motion = Some((
                4 + rng.below(9) as usize,
                rng.range(0.0, std::f32::consts::PI),
            ))
        }
        _ => {}
    }
    if let Some((len, angle)) = motion {
        motion_blur(&mut c, len, angle);
    }
    camera(rng, &mut c, exposure, gain, blur);
    let mut desc = format!("{} background", backdrop_name(backdrop));
    if !what.is_empty() {
        desc = format!("{what}, {desc}");
    }
    if exposure < 1.0 {
        desc.push_str(&format!(
            ", low light (exposure {exposure:.2}, gain {gain:.1})"
        ));
    }
    if let Some((len, angle)) = motion {
        desc.push_str(&format!(
            ", motion blur {len} px at {:.0} deg",
            angle.to_degrees()
        ));
    }
    to_frame(&c, case, index, kind, rotation, expect, desc)
}

/// The whole second set, family by family.
///
/// `HUTONG_SCENE_SEED` (a number) draws the same families from another seed: frames nobody
/// looked at while tuning, to check that a family's count is not a property of `SEED`.
pub fn scene_frames() -> Vec<LiveFrame> {
    let seed = std::env::var("HUTONG_SCENE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SEED);
    let mut rng = Rng::new(seed);
    let mut out = Vec::new();
    for (family, case, kind) in FAMILIES {
        for i in 0..FRAMES_PER_FAMILY {
            out.push(frame(&mut rng, family, case, kind, i));
        }
    }
    out
}
