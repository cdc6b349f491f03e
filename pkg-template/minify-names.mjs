// Shortens the names that tie the wasm to its wasm-bindgen glue: the import modules
// ("./wasm_session_manager_bg.js", and inline_js snippets' paths), the 115 import names (`__wbg_getItem_<16 hex digits>`, …) and the
// export names (`authsessionmanager_getAccessToken`, closure shims of 300 characters, …) become one or
// two letters, in the wasm's import and export sections and in the glue, consistently. The names are
// stored twice (wasm and JS) and their hashes do not compress: about 9 KB raw of the wasm.
//
// Run by build.mjs on pkg/ before the entries are bundled. Checks its own work: every import of the
// rewritten wasm has its key in the glue, every `wasm.<name>` of the glue is an export, and no old
// name is left; anything else throws (and the package build fails).
import { readFileSync, writeFileSync } from "node:fs";

// ---- the wasm binary: LEB128, names, and the import (2) and export (7) sections ----------------

function readLeb(buf, pos) {
  let value = 0;
  let shift = 0;
  let byte;
  do {
    byte = buf[pos++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, pos];
}

function leb(value) {
  const out = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return out;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const enc = new TextEncoder();

function readName(buf, pos) {
  const [len, start] = readLeb(buf, pos);
  return [utf8.decode(buf.subarray(start, start + len)), start + len];
}

const name = (s) => {
  const bytes = enc.encode(s);
  return [...leb(bytes.length), ...bytes];
};

/** Skips an import's description (func, table, memory, global or tag). */
function skipImportDesc(buf, pos) {
  const kind = buf[pos++];
  const limits = (p) => {
    const flags = buf[p++];
    [, p] = readLeb(buf, p);
    if (flags & 1) [, p] = readLeb(buf, p);
    return p;
  };
  switch (kind) {
    case 0: // function: type index
      return readLeb(buf, pos)[1];
    case 1: // table: reference type, limits
      return limits(pos + 1);
    case 2: // memory: limits
      return limits(pos);
    case 3: // global: value type, mutability
      return pos + 2;
    case 4: // tag: attribute, type index
      return readLeb(buf, pos + 1)[1];
    default:
      throw new Error(`minify-names: unknown import kind ${kind}`);
  }
}

/** `a`…`z`, `A`…`Z`, then two and more characters: never a name that needs quoting. */
function shortName(i) {
  const first = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  const rest = first + "0123456789_";
  let s = first[i % first.length];
  i = Math.floor(i / first.length);
  while (i > 0) {
    i -= 1;
    s += rest[i % rest.length];
    i = Math.floor(i / rest.length);
  }
  return s;
}

/** Rewrites the import and export sections; gives the old → new names of each. */
function rewriteWasm(wasm) {
  const modules = new Map();
  const imports = new Map();
  const exports = new Map();
  const out = [wasm.subarray(0, 8)];
  let pos = 8;
  while (pos < wasm.length) {
    const id = wasm[pos];
    const [size, start] = readLeb(wasm, pos + 1);
    const end = start + size;
    let body = wasm.subarray(start, end);
    if (id === 2) {
      let [count, p] = readLeb(wasm, start);
      body = [...leb(count)];
      for (let i = 0; i < count; i++) {
        let module, field;
        [module, p] = readName(wasm, p);
        [field, p] = readName(wasm, p);
        if (!modules.has(module)) modules.set(module, shortName(modules.size));
        // The glue's own imports ("./…_bg.js") get short names; an inline_js snippet's are its
        // export names, which the glue hands over as the module's namespace: kept.
        const main = module.endsWith("_bg.js");
        if (main && !imports.has(field)) imports.set(field, shortName(imports.size));
        const descStart = p;
        p = skipImportDesc(wasm, p);
        body.push(...name(modules.get(module)), ...name(main ? imports.get(field) : field), ...wasm.subarray(descStart, p));
      }
      if (p !== end) throw new Error("minify-names: the import section did not parse to its end");
    } else if (id === 7) {
      let [count, p] = readLeb(wasm, start);
      body = [...leb(count)];
      for (let i = 0; i < count; i++) {
        let field;
        [field, p] = readName(wasm, p);
        const descStart = p;
        p = readLeb(wasm, p + 1)[1];
        exports.set(field, shortName(exports.size));
        body.push(...name(exports.get(field)), ...wasm.subarray(descStart, p));
      }
      if (p !== end) throw new Error("minify-names: the export section did not parse to its end");
    }
    out.push(Uint8Array.from([id, ...leb(body.length)]), Uint8Array.from(body));
    pos = end;
  }
  return { wasm: Buffer.concat(out), modules, imports, exports };
}

// ---- the glue -----------------------------------------------------------------------------------

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

function rewriteGlue(glue, { modules, imports, exports }) {
  // the keys of the imports object: `"<module>": import<N>`
  for (const [module, short] of modules) {
    const key = new RegExp(`${escape(JSON.stringify(module))}(?=: import\\d+\\b)`, "g");
    const found = glue.match(key);
    if (!found || found.length !== 1) throw new Error(`minify-names: the glue names module ${module} ${found ? found.length : 0} times as an import key`);
    glue = glue.replace(key, JSON.stringify(short));
  }
  // import0's keys: `<name>: function`, one each
  for (const [old, short] of imports) {
    const key = new RegExp(`(?<=[\\s{,])${escape(old)}(?=:)`, "g");
    const found = glue.match(key);
    if (!found || found.length !== 1) throw new Error(`minify-names: import ${old} is a key of the glue ${found ? found.length : 0} times`);
    glue = glue.replace(key, short);
  }
  // exports, only ever read as `wasm.<name>`
  glue = glue.replace(/\bwasm\.([A-Za-z_$][\w$]*)/g, (all, old) => {
    if (!exports.has(old)) throw new Error(`minify-names: the glue reads wasm.${old}, which the wasm does not export`);
    return `wasm.${exports.get(old)}`;
  });
  // import names carry a hash: nothing else in the glue may spell one
  for (const old of imports.keys()) {
    if (new RegExp(`(?<![\\w$])${escape(old)}(?![\\w$])`).test(glue)) throw new Error(`minify-names: ${old} is still in the glue`);
  }
  return glue;
}

/** Rewrites `wasmFile` and `glueFile` in place; gives the bytes saved in each. */
export function minifyNames(wasmFile, glueFile) {
  const wasm = readFileSync(wasmFile);
  const glue = readFileSync(glueFile, "utf8");
  const rewritten = rewriteWasm(wasm);
  const newGlue = rewriteGlue(glue, rewritten);
  const module = new WebAssembly.Module(rewritten.wasm);
  const main = rewritten.modules.get([...rewritten.modules.keys()].find((m) => m.endsWith("_bg.js")));
  for (const i of WebAssembly.Module.imports(module)) {
    if (i.module === main && !new RegExp(`(?<=[\\s{,])${escape(i.name)}:`).test(newGlue)) throw new Error(`minify-names: import ${i.name} has no key in the glue`);
  }
  writeFileSync(wasmFile, rewritten.wasm);
  writeFileSync(glueFile, newGlue);
  return { wasm: wasm.length - rewritten.wasm.length, glue: glue.length - newGlue.length };
}
