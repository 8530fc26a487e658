//! Camera frames and images as borrowed luma views: validation of planes, strides, rotation and crop.
//!
//! A [`Frame`] borrows the app's buffer; constructors check every size and stride up front so
//! nothing downstream can read out of bounds. Scanning needs only luma: YUV layouts validate
//! their chroma planes and then use the Y plane; BGRA/RGBA are converted to luma once.
mod error;
mod geometry;
mod layout;
// Synthetic pictures for tests, benches, fuzzing and the QA demo; never in an app build.
#[cfg(any(test, feature = "test-hooks"))]
pub mod synth;

pub use error::{FrameError, PlaneId};
pub use geometry::{Point, Rect, Rotation};
pub use layout::{Frame, Plane, MAX_PIXELS, MAX_SIDE};

#[cfg(test)]
mod tests;
