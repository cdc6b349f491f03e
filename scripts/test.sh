#!/usr/bin/env bash
# Runs every check and test of the project and ends with one line `N passed, N failed`.
# Steps: set-up (installs what is missing), fmt, clippy (native + wasm32), native tests (SDK + server),
# browser tests (wasm-pack test in headless Chromium against a session-server on loopback),
# crypto compatibility with the original's npm libraries, the release package build (+ sizes),
# and the end-to-end tests in real Chromium tabs.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
LOGS="$ROOT/target/test-logs"
mkdir -p "$LOGS"
PASSED=0
FAILED=0
SERVER_PID=""

cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; }
trap cleanup EXIT

say() { printf '\n=== %s\n' "$*"; }

# A check that is not a test runner (fmt, clippy, a build): one pass or one fail.
check() {
  local name=$1; shift
  say "$name"
  if "$@" >"$LOGS/$name.log" 2>&1; then
    PASSED=$((PASSED + 1)); echo "ok"
  else
    FAILED=$((FAILED + 1)); tail -40 "$LOGS/$name.log"; echo "FAILED: $name (log: $LOGS/$name.log)"
  fi
}

# A cargo/wasm-bindgen-test run: sums its `test result:` lines; a run that fails without them counts 1 failure.
cargo_suite() {
  local name=$1; shift
  say "$name"
  "$@" >"$LOGS/$name.log" 2>&1
  local rc=$?
  local p f
  p=$(grep -E '^test result:' "$LOGS/$name.log" | sed -E 's/.* ([0-9]+) passed.*/\1/' | awk '{s+=$1} END {print s+0}')
  f=$(grep -E '^test result:' "$LOGS/$name.log" | sed -E 's/.* ([0-9]+) failed.*/\1/' | awk '{s+=$1} END {print s+0}')
  p=${p:-0}; f=${f:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
  grep -E '^test .* FAILED$|^---- |panicked' "$LOGS/$name.log" | head -20
  [ "$rc" -ne 0 ] && tail -30 "$LOGS/$name.log"
  echo "$name: $p passed, $f failed"
}

# A `node --test` run: reads its `# pass N` / `# fail N` summary.
node_suite() {
  local name=$1; shift
  say "$name"
  "$@" >"$LOGS/$name.log" 2>&1
  local rc=$?
  local p f
  p=$(grep -E '^# pass ' "$LOGS/$name.log" | awk '{s+=$3} END {print s+0}')
  f=$(grep -E '^# fail ' "$LOGS/$name.log" | awk '{s+=$3} END {print s+0}')
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
  [ "$rc" -ne 0 ] && tail -40 "$LOGS/$name.log"
  echo "$name: $p passed, $f failed"
}

say "setup"
if ! bash scripts/setup.sh; then
  echo "setup failed"; echo "0 passed, 1 failed"; exit 1
fi
export PATH="$ROOT/.tools/node_modules/binaryen/bin:$HOME/.cargo/bin:$PATH"

check fmt cargo fmt --all -- --check
check clippy-native cargo clippy --workspace --all-targets -- -D warnings
check clippy-wasm32 cargo clippy --target wasm32-unknown-unknown --lib --tests -- -D warnings

cargo_suite native-tests cargo test --workspace --no-fail-fast

# Browser tests talk to a session-server on a free loopback port, started here and stopped at exit.
start_server() {
  cargo build -q -p session-server >"$LOGS/server-build.log" 2>&1 || return 1
  local out="$LOGS/server.out"
  "$ROOT/target/debug/session-server" --addr 127.0.0.1:0 --test-hooks "$@" >"$out" 2>"$LOGS/server.err" &
  SERVER_PID=$!
  for _ in $(seq 100); do
    SESSION_SERVER_URL=$(sed -n 's/^session-server listening on \(http:[^ ]*\).*/\1/p' "$out" | head -1)
    [ -n "$SESSION_SERVER_URL" ] && export SESSION_SERVER_URL && return 0
    sleep 0.1
  done
  return 1
}

say "session-server"
if start_server; then
  echo "session-server at $SESSION_SERVER_URL"
else
  echo "session-server did not start"; FAILED=$((FAILED + 1))
fi

# One wasm-pack run per test binary: cargo stops at the first failing binary, and wasm-pack hands
# everything after `--` to `cargo build` too, which rejects `--no-fail-fast`.
browser_tests() {
  local rc=0 f
  for f in tests/web_*.rs; do
    WASM_BINDGEN_TEST_TIMEOUT=180 wasm-pack test --headless --chrome --chromedriver "$(command -v chromedriver)" \
      --mode no-install -- --test "$(basename "$f" .rs)" || rc=1
  done
  return $rc
}
cargo_suite browser-tests browser_tests

if [ -f tests/compat/run.sh ]; then
  node_suite crypto-compat bash tests/compat/run.sh
fi

check package bash scripts/build-pkg.sh
grep -h "package size" "$LOGS/package.log" || true
node_suite typings bash tests/types/check.sh

if [ -f e2e/run.sh ]; then
  node_suite e2e bash e2e/run.sh
fi

echo
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
