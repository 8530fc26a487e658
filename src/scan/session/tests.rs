use super::*;
use crate::frame::synth::LumaPicture;
use crate::render::{render, RenderOptions, Symbology};
use std::collections::BTreeSet;
use std::time::Duration;

/// A portrait 720p display: large enough for the coarse pass, so search frames use bands.
const W: u32 = 720;
const H: u32 = 1280;

fn options() -> ScanOptions {
    ScanOptions {
        time_budget: Duration::from_secs(5),
        ..ScanOptions::default()
    }
}

/// One code drawn on a frame: its text, symbology, module size and top-left corner.
struct Drawn {
    text: &'static str,
    symbology: Symbology,
    module: u32,
    x: u32,
    y: u32,
}

fn qr(text: &'static str, module: u32, x: u32, y: u32) -> Drawn {
    Drawn {
        text,
        symbology: Symbology::Qr,
        module,
        x,
        y,
    }
}

/// An upright `w` x `h` scene: a grey background with noise and the codes.
fn picture(w: u32, h: u32, codes: &[Drawn], seed: u64) -> LumaPicture {
    let mut pic = LumaPicture::filled(w, h, 150);
    for c in codes {
        let bmp = render(
            c.text,
            c.symbology,
            RenderOptions::for_symbology(c.symbology, c.module),
        )
        .expect("renders");
        pic.draw(&bmp.pixels, bmp.width, c.x, c.y, 35, 215);
    }
    pic.add_noise(6, seed);
    pic
}

fn texts(codes: &[ScannedCode]) -> BTreeSet<String> {
    codes.iter().map(|c| c.text.clone()).collect()
}

fn gray(pic: &LumaPicture) -> Frame<'_> {
    Frame::gray8(&pic.pixels, pic.width, pic.height, pic.width as usize, 0).expect("valid frame")
}

/// A phone approaching a payer screen: frames without a code, then a QR that grows and drifts,
/// with a Code 128 under it for the last frames. On every frame the session reads at least
/// what a stateless `scan_frame` reads, and nothing that is not drawn on that frame.
#[test]
fn reads_on_every_frame_what_scan_frame_reads_and_nothing_else() {
    let session = ScanSession::with_options(options());
    let stateless = Scanner::new(options());
    let mut read_by_session = 0;
    for i in 0..12u32 {
        let mut drawn = Vec::new();
        if i >= 3 {
            let module = 2 + (i - 3) / 3;
            drawn.push(qr(
                "https://qr.alipay.com/bax01234",
                module,
                250 + 6 * i,
                530 + 4 * i,
            ));
        }
        if i >= 9 {
            drawn.push(Drawn {
                text: "281234567890123456",
                symbology: Symbology::Code128,
                module: 3,
                x: 60,
                y: 900,
            });
        }
        let pic = picture(W, H, &drawn, u64::from(i) + 1);
        let truth: BTreeSet<String> = drawn.iter().map(|d| d.text.to_owned()).collect();
        let (codes, step) = session.scan_frame_step(&gray(&pic));
        let ours = texts(&codes);
        let theirs = texts(&stateless.scan_frame(&gray(&pic)));
        assert!(
            ours.is_subset(&truth),
            "frame {i}: read {ours:?}, drawn {truth:?}"
        );
        // A second code appears under a tracked one: the whole-frame refresh finds it, within
        // `WHOLE_FRAME_EVERY` frames; every other frame reads what the stateless scan reads.
        if step != SessionStep::Tracked || i < 9 {
            assert!(
                theirs.is_subset(&ours),
                "frame {i} ({step:?}): {ours:?} < {theirs:?}"
            );
        }
        read_by_session += usize::from(!ours.is_empty());
    }
    assert!(
        read_by_session >= 8,
        "read on {read_by_session} of 9 frames"
    );
    assert_eq!(
        session.stats().frames,
        12,
        "one frame per call, however many scans"
    );
}

#[test]
fn a_code_then_a_frame_without_it_returns_nothing() {
    let session = ScanSession::with_options(options());
    let with = picture(W, H, &[qr("code here", 4, 280, 560)], 1);
    let without = picture(W, H, &[], 2);
    assert_eq!(texts(&session.scan_frame(&gray(&with))).len(), 1);
    let (codes, step) = session.scan_frame_step(&gray(&without));
    assert!(codes.is_empty(), "stale result {codes:?}");
    assert_eq!(
        step,
        SessionStep::Whole,
        "a lost track rescans the whole frame"
    );
    // And the code back: read again, then tracked.
    assert_eq!(texts(&session.scan_frame(&gray(&with))).len(), 1);
    assert_eq!(
        session.scan_frame_step(&gray(&with)).1,
        SessionStep::Tracked
    );
}

#[test]
fn a_code_moved_away_from_its_crop_is_read_from_the_whole_frame_at_once() {
    let session = ScanSession::with_options(options());
    let here = picture(W, H, &[qr("moving", 4, 40, 60)], 1);
    let there = picture(W, H, &[qr("moving", 4, 500, 1050)], 2);
    assert_eq!(texts(&session.scan_frame(&gray(&here))).len(), 1);
    let (codes, step) = session.scan_frame_step(&gray(&there));
    assert_eq!(step, SessionStep::Whole);
    assert_eq!(texts(&codes), BTreeSet::from(["moving".to_owned()]));
    assert!(codes[0].corners.iter().all(|p| p.x > 490.0 && p.y > 1040.0));
}

/// A held code is read from its crop, with the corners a stateless scan gives, and every
/// `WHOLE_FRAME_EVERY` tracked frames the whole frame is scanned again.
#[test]
fn a_held_code_is_tracked_with_periodic_whole_frame_scans() {
    let session = ScanSession::with_options(options());
    let pic = picture(W, H, &[qr("held", 3, 300, 200)], 7);
    let reference = Scanner::new(options()).scan_frame(&gray(&pic));
    assert_eq!(reference.len(), 1);
    let mut steps = Vec::new();
    for _ in 0..WHOLE_FRAME_EVERY + 3 {
        let (codes, step) = session.scan_frame_step(&gray(&pic));
        assert_eq!(codes.len(), 1, "{step:?}");
        for (a, b) in codes[0].corners.iter().zip(&reference[0].corners) {
            assert!(
                (a.x - b.x).abs() < 1.5 && (a.y - b.y).abs() < 1.5,
                "{a:?} vs {b:?}"
            );
        }
        steps.push(step);
    }
    let tracked = WHOLE_FRAME_EVERY as usize;
    assert_eq!(steps[1..=tracked], vec![SessionStep::Tracked; tracked]);
    assert_eq!(steps[tracked + 1], SessionStep::Whole);
    assert_eq!(steps[tracked + 2], SessionStep::Tracked);
}

fn pay_code(x: u32, y: u32) -> Drawn {
    Drawn {
        text: "131234567890123456",
        symbology: Symbology::Code128,
        module: 2,
        x,
        y,
    }
}

/// A pay code low in the frame (linear: the coarse pass does not read it): the first search
/// frame's full-resolution band misses it (the stateless scan reads it), the second frame's
/// band reads it.
#[test]
fn search_frames_alternate_bands_that_together_cover_the_frame() {
    let pic = picture(W, H, &[pay_code(200, 1150)], 3);
    assert_eq!(
        texts(&Scanner::new(options()).scan_frame(&gray(&pic))).len(),
        1
    );
    let session = ScanSession::with_options(options());
    let (first, step) = session.scan_frame_step(&gray(&pic));
    assert_eq!((first.len(), step), (0, SessionStep::Band(0)));
    let (second, step) = session.scan_frame_step(&gray(&pic));
    assert_eq!((second.len(), step), (1, SessionStep::Band(1)));
    // High in the frame: the first band.
    let high = picture(W, H, &[pay_code(200, 40)], 4);
    session.reset();
    assert_eq!(
        session.scan_frame_step(&gray(&high)).1,
        SessionStep::Band(0)
    );
    assert_eq!(session.scan_frame(&gray(&high)).len(), 1, "tracked");
}

#[test]
fn reset_forgets_the_track_and_the_band() {
    let session = ScanSession::with_options(options());
    let pic = picture(W, H, &[qr("again", 4, 280, 560)], 5);
    let blank = picture(W, H, &[], 6);
    session.scan_frame(&gray(&blank)); // band 0
    assert_eq!(session.scan_frame_step(&gray(&pic)).1, SessionStep::Band(1));
    session.reset();
    let (codes, step) = session.scan_frame_step(&gray(&pic));
    assert_eq!((codes.len(), step), (1, SessionStep::Band(0)));
}

/// Sensor turned a quarter (a portrait phone): the crop is given in display coordinates and
/// the corners come back where a stateless scan puts them.
#[test]
fn a_sideways_sensor_is_tracked_in_display_coordinates() {
    let upright = picture(W, H, &[qr("sideways", 3, 420, 580)], 8);
    let sensor = upright.to_sensor(90);
    let frame = Frame::gray8(
        &sensor.pixels,
        sensor.width,
        sensor.height,
        sensor.width as usize,
        90,
    )
    .unwrap();
    let reference = Scanner::new(options()).scan_frame(&frame);
    assert_eq!(reference.len(), 1);
    let session = ScanSession::with_options(options());
    session.scan_frame(&frame);
    let (codes, step) = session.scan_frame_step(&frame);
    assert_eq!(step, SessionStep::Tracked);
    for (a, b) in codes[0].corners.iter().zip(&reference[0].corners) {
        assert!(
            (a.x - b.x).abs() < 1.5 && (a.y - b.y).abs() < 1.5,
            "{a:?} vs {b:?}"
        );
    }
}

#[test]
fn a_new_frame_size_or_crop_drops_the_track() {
    let session = ScanSession::with_options(options());
    let big = picture(W, H, &[qr("size", 4, 100, 100)], 9);
    let small = picture(480, 640, &[qr("size", 4, 100, 100)], 10);
    session.scan_frame(&gray(&big));
    assert_eq!(session.scan_frame_step(&gray(&small)).1, SessionStep::Whole);
    assert_eq!(
        session.scan_frame_step(&gray(&small)).1,
        SessionStep::Tracked
    );
    // A viewfinder crop that leaves the code out: nothing, however recently it was read.
    let cropped = gray(&small).with_crop(Rect::new(0, 400, 480, 240)).unwrap();
    assert!(session.scan_frame(&cropped).is_empty());
    assert!(session.scan_frame(&cropped).is_empty());
}

#[test]
fn a_frame_out_of_time_returns_nothing_and_counts_one_frame() {
    let session = ScanSession::with_options(ScanOptions {
        time_budget: Duration::ZERO,
        ..ScanOptions::default()
    });
    let pic = picture(W, H, &[qr("late", 4, 280, 560)], 11);
    assert!(session.scan_frame(&gray(&pic)).is_empty());
    let stats = session.stats();
    assert_eq!((stats.frames, stats.timeouts), (1, 1));
}

/// A payer screen: a QR the coarse pass reads and a Code 128 beside it. The search frame still
/// gives the linear readers their full-resolution band, so both come back, as from
/// `scan_frame`.
#[test]
fn a_search_frame_reads_a_code_128_beside_a_coarsely_read_qr() {
    let drawn = [
        qr("https://qr.alipay.com/fkx-payer", 6, 200, 80),
        Drawn {
            text: "281234567890123456",
            symbology: Symbology::Code128,
            module: 3,
            x: 60,
            y: 520,
        },
    ];
    let pic = picture(W, H, &drawn, 12);
    let both: BTreeSet<String> = drawn.iter().map(|d| d.text.to_owned()).collect();
    assert_eq!(
        texts(&Scanner::new(options()).scan_frame(&gray(&pic))),
        both
    );
    let session = ScanSession::with_options(options());
    let (codes, step) = session.scan_frame_step(&gray(&pic));
    assert_eq!((texts(&codes), step), (both.clone(), SessionStep::Band(0)));
    let (codes, step) = session.scan_frame_step(&gray(&pic));
    assert_eq!((texts(&codes), step), (both, SessionStep::Tracked));
}
