//! StorageManager (PROTOCOL.md §7) over a fake transport: exact requests (method, URL, headers,
//! body field order), responses and errors, the encrypted local cache, the AES-GCM scheme, and a
//! round trip against an in-test session server that checks signatures.
//!
//! Expected values come from outside the code under test: the request `key` and the signatures are
//! checked against vectors computed with the original's libraries (tests/compat/fixed_vectors.mjs:
//! `eccrypto.getPublic`, `eccrypto.sign(key, keccak256(utf8(data)))`), and the signature of each
//! request's random `data` is recomputed with k256 and sha3 directly (not through
//! `core::crypto::signature`), a signer itself pinned to those vectors below.
// Native: the fake server and the synchronous crypto forms (the browser suites are tests/web_*.rs).
#![cfg(not(target_arch = "wasm32"))]

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use futures::executor::block_on;
use futures::future::{ready, LocalBoxFuture};
use futures::FutureExt;
use k256::ecdsa::signature::hazmat::PrehashSigner;
use k256::ecdsa::{Signature, SigningKey};
use serde_json::Value;
use sha3::{Digest, Keccak256};
use wasm_session_manager::core::crypto::ecies::{self, EciesPayload};
use wasm_session_manager::core::crypto::signature::verify_keccak;
use wasm_session_manager::core::crypto::{aead, SessionKey};
use wasm_session_manager::core::metadata::cache::cache_key;
use wasm_session_manager::core::metadata::manager::SESSION_EXPIRED_MESSAGE;
use wasm_session_manager::core::metadata::{
    generate_random_session_key, public_key_of, AllowedOrigin, Scheme, StorageManager,
    StorageManagerOptions,
};
use wasm_session_manager::core::storage::{MemoryStorage, StorageAdapter};
use wasm_session_manager::core::transport::{HttpRequest, HttpResponse, Method, Transport};
use wasm_session_manager::{AuthErrorCode, Error, Result};

const BASE: &str = "https://session.example";

/// A fixed session key and its uncompressed public key as `eccrypto.getPublic` gives it
/// (tests/compat/fixed_vectors.mjs: KEY_A, KEY_A_PUBLIC).
const KEY_A: &str = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
const KEY_A_PUBLIC: &str = "044e3b81af9c2234cad09d679ce6035ed1392347ce64ce405f5dcd36228a25de6e47fd35c4215d1edf53e6f83de344615ce719bdb0fd878f6ed76f06dd277956de";
/// `eccrypto.sign(KEY_A, keccak256(utf8("hello")))` and of `{"user":"ü","n":1}`, hex DER
/// (fixed_vectors.mjs: SIG_A_HELLO, SIG_A_UNICODE).
const SIG_A_HELLO: &str = "3045022100bc81bfc04b658485b9820cf4fac760c84f0fc628da21c9e64ed8aaede215e633022076cc1bfb23f9869c5b71a4069b48fce3ab0caaebc6bfb7a81cb12ac3b9b2f7b1";
const SIG_A_UNICODE: &str = "304502210097d348b55ba9cc30f67694306063cffe1dc2c0ac33d7bd70c860af9f9fd8c60f02207c0f562fee0aa49386a7786962b0baa7eb9fb7e3bed0ac9fbf6eb9d338490e9a";

/// The signature the original would send for `data` under `session_id`, computed with k256's
/// RFC 6979 signer over sha3's keccak256, low-S, hex DER: independent of the SDK's signing code.
fn reference_signature(session_id: &str, data: &str) -> String {
    let bytes = hex::decode(session_id.trim_start_matches("0x")).unwrap();
    let key = SigningKey::from_slice(&bytes).unwrap();
    let digest = Keccak256::digest(data.as_bytes());
    let sig: Signature = key.sign_prehash(&digest).unwrap();
    let sig = sig.normalize_s().unwrap_or(sig);
    hex::encode(sig.to_der().as_bytes())
}

#[test]
fn the_reference_signer_reproduces_eccrypto() {
    assert_eq!(reference_signature(KEY_A, "hello"), SIG_A_HELLO);
    assert_eq!(
        reference_signature(KEY_A, r#"{"user":"ü","n":1}"#),
        SIG_A_UNICODE
    );
}

// ---------------------------------------------------------------------------------------------
// Fakes

/// Records every request and answers with a queued response (default: 200 `{"message":"ok"}`).
#[derive(Default)]
struct FakeTransport {
    requests: RefCell<Vec<HttpRequest>>,
    responses: RefCell<Vec<Result<HttpResponse>>>,
}

impl FakeTransport {
    fn reply(&self, r: Result<HttpResponse>) {
        self.responses.borrow_mut().push(r);
    }
    fn last(&self) -> HttpRequest {
        self.requests.borrow().last().cloned().unwrap()
    }
    fn count(&self) -> usize {
        self.requests.borrow().len()
    }
}

fn json_response(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        status_text: if status == 200 {
            "OK".into()
        } else {
            "Error".into()
        },
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.into(),
        json: None,
        held: None,
    }
}

impl Transport for FakeTransport {
    fn send(&self, request: HttpRequest) -> LocalBoxFuture<'_, Result<HttpResponse>> {
        self.requests.borrow_mut().push(request);
        let next = if self.responses.borrow().is_empty() {
            Ok(json_response(200, r#"{"message":"ok"}"#))
        } else {
            self.responses.borrow_mut().remove(0)
        };
        ready(next).boxed_local()
    }
}

/// A minimal session server: checks the signature, stores `data` per (key, namespace), answers get.
#[derive(Default)]
struct FakeServer {
    store: RefCell<HashMap<(String, Option<String>), String>>,
    requests: RefCell<Vec<HttpRequest>>,
}

impl Transport for FakeServer {
    fn send(&self, request: HttpRequest) -> LocalBoxFuture<'_, Result<HttpResponse>> {
        self.requests.borrow_mut().push(request.clone());
        let body: Value = serde_json::from_str(request.body.as_deref().unwrap()).unwrap();
        let key = body["key"].as_str().unwrap().to_owned();
        let ns = body["namespace"].as_str().map(str::to_owned);
        let path = request.url.strip_prefix(BASE).unwrap();
        let resp = match (request.method, path) {
            (Method::Post, "/v2/store/set") | (Method::Put, "/v2/store/update") => {
                let data = body["data"].as_str().unwrap();
                let sig = body["signature"].as_str().unwrap();
                if verify_keccak(&key, data.as_bytes(), sig).is_err() {
                    json_response(400, r#"{"error":"invalid signature"}"#)
                } else if body["timeout"] == 1 {
                    self.store.borrow_mut().remove(&(key, ns));
                    json_response(200, r#"{"message":"ok"}"#)
                } else {
                    self.store.borrow_mut().insert((key, ns), data.to_owned());
                    json_response(200, r#"{"message":"ok"}"#)
                }
            }
            (Method::Post, "/v2/store/get") => match self.store.borrow().get(&(key, ns)) {
                Some(data) => {
                    json_response(200, &serde_json::json!({ "message": data }).to_string())
                }
                None => json_response(200, r#"{"message":""}"#),
            },
            _ => json_response(404, "{}"),
        };
        ready(Ok(resp)).boxed_local()
    }
}

/// A store where everything fails.
struct BrokenStorage;

impl StorageAdapter for BrokenStorage {
    fn get<'a>(&'a self, _: &'a str) -> LocalBoxFuture<'a, Result<Option<String>>> {
        ready(Err(Error::StorageUnavailable("blocked".into()))).boxed_local()
    }
    fn set<'a>(&'a self, _: &'a str, _: &'a str) -> LocalBoxFuture<'a, Result<()>> {
        ready(Err(Error::StorageWrite("quota".into()))).boxed_local()
    }
    fn remove<'a>(&'a self, _: &'a str) -> LocalBoxFuture<'a, Result<()>> {
        ready(Err(Error::StorageWrite("quota".into()))).boxed_local()
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// Options from a JSON object text (`sessionServerBaseUrl` set to [`BASE`]), filled in field by field
/// here, so that these tests depend on no serde derive of the options.
fn options(extra: &str) -> StorageManagerOptions {
    let json: Value = serde_json::from_str(&format!(r#"{{"unused":0{extra}}}"#)).unwrap();
    let text = |name: &str| json[name].as_str().map(str::to_owned);
    StorageManagerOptions {
        session_server_base_url: BASE.to_owned(),
        session_namespace: text("sessionNamespace"),
        session_time: json["sessionTime"].as_u64(),
        session_id: text("sessionId"),
        allowed_origin: match &json["allowedOrigin"] {
            Value::Bool(b) => Some(AllowedOrigin::Bool(*b)),
            Value::String(s) => Some(AllowedOrigin::Origin(s.clone())),
            _ => None,
        },
        use_local_storage: json["useLocalStorage"] == true,
        scheme: match json["scheme"].as_str() {
            Some("aes-gcm") => Scheme::AesGcm,
            _ => Scheme::Ecies,
        },
    }
}

fn manager(
    extra: &str,
    transport: Rc<dyn Transport>,
    cache: Option<Rc<MemoryStorage>>,
) -> StorageManager {
    let cache = cache.map(|c| c as Rc<dyn StorageAdapter>);
    StorageManager::new(&options(extra), transport, cache).unwrap()
}

fn with_session(extra: &str) -> (String, String) {
    let id = generate_random_session_key().unwrap();
    (id.clone(), format!(r#","sessionId":"{id}"{extra}"#))
}

/// The options of a session whose id is the fixed [`KEY_A`].
fn with_key_a(extra: &str) -> String {
    format!(r#","sessionId":"{KEY_A}"{extra}"#)
}

/// The exact body of a store request: the fields the test expects, in the original's order, with
/// the request's own (random) `data` and the reference signature of that data.
fn expected_store_body(req: &HttpRequest, namespace_origin_timeout: &str) -> String {
    let data = s(&body_of(req), "data");
    format!(
        r#"{{"key":"{KEY_A_PUBLIC}","data":{},"signature":"{}"{namespace_origin_timeout}}}"#,
        serde_json::to_string(&data).unwrap(),
        reference_signature(KEY_A, &data),
    )
}

fn body_of(req: &HttpRequest) -> Value {
    serde_json::from_str(req.body.as_deref().unwrap()).unwrap()
}

fn s(v: &Value, k: &str) -> String {
    v[k].as_str().unwrap().to_owned()
}

fn no_headers() -> Vec<(String, String)> {
    Vec::new()
}

/// Checks `data` and `signature` of a store request and returns the decrypted payload.
fn open_ecies(id: &str, req: &HttpRequest) -> String {
    let body = body_of(req);
    let key = SessionKey::from_hex(id).unwrap();
    verify_keccak(
        &key.public_key_hex(),
        s(&body, "data").as_bytes(),
        &s(&body, "signature"),
    )
    .unwrap();
    let payload = EciesPayload::from_json(&s(&body, "data")).unwrap();
    assert_eq!(
        payload.to_json(),
        s(&body, "data"),
        "data is the canonical eccrypto JSON"
    );
    String::from_utf8(ecies::decrypt(&key, &payload).unwrap()).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Requests

#[test]
fn create_request_exact() {
    let t = Rc::new(FakeTransport::default());
    let m = manager(
        &with_key_a(r#","sessionNamespace":"ns1","sessionTime":3600"#),
        t.clone(),
        None,
    );
    let returned = block_on(m.create_session(r#"{"user":"ü","n":1}"#, &no_headers())).unwrap();
    assert_eq!(returned, KEY_A);

    let req = t.last();
    assert_eq!(req.method, Method::Post);
    assert_eq!(req.url, format!("{BASE}/v2/store/set"));
    assert_eq!(
        req.headers,
        vec![(
            "Content-Type".to_owned(),
            "application/json; charset=utf-8".to_owned()
        )]
    );
    assert_eq!(req.timeout_ms, Some(60_000));
    let expected = expected_store_body(
        &req,
        r#","namespace":"ns1","allowedOrigin":"*","timeout":3600"#,
    );
    assert_eq!(req.body.as_deref(), Some(expected.as_str()));
    assert_eq!(open_ecies(KEY_A, &req), r#"{"user":"ü","n":1}"#);
}

#[test]
fn create_without_namespace_default_time_and_boolean_origin() {
    let t = Rc::new(FakeTransport::default());
    let m = manager(&with_key_a(r#","allowedOrigin":true"#), t.clone(), None);
    block_on(m.create_session("{}", &no_headers())).unwrap();
    let req = t.last();
    let expected = expected_store_body(&req, r#","allowedOrigin":true,"timeout":86400"#);
    assert_eq!(req.body.as_deref(), Some(expected.as_str()));
    assert_eq!(open_ecies(KEY_A, &req), "{}");
}

#[test]
fn update_request_exact() {
    let t = Rc::new(FakeTransport::default());
    let m = manager(
        &with_key_a(r#","sessionNamespace":"ns","allowedOrigin":"https://app.example""#),
        t.clone(),
        None,
    );
    block_on(m.update_session(r#"{"v":2}"#, &no_headers())).unwrap();
    let req = t.last();
    assert_eq!(req.method, Method::Put);
    assert_eq!(req.url, format!("{BASE}/v2/store/update"));
    let expected = expected_store_body(
        &req,
        r#","namespace":"ns","allowedOrigin":"https://app.example""#,
    );
    assert_eq!(req.body.as_deref(), Some(expected.as_str()));
    assert_eq!(open_ecies(KEY_A, &req), r#"{"v":2}"#);
}

#[test]
fn invalidate_request_exact_and_forgets_the_session() {
    let t = Rc::new(FakeTransport::default());
    let m = manager(&with_key_a(r#","sessionNamespace":"ns""#), t.clone(), None);
    assert!(block_on(m.invalidate_session(&no_headers())).unwrap());
    let req = t.last();
    assert_eq!(req.method, Method::Post);
    assert_eq!(req.url, format!("{BASE}/v2/store/set"));
    let expected = expected_store_body(&req, r#","namespace":"ns","timeout":1"#);
    assert_eq!(req.body.as_deref(), Some(expected.as_str()));
    assert_eq!(open_ecies(KEY_A, &req), "{}");
    assert_eq!(m.session_id(), None);
    let err = block_on(m.authorize_session(&no_headers())).unwrap_err();
    assert_eq!(err.code(), "NO_SESSION_ID");
    assert_eq!(err.to_string(), "Session id is required");
}

#[test]
fn authorize_request_exact_and_result() {
    let t = Rc::new(FakeTransport::default());
    let (id, extra) = (KEY_A, with_key_a(r#","sessionNamespace":"ns""#));
    let key = SessionKey::from_hex(id).unwrap();
    let message = ecies::encrypt(
        &key.public_key().unwrap(),
        br#"{"privKey":"abc","userInfo":{}}"#,
    )
    .to_json();
    t.reply(Ok(json_response(
        200,
        &serde_json::json!({ "message": message }).to_string(),
    )));
    let m = manager(&extra, t.clone(), None);
    let data = block_on(m.authorize_session(&no_headers())).unwrap();
    assert_eq!(data, r#"{"privKey":"abc","userInfo":{}}"#);
    let req = t.last();
    assert_eq!(req.method, Method::Post);
    assert_eq!(req.url, format!("{BASE}/v2/store/get"));
    let expected = format!(r#"{{"key":"{KEY_A_PUBLIC}","namespace":"ns"}}"#);
    assert_eq!(req.body.as_deref(), Some(expected.as_str()));

    // Without a namespace the field is omitted.
    let t = Rc::new(FakeTransport::default());
    t.reply(Ok(json_response(
        200,
        &serde_json::json!({ "message": message }).to_string(),
    )));
    let m = manager(&format!(r#","sessionId":"{id}""#), t.clone(), None);
    block_on(m.authorize_session(&no_headers())).unwrap();
    let expected = format!(r#"{{"key":"{KEY_A_PUBLIC}"}}"#);
    assert_eq!(t.last().body.as_deref(), Some(expected.as_str()));
}

#[test]
fn headers_are_passed_and_may_replace_content_type() {
    let t = Rc::new(FakeTransport::default());
    let (_, extra) = with_session("");
    let m = manager(&extra, t.clone(), None);
    let headers = vec![
        ("x-custom".to_owned(), "1".to_owned()),
        ("content-type".to_owned(), "application/json".to_owned()),
    ];
    block_on(m.create_session("{}", &headers)).unwrap();
    assert_eq!(
        t.last().headers,
        vec![
            ("x-custom".to_owned(), "1".to_owned()),
            ("content-type".to_owned(), "application/json".to_owned())
        ]
    );
    block_on(m.update_session("{}", &headers[..1])).unwrap();
    assert_eq!(
        t.last().headers,
        vec![
            (
                "Content-Type".to_owned(),
                "application/json; charset=utf-8".to_owned()
            ),
            ("x-custom".to_owned(), "1".to_owned())
        ]
    );
}

#[test]
fn session_id_is_normalised_and_keeps_case() {
    let t = Rc::new(FakeTransport::default());
    let m = manager(r#","sessionId":"AbC""#, t.clone(), None);
    assert_eq!(m.session_id(), Some(format!("0x{}AbC", "0".repeat(61))));
    assert_eq!(
        block_on(m.create_session("{}", &no_headers())).unwrap(),
        m.session_id().unwrap()
    );
    assert_eq!(m.set_session_id("0xzz"), Err(Error::InvalidSessionId));
    m.set_session_id(&"f".repeat(70)).unwrap();
    assert_eq!(m.session_id(), Some(format!("0x{}", "f".repeat(64))));
    // Out of the curve's range: a typed crypto error, no request sent.
    let before = t.count();
    assert!(matches!(
        block_on(m.create_session("{}", &no_headers())),
        Err(Error::Crypto(_))
    ));
    assert_eq!(t.count(), before);
}

// ---------------------------------------------------------------------------------------------
// Errors

#[test]
fn no_session_id_is_a_typed_error_for_every_operation() {
    let t = Rc::new(FakeTransport::default());
    let m = manager("", t.clone(), None);
    let h = no_headers();
    let errs = [
        block_on(m.create_session("{}", &h)).unwrap_err(),
        block_on(m.update_session("{}", &h)).unwrap_err(),
        block_on(m.authorize_session(&h)).unwrap_err(),
        block_on(m.invalidate_session(&h)).unwrap_err(),
        block_on(m.clear_storage()).unwrap_err(),
    ];
    for e in errs {
        assert_eq!(
            e,
            Error::auth(AuthErrorCode::NoSessionId, "Session id is required")
        );
    }
    assert_eq!(t.count(), 0);
}

#[test]
fn missing_message_is_session_expired() {
    for body in [
        r#"{}"#,
        r#"{"message":""}"#,
        r#"{"message":null}"#,
        r#"{"message":false}"#,
        "not json",
        "[]",
    ] {
        let t = Rc::new(FakeTransport::default());
        t.reply(Ok(json_response(200, body)));
        let (_, extra) = with_session("");
        let m = manager(&extra, t, None);
        let err = block_on(m.authorize_session(&no_headers())).unwrap_err();
        assert_eq!(err.to_string(), SESSION_EXPIRED_MESSAGE, "{body}");
        assert_eq!(err.code(), "SESSION_EXPIRED");
    }
    // session-server answers 404 for an unknown or expired key: the same error
    let t = Rc::new(FakeTransport::default());
    t.reply(Ok(json_response(
        404,
        r#"{"error":"not_found","error_description":"no data"}"#,
    )));
    let (_, extra) = with_session("");
    let m = manager(&extra, t, None);
    let err = block_on(m.authorize_session(&no_headers())).unwrap_err();
    assert_eq!(
        (err.code(), err.to_string().as_str()),
        ("SESSION_EXPIRED", SESSION_EXPIRED_MESSAGE)
    );

    let t = Rc::new(FakeTransport::default());
    t.reply(Ok(json_response(200, r#"{"message":{"iv":"00"}}"#)));
    let (_, extra) = with_session("");
    let m = manager(&extra, t, None);
    assert!(matches!(
        block_on(m.authorize_session(&no_headers())),
        Err(Error::MalformedResponse(_))
    ));
}

#[test]
fn tampered_or_foreign_message_is_decrypt_failed() {
    let (id, extra) = with_session("");
    let key = SessionKey::from_hex(&id).unwrap();
    let mut payload = ecies::encrypt(&key.public_key().unwrap(), br#"{"a":1}"#);
    payload.ciphertext[0] ^= 1;
    let other = ecies::encrypt(&SessionKey::generate().public_key().unwrap(), br#"{"a":1}"#);
    let error_obj = ecies::encrypt(&key.public_key().unwrap(), br#"{"error":"nope"}"#);
    let not_json = ecies::encrypt(&key.public_key().unwrap(), b"plain words");
    for message in [
        payload.to_json(),
        other.to_json(),
        error_obj.to_json(),
        not_json.to_json(),
        "{}".to_owned(),
    ] {
        let t = Rc::new(FakeTransport::default());
        t.reply(Ok(json_response(
            200,
            &serde_json::json!({ "message": message }).to_string(),
        )));
        let m = manager(&extra, t, None);
        let err = block_on(m.authorize_session(&no_headers())).unwrap_err();
        assert!(matches!(err, Error::Crypto(_)), "{message}: {err:?}");
        assert_eq!(err.code(), "DECRYPT_FAILED");
    }
}

#[test]
fn http_and_network_errors_pass_through() {
    let (_, extra) = with_session("");
    let t = Rc::new(FakeTransport::default());
    t.reply(Ok(json_response(400, r#"{"error":"invalid signature"}"#)));
    let m = manager(&extra, t.clone(), None);
    match block_on(m.create_session("{}", &no_headers())) {
        Err(Error::Http {
            status, url, body, ..
        }) => {
            assert_eq!(status, 400);
            assert_eq!(url, format!("{BASE}/v2/store/set"));
            assert!(body.contains("invalid signature"));
        }
        other => panic!("{other:?}"),
    }
    t.reply(Err(Error::Network("refused".into())));
    assert_eq!(
        block_on(m.authorize_session(&no_headers())),
        Err(Error::Network("refused".into()))
    );
    // A failed invalidate keeps the session id.
    t.reply(Ok(json_response(500, "{}")));
    assert!(block_on(m.invalidate_session(&no_headers())).is_err());
    assert!(m.session_id().is_some());
}

// ---------------------------------------------------------------------------------------------
// Local cache

#[test]
fn cache_holds_ciphertext_and_serves_authorize() {
    let t = Rc::new(FakeTransport::default());
    let cache = Rc::new(MemoryStorage::new());
    let (id, extra) = with_session(r#","sessionNamespace":"app","useLocalStorage":true"#);
    let m = manager(&extra, t.clone(), Some(cache.clone()));
    let secret = r#"{"privKey":"SECRET-VALUE"}"#;
    block_on(m.create_session(secret, &no_headers())).unwrap();

    let ck = cache_key(Some("app"), &id);
    assert!(ck.starts_with("app:") && ck.len() == 44, "{ck}");
    assert!(
        !ck.contains(&id[2..]),
        "the entry's name does not reveal the session id"
    );
    let entry = cache.get_now(&ck).expect("cached");
    assert!(!entry.contains("SECRET-VALUE"));
    assert!(aead::is_envelope(&entry));

    let before = t.count();
    assert_eq!(
        block_on(m.authorize_session(&no_headers())).unwrap(),
        secret
    );
    assert_eq!(t.count(), before, "served from the cache");

    block_on(m.update_session(r#"{"v":2}"#, &no_headers())).unwrap();
    assert_eq!(
        block_on(m.authorize_session(&no_headers())).unwrap(),
        r#"{"v":2}"#
    );

    block_on(m.clear_storage()).unwrap();
    assert_eq!(cache.get_now(&ck), None);
}

#[test]
fn cache_key_default_namespace() {
    // Fixed vector from Node's crypto: sha256("wsm-cache:" + the public key of 0x…01, i.e. G)
    // → first 40 hex digits.
    let id = format!("0x{}01", "0".repeat(62));
    assert_eq!(
        cache_key(None, &id),
        "w3a_session_manager_default:50f8204ac4654048d490959f44e9d66607b8d852"
    );
    let other = format!("0x{}02", "0".repeat(62));
    assert_ne!(cache_key(None, &other), cache_key(None, &id));
}

#[test]
fn corrupt_or_plaintext_cache_entry_is_removed_and_refetched() {
    let (id, extra) = with_session(r#","useLocalStorage":true"#);
    let key = SessionKey::from_hex(&id).unwrap();
    let ck = cache_key(None, &id);
    let other_key_entry = aead::encrypt_envelope(&SessionKey::generate(), b"{}");
    for bad in [
        "not json",
        r#"{"privKey":"plaintext as the original stores it"}"#,
        other_key_entry.as_str(),
    ] {
        let t = Rc::new(FakeTransport::default());
        let message = ecies::encrypt(&key.public_key().unwrap(), br#"{"from":"server"}"#).to_json();
        t.reply(Ok(json_response(
            200,
            &serde_json::json!({ "message": message }).to_string(),
        )));
        let cache = Rc::new(MemoryStorage::new());
        cache.set_now(&ck, bad);
        let m = manager(&extra, t.clone(), Some(cache.clone()));
        assert_eq!(
            block_on(m.authorize_session(&no_headers())).unwrap(),
            r#"{"from":"server"}"#
        );
        assert_eq!(t.count(), 1);
        // Re-cached, encrypted.
        let entry = cache.get_now(&ck).unwrap();
        assert!(aead::is_envelope(&entry));
        assert_eq!(
            aead::decrypt_envelope(&key, &entry).unwrap(),
            br#"{"from":"server"}"#
        );
    }
}

#[test]
fn cache_failure_never_fails_an_operation() {
    let t = Rc::new(FakeServer::default());
    let (_, extra) = with_session(r#","useLocalStorage":true"#);
    let m = StorageManager::new(&options(&extra), t.clone(), Some(Rc::new(BrokenStorage))).unwrap();
    let h = no_headers();
    block_on(m.create_session(r#"{"a":1}"#, &h)).unwrap();
    assert_eq!(block_on(m.authorize_session(&h)).unwrap(), r#"{"a":1}"#);
    block_on(m.update_session(r#"{"a":2}"#, &h)).unwrap();
    block_on(m.clear_storage()).unwrap();
    assert!(block_on(m.invalidate_session(&h)).unwrap());
}

#[test]
fn cache_unused_without_use_local_storage() {
    let t = Rc::new(FakeServer::default());
    let cache = Rc::new(MemoryStorage::new());
    let (id, extra) = with_session("");
    let m = manager(&extra, t.clone(), Some(cache.clone()));
    block_on(m.create_session("{}", &no_headers())).unwrap();
    block_on(m.authorize_session(&no_headers())).unwrap();
    assert_eq!(cache.get_now(&cache_key(None, &id)), None);
    assert_eq!(t.requests.borrow().len(), 2);
}

// ---------------------------------------------------------------------------------------------
// Schemes and a full round trip

#[test]
fn round_trip_against_a_signature_checking_server() {
    for scheme in ["ecies", "aes-gcm"] {
        let server = Rc::new(FakeServer::default());
        let (_, extra) = with_session(&format!(r#","sessionNamespace":"n","scheme":"{scheme}""#));
        let m = manager(&extra, server.clone(), None);
        let h = no_headers();
        block_on(m.create_session(r#"{"step":1}"#, &h)).unwrap();
        assert_eq!(block_on(m.authorize_session(&h)).unwrap(), r#"{"step":1}"#);
        block_on(m.update_session(r#"{"step":2}"#, &h)).unwrap();
        assert_eq!(block_on(m.authorize_session(&h)).unwrap(), r#"{"step":2}"#);
        // Another namespace sees nothing.
        let id = m.session_id().unwrap();
        let other = manager(
            &format!(r#","sessionId":"{id}","sessionNamespace":"other""#),
            server.clone(),
            None,
        );
        assert_eq!(
            block_on(other.authorize_session(&h)).unwrap_err().code(),
            "SESSION_EXPIRED"
        );
        block_on(m.invalidate_session(&h)).unwrap();
        let again = manager(
            &format!(r#","sessionId":"{id}","sessionNamespace":"n""#),
            server.clone(),
            None,
        );
        let err = block_on(again.authorize_session(&h)).unwrap_err();
        assert_eq!(err.to_string(), SESSION_EXPIRED_MESSAGE);
    }
}

#[test]
fn aes_gcm_scheme_sends_an_envelope_and_refuses_ecies() {
    let server = Rc::new(FakeServer::default());
    let (id, extra) = with_session(r#","scheme":"aes-gcm""#);
    let m = manager(&extra, server.clone(), None);
    block_on(m.create_session(r#"{"x":true}"#, &no_headers())).unwrap();
    let req = server.requests.borrow().last().cloned().unwrap();
    let data = s(&body_of(&req), "data");
    assert!(aead::is_envelope(&data));
    let key = SessionKey::from_hex(&id).unwrap();
    assert_eq!(
        aead::decrypt_envelope(&key, &data).unwrap(),
        br#"{"x":true}"#
    );

    // An ecies client of the same session reads it.
    let reader = manager(&format!(r#","sessionId":"{id}""#), server.clone(), None);
    assert_eq!(
        block_on(reader.authorize_session(&no_headers())).unwrap(),
        r#"{"x":true}"#
    );

    // An aes-gcm client refuses an ECIES message (anyone could make one for the public key).
    let t = Rc::new(FakeTransport::default());
    let message = ecies::encrypt(&key.public_key().unwrap(), br#"{"forged":1}"#).to_json();
    t.reply(Ok(json_response(
        200,
        &serde_json::json!({ "message": message }).to_string(),
    )));
    let strict = manager(&extra, t, None);
    assert_eq!(
        block_on(strict.authorize_session(&no_headers()))
            .unwrap_err()
            .code(),
        "DECRYPT_FAILED"
    );
}

#[test]
fn key_helpers() {
    let id = generate_random_session_key().unwrap();
    assert_eq!(id.len(), 66);
    assert!(id.starts_with("0x"));
    assert!(id[2..]
        .bytes()
        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    assert_ne!(generate_random_session_key().unwrap(), id);
    let pk = public_key_of(&id).unwrap();
    assert_eq!(pk.len(), 130);
    assert!(pk.starts_with("04"));
    // Fixed vectors of eccrypto.getPublic (fixed_vectors.mjs KEY_A_PUBLIC, KEY_B_PUBLIC: the
    // generator point), for every spelling of the session id.
    for spelling in [
        KEY_A.to_owned(),
        KEY_A[2..].to_owned(),
        KEY_A.to_uppercase().replacen("0X", "0x", 1),
    ] {
        assert_eq!(
            public_key_of(&spelling).unwrap(),
            KEY_A_PUBLIC,
            "{spelling}"
        );
    }
    assert_eq!(public_key_of("1").unwrap(), "0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8");
    assert_eq!(public_key_of("xyz"), Err(Error::InvalidSessionId));
    assert!(matches!(public_key_of("0"), Err(Error::Crypto(_))));
}
