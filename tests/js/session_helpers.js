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

/** An option object whose `name` getter throws. */
export function throwingGetter(base, name) {
  const o = { ...base };
  Object.defineProperty(o, name, { enumerable: true, get() { throw new Error("getter"); } });
  return o;
}

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
