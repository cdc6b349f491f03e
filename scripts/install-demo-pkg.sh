#!/usr/bin/env bash
# Installs the packed npm package into www/pkg/, so the demo imports it exactly as an app would
# (`import { AuthSessionManager, HttpClient } from "./pkg/index.js"`): the release build, wasm-opt'd.
# Builds the package (scripts/build-pkg.sh) only when target/npm/*.tgz is missing or older than its
# sources; DEMO_PKG_NO_BUILD=1 uses whatever tarball exists (for when the sources are mid-edit).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

# The newest tarball, or nothing (no target/ on a fresh clone: not an error, under pipefail too).
tarball() {
  local f newest=""
  for f in target/npm/wasm-session-manager-*.tgz; do
    [ -f "$f" ] || continue
    if [ -z "$newest" ] || [ "$f" -nt "$newest" ]; then newest=$f; fi
  done
  printf '%s' "$newest"
}

# What goes into the package: a change to any of these makes the tarball stale.
SOURCES=(src pkg-template Cargo.toml Cargo.lock scripts/build-pkg.sh)

stale() {
  local tgz=$1
  [ -z "$tgz" ] && return 0
  [ -n "$(find "${SOURCES[@]}" -type f -newer "$tgz" -print -quit 2>/dev/null)" ]
}

TGZ=$(tarball)
if [ "${DEMO_PKG_NO_BUILD:-0}" = "1" ]; then
  [ -n "$TGZ" ] || { echo "install-demo-pkg: no target/npm/*.tgz and DEMO_PKG_NO_BUILD=1" >&2; exit 1; }
elif stale "$TGZ"; then
  echo "install-demo-pkg: package missing or older than its sources: building it (release)" >&2
  bash scripts/build-pkg.sh >&2
  TGZ=$(tarball)
  [ -n "$TGZ" ] || { echo "install-demo-pkg: build-pkg.sh produced no tarball" >&2; exit 1; }
fi

# Extract next to www/pkg, then swap, so a server serving www/ never sees a half-written package.
STAGE=$(mktemp -d "$ROOT/www/.pkg-stage.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
tar -xzf "$TGZ" -C "$STAGE"
test -f "$STAGE/package/index.js" || { echo "install-demo-pkg: $TGZ has no package/index.js" >&2; exit 1; }
test -f "$STAGE/package/wasm_session_manager_bg.wasm" || { echo "install-demo-pkg: $TGZ has no .wasm" >&2; exit 1; }
rm -rf www/pkg
mv "$STAGE/package" www/pkg
echo "install-demo-pkg: www/pkg <- $TGZ ($(wc -c < www/pkg/wasm_session_manager_bg.wasm) B wasm)" >&2
