//! Rows for the linear readers, each the mean of a few neighbouring rows.
//!
//! Bars of a level 1D code run across the rows, so averaging neighbouring rows keeps the bars
//! sharp while sensor noise drops by the square root of the row count. The live linear pass
//! reads about fifteen rows (rxing without TryHarder), so this costs well under a millisecond.
use rxing::common::Result;
use rxing::LuminanceSource;
use std::borrow::Cow;

/// Rows on each side of the row asked for.
const RADIUS: usize = 2;

#[derive(Debug, Clone)]
pub(crate) struct AveragedRows<S> {
    inner: S,
}

impl<S: LuminanceSource> AveragedRows<S> {
    pub fn new(inner: S) -> Self {
        AveragedRows { inner }
    }
}

impl<S: LuminanceSource> LuminanceSource for AveragedRows<S> {
    const SUPPORTS_CROP: bool = S::SUPPORTS_CROP;

    fn get_row(&self, y: usize) -> Option<Cow<'_, [u8]>> {
        let h = self.inner.get_height();
        if y >= h {
            return None;
        }
        let (from, to) = (y.saturating_sub(RADIUS), (y + RADIUS).min(h - 1));
        let mut sum = vec![0u16; self.inner.get_width()];
        for r in from..=to {
            let row = self.inner.get_row(r)?;
            for (s, &p) in sum.iter_mut().zip(row.iter()) {
                *s += u16::from(p);
            }
        }
        let n = (to - from + 1) as u16;
        Some(Cow::Owned(
            sum.into_iter().map(|s| ((s + n / 2) / n) as u8).collect(),
        ))
    }

    fn get_column(&self, x: usize) -> Cow<'_, [u8]> {
        self.inner.get_column(x)
    }

    fn get_matrix(&self) -> Cow<'_, [u8]> {
        self.inner.get_matrix()
    }

    fn get_width(&self) -> usize {
        self.inner.get_width()
    }

    fn get_height(&self) -> usize {
        self.inner.get_height()
    }

    fn invert(&mut self) {
        self.inner.invert();
    }

    fn crop(&self, left: usize, top: usize, width: usize, height: usize) -> Result<Self> {
        Ok(AveragedRows {
            inner: self.inner.crop(left, top, width, height)?,
        })
    }

    fn get_luma8_point(&self, x: usize, y: usize) -> u8 {
        self.inner.get_luma8_point(x, y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rxing::Luma8Source;

    #[test]
    fn rows_are_the_rounded_mean_of_their_neighbours_clipped_at_the_edges() {
        // 2 wide, 4 high: rows 0, 10, 20, 31 (first column) and 255 (second).
        let data = [0, 255, 10, 255, 20, 255, 31, 255];
        let src = AveragedRows::new(Luma8Source::new_with_slice(&data, 2, 4).unwrap());
        assert_eq!(src.get_row(0).unwrap().as_ref(), &[10, 255]); // (0+10+20)/3
        assert_eq!(src.get_row(1).unwrap().as_ref(), &[15, 255]); // (0+10+20+31)/4
        assert_eq!(src.get_row(3).unwrap().as_ref(), &[20, 255]); // (10+20+31)/3
        assert!(src.get_row(4).is_none());
    }
}
