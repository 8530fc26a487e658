//! The benchmark frames, shared by `scan.rs` (criterion) and `compare.rs` (against zxing-cpp):
//! camera-like NV21 frames as a phone delivers them (portrait display, sensor turned 90°).
#![allow(dead_code)]

use hutong_core::frame::synth::LumaPicture;
use hutong_core::render::{render, RenderOptions, Symbology};

pub const WECHAT_MERCHANT: &str = "wxp://f2f0Qz9qxst1qazKE_53XToPLIzMELvT8Ccd";

pub struct Case {
    pub name: &'static str,
    /// The sensor-space luma plane (tightly packed): what zxing-cpp is given.
    pub sensor: LumaPicture,
    pub rotation: u32,
    pub stride: usize,
    /// The same plane as NV21 with padded rows: what Hutong is given.
    pub nv21: Vec<u8>,
    pub expect: Option<&'static str>,
}

/// A scene with shapes and shading but no code: what most frames of a scan session show.
fn cluttered(width: u32, height: u32, seed: u64) -> LumaPicture {
    let mut pic = LumaPicture::filled(width, height, 0);
    for (i, p) in pic.pixels.iter_mut().enumerate() {
        let (x, y) = (i as u32 % width, i as u32 / width);
        *p = (60 + (x * 90 / width) + (y * 60 / height)) as u8;
    }
    let mut state = seed | 1;
    let mut next = |m: u32| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % u64::from(m)) as u32
    };
    for _ in 0..60 {
        let (w, h) = (10 + next(width / 6), 4 + next(height / 12));
        let (x, y) = (next(width - w), next(height - h));
        let block = vec![if next(2) == 0 { 0u8 } else { 255u8 }; (w * h) as usize];
        let ink = next(120) as u8;
        pic.draw(&block, w, x, y, ink, 255 - ink / 2);
    }
    pic
}

fn phone_frame(name: &'static str, display: (u32, u32), code_module: Option<u32>) -> Case {
    let mut scene = match code_module {
        Some(module) => {
            let bmp = render(
                WECHAT_MERCHANT,
                Symbology::Qr,
                RenderOptions::for_symbology(Symbology::Qr, module),
            )
            .expect("renders");
            let mut pic = cluttered(display.0, display.1, 7);
            let (x, y) = ((display.0 - bmp.width) / 2, (display.1 - bmp.height) / 2);
            pic.draw(&bmp.pixels, bmp.width, x, y, 30, 220);
            pic
        }
        None => cluttered(display.0, display.1, 11),
    };
    scene.add_noise(8, 99);
    let rotation = 90;
    let sensor = scene.to_sensor(rotation);
    let stride = sensor.width as usize + 64;
    let nv21 = sensor.to_semi_planar(stride);
    Case {
        name,
        sensor,
        rotation,
        stride,
        nv21,
        expect: code_module.map(|_| WECHAT_MERCHANT),
    }
}

/// Module sizes give the QR a realistic share of the frame (a phone 20-30 cm from a sticker).
pub fn cases() -> Vec<Case> {
    vec![
        phone_frame("nv21_720p_qr", (720, 1280), Some(6)),
        phone_frame("nv21_1080p_qr", (1080, 1920), Some(9)),
        phone_frame("nv21_720p_no_code", (720, 1280), None),
        phone_frame("nv21_1080p_no_code", (1080, 1920), None),
    ]
}

/// A corpus photo (a real camera picture of a QR code) used for the image-file case.
pub const CORPUS_PHOTO: &str = "tests/data/zxing-cpp/qrcode-2/high-res-1.jpg";
