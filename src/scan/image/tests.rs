//! The image decoder's caps and conversions on small files made here (the big worst cases
//! are measured in tests/image_memory.rs).
use super::*;

fn png_of(
    width: u32,
    height: u32,
    color: ::png::ColorType,
    depth: ::png::BitDepth,
    data: &[u8],
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = ::png::Encoder::new(&mut out, width, height);
    enc.set_color(color);
    enc.set_depth(depth);
    let mut writer = enc.write_header().unwrap();
    writer.write_image_data(data).unwrap();
    writer.finish().unwrap();
    out
}

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

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
    out
}

/// A zlib stream of stored (uncompressed) blocks.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = data.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        out.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

/// An 8-bit grey PNG written by hand, Adam7-interlaced.
fn interlaced_grey_png(pixels: &[u8], width: u32, height: u32) -> Vec<u8> {
    const PASSES: [(u32, u32, u32, u32); 7] = [
        (0, 0, 8, 8),
        (4, 0, 8, 8),
        (0, 4, 4, 8),
        (2, 0, 4, 4),
        (0, 2, 2, 4),
        (1, 0, 2, 2),
        (0, 1, 1, 2),
    ];
    let mut raw = Vec::new();
    for (x0, y0, dx, dy) in PASSES {
        for y in (y0..height).step_by(dy as usize) {
            let row: Vec<u8> = (x0..width)
                .step_by(dx as usize)
                .map(|x| pixels[(y * width + x) as usize])
                .collect();
            if !row.is_empty() {
                raw.push(0); // filter: none
                raw.extend(row);
            }
        }
    }
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 1]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &ihdr));
    png.extend(chunk(b"IDAT", &zlib_stored(&raw)));
    png.extend(chunk(b"IEND", &[]));
    png
}

/// A TIFF-style EXIF block with one Orientation entry.
fn exif_orientation(value: u16) -> Vec<u8> {
    let mut exif = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
    exif.extend_from_slice(&1u16.to_be_bytes());
    exif.extend_from_slice(&0x0112u16.to_be_bytes());
    exif.extend_from_slice(&3u16.to_be_bytes());
    exif.extend_from_slice(&1u32.to_be_bytes());
    exif.extend_from_slice(&value.to_be_bytes());
    exif.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    exif
}

/// `png` with an eXIf chunk right after IHDR.
fn with_png_exif(png: &[u8], orientation: u16) -> Vec<u8> {
    let ihdr_end = 8 + 25;
    let mut out = png[..ihdr_end].to_vec();
    out.extend(chunk(b"eXIf", &exif_orientation(orientation)));
    out.extend_from_slice(&png[ihdr_end..]);
    out
}

fn jpeg_of(pixels: &[u8], width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode(pixels, width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// Offset of the first SOFn marker of a JPEG.
fn sof_offset(jpeg: &[u8]) -> usize {
    (2..jpeg.len() - 1)
        .find(|&i| jpeg[i] == 0xFF && matches!(jpeg[i + 1], 0xC0 | 0xC2))
        .unwrap()
}

/// `jpeg` with its frame header claiming `width` x `height`, optionally progressive.
fn jpeg_claiming(jpeg: &[u8], width: u16, height: u16, progressive: bool) -> Vec<u8> {
    let mut out = jpeg.to_vec();
    let at = sof_offset(&out);
    if progressive {
        out[at + 1] = 0xC2;
    }
    out[at + 5..at + 7].copy_from_slice(&height.to_be_bytes());
    out[at + 7..at + 9].copy_from_slice(&width.to_be_bytes());
    out
}

#[test]
fn formats_are_told_by_their_magic_bytes() {
    assert_eq!(
        ImageFormat::sniff(b"\x89PNG\r\n\x1a\nrest"),
        Some(ImageFormat::Png)
    );
    assert_eq!(
        ImageFormat::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
        Some(ImageFormat::Jpeg)
    );
    assert_eq!(
        ImageFormat::sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 "),
        Some(ImageFormat::WebP)
    );
    assert_eq!(ImageFormat::sniff(b"GIF89a"), None);
    assert_eq!(ImageFormat::sniff(b"RIFF\x00\x00\x00\x00WAVE"), None);
}

#[test]
fn a_file_over_the_byte_cap_is_refused_unread() {
    let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
    big.resize(MAX_IMAGE_FILE_BYTES + 1, 0);
    assert_eq!(
        decode_luma(&big).unwrap_err(),
        ImageError::FileTooLarge {
            bytes: MAX_IMAGE_FILE_BYTES as u64 + 1,
            max_bytes: MAX_IMAGE_FILE_BYTES as u64
        }
    );
}

#[test]
fn sixteen_bit_rgba_png_becomes_luma_over_white_row_by_row() {
    // Pixels: opaque black, opaque white, transparent black, half-transparent red.
    let samples: [[u16; 4]; 4] = [
        [0, 0, 0, 0xFFFF],
        [0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF],
        [0, 0, 0, 0],
        [0xFFFF, 0, 0, 0x8080],
    ];
    let data: Vec<u8> = samples
        .iter()
        .flatten()
        .flat_map(|s| s.to_be_bytes())
        .collect();
    let png = png_of(
        2,
        2,
        ::png::ColorType::Rgba,
        ::png::BitDepth::Sixteen,
        &data,
    );
    let plan = plan_decode(&png).unwrap();
    assert_eq!(plan.kind, "PNG RGBA 16-bit");
    let img = decode_luma(&png).unwrap();
    assert_eq!((img.width, img.height), (2, 2));
    // Red (77/256 of white) half over white: (77 + 255) / 2.
    assert_eq!(img.pixels, [0, 255, 255, 166]);
}

#[test]
fn the_plan_counts_luma_not_the_stored_colour_for_png() {
    // 4000 x 3000 16-bit RGBA would be 96 MB decoded whole; row by row it is its luma.
    let mut ihdr = 4000u32.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&3000u32.to_be_bytes());
    ihdr.extend_from_slice(&[16, 6, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &ihdr));
    png.extend(chunk(b"IDAT", &zlib_stored(&[0])));
    let plan = plan_decode(&png).unwrap();
    let luma = 4000 * 3000;
    assert!(
        plan.peak_bytes >= luma && plan.peak_bytes < luma + (10 << 20),
        "{plan:?}"
    );
    assert!(!plan.quarter_turn);
    let turned = plan_decode(&with_png_exif(&png, 6)).unwrap();
    assert!(turned.quarter_turn);
    assert_eq!(turned.peak_bytes, 2 * luma);
}

#[test]
fn interlaced_png_rows_land_in_their_places() {
    let (w, h) = (13u32, 11u32);
    let pixels: Vec<u8> = (0..w * h).map(|i| (i * 7 % 256) as u8).collect();
    let img = decode_luma(&interlaced_grey_png(&pixels, w, h)).unwrap();
    assert_eq!((img.width, img.height), (w, h));
    assert_eq!(img.pixels, pixels);
}

#[test]
fn png_exif_orientation_turns_the_luma() {
    // 3x2 grey, orientation 6 (turn 90° clockwise): upright 2x3.
    let png = png_of(
        3,
        2,
        ::png::ColorType::Grayscale,
        ::png::BitDepth::Eight,
        &[0, 1, 2, 3, 4, 5],
    );
    let img = decode_luma(&with_png_exif(&png, 6)).unwrap();
    assert_eq!((img.width, img.height), (2, 3));
    assert_eq!(img.pixels, [3, 0, 4, 1, 5, 2]);
    // Orientation 3 (half turn) works in place.
    let img = decode_luma(&with_png_exif(&png, 3)).unwrap();
    assert_eq!(img.pixels, [5, 4, 3, 2, 1, 0]);
}

#[test]
fn truncated_png_and_jpeg_are_truncated_not_empty() {
    let grey: Vec<u8> = (0..64 * 64).map(|i| (i % 251) as u8).collect();
    let png = png_of(
        64,
        64,
        ::png::ColorType::Grayscale,
        ::png::BitDepth::Eight,
        &grey,
    );
    assert!(matches!(
        decode_luma(&png[..png.len() * 2 / 3]).unwrap_err(),
        ImageError::Truncated { format: "PNG" } | ImageError::Corrupt { .. }
    ));
    let rgb: Vec<u8> = grey.iter().flat_map(|&v| [v, v / 2, 255 - v]).collect();
    let jpeg = jpeg_of(&rgb, 64, 64);
    assert!(decode_luma(&jpeg).is_ok());
    for cut in [jpeg.len() - 2, jpeg.len() * 2 / 3, 200] {
        assert_eq!(
            decode_luma(&jpeg[..cut]).unwrap_err(),
            ImageError::Truncated { format: "JPEG" },
            "cut at {cut}"
        );
    }
}

#[test]
fn jpeg_goes_to_luma_from_its_y_channel() {
    let rgb: Vec<u8> = (0..32 * 16).flat_map(|_| [200u8, 200, 200]).collect();
    let img = decode_luma(&jpeg_of(&rgb, 32, 16)).unwrap();
    assert_eq!((img.width, img.height), (32, 16));
    assert!(img.pixels.iter().all(|&v| v.abs_diff(200) <= 2));
    let plan = plan_decode(&jpeg_of(&rgb, 32, 16)).unwrap();
    assert!(plan.kind.starts_with("JPEG YCbCr"), "{}", plan.kind);
}

#[test]
fn a_progressive_jpeg_header_past_the_memory_cap_is_refused_from_its_header() {
    let rgb = vec![128u8; 16 * 16 * 3];
    let small = jpeg_of(&rgb, 16, 16);
    // 7000 x 7000 is under the pixel cap; progressive, its coefficients alone are 294 MB.
    let bomb = jpeg_claiming(&small, 7000, 7000, true);
    match decode_luma(&bomb).unwrap_err() {
        ImageError::MemoryLimit {
            width: 7000,
            height: 7000,
            needed_bytes,
            max_bytes,
            ..
        } => assert!(needed_bytes > max_bytes),
        other => panic!("{other}"),
    }
    // The same size baseline would be 49 MB of luma, within the cap, but 600 bytes cannot
    // code 765,625 blocks (a bit each at least): refused as truncated, not filled with grey.
    assert_eq!(
        decode_luma(&jpeg_claiming(&small, 7000, 7000, false)).unwrap_err(),
        ImageError::Truncated { format: "JPEG" }
    );
    // Past the pixel cap: refused for its size.
    assert!(matches!(
        decode_luma(&jpeg_claiming(&small, 65_000, 65_000, false)).unwrap_err(),
        ImageError::TooLarge { .. }
    ));
}

#[test]
fn a_progressive_jpeg_with_too_many_scans_is_refused() {
    let rgb = vec![128u8; 16 * 16 * 3];
    let small = jpeg_claiming(&jpeg_of(&rgb, 16, 16), 16, 16, true);
    let mut many = small[..small.len() - 2].to_vec();
    for _ in 0..MAX_JPEG_SCANS {
        many.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 1, 1, 0, 0x55]);
    }
    many.extend_from_slice(&[0xFF, 0xD9]);
    assert!(matches!(
        decode_luma(&many).unwrap_err(),
        ImageError::TooComplex { .. }
    ));
}

#[test]
fn webp_with_alpha_goes_to_luma_over_white() {
    let rgba: Vec<u8> = [[0u8, 0, 0, 255], [0, 0, 0, 0]].repeat(8).concat();
    let mut webp = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
        .encode(&rgba, 4, 4, image::ExtendedColorType::Rgba8)
        .unwrap();
    let img = decode_luma(&webp).unwrap();
    assert_eq!(img.pixels, [0, 255].repeat(8));
    assert!(matches!(
        decode_luma(&webp[..webp.len() - 3]).unwrap_err(),
        ImageError::Truncated { format: "WebP" }
    ));
}
