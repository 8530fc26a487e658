//! The UniFFI bindings generator, pinned to the same uniffi version as the `hutong` crate.
fn main() {
    uniffi::uniffi_bindgen_main()
}
