//! `hutong-qa demo`: the end-to-end story so far. Renders a merchant's EMVCo QR, delivers it
//! the way a phone camera would (NV21, padded rows, sensor turned 90°, noise), scans it and
//! prints what was found and what the payload is, then pays it against an in-process sandbox
//! acquirer over TLS (temporary journal and ledger), refunds half, and prints every transition.
use anyhow::{Context, Result};
use hutong_core::frame::synth::LumaPicture;
use hutong_core::frame::Frame;
use hutong_core::render::{render, RenderOptions, Symbology};
use hutong_core::scan::{ScanOptions, Scanner};
use std::time::Instant;

/// A dynamic UnionPay-routed EMVCo merchant-presented code for a 25.00 CNY tea, as a
/// merchant's till would show it (tag 15: acquirer IIN + forwarding IIN + merchant id).
fn merchant_payload() -> Result<String> {
    use hutong_core::codes::emv_mpm::{encode, Field};
    let text = |t: u8, v: &str| (t, Field::Text(v.to_owned()));
    Ok(encode(&[
        text(1, "12"),
        text(15, "37210116372101160123456789ABCDE"),
        text(52, "5812"),
        text(53, "156"),
        text(54, "25.00"),
        text(58, "CN"),
        text(59, "TEA HOUSE 1"),
        text(60, "SHANGHAI"),
    ])?)
}

pub fn run() -> Result<()> {
    let payload = merchant_payload()?;
    let code = render(
        &payload,
        Symbology::Qr,
        RenderOptions::for_symbology(Symbology::Qr, 5),
    )
    .context("rendering the merchant QR")?;

    // Portrait display 720x1280; the sensor is landscape 1280x720, turned 90° against it.
    let (display_w, display_h, rotation) = (720u32, 1280u32, 90u32);
    let mut scene = LumaPicture::filled(display_w, display_h, 150);
    let (at_x, at_y) = ((display_w - code.width) / 2, (display_h - code.height) / 2);
    scene.draw(&code.pixels, code.width, at_x, at_y, 40, 210);
    scene.add_noise(10, 2026);
    let sensor = scene.to_sensor(rotation);
    let stride = sensor.width as usize + 64;
    let nv21 = sensor.to_semi_planar(stride);

    println!("payload : {payload}");
    println!(
        "frame   : NV21 {}x{} (row stride {stride}), rotation {rotation}°, code drawn at ({at_x}, {at_y}) size {}x{} on the {display_w}x{display_h} display",
        sensor.width, sensor.height, code.width, code.height
    );
    let frame = Frame::nv21(&nv21, sensor.width, sensor.height, stride, rotation)?;
    let scanner = Scanner::new(ScanOptions::default());
    // The first frame also starts the decoder thread and builds the readers; time a warm one.
    let cold = Instant::now();
    scanner.scan_frame(&frame);
    let cold_ms = cold.elapsed().as_secs_f64() * 1000.0;
    let started = Instant::now();
    let codes = scanner.scan_frame(&frame);
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    println!("timing  : first frame {cold_ms:.1} ms (starts the decoder), next frame {ms:.1} ms");
    if codes.is_empty() {
        println!(
            "scan    : nothing found in {ms:.1} ms ({:?})",
            scanner.stats()
        );
        anyhow::bail!("the demo frame did not scan");
    }
    for c in &codes {
        let corners: Vec<String> = c
            .corners
            .iter()
            .map(|p| format!("({:.0}, {:.0})", p.x, p.y))
            .collect();
        println!(
            "scan    : {} in {ms:.1} ms, corners {}",
            c.format,
            corners.join(" ")
        );
        println!("text    : {}", c.text);
        println!("matches : {}", c.text == payload);
        let id = hutong_core::identify::identify(&c.text);
        println!(
            "identify: {} ({}), {} {}, merchant {} in {}, amount {} {}, valid {}, risk flags {}",
            id.network.as_deref().unwrap_or("?"),
            id.network_name.as_deref().unwrap_or("?"),
            id.to_json()["format"].as_str().unwrap_or("?"),
            id.to_json()["static_or_dynamic"].as_str().unwrap_or("?"),
            id.merchant_name.as_deref().unwrap_or("?"),
            id.merchant_city.as_deref().unwrap_or("?"),
            id.amount_decimal().unwrap_or_default(),
            id.amount.map(|m| m.currency.alpha).unwrap_or(""),
            id.valid,
            id.risk.len()
        );
    }
    let text = codes[0].text.clone();
    let identified = hutong_core::identify::identify(&text);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(crate::demo_pay::run(&text, &identified))
}
