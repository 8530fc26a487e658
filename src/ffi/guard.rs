//! Panics stop at the boundary.
//!
//! UniFFI already catches a panic and raises an untyped `InternalException` / `UniffiInternalError`.
//! We catch it one step earlier so the app gets the area's own error type (`...Error.Internal`)
//! and can handle it with the same `catch` as every other failure of that call.

use std::panic::{catch_unwind, UnwindSafe};

/// What a caught panic said, for the `Internal` variant's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Panicked(pub String);

/// Runs `f`, turning a panic into `E::from(Panicked)`.
pub(crate) fn guarded<T, E>(f: impl FnOnce() -> Result<T, E> + UnwindSafe) -> Result<T, E>
where
    E: From<Panicked>,
{
    catch_unwind(f).unwrap_or_else(|payload| {
        let text = if let Some(s) = payload.downcast_ref::<&str>() {
            (*s).to_owned()
        } else if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else {
            "panic with a non-text payload".to_owned()
        };
        Err(E::from(Panicked(text)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Wrapped(String);
    impl From<Panicked> for Wrapped {
        fn from(p: Panicked) -> Self {
            Wrapped(p.0)
        }
    }

    #[test]
    fn passes_results_through_untouched() {
        assert_eq!(guarded::<_, Wrapped>(|| Ok(7)), Ok(7));
        assert_eq!(
            guarded::<u8, _>(|| Err(Wrapped("no".into()))),
            Err(Wrapped("no".into()))
        );
    }

    #[test]
    fn turns_a_panic_into_the_error_type_with_its_message() {
        let out = guarded::<u8, Wrapped>(|| panic!("decoder fell over at row {}", 3));
        assert_eq!(out, Err(Wrapped("decoder fell over at row 3".into())));
    }

    #[test]
    fn turns_a_static_str_panic_into_the_error_type() {
        let out = guarded::<u8, Wrapped>(|| panic!("plain text"));
        assert_eq!(out, Err(Wrapped("plain text".into())));
    }
}
