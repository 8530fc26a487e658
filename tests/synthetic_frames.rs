//! Real payment payloads rendered into camera-like frames of every layout, rotation and crop:
//! the scanner must return the text, with corners on the code where it was drawn.
use hutong_core::frame::synth::LumaPicture;
use hutong_core::frame::{Frame, Plane, Rect};
use hutong_core::render::{render, RenderOptions, Symbology};
use hutong_core::scan::{CodeFormat, ScanOptions, ScannedCode, Scanner};
use std::time::Duration;

const WECHAT_MERCHANT: &str = "wxp://f2f0Qz9qxst1qazKE_53XToPLIzMELvT8Ccd";
/// A WeChat/Alipay-style 18-digit payer code, shown as Code 128.
const PAY_CODE: &str = "134567890123456789";
const SENSOR: (u32, u32) = (640, 480);
const ROTATIONS: [u32; 4] = [0, 90, 180, 270];

/// CRC-16/CCITT-FALSE as EMVCo tag 63 requires.
fn crc16(data: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for &b in data {
        crc ^= u16::from(b) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// A static EMVCo merchant-presented QR with a UnionPay merchant account and a valid CRC.
fn emvco_mpm() -> String {
    let body = "00020101021115315204000000000002081234567890123452045812530315654041.005802CN5911TEA HOUSE 16007SHANGHAI6304";
    format!("{body}{:04X}", crc16(body.as_bytes()))
}

/// Where a code was drawn, in upright display coordinates.
#[derive(Debug, Clone, Copy)]
struct Drawn {
    rect: Rect,
}

/// An upright display scene holding `text` at (x, y), with noise.
fn scene(
    text: &str,
    symbology: Symbology,
    display: (u32, u32),
    at: (u32, u32),
) -> (LumaPicture, Drawn) {
    let module = if symbology == Symbology::Qr { 4 } else { 2 };
    let bmp = render(
        text,
        symbology,
        RenderOptions::for_symbology(symbology, module),
    )
    .expect("renders");
    let mut pic = LumaPicture::filled(display.0, display.1, 170);
    pic.draw(&bmp.pixels, bmp.width, at.0, at.1, 35, 215);
    pic.add_noise(12, 0x5eed);
    let drawn = Drawn {
        rect: Rect::new(at.0, at.1, bmp.width, bmp.height),
    };
    (pic, drawn)
}

fn scanner() -> Scanner {
    Scanner::new(ScanOptions {
        formats: vec![CodeFormat::QrCode, CodeFormat::Code128],
        time_budget: Duration::from_secs(10),
        ..ScanOptions::default()
    })
}

fn payloads() -> Vec<(String, Symbology)> {
    vec![
        (WECHAT_MERCHANT.to_owned(), Symbology::Qr),
        (emvco_mpm(), Symbology::Qr),
        (PAY_CODE.to_owned(), Symbology::Code128),
    ]
}

/// The layouts a camera delivers, each built with padded rows from one sensor image.
#[derive(Debug, Clone, Copy)]
enum Layout {
    Nv21,
    Nv12,
    I420,
    Yuv420888,
    Bgra,
}

fn scan_in_layout(
    scanner: &Scanner,
    layout: Layout,
    sensor: &LumaPicture,
    degrees: u32,
    crop: Option<Rect>,
) -> Vec<ScannedCode> {
    let (w, h) = (sensor.width, sensor.height);
    let pad = 24usize;
    let stride = w as usize + pad;
    match layout {
        Layout::Nv21 | Layout::Nv12 => {
            let data = sensor.to_semi_planar(stride);
            let frame = match layout {
                Layout::Nv21 => Frame::nv21(&data, w, h, stride, degrees),
                _ => Frame::nv12(&data, w, h, stride, degrees),
            }
            .expect("valid semi-planar frame");
            scanner.scan_frame(&with_crop(frame, crop))
        }
        Layout::I420 => {
            let data = sensor.to_i420(stride, stride / 2 + 8);
            let frame =
                Frame::i420(&data, w, h, stride, stride / 2 + 8, degrees).expect("valid I420");
            scanner.scan_frame(&with_crop(frame, crop))
        }
        Layout::Yuv420888 => {
            let (y, vu) = sensor.to_yuv_420_888(stride);
            // Android hands out U and V as views one byte apart into the same VU memory.
            let v = Plane::new(&vu[..vu.len() - 1], stride, 2);
            let u = Plane::new(&vu[1..], stride, 2);
            let frame = Frame::yuv_420_888(Plane::new(&y, stride, 1), u, v, w, h, degrees)
                .expect("valid YUV_420_888");
            scanner.scan_frame(&with_crop(frame, crop))
        }
        Layout::Bgra => {
            let data = sensor.to_bgra(4 * w as usize + 64);
            let frame =
                Frame::bgra8888(&data, w, h, 4 * w as usize + 64, degrees).expect("valid BGRA");
            scanner.scan_frame(&with_crop(frame, crop))
        }
    }
}

fn with_crop(frame: Frame<'_>, crop: Option<Rect>) -> Frame<'_> {
    match crop {
        Some(c) => frame.with_crop(c).expect("crop fits"),
        None => frame,
    }
}

/// Every corner lies on the drawn code (its rectangle, quiet zone included, plus 3 px).
fn assert_corners_on(code: &ScannedCode, drawn: Drawn, what: &str) {
    let r = drawn.rect;
    let tol = 3.0;
    for p in code.corners {
        assert!(
            p.x >= r.x as f32 - tol
                && p.x <= (r.x + r.width) as f32 + tol
                && p.y >= r.y as f32 - tol
                && p.y <= (r.y + r.height) as f32 + tol,
            "{what}: corner {p:?} is off the code drawn at {}; corners {:?}",
            r,
            code.corners
        );
    }
}

fn check_layout(layout: Layout) {
    let scanner = scanner();
    for (text, symbology) in payloads() {
        for degrees in ROTATIONS {
            let display = if degrees % 180 == 90 {
                (SENSOR.1, SENSOR.0)
            } else {
                SENSOR
            };
            let (pic, drawn) = scene(&text, symbology, display, (60, 90));
            let sensor = pic.to_sensor(degrees);
            let codes = scan_in_layout(&scanner, layout, &sensor, degrees, None);
            let what = format!("{layout:?} {degrees}° {symbology:?}");
            let code = codes.iter().find(|c| c.text == text).unwrap_or_else(|| {
                panic!(
                    "{what}: {text} not found in {codes:?}; {:?}",
                    scanner.stats()
                )
            });
            assert_corners_on(code, drawn, &what);
        }
    }
}

#[test]
fn nv21_frames_with_padded_rows_decode_at_every_rotation() {
    check_layout(Layout::Nv21);
}

#[test]
fn nv12_frames_with_padded_rows_decode_at_every_rotation() {
    check_layout(Layout::Nv12);
}

#[test]
fn i420_frames_with_padded_rows_decode_at_every_rotation() {
    check_layout(Layout::I420);
}

#[test]
fn yuv_420_888_frames_with_pixel_stride_two_decode_at_every_rotation() {
    check_layout(Layout::Yuv420888);
}

#[test]
fn bgra_frames_with_padded_rows_decode_at_every_rotation() {
    check_layout(Layout::Bgra);
}

#[test]
fn cropped_frames_report_corners_in_full_display_coordinates() {
    let scanner = scanner();
    for layout in [Layout::Nv21, Layout::Yuv420888, Layout::Bgra] {
        for degrees in ROTATIONS {
            let display = if degrees % 180 == 90 {
                (SENSOR.1, SENSOR.0)
            } else {
                SENSOR
            };
            let (pic, drawn) = scene(WECHAT_MERCHANT, Symbology::Qr, display, (150, 170));
            let crop = Rect::new(100, 120, 260, 260);
            let codes = scan_in_layout(
                &scanner,
                layout,
                &pic.to_sensor(degrees),
                degrees,
                Some(crop),
            );
            let what = format!("{layout:?} {degrees}° cropped");
            let code = codes
                .iter()
                .find(|c| c.text == WECHAT_MERCHANT)
                .unwrap_or_else(|| panic!("{what}: not found in {codes:?}"));
            assert_corners_on(code, drawn, &what);
        }
    }
}

#[test]
fn code_outside_the_crop_is_not_returned() {
    let scanner = scanner();
    for degrees in ROTATIONS {
        let display = if degrees % 180 == 90 {
            (SENSOR.1, SENSOR.0)
        } else {
            SENSOR
        };
        let (pic, _) = scene(WECHAT_MERCHANT, Symbology::Qr, display, (20, 20));
        // The crop covers the bottom of the display, far from the code at the top-left.
        let crop = Rect::new(0, display.1 - 150, display.0, 150);
        let codes = scan_in_layout(
            &scanner,
            Layout::Nv21,
            &pic.to_sensor(degrees),
            degrees,
            Some(crop),
        );
        assert!(codes.is_empty(), "{degrees}°: {codes:?}");
    }
}

#[test]
fn payer_code_shows_qr_and_code128_and_both_are_returned() {
    let scanner = scanner();
    let bar = render(
        PAY_CODE,
        Symbology::Code128,
        RenderOptions::for_symbology(Symbology::Code128, 2),
    )
    .expect("renders");
    let qr = render(
        PAY_CODE,
        Symbology::Qr,
        RenderOptions::for_symbology(Symbology::Qr, 5),
    )
    .expect("renders");
    for degrees in ROTATIONS {
        let display = if degrees % 180 == 90 {
            (SENSOR.1, SENSOR.0)
        } else {
            SENSOR
        };
        // The wallet screen: the barcode above, the QR below, as WeChat and Alipay lay them out.
        // Without try_harder rxing's 1D readers only sample rows near the middle of the frame.
        let mut pic = LumaPicture::filled(display.0, display.1, 200);
        pic.draw(&bar.pixels, bar.width, 40, 150, 20, 230);
        pic.draw(&qr.pixels, qr.width, 140, 300, 20, 230);
        let codes = scan_in_layout(
            &scanner,
            Layout::Nv21,
            &pic.to_sensor(degrees),
            degrees,
            None,
        );
        let mut formats: Vec<CodeFormat> = codes
            .iter()
            .filter(|c| c.text == PAY_CODE)
            .map(|c| c.format)
            .collect();
        formats.sort();
        assert_eq!(
            formats,
            vec![CodeFormat::QrCode, CodeFormat::Code128],
            "{degrees}°: {codes:?}"
        );
    }
}

/// An upright display scene holding `text` as Code 128 at `module` pixels per module, its
/// bars leaning `degrees` from vertical, centred, on noise; and the drawn symbol's centre and
/// half length (quiet zones included) for checking the corners.
fn turned_pay_code(
    text: &str,
    display: (u32, u32),
    module: f32,
    degrees: f32,
) -> (LumaPicture, (f32, f32), f32) {
    let opts = RenderOptions::for_symbology(Symbology::Code128, 1);
    let bmp = render(text, Symbology::Code128, opts).expect("renders");
    let (bw, bh) = (bmp.width as f32, bmp.height as f32);
    let (w, h) = (display.0 as usize, display.1 as usize);
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let (s, c) = degrees.to_radians().sin_cos();
    let mut pic = LumaPicture::filled(display.0, display.1, 120);
    for y in 0..h {
        for x in 0..w {
            // 2x2 supersampling, as a camera averages what a pixel sees.
            let mut sum = 0.0f32;
            let mut on_code = false;
            for (sx, sy) in [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)] {
                let (px, py) = (x as f32 + sx - cx, y as f32 + sy - cy);
                let u = (px * c + py * s) / module + bw / 2.0;
                let v = (-px * s + py * c) / module + bh / 2.0;
                if (0.0..bw).contains(&u) && (0.0..bh).contains(&v) {
                    on_code = true;
                    let dark = bmp.pixels[v as usize * bmp.width as usize + u as usize] < 128;
                    sum += if dark { 40.0 } else { 210.0 };
                } else {
                    sum += 120.0;
                }
            }
            if on_code {
                pic.pixels[y * w + x] = (sum / 4.0).round() as u8;
            }
        }
    }
    pic.add_noise(10, 0x7e11);
    (pic, (cx, cy), bw * module / 2.0)
}

#[test]
fn a_pay_code_turned_ten_to_forty_degrees_is_read_in_a_frame() {
    let scanner = scanner();
    for (i, degrees) in [10.0f32, -17.0, 24.0, -31.0, 38.0].into_iter().enumerate() {
        // Portrait and landscape displays, the sensor turned against both.
        let rotation = ROTATIONS[i % 4];
        let display = if rotation % 180 == 90 {
            (720, 1280)
        } else {
            (1280, 720)
        };
        let (pic, centre, half_length) = turned_pay_code(PAY_CODE, display, 3.0, degrees);
        let sensor = pic.to_sensor(rotation);
        let codes = scan_in_layout(&scanner, Layout::Nv21, &sensor, rotation, None);
        let what = format!("{degrees}° at rotation {rotation}");
        let code = codes
            .iter()
            .find(|c| c.text == PAY_CODE)
            .unwrap_or_else(|| panic!("{what}: not read, got {codes:?}"));
        for p in code.corners {
            let off = (p.x - centre.0).hypot(p.y - centre.1);
            assert!(
                off <= half_length + 3.0,
                "{what}: corner {p:?} off the code"
            );
        }
    }
}
