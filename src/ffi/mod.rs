//! The thin UniFFI surface: exported functions, records and errors that wrap the plain Rust
//! modules. Nothing here decides anything; it converts at the boundary (see
//! `docs/adr/0005-ffi-surface-and-errors.md`).
//!
//! One file per area, each with its own small error enum. Every export runs inside
//! [`guard::guarded`], so a panic becomes the area's `Internal` variant instead of an untyped
//! exception on the foreign side.

mod amount;
mod guard;
mod picture;
mod version;

pub use amount::{format_amount, parse_amount, Amount, AmountError};
pub use picture::{
    encode_luma_png, render_code, LumaPngError, RenderCodeError, RenderedCode, Symbology,
};
pub use version::hutong_version;
