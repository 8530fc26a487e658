//! The committed seed corpus of the fuzz targets (`fuzz/corpus/<target>/`), made from
//! `tests/data` and the shared payment-code vectors. `write_fuzz_seed_corpus` regenerates the
//! generated part (`cargo test --test fuzz_seeds -- --ignored`); the sandbox scripts in
//! `fuzz/corpus/sandbox_request/` are written by hand. Provenance: `fuzz/corpus/SOURCES.md`.

use hutong_core::render::{self, RenderOptions, Symbology};
use image::ImageEncoder as _;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Largest seed file, and largest corpus of one target: seeds start the fuzzer, they are not a
/// test set.
const MAX_SEED_BYTES: u64 = 8 * 1024;
const MAX_CORPUS_BYTES: u64 = 48 * 1024;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn corpus_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("fuzz/corpus"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn every_fuzz_target_has_a_small_seed_corpus() {
    let targets: Vec<String> = std::fs::read_dir(root().join("fuzz/fuzz_targets"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.path()
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
        })
        .collect();
    assert!(targets.len() >= 15, "{targets:?}");
    for t in &targets {
        let dir = root().join("fuzz/corpus").join(t);
        let files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("no seed corpus for {t}"))
            .filter_map(|e| e.ok())
            .collect();
        assert!(!files.is_empty(), "empty seed corpus for {t}");
        let mut total = 0;
        for f in &files {
            let len = f.metadata().unwrap().len();
            assert!(
                len <= MAX_SEED_BYTES,
                "{} is {len} bytes",
                f.path().display()
            );
            total += len;
        }
        assert!(total <= MAX_CORPUS_BYTES, "{t}: {total} bytes of seeds");
    }
    assert_eq!(
        corpus_dirs().len(),
        targets.len(),
        "a corpus without a target"
    );
}

// ---------- the generator ----------

/// Repositories of `tests/data/vectors` whose licence lets their strings be committed as seeds
/// (MIT, Apache-2.0, ISC, CC-BY-4.0); records from other sources stay out of the corpus.
const VECTOR_SOURCES: &[&str] = &[
    "mvallim/emv-qrcode",
    "mercari/go-emv-code",
    "phannaly/emv-qr-code",
    "thalesog/pix-utils",
    "maythiwat/promptparse",
    "dtinth/promptpay-qr",
    "subiz/vietqr",
    "xuannghia/vietnam-qr-pay",
    "tingzhouu/sg-paynow-code",
    "lee-ratinan/emv-qr",
    "ishinvin/ts-khqr",
    "fyvri/go-qris",
    "rukandax/qris-static-with-amount",
    "bhar4t/upiqr",
    "timueh/py-epc-qr",
    "manuelbl/SwissQRBill",
    "bitcoinjs/bip21",
    "lightning/bolts",
];

/// Which payload target a vector seeds, by its text (the `identify` target gets them all).
fn payload_target(payload: &str, presentation: &str) -> Option<&'static str> {
    let lower = payload.to_ascii_lowercase();
    let by_prefix: &[(&str, &str)] = &[
        ("upi:", "upi"),
        ("bcd", "epc"),
        ("spc", "swiss_qr"),
        ("bitcoin:", "bip21"),
        ("lightning:", "bolt11"),
        ("lnbc", "bolt11"),
        ("lntb", "bolt11"),
        ("|", "th_bill"),
        ("http", "url"),
    ];
    if let Some((_, t)) = by_prefix.iter().find(|(p, _)| lower.starts_with(p)) {
        return Some(t);
    }
    match presentation {
        "mpm" => Some("emv_mpm"),
        "cpm" => Some("emv_cpm"),
        _ => None,
    }
}

/// Links of the kinds wallets meet, written for this project (the vectors' URLs come from
/// sources whose licence is unknown).
const URL_SEEDS: &[(&str, &str)] = &[
    ("alipay", "https://qr.alipay.com/fkx12345"),
    ("wechat", "https://payapp.weixin.qq.com/qr/AbCdEf"),
    ("wxp", "wxp://f2f0AbCdEf"),
    ("upper-case", "HTTPS://QR.ALIPAY.COM/FKX12345"),
    (
        "userinfo-port-query",
        "https://user:pw@qr.alipay.com:443/fkx?x=1&y=%20#frag",
    ),
    ("idn", "https://xn--fiqs8s.example/pay"),
    ("javascript", "javascript:alert(1)"),
    ("data", "data:text/html;base64,PHNjcmlwdD4="),
    ("intent", "intent://pay#Intent;scheme=upi;package=x;end"),
    ("unknown-wallet", "mywallet://pay?to=x&amount=1.00"),
];

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(name), bytes).unwrap();
}

fn vector_seeds(corpus: &Path) {
    let text =
        std::fs::read_to_string(root().join("tests/data/vectors/payment-codes.json")).unwrap();
    let records: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    let mut per_target: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &records {
        let source = r["source"].as_str().unwrap_or("");
        let repo = source.split(' ').next().unwrap_or("");
        if !VECTOR_SOURCES.contains(&repo) {
            continue;
        }
        let id = r["id"].as_str().unwrap();
        let payload = r["payload"].as_str().unwrap();
        let presentation = r["expect"]["presentation"].as_str().unwrap_or("");
        let mut targets = vec!["identify"];
        targets.extend(payload_target(payload, presentation));
        for t in targets {
            let n = per_target.entry(t).or_default();
            // The identify target needs variety, not every record.
            if t == "identify" && *n >= 40 {
                continue;
            }
            *n += 1;
            write(&corpus.join(t), id, payload.as_bytes());
        }
    }
}

fn url_seeds(corpus: &Path) {
    for (name, url) in URL_SEEDS {
        write(&corpus.join("url"), name, url.as_bytes());
        write(
            &corpus.join("identify"),
            &format!("url-{name}"),
            url.as_bytes(),
        );
    }
}

fn qr(text: &str, module_px: u32) -> render::Bitmap {
    render::render(
        text,
        Symbology::Qr,
        RenderOptions::for_symbology(Symbology::Qr, module_px),
    )
    .unwrap()
}

/// CRC-32 (ISO-HDLC), as PNG chunks carry it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
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

/// A big-endian TIFF block holding only the EXIF orientation tag.
fn exif_orientation(value: u16) -> Vec<u8> {
    let mut t = b"MM\0*\0\0\0\x08".to_vec();
    t.extend_from_slice(&1u16.to_be_bytes()); // one entry
    t.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    t.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    t.extend_from_slice(&1u32.to_be_bytes()); // count
    t.extend_from_slice(&value.to_be_bytes());
    t.extend_from_slice(&[0, 0]); // padding of the 4-byte value field
    t.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    t
}

/// Inserts an `eXIf` chunk after IHDR (8-byte signature + 25-byte IHDR chunk).
fn png_with_exif(png: &[u8], orientation: u16) -> Vec<u8> {
    let exif = exif_orientation(orientation);
    let mut chunk = (exif.len() as u32).to_be_bytes().to_vec();
    let mut body = b"eXIf".to_vec();
    body.extend_from_slice(&exif);
    chunk.extend_from_slice(&body);
    chunk.extend_from_slice(&crc32(&body).to_be_bytes());
    let mut out = png[..33].to_vec();
    out.extend_from_slice(&chunk);
    out.extend_from_slice(&png[33..]);
    out
}

/// Inserts an APP1 `Exif` segment right after SOI.
fn jpeg_with_exif(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(&exif_orientation(orientation));
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn jpeg_of(b: &render::Bitmap) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
        .write_image(&b.pixels, b.width, b.height, image::ExtendedColorType::L8)
        .unwrap();
    out
}

fn image_seeds(corpus: &Path) {
    let dir = corpus.join("image");
    // Small real files from the zxing-cpp samples (Apache-2.0, tests/data/zxing-cpp/LICENSE).
    for f in [
        "qrcode-2/qr-model-1.png",
        "qrcode-2/21.webp",
        "code128-1/6.png",
        "multi-1/3xean-8.png",
        "falsepositives-1/MQR-falsepositive.jpg",
    ] {
        let bytes = std::fs::read(root().join("tests/data/zxing-cpp").join(f)).unwrap();
        write(&dir, &format!("zxing-cpp-{}", f.replace('/', "-")), &bytes);
    }
    let code = qr("https://qr.alipay.com/fkx12345", 2);
    let png = code.to_png().unwrap();
    write(&dir, "qr.png", &png);
    write(&dir, "qr-exif-rotate-90.png", &png_with_exif(&png, 6));
    let jpeg = jpeg_of(&code);
    write(&dir, "qr-exif-rotate-270.jpg", &jpeg_with_exif(&jpeg, 8));
    write(&dir, "qr-truncated.jpg", &jpeg[..jpeg.len() / 2]);
    // 16-bit RGBA with an EXIF rotation: the decoder's widest pixel type and the transform.
    let small = qr("HT1", 1);
    let rgba16 = image::ImageBuffer::<image::Rgba<u16>, Vec<u16>>::from_fn(
        small.width,
        small.height,
        |x, y| {
            let v = u16::from(small.pixels[(y * small.width + x) as usize]) * 257;
            image::Rgba([v, v, v, u16::MAX])
        },
    );
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgba16(rgba16)
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    write(
        &dir,
        "qr-rgba16-exif-mirror.png",
        &png_with_exif(out.get_ref(), 5),
    );
}

/// A frame seed: the 16-byte header of `fuzz/harness/frame.rs`, then the pixel bytes.
#[allow(clippy::too_many_arguments)]
fn frame_seed(
    layout: u8,
    rotation: u8,
    width: u16,
    height: u16,
    pads: (u8, u8),
    pixel_stride: u8,
    delta: u8,
    options: u8,
    crop: [u8; 4],
    pixels: &[u8],
) -> Vec<u8> {
    let mut s = vec![layout, rotation];
    s.extend_from_slice(&width.to_le_bytes());
    s.extend_from_slice(&height.to_le_bytes());
    s.extend_from_slice(&[pads.0, pads.1, pixel_stride, delta, options]);
    s.extend_from_slice(&crop);
    s.push(0);
    s.extend_from_slice(pixels);
    s
}

fn frame_seeds(corpus: &Path) {
    let dir = corpus.join("frame");
    let code = qr("https://qr.alipay.com/fkx12345", 2);
    let (w, h) = (code.width as u16, code.height as u16);
    let px = &code.pixels;
    // Pad byte 4 means stride == the row's minimum; larger pads add row padding, so the picture
    // is laid out at that stride (the harness fills planes with the payload as it comes).
    let padded = |pad: usize| -> Vec<u8> {
        px.chunks(code.width as usize)
            .flat_map(|row| {
                row.iter()
                    .copied()
                    .chain(std::iter::repeat_n(0x80, pad - 4))
            })
            .collect()
    };
    let no_crop = [0; 4];
    let seeds: Vec<(&str, Vec<u8>)> = vec![
        (
            "gray8-qr",
            frame_seed(0, 0, w, h, (4, 4), 1, 0, 0, no_crop, px),
        ),
        (
            "gray8-qr-rot90-crop",
            frame_seed(
                0,
                1,
                w,
                h,
                (12, 4),
                1,
                0,
                1,
                [10, 10, 230, 230],
                &padded(12),
            ),
        ),
        (
            "nv21-planes-qr-rot180",
            frame_seed(1, 2, w, h, (4, 4), 1, 0, 2, no_crop, px),
        ),
        (
            "yuv420888-interleaved-qr-rot270",
            frame_seed(3, 3, w, h, (20, 20), 0x12, 0, 0, no_crop, &padded(20)),
        ),
        (
            "yuv420888-planar",
            frame_seed(3, 0, 16, 12, (8, 8), 1, 0, 0, no_crop, &[90; 64]),
        ),
        (
            "nv12-planes-odd",
            frame_seed(2, 0, 15, 9, (4, 6), 1, 0, 0, no_crop, &[60, 200]),
        ),
        (
            "bgra-crop",
            frame_seed(
                4,
                1,
                16,
                16,
                (4, 4),
                1,
                0,
                1,
                [0, 128, 255, 127],
                &[0, 128, 255, 255],
            ),
        ),
        (
            "rgba",
            frame_seed(7, 0, 8, 8, (4, 4), 1, 0, 0, no_crop, &[255, 0, 0, 255]),
        ),
        (
            "nv21-contiguous",
            frame_seed(5, 2, 17, 11, (5, 5), 1, 0, 0, no_crop, &[1, 2, 3]),
        ),
        (
            "i420",
            frame_seed(6, 0, 20, 10, (4, 7), 1, 0, 0, no_crop, &[7; 32]),
        ),
        (
            "short-by-one",
            frame_seed(1, 0, 16, 16, (4, 4), 1, 201, 0, no_crop, &[9; 16]),
        ),
        (
            "stride-too-small",
            frame_seed(0, 0, 16, 16, (0, 4), 1, 0, 0, no_crop, &[9; 16]),
        ),
        (
            "bad-rotation",
            frame_seed(0, 0xAD, 16, 16, (4, 4), 1, 0, 0, no_crop, &[9; 16]),
        ),
        (
            "crop-outside",
            frame_seed(0, 0, 16, 16, (4, 4), 1, 0, 1, [200, 0, 255, 10], &[9; 16]),
        ),
        (
            "huge-declared",
            frame_seed(3, 0, 0xFFFF, 0x4000, (4, 4), 2, 0, 0, no_crop, &[9; 16]),
        ),
    ];
    for (name, bytes) in seeds {
        write(&dir, name, &bytes);
    }
}

fn response_seeds(corpus: &Path) {
    let dir = corpus.join("response");
    let nonce = "abcdefabcdefabcdef0123";
    let req = "0123456789abcdef0123456789abcdef";
    let seeds: Vec<(&str, String)> = vec![
        ("signed-ok", format!("R\n200\nsrv-1\n1764052800\n{nonce}\n@sign\n{req}\n{{\"state\":\"succeeded\"}}")),
        ("signed-error-401", format!("R\n401\nsrv-1\n1764052800\n{nonce}\n@sign\n!\n{{\"error\":{{\"code\":\"SIGNATURE_MISSING\"}}}}")),
        ("signed-skewed", format!("R\n200\nsrv-1\n1\n{nonce}\n@sign -400\n{req}\n{{}}")),
        ("forged", format!("R\n200\nsrv-1\n1764052800\n{nonce}\nMEUCIQDvw7Vx0vJ0kzZpYH4R3Qo9xX8d2Wb6b8oQ0hP9gY3TQIgYpQm0b1a9b8N7m2Zq8r4Vx1pV6w2y9t3s0q1u5e2k7o=\n{req}\n{{}}")),
        ("unsigned", "R\n200\n!\n!\n!\n!\n!\n{}".to_string()),
        ("partly-signed", format!("R\n200\nsrv-1\n!\n{nonce}\n!\n{req}\n")),
        ("bad-nonce-and-timestamp", "R\n200\nsrv-1\n0017\nshort\nnot base64!\nx\n".to_string()),
        ("request-signed", "Q\n@sign\nPOST\n/v1/payments?x=1\n{\"intent_id\":\"i-1\"}".to_string()),
        ("request-stale", "Q\n@sign -301\nGET\n/v1/funding_sources\n".to_string()),
        ("request-header", format!("Q\nHUTONG-ECDSA-P256-SHA256 key_id=\"dev-1\",timestamp=\"1764052800\",nonce=\"{req}\",signature=\"MAYCAQECAQE=\"\nGET\n/v1/keys\n")),
        ("request-header-repeated", format!("Q\nHUTONG-ECDSA-P256-SHA256 key_id=\"a\",key_id=\"b\",timestamp=\"1\",nonce=\"{req}\",signature=\"\"\nGET\n/\n")),
    ];
    for (name, text) in seeds {
        write(&dir, name, text.as_bytes());
    }
}

/// One byte of body limit (`(b % 64) * 4`), then the wire (`fuzz/harness/http_response.rs`).
fn http_response_seeds(corpus: &Path) {
    let dir = corpus.join("http_response");
    let limit = 63u8; // 252 bytes
    let seeds: [(&str, &str); 10] = [
        ("ok-200-length", "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 19\r\nx-hutong-key-id: srv-1\r\n\r\n{\"state\":\"pending\"}"),
        ("ok-201-chunked", "HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n4;ext=1\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\nx-trailer: 1\r\n\r\n"),
        ("ok-200-after-continue", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"),
        ("ok-204-empty", "HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n"),
        ("ok-503-until-close", "HTTP/1.0 503 Service Unavailable\r\nretry-after: 2\r\n\r\n{\"error\":{\"code\":\"BUSY\"}}"),
        ("two-lengths", "HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\n{}x"),
        ("length-and-chunked", "HTTP/1.1 200 OK\r\ncontent-length: 2\r\ntransfer-encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"),
        ("chunk-overrun", "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\n{}}\r\n0\r\n\r\n"),
        ("cut-body", "HTTP/1.1 200 OK\r\ncontent-length: 20\r\n\r\n{\"state\""),
        ("switching", "HTTP/1.1 101 Switching Protocols\r\nupgrade: h2c\r\n\r\n"),
    ];
    for (name, wire) in seeds {
        let mut bytes = vec![limit];
        bytes.extend_from_slice(wire.as_bytes());
        write(&dir, name, &bytes);
    }
}

fn keyset_seeds(corpus: &Path) {
    let dir = corpus.join("keyset");
    let entry = |id: &str, key: &str, nb: i64, na: i64| {
        format!("{{\"key_id\":\"{id}\",\"alg\":\"ES256\",\"public_key\":\"{key}\",\"not_before\":{nb},\"not_after\":{na}}}")
    };
    let set = |version: u64, keys: &[String]| {
        format!(
            "{{\"version\":{version},\"issued_at\":1764052800,\"keys\":[{}]}}",
            keys.join(",")
        )
    };
    let srv = entry("srv-1", "$SERVER_KEY", 1_763_966_400, 1_764_139_200);
    let expired = entry("srv-1", "$SERVER_KEY", 1_000, 2_000);
    let other = entry(
        "srv-2",
        "BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        0,
        i64::MAX,
    );
    let wrong_key = entry(
        "srv-1",
        "BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        0,
        i64::MAX,
    );
    let seeds: Vec<(&str, String)> = vec![
        (
            "install",
            format!("S{}", set(1, std::slice::from_ref(&srv))),
        ),
        (
            "rotate-then-rollback",
            format!(
                "S{}\n---\nS{}\n---\nS{}",
                set(1, std::slice::from_ref(&srv)),
                set(2, &[srv.clone(), other.clone()]),
                set(1, std::slice::from_ref(&srv))
            ),
        ),
        (
            "rotation-drops-key",
            format!(
                "S{}\n---\nS{}",
                set(1, std::slice::from_ref(&srv)),
                set(2, std::slice::from_ref(&other))
            ),
        ),
        ("expired-key", format!("S{}", set(3, &[expired]))),
        (
            "listed-with-another-key",
            format!("S{}", set(1, &[wrong_key])),
        ),
        (
            "unpinned-and-forged",
            format!(
                "U{}\n---\nF{}\n---\nS{}",
                set(9, std::slice::from_ref(&srv)),
                set(9, std::slice::from_ref(&srv)),
                set(1, std::slice::from_ref(&srv))
            ),
        ),
        (
            "malformed",
            format!(
                "S{}\n---\nS{{\"version\":1,\"issued_at\":0,\"keys\":[]}}\n---\nS{}",
                set(1, &[srv.clone(), srv.clone()]),
                set(1, &[entry("k", "AAAA", 5, 1)])
            ),
        ),
        (
            "wire-json",
            "W{\"key_set\":\"e30=\",\"root_key_id\":\"root-1\",\"signature\":\"MAYCAQECAQE=\"}"
                .to_string(),
        ),
    ];
    for (name, text) in seeds {
        write(&dir, name, text.as_bytes());
    }
}

#[test]
#[ignore = "writes fuzz/corpus; run by hand after changing a harness's input format"]
fn write_fuzz_seed_corpus() {
    let corpus = root().join("fuzz/corpus");
    for t in [
        "identify",
        "emv_mpm",
        "emv_cpm",
        "upi",
        "url",
        "epc",
        "swiss_qr",
        "bip21",
        "bolt11",
        "th_bill",
        "image",
        "frame",
        "response",
        "keyset",
        "http_response",
    ] {
        let _ = std::fs::remove_dir_all(corpus.join(t));
    }
    vector_seeds(&corpus);
    url_seeds(&corpus);
    image_seeds(&corpus);
    frame_seeds(&corpus);
    response_seeds(&corpus);
    keyset_seeds(&corpus);
    http_response_seeds(&corpus);
}
