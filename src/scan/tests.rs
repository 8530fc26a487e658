use super::*;
use crate::frame::Frame;
use crate::render::{render, RenderOptions, Symbology};
use std::time::Duration;

fn qr_picture(text: &str) -> (Vec<u8>, u32, u32) {
    let bmp = render(
        text,
        Symbology::Qr,
        RenderOptions::for_symbology(Symbology::Qr, 4),
    )
    .unwrap();
    (bmp.pixels, bmp.width, bmp.height)
}

#[cfg(feature = "image-decoding")]
fn png_of(pixels: &[u8], width: u32, height: u32) -> Vec<u8> {
    use ::image::ImageEncoder;
    let mut out = Vec::new();
    ::image::codecs::png::PngEncoder::new(&mut out)
        .write_image(pixels, width, height, ::image::ExtendedColorType::L8)
        .unwrap();
    out
}

#[cfg(feature = "image-decoding")]
fn jpeg_of(pixels: &[u8], width: u32, height: u32) -> Vec<u8> {
    use ::image::ImageEncoder;
    let mut out = Vec::new();
    ::image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 95)
        .write_image(pixels, width, height, ::image::ExtendedColorType::L8)
        .unwrap();
    out
}

#[cfg(feature = "image-decoding")]
/// Inserts an EXIF APP1 segment carrying only an orientation tag right after the JPEG SOI.
fn with_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&1u16.to_be_bytes()); // one IFD entry
    tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_be_bytes()); // count
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn budget(ms: u64) -> ScanOptions {
    ScanOptions {
        time_budget: Duration::from_millis(ms),
        ..ScanOptions::default()
    }
}

#[cfg(feature = "image-decoding")]
#[test]
fn decodes_a_qr_from_a_png_file() {
    let (px, w, h) = qr_picture("wxp://f2f0Qz9qxst1qazKE_53XToPLIzMELvT8Ccd");
    let codes = Scanner::new(budget(5000))
        .decode_image(&png_of(&px, w, h))
        .unwrap();
    assert_eq!(codes.len(), 1);
    assert_eq!(codes[0].text, "wxp://f2f0Qz9qxst1qazKE_53XToPLIzMELvT8Ccd");
    assert_eq!(codes[0].format, CodeFormat::QrCode);
}

#[cfg(feature = "image-decoding")]
#[test]
fn jpeg_exif_orientation_is_applied_before_scanning() {
    // Stored 40x20; orientation 6 (rotate 90° clockwise) makes it 20x40 upright.
    let px: Vec<u8> = (0..40 * 20).map(|i| (i % 251) as u8).collect();
    let jpeg = with_exif_orientation(&jpeg_of(&px, 40, 20), 6);
    let img = decode_luma(&jpeg).unwrap();
    assert_eq!((img.width, img.height), (20, 40));
}

#[cfg(feature = "image-decoding")]
#[test]
fn jpeg_without_exif_keeps_its_stored_size() {
    let px = vec![128u8; 40 * 20];
    let img = decode_luma(&jpeg_of(&px, 40, 20)).unwrap();
    assert_eq!((img.width, img.height), (40, 20));
}

#[test]
fn rejects_bytes_that_are_no_image() {
    let err = Scanner::new(budget(100))
        .decode_image(b"hello, not an image")
        .unwrap_err();
    assert_eq!(err, ImageError::UnsupportedFormat);
}

#[test]
fn rejects_gif_even_though_it_is_an_image() {
    let err = decode_luma(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;").unwrap_err();
    assert_eq!(err, ImageError::UnsupportedFormat);
}

#[cfg(feature = "image-decoding")]
#[test]
fn rejects_truncated_png_as_truncated() {
    let (px, w, h) = qr_picture("truncated");
    let png = png_of(&px, w, h);
    let err = decode_luma(&png[..png.len() / 2]).unwrap_err();
    assert_eq!(err, ImageError::Truncated { format: "PNG" });
}

#[cfg(feature = "image-decoding")]
#[test]
fn decode_image_reads_a_qr_turned_upside_down_and_a_sideways_code_128() {
    let scanner = Scanner::new(budget(5000));
    let (px, w, h) = qr_picture("upside down");
    let turned: Vec<u8> = px.iter().rev().copied().collect();
    let codes = scanner.decode_image(&png_of(&turned, w, h)).unwrap();
    assert_eq!(codes.first().map(|c| c.text.as_str()), Some("upside down"));
    // Corners come back in the upright image: inside it.
    for p in codes[0].corners {
        assert!((0.0..=w as f32).contains(&p.x) && (0.0..=h as f32).contains(&p.y));
    }
    let bars = render(
        "286912345678901234",
        Symbology::Code128,
        RenderOptions::for_symbology(Symbology::Code128, 3),
    )
    .unwrap();
    let (bw, bh) = (bars.width as usize, bars.height as usize);
    let mut vertical = vec![0u8; bw * bh];
    for y in 0..bh {
        for x in 0..bw {
            vertical[x * bh + (bh - 1 - y)] = bars.pixels[y * bw + x];
        }
    }
    let codes = scanner
        .decode_image(&png_of(&vertical, bh as u32, bw as u32))
        .unwrap();
    assert_eq!(
        codes.first().map(|c| (c.text.as_str(), c.format)),
        Some(("286912345678901234", CodeFormat::Code128))
    );
    assert_eq!(
        scanner.stats().frames,
        2,
        "a still image counts as one frame"
    );
}

#[cfg(feature = "image-decoding")]
#[test]
fn decode_image_reads_an_inverted_qr_without_being_asked() {
    let (px, w, h) = qr_picture("light on dark");
    let inverted: Vec<u8> = px.iter().map(|&v| 255 - v).collect();
    let codes = Scanner::new(budget(5000))
        .decode_image(&png_of(&inverted, w, h))
        .unwrap();
    assert_eq!(
        codes.first().map(|c| c.text.as_str()),
        Some("light on dark")
    );
}

#[cfg(feature = "image-decoding")]
/// A PNG claiming `width` x `height` pixels whose data is a few bytes (a decompression bomb's shape).
fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit grey
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(&ihdr);
    png.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    // A tiny IDAT (an empty zlib stream): decoders read up to it before reporting the size.
    let mut idat = b"IDAT".to_vec();
    idat.extend_from_slice(&[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    png.extend_from_slice(&8u32.to_be_bytes());
    png.extend_from_slice(&idat);
    png.extend_from_slice(&crc32(&idat).to_be_bytes());
    png
}

#[cfg(feature = "image-decoding")]
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(feature = "image-decoding")]
#[test]
fn refuses_a_decompression_bomb_header_before_allocating() {
    let err = decode_luma(&png_header(60_000, 60_000)).unwrap_err();
    assert!(
        matches!(
            err,
            ImageError::TooLarge {
                width: 60_000,
                height: 60_000,
                ..
            }
        ),
        "{err}"
    );
}

#[cfg(feature = "image-decoding")]
#[test]
fn refuses_an_image_above_the_pixel_cap_within_the_side_cap() {
    let err = decode_luma(&png_header(16_000, 16_000)).unwrap_err();
    assert!(matches!(err, ImageError::TooLarge { .. }), "{err}");
}

#[test]
fn a_decoder_panic_becomes_an_empty_result_and_a_counter() {
    let scanner = Scanner::new(budget(5000));
    let data = vec![255u8; engine::PANIC_PROBE_WIDTH as usize];
    let frame = Frame::gray8(&data, engine::PANIC_PROBE_WIDTH, 1, data.len(), 0).unwrap();
    assert!(scanner.scan_frame(&frame).is_empty());
    assert_eq!(scanner.stats().panics, 1);
}

#[test]
fn scanner_keeps_decoding_after_a_panic() {
    let scanner = Scanner::new(budget(5000));
    let data = vec![255u8; engine::PANIC_PROBE_WIDTH as usize];
    let bad = Frame::gray8(&data, engine::PANIC_PROBE_WIDTH, 1, data.len(), 0).unwrap();
    scanner.scan_frame(&bad);
    let (px, w, h) = qr_picture("after the storm");
    let good = Frame::gray8(&px, w, h, w as usize, 0).unwrap();
    let codes = scanner.scan_frame(&good);
    assert_eq!(
        codes.first().map(|c| c.text.as_str()),
        Some("after the storm")
    );
}

#[test]
fn a_zero_time_budget_returns_nothing_and_counts_a_timeout() {
    let scanner = Scanner::new(budget(0));
    let (px, w, h) = qr_picture("too late");
    let frame = Frame::gray8(&px, w, h, w as usize, 0).unwrap();
    assert!(scanner.scan_frame(&frame).is_empty());
    assert_eq!(scanner.stats().timeouts, 1);
    assert_eq!(scanner.stats().frames, 1);
}

#[test]
fn stats_count_frames_and_codes() {
    let scanner = Scanner::new(budget(5000));
    let (px, w, h) = qr_picture("counted");
    let frame = Frame::gray8(&px, w, h, w as usize, 0).unwrap();
    scanner.scan_frame(&frame);
    let blank = vec![200u8; 64 * 64];
    scanner.scan_frame(&Frame::gray8(&blank, 64, 64, 64, 0).unwrap());
    let stats = scanner.stats();
    assert_eq!(
        (stats.frames, stats.frames_with_codes, stats.codes),
        (2, 1, 1)
    );
}

#[test]
fn max_codes_one_returns_a_single_code() {
    let scanner = Scanner::new(ScanOptions {
        max_codes: 1,
        ..budget(5000)
    });
    let (px, w, h) = qr_picture("one");
    let mut wide = vec![255u8; (2 * w * h) as usize];
    for y in 0..h as usize {
        let row = &px[y * w as usize..(y + 1) * w as usize];
        wide[y * 2 * w as usize..y * 2 * w as usize + w as usize].copy_from_slice(row);
        wide[y * 2 * w as usize + w as usize..(y + 1) * 2 * w as usize].copy_from_slice(row);
    }
    let frame = Frame::gray8(&wide, 2 * w, h, 2 * w as usize, 0).unwrap();
    assert_eq!(scanner.scan_frame(&frame).len(), 1);
}

#[test]
fn inverted_codes_are_found_only_when_asked() {
    let (px, w, h) = qr_picture("dark mode");
    let inverted: Vec<u8> = px.iter().map(|p| 255 - p).collect();
    let frame = Frame::gray8(&inverted, w, h, w as usize, 0).unwrap();
    assert!(Scanner::new(budget(5000)).scan_frame(&frame).is_empty());
    let also = Scanner::new(ScanOptions {
        also_inverted: true,
        ..budget(5000)
    });
    assert_eq!(also.scan_frame(&frame).len(), 1);
}

#[test]
fn format_names_parse_in_short_and_json_forms() {
    assert_eq!(CodeFormat::parse("qr"), Some(CodeFormat::QrCode));
    assert_eq!(CodeFormat::parse("code_128"), Some(CodeFormat::Code128));
    assert_eq!(CodeFormat::parse("Code128"), Some(CodeFormat::Code128));
    assert_eq!(CodeFormat::parse("micro-qr"), Some(CodeFormat::MicroQrCode));
    assert_eq!(CodeFormat::parse("maxicode"), None);
    for f in CodeFormat::ALL {
        assert_eq!(CodeFormat::parse(f.as_str()), Some(f));
    }
}

#[test]
fn downscale_averages_two_by_two_blocks_and_drops_odd_edges() {
    let mut out = Vec::new();
    let size = engine::downscale(
        &[0, 4, 9, 8, 12, 9, 1, 1, 1],
        3,
        3,
        2,
        &mut out,
        &mut Vec::new(),
    );
    assert_eq!(size, (1, 1));
    assert_eq!(out, vec![6]);
    let size = engine::downscale(
        &[0, 4, 9, 8, 12, 9, 1, 1, 1, 7],
        3,
        3,
        3,
        &mut out,
        &mut Vec::new(),
    );
    assert_eq!(size, (1, 1));
    assert_eq!(out, vec![5]); // (45 + 4) / 9
}

#[test]
fn downscale_rounds_every_factor_the_same_way() {
    // The 2x and 3x paths use constant divisors; they must round as the general one does.
    let (w, h) = (37u32, 29u32);
    let src: Vec<u8> = (0..w * h).map(|i| (i * 97 % 251) as u8).collect();
    let mut column_sums = Vec::new();
    for factor in 1..=5u32 {
        let mut out = Vec::new();
        let (ow, oh) = engine::downscale(&src, w, h, factor, &mut out, &mut column_sums);
        assert_eq!((ow, oh), (w / factor, h / factor));
        for y in 0..oh {
            for x in 0..ow {
                let mut sum = 0u32;
                for dy in 0..factor {
                    for dx in 0..factor {
                        sum += u32::from(src[((y * factor + dy) * w + x * factor + dx) as usize]);
                    }
                }
                let area = factor * factor;
                assert_eq!(
                    u32::from(out[(y * ow + x) as usize]),
                    (sum + area / 2) / area,
                    "factor {factor} at ({x}, {y})"
                );
            }
        }
    }
}

#[test]
fn the_same_text_in_two_places_is_two_codes_but_one_symbol_read_twice_is_one() {
    use crate::frame::Point;
    let square = |x: f32, y: f32| {
        [
            Point::new(x, y),
            Point::new(x + 50.0, y),
            Point::new(x + 50.0, y + 50.0),
            Point::new(x, y + 50.0),
        ]
    };
    // A symbol read by two passes: outlines a few pixels apart.
    assert!(engine::overlapping(&square(10.0, 10.0), &square(13.0, 8.0)));
    // Two labels side by side with a gap: two codes.
    assert!(!engine::overlapping(
        &square(10.0, 10.0),
        &square(100.0, 10.0)
    ));
    // A symbol turned 45 degrees beside an upright one: their bounding boxes touch, but they
    // are two codes (multi-1/multi-dm.png).
    let turned = [
        Point::new(92.5, 24.8),
        Point::new(128.5, 55.7),
        Point::new(97.3, 91.6),
        Point::new(61.5, 60.2),
    ];
    assert!(!engine::overlapping(&turned, &square(133.5, 5.6)));
    // A linear code's outline is its scan line; a read on a nearby line is the same symbol.
    let line = |y: f32| {
        [
            Point::new(0.0, y),
            Point::new(80.0, y),
            Point::new(80.0, y),
            Point::new(0.0, y),
        ]
    };
    assert!(engine::overlapping(&line(20.0), &line(30.0)));
    assert!(!engine::overlapping(&line(20.0), &line(90.0)));
}

/// An EAN-8 symbol drawn by rxing's writer, `bar_rows` tall, in a white 400x160 image.
fn ean8_picture(bar_rows: u32) -> (Vec<u8>, u32, u32) {
    use rxing::Writer;
    let bits = rxing::MultiFormatWriter
        .encode("9638507", &rxing::BarcodeFormat::EAN_8, 0, 0)
        .unwrap();
    let (w, h) = (400u32, 160u32);
    let scale = 3;
    let mut px = vec![255u8; (w * h) as usize];
    let top = (h - bar_rows) / 2;
    for x in 0..bits.width() {
        if bits.get(x, 0) {
            for y in top..top + bar_rows {
                for dx in 0..scale {
                    let col = 40 + x * scale + dx;
                    if col < w {
                        px[(y * w + col) as usize] = 0;
                    }
                }
            }
        }
    }
    (px, w, h)
}

#[test]
fn ean8_is_reported_only_when_a_second_band_of_rows_reads_it_too() {
    let scanner = Scanner::new(ScanOptions {
        formats: vec![CodeFormat::Ean8],
        try_harder: true,
        time_budget: Duration::from_secs(5),
        ..ScanOptions::default()
    });
    let texts = |(px, w, h): (Vec<u8>, u32, u32)| -> Vec<String> {
        let frame = Frame::gray8(&px, w, h, w as usize, 0).unwrap();
        scanner
            .scan_frame(&frame)
            .into_iter()
            .map(|c| c.text)
            .collect()
    };
    // A printed symbol: tall bars, read on every row.
    assert_eq!(texts(ean8_picture(80)), vec!["96385074".to_owned()]);
    // The same digits on a sliver two rows tall, as a texture might produce on one row:
    // rxing reads it, the bands above and below do not, so nothing is reported.
    let (px, w, h) = ean8_picture(2);
    let mut reader = rxing::MultiUseMultiFormatReader::default();
    reader.set_hints(&rxing::DecodeHints {
        PossibleFormats: Some([rxing::BarcodeFormat::EAN_8].into_iter().collect()),
        TryHarder: Some(true),
        ..rxing::DecodeHints::default()
    });
    let source = rxing::Luma8Source::new_with_slice(&px, w, h).unwrap();
    let mut bitmap = rxing::BinaryBitmap::new(rxing::common::HybridBinarizer::new(source));
    let alone = rxing::Reader::decode(&mut reader, &mut bitmap).map(|r| r.getText().to_owned());
    assert_eq!(
        alone.ok().as_deref(),
        Some("96385074"),
        "rxing alone reads the sliver"
    );
    assert!(texts((px, w, h)).is_empty());
}

#[test]
fn a_still_image_out_of_time_stops_after_its_first_pass() {
    let scanner = Scanner::new(budget(0));
    let (px, w, h) = qr_picture("too late");
    let image = LumaImage {
        pixels: px,
        width: w,
        height: h,
    };
    assert!(scanner.scan_still(&image).is_empty());
    assert_eq!(scanner.stats().timeouts, 1, "one pass, not eight");
    assert_eq!(scanner.stats().frames, 1);
}

#[test]
fn a_hand_built_still_image_whose_size_lies_is_no_code() {
    let scanner = Scanner::new(budget(5000));
    let image = LumaImage {
        pixels: vec![0; 10],
        width: 100,
        height: 100,
    };
    assert!(scanner.scan_still(&image).is_empty());
}
