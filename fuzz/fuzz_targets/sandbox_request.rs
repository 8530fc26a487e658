#![no_main]
//! The sandbox's request handling: a script of requests (method, target, headers, body; the
//! format is in `sandbox_acquirer::inprocess`) through the real router on an in-memory ledger,
//! signed as the registered device signs them unless the script says otherwise. Every answer must
//! keep the protocol's promises (no 500, JSON error bodies, signed answers that verify for their
//! request) and the ledger its invariants (one capture per intent, refunds within what was paid).
use libfuzzer_sys::fuzz_target;
use sandbox_acquirer::inprocess::Harness;
use std::sync::OnceLock;

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| Harness::new().expect("the in-process sandbox starts"))
}

fuzz_target!(|data: &[u8]| {
    if let Err(v) = harness().run(data) {
        panic!("{v}");
    }
});
