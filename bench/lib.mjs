// Shared helpers of the benchmark scripts: paths, esbuild bundles of the original, gzip -9 sizes,
// the page directory, a tiny loopback static server, Chromium via playwright-core, session-server.
import { spawn, spawnSync } from "node:child_process";
import { createReadStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync, cpSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { loadavg } from "node:os";

export const BENCH = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(BENCH, "..");
export const PKG = join(ROOT, "pkg");
/** Everything generated (bundles, the served page dir, results) lives here; gitignored. */
export const WORK = join(BENCH, ".work");
export const WWW = join(WORK, "www");
export const RESULTS = join(WORK, "results");

export const ORIGINAL = "@toruslabs/session-manager";
export const ORIGINAL_VERSION = JSON.parse(
  readFileSync(join(BENCH, "node_modules", ORIGINAL, "package.json"), "utf8"),
).version;

/** Bytes of `buf` (or of the file at that path) compressed with gzip -9 (the CLI when present, else zlib level 9). */
export function gzip9(pathOrBuf) {
  const buf = typeof pathOrBuf === "string" ? readFileSync(pathOrBuf) : pathOrBuf;
  const cli = spawnSync("gzip", ["-9", "-c", "-n"], { input: buf, maxBuffer: 1 << 30 });
  if (cli.status === 0) return cli.stdout.length;
  return gzipSync(buf, { level: 9 }).length;
}

/** esbuild bundle (minified ESM for the browser) of `contents` resolved from bench/; returns the output bytes. */
export async function bundle(contents, outfile, { minify = true, external = [] } = {}) {
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    stdin: { contents, resolveDir: BENCH, sourcefile: "entry.js", loader: "js" },
    bundle: true,
    minify,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "warning",
    legalComments: "none",
    external,
  });
  const out = result.outputFiles[0].contents;
  if (outfile) {
    mkdirSync(dirname(outfile), { recursive: true });
    writeFileSync(outfile, out);
  }
  return out;
}

/** The files of our npm package that a browser loads. */
// What a browser app loads: the wasm and the entry (which bundles the wasm-bindgen glue).
export const PKG_FILES = ["wasm_session_manager_bg.wasm", "index.js"];
/** The auth entry's files (`wasm-session-manager/auth`), next to the main entry's in the bench pages. */
export const AUTH_FILES = ["auth_bg.wasm", "auth.js"];
const ALL_FILES = [...PKG_FILES, ...AUTH_FILES];

/** Builds pkg/ with scripts/build-pkg.sh if (and only if) it is missing. */
export function ensurePkg() {
  if (ALL_FILES.every((f) => existsSync(join(PKG, f)))) return;
  if (process.env.BENCH_NO_BUILD) throw new Error("pkg/ is missing (build it with: bash scripts/build-pkg.sh)");
  console.error("bench: pkg/ is missing, building it with scripts/build-pkg.sh (a few minutes)");
  const r = spawnSync("bash", [join(ROOT, "scripts/build-pkg.sh")], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0 || !ALL_FILES.every((f) => existsSync(join(PKG, f)))) {
    throw new Error("scripts/build-pkg.sh failed: no pkg/ to measure");
  }
}

/** What the pages import from the original: the whole package plus the crypto helpers it calls. */
const ORIGINAL_PAGE_ENTRY = `
export * from "${ORIGINAL}";
export { decryptData, encryptData, hexToBytes, bytesToHex, keccak256Bytes, utf8ToBytes } from "@toruslabs/metadata-helpers";
export { decrypt, encrypt, sign, getPublic, generatePrivate } from "@toruslabs/eccrypto";
`;

/**
 * Lays out the served directory: the pages of bench/pages/, a copy of pkg/ and the original's
 * bundle as `original.js`. Returns the directory.
 */
export async function preparePages() {
  ensurePkg();
  rmSync(WWW, { recursive: true, force: true });
  mkdirSync(join(WWW, "pkg"), { recursive: true });
  for (const f of ALL_FILES) cpSync(join(PKG, f), join(WWW, "pkg", f));
  cpSync(join(BENCH, "pages"), WWW, { recursive: true });
  await bundle(ORIGINAL_PAGE_ENTRY, join(WWW, "original.js"));
  return WWW;
}

const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
};

/** Serves `dir` on 127.0.0.1 (random port), with `headers` on every file. Returns { url, close }. */
export async function serveStatic(dir, headers = {}) {
  const root = resolve(dir);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const file = normalize(join(root, path.endsWith("/") ? path + "index.html" : path));
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream", "cache-control": "no-store", ...headers });
    createReadStream(file).pipe(res);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((ok) => server.close(ok)) };
}

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
  // JSFLAGS: V8 flags for a diagnosis (JSFLAGS=--no-wasm-lazy-compilation: the whole wasm compiled
  // at instantiation instead of each function at its first call), never for figures users would see.
  ...(process.env.JSFLAGS ? [`--js-flags=${process.env.JSFLAGS}`] : []),
];

/** Headless Chromium (Debian's) via playwright-core; Playwright gives each launch a fresh temporary user-data dir. */
export async function launchChromium() {
  const { chromium } = await import("playwright-core");
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** Collects a page's console errors and uncaught exceptions (printed on failure). */
export function watchPage(page, label) {
  const log = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") log.push(`[${label} console.${m.type()}] ${m.text()}`);
  });
  page.on("pageerror", (e) => log.push(`[${label} pageerror] ${e.message}`));
  return log;
}

/** Opens `crypto.html` (both libraries loaded, fetch stubbed by its cases) in a new page and waits
 *  until `window.bench` is ready; gives the page and its console/error log. */
export async function openCryptoPage(browser, server, label) {
  const page = await browser.newPage();
  const log = watchPage(page, label);
  await page.goto(`${server.url}/crypto.html`);
  try {
    await page.waitForFunction(() => window.bench && window.bench.ready, null, { timeout: 30000 });
  } catch (e) {
    console.error(log.join("\n"));
    throw e;
  }
  return { page, log };
}

/** Builds session-server (debug, cargo's default target dir) unless SESSION_SERVER names a binary. */
export function ensureServerBinary() {
  if (process.env.SESSION_SERVER) return process.env.SESSION_SERVER;
  const r = spawnSync("cargo", ["build", "-q", "-p", "session-server"], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
  const bin = join(process.env.CARGO_TARGET_DIR ? resolve(ROOT, process.env.CARGO_TARGET_DIR) : join(ROOT, "target"), "debug", "session-server");
  if (r.status !== 0 || !existsSync(bin)) throw new Error("cargo build -p session-server failed");
  return bin;
}

/** Starts `session-server --test-hooks` on a free loopback port serving `staticDir`. Returns { url, stop }. */
export async function startSessionServer(staticDir, extraArgs = []) {
  const bin = ensureServerBinary();
  const child = spawn(bin, ["--addr", "127.0.0.1:0", "--test-hooks", "--static-dir", staticDir, ...extraArgs], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "warn" },
  });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const firstLine = await new Promise((ok, fail) => {
    const rl = createInterface({ input: child.stdout });
    const timer = setTimeout(() => fail(new Error(`session-server printed no URL in 20 s\n${stderr}`)), 20000);
    rl.once("line", (line) => {
      clearTimeout(timer);
      ok(line);
    });
    child.once("exit", (code) => fail(new Error(`session-server exited with ${code}\n${stderr}`)));
  });
  const m = /(http:\/\/\S+)/.exec(firstLine);
  if (!m) throw new Error(`unexpected first line from session-server: ${firstLine}`);
  child.stdout.resume();
  return {
    url: m[1].replace(/\/$/, ""),
    stop: () =>
      new Promise((ok) => {
        if (child.exitCode !== null) return ok();
        child.once("exit", ok);
        child.kill("SIGTERM");
      }),
  };
}

/** Writes a benchmark's figures for the summary. */
export function saveResult(name, data) {
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, `${name}.json`), JSON.stringify({ ...data, loadavg: loadavg1() }, null, 2) + "\n");
}

/** The 1-minute load average: the figures are only as steady as the machine was quiet. */
export const loadavg1 = () => Number(loadavg()[0].toFixed(2));

export const fmtInt = (n) => (n == null ? "n/a" : Math.round(n).toLocaleString("en-US"));
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? null : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * The page side of the one-page scripts (ab.mjs, profile.mjs): `fetch` stubbed with a ~700-byte
 * refresh answer (or a small JSON for CASE "get"), and `make(lib, prefix)`, which gives the
 * operation CASE names on a fresh manager of `lib` whose tokens are set:
 *   refresh  ensureRefresh(), MemoryStorage slots      default  ensureRefresh(), the default storage
 *   adapter  ensureRefresh(), adapters of plain JS objects that answer synchronously
 *   get      an authenticated HttpClient GET           token    getAccessToken()
 */
export function stubbedCaseJs(kase) {
  return `const CASE = ${JSON.stringify(kase)};
const answer = JSON.stringify({
  access_token: "at.bench",
  refresh_token: "rt.bench",
  session_data: JSON.stringify({ iv: "1d0fa2324e1816dcee8c230906e8df74", ephemPublicKey: "04" + "ab".repeat(64), ciphertext: "cd".repeat(160), mac: "ef".repeat(32) }),
});
const body = CASE === "get" ? JSON.stringify({ items: [1, 2, 3], ...(${Number(process.env.GET_BODY_BYTES || 0)} ? { pad: "x".repeat(${Number(process.env.GET_BODY_BYTES || 0)}) } : {}) }) : answer;
globalThis.fetch = async () => new Response(body, { status: 200, headers: { "content-type": "application/json" } });
function storage(lib) {
  if (CASE === "default") return {};
  const slot = CASE === "adapter"
    ? () => { const m = new Map(); return { get: (k) => m.get(k) ?? null, set: (k, v) => { m.set(k, v); }, remove: (k) => { m.delete(k); } }; }
    : () => new lib.MemoryStorage();
  return { storage: { sessionId: slot(), accessToken: slot(), refreshToken: slot(), idToken: slot() } };
}
async function make(lib, prefix) {
  const sm = new lib.AuthSessionManager({ apiClientConfig: { baseURL: "http://stub.invalid" }, ...storage(lib), ...(prefix ? { storageKeyPrefix: prefix } : {}) });
  await sm.setTokens({ sessionId: "aa".repeat(32), accessToken: "at.bench", refreshToken: "rt.bench" });
  if (CASE === "get") { const c = new lib.HttpClient(sm); return () => c.get("http://stub.invalid/v1/me", { authenticated: true }); }
  if (CASE === "token") return () => sm.getAccessToken();
  return () => sm.ensureRefresh(false);
}
`;
}

/**
 * Serves the bench pages with `packages` (folder name in the page → a pkg dir to copy) and the page
 * `<name>.html` running the module `script` (which sets `window.ready` once set up), and opens it in
 * a fresh Chromium; NOLOCK=1 takes `navigator.locks` away first. Gives `{ page, close }`.
 */
export async function openScriptPage(name, packages, script) {
  const dir = await preparePages();
  for (const [folder, src] of Object.entries(packages)) {
    rmSync(join(dir, folder), { recursive: true, force: true });
    cpSync(src, join(dir, folder), { recursive: true });
  }
  writeFileSync(join(dir, `${name}.html`), `<!doctype html><script type="module" src="${name}.js"></script>`);
  writeFileSync(join(dir, `${name}.js`), script);
  const server = await serveStatic(dir);
  const browser = await launchChromium();
  const close = async () => {
    await browser.close();
    await server.close();
  };
  try {
    const page = await browser.newPage();
    if (process.env.NOLOCK) await page.addInitScript(() => Object.defineProperty(Navigator.prototype, "locks", { get: () => undefined }));
    page.on("pageerror", (e) => console.error("page error:", e.message));
    await page.goto(`${server.url}/${name}.html`);
    await page.waitForFunction(() => window.ready, null, { timeout: 30_000 });
    return { page, close };
  } catch (e) {
    await close();
    throw e;
  }
}
