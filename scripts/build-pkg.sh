#!/usr/bin/env bash
# Builds the npm package: two release wasm-pack builds (--target web; then wasm-opt from npm binaryen, after
# scripts/prune-closure-table.mjs), the
# whole crate and the auth entry's (`--no-default-features`: no StorageManager), into a clean pkg/, with the standard library rebuilt for size by the pinned nightly in scripts/nightly-toolchain
# (-Zbuild-std, -Cpanic=immediate-abort: no panic messages or unwinding machinery in the wasm; -Zlocation-detail=none: no source paths of panic locations), the entries and typings generated from pkg-template/ (pkg-template/build.mjs: browser ESM,
# Node ESM, CommonJS, one flat .d.ts; the same for `wasm-session-manager/auth`), pkg-template/README.md as the npm README; packed to target/npm/;
# prints the gzip -9 sizes. Fails when any step fails (wasm-pack included).
#
#   bash scripts/build-pkg.sh            the honest build: wasm-pack from scratch into a clean pkg/
#   bash scripts/build-pkg.sh --js-only  re-merge pkg-template/ over the existing wasm-pack output in
#                                        target/wasm-pack-out{,-auth}/ (for JS-only edits; fails if none)
#   BUILD_PKG_TOOLCHAIN=stable bash scripts/build-pkg.sh   the same on stable Rust, std as shipped (to
#                                        compare sizes; not the published build)
#   WASM_KEEP_NAMES=1 bash scripts/build-pkg.sh  keep the wasm's function names (for a CPU profile
#                                        that names Rust functions; bigger, not the published build)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export PATH="$ROOT/.tools/node_modules/binaryen/bin:$HOME/.cargo/bin:$PATH"
OUT="$ROOT/target/wasm-pack-out"
OUT_AUTH="$ROOT/target/wasm-pack-out-auth"

# One build at a time in this tree (two test runs would overwrite each other's output).
mkdir -p target
exec 9>target/.build-pkg.lock
flock 9

# Nothing from an earlier build may survive a failed one: later steps must find no package at all.
rm -rf pkg target/npm/wasm-session-manager-*.tgz
if [ "${1:-}" != "--js-only" ]; then
  rm -rf "$OUT" "$OUT_AUTH"
  # Development, clippy and tests stay on stable; only this release build uses the nightly, in its own
  # target dir (std is rebuilt there; stable builds elsewhere keep their caches). RUSTFLAGS reach only
  # the wasm32 artefacts (cargo gets --target), never build scripts or proc macros.
  if [ "${BUILD_PKG_TOOLCHAIN:-nightly}" = stable ]; then
    toolchain=stable; target_dir="$ROOT/target"; rustflags=""; cargo_args=()
  else
    toolchain=$(cat "$ROOT/scripts/nightly-toolchain")
    rustup run "$toolchain" rustc --version >/dev/null 2>&1 \
      || { echo "build-pkg: $toolchain missing: run scripts/setup.sh" >&2; exit 1; }
    target_dir="$ROOT/target/pkg-nightly"
    rustflags="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none"
    cargo_args=(-Zbuild-std=std,panic_abort)
  fi
  # The main wasm (every class), then the auth entry's (the `storage-manager` feature off: no
  # StorageManager, so no ECDSA signing, keccak or metadata flow) in the same target dir.
  # wasm-opt runs here, not in wasm-pack: first scripts/prune-closure-table.mjs takes wasm-bindgen's dead
  # closure shims out of the function table, which needs the function names (so the wasm is linked
  # without `strip`); wasm-opt, with the flags of Cargo.toml's [package.metadata.wasm-pack.profile.release],
  # then drops them and strips the names.
  opt_flags=$(sed -n 's/^wasm-opt = \[\(.*\)\]/\1/p' "$ROOT/Cargo.toml" | tr -d '",')
  [ -n "$opt_flags" ] || { echo "build-pkg: no wasm-opt flags in Cargo.toml" >&2; exit 1; }
  build_wasm() { # OUT_DIR [extra cargo args]
    local out=$1 log wasm; shift
    log=$(mktemp)
    if ! RUSTUP_TOOLCHAIN="$toolchain" CARGO_TARGET_DIR="$target_dir" RUSTFLAGS="$rustflags" CARGO_PROFILE_RELEASE_STRIP=false \
         wasm-pack build "$ROOT" --release --no-opt --target web --out-dir "$out" --mode no-install -- "${cargo_args[@]}" "$@" >"$log" 2>&1; then
      grep -v "failed to get wasm-pack version" "$log" >&2 || true
      rm -f "$log"
      echo "build-pkg: wasm-pack build failed ($out)" >&2
      exit 1
    fi
    grep -v "failed to get wasm-pack version" "$log" || true
    rm -f "$log"
    wasm="$out/wasm_session_manager_bg.wasm"
    node "$ROOT/scripts/prune-closure-table.mjs" "$wasm" || { echo "build-pkg: pruning $wasm failed" >&2; exit 1; }
    # shellcheck disable=SC2086 # the flags are words
    names=--strip-debug; [ -z "${WASM_KEEP_NAMES:-}" ] || names=-g
    wasm-opt $opt_flags $names "$wasm" -o "$wasm.opt" && mv "$wasm.opt" "$wasm" \
      || { echo "build-pkg: wasm-opt failed on $wasm" >&2; exit 1; }
  }
  build_wasm "$OUT"
  build_wasm "$OUT_AUTH" --no-default-features
fi
for f in wasm_session_manager.js wasm_session_manager.d.ts wasm_session_manager_bg.wasm package.json; do
  test -f "$OUT/$f" || { echo "build-pkg: $OUT/$f missing (run without --js-only)" >&2; exit 1; }
  [ "$f" = package.json ] || test -f "$OUT_AUTH/$f" || { echo "build-pkg: $OUT_AUTH/$f missing (run without --js-only)" >&2; exit 1; }
done

mkdir pkg
cp "$OUT/wasm_session_manager.js" "$OUT/wasm_session_manager.d.ts" "$OUT/wasm_session_manager_bg.wasm" "$OUT/package.json" pkg/
# the glue's inline_js snippets (src/web/subtle.rs), which build.mjs bundles into the entries
if [ -d "$OUT/snippets" ]; then cp -r "$OUT/snippets" pkg/; fi
# the auth entry's wasm and glue (build.mjs makes pkg/auth_bg.wasm and the auth entries of them)
mkdir pkg/auth
cp "$OUT_AUTH/wasm_session_manager.js" "$OUT_AUTH/wasm_session_manager.d.ts" "$OUT_AUTH/wasm_session_manager_bg.wasm" pkg/auth/
if [ -d "$OUT_AUTH/snippets" ]; then cp -r "$OUT_AUTH/snippets" pkg/auth/; fi
# entries and typings from pkg-template/ (the glue ends up inside the entries)
node pkg-template/build.mjs pkg
cp pkg-template/README.md pkg/README.md
node -e '
  const fs = require("fs");
  const pkg = JSON.parse(fs.readFileSync("pkg/package.json", "utf8"));
  const extra = JSON.parse(fs.readFileSync("pkg-template/package.fields.json", "utf8"));
  delete pkg.main; delete pkg.module; delete pkg.types; delete pkg.sideEffects;
  fs.writeFileSync("pkg/package.json", JSON.stringify({ ...pkg, ...extra }, null, 2) + "\n");
'

# The package must load: each wasm instantiates through its Node entry (catches a broken wasm-opt
# output or a truncated file before any test uses the package).
node --input-type=module -e '
  for (const entry of ["node.mjs", "auth.node.mjs"]) {
    const sdk = await import(process.argv[1] + "/pkg/" + entry);
    await sdk.ready();
    const key = sdk.StorageManager.getPublicKey(sdk.StorageManager.generateRandomSessionKey());
    if (!/^04[0-9a-f]{128}$/.test(key)) throw new Error(entry + " did not initialise: " + key);
  }
' "$ROOT" || { echo "build-pkg: the built package does not load" >&2; exit 1; }

# What a browser app loads: the wasm and the entry (the wasm-bindgen glue + the API).
gz() { gzip -9 -c "$1" | wc -c; }
size_line() { # LABEL WASM ENTRY
  local wasm entry
  wasm=$(gz "$2"); entry=$(gz "$3")
  printf '%s size (gzip -9): wasm %d B, JS entry (glue + API) %d B, total %d B (raw wasm %d B)\n' \
    "$1" "$wasm" "$entry" $((wasm + entry)) "$(wc -c < "$2")"
}
size_line package pkg/wasm_session_manager_bg.wasm pkg/index.js
size_line "auth entry" pkg/auth_bg.wasm pkg/auth.js

mkdir -p target/npm
(cd pkg && npm pack --silent --pack-destination ../target/npm >/dev/null)
ls target/npm/*.tgz
