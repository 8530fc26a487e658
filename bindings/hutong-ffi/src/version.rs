//! Which build of the library the app loaded.

/// The library's version (`Cargo.toml`), so an app can log which build it runs against.
#[uniffi::export]
pub fn hutong_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_the_crate_version() {
        assert_eq!(hutong_version(), env!("CARGO_PKG_VERSION"));
        assert!(!hutong_version().is_empty());
    }
}
