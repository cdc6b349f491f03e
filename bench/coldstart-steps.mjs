// Cold start taken apart (not part of run.sh): the page of coldstart.mjs, but awaiting each step on its
// own, so the times say where a first page load goes: the module import, ready() (for ours the wasm
// fetched, compiled and instantiated), the constructor, the first authorize() (a refresh against
// session-server and the ECIES decrypt), and a second authorize() in a second manager. Inside the first
// authorize(), the page stamps the refresh lock's request and grant (navigator.locks wrapped) and the
// refresh request's start (fetch wrapped), and reads the request's own time from its resource timing:
// "lock req" / "granted" / "fetch" are times since the start like the steps, "to request" is the
// constructor's end to the request, "server" the request's time on the wire, "after response" its
// end to authorize()'s (the decrypt and what follows). Fresh browser context per sample,
// implementations alternating; prints the median of each step and, for the last sample, the resource
// timings of the scripts and the wasm.
//   node bench/coldstart-steps.mjs          (N=12 samples each by default; N=20 node ...)
//   PROBE=1 also marks the first localStorage read, document.cookie read and BroadcastChannel
//   (their start, and their end as "… done"), for ours the wasm's fetch (start, headers, last byte)
//   and its instantiateStreaming (called, resolved).
import { getPublic, generatePrivate } from "@toruslabs/eccrypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { launchChromium, median, preparePages, startSessionServer } from "./lib.mjs";
const N = Number(process.env.N ?? 12); // samples per implementation
const dir = await preparePages();
writeFileSync(join(dir, "cb.html"), '<!doctype html><meta charset="utf-8"><script type="module" src="./cb.js"></script>');
writeFileSync(join(dir, "cb.js"), `
const impl = new URLSearchParams(location.search).get("impl");
window.bench = { ready: true, run: async () => {
  const m = {}; const t0 = performance.now(); const mark = (k) => (m[k] ??= performance.now() - t0);
  const request = LockManager.prototype.request;
  LockManager.prototype.request = function (name, o, cb) {
    if (typeof o === "function") (cb = o), (o = {});
    mark("lock req");
    return request.call(this, name, o, (lock) => (mark("granted"), cb(lock)));
  };
  if (new URLSearchParams(location.search).get("probe")) {
    // PROBE=1: when the first localStorage read, document.cookie read and BroadcastChannel happen
    // (each mark the first call's start, "… done" its end).
    const probe = (obj, key, name) => { const f = obj[key]; obj[key] = function (...a) { mark(name); const v = f.apply(this, a); mark(name + " done"); return v; }; };
    probe(Storage.prototype, "getItem", "getItem");
    const cookie = Object.getOwnPropertyDescriptor(Document.prototype, "cookie");
    Object.defineProperty(Document.prototype, "cookie", { configurable: true, set(v) { cookie.set.call(this, v); },
      get() { mark("cookie"); const v = cookie.get.call(this); mark("cookie done"); return v; } });
    const BC = window.BroadcastChannel;
    window.BroadcastChannel = function (n) { mark("channel"); const c = new BC(n); mark("channel done"); return c; };
    window.BroadcastChannel.prototype = BC.prototype;
    const streaming = WebAssembly.instantiateStreaming;
    WebAssembly.instantiateStreaming = (...a) => (mark("wasm call"), streaming.apply(WebAssembly, a).then((r) => (mark("wasm instantiated"), r)));
    const compiled = WebAssembly.compileStreaming;
    WebAssembly.compileStreaming = (...a) => (mark("wasm call"), compiled.apply(WebAssembly, a).then((r) => (mark("wasm compiled"), r)));
  }
  const fetch0 = window.fetch;
  window.fetch = function (url, init) { if (/session$/.test(String(url))) mark("fetch"); return fetch0.call(this, url, init); };
  const lib = await import(impl === "ours" ? "./pkg/index.js" : impl === "auth" ? "./pkg/auth.js" : "./original.js"); mark("import");
  if (lib.ready) { await lib.ready(); mark("ready"); }
  const s = new lib.AuthSessionManager({ apiClientConfig: { baseURL: location.origin } }); mark("new");
  const d = await s.authorize(); mark("authorize");
  const sent = performance.getEntriesByType("resource").find((e) => /session$/.test(e.name));
  const wasmRes = performance.getEntriesByType("resource").find((e) => /\.wasm/.test(e.name));
  if (wasmRes && m["wasm call"] !== undefined) {
    m["wasm fetch"] = wasmRes.startTime - t0;
    m["wasm headers"] = wasmRes.responseStart - t0;
    m["wasm bytes in"] = wasmRes.responseEnd - t0;
  }
  if (sent) { m["to request"] = sent.startTime - t0 - m.new; m.server = sent.duration; m["after response"] = m.authorize - (sent.startTime - t0 + sent.duration); }
  const s2 = new lib.AuthSessionManager({ apiClientConfig: { baseURL: location.origin } });
  const t2 = performance.now(); await s2.authorize(); m.second = performance.now() - t2;
  for (const e of performance.getEntriesByType("resource")) { const n = e.name.split("/").pop().split("?")[0]; if (/wasm|refresh|\\.js/.test(n)) m["res " + n] = Math.round(e.startTime - t0) + "+" + Math.round(e.duration); }
  m.username = d && d.username; return m;
}};`);
const server = await startSessionServer(dir);
const browser = await launchChromium();
async function login() {
  const key = generatePrivate();
  const res = await fetch(`${server.url}/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "bench", public_key: Buffer.from(getPublic(key)).toString("hex"), session_data: { username: "bench" } }) });
  return { sessionId: Buffer.from(key).toString("hex"), ...(await res.json()) };
}
const out = { orig: [], ours: [], auth: [] };
for (let i = 0; i < N; i++) for (const impl of Object.keys(out)) {
  const t = await login();
  const context = await browser.newContext();
  await context.addCookies([{ name: "w3a:refresh_token", value: t.refresh_token, url: server.url }]);
  const page = await context.newPage();
  await page.goto(`${server.url}/cb.html?impl=${impl}${process.env.PROBE ? "&probe=1" : ""}`);
  await page.waitForFunction(() => window.bench && window.bench.ready);
  await page.evaluate((t) => { localStorage.setItem("w3a:session_id", t.sessionId); localStorage.setItem("w3a:access_token", t.access_token); }, t);
  out[impl].push(await page.evaluate(() => window.bench.run()));
  await context.close();
}
await browser.close(); await server.stop();
for (const [impl, arr] of Object.entries(out)) {
  const keys = Object.keys(arr[0]).filter((k) => typeof arr[0][k] === "number");
  console.log(impl, keys.map((k) => `${k} ${median(arr.map((a) => a[k])).toFixed(1)}`).join("  "));
  console.log("   ", Object.entries(arr[arr.length - 1]).filter(([k]) => k.startsWith("res")).map(([k, v]) => `${k} ${v}`).join("  "));
}
