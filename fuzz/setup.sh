#!/usr/bin/env bash
# Installs what fuzz/run.sh needs, skipping what is already there: the pinned nightly of
# scripts/nightly-toolchain (shared with the release build, so only one nightly is installed) with
# rust-src, and cargo-fuzz at a pinned version into ~/.cargo/bin (built from source, ~3 min on 2 cores;
# --locked works for it here, unlike wasm-bindgen-cli). Safe to run again: a second run only checks.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NIGHTLY=$(cat "$ROOT/scripts/nightly-toolchain")
CARGO_FUZZ_VERSION=0.13.2
export PATH="$HOME/.cargo/bin:$PATH"
log() { printf '[fuzz-setup] %s\n' "$*"; }

if ! rustup run "$NIGHTLY" rustc --version >/dev/null 2>&1 \
   || ! rustup +"$NIGHTLY" component list --installed 2>/dev/null | grep -q '^rust-src'; then
  log "installing $NIGHTLY with rust-src (about a minute)"
  rustup toolchain install "$NIGHTLY" --profile minimal -c rust-src --no-self-update
fi

if ! cargo fuzz --version 2>/dev/null | grep -qx "cargo-fuzz $CARGO_FUZZ_VERSION"; then
  log "installing cargo-fuzz $CARGO_FUZZ_VERSION (a few minutes)"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --force
fi
log "ready: $NIGHTLY, $(cargo fuzz --version)"
