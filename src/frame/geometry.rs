//! Rotation, rectangles and points, and the maps between sensor and upright display space.
use super::error::FrameError;
use std::fmt;

/// Clockwise rotation that turns the sensor image upright on the display
/// (Android `ImageInfo.rotationDegrees`, iOS video orientation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rotation {
    #[default]
    R0,
    R90,
    R180,
    R270,
}

impl Rotation {
    pub fn from_degrees(degrees: u32) -> Result<Self, FrameError> {
        match degrees {
            0 => Ok(Rotation::R0),
            90 => Ok(Rotation::R90),
            180 => Ok(Rotation::R180),
            270 => Ok(Rotation::R270),
            _ => Err(FrameError::BadRotation { degrees }),
        }
    }

    pub fn degrees(self) -> u32 {
        match self {
            Rotation::R0 => 0,
            Rotation::R90 => 90,
            Rotation::R180 => 180,
            Rotation::R270 => 270,
        }
    }

    /// True when display width and height are the sensor's swapped.
    pub fn swaps_axes(self) -> bool {
        matches!(self, Rotation::R90 | Rotation::R270)
    }

    /// Display size of a sensor image of `width` x `height`.
    pub fn display_size(self, width: u32, height: u32) -> (u32, u32) {
        if self.swaps_axes() {
            (height, width)
        } else {
            (width, height)
        }
    }

    /// Maps a point in sensor space (continuous coordinates, pixel edges at integers)
    /// of a `width` x `height` sensor image to upright display space.
    pub fn sensor_to_display(self, p: Point, width: u32, height: u32) -> Point {
        let (w, h) = (width as f32, height as f32);
        match self {
            Rotation::R0 => p,
            Rotation::R90 => Point { x: h - p.y, y: p.x },
            Rotation::R180 => Point {
                x: w - p.x,
                y: h - p.y,
            },
            Rotation::R270 => Point { x: p.y, y: w - p.x },
        }
    }

    /// Maps a rectangle given in display space back to the sensor rectangle that shows it.
    /// The caller guarantees `r` lies inside the display frame.
    pub fn display_rect_to_sensor(self, r: Rect, width: u32, height: u32) -> Rect {
        match self {
            Rotation::R0 => r,
            Rotation::R90 => Rect {
                x: r.y,
                y: height - r.x - r.width,
                width: r.height,
                height: r.width,
            },
            Rotation::R180 => Rect {
                x: width - r.x - r.width,
                y: height - r.y - r.height,
                width: r.width,
                height: r.height,
            },
            Rotation::R270 => Rect {
                x: width - r.y - r.height,
                y: r.x,
                width: r.height,
                height: r.width,
            },
        }
    }
}

/// An axis-aligned rectangle in whole pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl Rect {
    pub fn new(x: u32, y: u32, width: u32, height: u32) -> Self {
        Rect {
            x,
            y,
            width,
            height,
        }
    }

    /// True when the rectangle is non-empty and lies inside a `width` x `height` frame.
    pub fn fits_in(&self, width: u32, height: u32) -> bool {
        let right = u64::from(self.x) + u64::from(self.width);
        let bottom = u64::from(self.y) + u64::from(self.height);
        self.width > 0 && self.height > 0 && right <= width.into() && bottom <= height.into()
    }
}

impl fmt::Display for Rect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}x{} at ({}, {})",
            self.width, self.height, self.x, self.y
        )
    }
}

/// A point in pixel coordinates (top-left origin, x right, y down).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

impl Point {
    pub fn new(x: f32, y: f32) -> Self {
        Point { x, y }
    }
}
