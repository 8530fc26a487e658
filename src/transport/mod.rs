//! HTTPS transport to the payment switch: rustls on ring, timeouts, retries with jitter, pins.
