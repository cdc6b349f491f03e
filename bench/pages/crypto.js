// Crypto benchmark page: the original (esbuild bundle `original.js`) and ours (`pkg/index.js`) in the
// same page, `fetch` stubbed with fixed answers, so each operation is the library's own work:
// ECIES decrypt (authorize paths), ECIES encrypt + ECDSA sign (createSession). Driven by bench/crypto.mjs.
import * as orig from "./original.js";

let ours = null;
let oursError = null;
try {
  ours = await import("./pkg/index.js");
  await ours.ready(); // the package instantiates lazily; StorageManager.getPublicKey is synchronous
} catch (e) {
  oursError = `${e && e.name}: ${e && e.message}`;
}

const BASE = "http://stub.invalid";
// A realistic session_data payload (~300 bytes of JSON), like what an auth server keeps per session.
const PAYLOAD = {
  username: "alice@example.com",
  sid: "5f0c6a8e-3b0c-4a57-9a39-0d8f8b7c1e21",
  verifier: "web3auth",
  verifierId: "alice@example.com",
  email: "alice@example.com",
  name: "Alice Example",
  typeOfLogin: "google",
  aggregateVerifier: "w3a-google",
  profileImage: "https://example.com/avatar/alice.png",
  createdAt: 1763800000000,
};

const sessionId = orig.StorageManager.generateRandomSessionKey();
const sessionKey = orig.hexToBytes(sessionId);
const sessionData = await orig.encryptData(sessionKey, PAYLOAD);
const publicKeyHex = orig.bytesToHex(orig.getPublic(sessionKey));
const keccak = orig.keccak256Bytes(orig.utf8ToBytes(sessionData));

/** Replaces `fetch` with a stub answering `body(url)` as JSON 200 (string URL or Request). */
let fetchCalls = 0;
function stubFetch(body) {
  globalThis.fetch = async (input) => {
    fetchCalls += 1;
    const url = typeof input === "string" ? input : input.url;
    return new Response(JSON.stringify(body(url)), { status: 200, headers: { "content-type": "application/json" } });
  };
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** Each case: per implementation, an async setup returning the operation (or null when not exposed). */
const CASES = {
  // The exact call of the original's AuthSessionManager.decryptSessionData.
  "ecies-decrypt": {
    orig: async () => async () => orig.decryptData(orig.hexToBytes(sessionId), sessionData),
    ours: async () => (ours && typeof ours.decryptData === "function" ? async () => ours.decryptData(sessionId, sessionData) : null),
    check: (r) => same(r, PAYLOAD),
  },
  // The original ServerHandler's signature: ECDSA over keccak256 of the data.
  "ecdsa-sign": {
    orig: async () => async () => orig.sign(sessionKey, keccak),
    ours: async () => null,
    check: (r) => r instanceof Uint8Array && r.length >= 68,
  },
  // The session's public key (secp256k1 base-point multiplication): what StorageManager derives for
  // every request. Original: eccrypto getPublic + hex, as its ServerHandler.getStorageKey does.
  "public-key": {
    orig: async () => async () => orig.bytesToHex(orig.getPublic(orig.hexToBytes(sessionId))),
    ours: async () =>
      ours && ours.StorageManager && typeof ours.StorageManager.getPublicKey === "function" ? async () => ours.StorageManager.getPublicKey(sessionId) : null,
    check: (r) => r === publicKeyHex,
  },
  // AuthSessionManager.authorize(): refresh (stubbed) under the Web Lock, then ECIES decrypt.
  authorize: {
    setup: () => stubFetch(() => ({ access_token: "at.bench", refresh_token: "rt.bench", session_data: sessionData })),
    orig: async () => makeAuthorize(orig),
    ours: async () => (ours && ours.AuthSessionManager ? makeAuthorize(ours) : null),
    check: (r) => same(r, PAYLOAD),
  },
  // AuthSessionManager.ensureRefresh(): the same refresh without the decrypt, so authorize minus this
  // is roughly the decrypt's share.
  "ensure-refresh": {
    setup: () => stubFetch(() => ({ access_token: "at.bench", refresh_token: "rt.bench", session_data: sessionData })),
    orig: async () => makeRefresh(orig),
    ours: async () => (ours && ours.AuthSessionManager ? makeRefresh(ours) : null),
    check: (r) => r && r.access_token === "at.bench" && r.session_data === sessionData,
  },
  // The same refresh with the default storage (localStorage, the refresh token in a cookie), as most
  // apps keep it: document.cookie's reads and writes weigh on both. Ours under its own key prefix,
  // so that the two libraries never read each other's slots in this page.
  "ensure-refresh-default-storage": {
    setup: () => stubFetch(() => ({ access_token: "at.bench", refresh_token: "rt.bench", session_data: sessionData })),
    orig: async () => makeRefresh(orig, "default"),
    ours: async () => (ours && ours.AuthSessionManager ? makeRefresh(ours, "default") : null),
    check: (r) => r && r.access_token === "at.bench" && r.session_data === sessionData,
  },
  // The same refresh with an app's own adapters: plain objects over a Map that answer synchronously.
  "ensure-refresh-js-adapters": {
    setup: () => stubFetch(() => ({ access_token: "at.bench", refresh_token: "rt.bench", session_data: sessionData })),
    orig: async () => makeRefresh(orig, "adapters"),
    ours: async () => (ours && ours.AuthSessionManager ? makeRefresh(ours, "adapters") : null),
    check: (r) => r && r.access_token === "at.bench" && r.session_data === sessionData,
  },
  // AuthSessionManager.getAccessToken() with the token known, default storage (localStorage and
  // the refresh-token cookie), as an app calls it before each request. No request either side.
  "get-access-token": {
    orig: async () => makeGetAccessToken(orig),
    ours: async () => (ours && ours.AuthSessionManager ? makeGetAccessToken(ours) : null),
    check: (r) => r === "at.bench",
  },
  // An authenticated HttpClient GET (token known, fetch stubbed): the client's own work per request.
  "http-get": {
    setup: () => stubFetch(() => ({ items: [1, 2, 3] })),
    orig: async () => makeGet(orig),
    ours: async () => (ours && ours.HttpClient ? makeGet(ours) : null),
    check: (r) => same(r, { items: [1, 2, 3] }),
  },
  // The floor of "http-get": the same stubbed request with a bare fetch (the same code on both sides,
  // so its ratio is about 1; its ops/s is the baseline to read the clients' against).
  "bare-fetch": {
    setup: () => stubFetch(() => ({ items: [1, 2, 3] })),
    orig: async () => bareGet,
    ours: async () => bareGet,
    check: (r) => same(r, { items: [1, 2, 3] }),
  },
  // StorageManager.authorizeSession(): /v2/store/get (stubbed), public key, ECIES decrypt.
  "storage-authorize": {
    setup: () => stubFetch(() => ({ message: sessionData })),
    orig: async () => makeStorage(orig, (sm) => sm.authorizeSession()),
    ours: async () => (ours && ours.StorageManager ? makeStorage(ours, (sm) => sm.authorizeSession()) : null),
    check: (r) => same(r, PAYLOAD),
  },
  // StorageManager.createSession(): ECIES encrypt, keccak256 + ECDSA sign, /v2/store/set (stubbed).
  "storage-create": {
    setup: () => stubFetch(() => ({ message: "success" })),
    orig: async () => makeStorage(orig, (sm) => sm.createSession(PAYLOAD)),
    ours: async () => (ours && ours.StorageManager ? makeStorage(ours, (sm) => sm.createSession(PAYLOAD)) : null),
    check: (r) => typeof r === "string" && r.toLowerCase().replace(/^0x/, "") === sessionId.toLowerCase().replace(/^0x/, ""),
  },
};

// The managers a slice made: disposed when the next slice starts (ours has `dispose()`: its
// cross-tab channel and listeners), so that each slice runs with one manager in the page, as an
// app's tab has. Managers left open would each take the others' sync messages and bill that to the
// slices after them.
const live = [];
function track(sm) {
  live.push(sm);
  return sm;
}

/** A Map behind get/set/remove that answer synchronously: an app's own storage adapter. */
function mapAdapter() {
  const map = new Map();
  return { get: (k) => map.get(k) ?? null, set: (k, v) => void map.set(k, v), remove: (k) => void map.delete(k) };
}

async function authManager(lib, storage = "memory") {
  const slot = storage === "adapters" ? mapAdapter : () => new lib.MemoryStorage();
  const slots = storage === "default" ? {} : { storage: { sessionId: slot(), accessToken: slot(), refreshToken: slot(), idToken: slot() } };
  const prefix = storage === "default" && lib === ours ? { storageKeyPrefix: "wsm-bench" } : {};
  const sm = track(new lib.AuthSessionManager({ apiClientConfig: { baseURL: BASE }, ...slots, ...prefix }));
  await sm.setTokens({ sessionId, accessToken: "at.bench", refreshToken: "rt.bench" });
  return sm;
}

async function makeAuthorize(lib) {
  const sm = await authManager(lib);
  return () => sm.authorize();
}

async function makeRefresh(lib, storage) {
  const sm = await authManager(lib, storage);
  return () => sm.ensureRefresh(false);
}

async function makeGet(lib) {
  const client = new lib.HttpClient(await authManager(lib));
  return () => client.get(`${BASE}/v1/me`, { authenticated: true });
}

const bareGet = () => fetch(`${BASE}/v1/me`, { headers: { Authorization: "Bearer at.bench" } }).then((r) => r.json());

async function makeGetAccessToken(lib) {
  const sm = track(new lib.AuthSessionManager({ apiClientConfig: { baseURL: BASE } }));
  await sm.setTokens({ sessionId, accessToken: "at.bench", refreshToken: "rt.bench" });
  return () => sm.getAccessToken();
}

async function makeStorage(lib, op) {
  const sm = new lib.StorageManager({ sessionServerBaseUrl: BASE, sessionId, sessionNamespace: "bench" });
  return () => op(sm);
}

/** Runs one case for one implementation for about `ms` (after `warmupMs`). Returns ops/s, or why not. */
async function run(name, impl, ms, warmupMs) {
  const c = CASES[name];
  if (!c) throw new Error(`unknown case ${name}`);
  if (c.setup) c.setup();
  for (const sm of live.splice(0)) if (typeof sm.dispose === "function") sm.dispose();
  const op = await c[impl]();
  if (!op) return { available: false, why: impl === "ours" && oursError ? `package failed to load: ${oursError}` : "not exposed to JS" };
  const first = await op();
  if (!c.check(first)) return { available: false, why: `wrong result: ${JSON.stringify(first)?.slice(0, 200)}` };
  let t0 = performance.now();
  while (performance.now() - t0 < warmupMs) await op();
  let n = 0;
  const calls0 = fetchCalls;
  t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    await op();
    n += 1;
    t = performance.now();
  }
  // Requests per operation: a check that both sides do the same work (no cache skipping the server).
  return { available: true, ops: n, ms: t - t0, opsPerSec: (n * 1000) / (t - t0), fetchesPerOp: (fetchCalls - calls0) / n };
}

window.bench = { ready: true, run, cases: Object.keys(CASES), oursError, oursExports: ours ? Object.keys(ours).sort() : [] };
