// The JS side of the browser tests (tests/web_*.rs): one module for every test binary.
//
// One module, not one per area: wasm-bindgen-test-runner's server (tiny_http 0.12) hands each
// connection to a thread pool that counts a worker it has just signalled as still idle, so when the
// test page opens two connections at once while one worker is idle, the second connection waits until
// some keep-alive connection closes, and the page's scripts do not load for minutes ("Loading
// scripts...", chromedriver's 300 s renderer timeout). A test binary whose glue imports this module and
// the library's one inline snippet fetches two modules after its entry and stays clear of that
// (TESTING.md, "Browser tests"). Keep it one file.

// ================================================================================================
// Error classes (tests/web_support: every binary)
// ================================================================================================
// The error classes the npm entry registers (pkg-template/index.js), defined the same way, so that a
// browser test can register them with the wasm export and check `instanceof` as an app would.
class SessionManagerError extends Error {
  constructor(message, code) {
    super(message);
    this.name = new.target.name;
    if (code !== undefined) this.code = code;
  }
}
export class AuthError extends SessionManagerError {}
export class HttpError extends SessionManagerError {}
export class StorageError extends SessionManagerError {}
export class CryptoError extends SessionManagerError {}

const classes = { AuthError, HttpError, StorageError, CryptoError };

// The object given to `__registerErrorClasses` (always the same one).
export function errorClasses() { return classes; }

// `value instanceof <name>`: one of the four classes above, or a global (`Error`, `TypeError`).
export function isInstanceOf(value, name) {
  const cls = classes[name] ?? globalThis[name];
  if (typeof cls !== "function") throw new Error(`no class ${name}`);
  return value instanceof cls;
}

// ================================================================================================
// Raw requests to session-server (tests/web_support: every binary)
// ================================================================================================
// JS side of the browser tests that talk to session-server: raw requests, as a test harness would
// make them, independent of the SDK under test.
//
// Every hook call checks its answer: a status other than 200 (a hook the server lacks, one started
// without --test-hooks, a rejected argument) or a body that is not JSON rejects, so a test can never
// go on as if a counter read 0 or an injection were queued when the server did not do it.
async function call(base, method, path, body, headers = {}) {
  const res = await fetch(base + path, {
    method,
    headers: { "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch (_) {}
  return { status: res.status, json, text };
}

export async function login(base, username, publicKey, sessionData) {
  const r = await call(base, "POST", "/v1/auth/login", { username, public_key: publicKey, session_data: sessionData });
  if (r.status !== 200 || !r.json || typeof r.json.access_token !== "string") {
    throw new Error(`login failed: ${r.status} ${r.text}`);
  }
  return r.json;
}

// A hook call (`/test/*`): its JSON answer, or a rejection naming the call and what came back.
async function hook(base, method, path, body) {
  const r = await call(base, method, path, body);
  if (r.status !== 200 || r.json === null || typeof r.json !== "object") {
    throw new Error(`${method} ${path} failed: ${r.status} ${r.text}`);
  }
  return r.json;
}

export async function post(base, path, body) {
  return hook(base, "POST", path, body);
}

export async function rawRefresh(base, refreshToken) {
  return call(base, "POST", "/v1/auth/session", { refresh_token: refreshToken });
}

export async function counters(base) {
  return hook(base, "GET", "/test/counters");
}

export async function resetCounters(base) {
  const r = await hook(base, "POST", "/test/counters/reset", {});
  if (r.ok !== true) throw new Error(`counter reset not acknowledged: ${JSON.stringify(r)}`);
}

// Flips one hex digit of the ECIES mac inside a session_data JSON string.
export function tamperSessionData(sessionData) {
  const p = JSON.parse(sessionData);
  p.mac = (p.mac[0] === "0" ? "1" : "0") + p.mac.slice(1);
  return JSON.stringify(p);
}

export function holdLock(name, ms) {
  return new Promise((granted) => {
    navigator.locks.request(name, () => { granted(); return new Promise((r) => setTimeout(r, ms)); });
  });
}

export function localGet(key) { return localStorage.getItem(key); }
export function localSet(key, value) { localStorage.setItem(key, value); }
export function cookieGet(key) {
  const part = document.cookie.split(";").map((s) => s.trim()).find((s) => s.startsWith(key + "="));
  return part === undefined ? null : decodeURIComponent(part.slice(key.length + 1));
}

// ================================================================================================
// Fetch recorder and canned answers (web_auth, web_http_client, web_options)
// ================================================================================================
// JS side of the HttpClient browser tests: a recorder of every fetch the page makes. The SDK's
// FetchTransport calls the global `fetch` at call time, so wrapping it here sees each request the
// SDK sends, with the Authorization header and body it really carried, and how it ended.
const fetchRecord = [];
let recorderInstalled = false;

function installRecorder() {
  if (recorderInstalled) return;
  recorderInstalled = true;
  const original = globalThis.fetch;
  globalThis.fetch = function (input, init) {
    const request = input instanceof Request ? input : new Request(input, init);
    const entry = {
      url: request.url,
      method: request.method,
      authorization: request.headers.get("authorization"),
      headers: Object.fromEntries(request.headers),
      body: null,
      start: performance.now(),
      end: null,
      status: null,
      error: null,
    };
    fetchRecord.push(entry);
    const body = request.method === "GET" || request.method === "HEAD"
      ? Promise.resolve(null)
      : request.clone().text();
    entry.bodyRead = body.then((t) => { entry.body = t; }, () => {});
    const result = original.call(this, input, init);
    entry.done = result.then(
      (res) => { entry.status = res.status; entry.end = performance.now(); },
      (err) => { entry.error = String((err && err.name) || err); entry.end = performance.now(); },
    );
    return result;
  };
}

// Starts (or restarts) recording: forgets every earlier entry.
export function recordFetches() {
  installRecorder();
  fetchRecord.length = 0;
}

// The recorded requests whose URL contains `fragment`, once each has ended and its body was read:
// `[{ url, method, authorization, headers, body, start, end, status, error }]`, in the order they were sent.
export async function fetchLog(fragment) {
  const entries = fetchRecord.filter((e) => e.url.includes(fragment));
  await Promise.all(entries.map((e) => Promise.all([e.done, e.bodyRead])));
  return entries.map(({ url, method, authorization, headers, body, start, end, status, error }) =>
    ({ url, method, authorization, headers, body, start, end, status, error }));
}

// A value JSON.stringify throws on.
export function cyclic() {
  const a = { name: "a" };
  a.self = a;
  return a;
}

// `new Headers(pairs)`, to pass as the `headers` option.
export function headersOf(pairs) {
  return new Headers(pairs);
}

// `new URL(href)`.
export function urlOf(href) {
  return new URL(href);
}

// `JSON.stringify(value)`, with keys sorted at every level, for comparisons.
export function canonical(value) {
  const sort = (v) => Array.isArray(v)
    ? v.map(sort)
    : v !== null && typeof v === "object"
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort(v[k])]))
      : v;
  return JSON.stringify(sort(value));
}

// Drops every queued refresh injection of the server (left over by a failed test).
// Rejects unless the server confirms the queue is empty.
export async function clearInjections(base) {
  const res = await fetch(base + "/test/next-refresh", { method: "DELETE" });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch (_) {}
  if (res.status !== 200 || !json || json.pending !== 0) {
    throw new Error(`DELETE /test/next-refresh failed: ${res.status} ${text}`);
  }
}

// Answers the next `count` fetches whose URL contains `fragment` with `status`, the `headers` record
// and `body`, without sending them: what a proxy or a load balancer may answer and the test server
// does not (a 429 with Retry-After, say). Wraps the global fetch once; other requests pass through.
const canned = [];
let cannedInstalled = false;
export function answerNext(fragment, count, status, headers, body) {
  if (!cannedInstalled) {
    cannedInstalled = true;
    const next = globalThis.fetch;
    globalThis.fetch = function (input, init) {
      const url = typeof input === "string" ? input : input.url;
      const c = canned.find((e) => e.left > 0 && url.includes(e.fragment));
      if (!c) return next.call(this, input, init);
      c.left -= 1;
      return Promise.resolve(new Response(c.body, { status: c.status, headers: c.headers }));
    };
  }
  canned.push({ fragment, left: count, status, headers, body });
}

// ================================================================================================
// Web Locks held from plain JS (web_locks)
// ================================================================================================
export async function lockHeld(name) {
  const state = await navigator.locks.query();
  return state.held.some((l) => l.name === name);
}

// Holds the Web Lock `name` from plain JS until `release(name)` is called; resolves once held.
const releases = new Map();
export function holdUntilReleased(name) {
  return new Promise((granted) => {
    navigator.locks.request(name, () => {
      granted();
      return new Promise((r) => releases.set(name, r));
    });
  });
}
export function release(name) {
  const r = releases.get(name);
  if (!r) throw new Error(`plain JS does not hold ${name}`);
  releases.delete(name);
  r();
}
// True when a request for `name` is queued (waiting for the holder).
export async function lockPending(name) {
  const state = await navigator.locks.query();
  return state.pending.some((l) => l.name === name);
}

// A scripted `navigator.locks` in place of the browser's, until `restore()`: `free` says whether an
// `ifAvailable` request gets the lock; other requests wait for `grant()`, which first queues a
// message task (as a BroadcastChannel message is: another tab's news, which can sit in this page's
// queue when the grant is handled) that logs "task", then runs the waiting callback.
export function scriptedLocks(free) {
  const fake = { log: [], pending: null };
  fake.request = (name, opts, cb) => {
    if (opts.ifAvailable) return Promise.resolve().then(() => cb(free ? { name } : null));
    return new Promise((resolve) => { fake.pending = { name, cb, resolve }; });
  };
  fake.waiting = () => fake.pending != null;
  fake.grant = () => {
    const m = new MessageChannel();
    m.port1.onmessage = () => { m.port1.close(); fake.log.push("task"); };
    m.port2.postMessage(0);
    const p = fake.pending;
    fake.pending = null;
    p.resolve(p.cb({ name: p.name }));
  };
  fake.logged = () => fake.log.join(",");
  Object.defineProperty(navigator, "locks", { value: fake, configurable: true });
  fake.restore = () => { delete navigator.locks; };
  return fake;
}

// A `navigator.locks` that learns of a release one task after the holder let go (the browser's by a
// message of its own), and settles the request's promise then. `waits` counts the requests that
// found the lock held and queued.
export function releasingLocks() {
  const fake = { held: false, waits: 0, queue: [] };
  const grant = (name, cb, resolve) => {
    fake.held = true;
    Promise.resolve().then(() => cb({ name })).then((v) => {
      const m = new MessageChannel();
      m.port1.onmessage = () => {
        m.port1.close();
        fake.held = false;
        resolve(v);
        const queued = fake.queue.shift();
        if (queued) grant(...queued);
      };
      m.port2.postMessage(0);
    });
  };
  fake.request = (name, opts, cb) => new Promise((resolve) => {
    if (!fake.held) return grant(name, cb, resolve);
    if (opts.ifAvailable) return Promise.resolve().then(() => resolve(cb(null)));
    fake.waits += 1;
    fake.queue.push([name, cb, resolve]);
  });
  Object.defineProperty(navigator, "locks", { value: fake, configurable: true });
  fake.restore = () => { delete navigator.locks; };
  return fake;
}

// ================================================================================================
// StorageManager: raw /v2/store requests and a per-key interceptor (web_storage_manager)
// ================================================================================================
// JS side of the StorageManager browser tests: raw /v2/store requests made independently of the SDK,
// and a fetch interceptor that records, or tampers with, the SDK's store requests for one key only
// (so that tests sharing the page do not see each other's traffic).

export async function storeCall(base, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch (_) {}
  return { status: res.status, json, text };
}

export function pageOrigin() { return location.origin; }

export function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }


// Flips one hex digit of `field` inside a JSON string (an ECIES payload or an AES-GCM envelope).
export function tamperJsonField(json, field) {
  const p = JSON.parse(json);
  const s = p[field];
  p[field] = (s[0] === "0" ? "1" : "0") + s.slice(1);
  return JSON.stringify(p);
}

// Per public key: { mode: "record" | "tamper-data" | "tamper-message", log: [...] }.
const rules = new Map();
let originalFetch = null;

function installInterceptor() {
  if (originalFetch) return;
  originalFetch = globalThis.fetch;
  globalThis.fetch = async function intercepted(input, init) {
    let req = new Request(input, init);
    const path = new URL(req.url).pathname;
    if (rules.size === 0 || !path.startsWith("/v2/store/")) return originalFetch.call(globalThis, req);
    const text = await req.clone().text();
    let body = null;
    try { body = JSON.parse(text); } catch (_) {}
    const rule = body && rules.get(body.key);
    if (!rule) return originalFetch.call(globalThis, req);
    rule.log.push({ method: req.method, path, headers: Object.fromEntries(req.headers), body: text });
    if (rule.mode === "tamper-data" && typeof body.data === "string") {
      // The signature stays the one the SDK made for the original data.
      body.data = tamperJsonField(body.data, "ciphertext");
      req = new Request(req, { body: JSON.stringify(body) });
    }
    const res = await originalFetch.call(globalThis, req);
    if (rule.mode === "tamper-message" && path === "/v2/store/get" && res.ok) {
      const json = await res.json();
      json.message = tamperJsonField(json.message, "ciphertext");
      return new Response(JSON.stringify(json), {
        status: res.status,
        statusText: res.statusText,
        headers: res.headers,
      });
    }
    return res;
  };
}

export function intercept(publicKey, mode) {
  installInterceptor();
  rules.set(publicKey, { mode, log: [] });
}

// The requests seen for the key, `[{ method, path, headers, body }]`; stops intercepting it.
export function stopIntercept(publicKey) {
  const rule = rules.get(publicKey);
  rules.delete(publicKey);
  return rule ? rule.log : [];
}

// ================================================================================================
// Option objects built the way apps build them (web_options)
// ================================================================================================
// JS side of tests/web_options.rs: option objects built the way apps build them (getters, Maps,
// Headers, BigInt, prototypes), constructors and methods called from JS with the exception caught,
// and a recorder of the exact strings written to `document.cookie`.

// `new Class(arg)` from JS, `Class` being the exported class of `instance`:
// `{ value }` or `{ error }` (whatever was thrown).
export function tryConstruct(instance, arg) {
  try {
    return { value: new instance.constructor(arg) };
  } catch (error) {
    return { error };
  }
}

// `target[method](...args)` from JS: `{ value }` or `{ error }`; a returned promise is awaited, so a
// rejection is an `error` too.
export async function tryCall(target, method, args) {
  try {
    return { value: await target[method](...args) };
  } catch (error) {
    return { error };
  }
}

// `{ ...fields, [key]: <getter that throws> }`.
export function throwingGetter(fields, key) {
  const o = { ...fields };
  Object.defineProperty(o, key, {
    enumerable: true,
    get() { throw new Error(`getter of ${key} threw`); },
  });
  return o;
}

// `{ ...fields, [key]: <getter that returns value> }` (a getter is read like a field).
export function getterOf(fields, key, value) {
  const o = { ...fields };
  Object.defineProperty(o, key, { enumerable: true, get() { return value; } });
  return o;
}

// An object whose `fields` are inherited (on its prototype), not its own.
export function inherited(fields) {
  return Object.create(fields);
}

// `{ ...fields, [key]: value }` for values JSON cannot write (BigInt, NaN, functions, Symbols…).
export function withField(fields, key, value) {
  return { ...fields, [key]: value };
}

export function bigint(text) { return BigInt(text); }
export function symbol() { return Symbol("s"); }
export function func() { return () => "fn"; }
export function mapOf(pairs) { return new Map(pairs); }
export function typeName(value) { return value === null ? "null" : typeof value; }
export function isInstance(value, name) { return value instanceof globalThis[name]; }

// Every string the page writes to `document.cookie` from now on (an own property of `document`
// shadows the prototype's accessor, which still does the write).
const cookieWrites = [];
let cookieHooked = false;
export function recordCookieWrites() {
  cookieWrites.length = 0;
  if (cookieHooked) return;
  cookieHooked = true;
  const proto = Object.getOwnPropertyDescriptor(Document.prototype, "cookie");
  Object.defineProperty(document, "cookie", {
    configurable: true,
    get() { return proto.get.call(document); },
    set(v) { cookieWrites.push(v); proto.set.call(document, v); },
  });
}
export function cookieLog() { return cookieWrites.slice(); }

// ================================================================================================
// Misbehaving JS, event recorders, listener counters (web_session)
// ================================================================================================
// Helpers for tests/web_session.rs: misbehaving JS (fetch wrappers, thrown oddities), event
// recorders, and counters of listeners and channels, so that "no JS exception crosses the wasm"
// and "dispose leaves nothing behind" are checked for real.

const realFetch = globalThis.fetch;

/** Replaces the global fetch: "throw" throws synchronously, "non-response" resolves to 42,
 *  "reject-string" rejects with a bare string; "restore" puts the real one back. */
export function setFetch(mode) {
  if (mode === "restore") { globalThis.fetch = realFetch; return; }
  globalThis.fetch = (...args) => {
    if (mode === "throw") throw new Error("fetch wrapper exploded");
    if (mode === "non-response") return Promise.resolve(42);
    if (mode === "reject-string") return Promise.reject("offline (a string)");
    if (mode === "hang") return new Promise(() => {}); // never settles, ignores the abort
    return realFetch(...args);
  };
}

/** A value to throw: "number-name" (an Error whose name is 42), "symbol-message", "proxy" (every
 *  property read throws), "bigint" (JSON.stringify rejects it), or anything else thrown as is. */
export function oddity(kind) {
  if (kind === "number-name") { const e = new Error("x"); e.name = 42; return e; }
  if (kind === "symbol-message") { const e = new Error("x"); Object.defineProperty(e, "message", { value: Symbol("m") }); return e; }
  if (kind === "proxy") return new Proxy({}, { get() { throw new Error("trap"); }, getPrototypeOf() { throw new Error("trap"); } });
  if (kind === "bigint") return 10n;
  return kind;
}

/** A provider that throws `oddity(kind)` while `globalThis.__providerMode` is a kind, else gives the token. */
export function switchableProvider(token) {
  return () => {
    const mode = globalThis.__providerMode;
    if (mode) throw oddity(mode);
    return token;
  };
}
export function setProviderMode(mode) { globalThis.__providerMode = mode; }


/** An adapter whose get returns non-strings. */
export function oddAdapter() {
  const values = new Map();
  return {
    get(key) { return key.endsWith("access_token") ? 12345 : (key.endsWith("id_token") ? { an: "object" } : (values.get(key) ?? null)); },
    set(key, value) { values.set(key, value); },
    remove(key) { values.delete(key); },
  };
}

/** Records [event, remote, isAuthenticated, sessionId] for each callback call. */
export function recorder() {
  const events = [];
  const fn = (event, state) => { events.push([event, state.remote, state.isAuthenticated, state.sessionId]); };
  return { fn, events };
}
export function eventNames(rec) { return rec.events.map((e) => e[0] + (e[1] ? "@remote" : "")).join(","); }
export function lastState(rec) { return rec.events.length ? rec.events[rec.events.length - 1] : null; }

/** A callback that throws, and one that returns a promise that never settles. */
export function badCallbacks() {
  return [() => { throw new Error("listener bug"); }, () => new Promise(() => {}), async () => { throw new Error("async listener bug"); }];
}

/** Counts addEventListener/removeEventListener on every target, and BroadcastChannel open/close. */
export function countListeners() {
  const c = { added: 0, removed: 0, opened: 0, closed: 0 };
  const add = EventTarget.prototype.addEventListener;
  const remove = EventTarget.prototype.removeEventListener;
  const close = BroadcastChannel.prototype.close;
  const Real = globalThis.BroadcastChannel;
  EventTarget.prototype.addEventListener = function (...a) { c.added++; return add.apply(this, a); };
  EventTarget.prototype.removeEventListener = function (...a) { c.removed++; return remove.apply(this, a); };
  BroadcastChannel.prototype.close = function () { c.closed++; return close.call(this); };
  globalThis.BroadcastChannel = class extends Real { constructor(n) { super(n); c.opened++; } };
  c.restore = () => {
    EventTarget.prototype.addEventListener = add;
    EventTarget.prototype.removeEventListener = remove;
    BroadcastChannel.prototype.close = close;
    globalThis.BroadcastChannel = Real;
  };
  return c;
}

/** Records the text of every BroadcastChannel post on channel `name` until `restore()`. */
export function spyPosts(name) {
  const post = BroadcastChannel.prototype.postMessage;
  const spy = { texts: [] };
  BroadcastChannel.prototype.postMessage = function (m) {
    if (this.name === name) spy.texts.push(String(m));
    return post.call(this, m);
  };
  // A text ending in ":" matches every message it begins ("rotated:" whatever the fingerprint).
  spy.has = (text) => spy.texts.some((t) => t === text || (text.endsWith(":") && t.startsWith(text)));
  spy.restore = () => { BroadcastChannel.prototype.postMessage = post; };
  return spy;
}

/** Unhandled rejections seen since `watchRejections()`. */
const rejections = [];
export function watchRejections() {
  globalThis.addEventListener("unhandledrejection", (e) => { rejections.push(String(e.reason)); e.preventDefault(); });
}
export function rejectionCount() { return rejections.length; }

/** An object whose toString throws (passed where a URL is expected). */
export function badUrl() { return { toString() { throw new Error("toString exploded"); } }; }
/** A Proxy whose every trap throws (passed as HttpClient options). */
export function trapProxy() { const t = () => { throw new Error("trap"); }; return new Proxy({}, { get: t, ownKeys: t, getOwnPropertyDescriptor: t, has: t, getPrototypeOf: t }); }

/**
 * Counts calls of the get/set/remove methods of `instance`'s class (patched on its prototype, so
 * every instance counts); `restore()` puts them back. `ownGet(instance)` gives the instance an own
 * `get` (as an app overriding it would), which must make the SDK call through JS again.
 */
export function countAdapterCalls(instance) {
  const proto = Object.getPrototypeOf(instance);
  const saved = {};
  const calls = { n: 0 };
  for (const m of ["get", "set", "remove"]) {
    saved[m] = proto[m];
    proto[m] = function (...a) { calls.n++; return saved[m].apply(this, a); };
  }
  calls.restore = () => Object.assign(proto, saved);
  calls.ownGet = (o) => { o.get = proto.get; return o; };
  return calls;
}

// ================================================================================================
// Custom adapters and blocked storage (web_storage)
// ================================================================================================
// JS side of the storage browser tests: custom adapters and ways to break storage for real.
export function syncAdapter() {
  const map = new Map();
  return {
    map,
    get(k) { return map.has(k) ? map.get(k) : null; },
    set(k, v) { map.set(k, v); },
    remove(k) { map.delete(k); },
  };
}

export function asyncAdapter() {
  const map = new Map();
  const tick = () => new Promise((r) => setTimeout(r, 1));
  return {
    map,
    async get(k) { await tick(); return map.has(k) ? map.get(k) : null; },
    async set(k, v) { await tick(); map.set(k, v); },
    async remove(k) { await tick(); map.delete(k); },
  };
}

// How many times `document.cookie` has been read since the first call (which starts counting).
let cookieReadCount = null;
export function cookieReads() {
  if (cookieReadCount === null) {
    cookieReadCount = 0;
    const d = Object.getOwnPropertyDescriptor(Document.prototype, "cookie");
    Object.defineProperty(Document.prototype, "cookie", {
      configurable: true,
      get() { cookieReadCount += 1; return d.get.call(this); },
      set(v) { d.set.call(this, v); },
    });
  }
  return cookieReadCount;
}

// Answers with thenables that are not promises (as some wrapper libraries do), settled later.
export function thenableAdapter() {
  const map = new Map();
  const later = (f) => ({ then(ok) { setTimeout(() => ok(f()), 0); } });
  return {
    map,
    get(k) { return later(() => (map.has(k) ? map.get(k) : null)); },
    set(k, v) { return later(() => { map.set(k, v); }); },
    remove(k) { return later(() => { map.delete(k); }); },
  };
}

// Reads answer an object whose `then` getter throws; writes answer an object whose `then` is not a
// function (not a thenable: taken as is).
export function oddThenAdapter() {
  const odd = Object.defineProperty({}, "then", { get() { throw new Error("then exploded"); } });
  return { get() { return odd; }, set() { return { then: 5 }; }, remove() { return 7; } };
}

export function failingAdapter() {
  return {
    get() { throw new Error("read exploded"); },
    set() { return Promise.reject("set rejected with a string"); },
    remove() { throw { weird: true }; },
  };
}

const savedLocalStorage = {};
// Makes `window.localStorage` throw on access, as it does when the user blocks site data.
export function blockLocalStorage() {
  savedLocalStorage.desc = Object.getOwnPropertyDescriptor(window, "localStorage");
  Object.defineProperty(window, "localStorage", {
    configurable: true,
    get() { throw new DOMException("The operation is insecure.", "SecurityError"); },
  });
}
export function unblockLocalStorage() {
  if (savedLocalStorage.desc) Object.defineProperty(window, "localStorage", savedLocalStorage.desc);
  else delete window.localStorage;
}

export function documentCookie() { return document.cookie; }

// The attributes of a cookie as the browser stored them (CookieStore API), or null.
export async function storedCookie(name) {
  if (!globalThis.cookieStore) return null;
  const c = await cookieStore.get(name);
  return c ? JSON.stringify({ name: c.name, value: c.value, path: c.path, secure: c.secure, sameSite: c.sameSite, session: c.expires === null }) : "missing";
}

// A promise that settles after `ms`: resolved with `value` when `ok`, else rejected with it
// (tests/web_task.rs).
export function settleLater(ms, ok, value) {
  return new Promise((resolve, reject) => setTimeout(() => (ok ? resolve : reject)(value), ms));
}
