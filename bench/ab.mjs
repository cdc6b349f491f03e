// Two builds of the package against each other and the original, in one page (not part of run.sh):
// for a change whose effect is a few percent, which the per-page runs of crypto.mjs cannot separate
// from the machine's noise. Both builds and the original are loaded in the same Chromium page, each
// with its own manager (its own storageKeyPrefix: they do not hear each other), and measured in
// short slices interleaved in rotating order, so that all three see the same load and the same
// state of the browser. Prints us per operation (median slice [quartiles]) and the ratios.
//   node bench/ab.mjs <pkgA> <pkgB> [slices]     (default 60 slices of SLICE=100 ms each)
// A pkg dir is a copy of pkg/ as scripts/build-pkg.sh leaves it (cp -r pkg /tmp/pkg-a).
// CASE picks the operation, with `fetch` stubbed with a ~700-byte refresh answer or a small JSON:
//   refresh  ensureRefresh(), MemoryStorage slots (the ensure-refresh case of crypto.mjs)
//   default  ensureRefresh() with the default storage (localStorage, the refresh token in a cookie)
//   adapter  ensureRefresh() with storage adapters of plain JS objects that answer synchronously
//   get      an authenticated HttpClient GET
//   token    getAccessToken()
// NOLOCK=1 takes navigator.locks away (both libraries then refresh without the lock): what is left
// is each library's own CPU work, without the lock's round trip through the browser (~300 us on
// this machine, whose variance otherwise hides a few us).
import { cpSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { launchChromium, preparePages, serveStatic } from "./lib.mjs";

const [A, B, slices = "60"] = process.argv.slice(2);
if (!A || !B) {
  console.error("usage: node bench/ab.mjs <pkgA> <pkgB> [slices]");
  process.exit(2);
}
const CASE = process.env.CASE || "refresh";
const SLICE = Number(process.env.SLICE || 100);
const dir = await preparePages();
for (const [d, src] of [["pa", A], ["pb", B]]) {
  rmSync(join(dir, d), { recursive: true, force: true });
  cpSync(src, join(dir, d), { recursive: true });
}
writeFileSync(join(dir, "ab.html"), `<!doctype html><script type="module" src="ab.js"></script>`);
writeFileSync(
  join(dir, "ab.js"),
  `import * as orig from "./original.js";
import * as a from "./pa/index.js";
import * as b from "./pb/index.js";
await a.ready();
await b.ready();
const CASE = ${JSON.stringify(CASE)};
const answer = JSON.stringify({
  access_token: "at.bench",
  refresh_token: "rt.bench",
  session_data: JSON.stringify({ iv: "1d0fa2324e1816dcee8c230906e8df74", ephemPublicKey: "04" + "ab".repeat(64), ciphertext: "cd".repeat(160), mac: "ef".repeat(32) }),
});
const body = CASE === "get" ? JSON.stringify({ items: [1, 2, 3] }) : answer;
globalThis.fetch = async () => new Response(body, { status: 200, headers: { "content-type": "application/json" } });
function storage(lib) {
  if (CASE === "default") return {};
  const slot = CASE === "adapter"
    ? () => { const m = new Map(); return { get: (k) => m.get(k) ?? null, set: (k, v) => { m.set(k, v); }, remove: (k) => { m.delete(k); } }; }
    : () => new lib.MemoryStorage();
  return { storage: { sessionId: slot(), accessToken: slot(), refreshToken: slot(), idToken: slot() } };
}
async function make(lib, prefix) {
  const sm = new lib.AuthSessionManager({ apiClientConfig: { baseURL: "http://stub.invalid" }, ...storage(lib), ...(prefix ? { storageKeyPrefix: prefix } : {}) });
  await sm.setTokens({ sessionId: "aa".repeat(32), accessToken: "at.bench", refreshToken: "rt.bench" });
  if (CASE === "get") { const c = new lib.HttpClient(sm); return () => c.get("http://stub.invalid/v1/me", { authenticated: true }); }
  if (CASE === "token") return () => sm.getAccessToken();
  return () => sm.ensureRefresh(false);
}
const ops = { orig: await make(orig), A: await make(a, "wa"), B: await make(b, "wb") };
window.slice = async (k, ms) => {
  const op = ops[k];
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) { await op(); n++; t = performance.now(); }
  return ((t - t0) * 1000) / n;
};
window.ready = true;
`,
);
const server = await serveStatic(dir);
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  if (process.env.NOLOCK) await page.addInitScript(() => Object.defineProperty(Navigator.prototype, "locks", { get: () => undefined }));
  page.on("pageerror", (e) => console.error("page error:", e.message));
  await page.goto(`${server.url}/ab.html`);
  await page.waitForFunction(() => window.ready, null, { timeout: 30_000 });
  for (const k of ["orig", "A", "B"]) await page.evaluate((k) => window.slice(k, 400), k);
  const res = { orig: [], A: [], B: [] };
  const orders = [["orig", "A", "B"], ["B", "A", "orig"], ["A", "orig", "B"], ["B", "orig", "A"]];
  for (let s = 0; s < Number(slices); s++)
    for (const k of orders[s % orders.length]) res[k].push(await page.evaluate(([k, ms]) => window.slice(k, ms), [k, SLICE]));
  const at = (xs, f) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length * f)];
  const med = (xs) => at(xs, 0.5);
  const row = (k) => `${k} ${med(res[k]).toFixed(1)} [${at(res[k], 0.25).toFixed(0)}-${at(res[k], 0.75).toFixed(0)}]`;
  console.log(`${CASE}, ${process.env.NOLOCK ? "no Web Locks" : "Web Locks"}, us per operation, median slice [quartiles] of ${slices}: ${["orig", "A", "B"].map(row).join(" | ")}`);
  console.log(`speed ratios: A/original ${(med(res.orig) / med(res.A)).toFixed(3)}, B/original ${(med(res.orig) / med(res.B)).toFixed(3)}, B/A ${(med(res.A) / med(res.B)).toFixed(3)} (above 1: B faster)`);
} finally {
  await browser.close();
  await server.close();
}
