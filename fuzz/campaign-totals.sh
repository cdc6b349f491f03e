#!/usr/bin/env bash
# Sums fuzz/target/campaign.tsv (written by fuzz/run.sh) per target: runs, seconds, executions,
# the highest coverage reached and the runs that ended in a finding.
set -euo pipefail
LEDGER="$(cd "$(dirname "$0")" && pwd)/target/campaign.tsv"
[ -f "$LEDGER" ] || { echo "no campaign recorded yet ($LEDGER)" >&2; exit 1; }
awk -F'\t' '
  { runs[$2]++; secs[$2] += $3; execs[$2] += $4; if ($5 > cov[$2]) cov[$2] = $5; if ($6 != 0) bad[$2]++ }
  END {
    printf "%-22s %5s %9s %14s %6s %9s\n", "target", "runs", "minutes", "executions", "cov", "findings"
    for (t in runs) printf "%-22s %5d %9.1f %14d %6d %9d\n", t, runs[t], secs[t] / 60, execs[t], cov[t], bad[t]
  }' "$LEDGER" | { read -r head; echo "$head"; sort; }
