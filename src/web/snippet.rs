//! The library's one JS snippet: the small functions that are cheaper written in JS than bound call
//! by call (each `inline_js` snippet is one more module a page fetches, so there is only this one).
//! `aes`, `digest` and `ecies_open` serve [`super::subtle`], `tape` serves [`super::json_parse`],
//! `refreshed` the bindings' `ensureRefresh`, `lock` serves [`super::locks`], `send` serves
//! [`super::fetch`], `settle`, `promise` and `fulfil` serve [`super::task`].

use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
export function aes(name, encrypt, key, iv, data) {
  const s = globalThis.crypto && crypto.subtle, op = encrypt ? "encrypt" : "decrypt", params = { name, iv: iv.slice() };
  if (!s) return Promise.reject(0);
  data = data.slice();
  return s.importKey("raw", key, name, false, [op]).then((k) => s[op](params, k, data)).then((b) => new Uint8Array(b));
}
export function digest(key, data) {
  const s = globalThis.crypto && crypto.subtle, hmac = { name: "HMAC", hash: "SHA-256" };
  if (!s) return Promise.reject(0);
  data = data.slice();
  return (key ? s.importKey("raw", key.slice(), hmac, false, ["sign"]).then((k) => s.sign(hmac, k, data)) : s.digest("SHA-512", data))
    .then((b) => new Uint8Array(b));
}
export function ecies_open(x1, x2, iv, ephem, ct, mac) {
  const s = globalThis.crypto && crypto.subtle, hmac = { name: "HMAC", hash: "SHA-256" }, keys = [x1.slice()];
  if (!s) return Promise.reject(0);
  if (x2) keys.push(x2.slice());
  const data = new Uint8Array(iv.length + ephem.length + ct.length);
  data.set(iv); data.set(ephem, iv.length); data.set(ct, iv.length + ephem.length);
  iv = iv.slice(); ct = ct.slice(); mac = mac.slice();
  const next = (i) => i == keys.length ? Promise.reject(1) : s.digest("SHA-512", keys[i]).then((h) => {
    h = new Uint8Array(h);
    return s.importKey("raw", h.subarray(32), hmac, false, ["verify"]).then((k) => s.verify(hmac, k, mac, data)).then((ok) => ok
      ? s.importKey("raw", h.subarray(0, 32), "AES-CBC", false, ["decrypt"]).then((k) => s.decrypt({ name: "AES-CBC", iv }, k, ct)).then((p) => new Uint8Array(p))
      : next(i + 1));
  });
  return next(0);
}
export function tape(text, max) {
  let out = "";
  const len = (tag, s) => (out += tag + s.length + ":" + s);
  const put = (v, depth) => {
    if (v === null) out += "n";
    else if (typeof v == "boolean") out += v ? "t" : "f";
    else if (typeof v == "number") len('#', Object.is(v, -0) ? "-0" : JSON.stringify(v));
    else if (typeof v == "string") len('"', v);
    else if (depth >= max) throw 0;
    else {
      const keys = Object.keys(v), array = Array.isArray(v);
      out += (array ? "[" : "{") + keys.length + ":";
      for (const k of keys) { array || len("", k); put(v[k], depth + 1); }
    }
  };
  const v = JSON.parse(text);
  try { put(v, 0); } catch { return null; }
  return out;
}
const promised = new Map();
export function settle(p, f, i) {
  (p || Promise.resolve()).then((v) => f(i, true, v), (e) => f(i, false, e));
}
export function promise(i) {
  return new Promise((r, j) => promised.set(i, [r, j]));
}
export function fulfil(i, ok, v) {
  const d = promised.get(i);
  promised.delete(i);
  if (d) d[ok ? 0 : 1](v);
}
export function parse_body(s) {
  return s.trim() ? JSON.parse(s) : null;
}
export function refreshed(access_token, refresh_token, session_data) {
  return { access_token, refresh_token, session_data };
}
function next(f) {
  const m = globalThis.MessageChannel && new MessageChannel();
  if (!m) return setTimeout(f, 0);
  m.port1.onmessage = () => { m.port1.close(); f(); };
  m.port2.postMessage(0);
}
const settling = new Map();
function released(name, q) {
  const end = () => settling.get(name) == s && settling.delete(name), s = q.then(end, end);
  settling.set(name, s);
}
export function lock(name, ms, look) {
  const l = globalThis.navigator && navigator.locks;
  if (!l) return null;
  let c, q, release, over = false, got = false, t = 0;
  const held = new Promise((r) => (release = r));
  const h = { r(mark, hold) {
    over = true; clearTimeout(t); if (!got && c) c.abort();
    const end = () => { release(); if (got) released(name, q); };
    if (!got || mark == null) return end();
    try {
      l.request(mark, { ifAvailable: true }, (k) => { end(); return k && new Promise((e) => setTimeout(e, hold)); }).then(null, end);
    } catch { end(); }
  } };
  h.p = new Promise((granted, failed) => {
    const no = () => { clearTimeout(t); c && c.signal.aborted && !over ? failed(1) : granted(0); };
    const take = (w) => {
      got = true;
      look == null ? granted(w) : l.query().then((s) => granted(s.held.some((x) => x.name == look) ? w | 4 : w), () => granted(w));
    };
    const ask = () => {
      if (over) return granted(0);
      try {
        (q = l.request(name, { ifAvailable: true }, (k) => {
          if (k) { take(1); return held; }
          if (over) return;
          c = new AbortController();
          t = setTimeout(() => c.abort(), ms);
          (q = l.request(name, { signal: c.signal }, () => { got = true; clearTimeout(t); next(() => take(3)); return held; })).then(null, no);
        })).then(null, no);
      } catch { granted(0); }
    };
    const s = settling.get(name);
    s ? s.then(ask) : ask();
  });
  return h;
}
const due = new Set();
let tick = 0, tickAt = Infinity;
function sweep() {
  const now = performance.now();
  tickAt = Infinity;
  for (const e of due) e.at <= now + 1 ? (due.delete(e), e.f()) : e.at < tickAt && (tickAt = e.at);
  clearTimeout(tick);
  tick = tickAt < Infinity ? setTimeout(sweep, tickAt - now) : 0;
}
function watch(ms, f) {
  const e = { at: performance.now() + ms, f };
  due.add(e);
  if (e.at < tickAt) { clearTimeout(tick); tickAt = e.at; tick = setTimeout(sweep, ms); }
  if (tick.ref) tick.ref();
  return e;
}
function done(e) {
  if (due.delete(e) && !due.size && tick.unref) tick.unref();
}
export function send(method, url, headers, body, ms, json) {
  const c = new AbortController();
  let t = null, over = false;
  const call = { a() { if (!over) { over = true; done(t); c.abort(); } } };
  call.p = new Promise((ok, fail) => {
    const end = (f, v) => { over = true; done(t); f(v); };
    let init;
    try {
      const h = new Headers(), kv = headers ? headers.split("\0") : [];
      for (let i = 0; i + 1 < kv.length; i += 2) h.append(kv[i], kv[i + 1]);
      init = { method, headers: h, signal: c.signal };
      if (body != null) init.body = body;
    } catch (e) { return end(fail, [3, e]); }
    if (ms) t = watch(ms, () => { c.abort(); end(fail, [0]); });
    const lost = (e) => end(fail, ms && c.signal.aborted ? [0] : [1, e]);
    try {
      Promise.resolve(fetch(url, init)).then((r) => {
        if (!(r instanceof Response)) return end(fail, [2]);
        return r.text().then((b) => {
          let j = null;
          if (json) try { j = tape(b, json); } catch {}
          end(ok, { s: r.status, t: r.statusText, c: r.headers.get("content-type"), r: r.headers.get("retry-after"), b: j == null ? b : "", j });
        });
      }).then(null, lost);
    } catch (e) { lost(e); }
  });
  return call;
}
"#)]
extern "C" {
    /// `crypto.subtle.{encrypt,decrypt}({ name, iv }, key, data)` after importing `key`, inputs
    /// copied first (the promise outlives the views into wasm memory); rejects with 0 when there is
    /// no `crypto.subtle`, with the DOMException when the operation fails.
    #[wasm_bindgen(js_name = aes)]
    pub(crate) fn subtle_aes(
        name: &str,
        encrypt: bool,
        key: &[u8],
        iv: &[u8],
        data: &[u8],
    ) -> js_sys::Promise;

    /// ECIES's decryption after the ECDH (PROTOCOL.md §6): for `x1`, then `x2` if given,
    /// `SHA-512(x)` split into an AES key and an HMAC key, the MAC over `iv || ephem || ct`
    /// checked by `crypto.subtle.verify` (in constant time), and on the first match the AES-CBC
    /// decryption of `ct`. Inputs are copied first. Rejects with 0 without `crypto.subtle`, 1 when
    /// no MAC matches, the DOMException when the decryption fails (bad padding).
    #[wasm_bindgen(js_name = ecies_open)]
    pub(crate) fn subtle_ecies_open(
        x1: &[u8],
        x2: Option<&[u8]>,
        iv: &[u8],
        ephem: &[u8],
        ct: &[u8],
        mac: &[u8],
    ) -> js_sys::Promise;

    /// `crypto.subtle.digest("SHA-512", data)` without `key`, the HMAC-SHA256 of `data` under
    /// `key` with it (inputs copied first); rejects with 0 when there is no `crypto.subtle`, with
    /// the DOMException when the operation fails.
    #[wasm_bindgen(js_name = digest)]
    pub(crate) fn subtle_digest(key: Option<&[u8]>, data: &[u8]) -> js_sys::Promise;

    /// `JSON.parse(text)` as one string, a tape the wasm reads without calling back (see
    /// [`super::json_parse`]); `None` when nested deeper than `max`; throws what `JSON.parse` throws.
    #[wasm_bindgen(js_name = tape, catch)]
    pub(crate) fn json_tape(text: &str, max: u32) -> Result<Option<String>, JsValue>;

    /// `promise.then(v => f(slot, true, v), e => f(slot, false, e))`: how [`super::task`] learns
    /// a promise's outcome; without a promise, `f(slot, true, undefined)` in a microtask.
    #[wasm_bindgen(js_name = settle)]
    pub(crate) fn settle(promise: Option<&js_sys::Promise>, f: &js_sys::Function, slot: u32);

    /// A new promise, settled by [`fulfil`] with the same `id`.
    #[wasm_bindgen(js_name = promise)]
    pub(crate) fn new_promise(id: u32) -> js_sys::Promise;

    /// Resolves (`ok`) or rejects the promise `id` with `value`.
    #[wasm_bindgen(js_name = fulfil)]
    pub(crate) fn fulfil(id: u32, ok: bool, value: &JsValue);

    /// `JSON.parse(body)`, or `null` for a body of whitespace only (`trim()`); throws what
    /// `JSON.parse` throws. How `HttpClient` reads a JSON answer, the body a JS string all along.
    #[wasm_bindgen(js_name = parse_body, catch)]
    pub(crate) fn parse_body(body: &JsValue) -> Result<JsValue, JsValue>;

    /// `{ access_token, refresh_token, session_data }`, what `ensureRefresh()` resolves to, in one
    /// call (built field by field it took ten).
    #[wasm_bindgen(js_name = refreshed)]
    pub(crate) fn refresh_response(access: &str, refresh: &str, session_data: &str) -> JsValue;

    /// A request for the Web Lock `name`, waiting at most `ms`: `None` without `navigator.locks`.
    /// A free lock is taken at once (`ifAvailable`, no timer). A lock granted after a wait is
    /// reported one task later: the tab that held it has just written the session, and the tasks
    /// that carry its storage writes and its `Rotated` news to this tab may be queued behind the
    /// grant; they run first. That task is a `MessageChannel` message (`next`), not a timer: a
    /// hidden tab's timers wait for the next second, and BroadcastChannel messages (the news)
    /// share the posted-message task queue with it, first in, first out.
    ///
    /// A request for a lock this tab has just released waits until the browser has processed that
    /// release (the released request's promise settles then, `settling`): sent at once, it could
    /// reach the browser first, find the lock held and queue (measured: half of back-to-back
    /// requests did, 240 against 150 us each). That wait is not a wait for another holder: the
    /// release is already on its way, and the promise settles when it is through.
    pub(crate) type LockRequest;

    ///
    /// With `look`, once the lock is granted, asks the browser (`navigator.locks.query()`) whether
    /// the lock `look` (a mark) is held, before reporting the grant.
    #[wasm_bindgen(js_name = lock)]
    pub(crate) fn request_lock(name: &str, ms: u32, look: Option<&str>) -> Option<LockRequest>;

    /// Resolves to flags once the lock is held: 1 held, +2 granted after a wait, +4 the mark
    /// looked for is held; to 0 when the browser refused the request (run without the lock);
    /// rejects with 1 when the wait ran out.
    #[wasm_bindgen(method, getter, js_name = p)]
    pub(crate) fn outcome(this: &LockRequest) -> js_sys::Promise;

    /// Releases the lock, or gives up the wait (then nothing stays queued, and a grant that comes
    /// anyway is released at once). With `mark`, if the lock is held, first takes the lock `mark`
    /// if it is free (`ifAvailable`), and holds it `hold` ms: the lock is let go only once the mark
    /// is taken (or refused), so whoever holds the lock next can see it.
    #[wasm_bindgen(method, js_name = r)]
    pub(crate) fn release(this: &LockRequest, mark: Option<&str>, hold: u32);

    /// A request in flight.
    pub(crate) type FetchCall;

    /// `fetch(url, { method, headers, body, signal })`: `headers` is names and values joined by
    /// NUL; `ms` 0 is no timeout. At `ms` the request is aborted and the call fails at once, also
    /// when a `fetch` wrapper ignores the abort. The requests' deadlines share one timer (`watch`),
    /// armed for the earliest: a request costs a set entry, not a `setTimeout` and a
    /// `clearTimeout` (an authenticated GET 0.64× → 0.72× the original's speed, measured in one
    /// page). In Node the timer holds the process open only while a request is pending. `json`
    /// non-zero asks for the body parsed, nested at most that deep ([`FetchAnswer::tape`]).
    #[wasm_bindgen(js_name = send)]
    pub(crate) fn fetch_call(
        method: &str,
        url: &str,
        headers: &str,
        body: Option<&str>,
        ms: u32,
        json: u32,
    ) -> FetchCall;

    /// Resolves to the [`FetchAnswer`] once the whole body is read; rejects with `[0]` at the
    /// timeout, `[1, error]` when `fetch` (or reading the body) failed, `[2]` when `fetch` resolved
    /// to something that is not a `Response`, `[3, error]` when the request could not be built.
    #[wasm_bindgen(method, getter, js_name = p)]
    pub(crate) fn outcome(this: &FetchCall) -> js_sys::Promise;

    /// Aborts the request, unless it is over.
    #[wasm_bindgen(method, js_name = a)]
    pub(crate) fn abort(this: &FetchCall);

    /// What came back: the status, its text, the two headers the SDK reads, the body.
    pub(crate) type FetchAnswer;

    #[wasm_bindgen(method, getter, js_name = s)]
    pub(crate) fn status(this: &FetchAnswer) -> u16;

    #[wasm_bindgen(method, getter, js_name = t)]
    pub(crate) fn status_text(this: &FetchAnswer) -> String;

    #[wasm_bindgen(method, getter, js_name = c)]
    pub(crate) fn content_type(this: &FetchAnswer) -> Option<String>;

    #[wasm_bindgen(method, getter, js_name = r)]
    pub(crate) fn retry_after(this: &FetchAnswer) -> Option<String>;

    /// The body; empty when it is given as [`FetchAnswer::tape`].
    #[wasm_bindgen(method, getter, js_name = b)]
    pub(crate) fn body(this: &FetchAnswer) -> String;

    /// The same body as the JS string, not copied into the wasm.
    #[wasm_bindgen(method, getter, js_name = b)]
    pub(crate) fn body_value(this: &FetchAnswer) -> JsValue;

    /// With `json` (the deepest nesting read), the body as the tape of `JSON.parse` (see
    /// [`super::json_parse`]) when it parses; the text then does not cross into the wasm.
    #[wasm_bindgen(method, getter, js_name = j)]
    pub(crate) fn tape(this: &FetchAnswer) -> Option<String>;
}
