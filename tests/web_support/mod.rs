//! Shared helpers of the browser tests that run against session-server (started by `scripts/test.sh`,
//! its URL baked in at compile time through `SESSION_SERVER_URL`).
#![allow(dead_code)]

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_session_manager::core::crypto::keys::SessionKey;

#[wasm_bindgen(module = "/tests/js/helpers.js")]
extern "C" {
    #[wasm_bindgen(js_name = login)]
    fn js_login(
        base: &str,
        username: &str,
        public_key: &str,
        session_data: JsValue,
    ) -> js_sys::Promise;
    #[wasm_bindgen(js_name = post)]
    fn js_post(base: &str, path: &str, body: JsValue) -> js_sys::Promise;
    #[wasm_bindgen(js_name = rawRefresh)]
    fn js_raw_refresh(base: &str, refresh_token: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = counters)]
    fn js_counters(base: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = resetCounters)]
    fn js_reset_counters(base: &str) -> js_sys::Promise;
    /// Flips one digit of the ECIES mac.
    #[wasm_bindgen(js_name = tamperSessionData)]
    pub fn tamper_session_data(session_data: &str) -> String;
    #[wasm_bindgen(js_name = holdLock)]
    fn js_hold_lock(name: &str, ms: u32) -> js_sys::Promise;
    /// `localStorage.getItem`.
    #[wasm_bindgen(js_name = localGet)]
    pub fn local_get(key: &str) -> Option<String>;
    /// `localStorage.setItem`, as code beside the SDK in this page would write it.
    #[wasm_bindgen(js_name = localSet)]
    pub fn local_set(key: &str, value: &str);
    /// A cookie's decoded value.
    #[wasm_bindgen(js_name = cookieGet)]
    pub fn cookie_get(key: &str) -> Option<String>;
}

#[wasm_bindgen(module = "/tests/js/helpers.js")]
extern "C" {
    #[wasm_bindgen(js_name = errorClasses)]
    fn error_classes() -> js_sys::Object;
    #[wasm_bindgen(js_name = isInstanceOf)]
    fn is_instance_of(value: &JsValue, class: &str) -> bool;
}

/// Registers `AuthError`, `HttpError`, `StorageError` and `CryptoError` (subclasses of `Error`
/// defined like the package entry's) through the wasm export `__registerErrorClasses`, as the npm
/// entry does at start-up. Errors made from then on in this page are instances of them.
pub fn register_error_classes() {
    wasm_session_manager::bindings::errors::register_error_classes(error_classes());
}

/// `err` is a real `Error` named `class` and, for the four registered classes, `instanceof` it;
/// its message is not empty. `TypeError` is checked by name only: the SDK's option errors are not
/// yet `instanceof TypeError` (tests/web_options.rs, `known_reader_bugs`).
pub fn assert_class(err: &JsValue, class: &str) {
    assert!(
        is_instance_of(err, "Error"),
        "not an Error: {}",
        describe(err)
    );
    assert_eq!(get_str(err, "name"), class, "{}", describe(err));
    if class != "TypeError" {
        assert!(
            is_instance_of(err, class),
            "not instanceof {class}: {}",
            describe(err)
        );
    }
    for other in ["AuthError", "HttpError", "StorageError", "CryptoError"] {
        if other != class {
            assert!(!is_instance_of(err, other), "also instanceof {other}");
        }
    }
    assert!(!get_str(err, "message").is_empty(), "no message");
}

/// The server's base URL: `SESSION_SERVER_URL` at build time (scripts/test.sh sets it; see
/// TESTING.md). Without it the test fails rather than talk to whatever listens on a default port.
pub fn server() -> &'static str {
    match option_env!("SESSION_SERVER_URL") {
        Some(url) if !url.is_empty() => url,
        _ => panic!(
            "SESSION_SERVER_URL was not set when this test was built: start a session-server with \
             --test-hooks and export its URL (TESTING.md)"
        ),
    }
}

/// Parses a JSON literal.
pub fn json(s: &str) -> JsValue {
    js_sys::JSON::parse(s).unwrap()
}

/// `obj[key]`.
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap()
}

/// `obj[key]` as a string; anything else (missing, `undefined`, a number…) fails the test, so that a
/// comparison with an expected string can never pass on a field that is not there.
pub fn get_str(obj: &JsValue, key: &str) -> String {
    let value = get(obj, key);
    value
        .as_string()
        .unwrap_or_else(|| panic!("`{key}` is not a string: {value:?} (in {})", describe(obj)))
}

/// `JSON.stringify(value)` for failure messages (or its debug form when it does not stringify).
pub fn describe(value: &JsValue) -> String {
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}

/// A logged-in user: the session key (its id is the session id) and the tokens the server gave.
pub struct Login {
    pub key: SessionKey,
    pub session_id: String,
    pub access_token: String,
    pub refresh_token: String,
    pub id_token: String,
    pub sid: String,
}

/// Logs in through the server with a fresh random secp256k1 session key.
pub async fn login(username: &str, session_data: &str) -> Login {
    let key = SessionKey::generate();
    let answer = JsFuture::from(js_login(
        server(),
        username,
        &key.public_key_hex(),
        json(session_data),
    ))
    .await
    .unwrap_or_else(|e| panic!("login of {username}: {}", describe(&e)));
    Login {
        session_id: key.to_hex(),
        access_token: get_str(&answer, "access_token"),
        refresh_token: get_str(&answer, "refresh_token"),
        id_token: get_str(&answer, "id_token"),
        sid: get_str(&answer, "session_id"),
        key,
    }
}

/// POSTs JSON to a server hook, giving the answer's JSON; a status other than 200 fails the test.
pub async fn post(path: &str, body: &str) -> JsValue {
    JsFuture::from(js_post(server(), path, json(body)))
        .await
        .unwrap_or_else(|e| panic!("POST {path} {body}: {}", describe(&e)))
}

/// A refresh made by hand: `{status, json, text}`.
pub async fn raw_refresh(refresh_token: &str) -> JsValue {
    JsFuture::from(js_raw_refresh(server(), refresh_token))
        .await
        .unwrap_or_else(|e| panic!("POST /v1/auth/session: {}", describe(&e)))
}

/// The server's call counter `name`. A failed `GET /test/counters`, or a counter that is missing or
/// not a whole number, fails the test: it never reads as 0.
pub async fn counter(name: &str) -> u32 {
    let c = JsFuture::from(js_counters(server()))
        .await
        .unwrap_or_else(|e| panic!("GET /test/counters: {}", describe(&e)));
    let value = get(&c, name);
    match value.as_f64() {
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= f64::from(u32::MAX) => n as u32,
        _ => panic!(
            "the server has no counter `{name}` (got {value:?} in {})",
            describe(&c)
        ),
    }
}

/// Resets the server's counters; a failed reset fails the test.
pub async fn reset_counters() {
    JsFuture::from(js_reset_counters(server()))
        .await
        .unwrap_or_else(|e| panic!("POST /test/counters/reset: {}", describe(&e)));
}

/// Holds the Web Lock `name` from plain JS for `ms`; resolves once held.
pub async fn hold_lock(name: &str, ms: u32) {
    JsFuture::from(js_hold_lock(name, ms)).await.unwrap();
}

/// Polls `condition` every 5 ms until it holds. `limit_ms` only ends a test that would otherwise
/// hang: the condition is an event (a state the code under test enters), never a duration.
pub async fn wait_until(what: &str, limit_ms: u32, mut condition: impl FnMut() -> bool) {
    let start = js_sys::Date::now();
    while !condition() {
        if js_sys::Date::now() - start > f64::from(limit_ms) {
            panic!("{what}: not within {limit_ms} ms");
        }
        wasm_session_manager::web::timer::sleep(5).await;
    }
}

/// Awaits a promise.
pub async fn wait(p: js_sys::Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(p).await
}

/// The `code` of a JS error.
pub fn code(err: &JsValue) -> String {
    get_str(err, "code")
}
