#!/usr/bin/env bash
# with-redis.sh CMD [ARGS...]: runs CMD with a private, throw-away redis-server on a free loopback
# port and SESSION_SERVER_TEST_REDIS_URL=redis://127.0.0.1:PORT/0 exported; stops that Redis when
# CMD ends (or on Ctrl-C) and exits with CMD's status.
#
# Installs nothing: scripts/setup.sh installs Debian's redis-server. No persistence (no RDB, no
# AOF), its own temporary directory, bound to 127.0.0.1 only.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi

REDIS_SERVER="${REDIS_SERVER:-redis-server}"
if ! command -v "$REDIS_SERVER" >/dev/null 2>&1; then
  echo "with-redis.sh: redis-server not found; run scripts/setup.sh (it installs Debian's redis-server)" >&2
  exit 127
fi

workdir="$(mktemp -d "${TMPDIR:-/tmp}/with-redis.XXXXXX")"
redis_pid=""

stop_redis() {
  if [ -n "$redis_pid" ] && kill -0 "$redis_pid" 2>/dev/null; then
    kill "$redis_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$redis_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
  fi
  redis_pid=""
  rm -rf "$workdir"
}
trap stop_redis EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Answers PING on 127.0.0.1:$1 (bash's /dev/tcp, so redis-cli is not needed).
ping_redis() {
  local reply=""
  exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
  printf 'PING\r\n' >&3
  IFS= read -r -t 2 reply <&3 || true
  exec 3>&- 3<&-
  [ "${reply%$'\r'}" = "+PONG" ]
}

free_port() {
  python3 - <<'EOF' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

started=""
for attempt in 1 2 3 4 5; do
  port="$(free_port)"
  "$REDIS_SERVER" --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
    --dir "$workdir" --daemonize no --protected-mode yes --loglevel warning \
    --logfile "$workdir/redis.log" &
  redis_pid=$!
  for _ in $(seq 1 100); do
    if ! kill -0 "$redis_pid" 2>/dev/null; then
      break
    fi
    if ping_redis "$port" 2>/dev/null; then
      started=1
      break
    fi
    sleep 0.05
  done
  [ -n "$started" ] && break
  echo "with-redis.sh: redis-server did not start on port $port (attempt $attempt)" >&2
  cat "$workdir/redis.log" >&2 2>/dev/null || true
  kill "$redis_pid" 2>/dev/null || true
  wait "$redis_pid" 2>/dev/null || true
  redis_pid=""
done
if [ -z "$started" ]; then
  echo "with-redis.sh: could not start redis-server" >&2
  exit 1
fi

export SESSION_SERVER_TEST_REDIS_URL="redis://127.0.0.1:$port/0"
echo "with-redis.sh: redis-server (pid $redis_pid) at $SESSION_SERVER_TEST_REDIS_URL" >&2

status=0
"$@" || status=$?
exit "$status"
