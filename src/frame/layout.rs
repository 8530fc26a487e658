//! Borrowed camera frames: one constructor per pixel layout the platforms deliver.
//!
//! Every constructor validates sizes, strides and buffer lengths with checked arithmetic,
//! so a later read of any pixel the frame describes is always in bounds.
use super::error::{FrameError, PlaneId};
use super::geometry::{Point, Rect, Rotation};

/// Largest side accepted, in pixels.
pub const MAX_SIDE: u32 = 16_384;
/// Largest frame accepted, in pixels: a 48 MP photo fits, a forged 64k x 64k header does not.
pub const MAX_PIXELS: u64 = 50_000_000;

/// One plane of a planar YUV image as Android's `Image.Plane` describes it.
#[derive(Debug, Clone, Copy)]
pub struct Plane<'a> {
    pub data: &'a [u8],
    pub row_stride: usize,
    /// 1 for planar, 2 for interleaved chroma (semi-planar memory behind YUV_420_888).
    pub pixel_stride: usize,
}

impl<'a> Plane<'a> {
    pub fn new(data: &'a [u8], row_stride: usize, pixel_stride: usize) -> Self {
        Plane {
            data,
            row_stride,
            pixel_stride,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColorOrder {
    Bgra,
    Rgba,
}

/// Where the luma of a frame comes from. Chroma is validated but never read.
#[derive(Debug, Clone, Copy)]
enum Pixels<'a> {
    Luma {
        data: &'a [u8],
        row_stride: usize,
    },
    Color {
        data: &'a [u8],
        row_stride: usize,
        order: ColorOrder,
    },
}

/// A validated, borrowed camera frame: sensor-space pixels plus the rotation that makes them
/// upright and an optional crop (the viewfinder) in upright display coordinates.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    pixels: Pixels<'a>,
    width: u32,
    height: u32,
    rotation: Rotation,
    crop: Option<Rect>,
}

fn check_size(width: u32, height: u32) -> Result<(), FrameError> {
    if width == 0 || height == 0 {
        return Err(FrameError::ZeroSize { width, height });
    }
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(FrameError::TooLarge {
            width,
            height,
            max_pixels: MAX_PIXELS,
            max_side: MAX_SIDE,
        });
    }
    Ok(())
}

/// Bytes a plane of `rows` rows of `samples` samples needs: full strides for all rows but the
/// last, which only has to reach its last sample (Android chroma planes end one byte early).
fn check_plane(
    plane: PlaneId,
    len: usize,
    samples: u32,
    rows: u32,
    row_stride: usize,
    pixel_stride: usize,
) -> Result<(), FrameError> {
    if pixel_stride != 1 && pixel_stride != 2 && !(plane == PlaneId::Color && pixel_stride == 4) {
        return Err(FrameError::BadPixelStride {
            plane,
            pixel_stride,
        });
    }
    let samples = samples as usize;
    let rows = rows as usize;
    // Sizes were capped by check_size, so these products fit in usize on 64-bit and 32-bit alike.
    let min = samples.saturating_mul(pixel_stride);
    if row_stride < min {
        return Err(FrameError::StrideTooSmall {
            plane,
            row_stride,
            min,
        });
    }
    let last_row = (samples - 1)
        .saturating_mul(pixel_stride)
        .saturating_add(if plane == PlaneId::Color { 4 } else { 1 });
    let needed = row_stride
        .checked_mul(rows - 1)
        .and_then(|n| n.checked_add(last_row))
        .unwrap_or(usize::MAX);
    if len < needed {
        return Err(FrameError::BufferTooShort { plane, len, needed });
    }
    Ok(())
}

fn chroma_size(width: u32, height: u32) -> (u32, u32) {
    (width.div_ceil(2), height.div_ceil(2))
}

/// Splits a contiguous buffer after a full-stride plane of `rows` rows.
fn split_after(
    plane: PlaneId,
    data: &[u8],
    row_stride: usize,
    rows: u32,
) -> Result<(&[u8], &[u8]), FrameError> {
    let at = row_stride.saturating_mul(rows as usize);
    if data.len() < at {
        return Err(FrameError::BufferTooShort {
            plane,
            len: data.len(),
            needed: at,
        });
    }
    Ok(data.split_at(at))
}

impl<'a> Frame<'a> {
    fn luma(
        data: &'a [u8],
        width: u32,
        height: u32,
        row_stride: usize,
        rotation: Rotation,
    ) -> Self {
        Frame {
            pixels: Pixels::Luma { data, row_stride },
            width,
            height,
            rotation,
            crop: None,
        }
    }

    /// A Gray8 image or the Y plane of any YUV frame (enough to scan on its own).
    pub fn gray8(
        data: &'a [u8],
        width: u32,
        height: u32,
        row_stride: usize,
        rotation_degrees: u32,
    ) -> Result<Self, FrameError> {
        let rotation = Rotation::from_degrees(rotation_degrees)?;
        check_size(width, height)?;
        check_plane(PlaneId::Y, data.len(), width, height, row_stride, 1)?;
        Ok(Self::luma(data, width, height, row_stride, rotation))
    }

    /// NV21 (Android camera1 default): Y plane, then interleaved VU rows, both with `row_stride`.
    pub fn nv21(
        data: &'a [u8],
        width: u32,
        height: u32,
        row_stride: usize,
        rotation_degrees: u32,
    ) -> Result<Self, FrameError> {
        Self::semi_planar(data, width, height, row_stride, rotation_degrees)
    }

    /// NV12 (iOS bi-planar, many Android encoders): Y plane, then interleaved UV rows.
    pub fn nv12(
        data: &'a [u8],
        width: u32,
        height: u32,
        row_stride: usize,
        rotation_degrees: u32,
    ) -> Result<Self, FrameError> {
        // Luma-only scanning makes NV12 and NV21 identical; they differ in chroma order only.
        Self::semi_planar(data, width, height, row_stride, rotation_degrees)
    }

    fn semi_planar(
        data: &'a [u8],
        width: u32,
        height: u32,
        row_stride: usize,
        rotation_degrees: u32,
    ) -> Result<Self, FrameError> {
        let rotation = Rotation::from_degrees(rotation_degrees)?;
        check_size(width, height)?;
        check_plane(PlaneId::Y, data.len(), width, height, row_stride, 1)?;
        let (y, chroma) = split_after(PlaneId::Y, data, row_stride, height)?;
        let (cw, ch) = chroma_size(width, height);
        // Both samples of the last pair must be there: the row is 2*cw bytes with no gaps.
        check_plane(PlaneId::Chroma, chroma.len(), 2 * cw, ch, row_stride, 1)?;
        Ok(Self::luma(y, width, height, row_stride, rotation))
    }

    /// I420 (YUV 4:2:0 planar): Y plane, then U, then V, chroma rows `chroma_stride` apart.
    /// NV21 / NV12 whose luma and interleaved chroma planes are separate buffers, each with its
    /// own row stride (Android `Image` planes, iOS bi-planar pixel buffers).
    pub fn semi_planar_planes(
        y: &'a [u8],
        chroma: &'a [u8],
        width: u32,
        height: u32,
        y_row_stride: usize,
        chroma_row_stride: usize,
        rotation_degrees: u32,
    ) -> Result<Self, FrameError> {
        let rotation = Rotation::from_degrees(rotation_degrees)?;
        check_size(width, height)?;
        check_plane(PlaneId::Y, y.len(), width, height, y_row_stride, 1)?;
        let (cw, ch) = chroma_size(width, height);
        check_plane(
            PlaneId::Chroma,
            chroma.len(),
            2 * cw,
            ch,
            chroma_row_stride,
            1,
        )?;
        Ok(Self::luma(y, width, height, y_row_stride, rotation))
    }

    pub fn i420(
        data: &'a [u8],
        width: u32,
        height: u32,
        y_stride: usize,
        chroma_stride: usize,
        rotation_degrees: u32,
    ) -> Result<Self, FrameError> {
        let rotation = Rotation::from_degrees(rotation_degrees)?;
        check_size(width, height)?;
        check_plane(PlaneId::Y, data.len(), width, height, y_stride, 1)?;
        let (y, rest) = split_after(PlaneId::Y, data, y_stride, height)?;
        let (cw, ch) = chroma_size(width, height);
        check_plane(PlaneId::U, rest.len(), cw, ch, chroma_stride, 1)?;
        let (_, v) = split_after(PlaneId::U, rest, chroma_stride, ch)?;
        check_plane(PlaneId::V, v.len(), cw, ch, chroma_stride, 1)?;
        Ok(Self::luma(y, width, height, y_stride, rotation))
    }

    /// Android `ImageFormat.YUV_420_888`: three planes, each with its own row and pixel stride.
    pub fn yuv_420_888(
        y: Plane<'a>,
        u: Plane<'a>,
        v: Plane<'a>,
        width: u32,
        height: u32,
        rotation_degrees: u32,
    ) -> Result<Self, FrameError> {
        let rotation = Rotation::from_degrees(rotation_degrees)?;
        check_size(width, height)?;
        if y.pixel_stride != 1 {
            // Android guarantees a Y pixel stride of 1; anything else is a caller mix-up.
            return Err(FrameError::BadPixelStride {
                plane: PlaneId::Y,
                pixel_stride: y.pixel_stride,
            });
        }
        check_plane(PlaneId::Y, y.data.len(), width, height, y.row_stride, 1)?;
        let (cw, ch) = chroma_size(width, height);
        check_plane(
            PlaneId::U,
            u.data.len(),
            cw,
            ch,
            u.row_stride,
            u.pixel_stride,
        )?;
        check_plane(
            PlaneId::V,
            v.data.len(),
            cw,
            ch,
            v.row_stride,
            v.pixel_stride,
        )?;
        Ok(Self::luma(y.data, width, height, y.row_stride, rotation))
    }

    /// BGRA8888 (iOS `kCVPixelFormatType_32BGRA`).
    pub fn bgra8888(
        data: &'a [u8],
        width: u32,
        height: u32,
        row_stride: usize,
        rotation_degrees: u32,
    ) -> Result<Self, FrameError> {
        Self::color(
            data,
            width,
            height,
            row_stride,
            rotation_degrees,
            ColorOrder::Bgra,
        )
    }

    /// RGBA8888 (Android `Bitmap.Config.ARGB_8888` memory order).
    pub fn rgba8888(
        data: &'a [u8],
        width: u32,
        height: u32,
        row_stride: usize,
        rotation_degrees: u32,
    ) -> Result<Self, FrameError> {
        Self::color(
            data,
            width,
            height,
            row_stride,
            rotation_degrees,
            ColorOrder::Rgba,
        )
    }

    fn color(
        data: &'a [u8],
        width: u32,
        height: u32,
        row_stride: usize,
        rotation_degrees: u32,
        order: ColorOrder,
    ) -> Result<Self, FrameError> {
        let rotation = Rotation::from_degrees(rotation_degrees)?;
        check_size(width, height)?;
        check_plane(PlaneId::Color, data.len(), width, height, row_stride, 4)?;
        Ok(Frame {
            pixels: Pixels::Color {
                data,
                row_stride,
                order,
            },
            width,
            height,
            rotation,
            crop: None,
        })
    }

    /// Restricts scanning to `crop`, given in upright display coordinates (the viewfinder).
    pub fn with_crop(mut self, crop: Rect) -> Result<Self, FrameError> {
        let (dw, dh) = self.display_size();
        if !crop.fits_in(dw, dh) {
            return Err(FrameError::CropOutside {
                crop,
                width: dw,
                height: dh,
            });
        }
        self.crop = Some(crop);
        Ok(self)
    }

    /// Sensor width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Sensor height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    pub fn rotation(&self) -> Rotation {
        self.rotation
    }

    /// The crop in display coordinates, if any.
    pub fn crop(&self) -> Option<Rect> {
        self.crop
    }

    /// Upright display size (sensor size with axes swapped for 90/270).
    pub fn display_size(&self) -> (u32, u32) {
        self.rotation.display_size(self.width, self.height)
    }

    /// The sensor-space rectangle to scan: the crop mapped back from display space, or all.
    pub fn sensor_roi(&self) -> Rect {
        match self.crop {
            Some(c) => self
                .rotation
                .display_rect_to_sensor(c, self.width, self.height),
            None => Rect::new(0, 0, self.width, self.height),
        }
    }

    /// Maps a point measured inside the sensor ROI to upright display coordinates of the
    /// whole (uncropped) frame, which is where an app draws its overlay.
    pub fn roi_point_to_display(&self, p: Point) -> Point {
        let roi = self.sensor_roi();
        let sensor = Point::new(p.x + roi.x as f32, p.y + roi.y as f32);
        self.rotation
            .sensor_to_display(sensor, self.width, self.height)
    }

    /// Copies the luma of the sensor ROI into `out` as tightly packed rows (the one copy a
    /// frame gets: it hands the pixels to the decoder thread, see ADR 0001).
    /// Returns the ROI's width and height.
    pub fn copy_roi_luma(&self, out: &mut Vec<u8>) -> (u32, u32) {
        let roi = self.sensor_roi();
        let (x, y, w, h) = (
            roi.x as usize,
            roi.y as usize,
            roi.width as usize,
            roi.height as usize,
        );
        out.clear();
        out.reserve(w * h);
        match self.pixels {
            Pixels::Luma { data, row_stride } => {
                for row in y..y + h {
                    let start = row * row_stride + x;
                    // Validated at construction: every row reaches at least `width` samples.
                    if let Some(src) = data.get(start..start + w) {
                        out.extend_from_slice(src);
                    }
                }
            }
            Pixels::Color {
                data,
                row_stride,
                order,
            } => {
                let (ri, bi) = match order {
                    ColorOrder::Bgra => (2, 0),
                    ColorOrder::Rgba => (0, 2),
                };
                for row in y..y + h {
                    let start = row * row_stride + x * 4;
                    if let Some(src) = data.get(start..start + w * 4) {
                        out.extend(src.chunks_exact(4).map(|px| {
                            // BT.601 luma in fixed point: no floats on the hot path.
                            let l = 77 * u32::from(px[ri])
                                + 150 * u32::from(px[1])
                                + 29 * u32::from(px[bi]);
                            ((l + 128) >> 8) as u8
                        }));
                    }
                }
            }
        }
        // Unreachable by construction; keeps the length contract even if it were not.
        out.resize(w * h, 0);
        (roi.width, roi.height)
    }
}
