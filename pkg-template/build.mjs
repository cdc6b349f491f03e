// Generates the package's entries and typings in pkg/ from the wasm-pack output there (run by
// scripts/build-pkg.sh), then removes the wasm-bindgen glue and its typings, which the entries contain.
// Two variants, each over its own wasm: the main entry (index.js here: api.js + metadata.js, over
// pkg/wasm_session_manager_bg.wasm) and the auth entry (auth.js, over pkg/auth_bg.wasm, built without
// StorageManager into pkg/auth/ by build-pkg.sh). Per variant:
//   index.js / auth.js            browser/bundler ESM: the API + load-browser.js + the glue, minified
//                                 (the glue fetches its .wasm with `new URL("<wasm>", import.meta.url)`,
//                                 which bundlers emit as an asset)
//   node.mjs / auth.node.mjs      Node ESM: the API + load-node.js + the glue
//   index.cjs / auth.cjs          Node CommonJS: the same, as CommonJS
//   index.d.ts / auth.d.ts (+ .d.cts)  one flat typings file: the wasm-bindgen declarations (without
//                                 the init functions and `[Symbol.dispose]`, which needs lib
//                                 esnext.disposable) + index.d.ts here + metadata.d.ts or auth.d.ts
// One source (api.js) for all: the entries differ only in what they export and how the .wasm is read.
import { readFileSync, writeFileSync, copyFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { minifyNames } from "./minify-names.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const pkg = join(root, process.argv[2] || "pkg");
const esbuild = await import(pathToFileURL(join(root, ".tools/node_modules/esbuild/lib/main.js")).href);

// One variant of the package: `glueDir` holds wasm-pack's output (glue, .wasm, typings); `entry` is
// the API module bundled with it; the outputs are `<base>.js`, `<node>`, `<base>.cjs`, `<base>.d.ts`,
// `<base>.d.cts` and `wasmName` in pkg/.
async function variant({ glueDir, entry, wasmName, base, node, extraTypings = [] }) {
  const glueFile = join(glueDir, "wasm_session_manager.js");
  const wasmFile = join(glueDir, "wasm_session_manager_bg.wasm");
  // Short import/export names in the wasm and the glue, before the glue is bundled (minify-names.mjs).
  const saved = minifyNames(wasmFile, glueFile);
  console.log(`minify-names (${base}): wasm ${saved.wasm} B and glue ${saved.glue} B shorter (raw)`);
  // Short ASCII strings leave the wasm without `TextDecoder`: most strings the library hands to JS
  // (keys, the lock name, URLs, headers, tokens) are a few dozen ASCII bytes, for which a
  // `decode` call cost more than the string (`ensureRefresh` 5-9% faster without the locks'
  // round trip, measured in one page against the same build without it). Any other string, and
  // one with a non-ASCII byte, is decoded as before.
  const decodeAt = "function decodeText(bytes) {\n";
  const glueText = readFileSync(glueFile, "utf8");
  if (!glueText.includes(decodeAt)) throw new Error(`${glueFile}: no ${JSON.stringify(decodeAt)} (wasm-bindgen output changed?)`);
  writeFileSync(
    glueFile,
    glueText.replace(
      decodeAt,
      decodeAt +
        "    if (bytes.length < 64) {\n" +
        '        let s = "";\n' +
        "        for (let i = 0; i < bytes.length; i++) {\n" +
        "            const c = bytes[i];\n" +
        "            if (c > 127) { s = null; break; }\n" +
        "            s += String.fromCharCode(c);\n" +
        "        }\n" +
        "        if (s !== null) return s;\n" +
        "    }\n",
    ),
  );
  if (wasmName !== "wasm_session_manager_bg.wasm") {
    const glue = readFileSync(glueFile, "utf8");
    const at = "new URL('wasm_session_manager_bg.wasm', import.meta.url)";
    if (!glue.includes(at)) throw new Error(`${glueFile}: no ${at} (wasm-bindgen output changed?)`);
    writeFileSync(glueFile, glue.replace(at, `new URL('${wasmName}', import.meta.url)`));
  }
  renameSync(wasmFile, join(pkg, wasmName));

  const resolver = (loader) => ({
    name: "entries",
    setup(build) {
      build.onResolve({ filter: /^#load$/ }, () => ({ path: join(here, loader) }));
      build.onResolve({ filter: /wasm_session_manager\.js$/ }, () => ({ path: glueFile }));
    },
  });
  const common = {
    entryPoints: [join(here, entry)],
    bundle: true,
    write: true,
    logLevel: "warning",
    target: "es2020",
    define: { __WASM_FILE__: JSON.stringify("./" + wasmName) },
  };
  await esbuild.build({ ...common, format: "esm", minify: true, outfile: join(pkg, `${base}.js`), plugins: [resolver("load-browser.js")] });
  await esbuild.build({ ...common, format: "esm", platform: "node", outfile: join(pkg, node), plugins: [resolver("load-node.js")] });
  await esbuild.build({
    ...common,
    format: "cjs",
    platform: "node",
    outfile: join(pkg, `${base}.cjs`),
    define: { ...common.define, "import.meta.url": "__wsm_url" },
    banner: { js: 'var __wsm_url = require("url").pathToFileURL(__filename).href;' },
    plugins: [resolver("load-node.js")],
  });

  const generated = readFileSync(join(glueDir, "wasm_session_manager.d.ts"), "utf8");
  const cut = generated.indexOf("export type InitInput");
  if (cut < 0) throw new Error("wasm_session_manager.d.ts: no InitInput section (wasm-bindgen output changed?)");
  const classes = generated
    .slice(0, cut)
    .split("\n")
    .filter((l) => !l.includes("[Symbol.dispose]"))
    .join("\n")
    .replace(/^\/\* tslint:disable \*\/\n\/\* eslint-disable \*\/\n/, "");
  const typings =
    "// wasm-session-manager: the declarations of the classes (generated by wasm-bindgen) and of the\n" +
    "// package entry (pkg-template/*.d.ts). One file for every TypeScript module resolution.\n" +
    classes.trimEnd() +
    "\n\n" +
    ["index.d.ts", ...extraTypings].map((f) => readFileSync(join(here, f), "utf8")).join("\n");
  writeFileSync(join(pkg, `${base}.d.ts`), typings);
  copyFileSync(join(pkg, `${base}.d.ts`), join(pkg, `${base}.d.cts`));
}

// The whole API (index.js: api.js + metadata.js), and the auth entry (auth.js: everything but the metadata classes) over the
// wasm built without StorageManager, which scripts/build-pkg.sh puts in pkg/auth/.
await variant({ glueDir: pkg, entry: "index.js", wasmName: "wasm_session_manager_bg.wasm", base: "index", node: "node.mjs", extraTypings: ["metadata.d.ts"] });
await variant({ glueDir: join(pkg, "auth"), entry: "auth.js", wasmName: "auth_bg.wasm", base: "auth", node: "auth.node.mjs", extraTypings: ["auth.d.ts"] });
for (const f of ["wasm_session_manager.js", "wasm_session_manager.d.ts", "wasm_session_manager_bg.wasm.d.ts", "snippets", "auth"])
  rmSync(join(pkg, f), { force: true, recursive: true });
