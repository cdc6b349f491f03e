// Cold start page: imports nothing until `window.bench.run()`, which times what an app's first page
// load pays: the module import (for ours, the wasm fetched and compiled on first use), a new
// AuthSessionManager with the default storage (seeded by the driver), and its first authorize()
// resolved against session-server (a refresh, then the ECIES decrypt). bench/coldstart.mjs drives it.
// `?impl=orig | ours | auth` (auth: the package's auth entry, pkg/auth.js over pkg/auth_bg.wasm).
const impl = new URLSearchParams(location.search).get("impl") ?? "orig";

async function run() {
  const t0 = performance.now();
  const lib = await import(impl === "ours" ? "./pkg/index.js" : impl === "auth" ? "./pkg/auth.js" : "./original.js");
  const tImport = performance.now();
  const session = new lib.AuthSessionManager({ apiClientConfig: { baseURL: location.origin } });
  const data = await session.authorize();
  const t1 = performance.now();
  return { importMs: tImport - t0, totalMs: t1 - t0, username: data && data.username };
}

window.bench = { ready: true, impl, run };
