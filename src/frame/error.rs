//! Why a frame was refused: one variant per thing the app can fix on its side.
use super::geometry::Rect;
use std::fmt;

/// Which plane of a frame an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaneId {
    /// The luma (Y or Gray8) plane.
    Y,
    /// The interleaved chroma plane of NV12 (UV) or NV21 (VU).
    Chroma,
    /// The U (Cb) plane of I420 or YUV_420_888.
    U,
    /// The V (Cr) plane of I420 or YUV_420_888.
    V,
    /// The single plane of a BGRA8888 / RGBA8888 frame.
    Color,
}

impl fmt::Display for PlaneId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PlaneId::Y => "Y",
            PlaneId::Chroma => "chroma",
            PlaneId::U => "U",
            PlaneId::V => "V",
            PlaneId::Color => "colour",
        })
    }
}

/// A frame the scanner cannot read as described.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("frame has zero size ({width}x{height})")]
    ZeroSize { width: u32, height: u32 },
    #[error(
        "frame {width}x{height} is larger than the cap of {max_pixels} pixels or {max_side} per side"
    )]
    TooLarge {
        width: u32,
        height: u32,
        max_pixels: u64,
        max_side: u32,
    },
    #[error("{plane} plane row stride {row_stride} is smaller than the {min} bytes one row needs")]
    StrideTooSmall {
        plane: PlaneId,
        row_stride: usize,
        min: usize,
    },
    #[error("{plane} plane pixel stride {pixel_stride} is not 1 or 2")]
    BadPixelStride { plane: PlaneId, pixel_stride: usize },
    #[error("{plane} plane holds {len} bytes but its rows need {needed}")]
    BufferTooShort {
        plane: PlaneId,
        len: usize,
        needed: usize,
    },
    #[error("rotation {degrees} is not one of 0, 90, 180, 270")]
    BadRotation { degrees: u32 },
    #[error("crop {crop} is empty or reaches outside the {width}x{height} display frame")]
    CropOutside { crop: Rect, width: u32, height: u32 },
}
