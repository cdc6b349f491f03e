// Browsers and bundlers: the wasm-bindgen glue fetches `wasm_session_manager_bg.wasm` next to itself
// (`new URL(…, import.meta.url)`, which Vite, webpack 5 and Next.js emit as an asset), or `input`.
export const load = (init, input) => init({ module_or_path: input });
