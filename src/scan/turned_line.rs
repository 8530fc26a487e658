//! Scan lines at any angle, for linear codes whose bars are turned against the image axes: the
//! direction across the bars around a point, and a line in that direction sampled across
//! the whole image.
//!
//! A row through a symbol turned 30 degrees leaves it through its top or bottom after a few
//! characters (a pay code is about four times longer than high), and averaging neighbouring
//! rows smears its narrow elements. A line across the bars at their own angle, each sample
//! averaged along the bar direction, sees the whole symbol as sharp as an upright one.

/// Samples averaged along the bars for each point of a turned line (as `2 * 2 + 1` rows
/// are for a straight one, so that thresholds mean the same).
const ALONG_BARS: i32 = 2;

/// A line through the image: the point at `along` pixels from its origin is
/// `origin + along * direction`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TurnedLine {
    pub origin: (f32, f32),
    /// Unit vector across the bars.
    pub direction: (f32, f32),
}

impl TurnedLine {
    /// The line through `through` in `direction` (a unit vector), at most `reach` pixels to
    /// either side of it, clipped to a `width` x `height` image: its origin is where it
    /// starts. `None` when it misses the image.
    pub fn across(
        through: (f32, f32),
        direction: (f32, f32),
        reach: f32,
        (width, height): (usize, usize),
    ) -> Option<(TurnedLine, usize)> {
        let (w, h) = (width as f32, height as f32);
        let (mut t0, mut t1) = (-reach, reach);
        for (p, d, size) in [(through.0, direction.0, w), (through.1, direction.1, h)] {
            if d.abs() < 1e-6 {
                if !(0.0..size).contains(&p) {
                    return None;
                }
                continue;
            }
            let (a, b) = ((0.0 - p) / d, (size - p) / d);
            t0 = t0.max(a.min(b));
            t1 = t1.min(a.max(b));
        }
        if !(t0.is_finite() && t1.is_finite()) || t1 - t0 < 2.0 || t1 - t0 > 1e6 {
            return None;
        }
        let origin = (through.0 + t0 * direction.0, through.1 + t0 * direction.1);
        Some((TurnedLine { origin, direction }, (t1 - t0) as usize))
    }

    pub fn point(&self, along: f32) -> (f32, f32) {
        (
            self.origin.0 + along * self.direction.0,
            self.origin.1 + along * self.direction.1,
        )
    }

    /// Writes `len` samples of the line into `out`, each the sum of `2 * ALONG_BARS + 1`
    /// bilinear samples spaced a pixel apart across the line (along the bars).
    pub fn sample(&self, luma: &[u8], width: usize, height: usize, len: usize, out: &mut Vec<u16>) {
        out.clear();
        let (dx, dy) = self.direction;
        let (bx, by) = (-dy, dx);
        for i in 0..len {
            let (x, y) = self.point(i as f32 + 0.5);
            let mut sum = 0.0;
            for k in -ALONG_BARS..=ALONG_BARS {
                let k = k as f32;
                sum += bilinear(luma, width, height, x + k * bx, y + k * by);
            }
            out.push(sum.round() as u16);
        }
    }
}

/// The luma at a point (pixel centres at half-integers), interpolated between the four
/// nearest pixels; points outside take the nearest border pixel.
fn bilinear(luma: &[u8], width: usize, height: usize, x: f32, y: f32) -> f32 {
    let fx = (x - 0.5).clamp(0.0, (width - 1) as f32);
    let fy = (y - 0.5).clamp(0.0, (height - 1) as f32);
    let (ix, iy) = (fx as usize, fy as usize);
    let (ax, ay) = (fx - ix as f32, fy - iy as f32);
    let (ix1, iy1) = ((ix + 1).min(width - 1), (iy + 1).min(height - 1));
    let at = |x: usize, y: usize| f32::from(luma[y * width + x]);
    let top = at(ix, iy) * (1.0 - ax) + at(ix1, iy) * ax;
    let bottom = at(ix, iy1) * (1.0 - ax) + at(ix1, iy1) * ax;
    top * (1.0 - ay) + bottom * ay
}

/// Smallest coherence (0: no preferred direction, 1: parallel edges only) of the gradients
/// around a point for it to count as bars.
const MIN_COHERENCE: f32 = 0.5;

/// The direction across parallel bars around `(x, y)`, from the gradients in a square of
/// `radius` pixels (the dominant orientation of the structure tensor), as a unit vector
/// pointing right (or down, when exactly vertical). `None` when the gradients there have no
/// clear common direction or the square is off the image.
pub(crate) fn across_bars(
    luma: &[u8],
    width: usize,
    height: usize,
    (x, y): (f32, f32),
    radius: usize,
) -> Option<(f32, f32)> {
    if width < 3 || height < 3 || luma.len() < width * height || !(x >= 0.0 && y >= 0.0) {
        return None;
    }
    let (cx, cy) = (x as usize, y as usize);
    let (x0, x1) = (
        cx.saturating_sub(radius).max(1),
        (cx + radius).min(width - 2),
    );
    let (y0, y1) = (
        cy.saturating_sub(radius).max(1),
        (cy + radius).min(height - 2),
    );
    if x0 > x1 || y0 > y1 {
        return None;
    }
    let (mut xx, mut yy, mut xy) = (0i64, 0i64, 0i64);
    for r in y0..=y1 {
        let row = &luma[r * width..(r + 1) * width];
        let up = &luma[(r - 1) * width..r * width];
        let down = &luma[(r + 1) * width..(r + 2) * width];
        let p = |line: &[u8], c: usize| i64::from(line[c]);
        for c in x0..=x1 {
            // Scharr's kernel: far closer to isotropic than a plain difference, which leans
            // hard-edged bars at 40 degrees by two more.
            let gx = 3 * (p(up, c + 1) - p(up, c - 1) + p(down, c + 1) - p(down, c - 1))
                + 10 * (p(row, c + 1) - p(row, c - 1));
            let gy = 3 * (p(down, c - 1) - p(up, c - 1) + p(down, c + 1) - p(up, c + 1))
                + 10 * (p(down, c) - p(up, c));
            xx += gx * gx;
            yy += gy * gy;
            xy += gx * gy;
        }
    }
    let (xx, yy, xy) = (xx as f32, yy as f32, xy as f32);
    let energy = xx + yy;
    if energy <= 0.0 {
        return None;
    }
    let coherence = ((xx - yy).powi(2) + 4.0 * xy * xy).sqrt() / energy;
    if coherence < MIN_COHERENCE {
        return None;
    }
    let angle = 0.5 * (2.0 * xy).atan2(xx - yy);
    let (s, c) = angle.sin_cos();
    Some(if c > 1e-6 || (c.abs() <= 1e-6 && s > 0.0) {
        (c, s)
    } else {
        (-c, -s)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bars `period` pixels apart whose normal points at `angle` radians.
    fn bars(width: usize, height: usize, angle: f32, period: f32) -> Vec<u8> {
        let (s, c) = angle.sin_cos();
        (0..width * height)
            .map(|i| {
                let (x, y) = ((i % width) as f32 + 0.5, (i / width) as f32 + 0.5);
                let u = x * c + y * s;
                if (u / period).rem_euclid(1.0) < 0.5 {
                    30
                } else {
                    220
                }
            })
            .collect()
    }

    #[test]
    fn finds_the_direction_across_turned_bars() {
        for degrees in [-40.0f32, -25.0, -10.0, 0.0, 15.0, 30.0, 40.0] {
            let angle = degrees.to_radians();
            let img = bars(120, 90, angle, 7.0);
            let (dx, dy) = across_bars(&img, 120, 90, (60.0, 45.0), 12).expect("bars");
            let found = dy.atan2(dx).to_degrees();
            assert!((found - degrees).abs() < 1.0, "{degrees}: found {found}");
        }
        // A flat image and random pixels have no direction.
        assert_eq!(across_bars(&[128; 900], 30, 30, (15.0, 15.0), 8), None);
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let noise: Vec<u8> = (0..900)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed >> 32) as u8
            })
            .collect();
        assert_eq!(across_bars(&noise, 30, 30, (15.0, 15.0), 8), None);
        // Off the image or too small: nothing, no panic.
        assert_eq!(across_bars(&img_of(5), 5, 5, (-1.0, 2.0), 3), None);
        assert_eq!(across_bars(&img_of(2), 2, 2, (1.0, 1.0), 3), None);
        assert_eq!(across_bars(&[0; 3], 5, 5, (1.0, 1.0), 3), None);
    }

    fn img_of(side: usize) -> Vec<u8> {
        vec![100; side * side]
    }

    #[test]
    fn a_line_is_clipped_to_the_image_and_sampled_along_the_bars() {
        let (line, len) = TurnedLine::across((50.0, 20.0), (1.0, 0.0), 1e3, (100, 40)).unwrap();
        assert_eq!((line.origin, len), ((0.0, 20.0), 100));
        let d = (0.6f32, 0.8f32);
        let (line, len) = TurnedLine::across((50.0, 20.0), d, 1e3, (100, 40)).unwrap();
        let (a, b) = (line.point(0.0), line.point(len as f32));
        assert!(
            (a.1 - 0.0).abs() < 1e-3 && (b.1 - 40.0).abs() < 1.0,
            "{a:?} {b:?}"
        );
        // Reach limits the line to a stretch around the point.
        let (line, len) = TurnedLine::across((50.0, 20.0), (1.0, 0.0), 10.0, (100, 40)).unwrap();
        assert_eq!((line.origin, len), ((40.0, 20.0), 20));
        assert_eq!(
            TurnedLine::across((150.0, 20.0), (0.0, 1.0), 1e3, (100, 40)),
            None
        );
        // Across bars turned 30 degrees the samples alternate with the bars' period.
        let angle = 30f32.to_radians();
        let img = bars(200, 120, angle, 10.0);
        let (line, len) =
            TurnedLine::across((100.0, 60.0), (angle.cos(), angle.sin()), 1e3, (200, 120)).unwrap();
        let mut out = Vec::new();
        line.sample(&img, 200, 120, len, &mut out);
        assert_eq!(out.len(), len);
        let dark = out.iter().filter(|&&v| v < 5 * 125).count();
        assert!(
            (dark as f32 / len as f32 - 0.5).abs() < 0.1,
            "{dark} of {len}"
        );
        let flips = out
            .windows(2)
            .filter(|w| (w[0] < 625) != (w[1] < 625))
            .count();
        let expected = 2.0 * len as f32 / 10.0;
        assert!(
            (flips as f32 - expected).abs() <= 3.0,
            "{flips} vs {expected}"
        );
    }
}
