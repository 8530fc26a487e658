//! Panics stop at the boundary.
//!
//! UniFFI already catches a panic and raises an untyped `InternalException` / `UniffiInternalError`.
//! We catch it one step earlier so the app gets the area's own error type (`...Error.Internal`)
//! and can handle it with the same `catch` as every other failure of that call.

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe, UnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

/// What a caught panic said, for the `Internal` variant's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Panicked(pub String);

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-text payload".to_owned()
    }
}

/// Runs `f`, turning a panic into `E::from(Panicked)`.
pub(crate) fn guarded<T, E>(f: impl FnOnce() -> Result<T, E> + UnwindSafe) -> Result<T, E>
where
    E: From<Panicked>,
{
    catch_unwind(f).unwrap_or_else(|payload| Err(E::from(Panicked(panic_text(&*payload)))))
}

/// The async form of [`guarded`]: a panic while polling `fut` ends it with `E::from(Panicked)`.
/// The future is dropped after a panic and never polled again.
pub(crate) async fn guarded_async<T, E, F>(fut: F) -> Result<T, E>
where
    E: From<Panicked>,
    F: Future<Output = Result<T, E>>,
{
    CatchUnwind {
        inner: Some(Box::pin(fut)),
    }
    .await
}

struct CatchUnwind<F> {
    inner: Option<Pin<Box<F>>>,
}

impl<T, E, F> Future for CatchUnwind<F>
where
    E: From<Panicked>,
    F: Future<Output = Result<T, E>>,
{
    type Output = Result<T, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Some(inner) = self.inner.as_mut() else {
            return Poll::Ready(Err(E::from(Panicked("polled after a panic".into()))));
        };
        // A future that panicked is dropped below and never polled again, so no broken
        // invariant inside it can be observed: asserting unwind safety is sound.
        match catch_unwind(AssertUnwindSafe(|| inner.as_mut().poll(cx))) {
            Ok(poll) => poll,
            Err(payload) => {
                self.inner = None;
                Poll::Ready(Err(E::from(Panicked(panic_text(&*payload)))))
            }
        }
    }
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
    fn turns_a_panic_inside_a_future_into_the_error_type() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let ok = rt.block_on(guarded_async::<u8, Wrapped, _>(async { Ok(3) }));
        assert_eq!(ok, Ok(3));
        let out = rt.block_on(guarded_async::<u8, Wrapped, _>(async {
            tokio::task::yield_now().await;
            panic!("flow fell over after {} polls", 2)
        }));
        assert_eq!(out, Err(Wrapped("flow fell over after 2 polls".into())));
    }

    #[test]
    fn turns_a_static_str_panic_into_the_error_type() {
        let out = guarded::<u8, Wrapped>(|| panic!("plain text"));
        assert_eq!(out, Err(Wrapped("plain text".into())));
    }
}
