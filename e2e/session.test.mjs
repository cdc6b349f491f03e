// The session state machine in real Chromium tabs of one browser context (shared localStorage,
// cookies, Web Locks and BroadcastChannel), issue 10's acceptance: logout that sticks against a held
// rotated answer, a new login that an old refresh cannot overwrite, logout reaching every tab without
// a request, and tabs running the original 5.6.0 next to ours. The proactive refresh of idle tabs and
// the lock hand-over are in e2e/session_autorefresh.test.mjs, the 503 storm in
// e2e/session_storm.test.mjs (run.sh gives each file 90 s).
//
// The tabs are bare pages (www/e2e-gen/blank.html, generated) whose manager is created with
// page.evaluate from the release package (www/pkg) or from an esbuild bundle of the original; every
// request a tab sends is recorded, and each test prints what it measured (`# ` lines).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, uniqueUser } from "./lib.mjs";
import {
  authorize,
  carriesSession,
  eventsOf,
  hooksAt,
  jwtClaims,
  loginIn,
  newCtx as newContextOf,
  noPageErrors,
  normKey,
  openTab,
  pageLogin,
  prepareBlankPage,
  prepareOriginalBundle,
  run,
  sdkStateOf,
  settle,
  sleep,
  start,
  storageOf,
  until,
} from "./session_lib.mjs";

const hooks = hooksAt(BASE);
const EMPTY = { sessionId: null, accessToken: null, idToken: null, refreshToken: null };
/** How long the server holds its answer after rotating (defects 1 and 2). */
const HOLD_MS = 3_000;

let browser;
let originalVersion;
before(async () => {
  prepareBlankPage();
  originalVersion = prepareOriginalBundle();
  browser = await launch();
});
after(async () => {
  await browser?.close();
});
const newCtx = () => newContextOf(browser);

test("1. defect 1: tab B logs out while tab A's refresh answer is held after rotation → A's authorize() is null, nothing is stored again, no request with the session's tokens afterwards", async (t) => {
  const ctx = await newCtx();
  try {
    const a = await openTab(ctx, BASE, { label: "A" });
    const b = await openTab(ctx, BASE, { label: "B" });
    const login = await loginIn(a, uniqueUser("d1"), { defect: 1 });
    await until("B's manager hears of the login", async () => (await sdkStateOf(b)).sessionId);

    await hooks.clearRefreshInjections();
    await hooks.resetCounters();
    // The next refresh rotates and commits at once on the server, then its answer is held HOLD_MS.
    await hooks.nextRefresh({ count: 1, after_delay_ms: HOLD_MS });
    await start(a, "authorize", authorize);
    await hooks.waitForCounter("refresh", 1);
    const tRotated = Date.now();
    await sleep(100); // the server has rotated and committed; its answer is on hold

    const logout = await run(b, () => window.h.session.logout());
    const tLogout = Date.now();
    assert.equal(logout.ok, true, JSON.stringify(logout));
    const mark = { a: a.requests.length, b: b.requests.length };
    assert.ok(tLogout - tRotated < HOLD_MS - 200, `logout resolved while the answer was still held (${tLogout - tRotated} ms)`);

    const auth = await settle(a, "authorize");
    const tAuth = Date.now();
    // Past the moment the held answer was due to arrive in A (had A still been waiting for it).
    await sleep(Math.max(0, tRotated + HOLD_MS + 700 - Date.now()));

    const [sa, sb] = [await sdkStateOf(a), await sdkStateOf(b)];
    const stored = await storageOf(a);
    const cookies = (await ctx.cookies()).filter((c) => c.name.startsWith("w3a:"));
    const server = await hooks.counters();
    const after = [...a.requests.slice(mark.a), ...b.requests.slice(mark.b)];
    const leaked = after.filter((r) => carriesSession(r, login.sid));

    // A later authorize() in A: nothing stored, so null and no request at all.
    const again = await run(a, authorize);
    const afterAgain = a.requests.length - mark.a;
    const evA = (await eventsOf(a)).map((e) => `${e.event}${e.remote ? "@remote" : ""}`);
    t.diagnostic(
      `figures: A's authorize settled ${auth.ok ? JSON.stringify(auth.value) : JSON.stringify(auth.error)} ` +
        `${auth.ms} ms after it started (${tAuth - tLogout} ms after B's logout resolved; the held answer was due ` +
        `${tRotated + HOLD_MS - tLogout} ms after it); B's logout took ${logout.ms} ms; server: refresh ${server.refresh}, ` +
        `logout ${server.logout}; A sent ${a.sent("/v1/auth/session")} refresh request(s); requests after the logout: ` +
        `${after.length} (${leaked.length} with the session's tokens); ` +
        `A's events ${evA.join(",")}`,
    );
    assert.equal(auth.ok, true, `A's authorize() resolves (no rejection): ${JSON.stringify(auth.error)}`);
    assert.equal(auth.value, null, "A's authorize() gives null: the session was logged out");
    assert.equal(sa.isAuthenticated, false, "A is not authenticated");
    assert.equal(sb.isAuthenticated, false, "B is not authenticated");
    assert.equal(sa.accessToken, null, "A holds no access token");
    assert.deepEqual(stored, EMPTY, "the four slots stay empty after the held answer");
    assert.deepEqual(await storageOf(b), EMPTY);
    assert.deepEqual(cookies, [], "no w3a cookie");
    assert.equal(server.logout, 1, "one logout");
    assert.equal(server.refresh, 1, "only the held refresh");
    assert.deepEqual(leaked, [], "no request with the session's tokens after logout() resolved");
    assert.equal(again.ok, true);
    assert.equal(again.value, null, "a later authorize() is null");
    assert.equal(afterAgain, 0, "and sends nothing");
    assert.ok(evA.includes("SIGNED_OUT@remote"), `A heard of B's logout: ${evA}`);
    noPageErrors([a, b]);
  } finally {
    await hooks.clearRefreshInjections();
    await ctx.close();
  }
});

test("2. defect 2: setTokens() for a new login while the old session's authorize() is in flight with a held answer → the new session is stored and authorize() gives the new user's data", async (t) => {
  const ctx = await newCtx();
  try {
    const a = await openTab(ctx, BASE, { label: "A" });
    const b = await openTab(ctx, BASE, { label: "B" });
    const [user1, user2] = [uniqueUser("d2-old"), uniqueUser("d2-new")];
    const old = await loginIn(a, user1, { which: "old" });

    await hooks.clearRefreshInjections();
    await hooks.resetCounters();
    await hooks.nextRefresh({ count: 1, after_delay_ms: HOLD_MS });
    await start(a, "authorize", authorize);
    await hooks.waitForCounter("refresh", 1);
    const tRotated = Date.now();
    await sleep(100);

    // The app in A logs in again (a new user, a fresh session key) and stores the new tokens.
    const fresh = await a.page.evaluate(pageLogin, { username: user2, data: { which: "new" } });
    const set = await run(
      a,
      (l) =>
        window.h.session.setTokens({
          sessionId: l.sessionKey,
          accessToken: l.access_token,
          refreshToken: l.refresh_token,
          idToken: l.id_token,
        }),
      fresh,
    );
    assert.equal(set.ok, true, JSON.stringify(set));
    const mark = a.requests.length;
    assert.ok(Date.now() - tRotated < HOLD_MS - 100, "setTokens resolved while the old answer was still held");

    const inflight = await settle(a, "authorize");
    await sleep(Math.max(0, tRotated + HOLD_MS + 700 - Date.now()));
    const stored = await storageOf(a);
    const afterHeld = await hooks.counters();
    const oldLeaks = a.requests.slice(mark).filter((r) => carriesSession(r, old.session_id));

    const finalA = await run(a, authorize);
    const finalB = await run(b, authorize);
    const storedAfter = await storageOf(a);
    const server = await hooks.counters();
    t.diagnostic(
      `figures: the in-flight authorize() settled ${inflight.ok ? JSON.stringify(inflight.value) : JSON.stringify(inflight.error)} ` +
        `after ${inflight.ms} ms; refreshes: ${afterHeld.refresh} until the held answer was due (the held one + the new ` +
        `session's), ${server.refresh} in all; requests with the old session's tokens after setTokens: ${oldLeaks.length}; ` +
        `final authorize A → ${JSON.stringify(finalA.value ?? finalA.error)}, B → ${JSON.stringify(finalB.value ?? finalB.error)}`,
    );
    assert.equal(inflight.ok, true, `the in-flight authorize() resolves: ${JSON.stringify(inflight.error)}`);
    assert.equal(inflight.value?.username, user2, "the in-flight authorize() gives the new user's data (never null, never DECRYPT_FAILED)");
    assert.equal(normKey(stored.sessionId), normKey(fresh.sessionKey), "the new login's session id is stored");
    assert.ok(stored.refreshToken?.startsWith(`${fresh.session_id}.`), `the new session's refresh token is stored (${stored.refreshToken?.slice(0, 40)})`);
    assert.equal(jwtClaims(stored.accessToken).sid, fresh.session_id, "the new session's access token is stored");
    assert.equal(jwtClaims(stored.accessToken).sub, user2);
    assert.deepEqual(oldLeaks, [], "nothing was sent with the old session's tokens after setTokens()");
    assert.equal(finalA.ok && finalA.value?.username, user2, `authorize() in A: ${JSON.stringify(finalA)}`);
    assert.equal(finalB.ok && finalB.value?.username, user2, `authorize() in B: ${JSON.stringify(finalB)}`);
    assert.equal(normKey(storedAfter.sessionId), normKey(fresh.sessionKey));
    assert.ok(storedAfter.refreshToken?.startsWith(`${fresh.session_id}.`));
    assert.equal(server.logout, 0);
    noPageErrors([a, b]);
  } finally {
    await hooks.clearRefreshInjections();
    await ctx.close();
  }
});

test("3. logout in one tab → the 4 other tabs' managers unauthenticated within 1 s, with no request from them", async (t) => {
  const ctx = await newCtx();
  try {
    const tabs = [];
    for (let i = 0; i < 5; i++) tabs.push(await openTab(ctx, BASE, { label: `tab${i + 1}` }));
    await hooks.resetCounters();
    const login = await loginIn(tabs[0], uniqueUser("d3"));
    const data = await run(tabs[0], authorize);
    assert.equal(data.ok && typeof data.value?.username, "string", JSON.stringify(data));
    for (const tab of tabs.slice(1)) {
      await until(`${tab.label} authenticated through the sync`, async () => (await sdkStateOf(tab)).isAuthenticated);
    }
    const before = await hooks.counters();
    assert.equal(before.refresh, 1, "the other tabs followed the first one's refresh without a request");
    for (const tab of tabs) tab.resetRequests();

    const others = tabs.filter((_, i) => i !== 2);
    // Each other tab notes the instant its manager stops saying isAuthenticated() (polled every 5 ms).
    for (const tab of others) {
      await start(tab, "unauth", () => new Promise((resolve) => {
        const iv = setInterval(() => {
          if (!window.h.session.isAuthenticated()) {
            clearInterval(iv);
            resolve(window.h.now());
          }
        }, 5);
      }));
    }
    const out = await run(tabs[2], async () => {
      const started = window.h.now();
      await window.h.session.logout();
      return { started, resolved: window.h.now() };
    });
    assert.equal(out.ok, true, JSON.stringify(out));
    const { started, resolved } = out.value;
    const seen = await Promise.all(
      others.map((tab) => Promise.race([settle(tab, "unauth"), sleep(3_000).then(() => ({ ok: false, value: null }))])),
    );
    await sleep(500); // anything a tab would send in reaction has been sent by now
    const server = await hooks.counters();
    const fromStart = seen.map((s) => (s.value === null ? null : Math.round(s.value - started)));
    const fromResolve = seen.map((s) => (s.value === null ? null : Math.round(s.value - resolved)));
    const otherRequests = others.map((tab) => tab.requests.length);
    t.diagnostic(
      `figures: logout took ${Math.round(resolved - started)} ms; the 4 other tabs unauthenticated at ` +
        `[${fromStart.join(", ")}] ms after it started = [${fromResolve.join(", ")}] ms after it resolved; ` +
        `requests from the other tabs: [${otherRequests.join(", ")}]; logout tab: ${tabs[2].sent("/v1/auth/logout")} logout, ` +
        `${tabs[2].sent("/v1/auth/session")} refresh; server: logout ${server.logout - before.logout}, refresh ${server.refresh - before.refresh}`,
    );
    for (const [i, tab] of others.entries()) {
      assert.notEqual(seen[i].value, null, `${tab.label} never became unauthenticated`);
      assert.ok(fromResolve[i] < 1_000, `${tab.label} unauthenticated ${fromResolve[i]} ms after the logout resolved`);
      const s = await sdkStateOf(tab);
      assert.equal(s.isAuthenticated, false);
      assert.equal(s.accessToken, null, `${tab.label} holds no access token`);
      assert.equal(s.sessionId, null);
      const ev = await eventsOf(tab);
      assert.ok(ev.some((e) => e.event === "SIGNED_OUT" && e.remote), `${tab.label} got SIGNED_OUT from another tab`);
    }
    assert.deepEqual(otherRequests, [0, 0, 0, 0], "no request from the other tabs");
    assert.equal(tabs[2].sent("/v1/auth/logout"), 1);
    assert.equal(tabs[2].sent("/v1/auth/session"), 0);
    assert.equal(server.logout - before.logout, 1, "one logout reached the server");
    assert.equal(server.refresh - before.refresh, 0, "no refresh");
    assert.deepEqual(await storageOf(tabs[4]), EMPTY);
    assert.ok(login.sid);
    noPageErrors(tabs);
  } finally {
    await ctx.close();
  }
});

test("6. mixed tabs: the original @toruslabs/session-manager 5.6.0 in one tab, ours in three, one session: concurrent authorize() and 401 stampedes → no request fails, never revoked by reuse detection", async (t) => {
  const ctx = await newCtx();
  const ROUNDS = 2;
  const PER_TAB = 10;
  try {
    const orig = await openTab(ctx, BASE, { impl: "original", label: `original ${originalVersion}` });
    const ours = [];
    for (let i = 0; i < 3; i++) ours.push(await openTab(ctx, BASE, { label: `ours ${i + 1}` }));
    const all = [orig, ...ours];
    const user = uniqueUser("d6");
    await hooks.resetCounters();
    // The original's app logs in and authorizes, as it would on its own.
    const login = await loginIn(orig, user, { mixed: true });
    const first = await run(orig, authorize);
    assert.equal(first.value?.username, user, JSON.stringify(first));

    // Every tab authorizes at once: four refreshes (authorize needs session_data) under one lock.
    const authAll = await Promise.all(all.map((tab) => run(tab, authorize)));
    for (const [i, r] of authAll.entries()) assert.equal(r.ok && r.value?.username, user, `${all[i].label}: ${JSON.stringify(r)}`);
    const afterAuth = await hooks.counters();
    const authSent = all.map((tab) => tab.sent("/v1/auth/session"));

    const figures = [];
    for (let round = 1; round <= ROUNDS; round++) {
      // The original adopts any stored access token that differs from the one it holds, expired or not
      // (PROTOCOL.md §5): it is made the last to refresh before the expiry, as it is when it runs alone,
      // so that this test measures the mix, not that defect of the original.
      const pre = await run(orig, authorize);
      assert.equal(pre.value?.username, user, JSON.stringify(pre));
      const before = await hooks.counters();
      await hooks.expireAccess(login.sid);
      const at = Date.now() + 300;
      const results = await Promise.all(
        all.map((tab) =>
          run(
            tab,
            async ({ n, at }) => {
              await new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
              const rs = await Promise.allSettled(
                Array.from({ length: n }, () => window.h.http.get(`${window.h.base}/v1/me`, { authenticated: true })),
              );
              return rs.map((r) => (r.status === "fulfilled" ? { ok: r.value?.sid !== undefined } : { ok: false, error: window.h.describe(r.reason) }));
            },
            { n: PER_TAB, at },
          ),
        ),
      );
      await sleep(200);
      const c = await hooks.counters();
      const failed = results.flatMap((r, i) => (r.ok ? r.value : [{ ok: false, error: r.error }]).filter((x) => !x.ok).map((x) => `${all[i].label}: ${JSON.stringify(x.error)}`));
      const refreshSent = all.map((tab) => tab.sent("/v1/auth/session"));
      figures.push(
        `round ${round}: ${all.length} tabs × ${PER_TAB} requests, ${all.length * PER_TAB - failed.length} ok, ${failed.length} failed; ` +
          `server refreshes ${c.refresh - before.refresh}`,
      );
      assert.deepEqual(failed, [], `round ${round}: no request failed`);
      assert.ok(refreshSent.every((n) => n >= 0));
    }

    // The session is still alive on the server: every tab authorizes again (the original clears and
    // gives null on any failure), and the server lists it as active.
    const finals = await Promise.all(all.map((tab) => run(tab, authorize)));
    const listed = await run(ours[0], () => window.h.http.get(`${window.h.base}/v1/auth/sessions`, { authenticated: true }));
    const server = await hooks.counters();
    const badRefreshAnswers = all.flatMap((tab) => tab.responses.filter((r) => r.path === "/v1/auth/session" && r.status !== 200).map((r) => `${tab.label}: ${r.status}`));
    t.diagnostic(
      `figures: login + authorize() in the original's tab, then concurrent authorize() in the 4 tabs: ${afterAuth.refresh} ` +
        `refreshes in all (sent per tab, original first: [${authSent.join(", ")}]); ${figures.join("; ")}; ` +
        `refreshes sent per tab (original first) [${all.map((tab) => tab.sent("/v1/auth/session")).join(", ")}]; ` +
        `non-200 refresh answers ${badRefreshAnswers.length}; server totals: refresh ${server.refresh}, logout ${server.logout}; ` +
        `final authorize: ${finals.map((f, i) => `${all[i].label} ${f.ok && f.value ? "ok" : JSON.stringify(f)}`).join(", ")}`,
    );
    for (const [i, f] of finals.entries()) assert.equal(f.ok && f.value?.username, user, `${all[i].label}'s final authorize(): ${JSON.stringify(f)}`);
    assert.equal(listed.ok, true, JSON.stringify(listed));
    const mine = listed.value.sessions.find((s) => s.current);
    assert.equal(mine?.status, "active", "the server's session is active");
    assert.deepEqual(badRefreshAnswers, [], "no refresh was refused (a reuse would be 401 and revoke the session)");
    assert.equal(server.logout, 0);
    noPageErrors(all);
  } finally {
    await ctx.close();
  }
});
