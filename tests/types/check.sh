#!/usr/bin/env bash
# The npm surface: the generated typings equal the reviewed golden copy (an API change must update
# tests/types/golden/ on purpose), and a sample app compiles against them with `tsc --strict`.
# Needs pkg/ (scripts/build-pkg.sh). Prints node-test-style `# pass N` / `# fail N`.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
pass=0; fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
bad() { echo "not ok - $1"; fail=$((fail + 1)); }

for f in wasm_session_manager.d.ts index.d.ts; do
  if diff -u "tests/types/golden/$f" "pkg/$f"; then ok "golden $f"; else bad "golden $f (update tests/types/golden/ if the change is intended)"; fi
done
if "$ROOT/.tools/node_modules/.bin/tsc" -p tests/types/tsconfig.json; then ok "tsc --strict sample app"; else bad "tsc --strict sample app"; fi
echo "# pass $pass"
echo "# fail $fail"
[ "$fail" -eq 0 ]
