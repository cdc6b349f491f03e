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

# The public API, without the `InitOutput` interface: it lists the wasm module's raw exports, whose
# internal names (`__wasm_bindgen_func_elem_NNNN`) change with any change to the code.
public_api() { sed '/^export interface InitOutput {/,/^}/d' "$1"; }
for f in wasm_session_manager.d.ts index.d.ts; do
  if diff -u <(public_api "tests/types/golden/$f") <(public_api "pkg/$f"); then ok "golden $f"; else bad "golden $f (update tests/types/golden/ if the change is intended)"; fi
done
if "$ROOT/.tools/node_modules/.bin/tsc" -p tests/types/tsconfig.json; then ok "tsc --strict sample app"; else bad "tsc --strict sample app"; fi
echo "# pass $pass"
echo "# fail $fail"
[ "$fail" -eq 0 ]
