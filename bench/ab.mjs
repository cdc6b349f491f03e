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
import { openScriptPage, stubbedCaseJs } from "./lib.mjs";

const [A, B, slices = "60"] = process.argv.slice(2);
if (!A || !B) {
  console.error("usage: node bench/ab.mjs <pkgA> <pkgB> [slices]");
  process.exit(2);
}
const CASE = process.env.CASE || "refresh";
const SLICE = Number(process.env.SLICE || 100);
const { page, close } = await openScriptPage(
  "ab",
  { pa: A, pb: B },
  `import * as orig from "./original.js";
import * as a from "./pa/index.js";
import * as b from "./pb/index.js";
await a.ready();
await b.ready();
${stubbedCaseJs(CASE)}
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
try {
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
  await close();
}
