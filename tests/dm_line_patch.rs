//! rxing patch 16 (third_party/rxing/PATCHES.md): the Data Matrix detector's regression line
//! keeps running sums, so the fit it makes every 50 traced points no longer walks every point.
//! The fit from the sums must be the fit from the points: same normal and offset on long noisy
//! lines far from the origin (where f32 sums of squares would lose their digits), after points
//! are taken back, and after a reset.
use rxing::common::cpp_essentials::dm_regression_line::DMRegressionLine;
use rxing::common::cpp_essentials::regression_line_trait::RegressionLineTrait;
use rxing::Point;

/// A line of `n` points from (x0, y0) along (dx, dy), jittered by up to half a pixel across.
fn traced(n: usize, x0: f32, y0: f32, dx: f32, dy: f32, seed: u64) -> Vec<Point> {
    let mut state = seed;
    (0..n)
        .map(|i| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let jitter = ((state >> 33) as f32 / (1u64 << 31) as f32) - 0.5;
            let t = i as f32;
            Point {
                x: (x0 + t * dx - jitter * dy).round(),
                y: (y0 + t * dy + jitter * dx).round(),
            }
        })
        .collect()
}

/// (a, b, c) of the line fitted by walking `points` (rxing's own `evaluate`, unpatched).
fn walked(points: &[Point], inward: Point) -> (f32, f32, f32) {
    let mut line = DMRegressionLine::default();
    line.setDirectionInward(inward);
    line.evaluate(points);
    (line.a(), line.b(), line.c())
}

fn assert_same_fit(line: &DMRegressionLine, inward: Point, what: &str) {
    let (a, b, c) = walked(line.points(), inward);
    assert!((line.a() - a).abs() < 1e-4, "{what}: a {} vs {a}", line.a());
    assert!((line.b() - b).abs() < 1e-4, "{what}: b {} vs {b}", line.b());
    // c is a distance from the origin: compare it relative to the coordinates' size.
    assert!((line.c() - c).abs() < 0.05, "{what}: c {} vs {c}", line.c());
}

#[test]
fn the_fit_from_running_sums_is_the_fit_from_the_points() {
    let cases = [
        (8000, 3.0, 12.0, 0.0, 1.0),       // a tall vertical edge
        (16000, 16380.0, 5.0, -1.0, 0.02), // far from the origin, almost horizontal
        (3000, 9000.0, 9000.0, 0.6, 0.8),  // slanted
        (60, 100.0, 200.0, 0.6, -0.8),     // a short edge, as in every real symbol
    ];
    for (seed, &(n, x0, y0, dx, dy)) in cases.iter().enumerate() {
        let points = traced(n, x0, y0, dx, dy, seed as u64);
        let inward = Point { x: -dy, y: dx };
        let mut line = DMRegressionLine::default();
        line.setDirectionInward(inward);
        for (i, &p) in points.iter().enumerate() {
            line.add(p).unwrap();
            // As `EdgeTracer::traceLine` does: a fit every 50 points.
            if i % 50 == 9 {
                line.evaluate_max_distance(None, None);
                assert_same_fit(
                    &line,
                    inward,
                    &format!("case {seed} after {} points", i + 1),
                );
            }
        }
        for _ in 0..n / 3 {
            line.pop_back();
        }
        line.evaluate_max_distance(None, None);
        assert_same_fit(
            &line,
            inward,
            &format!("case {seed} after taking points back"),
        );
        // Outliers dropped and the survivors kept: the sums follow the new points.
        line.evaluate_max_distance(Some(0.4), Some(true));
        line.evaluate_max_distance(None, None);
        assert_same_fit(
            &line,
            inward,
            &format!("case {seed} after dropping outliers"),
        );
        line.reset();
        line.setDirectionInward(inward);
        for &p in &points[..20] {
            line.add(p).unwrap();
        }
        line.evaluate_max_distance(None, None);
        assert_same_fit(&line, inward, &format!("case {seed} after a reset"));
    }
}
