//! Risk flags on an identified code: bad CRC, look-alike hosts, plain http, expiry, caps.
