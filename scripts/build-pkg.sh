#!/usr/bin/env bash
# Builds the npm package: a release wasm-pack build (--target web, wasm-opt from npm binaryen), merged
# with pkg-template/ (entry, typings, package.json fields), packed to target/npm/; prints gzip -9 sizes.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export PATH="$ROOT/.tools/node_modules/binaryen/bin:$HOME/.cargo/bin:$PATH"

wasm-pack build --release --target web --out-dir pkg --mode no-install 2>&1 | grep -v "failed to get wasm-pack version" || true
test -f pkg/wasm_session_manager_bg.wasm

cp pkg-template/index.js pkg-template/index.d.ts pkg/
# Minify the JS (transform only: no bundling, exports and `import.meta.url` kept), as the original's
# package is measured minified too.
for js in pkg/wasm_session_manager.js pkg/index.js; do
  "$ROOT/.tools/node_modules/.bin/esbuild" "$js" --minify --format=esm --log-level=warning --outfile="$js" --allow-overwrite
done
cp README.md pkg/README.md
node -e '
  const fs = require("fs");
  const pkg = JSON.parse(fs.readFileSync("pkg/package.json", "utf8"));
  const extra = JSON.parse(fs.readFileSync("pkg-template/package.fields.json", "utf8"));
  fs.writeFileSync("pkg/package.json", JSON.stringify({ ...pkg, ...extra }, null, 2) + "\n");
'
rm -f pkg/.gitignore

gz() { gzip -9 -c "$1" | wc -c; }
wasm=$(gz pkg/wasm_session_manager_bg.wasm)
glue=$(gz pkg/wasm_session_manager.js)
entry=$(gz pkg/index.js)
printf 'package size (gzip -9): wasm %d B, JS glue %d B, entry %d B, total %d B (raw wasm %d B)\n' \
  "$wasm" "$glue" "$entry" $((wasm + glue + entry)) "$(wc -c < pkg/wasm_session_manager_bg.wasm)"

mkdir -p target/npm
rm -f target/npm/*.tgz
(cd pkg && npm pack --silent --pack-destination ../target/npm >/dev/null)
ls target/npm/*.tgz
