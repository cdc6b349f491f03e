//! The library's one JS snippet: the small functions that are cheaper written in JS than bound call
//! by call (each `inline_js` snippet is one more module a page fetches, so there is only this one).
//! `aes` serves [`super::subtle`], `lock` serves [`super::locks`].

use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = r#"
export function aes(name, encrypt, key, iv, data) {
  const s = globalThis.crypto && crypto.subtle, op = encrypt ? "encrypt" : "decrypt", params = { name, iv: iv.slice() };
  if (!s) return Promise.reject(0);
  data = data.slice();
  return s.importKey("raw", key, name, false, [op]).then((k) => s[op](params, k, data)).then((b) => new Uint8Array(b));
}
export function lock(name, ms) {
  const l = globalThis.navigator && navigator.locks;
  if (!l) return null;
  const c = new AbortController();
  let release, over = false, got = false, t = 0;
  const held = new Promise((r) => (release = r));
  const h = { r() { over = true; clearTimeout(t); if (!got) c.abort(); release(); } };
  h.p = new Promise((granted, failed) => {
    t = setTimeout(() => c.abort(), ms);
    try {
      l.request(name, { signal: c.signal }, () => { got = true; clearTimeout(t); granted(true); return held; })
        .then(null, () => { clearTimeout(t); c.signal.aborted && !over ? failed(1) : granted(false); });
    } catch { clearTimeout(t); granted(false); }
  });
  return h;
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

    /// A request for the Web Lock `name`, waiting at most `ms`: `None` without `navigator.locks`.
    pub(crate) type LockRequest;

    #[wasm_bindgen(js_name = lock)]
    pub(crate) fn request_lock(name: &str, ms: u32) -> Option<LockRequest>;

    /// Resolves to `true` once the lock is held, to `false` when the browser refused the request
    /// (run without the lock); rejects with 1 when the wait ran out.
    #[wasm_bindgen(method, getter, js_name = p)]
    pub(crate) fn outcome(this: &LockRequest) -> js_sys::Promise;

    /// Releases the lock, or gives up the wait (then nothing stays queued, and a grant that comes
    /// anyway is released at once).
    #[wasm_bindgen(method, js_name = r)]
    pub(crate) fn release(this: &LockRequest);
}
