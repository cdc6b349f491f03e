#!/usr/bin/env bash
# Size profile of the release wasm: where the bytes go, per crate, per module of ours, data segments
# (strings and constants) and the JS entry, with twiggy on the release wasm built WITHOUT stripping and
# BEFORE wasm-opt (names intact), after the wasm-bindgen CLI (as in the package: its describe functions gone).
# Also prints what that wasm becomes after the package's build steps (the dead closure shims pruned from the
# function table, then wasm-opt with the package's flags; gzip -9), so any commit can be
# compared without building the package. Prints figures only; fails only if a step cannot run.
#
#   bash bench/size-profile.sh                 profile the working tree, built like the package (pinned
#                                              nightly from scripts/nightly-toolchain, -Zbuild-std)
#   SIZE_TOOLCHAIN=stable bash bench/size-profile.sh   the same on stable (std as shipped)
#   SIZE_REV=8036bf2^ bash bench/size-profile.sh       profile a commit (git archive into target/size-helper/)
#   SIZE_AUTH=1                                profile the auth entry's wasm (--no-default-features: no
#                                              StorageManager), as build-pkg.sh builds pkg/auth_bg.wasm
#   SIZE_TOP=40                                how many of the largest items to list (default 25)
#   SIZE_PKG=1                                 also build pkg/ with scripts/build-pkg.sh first (otherwise the
#                                              JS entry figures come from whatever pkg/ holds, if anything)
#
# Tools: twiggy is a dev tool, not needed by the build or the tests: installed here, when missing, into
# .tools/cargo (`cargo install --root .tools/cargo twiggy --locked`, ~2-3 min on 2 cores). wasm-bindgen
# (the CLI pinned by Cargo.lock) and wasm-opt (npm binaryen in .tools/) come from scripts/setup.sh.
# Builds go to target/size-helper/<toolchain>[-<rev>] so they never touch other builds' artefacts.
# Output files (twiggy top/dominators/garbage, for `twiggy diff`) stay in that folder's profile/.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export PATH="$ROOT/.tools/cargo/bin:$ROOT/.tools/node_modules/binaryen/bin:$HOME/.cargo/bin:$PATH"
MODE=${SIZE_TOOLCHAIN:-nightly}
TOP=${SIZE_TOP:-25}
log() { printf '[size] %s\n' "$*" >&2; }

if ! command -v twiggy >/dev/null 2>&1; then
  log "twiggy missing: installing it into .tools/cargo (cargo install --root .tools/cargo twiggy --locked)"
  cargo install --root "$ROOT/.tools/cargo" twiggy --locked
fi
command -v wasm-bindgen >/dev/null || { log "wasm-bindgen CLI missing: run scripts/setup.sh"; exit 1; }
command -v wasm-opt >/dev/null || { log "wasm-opt (npm binaryen) missing: run scripts/setup.sh"; exit 1; }

if [ "${SIZE_PKG:-}" = 1 ]; then bash scripts/build-pkg.sh >&2; fi

SRC="$ROOT"; tag="$MODE"
if [ -n "${SIZE_REV:-}" ]; then
  sha=$(git rev-parse --short "$SIZE_REV")
  tag="$MODE-$sha"; SRC="$ROOT/target/size-helper/src-$sha"
  if [ ! -f "$SRC/Cargo.toml" ]; then
    mkdir -p "$SRC"; git archive "$sha" | tar -x -C "$SRC"
  fi
fi
features=()
if [ "${SIZE_AUTH:-}" = 1 ]; then tag="$tag-auth"; features=(--no-default-features); fi
TD="$ROOT/target/size-helper/$tag"
OUT="$TD/profile"
mkdir -p "$OUT"

if [ "$MODE" = stable ]; then
  toolchain=stable; rustflags=""; build_std=()
else
  toolchain=$(cat "$ROOT/scripts/nightly-toolchain")
  rustflags="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none"; build_std=(-Zbuild-std=std,panic_abort)
fi
log "building $( [ -n "${SIZE_REV:-}" ] && echo "commit $sha" || echo "the working tree")${features:+ (${features[*]})} on $toolchain (unstripped, no wasm-opt) into ${TD#"$ROOT"/}"
(cd "$SRC" && RUSTUP_TOOLCHAIN="$toolchain" CARGO_TARGET_DIR="$TD" RUSTFLAGS="$rustflags" \
  CARGO_PROFILE_RELEASE_STRIP=false CARGO_PROFILE_RELEASE_DEBUG=false \
  cargo build --release --target wasm32-unknown-unknown --lib -p wasm-session-manager "${features[@]}" "${build_std[@]}" --quiet)
rm -rf "$OUT/bindgen"
wasm-bindgen --target web --out-dir "$OUT/bindgen" "$TD/wasm32-unknown-unknown/release/wasm_session_manager.wasm"
WASM="$OUT/bindgen/wasm_session_manager_bg.wasm"

# What the package's build makes of it: the dead closure shims out of the table (where that commit's
# build did so), then wasm-opt with the flags of Cargo.toml [package.metadata.wasm-pack.profile.release].
flags=$(sed -n 's/^wasm-opt = \[\(.*\)\]/\1/p' "$SRC/Cargo.toml" | tr -d '",')
cp "$WASM" "$OUT/pruned.wasm"
if [ -f "$SRC/scripts/prune-closure-table.mjs" ]; then node "$ROOT/scripts/prune-closure-table.mjs" "$OUT/pruned.wasm" >&2; fi
# shellcheck disable=SC2086
wasm-opt $flags --strip-debug "$OUT/pruned.wasm" -o "$OUT/opt.wasm"
rm -f "$OUT/pruned.wasm"

twiggy top -n 1000000 -f csv "$WASM" >"$OUT/top.csv"
twiggy top -n "$TOP" "$WASM" >"$OUT/top.txt"
twiggy dominators -d 3 -r 40 "$WASM" >"$OUT/dominators.txt" 2>/dev/null || true
twiggy garbage -n 40 "$WASM" >"$OUT/garbage.txt" 2>/dev/null || true

gz() { gzip -9 -c "$1" | wc -c; }
node - "$OUT/top.csv" "$TOP" <<'EOF'
// Groups twiggy's items (shallow sizes, which add up to the file) by crate and by module of ours.
const fs = require("fs");
const [file, top] = [process.argv[2], Number(process.argv[3])];
const skipped = [];
const rows = fs.readFileSync(file, "utf8").trim().split("\n").slice(1).map((line) => {
  // Name,ShallowSize,ShallowSizePercent,RetainedSize,RetainedSizePercent,Path (name may hold commas, quoted)
  const m = line.match(/^("(?:[^"]|"")*"|[^,]*),(\d+),/);
  // rustc's v0 names carry the crate hash: core[c5930c85a12de822]::fmt -> core::fmt
  return { name: m[1].replace(/^"|"$/g, "").replace(/""/g, '"').replace(/\[[0-9a-f]{16}\]/g, ""), size: Number(m[2]) };
}).filter((r) => {
  // The name section and other custom sections are stripped in the package: not counted.
  if (/^"[^"]*" subsection$/.test(r.name) || /^custom section/.test(r.name)) { skipped.push(r); return false; }
  return true;
});
const total = rows.reduce((a, r) => a + r.size, 0);
const OURS = "wasm_session_manager::";
function crateOf(name) {
  if (/^data\[\d+\]$/.test(name) || /^data segment/.test(name)) return "(data segments: strings, tables)";
  if (/^(code|type|elem|table|global|import|export|func)\[/.test(name) || /^"[^"]*" subsection$/.test(name)
      || /section/.test(name) || /^(import|export) /.test(name)) return "(wasm sections, names, imports/exports)";
  if (/^(__wbg_|__wbindgen|wasm_bindgen::)/.test(name) || /^__wbg/.test(name)) return "wasm_bindgen";
  if (/^(memcpy|memmove|memset|memcmp|bcmp|__multi3|__udivti3|__umodti3|__divti3|__ashlti3|__lshrti3|compiler_builtins)/.test(name)) return "compiler_builtins";
  // inherent methods of primitive types (<u64>::_fmt_inner, <str>::trim_matches, <[u8]>::repeat)
  if (/^<(\[?&?(u8|u16|u32|u64|u128|usize|i8|i16|i32|i64|i128|isize|f32|f64|bool|char|str)\]?)>::/.test(name)) return "core (primitive types)";
  let n = name.replace(/^core::ptr::(drop_in_place|drop_glue)(::)?<(.*)>$/, "$3");
  n = n.replace(/^[<&*\s]+(mut\s+|const\s+|dyn\s+)?/, "");
  const m = n.match(/^([A-Za-z_][A-Za-z0-9_]*)::/);
  if (m) return m[1];
  const t = name.match(/ as ([A-Za-z_][A-Za-z0-9_]*)::/); // <[u8] as subtle::ConstantTimeEq>::ct_eq
  if (t) return t[1];
  if (/^[a-z0-9_]+$/.test(name)) return "(exports: wasm-bindgen shims of our API)";
  return "(other)";
}
function moduleOf(name) {
  const i = name.indexOf(OURS);
  if (i < 0) return null;
  const parts = name.slice(i + OURS.length).split(/::|<|>|\s/);
  return parts.slice(0, parts[0] === "core" || parts[0] === "web" || parts[0] === "bindings" ? 2 : 1).join("::");
}
const kb = (n) => (n / 1024).toFixed(1).padStart(7);
const pct = (n) => ((100 * n) / total).toFixed(1).padStart(5) + "%";
function table(title, map, limit = Infinity) {
  console.log(`\n== ${title}`);
  [...map.entries()].sort((a, b) => b[1].size - a[1].size).slice(0, limit).forEach(([k, v]) =>
    console.log(`${kb(v.size)} KB ${pct(v.size)}  ${String(v.count).padStart(5)} items  ${k}`));
}
const add = (map, key, size) => { const e = map.get(key) || { size: 0, count: 0 }; e.size += size; e.count++; map.set(key, e); };
const crates = new Map(), ours = new Map(), inst = new Map();
for (const r of rows) {
  const c = crateOf(r.name);
  add(crates, c, r.size);
  const mod = moduleOf(r.name);
  if (c === "wasm_session_manager") add(ours, mod, r.size);
  else if (mod) add(inst, `${mod}  (in ${c})`, r.size);
}
console.log(`raw wasm before wasm-opt: ${total} B of code, data and tables in ${rows.length} items (shallow sizes; not counted: ${skipped.map((r) => `${r.name} ${r.size} B`).join(", ")})`);
table("per crate", crates);
table("per module of ours (functions named wasm_session_manager::<module>, async bodies/closures included)", ours);
table("other crates' generic code instantiated for our modules (drop glue, futures, wasm-bindgen closures)", inst, 20);
const data = rows.filter((r) => crateOf(r.name).startsWith("(data")).sort((a, b) => b.size - a.size);
console.log(`\n== data segments: ${data.length}, ${data.reduce((a, r) => a + r.size, 0)} B; largest: ${data.slice(0, 5).map((r) => `${r.name} ${r.size} B`).join(", ")}`);
console.log(`\n== top ${top} items (shallow)`);
rows.sort((a, b) => b.size - a.size).slice(0, top).forEach((r) => console.log(`${String(r.size).padStart(7)} B ${pct(r.size)}  ${r.name.slice(0, 150)}`));
EOF

echo
echo "== package-equivalent wasm (this build, pruned, + the package's wasm-opt flags, names stripped)"
printf 'wasm %d B raw, %d B gzip -9\n' "$(wc -c <"$OUT/opt.wasm")" "$(gz "$OUT/opt.wasm")"
printf 'wasm-bindgen glue (unminified) %d B gzip -9\n' "$(gz "$OUT/bindgen/wasm_session_manager.js")"
if [ -f pkg/index.js ] && [ -f pkg/wasm_session_manager_bg.wasm ]; then
  w=$(gz pkg/wasm_session_manager_bg.wasm); e=$(gz pkg/index.js)
  printf '== pkg/ as built (%s): wasm %d B, JS entry (glue + API, minified) %d B, total %d B gzip -9; ratio to the original (26,046 B) %s\n' \
    "$(stat -c %y pkg/index.js | cut -d. -f1)" "$w" "$e" $((w + e)) "$(echo "scale=2; ($w + $e) / 26046" | bc)"
else
  echo "== pkg/ not built: SIZE_PKG=1 to build it for the JS entry figure"
fi
echo "(twiggy output for this build: ${OUT#"$ROOT"/}/{top.csv,top.txt,dominators.txt,garbage.txt}; compare two builds with twiggy diff <old wasm> <new wasm>)"
