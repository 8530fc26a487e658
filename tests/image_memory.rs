//! Peak heap of the worst image files we could craft (issue 17), measured with a counting
//! global allocator and held to documented ceilings (docs/adr/0001-frame-and-scan-api.md,
//! "Image files: what a decode may cost").
//!
//! Every file is made here, in memory (no big binaries in the repository): a 16-bit RGBA PNG
//! at the pixel cap with and without an EXIF quarter turn (400 MB of pixels in 400 KB, the
//! shape of the reproduction), JPEG headers that promise huge baseline and progressive
//! frames, WebP headers past every cap, real WebP files of each kind and a PNG bomb whose data
//! stops early. For each, the measured peak must stay within what the decoder's plan
//! (`plan_decode`) promised, and the plan within `MAX_DECODE_BYTES`, or the file is refused
//! before anything large is allocated.
//!
//! One test function: the counter is process-wide, so the cases must not overlap.
//!
//! By default the files that decode are a few megapixels (every buffer scales with the pixels,
//! so the plan is checked all the same, in seconds); `cargo xtask image-memory` runs them at
//! the 50 M pixel cap (`HUTONG_IMAGE_MEMORY_AT_CAP=1`, a few minutes in a debug build).
//! `HUTONG_WRITE_IMAGE_BOMBS=DIR` also writes the files there, for measuring
//! `hutong-qa scan FILE` with `/usr/bin/time -v`.
use hutong_core::frame::MAX_PIXELS;
use hutong_core::scan::{
    decode_luma, plan_decode, CodeFormat, ImageError, ScanOptions, Scanner, MAX_DECODE_BYTES,
};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(size: usize) {
    let live = LIVE.fetch_add(size, Ordering::Relaxed) + size;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        System.alloc_zeroed(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Counted as a new block before the old one goes: what a moving realloc costs.
        grew(new_size);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Heap `f` held at its peak above what was live when it started.
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, u64) {
    let before = LIVE.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    let out = f();
    let peak = PEAK.load(Ordering::SeqCst);
    (out, (peak - before) as u64)
}

const MIB: u64 = 1 << 20;

fn at_cap() -> bool {
    std::env::var_os("HUTONG_IMAGE_MEMORY_AT_CAP").is_some()
}

/// The side of the square PNGs: the largest within the pixel cap, or 2048 for the quick run.
fn png_side() -> u32 {
    if at_cap() {
        (MAX_PIXELS as f64).sqrt() as u32
    } else {
        2048
    }
}

/// `full` at the cap, a quarter of it (a sixteenth of the pixels) for the quick run.
fn scaled(full: u16) -> u16 {
    if at_cap() {
        full
    } else {
        full / 4
    }
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

/// An all-black 16-bit RGBA PNG streamed through the encoder row by row (never whole), with
/// an eXIf orientation chunk if asked: 400 MB of pixels in under 400 KB at the cap.
fn png16_rgba(side: u32, orientation: Option<u16>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, side, side);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Sixteen);
    enc.set_compression(png::Compression::Fast);
    let mut writer = enc.write_header().unwrap();
    let row = vec![0u8; side as usize * 8];
    {
        let mut stream = writer.stream_writer().unwrap();
        for _ in 0..side {
            std::io::Write::write_all(&mut stream, &row).unwrap();
        }
        stream.finish().unwrap();
    }
    drop(writer);
    match orientation {
        None => out,
        Some(o) => {
            let ihdr_end = 8 + 25;
            let mut with = out[..ihdr_end].to_vec();
            with.extend(chunk(b"eXIf", &exif_orientation(o)));
            with.extend_from_slice(&out[ihdr_end..]);
            with
        }
    }
}

/// An 8-bit grey PNG header at `side` x `side` whose compressed data stops after a few rows.
fn png_bomb_cut_short(side: u32) -> Vec<u8> {
    let full = {
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, side, side);
        enc.set_compression(png::Compression::Fast);
        let mut writer = enc.write_header().unwrap();
        let row = vec![0u8; side as usize];
        let mut stream = writer.stream_writer().unwrap();
        for _ in 0..side {
            std::io::Write::write_all(&mut stream, &row).unwrap();
        }
        stream.finish().unwrap();
        drop(writer);
        out
    };
    full[..full.len() / 3].to_vec()
}

fn jpeg_16x16() -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode(&[90u8; 16 * 16 * 3], 16, 16, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// `jpeg` with its frame header claiming `width` x `height`, optionally progressive, and
/// `padding` zero bytes of entropy-coded data before its end marker.
fn jpeg_claiming(
    jpeg: &[u8],
    width: u16,
    height: u16,
    progressive: bool,
    padding: usize,
) -> Vec<u8> {
    let mut out = jpeg[..jpeg.len() - 2].to_vec();
    out.extend(std::iter::repeat_n(0u8, padding));
    out.extend_from_slice(&[0xFF, 0xD9]);
    let at = (2..out.len() - 1)
        .find(|&i| out[i] == 0xFF && out[i + 1] == 0xC0)
        .unwrap();
    if progressive {
        out[at + 1] = 0xC2;
    }
    out[at + 5..at + 7].copy_from_slice(&height.to_be_bytes());
    out[at + 7..at + 9].copy_from_slice(&width.to_be_bytes());
    out
}

fn webp_lossless(width: u32, height: u32, alpha: bool) -> Vec<u8> {
    let (data, color) = if alpha {
        (
            vec![0u8; (width * height * 4) as usize],
            image::ExtendedColorType::Rgba8,
        )
    } else {
        (
            vec![0u8; (width * height * 3) as usize],
            image::ExtendedColorType::Rgb8,
        )
    };
    let mut out = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut out)
        .encode(&data, width, height, color)
        .unwrap();
    out
}

/// A lossless WebP whose header claims `width` x `height` (its data is for 16 x 16).
fn webp_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut webp = webp_lossless(16, 16, false);
    assert_eq!(&webp[12..16], b"VP8L");
    let bits = u32::from_le_bytes(webp[21..25].try_into().unwrap());
    let rest = bits & !((1 << 28) - 1);
    let dims = (width - 1) | ((height - 1) << 14);
    webp[21..25].copy_from_slice(&(rest | dims).to_le_bytes());
    webp
}

/// How a case must end.
enum Expect {
    /// Decodes, within its plan, and its plan within the cap and this many bytes a pixel
    /// (plus the fixed slack of the decoders' tables and rows).
    Decodes { bytes_per_pixel: u64 },
    /// Refused from its headers, holding no more than this.
    Refused { most_bytes: u64 },
}

struct Case {
    name: &'static str,
    file: Vec<u8>,
    expect: Expect,
}

/// Fixed slack on top of the per-pixel ceilings: decoder tables and row buffers (the PNG plan
/// reserves 8 MiB for the png crate's own allocations, WebP 4 MiB for its tables).
const SLACK: u64 = 12 * MIB;

/// Entropy-coded bytes enough for one bit per 8x8 block (the decoder's floor).
fn padding_for(width: u16, height: u16) -> usize {
    usize::from(width).div_ceil(8) * usize::from(height).div_ceil(8) / 8 + 1
}

fn cases() -> Vec<Case> {
    let cap = png_side();
    let jpeg = jpeg_16x16();
    let (base, prog) = (scaled(7000), scaled(3000));
    let webp = u32::from(scaled(4000));
    vec![
        Case {
            name: "png-rgba16",
            file: png16_rgba(cap, None),
            expect: Expect::Decodes { bytes_per_pixel: 1 },
        },
        Case {
            name: "png-rgba16-exif-rotate90",
            file: png16_rgba(cap, Some(6)),
            expect: Expect::Decodes { bytes_per_pixel: 2 },
        },
        Case {
            name: "png-grey-bomb-cut-short",
            file: png_bomb_cut_short(cap),
            expect: Expect::Decodes { bytes_per_pixel: 1 },
        },
        Case {
            name: "jpeg-header-beyond-its-data",
            file: jpeg_claiming(&jpeg, 7000, 7000, false, 0),
            expect: Expect::Refused { most_bytes: MIB },
        },
        Case {
            name: "jpeg-baseline-padded-header",
            file: jpeg_claiming(&jpeg, base, base, false, padding_for(base, base)),
            expect: Expect::Decodes { bytes_per_pixel: 1 },
        },
        Case {
            name: "jpeg-progressive-padded-header",
            file: jpeg_claiming(&jpeg, prog, prog, true, padding_for(prog, prog)),
            // 3 components' coefficients at 2 bytes, padded, and the luma.
            expect: Expect::Decodes { bytes_per_pixel: 8 },
        },
        Case {
            name: "jpeg-progressive-7000x7000-header",
            file: jpeg_claiming(&jpeg, 7000, 7000, true, 0),
            expect: Expect::Refused { most_bytes: MIB },
        },
        Case {
            name: "jpeg-65535x65535-header",
            file: jpeg_claiming(&jpeg, 65_535, 65_535, false, 0),
            expect: Expect::Refused { most_bytes: MIB },
        },
        Case {
            name: "webp-16383x16383-header",
            file: webp_claiming(16_383, 16_383),
            expect: Expect::Refused { most_bytes: MIB },
        },
        Case {
            name: "webp-7000x7000-header",
            file: webp_claiming(7000, 7000),
            expect: Expect::Refused { most_bytes: MIB },
        },
        Case {
            name: "webp-lossless-rgb",
            file: webp_lossless(webp, webp, false),
            expect: Expect::Decodes { bytes_per_pixel: 8 },
        },
        Case {
            name: "webp-lossless-rgba",
            file: webp_lossless(webp, webp, true),
            expect: Expect::Decodes { bytes_per_pixel: 6 },
        },
    ]
}

#[test]
fn worst_image_files_stay_within_their_memory_ceilings() {
    let cases = cases();
    if let Some(dir) = std::env::var_os("HUTONG_WRITE_IMAGE_BOMBS") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        for case in &cases {
            let ext = match hutong_core::scan::ImageFormat::sniff(&case.file) {
                Some(hutong_core::scan::ImageFormat::Png) => "png",
                Some(hutong_core::scan::ImageFormat::Jpeg) => "jpg",
                _ => "webp",
            };
            std::fs::write(dir.join(format!("{}.{ext}", case.name)), &case.file).unwrap();
        }
    }
    println!(
        "{:<34} {:>9} {:>11} {:>11} {:>11}",
        "case", "file KB", "pixels", "plan MiB", "peak MiB"
    );
    for case in &cases {
        let plan = plan_decode(&case.file);
        let (result, peak) = peak_during(|| decode_luma(&case.file).map(|img| img.pixels.len()));
        let mib = |b: u64| b as f64 / MIB as f64;
        match (&case.expect, plan, result) {
            (Expect::Decodes { bytes_per_pixel }, Ok(plan), result) => {
                let pixels = u64::from(plan.width) * u64::from(plan.height);
                println!(
                    "{:<34} {:>9} {:>11} {:>11.1} {:>11.1}  {}",
                    case.name,
                    case.file.len() / 1024,
                    pixels,
                    mib(plan.peak_bytes),
                    mib(peak),
                    match &result {
                        Ok(_) => "decoded".to_string(),
                        Err(e) => format!("error: {e}"),
                    }
                );
                assert!(
                    plan.peak_bytes <= MAX_DECODE_BYTES,
                    "{}: {plan:?}",
                    case.name
                );
                assert!(
                    peak <= plan.peak_bytes,
                    "{}: peak {peak} over the plan {}",
                    case.name,
                    plan.peak_bytes
                );
                let ceiling = bytes_per_pixel * pixels + SLACK;
                assert!(
                    peak <= ceiling,
                    "{}: peak {peak} over the ceiling {ceiling}",
                    case.name
                );
                if case.name.starts_with("png-rgba16") || case.name.starts_with("webp") {
                    assert_eq!(
                        result.as_ref().ok(),
                        Some(&(pixels as usize)),
                        "{}",
                        case.name
                    );
                }
            }
            (Expect::Refused { most_bytes }, Err(plan_error), Err(error)) => {
                println!(
                    "{:<34} {:>9} {:>11} {:>11} {:>11.1}  refused: {error}",
                    case.name,
                    case.file.len() / 1024,
                    "-",
                    "-",
                    mib(peak)
                );
                assert_eq!(plan_error, error);
                assert!(
                    matches!(
                        error,
                        ImageError::TooLarge { .. }
                            | ImageError::MemoryLimit { .. }
                            | ImageError::Truncated { .. }
                    ),
                    "{}: {error}",
                    case.name
                );
                assert!(peak <= *most_bytes, "{}: peak {peak}", case.name);
            }
            (_, plan, result) => panic!("{}: plan {plan:?}, decode {result:?}", case.name),
        }
    }

    // The whole gallery call on the reproduction (EXIF quarter turn, 16-bit RGBA; at
    // the pixel cap with `cargo xtask image-memory`): decode, then the still-image passes, each copying the luma into the
    // decoder thread's buffer. Ceiling: the luma twice while turning, then the luma, the
    // decoder's copy and the scanner's working buffers (4 bytes a pixel in all).
    let file = png16_rgba(png_side(), Some(6));
    let scanner = Scanner::new(ScanOptions {
        formats: vec![CodeFormat::QrCode],
        // Inverted codes in the same pass: four still-image passes instead of eight.
        also_inverted: true,
        time_budget: Duration::from_secs(120),
        ..ScanOptions::default()
    });
    let (codes, peak) = peak_during(|| scanner.decode_image(&file));
    let pixels = u64::from(png_side()).pow(2);
    println!(
        "decode_image (scan included) on png-rgba16-exif-rotate90: peak {:.1} MiB",
        peak as f64 / MIB as f64
    );
    assert_eq!(codes.map(|c| c.len()), Ok(0));
    assert_eq!(scanner.stats().timeouts, 0, "a pass ran out of time");
    assert!(
        peak <= 4 * pixels + SLACK,
        "decode_image peak {peak} over {}",
        4 * pixels + SLACK
    );
}
