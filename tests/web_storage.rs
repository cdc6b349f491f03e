//! Browser tests of the storage adapters (PROTOCOL.md §1–2), through the classes JS sees.
#![cfg(target_arch = "wasm32")]

mod web_support;

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use wasm_session_manager::bindings::storage::{
    adapter_from_js, CookieStorage, LocalStorageAdapter, MemoryStorage, SessionStorageAdapter,
};
use wasm_session_manager::core::storage::StorageAdapter;
use wasm_session_manager::Error;
use web_support::{assert_class, register_error_classes};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/tests/js/helpers.js")]
extern "C" {
    fn syncAdapter() -> JsValue;
    fn asyncAdapter() -> JsValue;
    fn thenableAdapter() -> JsValue;
    fn oddThenAdapter() -> JsValue;
    fn failingAdapter() -> JsValue;
    fn blockLocalStorage();
    fn unblockLocalStorage();
    fn documentCookie() -> String;
    fn storedCookie(name: &str) -> js_sys::Promise;
}

const AWKWARD: [&str; 6] = ["plain", "a;b", "k=v=w", "ünïcødé 😀", "", "  spaced  %20 "];

async fn value(p: js_sys::Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(p).await
}

async fn get(a: &dyn StorageAdapter, k: &str) -> Option<String> {
    a.get(k).await.expect("reads never fail")
}

/// The same contract for every adapter: round trip, overwrite, remove, missing key, awkward values.
async fn check_contract(a: &dyn StorageAdapter, prefix: &str) {
    let key = format!("{prefix}:contract");
    assert_eq!(get(a, &key).await, None, "missing key reads null");
    for v in AWKWARD {
        a.set(&key, v).await.unwrap();
        assert_eq!(
            get(a, &key).await.as_deref(),
            Some(v),
            "round trip of {v:?}"
        );
    }
    a.set(&key, "first").await.unwrap();
    a.set(&key, "second").await.unwrap();
    assert_eq!(get(a, &key).await.as_deref(), Some("second"), "overwrite");
    a.remove(&key).await.unwrap();
    assert_eq!(get(a, &key).await, None, "removed");
    a.remove(&key).await.unwrap();
}

fn adapter(v: JsValue) -> std::rc::Rc<dyn StorageAdapter> {
    adapter_from_js(v, "storage").unwrap()
}

#[wasm_bindgen_test]
async fn memory_storage_contract_and_clear() {
    let m = MemoryStorage::new();
    let js: JsValue = MemoryStorage::new().into();
    check_contract(&*adapter(js), "mem").await;
    value(m.set("a".into(), "1".into())).await.unwrap();
    m.clear();
    assert!(value(m.get("a".into())).await.unwrap().is_null());
}

#[wasm_bindgen_test]
async fn local_and_session_storage_contract() {
    check_contract(&*adapter(LocalStorageAdapter::new().into()), "ls").await;
    check_contract(&*adapter(SessionStorageAdapter::new().into()), "ss").await;
    // values land in the real areas, unencoded
    let ls = LocalStorageAdapter::new();
    value(ls.set("w3a:access_token".into(), "a;b=c".into()))
        .await
        .unwrap();
    let raw = web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item("w3a:access_token")
        .unwrap();
    assert_eq!(raw.as_deref(), Some("a;b=c"));
    value(ls.remove("w3a:access_token".into())).await.unwrap();
}

#[wasm_bindgen_test]
async fn cookie_storage_contract_and_cookie_string() {
    let cookies = CookieStorage::new(None).unwrap();
    check_contract(&*adapter(cookies.into()), "ck").await;

    let c = CookieStorage::new(None).unwrap();
    value(c.set("w3a:refresh_token".into(), "r;t=1 é".into()))
        .await
        .unwrap();
    assert!(
        documentCookie().contains("w3a:refresh_token=r%3Bt%3D1%20%C3%A9"),
        "{}",
        documentCookie()
    );
    let stored = value(storedCookie("w3a:refresh_token"))
        .await
        .unwrap()
        .as_string()
        .unwrap();
    if stored != "null" {
        assert!(
            stored.contains(r#""path":"/""#) && stored.contains(r#""secure":true"#),
            "{stored}"
        );
        assert!(
            stored.contains(r#""sameSite":"strict""#) && stored.contains(r#""session":false"#),
            "{stored}"
        );
    }
    value(c.remove("w3a:refresh_token".into())).await.unwrap();
    assert!(!documentCookie().contains("w3a:refresh_token="));
}

#[wasm_bindgen_test]
async fn cookie_options_are_applied() {
    let opts = js_sys::JSON::parse(r#"{"sameSite":"Lax","maxAge":0,"path":"/"}"#).unwrap();
    let c = CookieStorage::new(Some(opts)).unwrap();
    value(c.set("opt:lax".into(), "v".into())).await.unwrap();
    let stored = value(storedCookie("opt:lax"))
        .await
        .unwrap()
        .as_string()
        .unwrap();
    if stored != "null" {
        assert!(
            stored.contains(r#""sameSite":"lax""#) && stored.contains(r#""session":true"#),
            "{stored}"
        );
    }
    value(c.remove("opt:lax".into())).await.unwrap();
}

/// The `code` of a JS error; a missing code fails the test.
fn code_of(err: &JsValue) -> String {
    js_sys::Reflect::get(err, &"code".into())
        .unwrap()
        .as_string()
        .unwrap_or_else(|| panic!("no code on {err:?}"))
}

#[wasm_bindgen_test]
fn cookie_same_site_none_without_secure_is_rejected() {
    register_error_classes();
    let opts = js_sys::JSON::parse(r#"{"sameSite":"None","secure":false}"#).unwrap();
    let err = CookieStorage::new(Some(opts)).unwrap_err();
    assert_class(&err, "StorageError");
    assert_eq!(code_of(&err), "COOKIE_INSECURE");
    let bad = js_sys::JSON::parse(r#"{"sameSite":"Sometimes"}"#).unwrap();
    assert_eq!(
        code_of(&CookieStorage::new(Some(bad)).unwrap_err()),
        "INVALID_OPTION"
    );
}

#[wasm_bindgen_test]
async fn oversized_cookie_is_a_typed_error_and_keeps_the_old_value() {
    register_error_classes();
    let c = CookieStorage::new(None).unwrap();
    value(c.set("big".into(), "small".into())).await.unwrap();
    let err = value(c.set("big".into(), "x".repeat(5000)))
        .await
        .unwrap_err();
    assert_class(&err, "StorageError");
    assert_eq!(code_of(&err), "COOKIE_TOO_LARGE");
    assert_eq!(
        value(c.get("big".into()))
            .await
            .unwrap()
            .as_string()
            .as_deref(),
        Some("small")
    );
    value(c.remove("big".into())).await.unwrap();
}

#[wasm_bindgen_test]
async fn custom_js_adapters_sync_and_async() {
    check_contract(&*adapter(syncAdapter()), "sync").await;
    check_contract(&*adapter(asyncAdapter()), "async").await;
    let not_adapter = js_sys::Object::new();
    assert!(adapter_from_js(not_adapter.into(), "storage.refreshToken").is_err());
}

/// Polls `fut` once: `Some` with its output if it is done at once.
fn first_poll<T>(fut: impl std::future::Future<Output = T>) -> Option<T> {
    let mut fut = std::pin::pin!(fut);
    let mut cx = std::task::Context::from_waker(futures::task::noop_waker_ref());
    match fut.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(out) => Some(out),
        std::task::Poll::Pending => None,
    }
}

/// An adapter that answers synchronously is taken at once: no promise, no turn of the event loop,
/// so a bounded step starts no timer. Before, each call went through `Promise.resolve` and two
/// closures, and each of a refresh's eight slot reads and writes started and cleared a timer
/// (a refresh through such an adapter took twice as long).
#[wasm_bindgen_test]
async fn a_synchronous_js_adapter_answers_at_the_first_poll() {
    let a = adapter(syncAdapter());
    assert_eq!(first_poll(a.set("now", "v")), Some(Ok(())));
    assert_eq!(first_poll(a.get("now")), Some(Ok(Some("v".to_owned()))));
    assert_eq!(first_poll(a.remove("now")), Some(Ok(())));
    assert_eq!(first_poll(a.get("now")), Some(Ok(None)));
    // A promise, or any thenable, is still awaited.
    let a = adapter(asyncAdapter());
    assert!(first_poll(a.get("now")).is_none());
    let a = adapter(thenableAdapter());
    assert!(first_poll(a.set("later", "w")).is_none());
    check_contract(&*a, "thenable").await;
}

/// A `then` getter that throws is a thenable that rejects (a read that fails reads null); a `then`
/// that is not a function is no thenable: the value itself (not a string: null; a write that
/// answers anything succeeds).
#[wasm_bindgen_test]
async fn odd_then_properties_are_read_as_javascript_reads_them() {
    let a = adapter(oddThenAdapter());
    assert_eq!(a.get("k").await, Ok(None));
    assert_eq!(first_poll(a.set("k", "v")), Some(Ok(())));
    assert_eq!(first_poll(a.remove("k")), Some(Ok(())));
}

#[wasm_bindgen_test]
async fn failing_js_adapter_gives_typed_errors() {
    let a = adapter(failingAdapter());
    assert_eq!(a.get("k").await, Ok(None), "a throwing read reads as null");
    let set = a.set("k", "v").await.unwrap_err();
    assert!(
        matches!(&set, Error::StorageWrite(m) if m.contains("set rejected with a string")),
        "{set:?}"
    );
    assert!(matches!(a.remove("k").await, Err(Error::StorageWrite(_))));
}

#[wasm_bindgen_test]
async fn blocked_local_storage_reads_null_and_write_errors() {
    register_error_classes();
    let ls = LocalStorageAdapter::new();
    blockLocalStorage();
    let read = value(ls.get("k".into())).await;
    let write = value(ls.set("k".into(), "v".into())).await;
    unblockLocalStorage();
    assert!(read.unwrap().is_null());
    let err = write.unwrap_err();
    assert_eq!(code_of(&err), "STORAGE_UNAVAILABLE");
    assert_class(&err, "StorageError");
}

#[wasm_bindgen_test]
async fn quota_exceeded_write_is_a_typed_error() {
    register_error_classes();
    let ls = LocalStorageAdapter::new();
    value(ls.set("quota".into(), "kept".into())).await.unwrap();
    let err = value(ls.set("quota".into(), "x".repeat(12 * 1024 * 1024)))
        .await
        .unwrap_err();
    assert_class(&err, "StorageError");
    assert_eq!(code_of(&err), "STORAGE_WRITE_FAILED");
    let msg = js_sys::Reflect::get(&err, &"message".into())
        .unwrap()
        .as_string()
        .unwrap();
    assert!(msg.contains("QuotaExceededError"), "{msg}");
    assert_eq!(
        value(ls.get("quota".into()))
            .await
            .unwrap()
            .as_string()
            .as_deref(),
        Some("kept")
    );
    value(ls.remove("quota".into())).await.unwrap();
}
