// The demo page itself: it runs the release package from the npm tarball, renders both states
// sensibly (screenshots for a human to look at), and reports errors by name and code.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import {
  ROOT,
  counters,
  expireAccess,
  launch,
  newContext,
  nextRefresh,
  clearRefreshInjections,
  openDemo,
  resetCounters,
  screenshotPath,
  state,
  uniqueUser,
  waitForState,
} from "./lib.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

function wasmCustomSections(bytes) {
  const names = [];
  let i = 8;
  const leb = () => {
    let result = 0;
    let shift = 0;
    let byte;
    do {
      byte = bytes[i++];
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return result;
  };
  while (i < bytes.length) {
    const id = bytes[i++];
    const len = leb();
    const end = i + len;
    if (id === 0) {
      const nameLen = leb();
      names.push(Buffer.from(bytes.subarray(i, i + nameLen)).toString("utf8"));
    }
    i = end;
  }
  return names;
}

test("the page runs the release package from the npm tarball (wasm-opt'd, stripped)", async () => {
  const dir = path.join(ROOT, "target", "npm");
  const tgz = readdirSync(dir)
    .filter((f) => /^wasm-session-manager-.*\.tgz$/.test(f))
    .map((f) => path.join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  assert.ok(tgz, "target/npm has the packed package");
  const packed = (file) => execFileSync("tar", ["-xzOf", tgz, `package/${file}`], { maxBuffer: 64 << 20 });

  const ctx = await newContext(browser);
  try {
    const page = await openDemo(ctx);
    const served = await page.evaluate(async () => {
      const wasm = new Uint8Array(await (await fetch("/pkg/wasm_session_manager_bg.wasm")).arrayBuffer());
      const entry = await (await fetch("/pkg/index.js")).text();
      const sdk = await import("/pkg/index.js");
      return { wasm: Array.from(wasm), entry, exports: Object.keys(sdk).sort() };
    });
    const wasm = Uint8Array.from(served.wasm);
    assert.equal(sha256(wasm), sha256(packed("wasm_session_manager_bg.wasm")), "served wasm = packed wasm");
    assert.equal(served.entry, packed("index.js").toString("utf8"), "served entry = packed entry");
    assert.ok(!wasmCustomSections(wasm).includes("name"), "release build: no name section");
    for (const name of ["AuthSessionManager", "HttpClient", "AuthError", "HttpError", "STORAGE_KEYS"]) {
      assert.ok(served.exports.includes(name), `the package exports ${name}`);
    }
    assert.deepEqual(ctx.pageErrors, []);
  } finally {
    await ctx.close();
  }
});

test("(e) screenshots of the logged-in and logged-out demo, driven through its buttons", async (t) => {
  const ctx = await newContext(browser);
  try {
    const page = await openDemo(ctx);
    assert.equal((await state(page)).mode, "out");
    assert.ok(await page.locator("#login-form").isVisible(), "the login form is visible when logged out");
    assert.ok(!(await page.locator("#session-view").isVisible()));

    const user = uniqueUser("alice");
    await page.fill("#username", user);
    await page.click("#login-form button[type=submit]");
    await waitForState(page, (s) => s.loggedIn);
    await page.click("#btn-me10");
    await page.locator("#status li.ok", { hasText: "/v1/me ×10" }).waitFor({ timeout: 5_000 });
    await page.click("#btn-sessions");
    await page.locator("#sessions").waitFor({ state: "visible", timeout: 5_000 });
    assert.ok(await page.locator("#session-view").isVisible(), "the session card is visible when logged in");
    assert.ok(!(await page.locator("#login-form").isVisible()));
    assert.match(await page.locator("#who").textContent(), new RegExp(user));
    assert.match(await page.locator("#session-data").textContent(), new RegExp(`"username": "${user}"`));
    assert.match(await page.locator("#st-pub").textContent(), /^04[0-9a-f]{10}…[0-9a-f]{6}$/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > innerWidth);
    assert.equal(overflow, false, "no horizontal overflow");
    const loggedIn = screenshotPath("logged-in.png");
    await page.screenshot({ path: loggedIn, fullPage: true });

    await page.click("#btn-logout");
    await waitForState(page, (s) => s.mode === "out");
    assert.ok(await page.locator("#login-form").isVisible());
    await page.locator("#status li", { hasText: "Logged out" }).waitFor({ timeout: 5_000 });
    const loggedOut = screenshotPath("logged-out.png");
    await page.screenshot({ path: loggedOut, fullPage: true });

    for (const file of [loggedIn, loggedOut]) assert.ok(statSync(file).size > 10_000, `${file} is a real picture`);
    assert.deepEqual(ctx.pageErrors, []);
    t.diagnostic(`screenshots: ${loggedIn}, ${loggedOut}`);
  } finally {
    await ctx.close();
  }
});

test("errors show in the status area by name and code, and a transient failure keeps the session", async () => {
  const ctx = await newContext(browser);
  try {
    const page = await openDemo(ctx);
    const user = uniqueUser("heidi");
    await page.evaluate((name) => window.demo.login(name), user);

    // A 503 from the refresh endpoint is transient: the request fails, the session stays.
    await resetCounters();
    await expireAccess();
    await nextRefresh({ count: 1, status: 503, body: '{"error":"unavailable","error_description":"try later"}' });
    const r = await page.evaluate(() => window.demo.callMe(1));
    assert.equal(r.failed, 1);
    const [err] = r.errors;
    // A transient refresh failure is the SDK's AuthError REFRESH_FAILED (PROTOCOL.md §8), never
    // SESSION_EXPIRED (which sends the app to its login page) nor a raw HttpError 401.
    assert.equal(err.name, "AuthError", JSON.stringify(err));
    assert.equal(err.code, "REFRESH_FAILED", JSON.stringify(err));
    const line = await page.locator("#status li.error").first().textContent();
    assert.ok(line.includes(err.name) && line.includes(err.code), `status line names the error: ${line}`);
    const s = await state(page);
    assert.equal(s.loggedIn, true, "still logged in");
    assert.ok(s.storage.sessionId, "session kept in storage");

    // A later try refreshes for real and succeeds. Until the SDK's backoff after the failure has
    // passed, a try is refused with the same code without asking the server: only the failed and the
    // successful refresh reach it.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const again = await page.evaluate(() => window.demo.callMe(1));
      if (again.ok === 1) break;
      assert.equal(again.errors[0]?.code, "REFRESH_FAILED", JSON.stringify(again.errors));
      assert.equal((await counters()).refresh, 1, "backing off: no refresh sent");
      assert.ok(Date.now() < deadline, "never refreshed again");
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal((await counters()).refresh, 2);
  } finally {
    await clearRefreshInjections();
    await ctx.close();
  }
});
