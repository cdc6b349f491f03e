// Node (ESM and CommonJS): `fetch` cannot read a `file:` URL, so the `.wasm` is read from the
// package's own file with fs, on first use only. `__WASM_FILE__`: the entry's .wasm (build.mjs).
export async function load(init, input) {
  if (input === undefined) {
    const { readFile } = await import("node:fs/promises");
    input = await readFile(new URL(__WASM_FILE__, import.meta.url));
  }
  return init({ module_or_path: input });
}
