//! Still images (gallery picks, files): the passes tried when the image as it is shows no code.
//!
//! A photo of a vertical barcode, an upside-down QR or a light-on-dark code is what users pick
//! from their albums, and a still image has no frame rate to keep. So after the first pass
//! finds nothing, the picture is handed to the decoder turned a quarter, a half and three
//! quarters, then inverted upright and a quarter turned (unless the scanner looks for inverted
//! codes anyway).
//! Each pass writes the turned or inverted pixels straight into the decoder's own buffer, so
//! no pass holds more memory than a camera frame of the same size.
use crate::frame::Point;

/// What the engine is handed: a camera frame, or one pass over a still image. Every pass over
/// a still image gets more QR looks than a frame (`engine.rs`, `read_qr`); the first one also
/// a second QR detector, whose finder-pattern search does not depend on how the picture is
/// turned, so repeating it on the turned passes would only cost time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Picture {
    Frame,
    StillFirst,
    StillRetry,
}

impl Picture {
    pub fn is_still(self) -> bool {
        self != Picture::Frame
    }
}

/// A clockwise turn of the upright image, in quarter turns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Turn {
    None,
    Quarter,
    Half,
    ThreeQuarters,
}

/// One pass over a still image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StillPass {
    pub turn: Turn,
    pub inverted: bool,
}

/// The passes after the first, in order: turns (most photos of codes are only sideways or
/// upside down), then polarity, upright and a quarter turned only: a light-on-dark code is
/// rare, and those two already read it at any turn (QR finder patterns look alike from every
/// side, and our Code 128 reader reads each line both ways, so rows and columns cover all
/// four turns). Two passes fewer is a quarter less time on a photo without a code.
pub(crate) const RETRIES: [StillPass; 5] = [
    StillPass::new(Turn::Quarter, false),
    StillPass::new(Turn::Half, false),
    StillPass::new(Turn::ThreeQuarters, false),
    StillPass::new(Turn::None, true),
    StillPass::new(Turn::Quarter, true),
];

impl StillPass {
    pub const FIRST: StillPass = StillPass::new(Turn::None, false);

    const fn new(turn: Turn, inverted: bool) -> Self {
        StillPass { turn, inverted }
    }

    /// Size of the pass image for an upright `width` x `height` image.
    pub fn size(self, width: u32, height: u32) -> (u32, u32) {
        match self.turn {
            Turn::None | Turn::Half => (width, height),
            Turn::Quarter | Turn::ThreeQuarters => (height, width),
        }
    }

    /// Writes the pass image of `src` (upright, tightly packed) into `out`.
    pub fn fill(self, src: &[u8], width: u32, height: u32, out: &mut Vec<u8>) -> (u32, u32) {
        let (w, h) = (width as usize, height as usize);
        out.clear();
        out.reserve(w * h);
        let ink = |v: u8| if self.inverted { 255 - v } else { v };
        match self.turn {
            Turn::None => out.extend(src.iter().map(|&v| ink(v))),
            Turn::Half => out.extend(src.iter().rev().map(|&v| ink(v))),
            // Row y' of a clockwise quarter turn is column y' read bottom to top.
            Turn::Quarter => {
                for col in 0..w {
                    out.extend((0..h).rev().map(|row| ink(src[row * w + col])));
                }
            }
            // Row y' of three quarters is column (w-1-y') read top to bottom.
            Turn::ThreeQuarters => {
                for col in (0..w).rev() {
                    out.extend((0..h).map(|row| ink(src[row * w + col])));
                }
            }
        }
        out.resize(w * h, 0); // keeps the length contract if src were short
        self.size(width, height)
    }

    /// A point of the pass image back in the upright image (`width` x `height`).
    pub fn to_upright(self, p: Point, width: u32, height: u32) -> Point {
        let (w, h) = (width as f32, height as f32);
        match self.turn {
            Turn::None => p,
            Turn::Quarter => Point::new(p.y, h - p.x),
            Turn::Half => Point::new(w - p.x, h - p.y),
            Turn::ThreeQuarters => Point::new(w - p.y, p.x),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 3x2 image with distinct pixels: 0 1 2 / 3 4 5.
    const SRC: [u8; 6] = [0, 1, 2, 3, 4, 5];

    #[test]
    fn turns_match_a_clockwise_rotation() {
        let mut out = Vec::new();
        let q = StillPass::new(Turn::Quarter, false);
        assert_eq!(q.fill(&SRC, 3, 2, &mut out), (2, 3));
        assert_eq!(out, [3, 0, 4, 1, 5, 2]);
        let h = StillPass::new(Turn::Half, false);
        assert_eq!(h.fill(&SRC, 3, 2, &mut out), (3, 2));
        assert_eq!(out, [5, 4, 3, 2, 1, 0]);
        let t = StillPass::new(Turn::ThreeQuarters, true);
        assert_eq!(t.fill(&SRC, 3, 2, &mut out), (2, 3));
        assert_eq!(out, [253, 250, 254, 251, 255, 252]);
    }

    #[test]
    fn points_map_back_to_the_pixel_they_came_from() {
        // The centre of every pass-image pixel maps to the centre of its source pixel.
        let mut out = Vec::new();
        for pass in RETRIES {
            let (pw, ph) = pass.fill(&SRC, 3, 2, &mut out);
            for y in 0..ph {
                for x in 0..pw {
                    let value = out[(y * pw + x) as usize];
                    let value = if pass.inverted { 255 - value } else { value };
                    let p = pass.to_upright(Point::new(x as f32 + 0.5, y as f32 + 0.5), 3, 2);
                    let (sx, sy) = (p.x.floor() as usize, p.y.floor() as usize);
                    assert_eq!(SRC[sy * 3 + sx], value, "{pass:?} at ({x},{y})");
                }
            }
        }
    }
}
