#!/usr/bin/env bash
# The npm surface: the package's typings (pkg/index.d.ts and, for `wasm-session-manager/auth`,
# pkg/auth.d.ts; one flat file each for every module resolution) equal the reviewed golden copies
# (an API change must update tests/types/golden/ on purpose), and a
# sample app (both entries) compiles against the package with `tsc --strict`, `skipLibCheck: false` and
# `lib: ["es2020", "dom"]` under each moduleResolution: bundler, node16 (ESM and CommonJS), nodenext,
# node10. The package is resolved as an app resolves it: node_modules/wasm-session-manager -> pkg/.
# Needs pkg/ (scripts/build-pkg.sh). Prints node-test-style `# pass N` / `# fail N`.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
TSC="$ROOT/.tools/node_modules/.bin/tsc"
pass=0; fail=0
ok() { echo "ok - $1"; pass=$((pass + 1)); }
bad() { echo "not ok - $1"; fail=$((fail + 1)); }

for entry in index auth; do
  if diff -u "tests/types/golden/$entry.d.ts" "pkg/$entry.d.ts"; then ok "golden $entry.d.ts"; else bad "golden $entry.d.ts (update tests/types/golden/ if the change is intended)"; fi
  if cmp -s "pkg/$entry.d.ts" "pkg/$entry.d.cts"; then ok "$entry.d.cts equals $entry.d.ts"; else bad "$entry.d.cts equals $entry.d.ts"; fi
done

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# module, moduleResolution, the package.json "type" of the app, the sample file
run() {
  local name=$1 module=$2 resolution=$3 type=$4 file=$5 dir="$WORK/$1"
  mkdir -p "$dir/node_modules"
  ln -s "$ROOT/pkg" "$dir/node_modules/wasm-session-manager"
  cp "tests/types/$file" "$dir/"
  printf '{ "name": "types-%s", "private": true, "type": "%s" }\n' "$name" "$type" > "$dir/package.json"
  cat > "$dir/tsconfig.json" <<JSON
{
  "compilerOptions": {
    "strict": true, "noEmit": true, "skipLibCheck": false, "types": [],
    "target": "es2020", "lib": ["es2020", "dom"],
    "module": "$module", "moduleResolution": "$resolution"
  },
  "files": ["$file"]
}
JSON
  if (cd "$dir" && "$TSC" -p tsconfig.json); then ok "tsc $name"; else bad "tsc $name"; fi
}
run bundler esnext bundler module app.ts
run node16-esm node16 node16 module app.ts
run node16-cjs node16 node16 commonjs app.cts
run nodenext nodenext nodenext module app.ts
run node10 commonjs node10 commonjs app.ts

echo "# pass $pass"
echo "# fail $fail"
[ "$fail" -eq 0 ]
