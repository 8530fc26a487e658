//! The sandbox acquirer: a real HTTPS server speaking the Hutong wallet-to-switch protocol.

pub mod console;
