#!/usr/bin/env bash
# Installs every tool the build and the tests need, skipping what is already present at the right
# version. Safe to run again: a second run only checks. See ../shared/TOOLING.md for the why of each step.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WASM_BINDGEN_VERSION=$(grep -A1 '^name = "wasm-bindgen"$' "$ROOT/Cargo.lock" | sed -n 's/^version = "\(.*\)"/\1/p')
WASM_PACK_VERSION=0.15.1
BINARYEN_VERSION=132.0.0
TOOLS="$ROOT/.tools"
log() { printf '[setup] %s\n' "$*"; }

have_version() { # command, expected substring of its --version
  command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -q -- "$2"
}

for component in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
    log "adding the $component component"; rustup component add "$component"
  fi
done

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"; rustup target add wasm32-unknown-unknown
fi

# The pinned nightly for the release package only (scripts/build-pkg.sh: -Zbuild-std needs rust-src).
# ~1 min to download; development, clippy and tests stay on stable.
NIGHTLY=$(cat "$ROOT/scripts/nightly-toolchain")
if ! rustup run "$NIGHTLY" rustc --version >/dev/null 2>&1 \
   || ! rustup +"$NIGHTLY" component list --installed 2>/dev/null | grep -q '^rust-src' \
   || ! rustup +"$NIGHTLY" target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  log "installing $NIGHTLY with rust-src and the wasm32 target (about a minute)"
  rustup toolchain install "$NIGHTLY" --profile minimal -c rust-src -t wasm32-unknown-unknown --no-self-update
fi

if ! have_version wasm-bindgen "$WASM_BINDGEN_VERSION"; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (several minutes)"
  # no --locked: its lock file names a crate version the registry mirror lacks (TOOLING.md)
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if ! have_version wasm-pack "$WASM_PACK_VERSION"; then
  log "installing wasm-pack $WASM_PACK_VERSION (several minutes)"
  cargo install wasm-pack --version "$WASM_PACK_VERSION" --force
fi

apt_missing=()
command -v chromium >/dev/null 2>&1 || apt_missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || apt_missing+=(chromium-driver)
command -v redis-server >/dev/null 2>&1 || apt_missing+=(redis-server)
if [ ${#apt_missing[@]} -gt 0 ]; then
  log "installing ${apt_missing[*]} from Debian"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${apt_missing[@]}" >/dev/null
fi

# binaryen from npm (never Debian's 108, which breaks wasm-bindgen output) and the JS test tools.
if [ ! -f "$TOOLS/node_modules/binaryen/package.json" ] \
   || ! grep -q "\"version\": \"$BINARYEN_VERSION\"" "$TOOLS/node_modules/binaryen/package.json" \
   || [ ! -d "$TOOLS/node_modules/playwright-core" ] || [ ! -x "$TOOLS/node_modules/.bin/tsc" ] \
   || [ ! -x "$TOOLS/node_modules/.bin/esbuild" ]; then
  log "installing npm tools into .tools/"
  (cd "$TOOLS" && npm ci --no-audit --no-fund --loglevel=error)
fi

# cargo-fuzz (pinned) for the fuzz suite (fuzz/run.sh); it shares the nightly above.
bash "$ROOT/fuzz/setup.sh"

log "tools ready: $(wasm-bindgen --version), $(wasm-pack --version), $(cargo fuzz --version), $(chromium --version 2>/dev/null | head -1)"
