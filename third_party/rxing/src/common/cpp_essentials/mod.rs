mod base_extentions;

pub mod bitmatrix_cursor;
pub mod bitmatrix_cursor_trait;
pub mod concentric_finder;
#[cfg(feature = "decoders")]
pub mod decoder_result;
pub mod direction;
pub mod dm_regression_line;
pub mod edge_tracer;
pub mod fast_edge_to_edge_counter;
pub mod matrix;
pub mod pattern;
mod point_pool;
pub mod regression_line;
pub mod regression_line_trait;
pub mod step_result;
pub mod structured_append;
pub mod util;
pub mod value;

pub use bitmatrix_cursor_trait::*;
pub use concentric_finder::*;
#[cfg(feature = "decoders")]
pub use decoder_result::*;
pub use direction::*;
pub use dm_regression_line::*;
pub use edge_tracer::*;
pub use fast_edge_to_edge_counter::*;
pub use matrix::*;
pub use pattern::*;
pub use regression_line::*;
pub use regression_line_trait::*;
pub use step_result::*;
pub use structured_append::*;
pub use util::*;
pub use value::*;

mod byte_matrix;
pub use byte_matrix::*;
