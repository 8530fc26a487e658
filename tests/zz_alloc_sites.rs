use hutong::frame::synth::LumaPicture;
use hutong::frame::Frame;
use hutong::render::{render, RenderOptions, Symbology};
use hutong::scan::{ScanOptions, Scanner};
use std::time::Duration;
fn frame_bytes(with_code: bool) -> (Vec<u8>, u32, u32, usize) {
    let mut scene = LumaPicture::filled(720, 1280, 150);
    if with_code {
        let bmp = render("wxp://f2f0Qz9qxst1qazKE_53XToPLIzMELvT8Ccd", Symbology::Qr, RenderOptions::for_symbology(Symbology::Qr, 8)).expect("renders");
        scene.draw(&bmp.pixels, bmp.width, 200, 500, 30, 220);
    }
    scene.add_noise(6, 7);
    let sensor = scene.to_sensor(90);
    let stride = sensor.width as usize + 32;
    (sensor.to_semi_planar(stride), sensor.width, sensor.height, stride)
}
#[test]
fn sites() {
    let with_code = std::env::var("WITH_CODE").is_ok();
    let (nv21, w, h, stride) = frame_bytes(with_code);
    let frame = Frame::nv21(&nv21, w, h, stride, 90).expect("valid frame");
    let scanner = Scanner::new(ScanOptions { time_budget: Duration::from_secs(300), ..ScanOptions::default() });
    for _ in 0..50 { scanner.scan_frame(&frame); }
}
