// Crypto speed in the same Chromium: the original vs ours, same page, fetch stubbed (see pages/crypto.js).
// Prints ops/s per case (median of alternating slices) and the ratio ours/original.
import { ORIGINAL_VERSION, fmtInt, launchChromium, median, openCryptoPage, preparePages, saveResult, serveStatic } from "./lib.mjs";

// Short alternating slices (orig, ours, ours, orig, ...) so that both see the same background load
// of a shared machine; the figure is the median slice, the best slice is kept in the JSON.
const SLICES = Number(process.env.BENCH_CRYPTO_SLICES ?? 10);
const MS = Number(process.env.BENCH_CRYPTO_MS ?? 200);
const WARMUP_MS = 300;

const dir = await preparePages();
const server = await serveStatic(dir);
const browser = await launchChromium();
let failed = false;
try {
  const { page, log } = await openCryptoPage(browser, server, "crypto");
  const { cases, oursError, oursExports } = await page.evaluate(() => ({
    cases: window.bench.cases,
    oursError: window.bench.oursError,
    oursExports: window.bench.oursExports,
  }));
  if (oursError) console.error(`bench: our package failed to load in Chromium: ${oursError}`);
  const samples = {};
  for (const name of cases) {
    const sample = (samples[name] = { orig: [], ours: [], why: {}, fetchesPerOp: {} });
    for (const impl of ["orig", "ours"]) {
      const r = await page.evaluate(([n, i, ms]) => window.bench.run(n, i, ms, 0), [name, impl, WARMUP_MS]);
      if (!r.available) sample.why[impl] = r.why;
    }
    const impls = ["orig", "ours"].filter((i) => !sample.why[i]);
    for (let k = 0; k < SLICES; k++) {
      const order = k % 2 === 0 ? impls : [...impls].reverse();
      for (const impl of order) {
        const r = await page.evaluate(([n, i, ms]) => window.bench.run(n, i, ms, 0), [name, impl, MS]);
        if (r.available) {
          sample[impl].push(r.opsPerSec);
          sample.fetchesPerOp[impl] = r.fetchesPerOp;
        } else sample.why[impl] = r.why;
      }
    }
  }
  const browserVersion = browser.version();
  const summary = {};
  console.log(`crypto (Chromium ${browserVersion}; ops/s: median and best of ${SLICES} alternating ${MS} ms slices, fetch stubbed; original ${ORIGINAL_VERSION} via esbuild)`);
  for (const name of cases) {
    const s = samples[name];
    const o = s.orig.length ? median(s.orig) : null;
    const u = s.ours.length ? median(s.ours) : null;
    const best = (xs) => (xs.length ? Math.max(...xs) : null);
    summary[name] = { original: o, ours: u, ratio: o && u ? u / o : null, best: { original: best(s.orig), ours: best(s.ours) }, samples: { orig: s.orig, ours: s.ours }, why: s.why };
    const cell = (v, b, why) => (v != null ? `${fmtInt(v)}/s (best ${fmtInt(b)})` : `n/a (${why})`);
    const bo = summary[name].best.original;
    const bu = summary[name].best.ours;
    console.log(
      `  ${name.padEnd(18)} original ${cell(o, bo, s.why.orig).padEnd(24)} ours ${cell(u, bu, s.why.ours).padEnd(24)}` +
        (o && u ? `  ours/original ${(u / o).toFixed(2)} (best ${(bu / bo).toFixed(2)})` : ""),
    );
    const f = s.fetchesPerOp;
    if (f.orig != null && f.ours != null && f.orig !== f.ours) {
      console.log(`    note: requests per operation differ (original ${f.orig}, ours ${f.ours}): not the same work`);
    }
    summary[name].fetchesPerOp = f;
    if (s.why.orig) failed = true; // the original must always run: its absence means the harness is broken
  }
  const errors = log.filter((l) => l.includes("pageerror"));
  if (errors.length) console.error(errors.join("\n"));
  saveResult("crypto", { browser: browserVersion, slices: SLICES, ms: MS, oursExports, oursError, cases: summary });
} finally {
  await browser.close();
  await server.close();
}
if (failed) {
  console.error("bench: crypto benchmark could not run the original");
  process.exit(1);
}
