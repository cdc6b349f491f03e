#!/usr/bin/env bash
# Runs the demo: installs the tools it needs (scripts/setup.sh, idempotent: a second run only checks),
# installs the release npm package into www/pkg/, then starts session-server on its embedded default
# (127.0.0.1:8787, in-memory store) serving www/. Open the URL it prints, in several tabs. Extra
# arguments go to session-server (e.g. `--access-ttl 30`, `--addr 127.0.0.1:9000`).
# Works as the first command on a fresh clone of a bare machine (Rust, Node and apt are enough).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
bash scripts/setup.sh
export PATH="$ROOT/.tools/node_modules/binaryen/bin:$HOME/.cargo/bin:$PATH"
bash scripts/install-demo-pkg.sh
exec cargo run -p session-server -- --static-dir www "$@"
