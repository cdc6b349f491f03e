#!/usr/bin/env bash
# Load run of session-server on loopback only, bounded in count and time: refreshes/s and Bearer
# checks/s on one instance, memory store vs Redis store, and the server's peak memory (VmHWM)
# after 100,000 sessions in memory. Release build. Prints a Markdown table at the end.
#
#   bash server/scripts/load.sh            # COUNT=20000 SECS=10 SESSIONS=100000 CONCURRENCY=32
#
# The Redis half runs under scripts/with-redis.sh (a private, throw-away redis-server).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/h-server}"
COUNT="${COUNT:-20000}"
SECS="${SECS:-10}"
SESSIONS="${SESSIONS:-100000}"
CONCURRENCY="${CONCURRENCY:-32}"

if [ "${1:-}" != "--inner" ]; then
  cargo build --release -q -p session-server --bin session-server --example load
  exec bash scripts/with-redis.sh bash "$0" --inner
fi

BIN="$CARGO_TARGET_DIR/release/session-server"
LOAD="$CARGO_TARGET_DIR/release/examples/load"
KEY="$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
tmp="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

start_server() { # extra flags...
  : >"$tmp/out"
  "$BIN" --addr 127.0.0.1:0 --login-rate 0 --refresh-rate 0 --signing-key "$KEY" "$@" \
    >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  for _ in $(seq 1 200); do
    if grep -q '^session-server listening on ' "$tmp/out"; then break; fi
    sleep 0.05
  done
  url="$(sed -n 's/^session-server listening on //p' "$tmp/out" | head -n1)"
  [ -n "$url" ] || { cat "$tmp/err" >&2; echo "load.sh: server did not start" >&2; exit 1; }
}

stop_server() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
}

kb() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$pid/status"; }

field() { # phase key file
  sed -n "s/^$1: .*$2=\([0-9.]*\).*/\1/p" "$3"
}

echo "== memory store"
start_server
rss_idle="$(kb VmRSS)"
"$LOAD" --url "$url" --concurrency "$CONCURRENCY" --count "$COUNT" --seconds "$SECS" \
  --sessions "$SESSIONS" | tee "$tmp/memory"
hwm="$(kb VmHWM)"
stop_server

echo "== redis store ($SESSION_SERVER_TEST_REDIS_URL)"
start_server --store "$SESSION_SERVER_TEST_REDIS_URL" --redis-prefix "load:"
redis_before="$(redis-cli -u "$SESSION_SERVER_TEST_REDIS_URL" info memory | sed -n 's/^used_memory:\([0-9]*\).*/\1/p')"
"$LOAD" --url "$url" --concurrency "$CONCURRENCY" --count "$COUNT" --seconds "$SECS" \
  --sessions "$SESSIONS" | tee "$tmp/redis"
redis_after="$(redis-cli -u "$SESSION_SERVER_TEST_REDIS_URL" info memory | sed -n 's/^used_memory:\([0-9]*\).*/\1/p')"
server_hwm="$(kb VmHWM)"
stop_server

cores="$(nproc)"
echo
echo "| store | refreshes/s | Bearer checks/s |"
echo "|---|---|---|"
echo "| memory | $(field refresh per_second "$tmp/memory") | $(field bearer per_second "$tmp/memory") |"
echo "| redis | $(field refresh per_second "$tmp/redis") | $(field bearer per_second "$tmp/redis") |"
echo
echo "memory store: $(field login ok "$tmp/memory") sessions: peak RSS (VmHWM) $((hwm / 1024)) MiB, idle RSS before $((rss_idle / 1024)) MiB"
echo "redis store: $(field login ok "$tmp/redis") sessions: Redis used_memory +$(((redis_after - redis_before) / 1048576)) MiB; server peak RSS $((server_hwm / 1024)) MiB"
echo "(release build, $cores cores shared by server, load generator and Redis; concurrency $CONCURRENCY; at most $COUNT operations or $SECS s per phase)"
