//! Camera-like frames made from an upright picture: for the QA demo, benchmarks and tests.
//!
//! A camera delivers the scene turned against the display and packed into a YUV or BGRA
//! layout with padded rows; these helpers do the same to a known picture, so a scan of the
//! result can be checked against where the code was drawn.

/// A tightly packed 8-bit luma picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LumaPicture {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
}

impl LumaPicture {
    /// A flat picture of one grey level.
    pub fn filled(width: u32, height: u32, level: u8) -> Self {
        LumaPicture {
            width,
            height,
            pixels: vec![level; width as usize * height as usize],
        }
    }

    /// Draws `src` (black-on-white, tightly packed) at (x, y), mapping ink and paper to the
    /// given levels (a printed code under room light is never pure black and white). Clips.
    pub fn draw(&mut self, src: &[u8], src_width: u32, x: u32, y: u32, ink: u8, paper: u8) {
        if src_width == 0 {
            return;
        }
        let (w, sw) = (self.width as usize, src_width as usize);
        for (row, line) in src.chunks_exact(sw).enumerate() {
            let dy = y as usize + row;
            if dy >= self.height as usize {
                break;
            }
            for (col, &v) in line.iter().enumerate() {
                let dx = x as usize + col;
                if dx >= w {
                    break;
                }
                let t = u16::from(v);
                let level = (u16::from(ink) * (255 - t) + u16::from(paper) * t) / 255;
                self.pixels[dy * w + dx] = level as u8;
            }
        }
    }

    /// Adds deterministic sensor-like noise of at most `amplitude` levels either way.
    pub fn add_noise(&mut self, amplitude: u8, seed: u64) {
        let mut state = seed | 1;
        let span = 2 * u32::from(amplitude) + 1;
        for p in &mut self.pixels {
            // xorshift64: cheap, reproducible, good enough for noise.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let delta = (state % u64::from(span)) as i32 - i32::from(amplitude);
            *p = (i32::from(*p) + delta).clamp(0, 255) as u8;
        }
    }

    /// The sensor image a camera with sensor-to-display rotation `degrees` (clockwise)
    /// delivers for this upright scene. Degrees other than 90/180/270 return a copy.
    pub fn to_sensor(&self, degrees: u32) -> LumaPicture {
        let (w, h) = (self.width as usize, self.height as usize);
        let (sw, sh) = if degrees == 90 || degrees == 270 {
            (h, w)
        } else {
            (w, h)
        };
        let mut out = vec![0u8; w * h];
        for y in 0..h {
            for x in 0..w {
                let (sx, sy) = match degrees {
                    90 => (y, w - 1 - x),
                    180 => (w - 1 - x, h - 1 - y),
                    270 => (h - 1 - y, x),
                    _ => (x, y),
                };
                out[sy * sw + sx] = self.pixels[y * w + x];
            }
        }
        LumaPicture {
            width: sw as u32,
            height: sh as u32,
            pixels: out,
        }
    }

    fn padded_rows(&self, row_stride: usize, out: &mut Vec<u8>) {
        let w = self.width as usize;
        for row in self.pixels.chunks_exact(w) {
            out.extend_from_slice(row);
            out.resize(out.len() + row_stride.saturating_sub(w), 0);
        }
    }

    fn chroma_size(&self) -> (usize, usize) {
        (
            self.width.div_ceil(2) as usize,
            self.height.div_ceil(2) as usize,
        )
    }

    /// NV21 or NV12 (they differ only in chroma order; chroma is neutral grey here):
    /// Y rows then interleaved chroma rows, all `row_stride` apart.
    pub fn to_semi_planar(&self, row_stride: usize) -> Vec<u8> {
        let mut out = Vec::new();
        self.padded_rows(row_stride, &mut out);
        let (cw, ch) = self.chroma_size();
        for _ in 0..ch {
            let start = out.len();
            out.resize(start + 2 * cw, 128);
            out.resize(start + row_stride.max(2 * cw), 0);
        }
        out
    }

    /// I420: Y rows `y_stride` apart, then U and V planes with rows `chroma_stride` apart.
    pub fn to_i420(&self, y_stride: usize, chroma_stride: usize) -> Vec<u8> {
        let mut out = Vec::new();
        self.padded_rows(y_stride, &mut out);
        let (cw, ch) = self.chroma_size();
        for _ in 0..2 * ch {
            let start = out.len();
            out.resize(start + cw, 128);
            out.resize(start + chroma_stride.max(cw), 0);
        }
        out
    }

    /// The three planes of Android YUV_420_888 over NV21 memory: the Y plane, and one VU
    /// buffer that the U plane (offset 1) and V plane (offset 0) view with pixel stride 2.
    pub fn to_yuv_420_888(&self, row_stride: usize) -> (Vec<u8>, Vec<u8>) {
        let mut y = Vec::new();
        self.padded_rows(row_stride, &mut y);
        let (cw, ch) = self.chroma_size();
        let mut vu = Vec::new();
        for _ in 0..ch {
            let start = vu.len();
            vu.resize(start + 2 * cw, 128);
            vu.resize(start + row_stride.max(2 * cw), 0);
        }
        (y, vu)
    }

    /// BGRA8888 with rows `row_stride` bytes apart (grey pixels, opaque).
    pub fn to_bgra(&self, row_stride: usize) -> Vec<u8> {
        let w = self.width as usize;
        let mut out = Vec::new();
        for row in self.pixels.chunks_exact(w) {
            let start = out.len();
            for &l in row {
                out.extend_from_slice(&[l, l, l, 255]);
            }
            out.resize(start + row_stride.max(4 * w), 0);
        }
        out
    }
}
