//! A second sampling of a Data Matrix symbol whose modules are not evenly spaced, placed by
//! its own timing patterns.
//!
//! rxing samples a symbol through one perspective transform of its four corners, which puts
//! every module at an even pitch between opposite edges. A symbol printed or scaled unevenly
//! (module widths growing from 2 to 4 pixels across multi-1/multi-dm.png) then samples a
//! module off by the middle and fails Reed-Solomon. The top row and the right column of a
//! Data Matrix symbol alternate black and white one module at a time, so their transitions
//! say where each column and each row really is. When a plain sample fails to decode, we read
//! those two timing patterns along the edges, place every module centre between the measured
//! boundaries, and sample again. The error correction still has the final word on the result.
use rxing::common::{BitMatrix, PerspectiveTransform, Quadrilateral};
use rxing::Point;

/// Samples per module when reading a timing pattern along an edge.
const STEPS_PER_MODULE: usize = 8;

/// Re-samples a `width` x `height` module symbol whose corners (top-left, top-right,
/// bottom-right, bottom-left, as rxing's detector gives them) are `corners`, with module
/// centres taken from its timing patterns. `None` when the timing patterns do not show the
/// expected number of modules (then there is nothing better to try).
pub(crate) fn resample_by_timing(
    image: &BitMatrix,
    corners: &[Point],
    width: u32,
    height: u32,
) -> Option<BitMatrix> {
    let &[tl, tr, br, bl] = corners else {
        return None;
    };
    if !(8..=144).contains(&width) || !(8..=144).contains(&height) {
        return None;
    }
    let (w, h) = (width as f32, height as f32);
    let module_space = Quadrilateral::new(
        Point::new(0.0, 0.0),
        Point::new(w, 0.0),
        Point::new(w, h),
        Point::new(0.0, h),
    );
    let to_pixel = PerspectiveTransform::quadrilateralToQuadrilateral(
        module_space,
        Quadrilateral::new(tl, tr, br, bl),
    )
    .ok()?;
    let black_at = |x: f32, y: f32| {
        let p = to_pixel.transform_point(Point::new(x, y));
        p.x.is_finite()
            && p.y.is_finite()
            && p.x >= 0.0
            && p.y >= 0.0
            && image.try_get(p.x as u32, p.y as u32).unwrap_or(false)
    };
    // Top row: black at column 0, then alternating. Right column: white at row 0.
    let columns = module_centres(width, |t| black_at(t, 0.5), true)?;
    let rows = module_centres(height, |t| black_at(w - 0.5, t), false)?;
    let mut bits = BitMatrix::new(width, height).ok()?;
    for (y, &row) in rows.iter().enumerate() {
        for (x, &column) in columns.iter().enumerate() {
            if black_at(column, row) {
                bits.set(x as u32, y as u32);
            }
        }
    }
    Some(bits)
}

/// The centre of each of `count` modules along a timing pattern, in module units from the
/// edge, read through `black(t)` at `t` in `0..count`. The pattern starts black
/// (`starts_black`) or white and alternates every module, so it must show exactly
/// `count - 1` colour changes; their positions bound the modules.
fn module_centres(count: u32, black: impl Fn(f32) -> bool, starts_black: bool) -> Option<Vec<f32>> {
    let count = count as usize;
    let steps = count * STEPS_PER_MODULE;
    let at = |i: usize| (i as f32 + 0.5) / STEPS_PER_MODULE as f32;
    let mut bounds = Vec::with_capacity(count + 1);
    bounds.push(0.0);
    let mut colour = black(at(0));
    if colour != starts_black {
        return None;
    }
    for i in 1..steps {
        let c = black(at(i));
        if c != colour {
            // The boundary lies between the two samples.
            bounds.push((at(i - 1) + at(i)) / 2.0);
            colour = c;
        }
    }
    bounds.push(count as f32);
    if bounds.len() != count + 1 {
        return None;
    }
    Some(bounds.windows(2).map(|b| (b[0] + b[1]) / 2.0).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 10x10 module pattern drawn with uneven module widths (2 to 5 pixels across), the
    /// corners of its outline, and the pattern itself.
    fn uneven_symbol() -> (BitMatrix, [Point; 4], BitMatrix) {
        let modules = 10u32;
        let mut pattern = BitMatrix::new(modules, modules).unwrap();
        for y in 0..modules {
            for x in 0..modules {
                let top_timing = y == 0 && x % 2 == 0;
                let right_timing = x == modules - 1 && y % 2 == 1;
                let l_shape = x == 0 || y == modules - 1;
                let data =
                    x > 0 && y > 0 && x < modules - 1 && y < modules - 1 && (x * 7 + y * 3) % 5 < 2;
                if top_timing || right_timing || l_shape || data {
                    pattern.set(x, y);
                }
            }
        }
        // Column widths 2, 2, 3, 3, 3, 4, 4, 4, 5, 5 pixels; rows an even 3 pixels.
        let widths = [2u32, 2, 3, 3, 3, 4, 4, 4, 5, 5];
        let total: u32 = widths.iter().sum();
        let (margin, row_px) = (4u32, 3u32);
        let mut image = BitMatrix::new(total + 2 * margin, modules * row_px + 2 * margin).unwrap();
        let mut x0 = margin;
        for (mx, &wpx) in widths.iter().enumerate() {
            for my in 0..modules {
                if pattern.get(mx as u32, my) {
                    for dy in 0..row_px {
                        for dx in 0..wpx {
                            image.set(x0 + dx, margin + my * row_px + dy);
                        }
                    }
                }
            }
            x0 += wpx;
        }
        let (l, t) = (margin as f32, margin as f32);
        let (r, b) = ((margin + total) as f32, (margin + modules * row_px) as f32);
        let corners = [
            Point::new(l, t),
            Point::new(r, t),
            Point::new(r, b),
            Point::new(l, b),
        ];
        (image, corners, pattern)
    }

    #[test]
    fn uneven_modules_are_sampled_where_the_timing_pattern_puts_them() {
        let (image, corners, pattern) = uneven_symbol();
        let resampled = resample_by_timing(&image, &corners, 10, 10).expect("timing patterns read");
        assert_eq!(resampled, pattern);
        // An even-pitch sample of the same outline gets modules wrong: the case this is for.
        let to_pixel = PerspectiveTransform::quadrilateralToQuadrilateral(
            Quadrilateral::new(
                Point::new(0.0, 0.0),
                Point::new(10.0, 0.0),
                Point::new(10.0, 10.0),
                Point::new(0.0, 10.0),
            ),
            Quadrilateral::new(corners[0], corners[1], corners[2], corners[3]),
        )
        .unwrap();
        let mut even = BitMatrix::new(10, 10).unwrap();
        for y in 0..10 {
            for x in 0..10 {
                let p = to_pixel.transform_point(Point::new(x as f32 + 0.5, y as f32 + 0.5));
                if image.get(p.x as u32, p.y as u32) {
                    even.set(x, y);
                }
            }
        }
        assert_ne!(even, pattern);
    }

    #[test]
    fn a_wrong_module_count_or_odd_input_gives_nothing() {
        let (image, corners, _) = uneven_symbol();
        // The timing patterns show 10 modules, not 12.
        assert!(resample_by_timing(&image, &corners, 12, 12).is_none());
        // Too few corners, sizes out of range, corners far outside the image.
        assert!(resample_by_timing(&image, &corners[..3], 10, 10).is_none());
        assert!(resample_by_timing(&image, &corners, 0, 10).is_none());
        assert!(resample_by_timing(&image, &corners, 10, 1000).is_none());
        let far = [
            Point::new(-1e9, -1e9),
            Point::new(1e9, -1e9),
            Point::new(1e9, 1e9),
            Point::new(f32::NAN, 1e9),
        ];
        assert!(resample_by_timing(&image, &far, 10, 10).is_none());
    }
}
