#![no_main]
//! Arbitrary input must give a typed result, never a panic or an out-of-bounds read.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = hutong_core::codes::bolt11::parse(text);
    }
});
