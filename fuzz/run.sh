#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ for SECONDS each (one job, `-max_total_time`) and prints TAP
# the test command counts (scripts/count-tests.mjs, node kind): `ok N - <target> (<execs> execs,
# <cov> cov)` or `not ok N - <target> (...)`, then `# pass N` / `# fail N`. Exits non-zero on a crash
# or a failed build; a crash's input is kept in fuzz/artifacts/<target>/ (reproduce with
# `fuzz/target/x86_64-unknown-linux-gnu/release/<target> <file>`), then becomes a regression test.
#
# Installs nothing: it needs the pinned nightly (scripts/nightly-toolchain) and cargo-fuzz, which
# `bash fuzz/setup.sh` installs. New corpus entries go to fuzz/target/corpus/<target> (ignored);
# the committed seeds in fuzz/corpus/<target> are only read. Each run of a target appends a line to
# fuzz/target/campaign.tsv (time, target, seconds, execs, cov, exit code).
#
# usage: bash fuzz/run.sh SECONDS [TARGET...]
set -uo pipefail
FUZZ=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$FUZZ/.." && pwd)
SECONDS_EACH=${1:?usage: fuzz/run.sh SECONDS [TARGET...]}
shift
NIGHTLY=$(cat "$ROOT/scripts/nightly-toolchain")
export PATH="$HOME/.cargo/bin:$PATH"

mapfile -t ALL < <(sed -n 's/^name = "\(.*\)"$/\1/p' "$FUZZ/Cargo.toml" | grep -v '^wasm-session-manager-fuzz$')
if [ $# -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL[@]}"); fi

echo "TAP version 13"
echo "1..${#TARGETS[@]}"
bail() { # every target fails with the reason
  local i=0 t
  for t in "${TARGETS[@]}"; do i=$((i + 1)); echo "not ok $i - $t ($1)"; done
  echo "# pass 0"; echo "# fail ${#TARGETS[@]}"
  exit 1
}
rustup run "$NIGHTLY" rustc --version >/dev/null 2>&1 || bail "$NIGHTLY missing: run bash fuzz/setup.sh"
cargo +"$NIGHTLY" fuzz --version >/dev/null 2>&1 || bail "cargo-fuzz missing: run bash fuzz/setup.sh"

cd "$FUZZ"
# Release with debug assertions (overflow checks); no sanitizer: the code under test is safe Rust,
# and ASan would halve the executions.
BUILD_LOG="$FUZZ/target/build.log"
mkdir -p "$FUZZ/target"
start=$(date +%s)
if ! cargo +"$NIGHTLY" fuzz build -O -a -s none >"$BUILD_LOG" 2>&1; then
  tail -30 "$BUILD_LOG" | sed 's/^/# /'
  bail "build failed: $BUILD_LOG"
fi
echo "# built ${#ALL[@]} targets in $(( $(date +%s) - start )) s"

BIN="$FUZZ/target/x86_64-unknown-linux-gnu/release"
pass=0 fail=0 i=0 crashed=0
for t in "${TARGETS[@]}"; do
  i=$((i + 1))
  work="$FUZZ/target/corpus/$t"
  mkdir -p "$work" "$FUZZ/artifacts/$t"
  log="$FUZZ/target/$t.log"
  "$BIN/$t" "$work" "$FUZZ/corpus/$t" -max_total_time="$SECONDS_EACH" -print_final_stats=1 \
    -timeout=20 -rss_limit_mb=2048 -max_len=4096 -artifact_prefix="$FUZZ/artifacts/$t/" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | sed 's/cov: //')
  stats="${execs:-0} execs, ${cov:-0} cov"
  # The ledger of every run on this machine (campaign time per target: fuzz/campaign-totals.sh; `--keep` copies the long runs into the committed fuzz/campaign-log.tsv).
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$SECONDS_EACH" "${execs:-0}" "${cov:-0}" "$rc" \
    >>"$FUZZ/target/campaign.tsv"
  if [ "$rc" -eq 0 ] && [ -n "$execs" ]; then
    pass=$((pass + 1)); echo "ok $i - $t ($stats)"
  else
    fail=$((fail + 1)); crashed=1
    echo "not ok $i - $t ($stats, exit $rc, log $log)"
    grep -E 'panicked|Test unit written|ERROR' "$log" | head -5 | sed 's/^/# /'
  fi
done
echo "# pass $pass"
echo "# fail $fail"
[ "$crashed" -eq 0 ]
