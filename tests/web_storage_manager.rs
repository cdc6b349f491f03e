//! Browser tests of `StorageManager` against session-server (PROTOCOL.md §6–7, issue 6): the JS API,
//! the round trip, expiry, `allowedOrigin`, namespaces, tampering on either side, the encrypted
//! local cache and the AES-GCM scheme. Each test uses its own namespace and fresh session keys.
#![cfg(target_arch = "wasm32")]

mod web_support;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use wasm_session_manager::bindings::storage_manager::StorageManager;
use wasm_session_manager::core::crypto::{aead, ecies, signature, SessionKey};
use web_support::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/tests/js/helpers.js")]
extern "C" {
    #[wasm_bindgen(js_name = storeCall)]
    fn js_store_call(base: &str, method: &str, path: &str, body: JsValue) -> js_sys::Promise;
    #[wasm_bindgen(js_name = pageOrigin)]
    fn page_origin() -> String;
    #[wasm_bindgen(js_name = sleep)]
    fn js_sleep(ms: u32) -> js_sys::Promise;
    #[wasm_bindgen(js_name = localSet)]
    fn local_set(key: &str, value: &str);
    #[wasm_bindgen(js_name = tamperJsonField)]
    fn tamper_json_field(json: &str, field: &str) -> String;
    fn intercept(public_key: &str, mode: &str);
    #[wasm_bindgen(js_name = stopIntercept)]
    fn stop_intercept(public_key: &str) -> js_sys::Array;
}

// ---------------------------------------------------------------- helpers

async fn sleep(ms: u32) {
    wait(js_sleep(ms)).await.unwrap();
}

/// A raw request to the store, independent of the SDK: `{status, json, text}`.
async fn store_call(method: &str, path: &str, body: &JsValue) -> JsValue {
    wait(js_store_call(server(), method, path, body.clone()))
        .await
        .unwrap()
}

/// A plain object from name/value pairs.
fn obj(fields: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in fields {
        js_sys::Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

/// Options JSON for a manager on the test server: `{"sessionServerBaseUrl": ..., <extra>}`.
fn manager(extra: &str) -> StorageManager {
    StorageManager::new(options(extra)).unwrap()
}

fn options(extra: &str) -> JsValue {
    register_error_classes();
    let sep = if extra.is_empty() { "" } else { "," };
    json(&format!(
        r#"{{"sessionServerBaseUrl":"{}"{sep}{extra}}}"#,
        server()
    ))
}

/// A manager in `namespace` with a fresh session id (and more options in `extra`).
fn fresh(namespace: &str, extra: &str) -> (StorageManager, String) {
    let id = StorageManager::generate_random_session_key().unwrap();
    let sep = if extra.is_empty() { "" } else { "," };
    let m = manager(&format!(
        r#""sessionNamespace":"{namespace}","sessionId":"{id}"{sep}{extra}"#
    ));
    (m, id)
}

/// Another manager for the same session id and namespace.
fn same_session(namespace: &str, id: &str, extra: &str) -> StorageManager {
    let sep = if extra.is_empty() { "" } else { "," };
    manager(&format!(
        r#""sessionNamespace":"{namespace}","sessionId":"{id}"{sep}{extra}"#
    ))
}

fn headers(json_text: &str) -> Option<js_sys::Object> {
    Some(json(json_text).unchecked_into())
}

async fn create(m: &StorageManager, data: &str) -> String {
    wait(m.create_session(json(data), None))
        .await
        .unwrap()
        .as_string()
        .unwrap()
}

async fn update(m: &StorageManager, data: &str) {
    wait(m.update_session(json(data), None)).await.unwrap();
}

/// `authorizeSession()`, as the JSON text of the data.
async fn authorize(m: &StorageManager) -> Result<String, JsValue> {
    let data = wait(m.authorize_session(None)).await?;
    Ok(js_sys::JSON::stringify(&data).unwrap().into())
}

async fn authorize_err(m: &StorageManager) -> JsValue {
    authorize(m)
        .await
        .expect_err("authorizeSession should have rejected")
}

fn status(err: &JsValue) -> Option<f64> {
    get(err, "status").as_f64()
}

/// Reads the session until the server says it is gone (its TTL ran out): every read before that
/// gives `while_present`. The server's clock decides when; the 10 s limit only ends a test that
/// would hang, so load cannot fail it (a fixed sleep of "TTL + 100 ms" could).
async fn until_gone(m: &StorageManager, while_present: &str) {
    let start = js_sys::Date::now();
    loop {
        match authorize(m).await {
            Err(err) => return assert_gone(&err),
            Ok(data) => assert_eq!(data, while_present, "read before it expired"),
        }
        assert!(
            js_sys::Date::now() - start < 10_000.0,
            "still there after 10 s"
        );
        sleep(100).await;
    }
}

/// The session is gone on the server: `AuthError` `SESSION_EXPIRED` with the original's message,
/// whether the server answers `{message: ""}` or (as session-server does) 404.
fn assert_gone(err: &JsValue) {
    assert_eq!(code(err), "SESSION_EXPIRED");
    assert_eq!(
        get_str(err, "message"),
        "Session Expired or Invalid public key"
    );
    assert!(err.is_instance_of::<js_sys::Error>());
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

/// The recorded requests for a key: `(method, path, headers object, body object)`.
fn recorded(public_key: &str) -> Vec<(String, String, JsValue, JsValue)> {
    stop_intercept(public_key)
        .iter()
        .map(|r| {
            (
                get_str(&r, "method"),
                get_str(&r, "path"),
                get(&r, "headers"),
                json(&get_str(&r, "body")),
            )
        })
        .collect()
}

fn keys_of(v: &JsValue) -> Vec<String> {
    js_sys::Object::keys(v.unchecked_ref::<js_sys::Object>())
        .iter()
        .filter_map(|k| k.as_string())
        .collect()
}

// ---------------------------------------------------------------- API surface

#[wasm_bindgen_test]
fn statics_accessors_and_getters() {
    let a = StorageManager::generate_random_session_key().unwrap();
    let b = StorageManager::generate_random_session_key().unwrap();
    assert_ne!(a, b);
    assert_eq!(a.len(), 66);
    assert!(a.starts_with("0x"));
    assert!(a[2..]
        .bytes()
        .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));

    let public = StorageManager::get_public_key(&a).unwrap();
    assert_eq!(public.len(), 130);
    assert!(public.starts_with("04"));
    // A fixed vector of eccrypto.getPublic (tests/compat/fixed_vectors.mjs: KEY_A, KEY_A_PUBLIC).
    assert_eq!(
        StorageManager::get_public_key(
            "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
        )
        .unwrap(),
        "044e3b81af9c2234cad09d679ce6035ed1392347ce64ce405f5dcd36228a25de6e47fd35c4215d1edf53e6f83de344615ce719bdb0fd878f6ed76f06dd277956de"
    );
    let err = StorageManager::get_public_key("not hex").unwrap_err();
    assert_eq!(code(&err), "INVALID_SESSION_ID");
    assert_class(&err, "TypeError");

    let m = manager("");
    assert_eq!(m.session_id(), None);
    assert_eq!(m.server_handler_storage_key(), None);
    assert_eq!(m.session_server_base_url(), server());
    assert_eq!(m.session_namespace(), None);
    assert_eq!(m.session_time(), 86_400.0);
    assert_eq!(m.allowed_origin().as_string().as_deref(), Some("*"));
    assert_eq!(m.scheme(), "ecies");
    assert_eq!(m.local_storage_handler_storage_key(), None);

    // the setter and setSessionId validate and pad like the original
    m.set_session_id_accessor(Some("0xAb".into())).unwrap();
    assert_eq!(m.session_id(), Some(format!("0x{}Ab", "0".repeat(62))));
    for bad in [Some("xyz".to_owned()), Some(String::new()), None] {
        let err = m.set_session_id_accessor(bad.clone()).unwrap_err();
        assert_eq!(code(&err), "INVALID_SESSION_ID", "{bad:?}");
        let err = m.set_session_id(bad.clone()).unwrap_err();
        assert_eq!(code(&err), "INVALID_SESSION_ID", "{bad:?}");
    }
    m.set_session_id(Some(a.clone())).unwrap();
    assert_eq!(m.session_id().as_deref(), Some(a.as_str()));
    assert_eq!(m.server_handler_storage_key(), Some(public));

    let m = manager(&format!(
        r#""sessionNamespace":"ns-x","sessionTime":2.5,"allowedOrigin":false,"useLocalStorage":1,"scheme":"aes-gcm","sessionId":"{a}""#
    ));
    assert_eq!(m.session_namespace().as_deref(), Some("ns-x"));
    assert_eq!(m.session_time(), 3.0);
    assert_eq!(m.allowed_origin().as_string().as_deref(), Some("*"));
    assert_eq!(m.scheme(), "aes-gcm");
    assert_eq!(
        m.local_storage_handler_storage_key(),
        Some(cache_key("ns-x", &a))
    );
    let m = manager(r#""allowedOrigin":true,"sessionTime":0,"sessionNamespace":"""#);
    assert_eq!(m.allowed_origin().as_bool(), Some(true));
    assert_eq!(m.session_time(), 86_400.0);
    assert_eq!(m.session_namespace(), None);
}

#[wasm_bindgen_test]
fn constructor_refuses_unusable_options_with_type_errors() {
    for (opts, want) in [
        (json("{}"), "INVALID_OPTION"),
        (JsValue::UNDEFINED, "INVALID_OPTION"),
        (s("https://x"), "INVALID_OPTION"),
        (options(r#""scheme":"rot13""#), "INVALID_OPTION"),
        (options(r#""allowedOrigin":5"#), "INVALID_OPTION"),
        (options(r#""sessionTime":-1"#), "INVALID_OPTION"),
        (options(r#""sessionTime":"60""#), "INVALID_OPTION"),
        (options(r#""sessionNamespace":7"#), "INVALID_OPTION"),
        (options(r#""sessionId":"0xnothex""#), "INVALID_SESSION_ID"),
    ] {
        let err = StorageManager::new(opts.clone()).unwrap_err();
        assert_eq!(code(&err), want, "{opts:?}");
        assert_class(&err, "TypeError");
        assert!(err.is_instance_of::<js_sys::Error>());
    }
}

#[wasm_bindgen_test]
async fn operations_without_a_session_id_fail_with_no_session_id() {
    let m = manager(r#""sessionNamespace":"sm-noid""#);
    let err = wait(m.create_session(json("{}"), None)).await.unwrap_err();
    assert_eq!(code(&err), "NO_SESSION_ID");
    assert_class(&err, "AuthError");
    assert_eq!(get_str(&err, "message"), "Session id is required");
    assert_eq!(code(&authorize_err(&m).await), "NO_SESSION_ID");
    let err = wait(m.update_session(json("{}"), None)).await.unwrap_err();
    assert_eq!(code(&err), "NO_SESSION_ID");
    let err = wait(m.invalidate_session(None)).await.unwrap_err();
    assert_eq!(code(&err), "NO_SESSION_ID");
    // clearStorage is synchronous and throws, as in the original
    assert_eq!(code(&m.clear_storage().unwrap_err()), "NO_SESSION_ID");
}

#[wasm_bindgen_test]
async fn data_json_cannot_write_and_bad_headers_are_type_errors() {
    let (m, _) = fresh("sm-baddata", "");
    let err = wait(m.create_session(JsValue::UNDEFINED, None))
        .await
        .unwrap_err();
    assert_eq!(code(&err), "INVALID_OPTION");
    let cyclic = js_sys::Object::new();
    js_sys::Reflect::set(&cyclic, &s("self"), &cyclic).unwrap();
    let err = wait(m.create_session(cyclic.into(), None))
        .await
        .unwrap_err();
    assert_eq!(code(&err), "INVALID_OPTION");
    // `new Headers([["a"]])` throws: the pairs must have two items
    let err = wait(m.create_session(json("{}"), headers(r#"[["a"]]"#)))
        .await
        .unwrap_err();
    assert_eq!(code(&err), "INVALID_OPTION");
    let err = wait(m.authorize_session(Some(
        obj(&[("headers", json(r#"[["bad header name", "v"]]"#))]).unchecked_into(),
    )))
    .await
    .unwrap_err();
    assert_eq!(code(&err), "INVALID_OPTION");
}

// ---------------------------------------------------------------- the round trip

#[wasm_bindgen_test]
async fn create_authorize_update_authorize_invalidate_round_trip() {
    let ns = "sm-round";
    let (m, id) = fresh(ns, "");
    let returned = create(&m, r#"{"user":"alice","n":1,"tags":["a","b"]}"#).await;
    assert_eq!(returned, id);
    assert_eq!(
        authorize(&m).await.unwrap(),
        r#"{"user":"alice","n":1,"tags":["a","b"]}"#
    );

    update(&m, r#"{"user":"alice","n":2}"#).await;
    assert_eq!(authorize(&m).await.unwrap(), r#"{"user":"alice","n":2}"#);
    // another manager (another tab) with the same id reads the same data from the server
    let other = same_session(ns, &id, "");
    assert_eq!(
        authorize(&other).await.unwrap(),
        r#"{"user":"alice","n":2}"#
    );

    let done = wait(m.invalidate_session(None)).await.unwrap();
    assert_eq!(done.as_bool(), Some(true));
    assert_eq!(m.session_id(), None);
    let err = authorize_err(&m).await;
    assert_eq!(code(&err), "NO_SESSION_ID");
    assert_class(&err, "AuthError");

    // the server holds `{}` for one more second (the original's invalidation), then nothing
    until_gone(&other, "{}").await;
    let err = wait(other.update_session(json(r#"{"n":3}"#), None))
        .await
        .unwrap_err();
    assert_eq!(code(&err), "HTTP_ERROR");
    assert_eq!(status(&err), Some(404.0));
}

#[wasm_bindgen_test]
async fn a_session_expires_after_session_time() {
    let (m, _) = fresh("sm-ttl", r#""sessionTime":1"#);
    let (long, _) = fresh("sm-ttl", r#""sessionTime":120"#);
    create(&m, r#"{"short":true}"#).await;
    create(&long, r#"{"short":false}"#).await;
    until_gone(&m, r#"{"short":true}"#).await;
    // created at the same time with 120 s: still there, so it was the 1 s that expired the first
    assert_eq!(authorize(&long).await.unwrap(), r#"{"short":false}"#);
    // and an expired session cannot be updated back to life
    let err = wait(m.update_session(json(r#"{"short":false}"#), None))
        .await
        .unwrap_err();
    assert_eq!(status(&err), Some(404.0));
    assert_class(&err, "HttpError");
}

#[wasm_bindgen_test]
async fn requests_have_the_exact_bodies_and_carry_the_callers_headers() {
    let ns = "sm-wire";
    let (m, id) = fresh(ns, r#""sessionTime":120,"allowedOrigin":false"#);
    let public = StorageManager::get_public_key(&id).unwrap();
    intercept(&public, "record");
    wait(m.create_session(json(r#"{"a":1}"#), headers(r#"{"X-Trace":"t1"}"#)))
        .await
        .unwrap();
    let opts = obj(&[("headers", json(r#"[["X-Trace","t2"]]"#))]);
    wait(m.authorize_session(Some(opts.unchecked_into())))
        .await
        .unwrap();
    let h = web_sys::Headers::new().unwrap();
    h.append("X-Trace", "t3").unwrap();
    wait(m.update_session(json(r#"{"a":2}"#), Some(h.into())))
        .await
        .unwrap();
    wait(m.invalidate_session(headers(r#"{"x-trace":"t4"}"#)))
        .await
        .unwrap();
    let log = recorded(&public);
    let summary: Vec<(String, String, String)> = log
        .iter()
        .map(|(method, path, h, _)| (method.clone(), path.clone(), get_str(h, "x-trace")))
        .collect();
    let want = [
        ("POST", "/v2/store/set", "t1"),
        ("POST", "/v2/store/get", "t2"),
        ("PUT", "/v2/store/update", "t3"),
        ("POST", "/v2/store/set", "t4"),
    ];
    assert_eq!(summary.len(), want.len(), "{summary:?}");
    for ((method, path, trace), (wm, wp, wt)) in summary.iter().zip(want) {
        assert_eq!(
            (method.as_str(), path.as_str(), trace.as_str()),
            (wm, wp, wt)
        );
    }
    for (_, _, h, _) in &log {
        assert_eq!(
            get_str(h, "content-type"),
            "application/json; charset=utf-8"
        );
    }
    let body = |i: usize| log[i].3.clone();
    assert_eq!(
        keys_of(&body(0)),
        [
            "key",
            "data",
            "signature",
            "namespace",
            "allowedOrigin",
            "timeout"
        ]
    );
    assert_eq!(get_str(&body(0), "key"), public);
    assert_eq!(get_str(&body(0), "namespace"), ns);
    // allowedOrigin: false is sent as "*", as by the original
    assert_eq!(get_str(&body(0), "allowedOrigin"), "*");
    assert_eq!(get(&body(0), "timeout").as_f64(), Some(120.0));
    assert!(get_str(&body(0), "data").contains("ephemPublicKey"));
    assert_eq!(keys_of(&body(1)), ["key", "namespace"]);
    assert_eq!(
        keys_of(&body(2)),
        ["key", "data", "signature", "namespace", "allowedOrigin"]
    );
    assert_eq!(
        keys_of(&body(3)),
        ["key", "data", "signature", "namespace", "timeout"]
    );
    assert_eq!(get(&body(3), "timeout").as_f64(), Some(1.0));
    // the signature is the SDK's keccak-ECDSA over the data, verifiable with the public key
    for i in [0, 2, 3] {
        let data = get_str(&body(i), "data");
        let sig = get_str(&body(i), "signature");
        signature::verify_keccak(&public, data.as_bytes(), &sig).unwrap();
    }
}

// ---------------------------------------------------------------- allowedOrigin

#[wasm_bindgen_test]
async fn allowed_origin_equal_to_the_page_origin_can_read() {
    let origin = page_origin();
    assert!(origin.starts_with("http://"), "{origin}");
    let (m, id) = fresh("sm-origin-eq", &format!(r#""allowedOrigin":"{origin}""#));
    create(&m, r#"{"o":"eq"}"#).await;
    assert_eq!(authorize(&m).await.unwrap(), r#"{"o":"eq"}"#);
    // a reader without the option reads it too: the rule is the server's, set at create
    let reader = same_session("sm-origin-eq", &id, "");
    assert_eq!(authorize(&reader).await.unwrap(), r#"{"o":"eq"}"#);
}

#[wasm_bindgen_test]
async fn allowed_origin_of_another_site_is_refused() {
    let ns = "sm-origin-other";
    let (m, id) = fresh(ns, r#""allowedOrigin":"https://other.example""#);
    create(&m, r#"{"o":"other"}"#).await;
    let err = authorize_err(&m).await;
    assert_eq!(code(&err), "HTTP_ERROR");
    assert_class(&err, "HttpError");
    assert_eq!(status(&err), Some(403.0));
    assert_eq!(get_str(&get(&err, "body"), "error"), "origin_not_allowed");
    // an update by a manager allowing this page's origin makes it readable here again
    let page = same_session(ns, &id, &format!(r#""allowedOrigin":"{}""#, page_origin()));
    update(&page, r#"{"o":"page"}"#).await;
    assert_eq!(authorize(&page).await.unwrap(), r#"{"o":"page"}"#);
}

#[wasm_bindgen_test]
async fn allowed_origin_star_and_false_let_any_origin_read() {
    for (i, value) in [r#""*""#, "false"].into_iter().enumerate() {
        let ns = format!("sm-origin-any-{i}");
        let (m, _) = fresh(&ns, &format!(r#""allowedOrigin":{value}"#));
        create(&m, r#"{"o":"any"}"#).await;
        assert_eq!(authorize(&m).await.unwrap(), r#"{"o":"any"}"#, "{value}");
    }
}

#[wasm_bindgen_test]
async fn allowed_origin_true_binds_to_the_creating_origin() {
    let ns = "sm-origin-true";
    let (m, id) = fresh(ns, r#""allowedOrigin":true"#);
    let public = StorageManager::get_public_key(&id).unwrap();
    intercept(&public, "record");
    create(&m, r#"{"o":"true"}"#).await;
    let log = recorded(&public);
    assert_eq!(get(&log[0].3, "allowedOrigin").as_bool(), Some(true));
    // the creating page reads it; the server bound it to the Origin of the create request
    assert_eq!(authorize(&m).await.unwrap(), r#"{"o":"true"}"#);
    let reader = same_session(ns, &id, "");
    assert_eq!(authorize(&reader).await.unwrap(), r#"{"o":"true"}"#);
    // an update without allowedOrigin keeps the binding (raw PUT: the SDK always sends it)
    let key = SessionKey::from_hex(&id).unwrap();
    let data = ecies::seal(&key.public_key_bytes(), br#"{"o":"raw"}"#)
        .await
        .unwrap()
        .to_json();
    let sig = signature::sign_keccak(&key, data.as_bytes());
    let body = obj(&[
        ("key", s(&public)),
        ("data", s(&data)),
        ("signature", s(&sig)),
        ("namespace", s(ns)),
    ]);
    let r = store_call("PUT", "/v2/store/update", &body).await;
    assert_eq!(
        get(&r, "status").as_f64(),
        Some(200.0),
        "{:?}",
        get(&r, "text")
    );
    assert_eq!(authorize(&reader).await.unwrap(), r#"{"o":"raw"}"#);
}

// ---------------------------------------------------------------- namespaces

#[wasm_bindgen_test]
async fn namespaces_are_isolated() {
    let id = StorageManager::generate_random_session_key().unwrap();
    let a = same_session("sm-ns-a", &id, "");
    let b = same_session("sm-ns-b", &id, "");
    create(&a, r#"{"ns":"a"}"#).await;
    create(&b, r#"{"ns":"b"}"#).await;
    assert_eq!(authorize(&a).await.unwrap(), r#"{"ns":"a"}"#);
    assert_eq!(authorize(&b).await.unwrap(), r#"{"ns":"b"}"#);
    update(&b, r#"{"ns":"b2"}"#).await;
    assert_eq!(authorize(&a).await.unwrap(), r#"{"ns":"a"}"#);
    assert_eq!(authorize(&b).await.unwrap(), r#"{"ns":"b2"}"#);
    // neither another namespace nor no namespace sees them
    assert_gone(&authorize_err(&same_session("sm-ns-c", &id, "")).await);
    let none = manager("");
    none.set_session_id(Some(id.clone())).unwrap();
    assert_gone(&authorize_err(&none).await);
    // the local cache is per namespace too: each reads its own entry
    let ca = same_session("sm-ns-a", &id, r#""useLocalStorage":true"#);
    let cb = same_session("sm-ns-b", &id, r#""useLocalStorage":true"#);
    assert_eq!(authorize(&ca).await.unwrap(), r#"{"ns":"a"}"#);
    assert_eq!(authorize(&cb).await.unwrap(), r#"{"ns":"b2"}"#);
    let gets = counter("store_get").await;
    assert_eq!(authorize(&ca).await.unwrap(), r#"{"ns":"a"}"#);
    assert_eq!(authorize(&cb).await.unwrap(), r#"{"ns":"b2"}"#);
    assert_eq!(counter("store_get").await, gets);
    assert_ne!(
        ca.local_storage_handler_storage_key(),
        cb.local_storage_handler_storage_key()
    );
}

// ---------------------------------------------------------------- tampering

#[wasm_bindgen_test]
async fn the_server_refuses_tampered_data_with_the_old_signature() {
    let ns = "sm-tamper-data";
    let (m, id) = fresh(ns, "");
    let public = StorageManager::get_public_key(&id).unwrap();
    intercept(&public, "record");
    create(&m, r#"{"v":"original"}"#).await;
    let sent = recorded(&public).remove(0).3;
    let data = get_str(&sent, "data");
    let sig = get_str(&sent, "signature");

    // a raw update with one changed ciphertext digit and the signature of the original data
    let tampered = tamper_json_field(&data, "ciphertext");
    assert_ne!(tampered, data);
    let body = obj(&[
        ("key", s(&public)),
        ("data", s(&tampered)),
        ("signature", s(&sig)),
        ("namespace", s(ns)),
    ]);
    let r = store_call("PUT", "/v2/store/update", &body).await;
    assert_eq!(
        get(&r, "status").as_f64(),
        Some(400.0),
        "{:?}",
        get(&r, "text")
    );
    assert_eq!(get_str(&get(&r, "json"), "error"), "invalid_signature");
    // a raw set (overwrite) is refused the same way
    let r = store_call("POST", "/v2/store/set", &body).await;
    assert_eq!(get(&r, "status").as_f64(), Some(400.0));
    assert_eq!(authorize(&m).await.unwrap(), r#"{"v":"original"}"#);

    // through the SDK: data changed in flight is a typed HttpError 400 `invalid_signature`
    intercept(&public, "tamper-data");
    let err = wait(m.update_session(json(r#"{"v":"changed"}"#), None))
        .await
        .unwrap_err();
    stop_intercept(&public);
    assert_eq!(code(&err), "HTTP_ERROR");
    assert_class(&err, "HttpError");
    assert_eq!(status(&err), Some(400.0));
    assert_eq!(get_str(&get(&err, "body"), "error"), "invalid_signature");
    assert_eq!(authorize(&m).await.unwrap(), r#"{"v":"original"}"#);
}

#[wasm_bindgen_test]
async fn the_client_refuses_a_message_with_a_broken_mac() {
    let ns = "sm-tamper-msg";
    // a message whose MAC is broken, stored with a valid signature: the server cannot tell
    let id = StorageManager::generate_random_session_key().unwrap();
    let key = SessionKey::from_hex(&id).unwrap();
    let public = key.public_key_hex();
    let good = ecies::seal(&key.public_key_bytes(), br#"{"v":"stored"}"#)
        .await
        .unwrap()
        .to_json();
    let broken = tamper_json_field(&good, "mac");
    let body = obj(&[
        ("key", s(&public)),
        ("data", s(&broken)),
        (
            "signature",
            s(&signature::sign_keccak(&key, broken.as_bytes())),
        ),
        ("namespace", s(ns)),
        ("timeout", JsValue::from(60)),
    ]);
    let r = store_call("POST", "/v2/store/set", &body).await;
    assert_eq!(
        get(&r, "status").as_f64(),
        Some(200.0),
        "{:?}",
        get(&r, "text")
    );
    let m = same_session(ns, &id, r#""useLocalStorage":true"#);
    let err = authorize_err(&m).await;
    assert_eq!(code(&err), "DECRYPT_FAILED");
    assert_class(&err, "CryptoError");
    assert!(err.is_instance_of::<js_sys::Error>());
    // nothing was cached from the failed read
    assert_eq!(local_get(&cache_key(ns, &id)), None);

    // a message changed in flight (one ciphertext digit) is refused the same way
    let (m, id) = fresh(ns, "");
    create(&m, r#"{"v":"sdk"}"#).await;
    let public = StorageManager::get_public_key(&id).unwrap();
    intercept(&public, "tamper-message");
    let err = authorize_err(&m).await;
    stop_intercept(&public);
    assert_eq!(code(&err), "DECRYPT_FAILED");
    assert_eq!(authorize(&m).await.unwrap(), r#"{"v":"sdk"}"#);
}

// ---------------------------------------------------------------- the local cache

#[wasm_bindgen_test]
async fn the_cache_holds_ciphertext_and_serves_authorize() {
    let ns = "sm-cache";
    let (m, id) = fresh(ns, r#""useLocalStorage":true"#);
    let storage_key = cache_key(ns, &id);
    assert_eq!(
        m.local_storage_handler_storage_key().as_deref(),
        Some(storage_key.as_str())
    );
    let secret = "plaintext-marker-7f3a";
    create(&m, &format!(r#"{{"secret":"{secret}"}}"#)).await;
    let entry = local_get(&storage_key).expect("a cache entry after create");
    assert!(!entry.contains(secret), "{entry}");
    assert!(entry.contains("A256GCM"), "{entry}");

    // authorize is served from the cache: no request reaches the server
    let gets = counter("store_get").await;
    assert_eq!(
        authorize(&m).await.unwrap(),
        format!(r#"{{"secret":"{secret}"}}"#)
    );
    assert_eq!(counter("store_get").await, gets);

    let secret2 = "second-marker-91bc";
    update(&m, &format!(r#"{{"secret":"{secret2}"}}"#)).await;
    let entry = local_get(&storage_key).unwrap();
    assert!(
        !entry.contains(secret2) && !entry.contains(secret),
        "{entry}"
    );
    assert_eq!(
        authorize(&m).await.unwrap(),
        format!(r#"{{"secret":"{secret2}"}}"#)
    );

    // a manager reading from the server caches what it read, encrypted too
    let reader_key = SessionKey::from_hex(&id).unwrap();
    m.clear_storage().unwrap();
    assert_eq!(local_get(&storage_key), None);
    let reader = same_session(ns, &id, r#""useLocalStorage":true"#);
    authorize(&reader).await.unwrap();
    let entry = local_get(&storage_key).unwrap();
    assert!(!entry.contains(secret2), "{entry}");
    let plain = aead::open_envelope(&reader_key, &entry).await.unwrap();
    assert_eq!(
        String::from_utf8(plain).unwrap(),
        format!(r#"{{"secret":"{secret2}"}}"#)
    );

    // invalidate removes the entry
    wait(reader.invalidate_session(None)).await.unwrap();
    assert_eq!(local_get(&storage_key), None);
}

#[wasm_bindgen_test]
async fn a_corrupt_or_plaintext_cache_entry_is_removed_and_not_trusted() {
    let ns = "sm-cache-bad";
    // corrupt entry, nothing on the server: the read fails and the entry is gone
    let (m, id) = fresh(ns, r#""useLocalStorage":true"#);
    let storage_key = cache_key(ns, &id);
    local_set(&storage_key, "{corrupt");
    assert_gone(&authorize_err(&m).await);
    assert_eq!(local_get(&storage_key), None);

    // the original's plaintext entry: anyone could have written it, so the server is asked instead
    let (m, id) = fresh(ns, r#""useLocalStorage":true"#);
    let storage_key = cache_key(ns, &id);
    create(&m, r#"{"role":"user"}"#).await;
    local_set(&storage_key, r#"{"role":"admin"}"#);
    let gets = counter("store_get").await;
    assert_eq!(authorize(&m).await.unwrap(), r#"{"role":"user"}"#);
    assert_eq!(counter("store_get").await, gets + 1);
    let entry = local_get(&storage_key).unwrap();
    assert!(
        entry.contains("A256GCM") && !entry.contains("role"),
        "{entry}"
    );

    // an entry made with another session key does not decrypt either
    let other = SessionKey::generate();
    local_set(
        &storage_key,
        &aead::seal_envelope(&other, br#"{"role":"admin"}"#)
            .await
            .unwrap(),
    );
    assert_eq!(authorize(&m).await.unwrap(), r#"{"role":"user"}"#);
}

#[wasm_bindgen_test]
async fn clear_storage_and_clear_orphaned_data_remove_cache_entries() {
    let ns = "sm-cache-clear";
    let (a, id_a) = fresh(ns, r#""useLocalStorage":true"#);
    let (b, id_b) = fresh(ns, r#""useLocalStorage":true"#);
    let (c, id_c) = fresh("sm-cache-keep", r#""useLocalStorage":true"#);
    for m in [&a, &b, &c] {
        create(m, r#"{"x":1}"#).await;
    }
    a.clear_storage().unwrap();
    assert_eq!(local_get(&cache_key(ns, &id_a)), None);
    assert!(local_get(&cache_key(ns, &id_b)).is_some());
    // and the server copy is still there
    assert_eq!(authorize(&a).await.unwrap(), r#"{"x":1}"#);

    // only the entries whose name starts with baseKey (names are hashes of the public key, which
    // reveal nothing of the session id), then all of the namespace
    let name_b = cache_key(ns, &id_b)[ns.len() + 1..].to_owned();
    let other_prefix = if name_b.starts_with('f') { "e" } else { "f" };
    b.clear_orphaned_data(Some(other_prefix.to_owned()));
    assert!(local_get(&cache_key(ns, &id_b)).is_some());
    b.clear_orphaned_data(Some(name_b[..4].to_owned()));
    assert_eq!(local_get(&cache_key(ns, &id_b)), None);
    authorize(&a).await.unwrap();
    b.clear_orphaned_data(None);
    assert_eq!(local_get(&cache_key(ns, &id_a)), None);
    assert!(local_get(&cache_key("sm-cache-keep", &id_c)).is_some());

    // without useLocalStorage nothing is cached and nothing is cleared
    let (plain, id_p) = fresh(ns, "");
    create(&plain, r#"{"x":2}"#).await;
    assert_eq!(local_get(&cache_key(ns, &id_p)), None);
    plain.clear_storage().unwrap();
    plain.clear_orphaned_data(None);
    assert!(local_get(&cache_key("sm-cache-keep", &id_c)).is_some());
}

// ---------------------------------------------------------------- AES-256-GCM

#[wasm_bindgen_test]
async fn the_aes_gcm_scheme_round_trips_in_the_browser() {
    let ns = "sm-gcm";
    let (m, id) = fresh(ns, r#""scheme":"aes-gcm""#);
    let public = StorageManager::get_public_key(&id).unwrap();
    create(&m, r#"{"scheme":"gcm","n":1}"#).await;

    // the server holds a versioned envelope, not an ECIES payload
    let r = store_call(
        "POST",
        "/v2/store/get",
        &obj(&[("key", s(&public)), ("namespace", s(ns))]),
    )
    .await;
    let message = get_str(&get(&r, "json"), "message");
    assert!(aead::is_envelope(&message), "{message}");
    let envelope = json(&message);
    assert_eq!(get(&envelope, "v").as_f64(), Some(1.0));
    assert_eq!(get_str(&envelope, "alg"), "A256GCM");
    assert!(!message.contains("ephemPublicKey"));

    assert_eq!(authorize(&m).await.unwrap(), r#"{"scheme":"gcm","n":1}"#);
    update(&m, r#"{"scheme":"gcm","n":2}"#).await;
    assert_eq!(authorize(&m).await.unwrap(), r#"{"scheme":"gcm","n":2}"#);
    // an ECIES manager of the same session reads envelopes too
    let ecies_reader = same_session(ns, &id, "");
    assert_eq!(
        authorize(&ecies_reader).await.unwrap(),
        r#"{"scheme":"gcm","n":2}"#
    );

    // a changed envelope byte in flight is DECRYPT_FAILED
    intercept(&public, "tamper-message");
    let err = authorize_err(&m).await;
    stop_intercept(&public);
    assert_eq!(code(&err), "DECRYPT_FAILED");
    assert_class(&err, "CryptoError");

    // an aes-gcm manager does not accept an ECIES message (which anyone can make for the key)
    update(&ecies_reader, r#"{"scheme":"ecies"}"#).await;
    let err = authorize_err(&m).await;
    assert_eq!(code(&err), "DECRYPT_FAILED");

    wait(m.invalidate_session(None)).await.unwrap();
    assert_eq!(m.session_id(), None);
}
