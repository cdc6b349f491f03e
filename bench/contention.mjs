// Contention (PROTOCOL.md §8): M concurrent authenticated requests whose access token the server has
// just invalidated (session-server --test-hooks, /test/expire-access), in 1 tab and in N tabs of one
// browser profile. Counts refresh calls that reach the server (/test/counters) and failed requests,
// for the original (esbuild bundle) and ours (pkg/), rounds alternating. Prints min/median/max.
import { launchChromium, median, preparePages, saveResult, startSessionServer, watchPage } from "./lib.mjs";

const ROUNDS = Number(process.env.BENCH_CONTENTION_ROUNDS ?? 10);
const REQUESTS = Number(process.env.BENCH_CONTENTION_REQUESTS ?? 25);
const TABS = Number(process.env.BENCH_CONTENTION_TABS ?? 4);
const TAB_ROUNDS = Number(process.env.BENCH_CONTENTION_TAB_ROUNDS ?? 5);
const TAB_REQUESTS = Number(process.env.BENCH_CONTENTION_TAB_REQUESTS ?? 25);
const IMPLS = ["orig", "ours"];
const LABEL = { orig: "original", ours: "ours" };

const dir = await preparePages();
const server = await startSessionServer(dir);
const hook = async (path, body) => {
  const res = await fetch(`${server.url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
};

const browser = await launchChromium();
const problems = [];

/** One round: `tabs` pages in a fresh browser context, login in the first, `requests` per tab after expiry. */
async function round(impl, tabs, requests) {
  const context = await browser.newContext();
  try {
    const pages = [];
    const logs = [];
    for (let i = 0; i < tabs; i++) {
      const page = await context.newPage();
      logs.push(watchPage(page, `${impl} tab ${i}`));
      await page.goto(`${server.url}/contention.html?impl=${impl}`);
      await page.waitForFunction(() => window.bench && window.bench.ready, null, { timeout: 30000 });
      pages.push(page);
    }
    await pages[0].evaluate(() => window.bench.setup());
    const { sid, refreshTokenStored } = await pages[0].evaluate(() => window.bench.login());
    if (!refreshTokenStored) throw new Error(`${impl}: the refresh token did not persist in its default storage`);
    for (const p of pages.slice(1)) await p.evaluate(() => window.bench.setup());
    // Every tab makes one good request first: the token is valid, the code paths are warm.
    for (const p of pages) {
      const warm = await p.evaluate(() => window.bench.fire(1));
      if (warm.ok !== 1) throw new Error(`${impl}: warm-up request failed: ${JSON.stringify(warm.kinds)}`);
    }
    await hook("/test/expire-access", { sid });
    await hook("/test/counters/reset", {});
    const results = await Promise.all(pages.map((p) => p.evaluate((n) => window.bench.fire(n), requests)));
    // Let any straggling refresh land before reading the counter.
    await new Promise((r) => setTimeout(r, 100));
    const counters = await hook("/test/counters");
    const kinds = {};
    for (const r of results) for (const [k, v] of Object.entries(r.kinds)) kinds[k] = (kinds[k] ?? 0) + v;
    const errors = logs.flat().filter((l) => l.includes("pageerror"));
    if (errors.length) problems.push(...errors);
    return {
      refreshes: counters.refresh,
      failed: results.reduce((a, r) => a + r.failed, 0),
      ok: results.reduce((a, r) => a + r.ok, 0),
      kinds,
      ms: Math.max(...results.map((r) => r.ms)),
    };
  } finally {
    await context.close();
  }
}

const scenarios = [
  { key: "tab1", title: `1 tab x ${REQUESTS} requests`, tabs: 1, requests: REQUESTS, rounds: ROUNDS },
  { key: `tabs${TABS}`, title: `${TABS} tabs x ${TAB_REQUESTS} requests`, tabs: TABS, requests: TAB_REQUESTS, rounds: TAB_ROUNDS },
];
const out = { browser: browser.version(), scenarios: {} };
const unavailable = {};
try {
  for (const sc of scenarios) {
    const rows = { orig: [], ours: [] };
    for (let r = 0; r < sc.rounds; r++) {
      for (const impl of r % 2 === 0 ? IMPLS : [...IMPLS].reverse()) {
        if (unavailable[impl]) continue;
        try {
          rows[impl].push(await round(impl, sc.tabs, sc.requests));
        } catch (e) {
          unavailable[impl] = e.message.split("\n")[0];
        }
      }
    }
    out.scenarios[sc.key] = { title: sc.title, tabs: sc.tabs, requests: sc.requests, rounds: {} };
    console.log(`contention, ${sc.title} after /test/expire-access (${sc.rounds} rounds; Chromium ${out.browser}, session-server debug build)`);
    for (const impl of IMPLS) {
      const rs = rows[impl];
      if (!rs.length) {
        console.log(`  ${LABEL[impl].padEnd(9)} n/a (${unavailable[impl] ?? "no round ran"})`);
        out.scenarios[sc.key].rounds[impl] = { unavailable: unavailable[impl] ?? "no round ran" };
        continue;
      }
      const stat = (xs) => ({ min: Math.min(...xs), median: median(xs), max: Math.max(...xs) });
      const refreshes = stat(rs.map((r) => r.refreshes));
      const failed = stat(rs.map((r) => r.failed));
      const kinds = {};
      for (const r of rs) for (const [k, v] of Object.entries(r.kinds)) kinds[k] = (kinds[k] ?? 0) + v;
      const ms = median(rs.map((r) => r.ms));
      const total = sc.tabs * sc.requests;
      console.log(
        `  ${LABEL[impl].padEnd(9)} refreshes min/median/max ${refreshes.min}/${refreshes.median}/${refreshes.max}` +
          `   failed (of ${total}) ${failed.min}/${failed.median}/${failed.max}` +
          `   median time ${ms.toFixed(0)} ms${Object.keys(kinds).length ? `   failures: ${Object.entries(kinds).map(([k, v]) => `${v} x ${k}`).join(", ")}` : ""}`,
      );
      console.log(`            per round refreshes [${rs.map((r) => r.refreshes).join(" ")}], failed [${rs.map((r) => r.failed).join(" ")}]`);
      out.scenarios[sc.key].rounds[impl] = { refreshes, failed, kinds, medianMs: ms, perRound: rs };
    }
  }
} finally {
  await browser.close();
  await server.stop();
}
if (problems.length) console.error(problems.join("\n"));
saveResult("contention", { ...out, unavailable });
if (Object.keys(unavailable).length) {
  for (const [impl, why] of Object.entries(unavailable)) console.error(`bench: contention could not run ${LABEL[impl]}: ${why}`);
  process.exit(1);
}
