// Node (ESM and CommonJS): `fetch` cannot read a `file:` URL, so the `.wasm` is read from the
// package's own file with fs, on first use only.
export async function load(init, input) {
  if (input === undefined) {
    const { readFile } = await import("node:fs/promises");
    input = await readFile(new URL("./wasm_session_manager_bg.wasm", import.meta.url));
  }
  return init({ module_or_path: input });
}
