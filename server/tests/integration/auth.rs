//! Login, refresh rotation, grace window, reuse detection, expiry, logout, session management.

use futures::future::join_all;
use serde_json::{json, Value};
use session_server::clock::Clock;
use wasm_session_manager::core::crypto::ecies;

use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::common::{InterleavingStore, Login, TestServer, START_MS};

fn claims(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn pair(r: &crate::common::Resp) -> (String, String) {
    assert_eq!(r.status, 200, "refresh: {}", r.text);
    let v = r.json();
    (
        v["access_token"].as_str().unwrap().to_owned(),
        v["refresh_token"].as_str().unwrap().to_owned(),
    )
}

fn decrypt(login: &Login, r: &crate::common::Resp) -> Value {
    let session_data = r.json()["session_data"].as_str().unwrap().to_owned();
    let plain = ecies::decrypt_json_str(&login.key, &session_data)
        .expect("SDK decrypts server session_data");
    serde_json::from_str(&plain).unwrap()
}

#[tokio::test]
async fn login_answers_tokens_and_refresh_returns_session_data_the_sdk_decrypts() {
    let s = TestServer::start().await;
    let data = json!({ "hello": "world", "n": [1, 2, 3] });
    let login = s
        .login_as(
            "alice",
            json!({ "session_data": data, "label": "laptop", "password": "x" }),
        )
        .await;
    let c = claims(&login.access);
    assert_eq!(c["sub"], "alice");
    assert_eq!(c["sid"], login.sid.as_str());
    assert_eq!(c["iss"], "session-server");
    assert_eq!(c["aud"], "wasm-session-manager");
    assert_eq!(c["exp"].as_u64().unwrap(), START_MS / 1000 + 900);
    for claim in ["jti", "iat"] {
        assert!(!c[claim].is_null(), "{claim}");
    }
    assert_eq!(claims(&login.id_token)["token_use"], "id");
    let (_, secret) = login.refresh.split_once('.').unwrap();
    assert!(secret.len() >= 43, "at least 256 bits");

    let r = s.refresh(&login.refresh).await;
    let (access, refresh) = pair(&r);
    assert_ne!(access, login.access);
    assert_ne!(refresh, login.refresh);
    assert_eq!(decrypt(&login, &r), data);
    assert_eq!(s.me(&access).await.json()["username"], "alice");
    // Earlier access tokens of a live session keep working until they expire.
    assert_eq!(s.me(&login.access).await.status, 200);
}

#[tokio::test]
async fn default_session_data_names_user_and_sid() {
    let s = TestServer::start().await;
    let login = s.login("bob").await;
    let r = s.refresh(&login.refresh).await;
    assert_eq!(
        decrypt(&login, &r),
        json!({ "username": "bob", "sid": login.sid })
    );
}

#[tokio::test]
async fn login_rejects_bad_input() {
    let s = TestServer::start().await;
    let key = wasm_session_manager::core::crypto::SessionKey::generate();
    let pk = key.public_key_hex();
    let not_on_curve = format!("04{}", "0".repeat(128));
    let cases = [
        json!({ "public_key": pk }),
        json!({ "username": "", "public_key": pk }),
        json!({ "username": "a\u{0}b", "public_key": pk }),
        json!({ "username": "a".repeat(200), "public_key": pk }),
        json!({ "username": "a" }),
        json!({ "username": "a", "public_key": "04abc" }),
        json!({ "username": "a", "public_key": not_on_curve }),
        json!({ "username": "a", "public_key": &pk[..66] }),
        json!({ "username": 5, "public_key": pk }),
        json!([1, 2]),
    ];
    for body in cases {
        s.post("/v1/auth/login", &body)
            .await
            .assert_error(400, "invalid_request");
    }
    assert_eq!(s.counters().await["login"], 10);
}

#[tokio::test]
async fn parent_inside_grace_window_answers_the_current_pair() {
    let s = TestServer::start().await;
    let login = s.login("alice").await;
    let first = pair(&s.refresh(&login.refresh).await);
    s.clock.advance_secs(5);
    let again = pair(&s.refresh(&login.refresh).await);
    assert_eq!(again, first, "no new pair minted inside the window");
    let next = pair(&s.refresh(&first.1).await);
    assert_ne!(next, first);
    assert_eq!(s.me(&next.0).await.status, 200);
}

#[tokio::test]
async fn parent_replayed_after_the_window_revokes_the_session() {
    let s = TestServer::start().await;
    let login = s.login("alice").await;
    let (access, current) = pair(&s.refresh(&login.refresh).await);
    s.clock.advance_secs(11);
    s.refresh(&login.refresh)
        .await
        .assert_error(401, "invalid_grant");
    s.refresh(&current).await.assert_error(401, "invalid_grant");
    s.me(&access).await.assert_error(401, "invalid_token");
}

#[tokio::test]
async fn grandparent_replayed_inside_the_window_revokes_the_session() {
    let s = TestServer::start().await;
    let login = s.login("alice").await;
    let (_, rt1) = pair(&s.refresh(&login.refresh).await);
    let (access, rt2) = pair(&s.refresh(&rt1).await);
    s.refresh(&login.refresh)
        .await
        .assert_error(401, "invalid_grant");
    s.refresh(&rt2).await.assert_error(401, "invalid_grant");
    s.me(&access).await.assert_error(401, "invalid_token");
}

#[tokio::test]
async fn ten_parallel_refreshes_rotate_once_and_share_the_new_pair() {
    let s = TestServer::start().await;
    let login = s.login("alice").await;
    let answers = join_all((0..10).map(|_| s.refresh(&login.refresh))).await;
    let pairs: Vec<_> = answers.iter().map(pair).collect();
    assert!(pairs.iter().all(|p| *p == pairs[0]), "{pairs:?}");
    for r in &answers {
        assert_eq!(
            decrypt(&login, r),
            json!({ "username": "alice", "sid": login.sid })
        );
    }
    assert_eq!(s.counters().await["refresh"], 10);
    let next = pair(&s.refresh(&pairs[0].1).await);
    assert_eq!(s.me(&next.0).await.status, 200, "the session survives");
    let sessions = s.get_auth("/v1/auth/sessions", &next.0).await.json();
    assert_eq!(sessions["sessions"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_parallel_refreshes_racing_on_compare_and_swap_still_rotate_once() {
    let store = Arc::new(InterleavingStore::default());
    let s = TestServer::start_on(store.clone(), |_| {}).await;
    for _ in 0..5 {
        let login = s.login("alice").await;
        let answers = join_all((0..10).map(|_| s.refresh(&login.refresh))).await;
        let pairs: Vec<_> = answers.iter().map(pair).collect();
        assert!(pairs.iter().all(|p| *p == pairs[0]), "{pairs:?}");
        assert_eq!(
            s.refresh(&pairs[0].1).await.status,
            200,
            "the session survives"
        );
    }
    assert!(
        store.conflicts.load(Ordering::SeqCst) > 0,
        "the race was real: some CAS lost"
    );
}

#[tokio::test]
async fn unknown_or_malformed_refresh_tokens_are_invalid_grant_without_revoking() {
    let s = TestServer::start().await;
    let login = s.login("alice").await;
    let forged = format!("{}.{}", login.sid, "A".repeat(43));
    for token in [
        forged.as_str(),
        "garbage",
        "x.y",
        &login.refresh[..40],
        "0123456789abcdef0123456789abcdef.AAAA",
    ] {
        s.refresh(token).await.assert_error(401, "invalid_grant");
    }
    s.post("/v1/auth/session", &json!({ "refresh_token": 5 }))
        .await
        .assert_error(400, "invalid_request");
    assert_eq!(
        s.refresh(&login.refresh).await.status,
        200,
        "a guessed token does not revoke"
    );
}

#[tokio::test]
async fn refresh_with_only_a_bearer_token_answers_the_current_token() {
    let s = TestServer::start().await;
    let login = s
        .login_as("alice", json!({ "session_data": {"k": 1} }))
        .await;
    for body in [Some("{}"), None] {
        let auth = format!("Bearer {}", login.access);
        let r = s
            .request(
                "POST",
                "/v1/auth/session",
                &[
                    ("authorization", &auth),
                    ("content-type", "application/json"),
                ],
                body,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json()["access_token"], login.access.as_str());
        assert_eq!(r.json()["refresh_token"], "");
        assert_eq!(decrypt(&login, &r), json!({"k": 1}));
    }
    s.post("/v1/auth/session", &json!({}))
        .await
        .assert_error(401, "invalid_grant");
    s.post_auth("/v1/auth/session", "not.a.token", &json!({}))
        .await
        .assert_error(401, "invalid_grant");
    s.clock.advance_secs(901);
    s.post_auth("/v1/auth/session", &login.access, &json!({}))
        .await
        .assert_error(401, "invalid_grant");
}

#[tokio::test]
async fn idle_timeout_ends_a_session_that_is_not_refreshed() {
    let s = TestServer::start_with(|c| {
        c.idle_timeout_secs = 60;
        c.access_ttl_secs = 600;
    })
    .await;
    let login = s.login("alice").await;
    s.clock.advance_secs(59);
    let (_, rt) = pair(&s.refresh(&login.refresh).await);
    s.clock.advance_secs(59);
    let (access, rt) = pair(&s.refresh(&rt).await);
    s.clock.advance_secs(60);
    s.me(&access).await.assert_error(401, "invalid_token");
    s.refresh(&rt).await.assert_error(401, "invalid_grant");
}

#[tokio::test]
async fn absolute_cap_is_never_extended_by_refreshes() {
    let s = TestServer::start_with(|c| {
        c.absolute_timeout_secs = 100;
        c.access_ttl_secs = 60;
        c.idle_timeout_secs = 1000;
    })
    .await;
    let login = s.login("alice").await;
    let cap = START_MS / 1000 + 100;
    s.clock.advance_secs(30);
    let (a1, rt) = pair(&s.refresh(&login.refresh).await);
    assert_eq!(claims(&a1)["exp"].as_u64().unwrap(), START_MS / 1000 + 90);
    s.clock.advance_secs(50);
    let (a2, rt) = pair(&s.refresh(&rt).await);
    assert_eq!(
        claims(&a2)["exp"].as_u64().unwrap(),
        cap,
        "access token capped at the absolute expiry"
    );
    let sessions = s.get_auth("/v1/auth/sessions", &a2).await.json();
    assert_eq!(
        sessions["sessions"][0]["absolute_expires_at"]
            .as_u64()
            .unwrap(),
        cap * 1000
    );
    s.clock.advance_secs(20);
    s.refresh(&rt).await.assert_error(401, "invalid_grant");
    s.me(&a2).await.assert_error(401, "invalid_token");
}

#[tokio::test]
async fn logout_revokes_by_refresh_token_or_bearer_and_is_idempotent() {
    let s = TestServer::start().await;
    let a = s.login("alice").await;
    let r = s
        .post_auth(
            "/v1/auth/logout",
            &a.access,
            &json!({ "refresh_token": a.refresh }),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({ "ok": true, "revoked": true }));
    s.refresh(&a.refresh)
        .await
        .assert_error(401, "invalid_grant");
    s.me(&a.access).await.assert_error(401, "invalid_token");
    let again = s
        .post("/v1/auth/logout", &json!({ "refresh_token": a.refresh }))
        .await;
    assert_eq!(again.json(), json!({ "ok": true, "revoked": false }));

    let b = s.login("alice").await;
    let r = s.post_auth("/v1/auth/logout", &b.access, &json!({})).await;
    assert_eq!(r.json()["revoked"], true);
    s.refresh(&b.refresh)
        .await
        .assert_error(401, "invalid_grant");
    assert_eq!(s.post("/v1/auth/logout", &json!({})).await.status, 200);
    assert_eq!(s.counters().await["logout"], 4);
}

#[tokio::test]
async fn sessions_are_listed_without_token_material_and_revoked_one_by_one() {
    let s = TestServer::start().await;
    let a = s.login_as("alice", json!({ "label": "phone" })).await;
    s.clock.advance_ms(5);
    let b = s.login("alice").await;
    let other = s.login("mallory").await;
    let r = s.get_auth("/v1/auth/sessions", &a.access).await;
    assert_eq!(r.status, 200);
    let list = r.json()["sessions"].as_array().unwrap().clone();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["id"], a.sid.as_str());
    assert_eq!(list[0]["label"], "phone");
    assert_eq!(list[0]["current"], true);
    assert_eq!(list[1]["current"], false);
    for field in [
        "created_at",
        "last_used_at",
        "idle_expires_at",
        "absolute_expires_at",
    ] {
        assert!(list[0][field].is_u64(), "{field}");
    }
    for secret in [&a.refresh, &b.refresh, &a.access, &b.access] {
        let tail = secret.rsplit(['.']).next().unwrap();
        assert!(!r.text.contains(tail));
    }
    assert!(!r.text.contains("hash") && !r.text.contains("public_key"));

    let delete = |id: String| {
        let auth = format!("Bearer {}", a.access);
        let s = &s;
        async move {
            s.request(
                "DELETE",
                &format!("/v1/auth/sessions/{id}"),
                &[("authorization", &auth)],
                None,
            )
            .await
        }
    };
    delete(other.sid.clone())
        .await
        .assert_error(404, "not_found");
    delete("nope".into()).await.assert_error(404, "not_found");
    assert_eq!(s.me(&other.access).await.status, 200);
    assert_eq!(delete(b.sid.clone()).await.status, 200);
    s.me(&b.access).await.assert_error(401, "invalid_token");
    assert_eq!(s.me(&a.access).await.status, 200);
}

#[tokio::test]
async fn revoke_others_keeps_the_current_session() {
    let s = TestServer::start().await;
    let a = s.login("alice").await;
    let b = s.login("alice").await;
    let c = s.login("alice").await;
    let r = s
        .post_auth(
            "/v1/auth/sessions/revoke",
            &b.access,
            &json!({ "scope": "others" }),
        )
        .await;
    assert_eq!(r.json(), json!({ "revoked": 2 }));
    s.me(&a.access).await.assert_error(401, "invalid_token");
    s.me(&c.access).await.assert_error(401, "invalid_token");
    assert_eq!(s.me(&b.access).await.status, 200);
    s.post_auth(
        "/v1/auth/sessions/revoke",
        &b.access,
        &json!({ "scope": "some" }),
    )
    .await
    .assert_error(400, "invalid_request");
    s.post_auth("/v1/auth/sessions/revoke", &b.access, &json!({}))
        .await
        .assert_error(400, "invalid_request");
}

#[tokio::test]
async fn revoke_all_rejects_earlier_tokens_while_a_login_in_the_same_millisecond_works() {
    let s = TestServer::start().await;
    let a = s.login("alice").await;
    let b = s.login("alice").await;
    let bob = s.login("bob").await;
    let before = s.clock.now_ms();
    let r = s
        .post_auth(
            "/v1/auth/sessions/revoke",
            &a.access,
            &json!({ "scope": "all" }),
        )
        .await;
    assert_eq!(r.json(), json!({ "revoked": 2 }));
    let c = s.login("alice").await;
    assert_eq!(s.clock.now_ms(), before, "same millisecond");
    s.me(&a.access).await.assert_error(401, "invalid_token");
    s.me(&b.access).await.assert_error(401, "invalid_token");
    s.refresh(&a.refresh)
        .await
        .assert_error(401, "invalid_grant");
    assert_eq!(s.me(&c.access).await.status, 200);
    assert_eq!(s.refresh(&c.refresh).await.status, 200);
    assert_eq!(s.me(&bob.access).await.status, 200, "other users untouched");
}

#[tokio::test]
async fn protected_endpoints_need_a_bearer_token() {
    let s = TestServer::start().await;
    for (method, path) in [
        ("GET", "/v1/me"),
        ("GET", "/v1/auth/sessions"),
        ("DELETE", "/v1/auth/sessions/abc"),
        ("POST", "/v1/auth/sessions/revoke"),
    ] {
        s.request(method, path, &[], Some("{}"))
            .await
            .assert_error(401, "invalid_token");
    }
    let r = s.request("GET", "/v1/me", &[], None).await;
    assert!(r.header("www-authenticate").unwrap().starts_with("Bearer"));
}
