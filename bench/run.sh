#!/usr/bin/env bash
# Runs the benchmarks (size, crypto speed in Chromium, refresh contention against session-server,
# cold start) and prints a summary table. Figures are printed, never asserted: a slow figure never fails this
# script; it exits non-zero only if a benchmark could not run. Not part of the test command.
set -uo pipefail
BENCH=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
cd "$BENCH"

if [ ! -d node_modules ]; then
  npm ci --no-audit --no-fund || { echo "bench: npm ci failed" >&2; exit 1; }
fi
# Build the package once here if it is missing, so that no benchmark builds it again.
if [ ! -f "$ROOT/pkg/wasm_session_manager_bg.wasm" ] || [ ! -f "$ROOT/pkg/index.js" ]; then
  echo "bench: pkg/ is missing: bash scripts/build-pkg.sh"
  bash "$ROOT/scripts/build-pkg.sh" || echo "bench: scripts/build-pkg.sh failed" >&2
fi
export BENCH_NO_BUILD=1

rm -rf .work/results
failed=()
start=$SECONDS
for b in ${BENCH_ONLY:-size crypto calls contention coldstart}; do
  echo "== $b"
  node "$b.mjs" || failed+=("$b")
done
echo
echo "== summary ($((SECONDS - start)) s; ratios ours/original measured in this run)"
node summary.mjs
if [ ${#failed[@]} -gt 0 ]; then
  echo "bench: could not run: ${failed[*]}" >&2
  exit 1
fi
