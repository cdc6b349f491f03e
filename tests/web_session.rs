//! Browser tests of the session lifecycle (issue 10): no JS exception crosses the wasm and the
//! manager keeps working after one; `onAuthStateChange` events in order with their payloads; two
//! managers on one page as two tabs (BroadcastChannel sync, logout propagation, no request);
//! `dispose()` leaving no listener or channel behind.
#![cfg(target_arch = "wasm32")]

mod web_support;

use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use wasm_session_manager::bindings::auth::AuthSessionManager;
use wasm_session_manager::bindings::http_client::HttpClient;
use web_support::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/tests/js/helpers.js")]
extern "C" {
    #[wasm_bindgen(js_name = setFetch)]
    fn set_fetch(mode: &str);
    #[wasm_bindgen(js_name = switchableProvider)]
    fn switchable_provider(token: &str) -> JsValue;
    #[wasm_bindgen(js_name = setProviderMode)]
    fn set_provider_mode(mode: JsValue);
    #[wasm_bindgen(js_name = throwingGetter)]
    fn throwing_getter(base: &JsValue, name: &str) -> JsValue;
    #[wasm_bindgen(js_name = oddAdapter)]
    fn odd_adapter() -> JsValue;
    fn recorder() -> JsValue;
    #[wasm_bindgen(js_name = eventNames)]
    fn event_names(rec: &JsValue) -> String;
    #[wasm_bindgen(js_name = lastState)]
    fn last_state(rec: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = badCallbacks)]
    fn bad_callbacks() -> js_sys::Array;
    #[wasm_bindgen(js_name = countListeners)]
    fn count_listeners() -> JsValue;
    #[wasm_bindgen(js_name = spyPosts)]
    fn spy_posts(channel: &str) -> JsValue;
    #[wasm_bindgen(js_name = badUrl)]
    fn bad_url() -> JsValue;
    #[wasm_bindgen(js_name = trapProxy)]
    fn trap_proxy() -> JsValue;
    #[wasm_bindgen(js_name = watchRejections)]
    fn watch_rejections();
    #[wasm_bindgen(js_name = rejectionCount)]
    fn rejection_count() -> u32;
    #[wasm_bindgen(js_name = countAdapterCalls)]
    fn count_adapter_calls(instance: &JsValue) -> JsValue;
}

fn options(prefix: &str, extra: &str) -> JsValue {
    json(&format!(
        r#"{{"apiClientConfig":{{"baseURL":"{}"}},"storageKeyPrefix":"{prefix}"{extra}}}"#,
        server()
    ))
}

fn manager(prefix: &str, extra: &str) -> AuthSessionManager {
    AuthSessionManager::new(options(prefix, extra)).unwrap()
}

fn tokens(l: &Login) -> JsValue {
    json(&format!(
        r#"{{"sessionId":"{}","accessToken":"{}","refreshToken":"{}","idToken":"{}"}}"#,
        l.session_id, l.access_token, l.refresh_token, l.id_token
    ))
}

fn subscribe(m: &AuthSessionManager) -> JsValue {
    let rec = recorder();
    m.on_auth_state_change(get(&rec, "fn")).unwrap();
    rec
}

/// Lets queued tasks, promise jobs and channel messages run.
async fn settle() {
    wasm_session_manager::web::timer::sleep(30).await;
}

// ---------------------------------------------------------------------------------------------
// No JS exception crosses the wasm.

#[wasm_bindgen_test]
async fn a_fetch_wrapper_that_throws_is_a_network_error_and_frees_the_lock() {
    let l = login("x1", r#"{"x":1}"#).await;
    let m = manager("x1", r#","backoff":false"#);
    wait(m.set_tokens(tokens(&l))).await.unwrap();
    for mode in ["throw", "non-response", "reject-string"] {
        set_fetch(mode);
        let result = wait(m.authorize()).await;
        set_fetch("restore");
        let err = result.expect_err(mode);
        assert!(err.is_instance_of::<js_sys::Error>(), "{mode}");
        assert_eq!(code(&err), "NETWORK", "{mode}: {}", describe(&err));
    }
    // The lock was released each time: another "tab" gets it at once, and the manager works.
    hold_lock("x1:session-refresh", 1).await;
    let data = wait(m.authorize()).await.unwrap();
    assert_eq!(get(&data, "x").as_f64(), Some(1.0));
}

#[wasm_bindgen_test]
async fn a_fetch_wrapper_that_never_settles_fails_at_the_request_timeout() {
    let l = login("xh", r#"{"x":12}"#).await;
    let opts = json(&format!(
        r#"{{"apiClientConfig":{{"baseURL":"{}","timeout":300}},"storageKeyPrefix":"xh","backoff":false}}"#,
        server()
    ));
    let m = AuthSessionManager::new(opts).unwrap();
    wait(m.set_tokens(tokens(&l))).await.unwrap();
    set_fetch("hang");
    let start = js_sys::Date::now();
    let result = wait(m.authorize()).await;
    let took = js_sys::Date::now() - start;
    set_fetch("restore");
    let err = result.expect_err("a fetch that never settles");
    assert_eq!(code(&err), "NETWORK", "{}", describe(&err));
    assert!(
        get_str(&err, "message").contains("timed out after 300 ms"),
        "{}",
        describe(&err)
    );
    // Failed at the timeout (timers are never early; how late is load's business), not a second
    // later as a bound of the caller's would.
    assert!(took >= 290.0, "failed after {took} ms, before the timeout");
    // The session was kept, and the manager works once fetch does.
    let data = wait(m.authorize()).await.unwrap();
    assert_eq!(get(&data, "x").as_f64(), Some(12.0));
}

#[wasm_bindgen_test]
async fn a_provider_that_throws_oddities_is_a_typed_error_then_the_manager_works() {
    let l = login("x2", r#"{"x":2}"#).await;
    let opts = options("x2", r#","backoff":false"#);
    js_sys::Reflect::set(
        &opts,
        &"accessTokenProvider".into(),
        &switchable_provider(&l.access_token),
    )
    .unwrap();
    let m = AuthSessionManager::new(opts).unwrap();
    wait(m.set_tokens(tokens(&l))).await.unwrap();
    for mode in [
        "number-name",
        "symbol-message",
        "proxy",
        "bigint",
        "plain string",
    ] {
        set_provider_mode(JsValue::from_str(mode));
        let err = wait(m.authorize()).await.expect_err(mode);
        assert_eq!(code(&err), "INVALID", "{mode}: {}", describe(&err));
        assert_eq!(get_str(&err, "name"), "AuthError");
        assert!(
            get_str(&err, "message").starts_with("accessTokenProvider failed"),
            "{mode}"
        );
    }
    set_provider_mode(JsValue::UNDEFINED);
    let data = wait(m.authorize()).await.unwrap();
    assert_eq!(get(&data, "x").as_f64(), Some(2.0));
}

#[wasm_bindgen_test]
async fn options_with_throwing_getters_and_odd_adapters_are_typed() {
    let base = options("x3", "");
    for name in ["apiClientConfig", "storage", "storageKeyPrefix", "backoff"] {
        let err = AuthSessionManager::new(throwing_getter(&base, name))
            .err()
            .unwrap_or_else(|| panic!("{name}: constructed"));
        assert!(err.is_instance_of::<js_sys::Error>(), "{name}");
        assert_eq!(code(&err), "INVALID_OPTION", "{name}: {}", describe(&err));
    }
    // An adapter that returns numbers and objects reads as null: no panic, no exception.
    let opts = options("x3", "");
    let storage = js_sys::Object::new();
    let adapter = odd_adapter();
    for slot in ["sessionId", "accessToken", "refreshToken", "idToken"] {
        js_sys::Reflect::set(&storage, &slot.into(), &adapter).unwrap();
    }
    js_sys::Reflect::set(&opts, &"storage".into(), &storage).unwrap();
    let m = AuthSessionManager::new(opts).unwrap();
    assert!(wait(m.get_access_token()).await.unwrap().is_null());
    assert!(wait(m.get_id_token()).await.unwrap().is_null());
    assert!(wait(m.authorize()).await.unwrap().is_null());
}

#[wasm_bindgen_test]
async fn http_client_arguments_that_throw_are_typed_and_the_client_keeps_working() {
    let l = login("x9", r#"{"x":9}"#).await;
    let m = manager("x9", "");
    wait(m.set_tokens(tokens(&l))).await.unwrap();
    let client = HttpClient::new(&m);
    let err = wait(client.get(bad_url(), JsValue::UNDEFINED))
        .await
        .unwrap_err();
    assert_eq!(code(&err), "INVALID_OPTION", "{}", describe(&err));
    let url = JsValue::from_str(&format!("{}/v1/me", server()));
    let err = wait(client.get(url.clone(), trap_proxy()))
        .await
        .unwrap_err();
    assert_eq!(code(&err), "INVALID_OPTION", "{}", describe(&err));
    let ok = wait(client.get(url, json(r#"{"authenticated":true}"#)))
        .await
        .unwrap();
    assert!(!ok.is_undefined());
}

// ---------------------------------------------------------------------------------------------
// Events.

#[wasm_bindgen_test]
async fn events_in_order_with_their_payloads_and_bad_listeners_break_nothing() {
    watch_rejections();
    let l = login("x4", r#"{"x":4}"#).await;
    let m = manager("x4", r#","sync":false"#);
    let rec = subscribe(&m);
    for bad in bad_callbacks().iter() {
        m.on_auth_state_change(bad).unwrap();
    }
    let unsubscribed = recorder();
    let off = m.on_auth_state_change(get(&unsubscribed, "fn")).unwrap();
    off.unchecked_ref::<js_sys::Function>()
        .call0(&JsValue::UNDEFINED)
        .unwrap();
    wait(m.set_tokens(tokens(&l))).await.unwrap();
    let state = last_state(&rec);
    assert_eq!(get_str(&state, "0"), "SIGNED_IN");
    assert_eq!(get(&state, "1").as_bool(), Some(false), "local");
    assert_eq!(
        get(&state, "2").as_bool(),
        Some(false),
        "not yet authorized"
    );
    assert_eq!(get_str(&state, "3"), l.session_id);
    wait(m.authorize()).await.unwrap();
    assert_eq!(get(&last_state(&rec), "2").as_bool(), Some(true));
    wait(m.logout()).await.unwrap();
    settle().await;
    assert_eq!(event_names(&rec), "SIGNED_IN,TOKEN_REFRESHED,SIGNED_OUT");
    assert_eq!(event_names(&unsubscribed), "", "unsubscribed");
    assert_eq!(
        rejection_count(),
        0,
        "a rejecting listener is not an unhandled rejection"
    );
    assert!(m.on_auth_state_change(JsValue::from(3)).is_err());
}

#[wasm_bindgen_test]
async fn a_terminal_answer_is_session_expired() {
    let l = login("x5", r#"{"x":5}"#).await;
    let m = manager("x5", r#","sync":false"#);
    let rec = subscribe(&m);
    wait(m.set_tokens(tokens(&l))).await.unwrap();
    post(
        "/v1/auth/logout",
        &format!(r#"{{"refresh_token":"{}"}}"#, l.refresh_token),
    )
    .await;
    assert!(wait(m.authorize()).await.unwrap().is_null());
    assert_eq!(event_names(&rec), "SIGNED_IN,SESSION_EXPIRED");
}

// ---------------------------------------------------------------------------------------------
// Two managers on one page, as two tabs.

#[wasm_bindgen_test]
async fn two_tabs_stay_in_step_without_requests() {
    let l = login("x6", r#"{"x":6}"#).await;
    let (a, b) = (manager("x6", ""), manager("x6", ""));
    let (ra, rb) = (subscribe(&a), subscribe(&b));
    wait(a.set_tokens(tokens(&l))).await.unwrap();
    reset_counters().await;
    wait(a.authorize()).await.unwrap();
    wait_until("B hears of the refresh", 2_000, || b.is_authenticated()).await;
    assert_eq!(counter("refresh").await, 1, "B followed without a request");
    let at = wait(a.get_access_token()).await.unwrap();
    assert_eq!(wait(b.get_access_token()).await.unwrap(), at);
    // Logout in B: A is signed out within a second, with no request of its own.
    wait(b.logout()).await.unwrap();
    wait_until("A hears of the logout", 1_000, || !a.is_authenticated()).await;
    assert_eq!(counter("refresh").await, 1);
    assert_eq!(counter("logout").await, 1);
    assert!(wait(a.get_refresh_token()).await.unwrap().is_null());
    settle().await;
    assert_eq!(
        event_names(&ra),
        "SIGNED_IN,TOKEN_REFRESHED,SIGNED_OUT@remote"
    );
    assert_eq!(
        event_names(&rb),
        "SIGNED_IN@remote,TOKEN_REFRESHED@remote,SIGNED_OUT"
    );
    a.dispose();
    b.dispose();
}

fn posted(spy: &JsValue, text: &str) -> bool {
    let has = get(spy, "has");
    has.unchecked_ref::<js_sys::Function>()
        .call1(spy, &text.into())
        .unwrap()
        .is_truthy()
}

#[wasm_bindgen_test]
async fn a_tab_alone_posts_no_refresh_news_and_posts_it_once_another_tab_is_heard() {
    let l = login("xp", r#"{"x":11}"#).await;
    let spy = spy_posts("xp:session-sync");
    let a = manager("xp", "");
    wait(a.set_tokens(tokens(&l))).await.unwrap();
    wait(a.authorize()).await.unwrap();
    settle().await;
    assert!(posted(&spy, "hello"), "a new channel says hello");
    assert!(
        posted(&spy, "changed:SIGNED_IN"),
        "a sign-in is always posted"
    );
    assert!(
        !posted(&spy, "changed:TOKEN_REFRESHED") && !posted(&spy, "rotated:"),
        "nobody else is listening: {:?}",
        get(&spy, "texts")
    );
    // A second tab says hello, A answers here; from then on A's refreshes reach it.
    let b = manager("xp", "");
    let rb = subscribe(&b);
    wait_until("A answers B's hello", 2_000, || posted(&spy, "here")).await;
    wait(a.authorize()).await.unwrap();
    assert!(
        posted(&spy, "rotated:"),
        "the refresh news names the rotated token"
    );
    wait_until("B hears of the refresh", 2_000, || {
        event_names(&rb).contains("TOKEN_REFRESHED@remote")
    })
    .await;
    let at = wait(a.get_access_token()).await.unwrap();
    assert_eq!(wait(b.get_access_token()).await.unwrap(), at);
    js_sys::Reflect::get(&spy, &"restore".into())
        .unwrap()
        .unchecked_ref::<js_sys::Function>()
        .call0(&spy)
        .unwrap();
    a.dispose();
    b.dispose();
}

#[wasm_bindgen_test]
async fn get_access_token_answers_from_memory_only_where_the_sync_keeps_it_current() {
    let l = login("x9", r#"{"x":9}"#).await;
    let synced = manager("x9", "");
    let unsynced = manager("x9", r#","sync":false"#);
    wait(synced.set_tokens(tokens(&l))).await.unwrap();
    let s = |v: JsValue| v.as_string();
    assert_eq!(
        s(wait(synced.get_access_token()).await.unwrap()),
        Some(l.access_token.clone())
    );
    assert_eq!(
        s(wait(unsynced.get_access_token()).await.unwrap()),
        Some(l.access_token.clone())
    );
    // Code beside the SDK in this page writes the slot: no `storage` event fires in this page, so
    // the synced manager keeps answering with the token it holds (as the original does), while
    // the manager without sync reads the slot on every call.
    local_set("x9:access_token", "written-beside-the-sdk");
    assert_eq!(
        s(wait(synced.get_access_token()).await.unwrap()),
        Some(l.access_token.clone())
    );
    assert_eq!(
        s(wait(unsynced.get_access_token()).await.unwrap()).as_deref(),
        Some("written-beside-the-sdk")
    );
    // A refresh by another manager reaches the synced one through the channel.
    local_set("x9:access_token", &l.access_token);
    let other = manager("x9", "");
    wait(other.authorize()).await.unwrap();
    let rotated = s(wait(other.get_access_token()).await.unwrap()).unwrap();
    assert_ne!(rotated, l.access_token);
    wait_until("the synced manager hears of the refresh", 2_000, || {
        synced.core().state().access_token.as_deref() == Some(rotated.as_str())
    })
    .await;
    assert_eq!(
        s(wait(synced.get_access_token()).await.unwrap()),
        Some(rotated.clone())
    );
    // So does a logout.
    wait(other.logout()).await.unwrap();
    wait_until("the synced manager hears of the logout", 2_000, || {
        !synced.is_authenticated() && synced.core().state().access_token.is_none()
    })
    .await;
    assert!(wait(synced.get_access_token()).await.unwrap().is_null());
}

/// `storage: { … }` given the package's own adapters (as the original's docs show), the manager uses
/// their core adapters directly: no call through JS (and no promise) per slot read or write. An
/// adapter the app changed (its own `get`) is still called through its methods.
#[wasm_bindgen_test]
async fn the_packages_own_adapters_in_storage_options_are_used_directly() {
    use wasm_session_manager::bindings::storage::MemoryStorage;
    let with_storage = |adapter: &JsValue| {
        let opts = options("x10", "");
        let storage = js_sys::Object::new();
        for slot in ["sessionId", "accessToken", "refreshToken", "idToken"] {
            js_sys::Reflect::set(&storage, &slot.into(), adapter).unwrap();
        }
        js_sys::Reflect::set(&opts, &"storage".into(), &storage).unwrap();
        AuthSessionManager::new(opts).unwrap()
    };
    let l = login("x10", r#"{"x":10}"#).await;
    let ours = JsValue::from(MemoryStorage::new());
    let calls = count_adapter_calls(&ours);
    let m = with_storage(&ours);
    wait(m.set_tokens(tokens(&l))).await.unwrap();
    let data = wait(m.authorize()).await.unwrap();
    assert_eq!(js_sys::JSON::stringify(&data).unwrap(), r#"{"x":10}"#);
    assert!(wait(m.get_access_token()).await.unwrap().is_string());
    let n = |calls: &JsValue| get(calls, "n").as_f64().unwrap();
    assert_eq!(n(&calls), 0.0, "the manager called the adapter through JS");
    // What the manager wrote is in that adapter.
    let stored = wait(
        get(&ours, "get")
            .unchecked_into::<js_sys::Function>()
            .call1(&ours, &"x10:refresh_token".into())
            .unwrap()
            .unchecked_into(),
    )
    .await
    .unwrap();
    assert!(stored
        .as_string()
        .is_some_and(|t| !t.is_empty() && t != l.refresh_token));
    // An instance with its own `get` goes through its methods.
    let changed = JsValue::from(MemoryStorage::new());
    get(&calls, "ownGet")
        .unchecked_into::<js_sys::Function>()
        .call1(&JsValue::NULL, &changed)
        .unwrap();
    let before = n(&calls);
    let m2 = with_storage(&changed);
    wait(m2.set_tokens(tokens(&l))).await.unwrap();
    assert!(wait(m2.get_access_token()).await.unwrap().is_string());
    assert!(
        n(&calls) > before,
        "an adapter with its own get was bypassed"
    );
    get(&calls, "restore")
        .unchecked_into::<js_sys::Function>()
        .call0(&JsValue::NULL)
        .unwrap();
    m.dispose();
    m2.dispose();
}

#[wasm_bindgen_test]
async fn logout_in_one_tab_while_the_other_refreshes_sticks() {
    // The server rotates and holds its answer for 400 ms; the other tab logs out meanwhile.
    let l = login("x7", r#"{"x":7}"#).await;
    let (a, b) = (manager("x7", ""), manager("x7", ""));
    wait(a.set_tokens(tokens(&l))).await.unwrap();
    post("/test/next-refresh", r#"{"count":1,"after_delay_ms":400}"#).await;
    reset_counters().await;
    let authorize = a.authorize();
    wait_until_counter("refresh", 1).await;
    wait(b.logout()).await.unwrap();
    let result = wait(authorize).await.unwrap();
    assert!(result.is_null(), "A's authorize gives null");
    wasm_session_manager::web::timer::sleep(600).await;
    assert!(!a.is_authenticated() && !b.is_authenticated());
    for slot in ["session_id", "access_token", "id_token"] {
        assert_eq!(local_get(&format!("x7:{slot}")), None, "{slot}");
    }
    assert_eq!(cookie_get("x7:refresh_token"), None);
    a.dispose();
    b.dispose();
}

async fn wait_until_counter(name: &str, at_least: u32) {
    let start = js_sys::Date::now();
    while counter(name).await < at_least {
        assert!(
            js_sys::Date::now() - start < 5_000.0,
            "{name} never reached {at_least}"
        );
        wasm_session_manager::web::timer::sleep(10).await;
    }
}

// ---------------------------------------------------------------------------------------------
// dispose()

#[wasm_bindgen_test]
async fn dispose_removes_every_listener_and_closes_the_channel() {
    let counts = count_listeners();
    let m = manager("x8", r#","autoRefresh":true"#);
    let added = get(&counts, "added").as_f64().unwrap();
    assert!(added >= 5.0, "channel + page wake-ups: {added}");
    assert_eq!(get(&counts, "opened").as_f64(), Some(1.0));
    m.dispose();
    js_sys::Reflect::get(&counts, &"restore".into())
        .unwrap()
        .unchecked_ref::<js_sys::Function>()
        .call0(&counts)
        .unwrap();
    assert_eq!(get(&counts, "removed").as_f64(), Some(added));
    assert_eq!(get(&counts, "closed").as_f64(), Some(1.0));
    let err = wait(m.authorize()).await.unwrap_err();
    assert_eq!(code(&err), "INVALID");
    assert_eq!(
        get_str(&err, "message"),
        "this AuthSessionManager was disposed"
    );
}
