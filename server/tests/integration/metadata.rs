//! The `/v2/store/*` metadata store (PROTOCOL.md §7) with signatures and ciphertext from the SDK.

use serde_json::{json, Value};
use wasm_session_manager::core::crypto::{aead, ecies, signature, SessionKey};

use crate::common::TestServer;

fn encrypted(key: &SessionKey, payload: &Value) -> String {
    ecies::encrypt(&key.public_key().unwrap(), payload.to_string().as_bytes()).to_json()
}

fn set_body(key: &SessionKey, payload: &Value, namespace: &str, extra: Value) -> Value {
    let data = encrypted(key, payload);
    let mut body = json!({
        "key": key.public_key_hex(),
        "data": data,
        "signature": signature::sign_keccak(key, data.as_bytes()),
        "namespace": namespace,
    });
    if let (Some(b), Value::Object(extra)) = (body.as_object_mut(), extra) {
        b.extend(extra);
    }
    body
}

async fn get(
    s: &TestServer,
    key: &str,
    namespace: &str,
    origin: Option<&str>,
) -> crate::common::Resp {
    let body = json!({ "key": key, "namespace": namespace }).to_string();
    let headers: Vec<(&str, &str)> = origin.map(|o| vec![("origin", o)]).unwrap_or_default();
    s.request("POST", "/v2/store/get", &headers, Some(&body))
        .await
}

#[tokio::test]
async fn set_get_update_round_trip_with_sdk_signatures_and_ciphertext() {
    let s = TestServer::start().await;
    let key = SessionKey::generate();
    let pk = key.public_key_hex();
    let r = s
        .post(
            "/v2/store/set",
            &set_body(
                &key,
                &json!({"user": "alice"}),
                "app",
                json!({"timeout": 86400}),
            ),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = get(&s, &pk, "app", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let message = r.json()["message"].as_str().unwrap().to_owned();
    assert_eq!(
        ecies::decrypt_json_str(&key, &message).unwrap(),
        r#"{"user":"alice"}"#
    );

    let update = set_body(&key, &json!({"user": "alice", "v": 2}), "app", json!({}));
    let r = s
        .request("PUT", "/v2/store/update", &[], Some(&update.to_string()))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let message = get(&s, &pk, "app", None).await.json()["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        ecies::decrypt_json_str(&key, &message).unwrap(),
        r#"{"user":"alice","v":2}"#
    );

    // The SDK's AES-256-GCM envelope is ciphertext too.
    let envelope = aead::encrypt_envelope(&key, b"{\"gcm\":true}");
    let body = json!({ "key": pk, "data": envelope, "signature": signature::sign_keccak(&key, envelope.as_bytes()), "namespace": "gcm" });
    assert_eq!(s.post("/v2/store/set", &body).await.status, 200);
    let message = get(&s, &pk, "gcm", None).await.json()["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        aead::decrypt_envelope(&key, &message).unwrap(),
        b"{\"gcm\":true}"
    );

    let c = s.counters().await;
    assert_eq!(
        (
            c["store_set"].as_u64(),
            c["store_get"].as_u64(),
            c["store_update"].as_u64()
        ),
        (Some(2), Some(3), Some(1))
    );
}

#[tokio::test]
async fn bad_keys_are_400_and_missing_entries_404() {
    let s = TestServer::start().await;
    let key = SessionKey::generate();
    let pk = key.public_key_hex();
    let compressed = &pk[..66];
    for bad in [
        "*",
        "../x",
        "",
        "04",
        compressed,
        "0x04abc",
        &pk.replace('0', "g"),
    ] {
        let mut body = set_body(&key, &json!({}), "", json!({}));
        body["key"] = json!(bad);
        s.post("/v2/store/set", &body)
            .await
            .assert_error(400, "invalid_key");
        s.request("PUT", "/v2/store/update", &[], Some(&body.to_string()))
            .await
            .assert_error(400, "invalid_key");
        get(&s, bad, "", None)
            .await
            .assert_error(400, "invalid_key");
    }
    for ns in ["../x", ".hidden", "a/b", "*?"] {
        s.post("/v2/store/set", &set_body(&key, &json!({}), ns, json!({})))
            .await
            .assert_error(400, "invalid_request");
        get(&s, &pk, ns, None)
            .await
            .assert_error(400, "invalid_request");
    }
    get(&s, &pk, "", None).await.assert_error(404, "not_found");
    let update = set_body(&key, &json!({}), "", json!({}));
    s.request("PUT", "/v2/store/update", &[], Some(&update.to_string()))
        .await
        .assert_error(404, "not_found");
}

#[tokio::test]
async fn another_users_key_cannot_be_written_and_namespaces_are_isolated() {
    let s = TestServer::start().await;
    let alice = SessionKey::generate();
    let mallory = SessionKey::generate();
    assert_eq!(
        s.post(
            "/v2/store/set",
            &set_body(&alice, &json!({"a": 1}), "ns1", json!({}))
        )
        .await
        .status,
        200
    );

    // Mallory signs with her own key but names Alice's.
    let mut forged = set_body(&mallory, &json!({"evil": 1}), "ns1", json!({}));
    forged["key"] = json!(alice.public_key_hex());
    s.post("/v2/store/set", &forged)
        .await
        .assert_error(400, "invalid_signature");
    s.request("PUT", "/v2/store/update", &[], Some(&forged.to_string()))
        .await
        .assert_error(400, "invalid_signature");
    // A signature over other data.
    let mut swapped = set_body(&alice, &json!({"a": 2}), "ns1", json!({}));
    swapped["data"] = json!(encrypted(&alice, &json!({"a": 3})));
    s.post("/v2/store/set", &swapped)
        .await
        .assert_error(400, "invalid_signature");
    for sig in ["", "zz", "3006020101020101"] {
        let mut bad = set_body(&alice, &json!({}), "ns1", json!({}));
        bad["signature"] = json!(sig);
        s.post("/v2/store/set", &bad)
            .await
            .assert_error(400, "invalid_signature");
    }

    get(&s, &alice.public_key_hex(), "ns2", None)
        .await
        .assert_error(404, "not_found");
    get(&s, &alice.public_key_hex(), "", None)
        .await
        .assert_error(404, "not_found");
    get(&s, &mallory.public_key_hex(), "ns1", None)
        .await
        .assert_error(404, "not_found");
    let message = get(&s, &alice.public_key_hex(), "ns1", None).await.json()["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        ecies::decrypt_json_str(&alice, &message).unwrap(),
        r#"{"a":1}"#
    );
}

#[tokio::test]
async fn only_ciphertext_is_stored() {
    let s = TestServer::start().await;
    let key = SessionKey::generate();
    for data in [
        r#"{"user":"alice"}"#,
        "plain text",
        r#"{"v":1,"alg":"A256GCM","secret":"x"}"#,
        r#"{"iv":"00","ephemPublicKey":"04","ciphertext":"","mac":"00"}"#,
    ] {
        let body = json!({ "key": key.public_key_hex(), "data": data, "signature": signature::sign_keccak(&key, data.as_bytes()) });
        s.post("/v2/store/set", &body)
            .await
            .assert_error(400, "invalid_data");
    }
}

#[tokio::test]
async fn timeout_expires_entries_and_the_invalidate_pattern_works() {
    let s = TestServer::start().await;
    let key = SessionKey::generate();
    let pk = key.public_key_hex();
    s.post(
        "/v2/store/set",
        &set_body(&key, &json!({"a": 1}), "", json!({"timeout": 60})),
    )
    .await;
    s.clock.advance_secs(59);
    assert_eq!(get(&s, &pk, "", None).await.status, 200);
    s.clock.advance_secs(1);
    get(&s, &pk, "", None).await.assert_error(404, "not_found");

    // Invalidate: set {} with timeout 1 and no allowedOrigin.
    s.post(
        "/v2/store/set",
        &set_body(&key, &json!({"a": 1}), "", json!({"timeout": 3600})),
    )
    .await;
    s.post(
        "/v2/store/set",
        &set_body(&key, &json!({}), "", json!({"timeout": 1})),
    )
    .await;
    s.clock.advance_ms(1000);
    get(&s, &pk, "", None).await.assert_error(404, "not_found");
    for timeout in [json!(0), json!(-5), json!("60"), json!(1e12)] {
        s.post(
            "/v2/store/set",
            &set_body(&key, &json!({}), "", json!({ "timeout": timeout })),
        )
        .await
        .assert_error(400, "invalid_request");
    }
}

#[tokio::test]
async fn allowed_origin_rules() {
    let s = TestServer::start().await;
    let key = SessionKey::generate();
    let pk = key.public_key_hex();
    let set = |ns: &str, allowed: Value, origin: Option<&str>| {
        let body = set_body(&key, &json!({}), ns, json!({ "allowedOrigin": allowed })).to_string();
        let origin = origin.map(str::to_owned);
        let s = &s;
        async move {
            let headers: Vec<(&str, &str)> = origin
                .as_deref()
                .map(|o| vec![("origin", o)])
                .unwrap_or_default();
            assert_eq!(
                s.request("POST", "/v2/store/set", &headers, Some(&body))
                    .await
                    .status,
                200
            );
        }
    };
    set("exact", json!("http://a.example"), None).await;
    set("any", json!("*"), None).await;
    set("bound", json!(true), Some("http://localhost:3000")).await;
    set("off", json!(false), Some("http://localhost:3000")).await;

    assert_eq!(
        get(&s, &pk, "exact", Some("http://a.example")).await.status,
        200
    );
    get(&s, &pk, "exact", Some("http://b.example"))
        .await
        .assert_error(403, "origin_not_allowed");
    get(&s, &pk, "exact", None)
        .await
        .assert_error(403, "origin_not_allowed");
    assert_eq!(
        get(&s, &pk, "any", Some("http://b.example")).await.status,
        200
    );
    assert_eq!(get(&s, &pk, "any", None).await.status, 200);
    assert_eq!(
        get(&s, &pk, "bound", Some("http://localhost:3000"))
            .await
            .status,
        200
    );
    get(&s, &pk, "bound", Some("http://localhost:3001"))
        .await
        .assert_error(403, "origin_not_allowed");
    assert_eq!(
        get(&s, &pk, "off", Some("http://b.example")).await.status,
        200
    );
    let bad = set_body(&key, &json!({}), "x", json!({ "allowedOrigin": 5 }));
    s.post("/v2/store/set", &bad)
        .await
        .assert_error(400, "invalid_request");
}
