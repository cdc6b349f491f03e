// Shared helpers of the end-to-end tests: the browser, the demo's tabs, the server's test hooks.
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { chromium } from "playwright-core";

export const BASE = process.env.E2E_BASE_URL;
if (!BASE) throw new Error("E2E_BASE_URL is not set: run the tests with `bash e2e/run.sh`");

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const SCREENSHOTS = path.join(ROOT, "target", "e2e-screenshots");

/** Debian's Chromium through playwright-core (never `npx playwright install`). */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: process.env.E2E_HEADFUL !== "1",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/**
 * A fresh browser context (its tabs share localStorage, cookies and Web Locks) that records what its
 * pages send: `ctx.sent(pathname)` counts requests to that path, `ctx.pageErrors` collects uncaught errors.
 */
export async function newContext(browser) {
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const sent = new Map();
  ctx.on("request", (req) => {
    const { pathname } = new URL(req.url());
    sent.set(pathname, (sent.get(pathname) ?? 0) + 1);
  });
  ctx.pageErrors = [];
  ctx.sent = (pathname) => sent.get(pathname) ?? 0;
  ctx.resetSent = () => sent.clear();
  return ctx;
}

/** Opens the demo in a new tab of `ctx` and waits until its first `authorize()` has settled. */
export async function openDemo(ctx) {
  const page = await ctx.newPage();
  page.on("pageerror", (err) => ctx.pageErrors.push(err.message));
  await page.goto(`${BASE}/`);
  await page.waitForFunction(() => window.demo?.isReady === true, null, { timeout: 15_000 });
  return page;
}

export const state = (page) => page.evaluate(() => window.demo.state());

/** Waits until `predicate(state)` holds in `page` (polled in the page), or fails after `timeout` ms. */
export async function waitForState(page, predicate, timeout = 5_000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await state(page);
    if (predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`state not reached within ${timeout} ms; last: ${JSON.stringify(last)}`);
}

async function hook(method, pathname, body) {
  const res = await fetch(`${BASE}${pathname}`, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${pathname} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

export const counters = () => hook("GET", "/test/counters");
export const resetCounters = () => hook("POST", "/test/counters/reset", {});
/** Makes every access token issued so far invalid (all sessions, or one `sid`). */
export const expireAccess = (sid) => hook("POST", "/test/expire-access", sid ? { sid } : {});
/** Queues `count` refresh injections (latency and/or a canned answer). */
export const nextRefresh = (injection) => hook("POST", "/test/next-refresh", injection);
export const clearRefreshInjections = () => hook("DELETE", "/test/next-refresh");

export function screenshotPath(name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return path.join(SCREENSHOTS, name);
}

/** A user name no other test uses (the server keeps sessions per user). */
export const uniqueUser = (stem) => `${stem}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
