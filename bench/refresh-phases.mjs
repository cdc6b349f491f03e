// `ensureRefresh()` taken apart (not part of run.sh): where one refresh's time goes, the original and
// ours in the same page (the page of crypto.mjs: `fetch` stubbed, MemoryStorage slots), refreshes one
// after another as in its `ensure-refresh` case. The page is cross-origin isolated (COOP/COEP), so
// `performance.now()` has 5 us steps instead of 100; the Web Locks, `fetch` and body-read calls are
// wrapped to stamp each step, which adds a few us per step to both sides alike. Per implementation, the
// mean of each phase over the refreshes of a 300 ms slice; the median slice of ROUNDS (default 5):
//   start → request     the call until `navigator.locks.request` (ours: the spawned future's first
//                       poll, and the wait for this tab's previous release to be processed)
//   request → granted   the browser's lock round trip (the callback runs)
//   granted → fetch     the work under the lock before the request
//   fetch → body        the stubbed fetch and the body read (text() or json())
//   body → resolved     the rest: the answer parsed and stored, the lock released, the promise settled
//                       (the original's includes its wait for the release to be processed)
// and the same for a floor: the bare flow in plain JS (`navigator.locks.request` around the stubbed
// fetch and `json()`, nothing stored), what either library adds to is the rest.
//   node bench/refresh-phases.mjs      (ROUNDS=9 node ... for more)
import { launchChromium, median, preparePages, serveStatic } from "./lib.mjs";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const dir = await preparePages();
writeFileSync(join(dir, "phases.js"), readFileSync(join(dir, "crypto.js"), "utf8") + "\nwindow.CASES = CASES;\nwindow.disposeManagers = () => { for (const sm of live.splice(0)) if (typeof sm.dispose === \"function\") sm.dispose(); };\n");
writeFileSync(join(dir, "phases.html"), readFileSync(join(dir, "crypto.html"), "utf8").replace("crypto.js", "phases.js"));
const server = await serveStatic(dir, {
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
  "cross-origin-resource-policy": "same-origin",
});
const browser = await launchChromium();
const PHASES = ["start → request", "request → granted", "granted → fetch", "fetch → body", "body → resolved"];
try {
  const page = await browser.newPage();
  await page.addInitScript(() => {
    const ev = (window.__ev = []);
    const stamp = (k) => ev.push(k, performance.now());
    const request = LockManager.prototype.request;
    LockManager.prototype.request = function (name, opts, cb) {
      if (typeof opts === "function") (cb = opts), (opts = {});
      stamp("request");
      return request.call(this, name, opts, (lock) => (stamp("granted"), cb(lock)));
    };
    for (const m of ["text", "json"]) {
      const read = Response.prototype[m];
      Response.prototype[m] = function () {
        return read.call(this).then((v) => (stamp("body"), v));
      };
    }
    const post = BroadcastChannel.prototype.postMessage;
    BroadcastChannel.prototype.postMessage = function (m) {
      stamp("post");
      return post.call(this, m);
    };
  });
  await page.goto(`${server.url}/phases.html`);
  await page.waitForFunction(() => window.bench && window.bench.ready && window.CASES);
  if (!(await page.evaluate(() => crossOriginIsolated))) throw new Error("the page is not cross-origin isolated");
  const rounds = { orig: [], ours: [], floor: [] };
  for (let r = 0; r < ROUNDS; r++)
    for (const impl of r % 2 ? ["ours", "orig", "floor"] : ["floor", "orig", "ours"]) {
      const out = await page.evaluate(async (impl) => {
        const c = window.CASES["ensure-refresh"];
        // One manager in the page, as crypto.mjs runs it (two managers hear each other and post
        // each refresh's news on their BroadcastChannel).
        window.disposeManagers();
        c.setup();
        const op =
          impl === "floor"
            ? () =>
                navigator.locks.request("w3a:session-refresh", async () => {
                  const r = await fetch("http://stub.invalid/v1/refresh", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
                  return r.json();
                })
            : await c[impl]();
        for (let w = performance.now(); performance.now() - w < 100; ) await op();
        const ev = window.__ev;
        const t0 = performance.now();
        const ops = [];
        while (performance.now() - t0 < 300) {
          ev.length = 0;
          const start = performance.now();
          const fetchAt = [];
          const stub = globalThis.fetch;
          globalThis.fetch = (...a) => (fetchAt.push(performance.now()), stub(...a));
          await op();
          globalThis.fetch = stub;
          const end = performance.now();
          const at = {};
          for (let i = 0; i < ev.length; i += 2) if (!(ev[i] in at)) at[ev[i]] = ev[i + 1];
          ops.push({ start, end, fetch: fetchAt[0], posts: ev.filter((k) => k === "post").length, ...at });
        }
        return ops;
      }, impl);
      const ok = out.filter((o) => o.request != null && o.granted != null && o.fetch != null && o.body != null);
      const mean = (f) => ok.reduce((a, o) => a + f(o), 0) / ok.length;
      rounds[impl].push({
        "start → request": mean((o) => o.request - o.start),
        "request → granted": mean((o) => o.granted - o.request),
        "granted → fetch": mean((o) => o.fetch - o.granted),
        "fetch → body": mean((o) => o.body - o.fetch),
        "body → resolved": mean((o) => o.end - o.body),
        total: mean((o) => o.end - o.start),
        posts: mean((o) => o.posts),
        n: ok.length,
      });
    }
  const us = (ms) => String(Math.round(ms * 1000)).padStart(8);
  console.log(`ensureRefresh() phases, us per refresh (median of ${ROUNDS} slices of 300 ms; cross-origin isolated page, 5 us timer)`);
  console.log(`${"phase".padEnd(20)} ${"original".padStart(8)} ${"ours".padStart(8)} ${"ours-orig".padStart(9)} ${"floor".padStart(8)}`);
  for (const k of [...PHASES, "total"]) {
    const [o, u, f] = ["orig", "ours", "floor"].map((impl) => median(rounds[impl].map((x) => x[k])));
    console.log(`${k.padEnd(20)} ${us(o)} ${us(u)} ${us(u - o).padStart(9)} ${us(f)}`);
  }
  console.log(`BroadcastChannel posts per refresh: original ${median(rounds.orig.map((x) => x.posts))}, ours ${median(rounds.ours.map((x) => x.posts))}`);
} finally {
  await browser.close();
  await server.close();
}
