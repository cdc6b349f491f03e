//! Table tests of the option readers that ship (`bindings::options` and the readers of
//! `bindings/auth.rs`, `http_client.rs`, `storage.rs`, `storage_manager.rs`), driven with real JS
//! values through the exported classes, the way an app calls them: every alias, wrong types,
//! null/undefined, extra fields, getters (also ones that throw), Map/Headers/array headers, BigInt and
//! float numbers. Where the read value is observable, the test observes it: the storage key written,
//! the URL and headers a request carried, the exact `document.cookie` string, the getters of
//! `StorageManager`.
//!
//! Needs session-server with `--test-hooks` (see TESTING.md) for the request cases.
#![cfg(target_arch = "wasm32")]

mod web_support;

use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use wasm_session_manager::bindings::auth::AuthSessionManager;
use wasm_session_manager::bindings::http_client::HttpClient;
use wasm_session_manager::bindings::storage::CookieStorage;
use wasm_session_manager::bindings::storage_manager::StorageManager;
use web_support::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/tests/js/helpers.js")]
extern "C" {
    #[wasm_bindgen(js_name = tryConstruct)]
    fn try_construct(instance: &JsValue, arg: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = tryCall)]
    fn js_try_call(target: &JsValue, method: &str, args: &js_sys::Array) -> js_sys::Promise;
    #[wasm_bindgen(js_name = throwingGetter)]
    fn throwing_getter(fields: &JsValue, key: &str) -> JsValue;
    #[wasm_bindgen(js_name = getterOf)]
    fn getter_of(fields: &JsValue, key: &str, value: &JsValue) -> JsValue;
    fn inherited(fields: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = withField)]
    fn with_field(fields: &JsValue, key: &str, value: &JsValue) -> JsValue;
    fn bigint(text: &str) -> JsValue;
    fn symbol() -> JsValue;
    fn func() -> JsValue;
    #[wasm_bindgen(js_name = mapOf)]
    fn map_of(pairs: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = headersOf)]
    fn headers_of(pairs: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = recordCookieWrites)]
    fn record_cookie_writes();
    #[wasm_bindgen(js_name = cookieLog)]
    fn cookie_log() -> js_sys::Array;
}

#[wasm_bindgen(module = "/tests/js/helpers.js")]
extern "C" {
    #[wasm_bindgen(js_name = recordFetches)]
    fn record_fetches();
    #[wasm_bindgen(js_name = fetchLog)]
    fn js_fetch_log(fragment: &str) -> js_sys::Promise;
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// `{ value }` / `{ error }` of the JS helpers as a Result.
fn outcome(r: &JsValue) -> Result<JsValue, JsValue> {
    if js_sys::Reflect::has(r, &"error".into()).unwrap() {
        Err(get(r, "error"))
    } else {
        Ok(get(r, "value"))
    }
}

/// `new Class(arg)` from JS, `Class` being `instance`'s class.
fn construct(instance: &JsValue, arg: &JsValue) -> Result<JsValue, JsValue> {
    outcome(&try_construct(instance, arg))
}

/// `target[method](...args)` from JS, awaited.
async fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let args: js_sys::Array = args.iter().collect();
    outcome(&wait(js_try_call(target, method, &args)).await.unwrap())
}

/// A real `Error` named `TypeError` with `code`, whose message names `field`.
fn assert_type_error(result: Result<JsValue, JsValue>, code_wanted: &str, field: &str, case: &str) {
    let err = match result {
        Ok(v) => panic!("{case}: accepted ({})", describe(&v)),
        Err(e) => e,
    };
    assert!(
        err.is_instance_of::<js_sys::Error>(),
        "{case}: not an Error: {}",
        describe(&err)
    );
    assert_eq!(get_str(&err, "name"), "TypeError", "{case}");
    assert_eq!(code(&err), code_wanted, "{case}");
    let message = get_str(&err, "message");
    assert!(
        message.contains(field),
        "{case}: the message {message:?} does not name {field}"
    );
}

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        js_sys::Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

fn n(v: f64) -> JsValue {
    JsValue::from_f64(v)
}

/// An AuthSessionManager instance, for its class (`new instance.constructor(options)` in JS).
fn auth_instance() -> JsValue {
    AuthSessionManager::new(json(&format!(
        r#"{{"apiClientConfig":{{"baseURL":"{}"}}}}"#,
        server()
    )))
    .unwrap()
    .into()
}

fn api(fields: &[(&str, JsValue)]) -> JsValue {
    obj(&[("apiClientConfig", obj(fields))])
}

fn base_url() -> (&'static str, JsValue) {
    ("baseURL", s(server()))
}

/// A valid session id (the key of secp256k1 scalar 1, padded).
const SESSION_ID: &str = "0x0000000000000000000000000000000000000000000000000000000000000001";

// ---------------------------------------------------------------------------------------------
// AuthSessionManager: which option objects construct

#[wasm_bindgen_test]
fn auth_session_manager_accepts() {
    let class = auth_instance();
    let with_config = |extra: JsValue| {
        let o = api(&[base_url()]);
        for key in js_sys::Object::keys(extra.unchecked_ref::<js_sys::Object>()).iter() {
            let key = key.as_string().unwrap();
            let value = get(&extra, &key);
            js_sys::Reflect::set(&get(&o, "apiClientConfig"), &s(&key), &value).unwrap();
        }
        o
    };
    let top = |pairs: &[(&str, JsValue)]| {
        let mut all = vec![("apiClientConfig", obj(&[base_url()]))];
        all.extend(pairs.iter().cloned());
        obj(&all)
    };
    let cases: Vec<(&str, JsValue)> = vec![
        // No apiClientConfig: constructed as by the original; API calls reject (see below).
        ("undefined", JsValue::UNDEFINED),
        ("null", JsValue::NULL),
        ("no apiClientConfig", obj(&[])),
        (
            "apiClientConfig null",
            obj(&[("apiClientConfig", JsValue::NULL)]),
        ),
        ("baseURL", api(&[base_url()])),
        ("baseUrl alias", api(&[("baseUrl", s(server()))])),
        (
            "endpoints",
            with_config(obj(&[
                ("sessionsEndpoint", s("/s")),
                ("logoutEndpoint", s("/l")),
            ])),
        ),
        ("timeout", with_config(obj(&[("timeout", n(5000.0))]))),
        (
            "timeoutMs alias",
            with_config(obj(&[("timeoutMs", n(5000.0))])),
        ),
        ("timeout 0", with_config(obj(&[("timeout", n(0.0))]))),
        (
            "timeout null",
            with_config(obj(&[("timeout", JsValue::NULL)])),
        ),
        (
            "timeout undefined",
            with_config(obj(&[("timeout", JsValue::UNDEFINED)])),
        ),
        (
            "prefix and lock wait inside apiClientConfig",
            with_config(obj(&[
                ("storageKeyPrefix", s("p")),
                ("lockWaitMs", n(100.0)),
            ])),
        ),
        (
            "extra fields everywhere",
            obj(&[
                ("apiClientConfig", obj(&[base_url(), ("extra", n(1.0))])),
                ("somethingElse", JsValue::TRUE),
            ]),
        ),
        (
            "a getter for baseURL",
            obj(&[(
                "apiClientConfig",
                getter_of(&obj(&[]), "baseURL", &s(server())),
            )]),
        ),
        (
            "apiClientConfig fields on its prototype",
            obj(&[("apiClientConfig", inherited(&obj(&[base_url()])))]),
        ),
        (
            "top-level prefix and lock wait null",
            obj(&[
                ("apiClientConfig", obj(&[base_url()])),
                ("storageKeyPrefix", JsValue::NULL),
                ("lockWaitMs", JsValue::NULL),
            ]),
        ),
        (
            "storage, cookieOptions, accessTokenProvider",
            obj(&[
                ("apiClientConfig", obj(&[base_url()])),
                ("storage", obj(&[])),
                ("cookieOptions", JsValue::NULL),
                ("accessTokenProvider", func()),
            ]),
        ),
        (
            "storage null",
            obj(&[
                ("apiClientConfig", obj(&[base_url()])),
                ("storage", JsValue::NULL),
            ]),
        ),
        ("backoff true", top(&[("backoff", JsValue::TRUE)])),
        ("backoff false", top(&[("backoff", JsValue::FALSE)])),
        ("backoff null", top(&[("backoff", JsValue::NULL)])),
        (
            "backoff fields",
            top(&[(
                "backoff",
                json(r#"{"initialMs":100,"maxMs":1000,"coolDownAfter":3,"coolDownMs":5000,"x":1}"#),
            )]),
        ),
        ("backoff empty", top(&[("backoff", obj(&[]))])),
        ("autoRefresh true", top(&[("autoRefresh", JsValue::TRUE)])),
        ("autoRefresh false", top(&[("autoRefresh", JsValue::FALSE)])),
        (
            "autoRefresh leadTimeMs",
            top(&[("autoRefresh", json(r#"{"leadTimeMs":5000}"#))]),
        ),
        ("autoRefresh empty", top(&[("autoRefresh", obj(&[]))])),
        ("sync false", top(&[("sync", JsValue::FALSE)])),
        ("sync null", top(&[("sync", JsValue::NULL)])),
    ];
    for (case, options) in cases {
        if let Err(e) = construct(&class, &options) {
            panic!("{case}: {} for {}", describe(&e), describe(&options));
        }
    }
}

#[wasm_bindgen_test]
fn auth_session_manager_refuses() {
    let class = auth_instance();
    let config = |pairs: &[(&str, JsValue)]| {
        let mut all = vec![base_url()];
        all.extend(pairs.iter().cloned());
        api(&all)
    };
    let top = |pairs: &[(&str, JsValue)]| {
        let mut all = vec![("apiClientConfig", obj(&[base_url()]))];
        all.extend(pairs.iter().cloned());
        obj(&all)
    };
    let cases: Vec<(&str, JsValue, &str)> = vec![
        ("backoff a string", top(&[("backoff", s("on"))]), "backoff"),
        ("backoff 1", top(&[("backoff", n(1.0))]), "backoff"),
        (
            "backoff.initialMs a float",
            top(&[("backoff", json(r#"{"initialMs":1.5}"#))]),
            "initialMs",
        ),
        (
            "backoff.maxMs negative",
            top(&[("backoff", json(r#"{"maxMs":-1}"#))]),
            "maxMs",
        ),
        (
            "backoff.coolDownAfter a string",
            top(&[("backoff", json(r#"{"coolDownAfter":"3"}"#))]),
            "coolDownAfter",
        ),
        (
            "backoff.coolDownMs a BigInt",
            top(&[("backoff", obj(&[("coolDownMs", bigint("5"))]))]),
            "coolDownMs",
        ),
        (
            "autoRefresh a number",
            top(&[("autoRefresh", n(60_000.0))]),
            "autoRefresh",
        ),
        (
            "autoRefresh.leadTimeMs a string",
            top(&[("autoRefresh", json(r#"{"leadTimeMs":"5"}"#))]),
            "leadTimeMs",
        ),
        ("sync a string", top(&[("sync", s("yes"))]), "sync"),
        ("sync 0", top(&[("sync", n(0.0))]), "sync"),
        (
            "apiClientConfig a string",
            obj(&[("apiClientConfig", s(server()))]),
            "apiClientConfig",
        ),
        ("no baseURL", api(&[]), "baseURL"),
        ("baseURL a number", api(&[("baseURL", n(1.0))]), "baseURL"),
        (
            "baseURL null",
            api(&[("baseURL", JsValue::NULL)]),
            "baseURL",
        ),
        ("baseURL empty", api(&[("baseURL", s(""))]), "baseURL"),
        (
            "baseURL and baseUrl",
            api(&[base_url(), ("baseUrl", s(server()))]),
            "baseURL",
        ),
        (
            "baseURL getter throws",
            obj(&[("apiClientConfig", throwing_getter(&obj(&[]), "baseURL"))]),
            "baseURL",
        ),
        (
            "timeout a string",
            config(&[("timeout", s("5000"))]),
            "timeout",
        ),
        (
            "timeout negative",
            config(&[("timeout", n(-1.0))]),
            "timeout",
        ),
        ("timeout a float", config(&[("timeout", n(1.5))]), "timeout"),
        (
            "timeout NaN",
            config(&[("timeout", n(f64::NAN))]),
            "timeout",
        ),
        (
            "timeout over u32",
            config(&[("timeout", n(4_294_967_296.0))]),
            "timeout",
        ),
        (
            "timeout a BigInt",
            config(&[("timeout", bigint("5000"))]),
            "timeout",
        ),
        (
            "timeout and timeoutMs",
            config(&[("timeout", n(1.0)), ("timeoutMs", n(1.0))]),
            "timeout",
        ),
        (
            "sessionsEndpoint a number",
            config(&[("sessionsEndpoint", n(5.0))]),
            "sessionsEndpoint",
        ),
        (
            "logoutEndpoint a boolean",
            config(&[("logoutEndpoint", JsValue::TRUE)]),
            "logoutEndpoint",
        ),
        (
            "lockWaitMs a string inside apiClientConfig",
            config(&[("lockWaitMs", s("100"))]),
            "lockWaitMs",
        ),
        (
            "storageKeyPrefix a number",
            obj(&[
                ("apiClientConfig", obj(&[base_url()])),
                ("storageKeyPrefix", n(1.0)),
            ]),
            "storageKeyPrefix",
        ),
        (
            "lockWaitMs a string",
            obj(&[
                ("apiClientConfig", obj(&[base_url()])),
                ("lockWaitMs", s("100")),
            ]),
            "lockWaitMs",
        ),
        (
            "accessTokenProvider not a function",
            obj(&[
                ("apiClientConfig", obj(&[base_url()])),
                ("accessTokenProvider", s("token")),
            ]),
            "accessTokenProvider",
        ),
        (
            "a storage slot without get/set/remove",
            obj(&[
                ("apiClientConfig", obj(&[base_url()])),
                ("storage", obj(&[("refreshToken", obj(&[("get", func())]))])),
            ]),
            "storage.refreshToken",
        ),
        (
            "cookieOptions a string",
            obj(&[
                ("apiClientConfig", obj(&[base_url()])),
                ("cookieOptions", s("Strict")),
            ]),
            "cookieOptions",
        ),
    ];
    for (case, options, field) in cases {
        assert_type_error(construct(&class, &options), "INVALID_OPTION", field, case);
    }
}

// ---------------------------------------------------------------------------------------------
// AuthSessionManager: what the read options do

#[wasm_bindgen_test]
async fn without_api_client_config_api_calls_reject_like_the_original() {
    register_error_classes();
    let m = construct(&auth_instance(), &obj(&[("storageKeyPrefix", s("noapi"))])).unwrap();
    call(
        &m,
        "setTokens",
        &[obj(&[
            ("sessionId", s(SESSION_ID)),
            ("refreshToken", s("rt-noapi")),
        ])],
    )
    .await
    .unwrap();
    // The original's own error: AuthError INVALID "apiClientConfig is required for API operations".
    let err = call(&m, "authorize", &[]).await.unwrap_err();
    assert_class(&err, "AuthError");
    assert_eq!(code(&err), "INVALID");
    assert_eq!(
        get_str(&err, "message"),
        "apiClientConfig is required for API operations"
    );
}

#[wasm_bindgen_test]
async fn storage_key_prefix_from_either_place_names_the_keys() {
    let class = auth_instance();
    for (case, options, prefix) in [
        (
            "top level",
            obj(&[
                ("apiClientConfig", obj(&[base_url()])),
                ("storageKeyPrefix", s("opt1")),
            ]),
            "opt1",
        ),
        (
            "inside apiClientConfig",
            api(&[base_url(), ("storageKeyPrefix", s("opt2"))]),
            "opt2",
        ),
        (
            "top level wins",
            obj(&[
                (
                    "apiClientConfig",
                    obj(&[base_url(), ("storageKeyPrefix", s("opt3-inner"))]),
                ),
                ("storageKeyPrefix", s("opt3")),
            ]),
            "opt3",
        ),
    ] {
        let m = construct(&class, &options).unwrap();
        call(
            &m,
            "setTokens",
            &[obj(&[("sessionId", s(SESSION_ID)), ("idToken", s(case))])],
        )
        .await
        .unwrap();
        assert_eq!(
            local_get(&format!("{prefix}:session_id")).as_deref(),
            Some(SESSION_ID),
            "{case}"
        );
        assert_eq!(
            local_get(&format!("{prefix}:id_token")).as_deref(),
            Some(case)
        );
    }
    assert_eq!(local_get("opt3-inner:session_id"), None);
}

#[wasm_bindgen_test]
async fn set_tokens_keys_and_values() {
    let class = auth_instance();
    let make = |prefix: &str| {
        construct(
            &class,
            &obj(&[
                ("apiClientConfig", obj(&[base_url()])),
                ("storageKeyPrefix", s(prefix)),
            ]),
        )
        .unwrap()
    };
    let stored = |prefix: &str| {
        [
            local_get(&format!("{prefix}:session_id")),
            local_get(&format!("{prefix}:access_token")),
            local_get(&format!("{prefix}:id_token")),
        ]
    };
    let id = |s: &str| Some(s.to_owned());

    // camelCase and snake_case, one each
    let m = make("tok1");
    call(
        &m,
        "setTokens",
        &[obj(&[
            ("session_id", s(SESSION_ID)),
            ("access_token", s("at-snake")),
            ("refresh_token", s("rt-snake")),
            ("id_token", s("it-snake")),
            ("extra", n(1.0)),
        ])],
    )
    .await
    .unwrap();
    assert_eq!(
        stored("tok1"),
        [id(SESSION_ID), id("at-snake"), id("it-snake")]
    );
    assert_eq!(cookie_get("tok1:refresh_token"), id("rt-snake"));
    let m = make("tok2");
    let camel = getter_of(
        &obj(&[
            ("sessionId", s(SESSION_ID)),
            ("accessToken", s("at-camel")),
            ("refreshToken", s("rt-camel")),
        ]),
        "idToken",
        &s("it-getter"),
    );
    call(&m, "setTokens", &[camel]).await.unwrap();
    assert_eq!(
        stored("tok2"),
        [id(SESSION_ID), id("at-camel"), id("it-getter")]
    );
    assert_eq!(cookie_get("tok2:refresh_token"), id("rt-camel"));

    // null, undefined and "" are "not given": nothing written, nothing removed
    let m = make("tok3");
    call(
        &m,
        "setTokens",
        &[obj(&[
            ("sessionId", s(SESSION_ID)),
            ("accessToken", s("at-1")),
        ])],
    )
    .await
    .unwrap();
    call(
        &m,
        "setTokens",
        &[obj(&[
            ("sessionId", JsValue::NULL),
            ("accessToken", JsValue::UNDEFINED),
            ("idToken", s("")),
        ])],
    )
    .await
    .unwrap();
    assert_eq!(stored("tok3"), [id(SESSION_ID), id("at-1"), None]);

    // refused, and nothing written
    let m = make("tok4");
    for (case, tokens, field) in [
        ("not an object", s("tokens"), "setTokens"),
        ("null", JsValue::NULL, "setTokens"),
        (
            "both spellings",
            obj(&[("sessionId", s(SESSION_ID)), ("session_id", s(SESSION_ID))]),
            "sessionId",
        ),
        ("a number", obj(&[("accessToken", n(5.0))]), "accessToken"),
        (
            "a getter that throws",
            throwing_getter(&obj(&[]), "refreshToken"),
            "refreshToken",
        ),
    ] {
        let r = call(&m, "setTokens", &[tokens]).await;
        assert_type_error(r, "INVALID_OPTION", field, case);
    }
    assert_eq!(stored("tok4"), [None, None, None]);
    assert_eq!(cookie_get("tok4:refresh_token"), None);

    // a session id that is not hex: the original's message
    let r = call(&m, "setTokens", &[obj(&[("sessionId", s("0xnothex"))])]).await;
    assert_type_error(r, "INVALID_SESSION_ID", "hex", "session id not hex");
}

/// Sets a session id and a refresh token, then authorizes: the refresh request goes to
/// `{baseURL}{sessionsEndpoint}`; the server refuses the made-up token, which is all this needs.
async fn refresh_request_of(options: JsValue, prefix: &str) -> JsValue {
    let m = construct(&auth_instance(), &options).unwrap();
    call(
        &m,
        "setTokens",
        &[obj(&[
            ("sessionId", s(SESSION_ID)),
            ("refreshToken", s(&format!("rt-{prefix}"))),
        ])],
    )
    .await
    .unwrap();
    let _ = call(&m, "authorize", &[]).await;
    m
}

async fn sent(fragment: &str) -> Vec<JsValue> {
    let log: js_sys::Array = wait(js_fetch_log(fragment)).await.unwrap().into();
    log.iter().collect()
}

#[wasm_bindgen_test]
async fn base_url_alias_endpoints_and_timeout_alias_reach_the_request() {
    record_fetches();
    let with_prefix = |prefix: &str, config: JsValue| {
        obj(&[("apiClientConfig", config), ("storageKeyPrefix", s(prefix))])
    };
    // baseUrl + a custom sessionsEndpoint: the refresh goes there.
    refresh_request_of(
        with_prefix(
            "url1",
            obj(&[
                ("baseUrl", s(server())),
                ("sessionsEndpoint", s("/v1/auth/session?url1")),
            ]),
        ),
        "url1",
    )
    .await;
    let refreshes = sent("?url1").await;
    assert_eq!(refreshes.len(), 1);
    assert_eq!(
        get_str(&refreshes[0], "url"),
        format!("{}/v1/auth/session?url1", server())
    );
    assert_eq!(get_str(&refreshes[0], "method"), "POST");
    assert_eq!(
        get_str(&refreshes[0], "body"),
        r#"{"refresh_token":"rt-url1"}"#
    );

    // timeout and timeoutMs abort the refresh: the route answers only after 3 s, the timeout is
    // 200 ms, so an ignored timeout shows as a 200 answer instead of an aborted fetch.
    for (prefix, key) in [("to1", "timeout"), ("to2", "timeoutMs")] {
        let endpoint = format!("/test/delay?ms=3000&{prefix}");
        refresh_request_of(
            with_prefix(
                prefix,
                obj(&[
                    base_url(),
                    ("sessionsEndpoint", s(&endpoint)),
                    (key, n(200.0)),
                ]),
            ),
            prefix,
        )
        .await;
        let sent = sent(&format!("&{prefix}")).await;
        assert_eq!(sent.len(), 1, "{key}");
        assert_eq!(
            get(&sent[0], "error").as_string().as_deref(),
            Some("AbortError"),
            "{key}: the refresh was aborted ({})",
            describe(&sent[0])
        );
    }
}

// ---------------------------------------------------------------------------------------------
// HttpClient request options

/// A client over a logged-in, authorized session.
async fn client() -> (JsValue, String) {
    let l = login("opt-http", r#"{"app":"options"}"#).await;
    let m = AuthSessionManager::new(json(&format!(
        r#"{{"apiClientConfig":{{"baseURL":"{}"}},"storageKeyPrefix":"opt-http"}}"#,
        server()
    )))
    .unwrap();
    wait(m.set_tokens(json(&format!(
        r#"{{"sessionId":"{}","accessToken":"{}","refreshToken":"{}"}}"#,
        l.session_id, l.access_token, l.refresh_token
    ))))
    .await
    .unwrap();
    wait(m.authorize()).await.unwrap();
    let token = local_get("opt-http:access_token").unwrap();
    (HttpClient::new(&m).into(), token)
}

#[wasm_bindgen_test]
async fn http_client_request_options_table() {
    let (client, token) = client().await;
    record_fetches();
    let pairs = json(r#"[["x-trace","t"]]"#);
    // (case, options, x-trace sent, x-api-key sent, Authorization sent)
    let cases: Vec<(&str, JsValue, Option<&str>, bool, bool)> = vec![
        ("undefined", JsValue::UNDEFINED, None, false, false),
        ("null", JsValue::NULL, None, false, false),
        ("empty", obj(&[]), None, false, false),
        (
            "headers object",
            obj(&[("headers", json(r#"{"x-trace":"t"}"#))]),
            Some("t"),
            false,
            false,
        ),
        (
            "headers Map",
            obj(&[("headers", map_of(&pairs))]),
            Some("t"),
            false,
            false,
        ),
        (
            "headers Headers",
            obj(&[("headers", headers_of(&pairs))]),
            Some("t"),
            false,
            false,
        ),
        (
            "headers pairs",
            obj(&[("headers", pairs.clone())]),
            Some("t"),
            false,
            false,
        ),
        (
            "headers null",
            obj(&[("headers", JsValue::NULL)]),
            None,
            false,
            false,
        ),
        (
            "headers undefined",
            obj(&[("headers", JsValue::UNDEFINED)]),
            None,
            false,
            false,
        ),
        (
            "useAPIKey",
            obj(&[("useAPIKey", JsValue::TRUE)]),
            None,
            true,
            false,
        ),
        (
            "useApiKey alias",
            obj(&[("useApiKey", JsValue::TRUE)]),
            None,
            true,
            false,
        ),
        (
            "useAPIKey false",
            obj(&[("useAPIKey", JsValue::FALSE)]),
            None,
            false,
            false,
        ),
        (
            "authenticated",
            obj(&[("authenticated", JsValue::TRUE)]),
            None,
            false,
            true,
        ),
        (
            "authenticated from a getter",
            getter_of(&obj(&[]), "authenticated", &JsValue::TRUE),
            None,
            false,
            true,
        ),
        (
            "authenticated null",
            obj(&[("authenticated", JsValue::NULL)]),
            None,
            false,
            false,
        ),
        (
            "timeout",
            obj(&[("timeout", n(5000.0))]),
            None,
            false,
            false,
        ),
        (
            "timeoutMs alias",
            obj(&[("timeoutMs", n(5000.0))]),
            None,
            false,
            false,
        ),
        (
            "timeout null",
            obj(&[("timeout", JsValue::NULL)]),
            None,
            false,
            false,
        ),
        (
            "extra fields",
            obj(&[("extra", n(1.0)), ("signal", obj(&[]))]),
            None,
            false,
            false,
        ),
    ];
    for (i, (case, options, trace, api_key, auth)) in cases.into_iter().enumerate() {
        let target = s(&format!("{}/v1/echo?opt-case={i}", server()));
        if let Err(e) = call(&client, "get", &[target, options]).await {
            panic!("{case}: {}", describe(&e));
        }
        let sent = sent(&format!("opt-case={i}")).await;
        assert_eq!(sent.len(), 1, "{case}");
        let headers = get(&sent[0], "headers");
        assert_eq!(
            get(&headers, "x-trace").as_string().as_deref(),
            trace,
            "{case}"
        );
        assert_eq!(
            !get(&headers, "x-api-key").is_undefined(),
            api_key,
            "{case}"
        );
        let bearer = format!("Bearer {token}");
        assert_eq!(
            get(&sent[0], "authorization").as_string().as_deref(),
            auth.then_some(bearer.as_str()),
            "{case}"
        );
    }
}

#[wasm_bindgen_test]
async fn http_client_refuses_bad_request_options_before_sending() {
    let (client, _) = client().await;
    record_fetches();
    let bad: Vec<(&str, JsValue, &str)> = vec![
        ("a string", s("x"), "options"),
        ("a number", n(5.0), "options"),
        (
            "headers a string",
            obj(&[("headers", s("x-trace: t"))]),
            "headers",
        ),
        (
            "headers with a number",
            json(r#"{"headers":{"a":1}}"#),
            "headers",
        ),
        (
            "headers Map with a number",
            obj(&[("headers", map_of(&json(r#"[["a",1]]"#)))]),
            "headers",
        ),
        (
            "headers pair without a value",
            json(r#"{"headers":[["a"]]}"#),
            "headers",
        ),
        (
            "authenticated a string",
            json(r#"{"authenticated":"yes"}"#),
            "authenticated",
        ),
        (
            "authenticated 1",
            json(r#"{"authenticated":1}"#),
            "authenticated",
        ),
        (
            "useAPIKey a string",
            json(r#"{"useAPIKey":"yes"}"#),
            "useAPIKey",
        ),
        (
            "useAPIKey and useApiKey",
            json(r#"{"useAPIKey":true,"useApiKey":true}"#),
            "useAPIKey",
        ),
        ("timeout negative", json(r#"{"timeout":-1}"#), "timeout"),
        ("timeout a float", json(r#"{"timeout":1.5}"#), "timeout"),
        ("timeout a string", json(r#"{"timeout":"100"}"#), "timeout"),
        ("timeout NaN", obj(&[("timeout", n(f64::NAN))]), "timeout"),
        (
            "timeout a BigInt",
            obj(&[("timeout", bigint("100"))]),
            "timeout",
        ),
        (
            "timeout over u32",
            json(r#"{"timeout":4294967296}"#),
            "timeout",
        ),
        (
            "timeout and timeoutMs",
            json(r#"{"timeout":1,"timeoutMs":1}"#),
            "timeout",
        ),
        ("timeout a Symbol", obj(&[("timeout", symbol())]), "timeout"),
        (
            "a getter that throws",
            throwing_getter(&obj(&[]), "timeout"),
            "options",
        ),
    ];
    for (i, (case, options, field)) in bad.into_iter().enumerate() {
        let target = s(&format!("{}/v1/echo?opt-bad={i}", server()));
        let r = call(&client, "get", &[target, options]).await;
        assert_type_error(r, "INVALID_OPTION", field, case);
        assert!(
            sent(&format!("opt-bad={i}")).await.is_empty(),
            "{case}: sent"
        );
    }
}

#[wasm_bindgen_test]
async fn http_client_timeout_alias_aborts() {
    let (client, _) = client().await;
    record_fetches();
    for key in ["timeout", "timeoutMs"] {
        let target = s(&format!("{}/test/delay?ms=3000&alias={key}", server()));
        let err = call(&client, "get", &[target, obj(&[(key, n(200.0))])])
            .await
            .unwrap_err();
        assert_eq!(code(&err), "TIMEOUT", "{key}");
        let sent = sent(&format!("alias={key}")).await;
        assert_eq!(
            get(&sent[0], "error").as_string().as_deref(),
            Some("AbortError"),
            "{key}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// CookieStorage options: the exact cookie string written

fn cookie_instance() -> JsValue {
    CookieStorage::new(None).unwrap().into()
}

/// The string `new CookieStorage(options).set("opt-c", "v")` writes to `document.cookie`.
async fn cookie_written(options: &JsValue) -> Result<String, JsValue> {
    let storage = construct(&cookie_instance(), options)?;
    record_cookie_writes();
    call(&storage, "set", &[s("opt-c"), s("v")]).await?;
    let log = cookie_log();
    assert_eq!(log.length(), 1, "one write: {}", describe(&log));
    Ok(log.get(0).as_string().unwrap())
}

#[wasm_bindgen_test]
async fn cookie_options_table() {
    let default = "opt-c=v; Path=/; SameSite=Strict; Secure; Max-Age=2592000";
    let cases: Vec<(&str, JsValue, &str)> = vec![
        ("undefined", JsValue::UNDEFINED, default),
        ("null", JsValue::NULL, default),
        ("empty", obj(&[]), default),
        (
            "extra fields",
            json(r#"{"extra":1,"expires":"never"}"#),
            default,
        ),
        (
            "every field",
            json(r#"{"path":"/x","domain":"","sameSite":"Lax","secure":false,"maxAge":60}"#),
            "opt-c=v; Path=/x; SameSite=Lax; Max-Age=60",
        ),
        (
            "empty path",
            json(r#"{"path":""}"#),
            "opt-c=v; SameSite=Strict; Secure; Max-Age=2592000",
        ),
        (
            "sameSite None with secure",
            json(r#"{"sameSite":"None","secure":true}"#),
            "opt-c=v; Path=/; SameSite=None; Secure; Max-Age=2592000",
        ),
        (
            "sameSite null omits it",
            obj(&[("sameSite", JsValue::NULL)]),
            "opt-c=v; Path=/; Secure; Max-Age=2592000",
        ),
        (
            "sameSite undefined omits it",
            obj(&[("sameSite", JsValue::UNDEFINED)]),
            "opt-c=v; Path=/; Secure; Max-Age=2592000",
        ),
        (
            "maxAge 0: a session cookie",
            json(r#"{"maxAge":0}"#),
            "opt-c=v; Path=/; SameSite=Strict; Secure",
        ),
        (
            "maxAge negative",
            json(r#"{"maxAge":-5}"#),
            "opt-c=v; Path=/; SameSite=Strict; Secure",
        ),
        (
            "maxAge a BigInt",
            obj(&[("maxAge", bigint("10"))]),
            "opt-c=v; Path=/; SameSite=Strict; Secure; Max-Age=10",
        ),
        (
            "maxAge from a getter",
            getter_of(&obj(&[]), "maxAge", &n(30.0)),
            "opt-c=v; Path=/; SameSite=Strict; Secure; Max-Age=30",
        ),
    ];
    for (case, options, want) in cases {
        match cookie_written(&options).await {
            Ok(written) => assert_eq!(written, want, "{case}"),
            Err(e) => panic!("{case}: {}", describe(&e)),
        }
    }
}

#[wasm_bindgen_test]
async fn cookie_options_refused() {
    let class = cookie_instance();
    let cases: Vec<(&str, JsValue, &str)> = vec![
        ("a string", s("Strict"), "cookieOptions"),
        ("a number", n(1.0), "cookieOptions"),
        ("path a number", json(r#"{"path":1}"#), "path"),
        ("domain a boolean", json(r#"{"domain":true}"#), "domain"),
        ("secure a string", json(r#"{"secure":"yes"}"#), "secure"),
        ("secure 1", json(r#"{"secure":1}"#), "secure"),
        (
            "sameSite unknown",
            json(r#"{"sameSite":"Sometimes"}"#),
            "sameSite",
        ),
        ("sameSite a number", json(r#"{"sameSite":1}"#), "sameSite"),
        ("maxAge a string", json(r#"{"maxAge":"60"}"#), "maxAge"),
        ("maxAge a float", json(r#"{"maxAge":1.5}"#), "maxAge"),
        ("maxAge NaN", obj(&[("maxAge", n(f64::NAN))]), "maxAge"),
        (
            "maxAge unsafe",
            json(r#"{"maxAge":9007199254740993}"#),
            "maxAge",
        ),
        (
            "maxAge a BigInt past i64",
            obj(&[("maxAge", bigint("9223372036854775808"))]),
            "maxAge",
        ),
        (
            "path getter throws",
            throwing_getter(&obj(&[]), "path"),
            "path",
        ),
    ];
    for (case, options, field) in cases {
        assert_type_error(construct(&class, &options), "INVALID_OPTION", field, case);
    }
    // SameSite=None without Secure: the typed storage error, at construction.
    register_error_classes();
    let err = construct(&class, &json(r#"{"sameSite":"None","secure":false}"#)).unwrap_err();
    assert_class(&err, "StorageError");
    assert_eq!(code(&err), "COOKIE_INSECURE");
}

// ---------------------------------------------------------------------------------------------
// StorageManager options, seen through its getters

fn storage_manager_instance() -> JsValue {
    StorageManager::new(json(r#"{"sessionServerBaseUrl":"https://s.example"}"#))
        .unwrap()
        .into()
}

#[wasm_bindgen_test]
fn storage_manager_options_table() {
    let class = storage_manager_instance();
    let base = |pairs: &[(&str, JsValue)]| {
        let mut all = vec![("sessionServerBaseUrl", s("https://s.example"))];
        all.extend(pairs.iter().cloned());
        obj(&all)
    };
    let undef = JsValue::UNDEFINED;
    let padded_ab = "0x00000000000000000000000000000000000000000000000000000000000000AB";
    // (case, options, sessionNamespace, sessionTime, allowedOrigin, scheme, sessionId, cache key)
    type Row<'a> = (
        &'a str,
        JsValue,
        JsValue,
        f64,
        JsValue,
        &'a str,
        JsValue,
        JsValue,
    );
    let rows: Vec<Row> = vec![
        (
            "defaults",
            base(&[]),
            undef.clone(),
            86_400.0,
            s("*"),
            "ecies",
            undef.clone(),
            undef.clone(),
        ),
        (
            "every field, and extra ones",
            base(&[
                ("sessionNamespace", s("ns")),
                ("sessionTime", n(60.0)),
                ("sessionId", s("0xAB")),
                ("allowedOrigin", JsValue::TRUE),
                ("useLocalStorage", JsValue::TRUE),
                ("scheme", s("aes-gcm")),
                ("extra", n(1.0)),
            ]),
            s("ns"),
            60.0,
            JsValue::TRUE,
            "aes-gcm",
            s(padded_ab),
            s(&cache_key("ns", padded_ab)),
        ),
        (
            "falsy values fall back like the original",
            base(&[
                ("sessionNamespace", s("")),
                ("sessionTime", n(0.0)),
                ("sessionId", s("")),
                ("allowedOrigin", JsValue::FALSE),
                ("useLocalStorage", JsValue::FALSE),
            ]),
            undef.clone(),
            86_400.0,
            s("*"),
            "ecies",
            undef.clone(),
            undef.clone(),
        ),
        (
            "null and undefined are absent",
            base(&[
                ("sessionNamespace", JsValue::NULL),
                ("sessionTime", JsValue::UNDEFINED),
                ("sessionId", JsValue::NULL),
                ("allowedOrigin", JsValue::NULL),
                ("scheme", JsValue::UNDEFINED),
            ]),
            undef.clone(),
            86_400.0,
            s("*"),
            "ecies",
            undef.clone(),
            undef.clone(),
        ),
        (
            "a fractional sessionTime rounds up; a truthy useLocalStorage",
            base(&[
                ("sessionTime", n(1.5)),
                ("sessionId", s(SESSION_ID)),
                ("useLocalStorage", n(1.0)),
                ("allowedOrigin", s("")),
            ]),
            undef.clone(),
            2.0,
            s("*"),
            "ecies",
            s(SESSION_ID),
            s(&cache_key("w3a_session_manager_default", SESSION_ID)),
        ),
        (
            "an origin string",
            base(&[("allowedOrigin", s("https://app.example"))]),
            undef.clone(),
            86_400.0,
            s("https://app.example"),
            "ecies",
            undef.clone(),
            undef.clone(),
        ),
    ];
    for (case, options, namespace, time, origin, scheme, id, cache_key) in rows {
        let m = construct(&class, &options).unwrap_or_else(|e| panic!("{case}: {}", describe(&e)));
        let same = |a: &JsValue, b: &JsValue| js_sys::Object::is(a, b);
        assert!(
            same(&get(&m, "sessionNamespace"), &namespace),
            "{case}: namespace {:?}",
            get(&m, "sessionNamespace")
        );
        assert_eq!(get(&m, "sessionTime").as_f64(), Some(time), "{case}");
        assert!(
            same(&get(&m, "allowedOrigin"), &origin),
            "{case}: origin {:?}",
            get(&m, "allowedOrigin")
        );
        assert_eq!(get_str(&m, "scheme"), scheme, "{case}");
        assert!(
            same(&get(&m, "sessionId"), &id),
            "{case}: id {:?}",
            get(&m, "sessionId")
        );
        assert!(
            same(&get(&m, "localStorageHandlerStorageKey"), &cache_key),
            "{case}: cache key {:?}",
            get(&m, "localStorageHandlerStorageKey")
        );
    }
}

#[wasm_bindgen_test]
fn storage_manager_refuses() {
    let class = storage_manager_instance();
    let base = |pairs: &[(&str, JsValue)]| {
        let mut all = vec![("sessionServerBaseUrl", s("https://s.example"))];
        all.extend(pairs.iter().cloned());
        obj(&all)
    };
    let cases: Vec<(&str, JsValue, &str, &str)> = vec![
        ("undefined", JsValue::UNDEFINED, "INVALID_OPTION", "options"),
        (
            "a string",
            s("https://s.example"),
            "INVALID_OPTION",
            "options",
        ),
        (
            "no base URL",
            obj(&[]),
            "INVALID_OPTION",
            "sessionServerBaseUrl",
        ),
        (
            "base URL a number",
            obj(&[("sessionServerBaseUrl", n(1.0))]),
            "INVALID_OPTION",
            "sessionServerBaseUrl",
        ),
        (
            "sessionTime a string",
            base(&[("sessionTime", s("60"))]),
            "INVALID_OPTION",
            "sessionTime",
        ),
        (
            "sessionTime negative",
            base(&[("sessionTime", n(-1.0))]),
            "INVALID_OPTION",
            "sessionTime",
        ),
        (
            "sessionTime NaN",
            base(&[("sessionTime", n(f64::NAN))]),
            "INVALID_OPTION",
            "sessionTime",
        ),
        (
            "sessionTime a BigInt",
            base(&[("sessionTime", bigint("60"))]),
            "INVALID_OPTION",
            "sessionTime",
        ),
        (
            "allowedOrigin a number",
            base(&[("allowedOrigin", n(1.0))]),
            "INVALID_OPTION",
            "allowedOrigin",
        ),
        (
            "scheme unknown",
            base(&[("scheme", s("rot13"))]),
            "INVALID_OPTION",
            "scheme",
        ),
        (
            "scheme a number",
            base(&[("scheme", n(1.0))]),
            "INVALID_OPTION",
            "scheme",
        ),
        (
            "sessionNamespace a number",
            base(&[("sessionNamespace", n(1.0))]),
            "INVALID_OPTION",
            "sessionNamespace",
        ),
        (
            "sessionId a number",
            base(&[("sessionId", n(1.0))]),
            "INVALID_OPTION",
            "sessionId",
        ),
        (
            "sessionId not hex",
            base(&[("sessionId", s("xyz"))]),
            "INVALID_SESSION_ID",
            "hex",
        ),
    ];
    for (case, options, code_wanted, field) in cases {
        assert_type_error(construct(&class, &options), code_wanted, field, case);
    }
}

// ---------------------------------------------------------------------------------------------
// Reader bugs found in review (issue 9), each fixed in src/bindings: every assertion states what
// the original and the typings promise.

#[wasm_bindgen_test]
async fn reader_bugs_found_in_review_stay_fixed() {
    let auth = auth_instance();
    let cookie = cookie_instance();
    let sm = storage_manager_instance();
    // 1. An optional field set to undefined or null is "not given" in the original (`?? default`,
    //    `{...DEFAULTS, ...options}`) and in the `.d.ts` (`path?: string`); the reader refuses it.
    for key in ["path", "domain", "secure", "maxAge"] {
        for value in [JsValue::UNDEFINED, JsValue::NULL] {
            let r = construct(&cookie, &obj(&[(key, value.clone())]));
            assert!(r.is_ok(), "cookieOptions.{key} = {value:?} refused");
        }
    }
    for key in ["sessionsEndpoint", "logoutEndpoint"] {
        let r = construct(&auth, &api(&[base_url(), (key, JsValue::UNDEFINED)]));
        assert!(r.is_ok(), "apiClientConfig.{key} = undefined refused");
    }
    // 2. A getter that throws is an unreadable option (INVALID_OPTION), never silently "absent".
    let top = |key: &str| throwing_getter(&obj(&[("apiClientConfig", obj(&[base_url()]))]), key);
    for key in ["storageKeyPrefix", "storage"] {
        assert_type_error(construct(&auth, &top(key)), "INVALID_OPTION", key, key);
    }
    for key in ["sessionId", "useLocalStorage"] {
        let options = throwing_getter(&obj(&[("sessionServerBaseUrl", s("https://s"))]), key);
        assert_type_error(construct(&sm, &options), "INVALID_OPTION", key, key);
    }
    // 3. One option, one reader: top-level lockWaitMs takes 1.5 and Infinity, the same option inside
    //    apiClientConfig refuses anything but a whole number of milliseconds.
    for v in [n(1.5), n(f64::INFINITY)] {
        let options = obj(&[("apiClientConfig", obj(&[base_url()])), ("lockWaitMs", v)]);
        assert_type_error(
            construct(&auth, &options),
            "INVALID_OPTION",
            "lockWaitMs",
            "lockWaitMs",
        );
    }
    // 4. What README and PROTOCOL document as a TypeError is not `instanceof TypeError`.
    let err = construct(&sm, &JsValue::UNDEFINED).unwrap_err();
    assert!(
        err.is_instance_of::<js_sys::TypeError>(),
        "INVALID_OPTION is not a TypeError"
    );
}

// ---------------------------------------------------------------------------------------------
// StorageManager request headers (read through `new Headers(init)`, as fetch reads them)

#[wasm_bindgen_test]
async fn storage_manager_headers_forms() {
    let key = StorageManager::generate_random_session_key().unwrap();
    let m: JsValue = StorageManager::new(obj(&[
        ("sessionServerBaseUrl", s(server())),
        ("sessionId", s(&key)),
        ("sessionNamespace", s("opt-headers")),
    ]))
    .unwrap()
    .into();
    let pairs = json(r#"[["x-trace","t"]]"#);
    let forms: Vec<(&str, JsValue, Option<&str>)> = vec![
        ("undefined", JsValue::UNDEFINED, None),
        ("null", JsValue::NULL, None),
        ("record", json(r#"{"x-trace":"t"}"#), Some("t")),
        (
            "record with a number (coerced, as fetch does)",
            json(r#"{"x-trace":7}"#),
            Some("7"),
        ),
        ("pairs", pairs.clone(), Some("t")),
        ("Headers", headers_of(&pairs), Some("t")),
        ("Map", map_of(&pairs), Some("t")),
    ];
    for (case, headers, trace) in forms {
        record_fetches();
        call(&m, "createSession", &[json(r#"{"n":1}"#), headers.clone()])
            .await
            .unwrap_or_else(|e| panic!("createSession, {case}: {}", describe(&e)));
        let _ = call(&m, "authorizeSession", &[obj(&[("headers", headers)])]).await;
        for path in ["/v2/store/set", "/v2/store/get"] {
            let sent = sent(path).await;
            assert_eq!(sent.len(), 1, "{case} {path}");
            let got = get(&get(&sent[0], "headers"), "x-trace");
            assert_eq!(got.as_string().as_deref(), trace, "{case} {path}");
            assert_eq!(
                get(&get(&sent[0], "headers"), "content-type")
                    .as_string()
                    .as_deref(),
                Some("application/json; charset=utf-8"),
                "{case} {path}"
            );
        }
    }
    for (case, headers) in [
        ("a string", s("x-trace: t")),
        ("a pair without a value", json(r#"[["x-trace"]]"#)),
        ("a bad header name", json(r#"{"bad name":"v"}"#)),
    ] {
        record_fetches();
        let r = call(&m, "createSession", &[json(r#"{"n":1}"#), headers]).await;
        assert_type_error(r, "INVALID_OPTION", "headers", case);
        assert!(sent("/v2/store/").await.is_empty(), "{case}: sent");
    }
}

/// The cache entry's name, computed here from its definition (k256 + sha2 directly, not the SDK's
/// code): `{namespace}:` + 40 hex digits of SHA-256("wsm-cache:" + uncompressed public key hex).
fn cache_key(namespace: &str, id: &str) -> String {
    use k256::elliptic_curve::sec1::ToEncodedPoint;
    use sha2::Digest;
    let secret =
        k256::SecretKey::from_slice(&hex::decode(id.trim_start_matches("0x")).unwrap()).unwrap();
    let public = hex::encode(secret.public_key().to_encoded_point(false).as_bytes());
    let digest = hex::encode(sha2::Sha256::digest(
        format!("wsm-cache:{public}").as_bytes(),
    ));
    format!("{namespace}:{}", &digest[..40])
}
