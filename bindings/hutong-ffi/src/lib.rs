//! Hutong's exported surface for Kotlin and Swift: the only crate that knows UniFFI.
//!
//! Functions, objects, records and errors here wrap `hutong_core`; nothing here decides anything,
//! it converts at the boundary (see `docs/adr/0005-ffi-surface-and-errors.md`,
//! `docs/adr/0006-async-and-foreign-traits.md` and `docs/adr/0008-crate-split.md`). This crate
//! builds `libhutong` (cdylib for Android and the JVM tests, staticlib for the iOS XCFramework).
//!
//! One file per area, each with its own small error enum. Every export runs inside
//! [`guard::guarded`], so a panic becomes the area's `Internal` variant instead of an untyped
//! exception on the foreign side.

#![deny(missing_docs)]

uniffi::setup_scaffolding!();

mod amount;
mod guard;
mod http;
mod identify;
mod payments;
mod picture;
mod registry;
mod scan;
mod session;
mod version;

pub use amount::{format_amount, parse_amount, AmountError, Money};
pub use http::{HttpHeader, HttpRequest, HttpResponse, HttpTransport, HttpTransportError};
pub use identify::{
    identify, identify_bytes, CodeInfo, CodeKind, Confidence, Expect, IdentifyContext,
    IdentifyError, PayRoute, Presentation, Receiver, RiskFlag, RouteKind,
};
pub use payments::{
    Direction, Fee, FlowListener, FundingSource, Intent, IntentState, LogLevel, Logger, PayOptions,
    PaymentTimings, Payments, PaymentsConfig, PaymentsError, Quote, Receipt, RecoverOutcome,
    Refund, RefundState, ServerRoot, Signer, SignerError, StateChange,
};
pub use picture::{
    encode_luma_png, render_code, LumaPngError, RenderCodeError, RenderedCode, Symbology,
};
pub use registry::{
    PaymentRegistry, PaymentRegistryError, RegistryInfo, RegistryKey, RegistrySource,
};
pub use scan::{
    CodeFormat, CropRect, HutongScanner, Point, ScanError, ScanOptions, ScanStats, ScannedCode,
};
pub use session::ScanSession;
pub use version::hutong_version;
