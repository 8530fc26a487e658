//! rxing's classic QR finder (`FinderPatternFinder`, used on gallery pictures and with
//! try-harder) chose its three patterns among every triple of confirmed centres. The frame fuzz
//! target found a picture of diagonal stripes that confirms thousands (2,932), and the scan ran
//! for billions of steps past its budget. The vendored rxing keeps the 32 most-confirmed
//! (third_party/rxing/PATCHES.md, 13); photos confirm a handful (at most 3 on the whole
//! zxing-cpp corpus).
use rxing::common::BitMatrix;
use rxing::qrcode::detector::FinderPatternFinder;
use rxing::{DecodeHintValue, DecodeHints};

/// A 10 x 10 grid of QR finder patterns (7 x 7 modules of 4 pixels, 1:1:3:1:1), 48 pixels apart.
fn finder_grid() -> BitMatrix {
    const MODULE: u32 = 4;
    const PITCH: u32 = 48;
    let mut m = BitMatrix::new(10 * PITCH + 16, 10 * PITCH + 16).expect("a valid size");
    for gy in 0..10 {
        for gx in 0..10 {
            let (ox, oy) = (16 + gx * PITCH, 16 + gy * PITCH);
            for my in 0..7 {
                for mx in 0..7 {
                    // Dark: the outer ring and the 3 x 3 centre.
                    let ring = mx == 0 || my == 0 || mx == 6 || my == 6;
                    let centre = (2..=4).contains(&mx) && (2..=4).contains(&my);
                    if ring || centre {
                        for py in 0..MODULE {
                            for px in 0..MODULE {
                                m.set(ox + mx * MODULE + px, oy + my * MODULE + py);
                            }
                        }
                    }
                }
            }
        }
    }
    m
}

#[test]
fn at_most_32_confirmed_centres_reach_the_triple_search() {
    let matrix = finder_grid();
    let mut finder = FinderPatternFinder::new(&matrix);
    let hints = DecodeHints::default().with(DecodeHintValue::TryHarder(true));
    let _ = finder.find(&hints);
    let kept = finder.getPossibleCenters().len();
    assert!(kept > 0, "the grid's patterns are found");
    assert!(
        kept <= FinderPatternFinder::MAX_SELECTED_CENTERS,
        "{kept} centres kept for the triple search"
    );
}
