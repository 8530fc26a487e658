#!/usr/bin/env bash
# Installs what `cargo xtask fuzz` (and the fuzz step of `cargo xtask test`) needs on a fresh
# machine: a nightly toolchain (rustup, minimal profile) and cargo-fuzz from crates.io.
# Idempotent: each step checks first, so a machine that has everything pays nothing.
set -euo pipefail

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  # Built with the default (stable) toolchain; it drives nightly itself (`cargo +nightly fuzz`).
  cargo install cargo-fuzz --locked
fi
