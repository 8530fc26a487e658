//! Twice the size, for QR symbols whose modules are two or three pixels (`qr.rs`'s closer
//! look): blur evens out a finder pattern's 1:1:3:1:1 runs until they fail the ratio test, and
//! the binarizer's 8-pixel blocks and the sampling grid are both coarse against such a module.
//! At twice the size both work again; WeChat's engine runs a super-resolution net on small
//! detections for the same reason.
//!
//! Measured and not kept: a last pass at twice the size for small gallery images (under 0.12
//! megapixels). It read one more corpus photo (qrcode-2/28.webp) at one of four turns, for
//! 40-90% more time on every small image without a code.

/// Scales the `width` x `height` image `src` up twice into `out` (bilinear, pixel centres kept:
/// each output pixel weighs its source pixel 3/4 and the neighbour on its side 1/4, in each
/// direction), using `wide` for the half-done rows. A point at (x, y) of the output lies at
/// (x / 2, y / 2) of the source. Returns the output size, or `None` for an empty image or a
/// `src` shorter than the size says.
pub(crate) fn enlarge_twice(
    src: &[u8],
    width: usize,
    height: usize,
    wide: &mut Vec<u16>,
    out: &mut Vec<u8>,
) -> Option<(usize, usize)> {
    if width == 0 || height == 0 || src.len() < width.checked_mul(height)? {
        return None;
    }
    let (w2, h2) = (2 * width, 2 * height);
    // Along rows first, at four times the value (at most 1020: u16).
    wide.clear();
    wide.resize(height * w2, 0);
    for (row, wide) in src.chunks_exact(width).zip(wide.chunks_exact_mut(w2)) {
        for (i, &p) in row.iter().enumerate() {
            let p = u16::from(p);
            let left = u16::from(row[i.saturating_sub(1)]);
            let right = u16::from(row[(i + 1).min(width - 1)]);
            wide[2 * i] = 3 * p + left;
            wide[2 * i + 1] = 3 * p + right;
        }
    }
    // Then along columns: each source row gives the output rows above and below its middle.
    out.clear();
    out.resize(w2 * h2, 0);
    let row = |y: usize| &wide[y * w2..(y + 1) * w2];
    for (y, pair) in out.chunks_exact_mut(2 * w2).enumerate() {
        let (here, up, down) = (
            row(y),
            row(y.saturating_sub(1)),
            row((y + 1).min(height - 1)),
        );
        let (even, odd) = pair.split_at_mut(w2);
        for x in 0..w2 {
            // At most 16 * 255 + 8: the quotient fits a byte.
            even[x] = ((3 * here[x] + up[x] + 8) / 16) as u8;
            odd[x] = ((3 * here[x] + down[x] + 8) / 16) as u8;
        }
    }
    Some((w2, h2))
}

#[cfg(test)]
mod tests {
    use super::enlarge_twice;

    #[test]
    fn flat_stays_flat_and_edges_fall_between() {
        let (mut wide, mut out) = (Vec::new(), Vec::new());
        assert_eq!(
            enlarge_twice(&[7; 6], 3, 2, &mut wide, &mut out),
            Some((6, 4))
        );
        assert!(out.iter().all(|&v| v == 7));
        // A step from 0 to 200 between columns 1 and 2: 0, 0, 50 | 150, 200, 200 per row.
        let src = [0, 0, 200, 200];
        enlarge_twice(&src, 4, 1, &mut wide, &mut out).unwrap();
        assert_eq!(&out[..8], &[0, 0, 0, 50, 150, 200, 200, 200]);
        assert_eq!(&out[8..], &out[..8]);
    }

    #[test]
    fn short_or_empty_images_are_refused() {
        let (mut wide, mut out) = (Vec::new(), Vec::new());
        assert_eq!(enlarge_twice(&[1, 2, 3], 2, 2, &mut wide, &mut out), None);
        assert_eq!(enlarge_twice(&[], 0, 5, &mut wide, &mut out), None);
    }
}
