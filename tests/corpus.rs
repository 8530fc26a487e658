//! The zxing-cpp blackbox corpus at 0, 90, 180 and 270 degrees, with a floor per folder and
//! rotation equal to what we measured. Prints the decoded/total table.
mod common;

use common::{to_sensor, Gray};
use hutong::frame::Frame;
use hutong::scan::{decode_luma, CodeFormat, ScanOptions, Scanner};
use std::path::{Path, PathBuf};
use std::time::Duration;

const ROTATIONS: [u32; 4] = [0, 90, 180, 270];

fn corpus_dir(folder: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/zxing-cpp")
        .join(folder)
}

fn images(folder: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir(folder))
        .expect("corpus folder exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("png" | "jpg" | "webp")
            )
        })
        .collect();
    files.sort();
    files
}

fn load(path: &Path) -> Gray {
    let bytes = std::fs::read(path).expect("readable image");
    let img = decode_luma(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Gray {
        pixels: img.pixels,
        width: img.width,
        height: img.height,
    }
}

/// The still-image configuration: try_harder (with its quarter-turn retry) and inverted codes.
fn scanner(formats: &[CodeFormat]) -> Scanner {
    Scanner::new(ScanOptions {
        formats: formats.to_vec(),
        max_codes: 8,
        try_harder: true,
        also_inverted: true,
        // Generous: tests run unoptimised code; a blown budget would look like a miss.
        time_budget: Duration::from_secs(30),
    })
}

/// Texts decoded from `image` delivered by a camera at `degrees`.
fn scan_rotated(scanner: &Scanner, image: &Gray, degrees: u32) -> Vec<String> {
    let sensor = to_sensor(image, degrees);
    let frame = Frame::gray8(
        &sensor.pixels,
        sensor.width,
        sensor.height,
        sensor.width as usize,
        degrees,
    )
    .expect("valid frame");
    scanner
        .scan_frame(&frame)
        .into_iter()
        .map(|c| c.text)
        .collect()
}

/// Decoded counts per rotation for a folder whose images carry an expected `.txt`.
fn decoded_per_rotation(folder: &str, format: CodeFormat) -> ([usize; 4], usize) {
    let scanner = scanner(&[format]);
    let files = images(folder);
    let mut counts = [0usize; 4];
    for path in &files {
        let expected = std::fs::read_to_string(path.with_extension("txt"))
            .unwrap_or_else(|_| panic!("{} has an expected .txt", path.display()));
        let image = load(path);
        for (i, deg) in ROTATIONS.iter().enumerate() {
            let texts = scan_rotated(&scanner, &image, *deg);
            if texts.contains(&expected) {
                counts[i] += 1;
            } else if std::env::var_os("HUTONG_CORPUS_VERBOSE").is_some() {
                println!("miss {} at {deg}°: got {texts:?}", path.display());
            }
        }
    }
    println!(
        "{folder:<18} {}",
        counts
            .iter()
            .zip(ROTATIONS)
            .map(|(c, d)| format!("{d:>3}°: {c:>2}/{}", files.len()))
            .collect::<Vec<_>>()
            .join("  ")
    );
    (counts, files.len())
}

fn assert_floors(folder: &str, format: CodeFormat, floors: [usize; 4]) {
    let (counts, _) = decoded_per_rotation(folder, format);
    for ((got, floor), deg) in counts.iter().zip(floors).zip(ROTATIONS) {
        assert!(
            *got >= floor,
            "{folder} at {deg}°: decoded {got}, floor {floor}"
        );
    }
}

#[test]
fn qrcode_1_meets_its_floors() {
    assert_floors("qrcode-1", CodeFormat::QrCode, [8, 8, 8, 8]);
}

#[test]
fn qrcode_2_meets_its_floors() {
    assert_floors("qrcode-2", CodeFormat::QrCode, [51, 51, 51, 51]);
}

#[test]
fn qrcode_3_meets_its_floors() {
    assert_floors("qrcode-3", CodeFormat::QrCode, [18, 18, 18, 18]);
}

#[test]
fn code128_1_meets_its_floors() {
    assert_floors("code128-1", CodeFormat::Code128, [6, 6, 6, 6]);
}

#[test]
fn code128_2_meets_its_floors() {
    assert_floors("code128-2", CodeFormat::Code128, [14, 14, 14, 14]);
}

#[test]
fn falsepositives_1_yields_no_code_at_any_rotation() {
    let scanner = scanner(&CodeFormat::ALL);
    for path in images("falsepositives-1") {
        let image = load(&path);
        for deg in ROTATIONS {
            let texts = scan_rotated(&scanner, &image, deg);
            assert!(
                texts.is_empty(),
                "{} at {deg}° gave {texts:?}",
                path.display()
            );
        }
    }
}

/// Codes found per multi-1 image at each of the four rotations (measured): 18 in all, as many
/// as zxing-cpp 3.1.1 reads. multi-dm.png needs the vendored rxing's Data Matrix detector to
/// go on along a scan line after a symbol (third_party/rxing/PATCHES.md) and our
/// timing-pattern resample for its unevenly scaled bottom-right symbol
/// (`src/scan/dm_timing.rs`).
const MULTI_1_FLOORS: [(&str, usize); 5] = [
    ("#360.png", 4),
    ("1.png", 2),
    ("3xean-8.png", 3),
    ("multi-dm.png", 5),
    ("multi-qr.png", 4),
];

#[test]
fn multi_1_returns_every_code_it_finds_in_one_image() {
    let scanner = scanner(&CodeFormat::ALL);
    let images: Vec<_> = MULTI_1_FLOORS
        .iter()
        .map(|(name, _)| load(&corpus_dir("multi-1").join(name)))
        .collect();
    for degrees in [0, 90, 180, 270] {
        let mut total = 0;
        for (&(name, floor), image) in MULTI_1_FLOORS.iter().zip(&images) {
            let found = scan_rotated(&scanner, image, degrees).len();
            println!("multi-1 {degrees:>3}° {name:<14} {found} codes");
            assert!(
                found >= floor,
                "multi-1 {name} at {degrees}°: {found} codes, floor {floor}"
            );
            total += found;
        }
        println!("multi-1 {degrees:>3}° total: {total} codes");
    }
}
