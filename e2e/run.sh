#!/usr/bin/env bash
# End-to-end tests: the demo (www/, importing the release npm package) in real Chromium tabs, driven by
# playwright-core against a session-server with test hooks on a free loopback port.
# Output: node's TAP reporter, ending with `# pass N` / `# fail N`; exit code = the tests' exit code.
# Env: CHROMIUM (default /usr/bin/chromium), DEMO_PKG_NO_BUILD=1 (use the existing package tarball),
#      E2E_HEADFUL=1 (show the browser), E2E_FILTER=<regex> (node --test-name-pattern),
#      E2E_TABS / E2E_REQUESTS_PER_TAB / E2E_STAMPEDE_RUNS (size and repeats of the refresh stampede, 5 / 10 / 1).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

if [ ! -d e2e/node_modules/playwright-core ]; then
  (cd e2e && npm ci --no-audit --no-fund --loglevel=error) || { echo "e2e: npm ci failed" >&2; exit 1; }
fi

bash scripts/install-demo-pkg.sh || { echo "e2e: could not install the demo package" >&2; exit 1; }

if [ ! -x target/debug/session-server ]; then
  cargo build -q -p session-server || { echo "e2e: could not build session-server" >&2; exit 1; }
fi

mkdir -p target/e2e
SERVER_OUT=target/e2e/server.out
SERVER_ERR=target/e2e/server.err
SERVER_PID=""
stop_server() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; }
trap stop_server EXIT
trap 'exit 130' INT TERM

target/debug/session-server --addr 127.0.0.1:0 --test-hooks --static-dir www >"$SERVER_OUT" 2>"$SERVER_ERR" &
SERVER_PID=$!
E2E_BASE_URL=""
for _ in $(seq 100); do
  E2E_BASE_URL=$(sed -n 's/^session-server listening on \(http:[^ ]*\).*/\1/p' "$SERVER_OUT" | head -1)
  [ -n "$E2E_BASE_URL" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$E2E_BASE_URL" ]; then
  echo "e2e: session-server did not start" >&2
  tail -20 "$SERVER_ERR" >&2
  exit 1
fi
echo "# session-server at $E2E_BASE_URL (log: $SERVER_ERR)"
export E2E_BASE_URL

# One file at a time (the tests share the server's counters); a hung test fails after 90 s, and the
# whole run is stopped after 10 min whatever happens.
ARGS=(--test --test-reporter=tap --test-concurrency=1 --test-timeout=90000)
[ -n "${E2E_FILTER:-}" ] && ARGS+=(--test-name-pattern="$E2E_FILTER")
timeout -k 10 600 node "${ARGS[@]}" e2e/*.test.mjs
rc=$?
[ "$rc" -eq 124 ] && echo "e2e: stopped after 10 minutes" >&2
if [ "$rc" -ne 0 ]; then
  # What the server saw last (sessions refreshed, revoked for reuse, ended): the other half of a failure.
  echo "# e2e failed: the session-server's last session events and warnings ($SERVER_ERR):"
  grep -a -E 'session event|WARN|ERROR|reuse|replayed' "$SERVER_ERR" | tail -25 | cut -c1-260 | sed 's/^/#   /'
fi
exit "$rc"
