//! Access-token verification: pinned algorithm, signature, claims, time; strict Bearer parsing.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::common::{TestServer, KEY, START_MS};

fn b64(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

fn hs256(key: &[u8], input: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(input.as_bytes());
    b64(&mac.finalize().into_bytes())
}

fn forge(header: &Value, claims: &Value) -> String {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let sig = hs256(&KEY, &input);
    format!("{input}.{sig}")
}

fn claims_for(sid: &str) -> Value {
    let now = START_MS / 1000;
    json!({
        "iss": "session-server", "aud": "wasm-session-manager", "sub": "alice", "sid": sid,
        "jti": "j", "iat": now, "nbf": now, "exp": now + 60, "token_use": "access", "ep": 0
    })
}

fn with(mut claims: Value, key: &str, value: Value) -> Value {
    claims[key] = value;
    claims
}

#[tokio::test]
async fn a_correctly_forged_token_passes_so_the_rejections_below_are_meaningful() {
    let s = TestServer::start().await;
    let login = s.login("alice").await;
    let token = forge(
        &json!({"alg": "HS256", "typ": "JWT"}),
        &claims_for(&login.sid),
    );
    assert_eq!(s.me(&token).await.status, 200);
}

#[tokio::test]
async fn tampered_and_confused_tokens_are_401() {
    let s = TestServer::start().await;
    let login = s.login("alice").await;
    let claims = claims_for(&login.sid);
    let hs = json!({"alg": "HS256", "typ": "JWT"});
    let now = START_MS / 1000;

    let payload = b64(claims.to_string().as_bytes());
    let none_header = b64(br#"{"alg":"none","typ":"JWT"}"#);
    let alg_none = format!("{none_header}.{payload}.");
    let alg_none_sig = format!(
        "{none_header}.{payload}.{}",
        hs256(&KEY, &format!("{none_header}.{payload}"))
    );
    let es256 = forge(&json!({"alg": "ES256", "typ": "JWT"}), &claims);
    let rs256 = forge(&json!({"alg": "RS256"}), &claims);
    let hs512 = forge(&json!({"alg": "HS512"}), &claims);
    let crit = forge(&json!({"alg": "HS256", "crit": ["exp"]}), &claims);

    let mut parts: Vec<String> = login.access.split('.').map(str::to_owned).collect();
    let mut edited: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
    edited["sub"] = json!("mallory");
    parts[1] = b64(edited.to_string().as_bytes());
    let edited_payload = parts.join(".");

    let wrong_key = {
        let input = format!("{}.{}", b64(hs.to_string().as_bytes()), payload);
        format!("{input}.{}", hs256(&[1; 32], &input))
    };
    let cases = [
        ("alg none", alg_none),
        ("alg none with signature", alg_none_sig),
        ("ES256 header (HS/ES confusion)", es256),
        ("RS256 header", rs256),
        ("HS512 header", hs512),
        ("crit header", crit),
        ("edited payload", edited_payload),
        ("wrong key", wrong_key),
        (
            "expired",
            forge(&hs, &with(claims.clone(), "exp", json!(now - 1))),
        ),
        (
            "expires now",
            forge(&hs, &with(claims.clone(), "exp", json!(now))),
        ),
        (
            "not yet valid",
            forge(&hs, &with(claims.clone(), "nbf", json!(now + 30))),
        ),
        (
            "issued in the future",
            forge(&hs, &with(claims.clone(), "iat", json!(now + 30))),
        ),
        (
            "wrong audience",
            forge(&hs, &with(claims.clone(), "aud", json!("other-app"))),
        ),
        (
            "audience array",
            forge(
                &hs,
                &with(claims.clone(), "aud", json!(["wasm-session-manager"])),
            ),
        ),
        (
            "wrong issuer",
            forge(&hs, &with(claims.clone(), "iss", json!("evil"))),
        ),
        (
            "id token as access token",
            forge(&hs, &with(claims.clone(), "token_use", json!("id"))),
        ),
        (
            "other user's sid",
            forge(&hs, &with(claims.clone(), "sub", json!("mallory"))),
        ),
        (
            "unknown session",
            forge(&hs, &with(claims.clone(), "sid", json!("00"))),
        ),
        (
            "missing exp",
            forge(&hs, &{
                let mut c = claims.clone();
                c.as_object_mut().unwrap().remove("exp");
                c
            }),
        ),
        (
            "two parts",
            format!("{}.{}", b64(hs.to_string().as_bytes()), payload),
        ),
        ("four parts", format!("{}.x", login.access)),
        ("padding", format!("{}=", login.access)),
        ("id_token", login.id_token.clone()),
    ];
    for (name, token) in cases {
        let r = s.me(&token).await;
        assert_eq!(r.status, 401, "{name}: {}", r.text);
        r.assert_error(401, "invalid_token");
    }
    assert_eq!(s.me(&login.access).await.status, 200);
}

#[tokio::test]
async fn access_tokens_expire_with_the_clock() {
    let s = TestServer::start_with(|c| c.access_ttl_secs = 1).await;
    let login = s.login("alice").await;
    assert_eq!(s.me(&login.access).await.status, 200);
    s.clock.advance_ms(1000);
    let r = s.me(&login.access).await;
    r.assert_error(401, "invalid_token");
    assert!(r.json()["error_description"]
        .as_str()
        .unwrap()
        .contains("expired"));
    let r = s.refresh(&login.refresh).await;
    assert_eq!(r.status, 200, "the refresh token outlives the access token");
    assert_eq!(
        s.me(r.json()["access_token"].as_str().unwrap())
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn authorization_header_is_parsed_strictly() {
    let s = TestServer::start().await;
    let login = s.login("alice").await;
    let t = &login.access;
    let single = [
        format!("bearer {t}"),
        format!("Bearer  {t}"),
        format!("BEARER {t}"),
        format!("Bearer {t} x"),
        format!("Bearer\t{t}"),
        "Bearer".to_owned(),
        "Bearer ".to_owned(),
        "bearer x".to_owned(),
        "Bearer  x".to_owned(),
        "Basic dXNlcjpwYXNz".to_owned(),
        format!("Token {t}"),
    ];
    for value in &single {
        let r = s
            .request("GET", "/v1/me", &[("authorization", value)], None)
            .await;
        r.assert_error(401, "invalid_token");
    }
    let ok = format!("Bearer {t}");
    let r = s
        .request(
            "GET",
            "/v1/me",
            &[("authorization", &ok), ("authorization", &ok)],
            None,
        )
        .await;
    r.assert_error(401, "invalid_token");
    let r = s
        .request(
            "GET",
            "/v1/me",
            &[("authorization", &ok), ("authorization", "Basic eA==")],
            None,
        )
        .await;
    r.assert_error(401, "invalid_token");
    assert_eq!(
        s.request("GET", "/v1/me", &[("authorization", &ok)], None)
            .await
            .status,
        200
    );
}
