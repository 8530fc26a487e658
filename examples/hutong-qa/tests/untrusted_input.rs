//! `scan` and `identify --jsonl` on hostile input (issue 17): FIFOs, symlink loops, endless
//! devices, huge and truncated files, bad lines; and `scan`'s gallery defaults (a sideways
//! barcode, an inverted QR) found without flags. Each run has a deadline: a hang fails the test
//! instead of hanging CI.
use hutong_core::render::{render, RenderOptions, Symbology};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(60);

/// Runs hutong-qa with `stdin`, killing it if it outlives the deadline.
fn qa(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hutong-qa"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        out
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("hutong-qa {args:?} still running after {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    writer.join().unwrap();
    let mut stderr = Vec::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_end(&mut stderr)
        .unwrap();
    Output {
        status,
        stdout: reader.join().unwrap(),
        stderr,
    }
}

/// `scan --json` lines as JSON values.
fn scan_json(args: &[&str]) -> (Output, Vec<serde_json::Value>) {
    let mut all = vec!["scan", "--json"];
    all.extend_from_slice(args);
    let out = qa(&all, b"");
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    (out, lines)
}

fn write_png(path: &Path, pixels: &[u8], width: u32, height: u32) {
    image::GrayImage::from_raw(width, height, pixels.to_vec())
        .unwrap()
        .save(path)
        .unwrap();
}

/// A QR code drawn for a screen: 8-bit grey, dark on light.
fn qr(text: &str) -> (Vec<u8>, u32, u32) {
    let b = render(
        text,
        Symbology::Qr,
        RenderOptions::for_symbology(Symbology::Qr, 6),
    )
    .unwrap();
    (b.pixels, b.width, b.height)
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

#[cfg(unix)]
#[test]
fn a_fifo_in_a_folder_is_skipped_and_a_named_one_refused_without_opening() {
    let dir = tempfile::tempdir().unwrap();
    let (px, w, h) = qr("fifo neighbour");
    write_png(&dir.path().join("a.png"), &px, w, h);
    mkfifo(&dir.path().join("b.png"));
    let (out, lines) = scan_json(&[path_str(dir.path())]);
    assert!(out.status.success(), "{lines:?}");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["codes"][0]["text"], "fifo neighbour");

    let fifo = dir.path().join("b.png");
    let (out, lines) = scan_json(&[path_str(&fifo)]);
    assert_eq!(out.status.code(), Some(1));
    let error = lines[0]["error"].as_str().unwrap();
    assert!(error.contains("not a regular file (a FIFO)"), "{error}");
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_ends_and_each_image_is_listed_once() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    let (px, w, h) = qr("loop");
    write_png(&sub.join("code.png"), &px, w, h);
    std::os::unix::fs::symlink(dir.path(), sub.join("up")).unwrap();
    std::os::unix::fs::symlink(&sub, sub.join("self")).unwrap();
    let (out, lines) = scan_json(&[path_str(dir.path())]);
    assert!(out.status.success(), "{lines:?}");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["codes"][0]["text"], "loop");
}

#[cfg(unix)]
#[test]
fn dev_zero_behind_a_symlink_ends_with_a_size_error() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("zero.png");
    std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
    let (out, lines) = scan_json(&[path_str(&link)]);
    assert_eq!(out.status.code(), Some(1));
    let error = lines[0]["error"].as_str().unwrap();
    assert!(error.contains("above the image size cap"), "{error}");
    // In a folder, a device is not a regular file: skipped unopened.
    let (out, lines) = scan_json(&[path_str(dir.path())]);
    assert!(out.status.success());
    assert!(lines.is_empty(), "{lines:?}");
}

#[test]
fn a_three_gigabyte_file_is_refused_from_its_size() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.png");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(3 << 30).unwrap(); // sparse: no disk used
    drop(file);
    let (out, lines) = scan_json(&[path_str(&big)]);
    assert_eq!(out.status.code(), Some(1));
    let error = lines[0]["error"].as_str().unwrap();
    assert!(
        error.contains("3221225472 bytes") && error.contains("above the image size cap"),
        "{error}"
    );
}

#[test]
fn truncated_png_and_jpeg_are_errors_not_no_code() {
    let dir = tempfile::tempdir().unwrap();
    let (px, w, h) = qr("cut short");
    let png_path = dir.path().join("whole.png");
    write_png(&png_path, &px, w, h);
    let png = std::fs::read(&png_path).unwrap();
    std::fs::write(dir.path().join("cut.png"), &png[..png.len() / 2]).unwrap();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode(&px, w, h, image::ExtendedColorType::L8)
        .unwrap();
    std::fs::write(dir.path().join("cut.jpg"), &jpeg[..jpeg.len() * 3 / 4]).unwrap();
    let (out, lines) = scan_json(&[path_str(dir.path())]);
    assert_eq!(out.status.code(), Some(1));
    let by_name = |name: &str| {
        lines
            .iter()
            .find(|l| l["path"].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("{name} in {lines:?}"))
    };
    assert_eq!(by_name("whole.png")["codes"][0]["text"], "cut short");
    for name in ["cut.png", "cut.jpg"] {
        let error = by_name(name)["error"].as_str().unwrap_or("");
        assert!(error.contains("truncated"), "{name}: {error}");
    }
}

#[test]
fn gallery_defaults_read_a_sideways_barcode_and_an_inverted_qr() {
    let dir = tempfile::tempdir().unwrap();
    // A Code 128 payer code turned a quarter: its bars run across the rows.
    let bars = render(
        "286912345678901234",
        Symbology::Code128,
        RenderOptions::for_symbology(Symbology::Code128, 3),
    )
    .unwrap();
    let (w, h) = (bars.width as usize, bars.height as usize);
    let mut turned = vec![0u8; w * h];
    for y in 0..h {
        for x in 0..w {
            turned[x * h + (h - 1 - y)] = bars.pixels[y * w + x];
        }
    }
    write_png(
        &dir.path().join("vertical.png"),
        &turned,
        h as u32,
        w as u32,
    );
    let (px, w, h) = qr("light on dark");
    let inverted: Vec<u8> = px.iter().map(|&v| 255 - v).collect();
    write_png(&dir.path().join("inverted.png"), &inverted, w, h);
    let (out, lines) = scan_json(&[path_str(dir.path())]);
    assert!(out.status.success(), "{lines:?}");
    let texts: Vec<&str> = lines
        .iter()
        .map(|l| l["codes"][0]["text"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(texts, ["light on dark", "286912345678901234"]);
}

#[test]
fn identify_jsonl_goes_on_past_bad_lines_with_an_error_each() {
    let mut input = b"\"wxp://f2f0Qz9qxst1qazKE_53XToPLIzMELvT8Ccd\"\n".to_vec();
    input.extend_from_slice(b"\"\xff\xfe not utf-8\"\n");
    input.extend_from_slice(b"{not json\n");
    input.extend_from_slice(&vec![b'x'; 100_000]);
    input.push(b'\n');
    input.extend_from_slice(b"\"https://qr.alipay.com/fkx12345\"\n");
    let out = qa(&["identify", "--jsonl"], &input);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5, "{lines:?}");
    assert_eq!(lines[0]["network"], "wechat_pay");
    for (i, why) in [
        (1, "not UTF-8"),
        (2, "not a JSON string"),
        (3, "longer than"),
    ] {
        assert_eq!(lines[i]["error_code"], "bad_input_line", "{}", lines[i]);
        assert_eq!(lines[i]["valid"], false);
        assert_eq!(lines[i]["line"], i + 1);
        let error = lines[i]["error"].as_str().unwrap();
        assert!(
            error.starts_with(&format!("line {}: {why}", i + 1)),
            "{error}"
        );
    }
    assert_eq!(lines[4]["network"], "alipay");
}
