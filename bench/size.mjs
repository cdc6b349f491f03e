// Size: gzip -9 bytes of what a browser downloads. The original: esbuild bundles (minified, ESM,
// browser platform) of the whole package and of its auth part. Ours: the wasm + JS glue + entry of pkg/,
// for the main entry and for the auth entry (`wasm-session-manager/auth`: pkg/auth_bg.wasm + pkg/auth.js).
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { BENCH, ORIGINAL, ORIGINAL_VERSION, PKG, PKG_FILES, WORK, bundle, ensurePkg, fmtInt, gzip9, saveResult } from "./lib.mjs";

// The original's public exports (dist/lib.esm/index.js), checked so the "everything" bundle really is everything.
const indexSrc = readFileSync(join(BENCH, "node_modules", ORIGINAL, "dist/lib.esm/index.js"), "utf8");
const exported = [...indexSrc.matchAll(/export\s*\{([^}]*)\}/g)].flatMap((m) => m[1].split(",").map((s) => s.trim()).filter(Boolean));
for (const name of ["AuthSessionManager", "HttpClient"]) {
  if (!exported.includes(name)) throw new Error(`${ORIGINAL} ${ORIGINAL_VERSION} does not export ${name}`);
}

const entries = {
  // `import * as all` kept alive through a global: nothing can be tree-shaken away.
  all: `import * as all from "${ORIGINAL}"; globalThis.__sessionManager = all;`,
  // What an app that uses only the token flow ships: AuthSessionManager and HttpClient (and what they pull in).
  auth: `import { AuthSessionManager, HttpClient } from "${ORIGINAL}"; globalThis.__sessionManager = { AuthSessionManager, HttpClient };`,
};

// The original's auth part again without its crypto (@noble/curves and @noble/hashes, through eccrypto), left
// out of the bundle as externals: what its session layer, fetch helpers and logging weigh. Our counterpart is
// everything in the auth entry above its crypto floor (BENCHMARKS.md, stop 22: 18.1 KB gzip with its glue).
const bundles = [
  ...Object.entries(entries).map(([name, src]) => [name, src, []]),
  ["authNoCrypto", entries.auth, ["@noble/*", "@toruslabs/eccrypto"]],
];
const original = {};
for (const [name, src, external] of bundles) {
  const out = await bundle(src, join(WORK, `original-${name}.min.js`), { external });
  original[name] = { raw: out.length, gzip: gzip9(Buffer.from(out)) };
}

ensurePkg();
const ours = { files: {} };
for (const f of PKG_FILES) {
  const p = join(PKG, f);
  ours.files[f] = { raw: readFileSync(p).length, gzip: gzip9(p) };
}
const wasmPath = join(PKG, PKG_FILES[0]);
ours.builtAt = statSync(wasmPath).mtime.toISOString();
ours.wasmSha256 = createHash("sha256").update(readFileSync(wasmPath)).digest("hex").slice(0, 16);
ours.gzip = Object.values(ours.files).reduce((a, f) => a + f.gzip, 0);
ours.raw = Object.values(ours.files).reduce((a, f) => a + f.raw, 0);
// The auth entry: its own wasm (no StorageManager) and entry; compared with the original's auth part.
const authFiles = ["auth_bg.wasm", "auth.js"];
ours.auth = { files: {} };
for (const f of authFiles) {
  const p = join(PKG, f);
  ours.auth.files[f] = { raw: readFileSync(p).length, gzip: gzip9(p) };
}
ours.auth.gzip = Object.values(ours.auth.files).reduce((a, f) => a + f.gzip, 0);
const ourExports = [...readFileSync(join(PKG, "index.d.ts"), "utf8").matchAll(/^export (?:declare )?(?:abstract )?(?:class|function|const) (\w+)/gm)]
  .map((m) => m[1])
  .filter((n) => !n.startsWith("__"));

const kb = (n) => (n / 1000).toFixed(1) + " KB";
console.log(`size (gzip -9 bytes; ${ORIGINAL} ${ORIGINAL_VERSION} bundled by esbuild, minified ESM, platform browser)`);
console.log(`  original, everything (${exported.length} exports): ${fmtInt(original.all.gzip)} B (${kb(original.all.gzip)}; ${fmtInt(original.all.raw)} B minified)`);
console.log(`  original, AuthSessionManager + HttpClient:   ${fmtInt(original.auth.gzip)} B (${kb(original.auth.gzip)}; ${fmtInt(original.auth.raw)} B minified)`);
console.log(`  original, the same without its crypto (@noble/*, eccrypto external): ${fmtInt(original.authNoCrypto.gzip)} B (${fmtInt(original.authNoCrypto.raw)} B minified); its crypto: ${fmtInt(original.auth.gzip - original.authNoCrypto.gzip)} B`);
for (const [f, s] of Object.entries(ours.files)) console.log(`  ours, pkg/${f}: ${fmtInt(s.gzip)} B (${fmtInt(s.raw)} B raw)`);
console.log(`  ours, total: ${fmtInt(ours.gzip)} B (${kb(ours.gzip)}); pkg/ built ${ours.builtAt}, wasm sha256 ${ours.wasmSha256}…`);
console.log(`  ours, exports: ${ourExports.join(", ")}`);
console.log(`  ratio ours/original: ${(ours.gzip / original.all.gzip).toFixed(2)} vs everything, ${(ours.gzip / original.auth.gzip).toFixed(2)} vs auth part`);
for (const [f, s] of Object.entries(ours.auth.files)) console.log(`  ours, auth entry, pkg/${f}: ${fmtInt(s.gzip)} B (${fmtInt(s.raw)} B raw)`);
console.log(`  ours, auth entry (wasm-session-manager/auth) total: ${fmtInt(ours.auth.gzip)} B (${kb(ours.auth.gzip)}); ratio ${(ours.auth.gzip / original.auth.gzip).toFixed(2)} vs the original's auth part`);

saveResult("size", { originalVersion: ORIGINAL_VERSION, original, ours, ourExports });
