//! A transposed, zero-copy view of a luma image for rxing's linear readers.
//!
//! Without TryHarder the 1D readers sample about fifteen rows, so gathering those rows from
//! the sensor image's columns on demand is far cheaper than transposing the whole frame.
use rxing::common::Result;
use rxing::{Exceptions, LuminanceSource};
use std::borrow::Cow;

/// Row `r` of this source is column `r` of the underlying image (restricted to the view).
#[derive(Debug, Clone)]
pub(crate) struct TransposedLuma<'a> {
    /// The underlying image, tightly packed rows of `stride` bytes.
    data: &'a [u8],
    stride: usize,
    /// View origin and size in transposed coordinates.
    left: usize,
    top: usize,
    width: usize,
    height: usize,
    inverted: bool,
}

impl<'a> TransposedLuma<'a> {
    /// Views a `width` x `height` image transposed (so the view is `height` wide). `None`
    /// when the slice is shorter than the size says.
    pub fn new(data: &'a [u8], width: u32, height: u32) -> Option<Self> {
        let (w, h) = (width as usize, height as usize);
        if data.len() < w.checked_mul(h)? {
            return None;
        }
        Some(TransposedLuma {
            data,
            stride: w,
            left: 0,
            top: 0,
            width: h,
            height: w,
            inverted: false,
        })
    }

    /// The underlying pixel at transposed view coordinates (x, y).
    fn at(&self, x: usize, y: usize) -> u8 {
        // Transposed (x, y) is underlying (column y, row x), both offset by the view origin.
        let v = self.data[(self.left + x) * self.stride + self.top + y];
        if self.inverted {
            255 - v
        } else {
            v
        }
    }
}

impl LuminanceSource for TransposedLuma<'_> {
    const SUPPORTS_CROP: bool = true;

    fn get_row(&self, y: usize) -> Option<Cow<'_, [u8]>> {
        (y < self.height).then(|| Cow::Owned((0..self.width).map(|x| self.at(x, y)).collect()))
    }

    fn get_column(&self, x: usize) -> Cow<'_, [u8]> {
        if x >= self.width {
            return Cow::Owned(Vec::new());
        }
        // A transposed column is a contiguous underlying row.
        let start = (self.left + x) * self.stride + self.top;
        let column = &self.data[start..start + self.height];
        if self.inverted {
            Cow::Owned(column.iter().map(|v| 255 - v).collect())
        } else {
            Cow::Borrowed(column)
        }
    }

    fn get_matrix(&self) -> Cow<'_, [u8]> {
        let mut out = Vec::with_capacity(self.width * self.height);
        for y in 0..self.height {
            out.extend((0..self.width).map(|x| self.at(x, y)));
        }
        Cow::Owned(out)
    }

    fn get_width(&self) -> usize {
        self.width
    }

    fn get_height(&self) -> usize {
        self.height
    }

    fn invert(&mut self) {
        self.inverted = !self.inverted;
    }

    fn crop(&self, left: usize, top: usize, width: usize, height: usize) -> Result<Self> {
        if left.saturating_add(width) > self.width || top.saturating_add(height) > self.height {
            return Err(Exceptions::illegal_argument_with(
                "crop rectangle does not fit the transposed view",
            ));
        }
        Ok(TransposedLuma {
            left: self.left + left,
            top: self.top + top,
            width,
            height,
            ..self.clone()
        })
    }

    fn get_luma8_point(&self, x: usize, y: usize) -> u8 {
        self.at(x, y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_of_the_view_are_columns_of_the_image() {
        // 3 wide, 2 high: 1 2 3 / 4 5 6.
        let t = TransposedLuma::new(&[1, 2, 3, 4, 5, 6], 3, 2).unwrap();
        assert_eq!((t.get_width(), t.get_height()), (2, 3));
        assert_eq!(t.get_row(0).unwrap().as_ref(), &[1, 4]);
        assert_eq!(t.get_row(2).unwrap().as_ref(), &[3, 6]);
        assert_eq!(t.get_column(1).as_ref(), &[4, 5, 6]);
        assert_eq!(t.get_matrix().as_ref(), &[1, 4, 2, 5, 3, 6]);
        assert!(t.get_row(3).is_none());
    }

    #[test]
    fn crops_and_inversion_apply_in_view_coordinates() {
        let mut t = TransposedLuma::new(&[1, 2, 3, 4, 5, 6], 3, 2)
            .unwrap()
            .crop(1, 1, 1, 2)
            .unwrap();
        assert_eq!(t.get_matrix().as_ref(), &[5, 6]);
        t.invert();
        assert_eq!(t.get_row(0).unwrap().as_ref(), &[250]);
        assert!(t.crop(0, 0, 2, 1).is_err());
    }

    #[test]
    fn refuses_a_slice_shorter_than_its_size() {
        assert!(TransposedLuma::new(&[0; 5], 3, 2).is_none());
    }
}
