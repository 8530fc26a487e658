#![no_main]
//! See `fuzz/harness/http_response.rs` (shared with the stable property tests in `bindings/hutong-ffi/tests/fuzz_properties.rs`).
use libfuzzer_sys::fuzz_target;

#[path = "../harness/http_response.rs"]
mod harness;

fuzz_target!(|data: &[u8]| {
    harness::run(data);
});
