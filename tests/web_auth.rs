//! Browser tests of `AuthSessionManager` against session-server (PROTOCOL.md §4–6, issue 4).
#![cfg(target_arch = "wasm32")]

mod web_support;

use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use wasm_session_manager::bindings::auth::AuthSessionManager;
use wasm_session_manager::bindings::storage::MemoryStorage;
use web_support::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/tests/js/helpers.js")]
extern "C" {
    #[wasm_bindgen(js_name = answerNext)]
    fn answer_next(fragment: &str, count: u32, status: u16, headers: &JsValue, body: &str);
    #[wasm_bindgen(js_name = cookieReads)]
    fn cookie_reads() -> u32;
}

fn manager(prefix: &str, extra: &str) -> AuthSessionManager {
    manager_at(server(), prefix, extra)
}

fn manager_at(base: &str, prefix: &str, extra: &str) -> AuthSessionManager {
    let opts = format!(
        r#"{{"apiClientConfig":{{"baseURL":"{base}"{extra}}},"storageKeyPrefix":"{prefix}"}}"#
    );
    AuthSessionManager::new(json(&opts)).unwrap()
}

/// A manager that sends every refresh asked for (`backoff: false`), for tests that chain failures.
fn manager_without_backoff(prefix: &str) -> AuthSessionManager {
    let opts = format!(
        r#"{{"apiClientConfig":{{"baseURL":"{}"}},"storageKeyPrefix":"{prefix}","backoff":false}}"#,
        server()
    );
    AuthSessionManager::new(json(&opts)).unwrap()
}

fn tokens(l: &Login) -> JsValue {
    json(&format!(
        r#"{{"sessionId":"{}","accessToken":"{}","refreshToken":"{}","idToken":"{}"}}"#,
        l.session_id, l.access_token, l.refresh_token, l.id_token
    ))
}

async fn logged_in(prefix: &str, data: &str) -> (AuthSessionManager, Login) {
    let l = login(prefix, data).await;
    let m = manager(prefix, "");
    wait(m.set_tokens(tokens(&l))).await.unwrap();
    (m, l)
}

async fn stored(m: &AuthSessionManager) -> (Option<String>, Option<String>, Option<String>) {
    let s = |v: JsValue| v.as_string();
    (
        s(wait(m.get_session_id()).await.unwrap()),
        s(wait(m.get_access_token()).await.unwrap()),
        s(wait(m.get_refresh_token()).await.unwrap()),
    )
}

#[wasm_bindgen_test]
async fn authorize_returns_the_data_the_server_holds() {
    let (m, _) = logged_in("a1", r#"{"plan":"pro","n":42}"#).await;
    assert!(!m.is_authenticated());
    let data = wait(m.authorize()).await.unwrap();
    assert_eq!(get_str(&data, "plan"), "pro");
    assert_eq!(get(&data, "n").as_f64(), Some(42.0));
    assert!(m.is_authenticated());
    let state = wait(m.get_state()).await.unwrap();
    assert_eq!(get(&state, "isAuthenticated").as_bool(), Some(true));
    assert!(get_str(&state, "sessionId").starts_with("0x"));
}

#[wasm_bindgen_test]
async fn refresh_rotates_and_stores_both_tokens_in_their_default_slots() {
    let (m, l) = logged_in("a2", r#"{"x":1}"#).await;
    // defaults: access token in localStorage, refresh token in a cookie, session id in localStorage
    assert_eq!(
        local_get("a2:access_token").as_deref(),
        Some(l.access_token.as_str())
    );
    assert_eq!(
        cookie_get("a2:refresh_token").as_deref(),
        Some(l.refresh_token.as_str())
    );
    assert_eq!(
        local_get("a2:session_id").as_deref(),
        Some(l.session_id.as_str())
    );
    let reads = cookie_reads();
    let response = wait(m.ensure_refresh(None)).await.unwrap();
    // The refresh token's cookie is read before the request and again before the commit; the
    // answer is what the refresh committed, not a third read (each read is a trip to the browser).
    assert_eq!(cookie_reads() - reads, 2);
    let at = local_get("a2:access_token").unwrap();
    assert_eq!(get_str(&response, "access_token"), at);
    assert!(get_str(&response, "session_data").contains("ephemPublicKey"));
    let rt = cookie_get("a2:refresh_token").unwrap();
    assert_eq!(get_str(&response, "refresh_token"), rt);
    assert_ne!(at, l.access_token, "access token rotated");
    assert_ne!(rt, l.refresh_token, "refresh token rotated");
    assert_eq!(
        stored(&m).await,
        (Some(l.session_id.clone()), Some(at), Some(rt))
    );
}

#[wasm_bindgen_test]
async fn set_tokens_accepts_the_snake_case_keys_of_the_original_readme() {
    let m = manager("a3", "");
    wait(m.set_tokens(json(
        r#"{"session_id":"0xAB","access_token":"at","refresh_token":"","id_token":"it"}"#,
    )))
    .await
    .unwrap();
    let (sid, at, rt) = stored(&m).await;
    assert_eq!(sid, Some(format!("0x{}AB", "0".repeat(62))));
    assert_eq!(at.as_deref(), Some("at"));
    assert_eq!(rt, None, "empty values are not written");
    let err = wait(m.set_tokens(json(r#"{"sessionId":"0xZZ"}"#)))
        .await
        .unwrap_err();
    assert_eq!(get_str(&err, "message"), "Session id must be a hex string");
    wait(m.clear_session_data()).await.unwrap();
    assert_eq!(stored(&m).await, (None, None, None));
}

#[wasm_bindgen_test]
async fn logout_reaches_the_server_and_clears_all_four_slots() {
    let (m, l) = logged_in("a4", r#"{"x":1}"#).await;
    wait(m.authorize()).await.unwrap();
    reset_counters().await;
    wait(m.logout()).await.unwrap();
    assert_eq!(counter("logout").await, 1);
    assert!(!m.is_authenticated());
    for k in ["a4:session_id", "a4:access_token", "a4:id_token"] {
        assert_eq!(local_get(k), None, "{k}");
    }
    assert_eq!(cookie_get("a4:refresh_token"), None);
    // the server revoked the session: the old refresh token is refused
    let again = raw_refresh(&l.refresh_token).await;
    assert_eq!(get(&again, "status").as_f64(), Some(401.0));
}

#[wasm_bindgen_test]
async fn two_managers_sharing_storage_twenty_concurrent_refreshes_one_request() {
    // `ensureRefresh(true)` is the path of 401 retries (the original's `skipIfFresh`); without it the
    // original (and this SDK) always ask the server, because the caller needs session_data.
    let (a, _) = logged_in("w3a", r#"{"x":1}"#).await;
    let b = manager("w3a", "");
    wait(a.authorize()).await.unwrap();
    wait(b.authorize()).await.unwrap();
    reset_counters().await;
    let calls: Vec<js_sys::Promise> = (0..20)
        .map(|i| {
            if i % 2 == 0 {
                a.ensure_refresh(Some(true))
            } else {
                b.ensure_refresh(Some(true))
            }
        })
        .collect();
    let all = js_sys::Promise::all(&calls.iter().collect::<js_sys::Array>());
    wait(all).await.unwrap();
    assert_eq!(
        counter("refresh").await,
        1,
        "one network refresh for 20 callers in two managers"
    );
    assert_eq!(
        stored(&a).await,
        stored(&b).await,
        "both end with the same tokens"
    );
    assert!(a.is_authenticated() && b.is_authenticated());
    wait(a.clear_session_data()).await.unwrap();
}

#[wasm_bindgen_test]
async fn refresh_waits_for_the_lock_held_by_another_script() {
    let (m, _) = logged_in("w3a", r#"{"x":1}"#).await;
    reset_counters().await;
    hold_lock("w3a:session-refresh", 600).await;
    let start = js_sys::Date::now();
    let refresh = m.ensure_refresh(None);
    wasm_session_manager::web::timer::sleep(300).await;
    assert_eq!(
        counter("refresh").await,
        0,
        "no request while another tab holds the lock"
    );
    wait(refresh).await.unwrap();
    assert!(js_sys::Date::now() - start >= 550.0);
    assert_eq!(counter("refresh").await, 1);
    wait(m.clear_session_data()).await.unwrap();
}

/// Injects the answer of the next refresh, runs `authorize()`, and gives its error.
async fn authorize_with_injected(m: &AuthSessionManager, inject: &str) -> JsValue {
    post("/test/next-refresh", inject).await;
    wait(m.authorize()).await.unwrap_err()
}

#[wasm_bindgen_test]
async fn malformed_answers_are_typed_errors_and_keep_the_session() {
    let l = login("a6", r#"{"x":1}"#).await;
    let m = manager_without_backoff("a6");
    wait(m.set_tokens(tokens(&l))).await.unwrap();
    let cases = [
        (
            r#"{"count":1,"status":502,"content_type":"text/html","body":"<html><body>Bad gateway</body></html>"}"#,
            "REFRESH_FAILED",
        ),
        (
            r#"{"count":1,"status":200,"body":"{not json"}"#,
            "REFRESH_FAILED",
        ),
        (
            r#"{"count":1,"status":200,"body":"{\"refresh_token\":\"x\"}"}"#,
            "REFRESH_FAILED",
        ),
        (r#"{"count":1,"status":503,"body":"{}"}"#, "REFRESH_FAILED"),
        (r#"{"count":1,"status":429,"body":"{}"}"#, "REFRESH_FAILED"),
    ];
    for (inject, want) in cases {
        let err = authorize_with_injected(&m, inject).await;
        assert!(err.is_instance_of::<js_sys::Error>());
        assert_eq!(code(&err), want, "{inject}");
        assert_eq!(get_str(&err, "name"), "AuthError");
        assert_eq!(
            stored(&m).await,
            (
                Some(l.session_id.clone()),
                Some(l.access_token.clone()),
                Some(l.refresh_token.clone())
            ),
            "kept after {inject}"
        );
    }
    // and the session still works
    let data = wait(m.authorize()).await.unwrap();
    assert_eq!(get(&data, "x").as_f64(), Some(1.0));
}

#[wasm_bindgen_test]
async fn tampered_session_data_ends_the_session_like_the_original() {
    // PROTOCOL.md §4: a session_data that does not decrypt is terminal: cleared, null (an app
    // written for the original, `if (!(await authorize())) showLogin()`, keeps working).
    let (m, l) = logged_in("a7", r#"{"x":7}"#).await;
    // a real rotation, made by hand, whose session_data is then tampered with in transit
    let real = get(&raw_refresh(&l.refresh_token).await, "json");
    let tampered = tamper_session_data(&get_str(&real, "session_data"));
    let answer = js_sys::Object::new();
    for key in ["access_token", "refresh_token"] {
        js_sys::Reflect::set(&answer, &key.into(), &get_str(&real, key).into()).unwrap();
    }
    js_sys::Reflect::set(&answer, &"session_data".into(), &tampered.into()).unwrap();
    let inject = js_sys::Object::new();
    js_sys::Reflect::set(&inject, &"count".into(), &1.into()).unwrap();
    js_sys::Reflect::set(&inject, &"status".into(), &200.into()).unwrap();
    js_sys::Reflect::set(
        &inject,
        &"body".into(),
        &js_sys::JSON::stringify(&answer).unwrap(),
    )
    .unwrap();
    post(
        "/test/next-refresh",
        &js_sys::JSON::stringify(&inject)
            .unwrap()
            .as_string()
            .unwrap(),
    )
    .await;
    let data = wait(m.authorize()).await.unwrap();
    assert!(data.is_null());
    assert!(!m.is_authenticated());
    assert_eq!(stored(&m).await, (None, None, None));
}

#[wasm_bindgen_test]
async fn network_failure_and_timeout_keep_the_session() {
    let l = login("a8", r#"{"x":1}"#).await;
    // nothing listens on port 9 of loopback
    let offline = manager_at("http://127.0.0.1:9", "a8", "");
    wait(offline.set_tokens(tokens(&l))).await.unwrap();
    let err = wait(offline.authorize()).await.unwrap_err();
    assert_eq!(code(&err), "NETWORK");
    assert_eq!(stored(&offline).await.2, Some(l.refresh_token.clone()));

    let slow = manager("a8", r#","timeout":300"#);
    post("/test/next-refresh", r#"{"count":1,"delay_ms":3000}"#).await;
    let start = js_sys::Date::now();
    let err = wait(slow.authorize()).await.unwrap_err();
    assert!(
        js_sys::Date::now() - start < 2_000.0,
        "aborted at the timeout"
    );
    assert_eq!(code(&err), "NETWORK");
    assert_eq!(
        stored(&slow).await.2,
        Some(l.refresh_token.clone()),
        "kept after a timeout"
    );
}

#[wasm_bindgen_test]
async fn a_session_the_server_ended_is_cleared_and_authorize_gives_null() {
    let (m, l) = logged_in("a9", r#"{"x":1}"#).await;
    post(
        "/v1/auth/logout",
        &format!(r#"{{"refresh_token":"{}"}}"#, l.refresh_token),
    )
    .await;
    let data = wait(m.authorize()).await.unwrap();
    assert!(data.is_null());
    assert!(!m.is_authenticated());
    assert_eq!(stored(&m).await, (None, None, None));
}

#[wasm_bindgen_test]
async fn custom_storage_and_options_errors() {
    let mem = MemoryStorage::new();
    let opts = js_sys::Object::new();
    js_sys::Reflect::set(
        &opts,
        &"apiClientConfig".into(),
        &json(&format!(r#"{{"baseURL":"{}"}}"#, server())),
    )
    .unwrap();
    let storage = js_sys::Object::new();
    js_sys::Reflect::set(&storage, &"refreshToken".into(), &JsValue::from(mem)).unwrap();
    js_sys::Reflect::set(&opts, &"storage".into(), &storage).unwrap();
    js_sys::Reflect::set(&opts, &"storageKeyPrefix".into(), &"a10".into()).unwrap();
    let m = AuthSessionManager::new(opts.into()).unwrap();
    let l = login("a10", r#"{"x":1}"#).await;
    wait(m.set_tokens(tokens(&l))).await.unwrap();
    assert_eq!(
        cookie_get("a10:refresh_token"),
        None,
        "the refresh token went to the memory adapter"
    );
    assert!(wait(m.authorize()).await.is_ok());

    for bad in [
        r#"{"apiClientConfig":{}}"#,
        r#"{"apiClientConfig":{"baseURL":""}}"#,
        r#"{"backoff":"yes"}"#,
        r#"{"autoRefresh":{"leadTimeMs":-1}}"#,
        r#"{"sync":1}"#,
    ] {
        let err = AuthSessionManager::new(json(bad)).unwrap_err();
        assert_eq!(code(&err), "INVALID_OPTION", "{bad}");
    }
    // No apiClientConfig: constructs (as the original), and the API calls reject with the
    // original's AuthError INVALID.
    let no_api = AuthSessionManager::new(json("{}")).unwrap();
    let err = wait(no_api.authorize()).await.unwrap_err();
    assert_eq!(code(&err), "INVALID");
    assert_eq!(get_str(&err, "name"), "AuthError");
    assert_eq!(
        get_str(&err, "message"),
        "apiClientConfig is required for API operations"
    );
    // nothing stored: null, like the original (a first visit is "logged out", not an error)
    let no_session = manager("a11", "");
    assert!(wait(no_session.authorize()).await.unwrap().is_null());
}

#[wasm_bindgen_test]
async fn a_refused_refresh_is_not_sent_again_before_its_retry_after() {
    // A 429 with `Retry-After: 60` from something in front of the server: the browser transport
    // must hand the header to the core, whose backoff then holds the next refresh for 60 s (the
    // policy's own delay is 1 ms here, so without the header the next call would be sent and
    // succeed against the real server).
    let l = login("a12", r#"{"x":1}"#).await;
    let opts = format!(
        r#"{{"apiClientConfig":{{"baseURL":"{}"}},"storageKeyPrefix":"a12","backoff":{{"initialMs":1,"maxMs":1}}}}"#,
        server()
    );
    let m = AuthSessionManager::new(json(&opts)).unwrap();
    wait(m.set_tokens(tokens(&l))).await.unwrap();
    answer_next(
        "/v1/auth/session",
        1,
        429,
        &json(r#"{"Retry-After":"60","Content-Type":"application/json"}"#),
        r#"{"error":"slow_down"}"#,
    );
    let err = wait(m.ensure_refresh(Some(false))).await.unwrap_err();
    assert_eq!(code(&err), "REFRESH_FAILED");
    wasm_session_manager::web::timer::sleep(30).await;
    let err = wait(m.ensure_refresh(Some(false))).await.unwrap_err();
    assert_eq!(
        code(&err),
        "REFRESH_FAILED",
        "held by Retry-After, not sent"
    );
    assert_eq!(
        stored(&m).await.2,
        Some(l.refresh_token.clone()),
        "the session is kept"
    );
}
