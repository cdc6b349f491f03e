// Removes wasm-bindgen's dead closure shims from a wasm, before wasm-opt: node scripts/prune-closure-table.mjs FILE
//
// Why: for every closure type named in an imported function's signature, wasm-bindgen compiles an
// `invoke` shim whose address its describe data takes, so the shim lands in the function table. The
// wasm-bindgen CLI reads the describe data and deletes it, but the table entries stay, and wasm-opt
// cannot remove a function that is in the table (any `call_indirect` might reach it). Most of them
// belong to js_sys imports the crate never calls (`Int8Array.forEach`, `BigInt64Array.some`, ...).
// The shims of the closures the crate does create are called by the JS glue through exports, never
// through the table, so every `invoke` entry of the table is dead: each becomes one shared function
// that traps, and wasm-opt then drops the shims nothing else references. Measured on the auth entry:
// 47 entries, 75,039 -> 74,250 B gzip -9 after wasm-opt.
//
// Needs the function names (the wasm as the wasm-bindgen CLI writes it, built without `strip`); the
// package's wasm-opt run strips them afterwards. A wasm without such entries is left as it is (a
// wasm-bindgen that names its shims differently only costs the bytes again); the package's load
// test and the test suites run the pruned wasm.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const { default: binaryen } = await import(join(ROOT, ".tools/node_modules/binaryen/index.js"));
const file = process.argv[2];
if (!file) throw new Error("usage: node scripts/prune-closure-table.mjs FILE.wasm");

// WASM_KEEP_NAMES (scripts/build-pkg.sh): the names stay in the output, for a CPU profile that names functions.
if (process.env.WASM_KEEP_NAMES) binaryen.setDebugInfo(true);
const mod = binaryen.readBinary(readFileSync(file));
const DEAD = "__dead_closure_invoke";
const SHIM = /wasm_bindgen[^"]*::convert::closures::_::invoke/;
let dead = 0;
let total = 0;
const segments = [];
for (let i = 0; i < mod.getNumElementSegments(); i++)
  segments.push(binaryen.getElementSegmentInfo(mod.getElementSegmentByIndex(i)));
for (const s of segments) total += s.data.length;
// Each segment is put back at its own offset, which must be a constant (as the linker writes it).
const offsets = segments.map((s) => binaryen.getExpressionInfo(s.offset));
const constant = offsets.every((o) => o.id === binaryen.ConstId && Number.isInteger(o.value));
if (constant && segments.some((s) => s.data.some((f) => SHIM.test(f)))) {
  mod.addFunction(DEAD, binaryen.none, binaryen.none, [], mod.unreachable());
  segments.forEach((s, i) => {
    const data = s.data.map((f) => (SHIM.test(f) ? (dead++, DEAD) : f));
    mod.removeElementSegment(s.name);
    mod.addActiveElementSegment(s.table, s.name, data, mod.i32.const(offsets[i].value));
  });
  if (!mod.validate()) throw new Error(`${file}: the pruned module does not validate`);
  writeFileSync(file, mod.emitBinary());
}
mod.dispose();
console.log(`prune-closure-table: ${dead} of ${total} table entries were dead closure shims`);
