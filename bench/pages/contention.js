// Contention page (served by session-server, so the API is same-origin): an AuthSessionManager with
// the default storage (localStorage + refresh-token cookie) and an HttpClient of the implementation named
// by `?impl=orig|ours`; bench/contention.mjs drives it. The original's crypto helpers (bundle) make
// the session key for both.
import * as orig from "./original.js";

const params = new URLSearchParams(location.search);
const impl = params.get("impl") ?? "orig";
const base = location.origin;

let lib = orig;
let loadError = null;
if (impl === "ours") {
  try {
    lib = await import("./pkg/index.js");
  } catch (e) {
    loadError = `${e && e.name}: ${e && e.message}`;
  }
}

let session = null;
let client = null;

function setup() {
  if (loadError) throw new Error(`package failed to load: ${loadError}`);
  if (typeof lib.HttpClient !== "function") throw new Error("HttpClient is not exported by this build");
  session = new lib.AuthSessionManager({ apiClientConfig: { baseURL: base } });
  client = new lib.HttpClient(session);
}

/** Logs in (dev-grade login of session-server) with a fresh session key; stores the tokens. */
async function login() {
  const sessionId = orig.StorageManager.generateRandomSessionKey();
  const publicKey = orig.bytesToHex(orig.getPublic(orig.hexToBytes(sessionId)));
  const res = await fetch(`${base}/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "bench", public_key: publicKey, session_data: { username: "bench" } }),
  });
  if (!res.ok) throw new Error(`login: ${res.status} ${await res.text()}`);
  const t = await res.json();
  await session.setTokens({ sessionId, accessToken: t.access_token, refreshToken: t.refresh_token, idToken: t.id_token });
  return { sid: t.session_id, refreshTokenStored: (await session.getRefreshToken()) === t.refresh_token };
}

function describe(e) {
  if (typeof Response !== "undefined" && e instanceof Response) return `raw Response ${e.status}`;
  if (e && typeof e === "object") return `${e.name ?? "Error"}${e.code ? " " + e.code : ""}${e.status ? " " + e.status : ""}`;
  return String(e);
}

/** `n` concurrent authenticated GETs of /v1/me. Returns successes, failures by kind, elapsed ms. */
async function fire(n) {
  const t0 = performance.now();
  const results = await Promise.allSettled(Array.from({ length: n }, () => client.get(`${base}/v1/me`, { authenticated: true })));
  const ms = performance.now() - t0;
  const kinds = {};
  let ok = 0;
  for (const r of results) {
    if (r.status === "fulfilled" && r.value && r.value.sub === "bench") ok += 1;
    else {
      const k = r.status === "fulfilled" ? "unexpected body" : describe(r.reason);
      kinds[k] = (kinds[k] ?? 0) + 1;
    }
  }
  return { ok, failed: n - ok, kinds, ms };
}

window.bench = { ready: true, impl, loadError, setup, login, fire };
