// probe (not committed): per-import counts of the wasm's calls into JS for one case
import { launchChromium, preparePages, serveStatic, watchPage } from "./lib.mjs";
const CASE = process.argv[2] || "ensure-refresh";
const dir = await preparePages();
const server = await serveStatic(dir);
const browser = await launchChromium();
try {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    window.__byName = {};
    const counted = (imports) => {
      for (const fns of Object.values(imports || {}))
        for (const [k, f] of Object.entries(fns))
          if (typeof f == "function")
            fns[k] = function (...a) {
              window.__byName[k] = (window.__byName[k] || 0) + 1;
              return f.apply(this, a);
            };
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
  await page.waitForFunction(() => window.bench && window.bench.ready, null, { timeout: 30000 });
  const out = await page.evaluate(async (n) => {
    await window.bench.run(n, "ours", 200, 0);
    const before = { ...window.__byName };
    const r = await window.bench.run(n, "ours", 500, 0);
    const ops = r.ops + 1;
    const per = {};
    for (const [k, v] of Object.entries(window.__byName)) { const d = v - (before[k] || 0); if (d) per[k] = +(d / ops).toFixed(2); }
    return { ops, per };
  }, CASE);
  console.log(CASE, out.ops, Object.entries(out.per).sort((a, b) => b[1] - a[1]));
} finally { await browser.close(); server.close(); }
