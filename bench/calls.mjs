// The browser work behind one operation, original vs ours, in the page of crypto.mjs (fetch stubbed):
// Web Lock requests, BroadcastChannel messages, timers started, microtasks queued and fetches, per
// operation, and for ours the calls from the wasm into JS (every import of the module, counted by
// wrapping the imports object the glue instantiates with). Counts, not times: they say where a
// speed ratio comes from and do not move with load. BY_IMPORT=1 also lists ours' calls per import,
// each named by the first characters of its (minified) source.
import { launchChromium, preparePages, saveResult, serveStatic, watchPage } from "./lib.mjs";

const CASES = ["authorize", "ensure-refresh", "http-get", "get-access-token"];
const MS = Number(process.env.BENCH_CALLS_MS ?? 500);
const KINDS = ["locks", "posts", "timers", "microtasks", "fetches", "wasm→JS"];

const dir = await preparePages();
const server = await serveStatic(dir);
const browser = await launchChromium();
try {
  const context = await browser.newContext();
  // Before any script of the page: count every call the wasm makes into its imports.
  await context.addInitScript(() => {
    window.__wasmCalls = 0;
    // Per import, keyed by the start of its source (the package's import names are minified).
    window.__wasmByImport = {};
    const counted = (imports) => {
      for (const fns of Object.values(imports || {}))
        for (const [k, f] of Object.entries(fns))
          if (typeof f == "function") {
            const key = String(f).replace(/\s+/g, " ").slice(0, 90);
            fns[k] = function (...a) {
              window.__wasmCalls += 1;
              window.__wasmByImport[key] = (window.__wasmByImport[key] || 0) + 1;
              return f.apply(this, a);
            };
          }
      return imports;
    };
    const streaming = WebAssembly.instantiateStreaming;
    const plain = WebAssembly.instantiate;
    WebAssembly.instantiateStreaming = (source, imports) => streaming.call(WebAssembly, source, counted(imports));
    WebAssembly.instantiate = (source, imports) => plain.call(WebAssembly, source, counted(imports));
  });
  const page = await context.newPage();
  const log = watchPage(page, "calls");
  await page.goto(`${server.url}/crypto.html`);
  await page.waitForFunction(() => window.bench && window.bench.ready, null, { timeout: 30000 }).catch((e) => {
    console.error(log.join("\n"));
    throw e;
  });
  const results = {};
  for (const name of CASES) {
    results[name] = {};
    for (const impl of ["orig", "ours"]) {
      results[name][impl] = await page.evaluate(
        async ([n, i, ms]) => {
          // Wrap the APIs for this measurement only; each wrapper counts and calls through.
          const counts = { locks: 0, posts: 0, timers: 0, microtasks: 0 };
          const restore = [];
          const wrap = (obj, key, kind) => {
            const original = obj[key];
            obj[key] = function (...args) {
              counts[kind] += 1;
              return original.apply(this, args);
            };
            restore.push(() => (obj[key] = original));
          };
          wrap(navigator.locks, "request", "locks");
          wrap(BroadcastChannel.prototype, "postMessage", "posts");
          wrap(globalThis, "setTimeout", "timers");
          wrap(globalThis, "queueMicrotask", "microtasks");
          const calls0 = window.__wasmCalls;
          const by0 = { ...window.__wasmByImport };
          try {
            const r = await window.bench.run(n, i, ms, 0);
            if (!r.available) return { available: false, why: r.why };
            // run() does one checked call before its timed loop, counted here too.
            const ops = r.ops + 1;
            const per = {};
            for (const k of Object.keys(counts)) per[k] = counts[k] / ops;
            per.fetches = r.fetchesPerOp;
            per["wasm→JS"] = (window.__wasmCalls - calls0) / ops;
            const byImport = Object.entries(window.__wasmByImport)
              .map(([k, v]) => [k, (v - (by0[k] || 0)) / ops])
              .filter(([, v]) => v > 0)
              .sort((a, b) => b[1] - a[1]);
            return { available: true, ops, per, byImport };
          } finally {
            for (const undo of restore) undo();
          }
        },
        [name, impl, MS],
      );
    }
  }
  console.log("browser calls per operation (fetch stubbed; locks = navigator.locks.request, posts = BroadcastChannel.postMessage, timers = setTimeout, microtasks = queueMicrotask, wasm→JS = calls from the wasm into its JS imports)");
  const fmt = (x) => (x == null ? "n/a" : x.toFixed(x < 10 ? 2 : 0));
  for (const name of CASES) {
    for (const impl of ["orig", "ours"]) {
      const r = results[name][impl];
      const label = `  ${name.padEnd(17)} ${(impl === "orig" ? "original" : "ours").padEnd(9)}`;
      if (!r.available) console.log(`${label}n/a (${r.why})`);
      else console.log(label + KINDS.map((k) => `${k} ${fmt(r.per[k])}`.padEnd(k === "wasm→JS" ? 0 : 18)).join(""));
      // BY_IMPORT=1: ours' calls into JS by import (its source's first characters), per operation.
      if (process.env.BY_IMPORT && r.available && r.byImport?.length)
        for (const [k, v] of r.byImport) console.log(`      ${fmt(v).padStart(6)}  ${k}`);
    }
  }
  saveResult("calls", { ms: MS, cases: results });
} finally {
  await browser.close();
  await server.close();
}
