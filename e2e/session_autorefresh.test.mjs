// Proactive refresh across tabs (issue 10's acceptance): five idle tabs with autoRefresh near expiry
// send 1 refresh per expiry window and all take the new token, also when they wake from sleep together;
// and tabs waiting on the Web Lock behind another tab's refresh adopt its tokens instead of refreshing
// again. Tabs and helpers as in e2e/session.test.mjs (e2e/session_lib.mjs); each test starts a
// session-server of its own (short access-token lifetime, private injections and counters).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launch, uniqueUser } from "./lib.mjs";
import {
  authorize,
  eventsOf,
  hooksAt,
  jwtClaims,
  loginIn,
  newCtx as newContextOf,
  noPageErrors,
  openTab,
  prepareBlankPage,
  run,
  sdkStateOf,
  settle,
  sleep,
  start,
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

test("4. five idle tabs with autoRefresh near expiry → 1 refresh per expiry window, every tab on the new token; all five waking from sleep past the due time (timers paused, then visibilitychange/pageshow/focus/online at once) → still 1", async (t) => {
  const TTL_S = 8;
  const LEAD_MS = 4_000; // due lifetime - LEAD after a token is received: 4-5 s
  const WINDOWS = Number(process.env.E2E_AUTO_WINDOWS || 1); // natural expiry windows before the sleep
  const server = await startServer(["--access-ttl", String(TTL_S)]);
  const h = hooksAt(server.url);
  const ctx = await newCtx();
  // Playwright's fake clock in every tab: it flows with real time until paused, which is how the
  // laptop's sleep is simulated (no timer fires; the server's clock goes on).
  await ctx.clock.install();
  try {
    const tabs = [];
    for (let i = 0; i < 5; i++) {
      tabs.push(await openTab(ctx, server.url, { label: `tab${i + 1}`, options: { autoRefresh: { leadTimeMs: LEAD_MS } } }));
    }
    const login = await loginIn(tabs[0], uniqueUser("d4"));
    const tLogin = Date.now();
    for (const tab of tabs.slice(1)) {
      await until(`${tab.label} heard of the login`, async () => (await eventsOf(tab)).some((e) => e.event === "SIGNED_IN" && e.remote));
    }
    await h.resetCounters();
    // The SDK schedules from the token's lifetime exp - iat (TTL, or TTL + 1 s: the server rounds iat
    // down and exp up to whole seconds), measured from its receipt.
    const lifetimeMs = (token) => {
      const c = jwtClaims(token);
      return (c.exp - c.iat) * 1000;
    };
    assert.ok(
      lifetimeMs(login.access_token) >= TTL_S * 1000 && lifetimeMs(login.access_token) <= TTL_S * 1000 + 1000,
      `the server issues short-lived tokens (${lifetimeMs(login.access_token)} ms)`,
    );

    /** Every tab's manager holds the stored access token; returns it. */
    async function everyTabOnStoredToken(what) {
      const stored = (await storageOf(tabs[0])).accessToken;
      for (const tab of tabs) {
        const s = await sdkStateOf(tab);
        assert.equal(s.accessToken, stored, `${what}: ${tab.label} has the newest access token`);
        assert.equal(s.isAuthenticated, true, `${what}: ${tab.label} authenticated`);
      }
      return stored;
    }

    // Natural windows: nobody asks for anything; the proactive refresh is due lifetime - lead after
    // each token's receipt.
    let token = login.access_token;
    let received = tLogin;
    const windows = [];
    for (let w = 1; w <= WINDOWS; w++) {
      const before = (await h.counters()).refresh;
      for (const tab of tabs) tab.resetRequests();
      await h.waitForCounter("refresh", before + 1, 12_000);
      const at = Date.now();
      await sleep(1_500); // would-be duplicates from the other tabs have reached the server by now
      const count = (await h.counters()).refresh - before;
      const senders = tabs.filter((tab) => tab.sent("/v1/auth/session") > 0).map((tab) => `${tab.label}×${tab.sent("/v1/auth/session")}`);
      windows.push(`window ${w}: ${count} refresh (${at - received} ms after the previous token, due ${lifetimeMs(token) - LEAD_MS}; sent by ${senders.join(", ")})`);
      assert.equal(count, 1, `window ${w}: one refresh for five tabs (${windows.at(-1)})`);
      const next = await everyTabOnStoredToken(`window ${w}`);
      assert.notEqual(next, token, `window ${w}: the token was rotated`);
      token = next;
      received = at;
    }

    // Sleep: every tab's timers stop right away, past the next due time; then all five wake at once.
    // Pause a little ahead of the tabs' clock (pauseAt cannot go back).
    await ctx.clock.pauseAt((await tabs[0].page.evaluate(() => Date.now())) + 500);
    const tSleep = Date.now();
    const dueAt = received + (lifetimeMs(token) - LEAD_MS);
    await sleep(Math.max(0, dueAt + 1_200 - Date.now()));
    const asleep = (await h.counters()).refresh;
    const sent0 = tabs.map((tab) => tab.sent("/v1/auth/session"));
    const tWake = Date.now();
    // The wake-up as a real machine makes it: every tab's wall clock (Date.now) has jumped to the
    // real time (the server's) before anything runs, and then the timers go on. Chromium's timers run
    // on a monotonic clock that stops while the machine sleeps, so they are as far from firing as
    // when it fell asleep: the wake-up events and the wall clock decide. Not `fastForward`: it moves
    // one tab's clock after the other, firing that tab's overdue timer before the next tab's clock
    // has moved. A tab that then heard the first tab's refresh before its own clock jumped armed its
    // next refresh from a time 5 s in the past, and it fell due the moment its clock caught up: a
    // second refresh (1 run in ~20 under load) that tabs sharing one wall clock never make.
    await ctx.clock.setSystemTime(Date.now());
    await ctx.clock.resume();
    const skews = await Promise.all(tabs.map(async (tab) => (await tab.page.evaluate(() => Date.now())) - Date.now()));
    await Promise.all(
      tabs.map((tab) =>
        tab.page.evaluate(() => {
          document.dispatchEvent(new Event("visibilitychange"));
          window.dispatchEvent(new PageTransitionEvent("pageshow", { persisted: true }));
          window.dispatchEvent(new FocusEvent("focus"));
          window.dispatchEvent(new Event("online"));
        }),
      ),
    );
    await h.waitForCounter("refresh", asleep + 1, 5_000);
    const tRefreshed = Date.now();
    await sleep(1_500);
    const woke = (await h.counters()).refresh - asleep;
    const senders = tabs.map((tab, i) => tab.sent("/v1/auth/session") - sent0[i]);
    // Who sent what after the wake-up (ms after it, the refresh token's last characters) and what
    // each tab heard, in order: what tells a second refresh's cause.
    const tail = (body) => {
      try {
        return String(JSON.parse(body).refresh_token ?? "-").slice(-6);
      } catch {
        return "?";
      }
    };
    const traces = [];
    for (const tab of tabs) {
      const sentAfter = tab.requests.filter((r) => r.path === "/v1/auth/session" && r.at >= tWake);
      const heard = (await eventsOf(tab)).slice(-4).map((e) => `${e.event}${e.remote ? "(remote)" : ""}`);
      traces.push(
        `${tab.label}: sent [${sentAfter.map((r) => `+${r.at - tWake} ms …${tail(r.body)} (access …${r.auth.slice(-6)})`).join(", ")}], last events [${heard.join(", ")}]`,
      );
    }
    t.diagnostic(
      `figures: ${windows.join("; ")}; sleep ${tWake - tSleep} ms, woken ${tWake - dueAt} ms past the due time: ` +
        `${asleep - WINDOWS} refresh while asleep, ${woke} after the wake-up of 5 tabs (${tRefreshed - tWake} ms to it; ` +
        `refreshes sent per tab [${senders.join(", ")}]; tab clocks after the wake-up ${skews.map((ms) => `${ms >= 0 ? "+" : ""}${ms}`).join(", ")} ms from the real one); server total ${(await h.counters()).refresh} in ${Math.round((Date.now() - tLogin) / 1000)} s; ` +
        traces.join("; "),
    );
    assert.equal(asleep, WINDOWS, "nothing refreshed while every tab slept");
    assert.equal(woke, 1, "one refresh for five tabs waking together");
    const last = await everyTabOnStoredToken("after the wake-up");
    assert.notEqual(last, token);
    assert.equal((await h.counters()).logout, 0);
    for (const tab of tabs) {
      const ev = await eventsOf(tab);
      assert.ok(!ev.some((e) => e.event === "SIGNED_OUT" || e.event === "SESSION_EXPIRED"), `${tab.label}: ${JSON.stringify(ev)}`);
    }
    noPageErrors(tabs);
  } finally {
    await ctx.close();
    await server.stop();
  }
});

test("4b. tabs queued on the lock behind another tab's refresh adopt the rotated tokens (20 rounds, 4 waiting tabs): no second refresh", async (t) => {
  // What five idle tabs rely on (test 4), made frequent: tab A refreshes (held 300 ms on the server,
  // so it holds the Web Lock), tabs B1-B4 ask for a refresh meanwhile with ensureRefresh(true) (the
  // proactive timer's call) and wait for the lock; once A has committed and released it, each must
  // find A's tokens in storage and adopt them without a request. Many rounds, because the grant of
  // the lock can overtake Chromium's propagation of A's localStorage write to the other tabs'
  // renderers (the refresh-token cookie is already new, the access token still the old one): a
  // waiting tab that trusts what it reads then refreshes again.
  const ROUNDS = Number(process.env.E2E_LOCK_ROUNDS || 20);
  const WAITING = 4;
  const HOLD = 300;
  const server = await startServer();
  const hooks = hooksAt(server.url);
  const ctx = await newCtx();
  try {
    const a = await openTab(ctx, server.url, { label: "A" });
    const bs = [];
    for (let i = 1; i <= WAITING; i++) bs.push(await openTab(ctx, server.url, { label: `B${i}` }));
    await loginIn(a, uniqueUser("d4b"));
    assert.ok((await run(a, authorize)).value);
    for (const b of bs) await until(`${b.label} authenticated through the sync`, async () => (await sdkStateOf(b)).isAuthenticated);
    // The platform fact behind it, measured without the SDK: the tabs take a lock of their own in turn;
    // the holder writes a counter to a cookie and then to localStorage; the next holder compares them.
    const probe = await Promise.all(
      [a, ...bs].map((tab) =>
        tab.page.evaluate(async () => {
          let stale = 0;
          for (let i = 0; i < 60; i++) {
            await navigator.locks.request("e2e-probe-lock", async () => {
              const ls = Number(localStorage.getItem("e2e-probe") || 0);
              const ck = Number((document.cookie.split("; ").find((c) => c.startsWith("e2e-probe=")) || "e2e-probe=0").slice(10));
              if (ls !== ck) stale += 1;
              const next = Math.max(ls, ck) + 1;
              document.cookie = `e2e-probe=${next}; path=/; SameSite=Strict`;
              localStorage.setItem("e2e-probe", String(next));
            });
            await new Promise((r) => setTimeout(r, Math.random() * 3));
          }
          return stale;
        }),
      ),
    );
    await a.page.evaluate(() => {
      localStorage.removeItem("e2e-probe");
      document.cookie = "e2e-probe=; path=/; Max-Age=0";
    });
    const probeStale = probe.reduce((x, y) => x + y, 0);
    await hooks.clearRefreshInjections();
    await hooks.resetCounters();
    const rounds = [];
    for (let r = 1; r <= ROUNDS; r++) {
      await sleep(50); // the previous round's tokens have reached every tab (an older snapshot is adoptable too)
      const before = await hooks.counters();
      const sentBefore = bs.map((b) => b.sent("/v1/auth/session"));
      await hooks.nextRefresh({ count: 1, delay_ms: HOLD });
      await start(a, "refresh", () => window.h.session.ensureRefresh(false));
      await hooks.waitForCounter("refresh", before.refresh + 1); // A's request is in: A holds the lock
      await Promise.all(bs.map((b) => start(b, "refresh", () => window.h.session.ensureRefresh(true))));
      const ra = await settle(a, "refresh");
      const rbs = await Promise.all(bs.map((b) => settle(b, "refresh")));
      assert.equal(ra.ok, true, `round ${r}: A ${JSON.stringify(ra.error)}`);
      for (const [i, rb] of rbs.entries()) assert.equal(rb.ok, true, `round ${r}: B${i + 1} ${JSON.stringify(rb.error)}`);
      const after = await hooks.counters(); // every request of the round has been answered
      // The round counts only if every B asked while A still held the lock: before A announced its
      // commit (its TOKEN_REFRESHED, sent to the other tabs after the lock is released).
      const committedAt = (await eventsOf(a)).filter((e) => e.event === "TOKEN_REFRESHED" && !e.remote).at(-1)?.at ?? 0;
      const raced = rbs.every((rb) => rb.startedAt < committedAt);
      const extraRequests = bs.flatMap((b, i) =>
        b.requests
          .filter((q) => q.path === "/v1/auth/session")
          .slice(sentBefore[i])
          .map((q) => {
            const bearer = jwtClaims(q.auth.slice(7));
            return `${b.label}: Bearer jti ${bearer.jti.slice(0, 6)} (iat ${bearer.iat}), refresh token …${JSON.parse(q.body).refresh_token.slice(-6)}`;
          }),
      );
      rounds.push({
        round: r,
        raced,
        extraRequests,
        aToken: ra.value ? `jti ${jwtClaims(ra.value.access_token).jti.slice(0, 6)}, refresh token …${ra.value.refresh_token.slice(-6)}` : null,
        refreshes: after.refresh - before.refresh,
        b: bs.map((b, i) => b.sent("/v1/auth/session") - sentBefore[i]).reduce((x, y) => x + y, 0),
        adopted: rbs.filter((rb) => rb.value?.session_data === "").length,
      });
      await hooks.clearRefreshInjections();
    }
    t.diagnostic(
      `figures: probe without the SDK: ${probeStale} of ${probe.length * 60} lock grants read a localStorage value older ` +
        `than the cookie written just before it by the previous holder; ` +
        `${ROUNDS} rounds, ${WAITING} tabs waiting behind the refreshing one (${rounds.filter((x) => x.raced).length} ` +
        `rounds where every waiting tab asked before A's commit: the others are not counted); refreshes per round ` +
        `[${rounds.map((x) => x.refreshes).join(" ")}]; sent by the waiting tabs [${rounds.map((x) => x.b).join(" ")}]; ` +
        `adoptions [${rounds.map((x) => x.adopted).join(" ")}] (of ${WAITING})` +
        rounds
          .filter((x) => x.refreshes !== 1)
          .map((x) => `; round ${x.round}${x.raced ? "" : " (not counted)"}: A committed ${x.aToken}, then ${x.extraRequests.join(" / ")}`)
          .join(""),
    );
    assert.deepEqual(
      rounds.filter((x) => x.raced && x.refreshes !== 1).map((x) => `round ${x.round}: ${x.refreshes} refreshes`),
      [],
      "one refresh per round: the waiting tabs adopt A's tokens every time",
    );
    const stored = await storageOf(a);
    for (const b of bs) assert.equal((await sdkStateOf(b)).accessToken, stored.accessToken);
    noPageErrors([a, ...bs]);
  } finally {
    await hooks.clearRefreshInjections().catch(() => {});
    await ctx.close();
    await server.stop();
  }
});
