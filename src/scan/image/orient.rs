//! EXIF orientation on luma: half turns and flips in place, quarter turns into one new buffer
//! (the only extra copy a decode makes, and it is 1 byte per pixel).
use image::metadata::Orientation;
use image::{DynamicImage, GrayImage};

/// Whether `orientation` swaps width and height (and so needs a second luma buffer).
pub(super) fn is_quarter_turn(orientation: Orientation) -> bool {
    matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

/// Makes stored luma upright; returns the pixels and the upright size.
pub(super) fn apply(
    luma: Vec<u8>,
    width: u32,
    height: u32,
    orientation: Orientation,
) -> (Vec<u8>, u32, u32) {
    if orientation == Orientation::NoTransforms {
        return (luma, width, height);
    }
    let Some(gray) = GrayImage::from_raw(width, height, luma) else {
        // Unreachable: every decoder fills exactly width x height bytes.
        return (Vec::new(), 0, 0);
    };
    let mut image = DynamicImage::ImageLuma8(gray);
    image.apply_orientation(orientation);
    let upright = image.into_luma8();
    let (w, h) = upright.dimensions();
    (upright.into_raw(), w, h)
}
