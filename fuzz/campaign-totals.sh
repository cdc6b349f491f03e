#!/usr/bin/env bash
# Sums the fuzzing campaign per target: runs, minutes, executions, the highest coverage reached and
# the runs that ended in a finding.
#
# Two ledgers, same columns (UTC time, target, seconds, executions, coverage, exit code):
#   fuzz/target/campaign.tsv   every run of fuzz/run.sh on this machine (ignored; lost with the machine)
#   fuzz/campaign-log.tsv      the campaign runs kept in the tree, so that the total survives a new
#                              machine; `--keep` copies this machine's runs of at least 60 s into it
# A run in both is counted once.
#
# usage: bash fuzz/campaign-totals.sh [--keep]
set -euo pipefail
FUZZ=$(cd "$(dirname "$0")" && pwd)
LOCAL="$FUZZ/target/campaign.tsv"
KEPT="$FUZZ/campaign-log.tsv"
if [ "${1:-}" = "--keep" ] && [ -f "$LOCAL" ]; then
  merged=$( { cat "$KEPT" 2>/dev/null || true; awk -F'\t' '$3 >= 60' "$LOCAL"; } | sort -u)
  printf '%s\n' "$merged" | sed '/^$/d' >"$KEPT"
fi
rows=$( { cat "$KEPT" 2>/dev/null || true; cat "$LOCAL" 2>/dev/null || true; } | sed '/^$/d' | sort -u)
[ -n "$rows" ] || { echo "no campaign recorded yet ($LOCAL, $KEPT)" >&2; exit 1; }
printf '%s\n' "$rows" | awk -F'\t' '
  { runs[$2]++; secs[$2] += $3; execs[$2] += $4; if ($5 > cov[$2]) cov[$2] = $5; if ($6 != 0) bad[$2]++ }
  END {
    printf "%-22s %5s %9s %14s %6s %9s\n", "target", "runs", "minutes", "executions", "cov", "findings"
    for (t in runs) printf "%-22s %5d %9.1f %14d %6d %9d\n", t, runs[t], secs[t] / 60, execs[t], cov[t], bad[t]
  }' | { read -r head; echo "$head"; sort; }
