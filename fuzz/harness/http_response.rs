//! The transport's HTTP/1.1 response reader (`hutong_core::transport::http1::read_response`), fed
//! what a hostile network or switch could send. Checks: typed errors only (`Io` or
//! `BodyTooLarge`, nothing that would claim the request never arrived); a body never over the
//! limit; no interim (1xx) answer returned as the answer; and the same answer however the bytes
//! are split into reads (one read of everything, then reads of 1 to 7 bytes), since TCP and TLS
//! may deliver them in any pieces.
//!
//! Input: the first byte picks the body limit (`(b % 64) * 4` bytes), the rest is the wire.
use hutong_core::transport::http1::read_response;
use hutong_core::transport::{Response, TransportError};
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, ReadBuf};

/// Hands out `wire` in reads of at most `step` bytes (cycling through 1..=step).
struct Pieces<'a> {
    wire: &'a [u8],
    step: usize,
    next: usize,
}

impl AsyncRead for Pieces<'_> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let take = self.next.min(self.wire.len()).min(buf.remaining());
        let (now, rest) = self.wire.split_at(take);
        buf.put_slice(now);
        self.wire = rest;
        self.next = self.next % self.step + 1;
        Poll::Ready(Ok(()))
    }
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a current-thread runtime starts")
    })
}

fn read(wire: &[u8], step: usize, max_body: usize) -> Result<Response, TransportError> {
    let mut stream = Pieces {
        wire,
        step,
        next: if step == usize::MAX { usize::MAX } else { 1 },
    };
    runtime()
        .block_on(read_response(&mut stream, max_body))
        .map(|r| r.response)
}

/// Returns the status read, if any.
pub fn run(data: &[u8]) -> Option<u16> {
    let (&first, wire) = data.split_first()?;
    let max_body = usize::from(first % 64) * 4;
    let whole = read(wire, usize::MAX, max_body);
    match &whole {
        Ok(r) => {
            assert!(r.body.len() <= max_body, "body over the limit");
            // Interim answers are skipped and 101 refused; below 100 is not HTTP.
            assert!(
                (200..1000).contains(&r.status),
                "status {} returned",
                r.status
            );
        }
        Err(e) => assert!(
            matches!(
                e,
                TransportError::Io(_) | TransportError::BodyTooLarge { .. }
            ),
            "unexpected error kind: {e:?}"
        ),
    }
    for step in [1, 7] {
        let pieces = read(wire, step, max_body);
        match (&whole, &pieces) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "answer differs when read {step} bytes at a time"),
            (Err(a), Err(b)) => assert_eq!(
                std::mem::discriminant(a),
                std::mem::discriminant(b),
                "error differs when read {step} bytes at a time: {a:?} / {b:?}"
            ),
            _ => panic!("outcome differs when read {step} bytes at a time: {whole:?} / {pieces:?}"),
        }
    }
    whole.ok().map(|r| r.status)
}
