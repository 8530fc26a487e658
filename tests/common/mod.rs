//! Helpers shared by the integration tests: pixel rotation as a camera delivers it.
#![allow(dead_code)]

/// A tightly packed luma image.
#[derive(Clone)]
pub struct Gray {
    pub pixels: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

impl Gray {
    pub fn get(&self, x: u32, y: u32) -> u8 {
        self.pixels[(y * self.width + x) as usize]
    }
}

/// The sensor image a camera delivers for an upright scene when the sensor-to-display
/// rotation is `degrees` (clockwise): the upright image turned counter-clockwise by `degrees`.
pub fn to_sensor(upright: &Gray, degrees: u32) -> Gray {
    let (w, h) = (upright.width, upright.height);
    let (sw, sh) = if degrees % 180 == 90 { (h, w) } else { (w, h) };
    let mut out = vec![0u8; (w * h) as usize];
    for y in 0..h {
        for x in 0..w {
            // Upright (x, y) comes from sensor (sx, sy): inverse of the clockwise display map.
            let (sx, sy) = match degrees {
                0 => (x, y),
                90 => (y, w - 1 - x),
                180 => (w - 1 - x, h - 1 - y),
                270 => (h - 1 - y, x),
                _ => panic!("bad rotation {degrees}"),
            };
            out[(sy * sw + sx) as usize] = upright.get(x, y);
        }
    }
    Gray {
        pixels: out,
        width: sw,
        height: sh,
    }
}
