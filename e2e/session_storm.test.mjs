// A session-server answering 503 to every refresh for 30 s while the apps of several tabs call the API
// every 100 ms (issue 10's acceptance): no logout, a bounded number of refreshes (with a short
// backoff, with the defaults, and a control tab without backoff), and recovery when the server does.
// Helpers and tabs as in e2e/session.test.mjs (e2e/session_lib.mjs); its own file because run.sh
// gives each file 90 s.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launch, uniqueUser } from "./lib.mjs";
import {
  authorize,
  eventsOf,
  hooksAt,
  loginIn,
  newCtx as newContextOf,
  noPageErrors,
  normKey,
  openTab,
  prepareBlankPage,
  run,
  sdkStateOf,
  sleep,
  startServer,
  storageOf,
  until,
} from "./session_lib.mjs";

let browser;
before(async () => {
  prepareBlankPage();
  browser = await launch();
});
after(async () => {
  await browser?.close();
});
const newCtx = () => newContextOf(browser);

/** The most refreshes one tab can send in `windowMs` under `policy` (every delay at its jittered minimum, base/2). */
function maxSendsPerTab(policy, windowMs) {
  let at = 0;
  let sends = 0;
  let failures = 0;
  while (at <= windowMs) {
    sends += 1;
    failures += 1;
    const base =
      failures >= policy.coolDownAfter
        ? Math.max(policy.coolDownMs, policy.maxMs)
        : Math.min(policy.initialMs * 2 ** (failures - 1), policy.maxMs);
    at += base / 2;
  }
  return sends;
}

test("5. every refresh answered 503 for 30 s while 3 tabs' apps call the API every 100 ms → no logout, bounded refreshes, recovery when the server does", async (t) => {
  const STORM_MS = 30_000;
  const SHORT = { initialMs: 500, maxMs: 4_000, coolDownAfter: 5, coolDownMs: 5_000 };
  const DEFAULTS = { initialMs: 1_000, maxMs: 30_000, coolDownAfter: 5, coolDownMs: 60_000 };
  const server = await startServer();
  const h = hooksAt(server.url);
  // Three sessions side by side under the same storm: 3 tabs with a short cool-down (waited out for
  // the recovery), 3 tabs with the default backoff (figures only: their cool-down is 30-60 s), and a
  // control tab without backoff.
  const groups = [
    { name: "short backoff", tabs: 3, options: { backoff: SHORT }, recover: true },
    { name: "default backoff", tabs: 3, options: {}, recover: false },
    { name: "control, backoff: false", tabs: 1, options: { backoff: false }, recover: true },
  ];
  const ctxs = [];
  try {
    // The three groups are set up side by side (each its own context and session).
    await Promise.all(
      groups.map(async (g) => {
        const ctx = await newCtx();
        ctxs.push(ctx);
        g.tabs = await Promise.all(
          Array.from({ length: g.tabs }, (_, i) => openTab(ctx, server.url, { label: `${g.name} tab${i + 1}`, options: g.options })),
        );
        g.login = await loginIn(g.tabs[0], uniqueUser("d5"));
        const ok = await run(g.tabs[0], authorize);
        assert.ok(ok.ok && ok.value, JSON.stringify(ok));
        for (const tab of g.tabs) await until(`${tab.label} authenticated`, async () => (await sdkStateOf(tab)).isAuthenticated);
      }),
    );
    await h.expireAccess(); // every access token now answers 401: each API call needs a refresh
    await h.clearRefreshInjections();
    await h.nextRefresh({ count: 5_000, status: 503, body: '{"error":"temporarily_unavailable"}' });
    await h.resetCounters();
    const all = groups.flatMap((g) => g.tabs);
    for (const tab of all) tab.resetRequests();

    // Each tab's app: an authenticated GET /v1/me every 100 ms, results recorded.
    await Promise.all(
      all.map((tab) =>
        tab.page.evaluate(() => {
          const h = window.h;
          h.calls = [];
          h.ticker = setInterval(async () => {
            const at = h.now();
            try {
              await h.http.get(`${h.base}/v1/me`, { authenticated: true });
              h.calls.push({ at, ok: true });
            } catch (e) {
              const d = h.describe(e);
              h.calls.push({ at, ok: false, code: d.code ?? d.name });
            }
          }, 100);
        }),
      ),
    );
    const tStorm = Date.now();
    await sleep(STORM_MS);
    const stormCounts = all.map((tab) => tab.sent("/v1/auth/session"));
    const stormServer = await h.counters();
    await h.clearRefreshInjections();
    const tClear = Date.now();

    // Recovery: every tab of the groups that wait for it gets a successful call after the clear.
    const recoveredAt = new Map();
    const waitForRecovery = () => until(
      "recovery",
      async () => {
        for (const tab of groups.filter((g) => g.recover).flatMap((g) => g.tabs)) {
          if (recoveredAt.has(tab)) continue;
          const firstOk = await tab.page.evaluate((since) => window.h.calls.find((c) => c.ok && c.at >= since)?.at ?? null, tClear);
          if (firstOk !== null) recoveredAt.set(tab, Math.round(firstOk - tClear));
        }
        return recoveredAt.size === groups.filter((g) => g.recover).reduce((n, g) => n + g.tabs.length, 0);
      },
      SHORT.coolDownMs + 20_000, // the cool-down, then the next call; generous for a loaded machine
      100,
    );
    try {
      await waitForRecovery();
    } catch (e) {
      // Say which tabs did not recover and what their last calls gave, then fail.
      for (const tab of groups.filter((g) => g.recover).flatMap((g) => g.tabs)) {
        if (recoveredAt.has(tab)) continue;
        const last = await tab.page.evaluate(() => window.h.calls.slice(-5));
        const ev = await eventsOf(tab);
        t.diagnostic(
          `not recovered: ${tab.label}: refreshes sent ${tab.sent("/v1/auth/session")}, last calls ` +
            `${JSON.stringify(last.map((c) => ({ ms: Math.round(c.at - tClear), ok: c.ok, code: c.code })))}; events ` +
            `${ev.map((x) => `${x.event}${x.remote ? "@r" : ""}`).join(",")}`,
        );
      }
      throw e;
    }
    await Promise.all(all.map((tab) => tab.page.evaluate(() => clearInterval(window.h.ticker))));
    await sleep(300);
    const server2 = await h.counters();

    const lines = [];
    let i = 0;
    for (const g of groups) {
      const counts = g.tabs.map(() => stormCounts[i++]);
      g.counts = counts;
      const codes = {};
      for (const tab of g.tabs) {
        for (const c of await tab.page.evaluate((end) => window.h.calls.filter((c) => !c.ok && c.at < end), tClear)) {
          codes[c.code] = (codes[c.code] ?? 0) + 1;
        }
      }
      g.codes = codes;
      const rec = g.tabs.map((tab) => recoveredAt.get(tab));
      lines.push(
        `${g.name}: refreshes sent in ${STORM_MS / 1000} s per tab [${counts.join(", ")}] = ${counts.reduce((a, b) => a + b, 0)} ` +
          `(bound ${g.options.backoff === false ? "none" : maxSendsPerTab(g.options.backoff ?? DEFAULTS, STORM_MS)} per tab); ` +
          `failed calls by code ${JSON.stringify(codes)}; ` +
          (g.recover ? `recovered [${rec.join(", ")}] ms after the server did` : "recovery not waited for (cool-down 30-60 s)"),
      );
    }
    t.diagnostic(
      `figures: storm ${Math.round((tClear - tStorm) / 1000)} s; server refresh count during the storm ${stormServer.refresh} ` +
        `(the browsers sent ${stormCounts.reduce((a, b) => a + b, 0)}) ` +
        `(all groups), logouts ${server2.logout}; ${lines.join("; ")}; ` +
        `without backoff the 3 tabs would send ~${3 * groups[2].counts[0]} (control: ${groups[2].counts[0]} from 1 tab)`,
    );

    assert.equal(server2.logout, 0, "no logout");
    for (const g of groups) {
      const stored = await storageOf(g.tabs[0]);
      assert.equal(normKey(stored.sessionId), normKey(g.login.sessionKey), `${g.name}: session id kept`);
      assert.ok(stored.refreshToken?.startsWith(`${g.login.sid}.`), `${g.name}: refresh token kept`);
      for (const tab of g.tabs) {
        const ev = await eventsOf(tab);
        assert.ok(!ev.some((e) => e.event === "SIGNED_OUT" || e.event === "SESSION_EXPIRED"), `${tab.label}: ${JSON.stringify(ev)}`);
      }
      // REFRESH_FAILED (the 503, or the same error while backing off); on a starved machine a call can
      // also wait out the lock (LOCK_TIMEOUT): transient codes that keep the session.
      assert.deepEqual(
        Object.keys(g.codes).filter((c) => !["REFRESH_FAILED", "LOCK_TIMEOUT"].includes(c)),
        [],
        `${g.name}: calls fail only with transient codes while the server fails (${JSON.stringify(g.codes)})`,
      );
    }
    const [short, defaults, control] = groups;
    const shortBound = maxSendsPerTab(SHORT, STORM_MS);
    for (const n of short.counts) assert.ok(n <= shortBound, `short backoff: ${n} refreshes from one tab (bound ${shortBound})`);
    for (const n of defaults.counts) assert.ok(n <= maxSendsPerTab(DEFAULTS, STORM_MS), `default backoff: ${n} refreshes from one tab`);
    assert.ok(
      control.counts[0] > 2 * Math.max(...short.counts, ...defaults.counts),
      `the control without backoff sends far more (${control.counts[0]}): the backoff is what bounds the others`,
    );
    noPageErrors(all);
  } finally {
    await h.clearRefreshInjections().catch(() => {});
    for (const ctx of ctxs) await ctx.close();
    await server.stop();
  }
});
