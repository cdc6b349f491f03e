// Helpers of e2e/session.test.mjs: bare tabs (a blank page of the server's origin) running one
// AuthSessionManager each, ours (the release package in www/pkg) or the original
// @toruslabs/session-manager 5.6.0 (bundled by esbuild from bench/node_modules), every request a
// tab sends recorded by Playwright, the server's test hooks at any base URL, and a private
// session-server (e.g. with a short access-token lifetime).
//
// The tabs are deliberately not the demo: the demo's own manager and `storage` listener would send
// requests of their own (an `authorize()` when another tab logs in) and blur the counts.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import assert from "node:assert/strict";
import { ROOT } from "./lib.mjs";

/** Generated pages (ignored by git: `/www/e2e-gen` in .gitignore), served by the server as www/e2e-gen/. */
export const GEN_DIR = path.join(ROOT, "www", "e2e-gen");
export const BLANK_PAGE = "/e2e-gen/blank.html";
export const ORIGINAL_BUNDLE = "/e2e-gen/original.js";
const ORIGINAL_PKG = path.join(ROOT, "bench", "node_modules", "@toruslabs", "session-manager", "package.json");
const ESBUILD = path.join(ROOT, ".tools", "node_modules", ".bin", "esbuild");

function writeAtomically(file, contents) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
}

/** Writes the blank page (no script, no favicon request). */
export function prepareBlankPage() {
  mkdirSync(GEN_DIR, { recursive: true });
  writeAtomically(
    path.join(GEN_DIR, "blank.html"),
    '<!doctype html>\n<meta charset="utf-8">\n<link rel="icon" href="data:,">\n<title>session e2e tab</title>\n' +
      "<p>A bare tab of e2e/session.test.mjs: the test creates its session manager with page.evaluate.</p>\n",
  );
}

/**
 * Bundles the original 5.6.0 for the browser (minified ESM, platform browser) into www/e2e-gen/original.js,
 * with the crypto helpers its login needs (as bench/ does). Installs bench/node_modules if missing.
 * Returns the version bundled.
 */
export function prepareOriginalBundle() {
  mkdirSync(GEN_DIR, { recursive: true });
  if (!existsSync(ORIGINAL_PKG)) {
    const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd: path.join(ROOT, "bench"),
      stdio: ["ignore", "inherit", "inherit"],
    });
    if (r.status !== 0 || !existsSync(ORIGINAL_PKG)) throw new Error("bench: npm ci failed: no @toruslabs/session-manager");
  }
  const version = JSON.parse(readFileSync(ORIGINAL_PKG, "utf8")).version;
  const out = path.join(GEN_DIR, "original.js");
  if (existsSync(out) && statSync(out).mtimeMs > statSync(ORIGINAL_PKG).mtimeMs && statSync(out).size > 10_000) return version;
  if (!existsSync(ESBUILD)) throw new Error(`no esbuild at ${ESBUILD} (scripts/setup.sh installs it)`);
  const entry = [
    'export * from "@toruslabs/session-manager";',
    'export { getPublic } from "@toruslabs/eccrypto";',
    'export { bytesToHex, hexToBytes } from "@toruslabs/metadata-helpers";',
  ].join("\n");
  const tmp = `${out}.${process.pid}.tmp`;
  const r = spawnSync(
    ESBUILD,
    ["--bundle", "--format=esm", "--platform=browser", "--minify", "--legal-comments=none", "--log-level=warning", `--outfile=${tmp}`],
    { cwd: path.join(ROOT, "bench"), input: entry, encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`esbuild failed: ${r.stderr}`);
  renameSync(tmp, out);
  return version;
}

// ---- the server ---------------------------------------------------------------------------------

/** The test hooks of the server at `base` (each fails loudly unless it answers 2xx). */
export function hooksAt(base) {
  async function call(method, pathname, body) {
    const res = await fetch(`${base}${pathname}`, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${pathname} answered ${res.status}: ${text}`);
    return JSON.parse(text);
  }
  return {
    counters: () => call("GET", "/test/counters"),
    resetCounters: () => call("POST", "/test/counters/reset", {}),
    expireAccess: (sid) => call("POST", "/test/expire-access", sid ? { sid } : {}),
    nextRefresh: (injection) => call("POST", "/test/next-refresh", injection),
    pendingRefreshInjections: async () => (await call("GET", "/test/next-refresh")).pending,
    clearRefreshInjections: () => call("DELETE", "/test/next-refresh"),
    /** Polls the counters until `name` >= `atLeast` (fails after `timeout` ms). */
    async waitForCounter(name, atLeast, timeout = 5_000) {
      const deadline = Date.now() + timeout;
      for (;;) {
        const c = await call("GET", "/test/counters");
        if (c[name] >= atLeast) return c;
        if (Date.now() > deadline) throw new Error(`counter ${name} stayed at ${c[name]} (< ${atLeast}) for ${timeout} ms`);
        await sleep(10);
      }
    },
  };
}

/**
 * Starts a session-server of its own (target/debug/session-server, built by e2e/run.sh) on a free
 * loopback port, with test hooks and www/ as static dir, plus `extraArgs`. Returns { url, stop }.
 */
export async function startServer(extraArgs = []) {
  const bin = path.join(ROOT, "target", "debug", "session-server");
  if (!existsSync(bin)) throw new Error(`${bin} is missing (e2e/run.sh builds it)`);
  const child = spawn(bin, ["--addr", "127.0.0.1:0", "--test-hooks", "--static-dir", path.join(ROOT, "www"), ...extraArgs], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, RUST_LOG: "warn" },
  });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const stop = () =>
    new Promise((ok) => {
      if (child.exitCode !== null || child.signalCode !== null) return ok();
      child.once("exit", () => ok());
      child.kill("SIGTERM");
    });
  try {
    const line = await new Promise((ok, fail) => {
      const rl = createInterface({ input: child.stdout });
      const timer = setTimeout(() => fail(new Error(`session-server printed no URL in 20 s\n${stderr}`)), 20_000);
      rl.once("line", (l) => {
        clearTimeout(timer);
        ok(l);
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        fail(new Error(`session-server exited with ${code}\n${stderr}`));
      });
    });
    const m = /^session-server listening on (http:\S+)/.exec(line);
    if (!m) throw new Error(`unexpected first line of session-server: ${line}`);
    child.stdout.resume();
    return { url: m[1].replace(/\/$/, ""), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

// ---- tabs ---------------------------------------------------------------------------------------

/**
 * Opens a bare tab of `base` in `ctx` and creates its manager: `impl` "ours" (options merged over
 * `{ apiClientConfig: { baseURL: base } }`) or "original". Returns a tab object: `page`, `label`,
 * `requests` (every request to /v1/* this tab sent: at (ms, node clock), path, body, authorization).
 */
export async function openTab(ctx, base, { impl = "ours", options = {}, label = impl } = {}) {
  const page = await ctx.newPage();
  const tab = { page, label, impl, requests: [], responses: [], errors: [] };
  page.on("request", (req) => {
    const url = new URL(req.url());
    if (!url.pathname.startsWith("/v1/")) return;
    tab.requests.push({
      at: Date.now(),
      path: url.pathname,
      method: req.method(),
      body: req.postData() ?? "",
      auth: req.headers().authorization ?? "",
    });
  });
  page.on("response", (res) => {
    const url = new URL(res.url());
    if (url.pathname.startsWith("/v1/")) tab.responses.push({ at: Date.now(), path: url.pathname, status: res.status() });
  });
  page.on("pageerror", (err) => tab.errors.push(err.message));
  tab.sent = (pathname) => tab.requests.filter((r) => r.path === pathname).length;
  tab.resetRequests = () => {
    tab.requests.length = 0;
    tab.responses.length = 0;
  };
  await page.goto(`${base}${BLANK_PAGE}`);
  if (impl === "ours") await page.evaluate(installOurs, { base, options });
  else await page.evaluate(installOriginal, { base, bundle: ORIGINAL_BUNDLE });
  return tab;
}

/** Page side: our package, one manager and one HttpClient, every auth event recorded. */
async function installOurs({ base, options }) {
  const sdk = await import("/pkg/index.js");
  await sdk.ready();
  const session = new sdk.AuthSessionManager({ apiClientConfig: { baseURL: base }, ...options });
  const http = new sdk.HttpClient(session);
  const now = () => performance.timeOrigin + performance.now();
  const events = [];
  session.onAuthStateChange((event, state) => {
    events.push({ event, remote: state.remote, isAuthenticated: state.isAuthenticated, at: now() });
  });
  const describe = (e) => {
    if (typeof Response !== "undefined" && e instanceof Response) return { name: "Response", status: e.status, message: `raw Response ${e.status}` };
    if (e === null || typeof e !== "object") return { name: "Error", message: String(e) };
    return { name: e.name, code: e.code, status: e.status, message: e.message };
  };
  window.h = { impl: "ours", sdk, session, http, events, base, now, describe };
}

/** Page side: the original 5.6.0 bundle, one manager and one HttpClient (it has no events). */
async function installOriginal({ base, bundle }) {
  const sdk = await import(bundle);
  const session = new sdk.AuthSessionManager({ apiClientConfig: { baseURL: base } });
  const http = new sdk.HttpClient(session);
  const now = () => performance.timeOrigin + performance.now();
  const describe = (e) => {
    if (typeof Response !== "undefined" && e instanceof Response) return { name: "Response", status: e.status, message: `raw Response ${e.status}` };
    if (e === null || typeof e !== "object") return { name: "Error", message: String(e) };
    return { name: e.name, code: e.code, status: e.status, message: e.message };
  };
  window.h = { impl: "original", sdk, session, http, events: [], base, now, describe };
}

/**
 * Page side, in a tab set up by openTab: logs in through the server's dev login with a fresh session
 * key (as www/app.js does), without storing anything. Returns the key and the server's answer.
 */
export async function pageLogin({ username, data }) {
  const { sdk, base } = window.h;
  const sessionKey = sdk.StorageManager.generateRandomSessionKey();
  const publicKey =
    window.h.impl === "ours"
      ? sdk.StorageManager.getPublicKey(sessionKey)
      : sdk.bytesToHex(sdk.getPublic(sdk.hexToBytes(sessionKey)));
  const res = await fetch(`${base}/v1/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username, public_key: publicKey, session_data: { username, ...data } }),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(`login answered ${res.status}: ${JSON.stringify(body)}`);
  return { sessionKey, ...body };
}

/** Logs in in `tab` and stores the tokens there with setTokens. Returns the login (with `sid` = server session id). */
export async function loginIn(tab, username, data = {}) {
  const login = await tab.page.evaluate(pageLogin, { username, data });
  await tab.page.evaluate(
    (l) =>
      window.h.session.setTokens({
        sessionId: l.sessionKey,
        accessToken: l.access_token,
        refreshToken: l.refresh_token,
        idToken: l.id_token,
      }),
    login,
  );
  return { ...login, sid: login.session_id };
}

/** The four storage slots as the page sees them (localStorage and document.cookie). */
export const storageOf = (tab) =>
  tab.page.evaluate(() => {
    const cookie = document.cookie
      .split(";")
      .map((s) => s.trim())
      .find((s) => s.startsWith("w3a:refresh_token="));
    return {
      sessionId: localStorage.getItem("w3a:session_id"),
      accessToken: localStorage.getItem("w3a:access_token"),
      idToken: localStorage.getItem("w3a:id_token"),
      refreshToken: cookie === undefined ? null : decodeURIComponent(cookie.slice("w3a:refresh_token=".length)),
    };
  });

/** What the tab's manager says: isAuthenticated() and its access token. */
export const sdkStateOf = (tab) =>
  tab.page.evaluate(async () => ({
    isAuthenticated: window.h.session.isAuthenticated(),
    accessToken: await window.h.session.getAccessToken(),
    sessionId: await window.h.session.getSessionId(),
  }));

/** The auth events the tab's manager emitted so far. */
export const eventsOf = (tab) => tab.page.evaluate(() => window.h.events.slice());

/**
 * Runs `fn(arg)` in the page as an operation: resolves to { ok, value, ms, startedAt, at } or
 * { ok: false, error: { name, code, status, message }, ms, startedAt, at } (times: the page's wall clock, ms)
 * (never rejects), so a test can start it (`start`) and settle it later (`settle`).
 */
export async function start(tab, name, fn, arg) {
  await tab.page.evaluate(
    ({ name, src, arg }) => {
      const f = (0, eval)(`(${src})`);
      const t0 = performance.now();
      const startedAt = window.h.now();
      const describe = window.h.describe;
      window.h.ops = window.h.ops || {};
      window.h.ops[name] = Promise.resolve()
        .then(() => f(arg))
        .then(
          (value) => ({ ok: true, value, ms: Math.round(performance.now() - t0), startedAt, at: window.h.now() }),
          (e) => ({ ok: false, error: describe(e), ms: Math.round(performance.now() - t0), startedAt, at: window.h.now() }),
        );
    },
    { name, src: fn.toString(), arg },
  );
}

/** Waits for an operation started with `start`. */
export const settle = (tab, name) => tab.page.evaluate((name) => window.h.ops[name], name);

/** Runs `fn(arg)` in the page now, as `start` + `settle`. */
export async function run(tab, fn, arg, name = `op${Math.random()}`) {
  await start(tab, name, fn, arg);
  return settle(tab, name);
}

/** The server session id (`sid` claim) of a Bearer header, or null. */
export function sidOfBearer(auth) {
  const m = /^Bearer ([^.]+)\.([^.]+)\./.exec(auth ?? "");
  if (!m) return null;
  try {
    return JSON.parse(Buffer.from(m[2], "base64url").toString("utf8")).sid ?? null;
  } catch {
    return null;
  }
}

/** Does this recorded request carry a token of server session `sid` (refresh token `<sid>.…` or a JWT with that sid)? */
export const carriesSession = (req, sid) => req.body.includes(`${sid}.`) || sidOfBearer(req.auth) === sid;

/** `exp - iat` of a JWT, in seconds. */
export function jwtClaims(token) {
  return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8"));
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `check()` (async) until it returns a truthy value; fails after `timeout` ms with `what`. */
export async function until(what, check, timeout = 5_000, every = 25) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeout} ms`);
    await sleep(every);
  }
}

/** A fresh browser context (its tabs share localStorage, cookies, Web Locks and BroadcastChannel). */
export const newCtx = (browser) => browser.newContext({ viewport: { width: 800, height: 600 } });

/** Fails if any tab had an uncaught page error. */
export function noPageErrors(tabs) {
  assert.deepEqual(
    tabs.flatMap((t) => t.errors.map((e) => `${t.label}: ${e}`)),
    [],
    "no uncaught error in any tab",
  );
}

/** Strips 0x, lowercases and pads: the SDKs store the session id normalised. */
export const normKey = (k) => (k ?? "").toLowerCase().replace(/^0x/, "").padStart(64, "0");

/** Page side: authorize() of the tab's manager. */
export const authorize = () => window.h.session.authorize();
