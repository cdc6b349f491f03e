import { openScriptPage, stubbedCaseJs, PKG } from "./lib.mjs";
const CASE = process.env.CASE || "refresh";
const { page, close } = await openScriptPage("count", { pp: process.argv[2] || PKG }, `import * as orig from "./original.js";
import * as ours from "./pp/index.js";
await ours.ready();
${stubbedCaseJs(CASE)}
const counts = { ifAvailable: 0, waited: 0, other: 0 };
const request = LockManager.prototype.request;
LockManager.prototype.request = function (name, opts, cb) {
  if (typeof opts === "function") (cb = opts), (opts = {});
  if (opts.ifAvailable) counts.ifAvailable++; else if (opts.signal) counts.waited++; else counts.other++;
  return request.call(this, name, opts, cb);
};
window.run = async (who, ms) => { const op = await make(who === "orig" ? orig : ours, who); for (const k in counts) counts[k] = 0; let n = 0; const t0 = performance.now(); while (performance.now() - t0 < ms) { await op(); n++; } return { n, ...counts }; };
window.ready = true;`);
try {
  for (const who of ["ours", "orig", "ours", "orig"]) console.log(who, JSON.stringify(await page.evaluate(([w]) => window.run(w, 3000), [who])));
} finally { await close(); }
