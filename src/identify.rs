//! The one composing step from a payload to what the app shows: `registry` says what the code is
//! and who issued it (parsing it with `codes`), then `risk` says what to warn about. `route` runs
//! on the result where a wallet is known (the flow's checks, the FFI's `canPay`). None of these
//! modules imports the one after it; only this one sees them all.

use crate::registry::{Context, PaymentCode, Registry};
use crate::risk;

/// Identifies `text` with the built-in table and a default context.
pub fn identify(text: &str) -> PaymentCode {
    identify_with(Registry::builtin(), text, &Context::default())
}

/// Identifies raw QR bytes with the built-in table and a default context.
pub fn identify_bytes(raw: &[u8]) -> PaymentCode {
    identify_bytes_with(Registry::builtin(), raw, &Context::default())
}

/// Identifies a decoded text payload with `registry` (built-in, overlaid or from a bundle).
pub fn identify_with(registry: &Registry, text: &str, ctx: &Context) -> PaymentCode {
    let (mut code, link) = registry.classify(text, ctx);
    code.risk = risk::assess(&code, registry, ctx, link.as_ref());
    code
}

/// Identifies raw QR bytes (UTF-8 text, or a binary EMVCo CPM token) with `registry`.
pub fn identify_bytes_with(registry: &Registry, raw: &[u8], ctx: &Context) -> PaymentCode {
    let (mut code, link) = registry.classify_bytes(raw, ctx);
    code.risk = risk::assess(&code, registry, ctx, link.as_ref());
    code
}
