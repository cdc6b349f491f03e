//! What the server-side session libraries offer: client IP and User-Agent at login and last refresh
//! in the session list, the status of ended sessions in the refresh error, lifecycle events to a
//! registered hook, revoke one / others / all.

use std::sync::{Arc, Mutex};

use serde_json::json;
use session_server::clock::FakeClock;
use session_server::lifecycle::{EventKind, SessionEvent};

use crate::common::{backend_store, test_settings, TestServer, START_MS};

#[tokio::test]
async fn the_session_list_shows_ip_and_user_agent_at_login_and_last_refresh() {
    let s = TestServer::start().await;
    let key = wasm_session_manager::core::crypto::SessionKey::generate();
    let body = json!({ "username": "alice", "public_key": key.public_key_hex() }).to_string();
    let r = s
        .request(
            "POST",
            "/v1/auth/login",
            &[("user-agent", "LoginBrowser/1.0")],
            Some(&body),
        )
        .await;
    let login = r.json();
    let body = json!({ "refresh_token": login["refresh_token"] }).to_string();
    let r = s
        .request(
            "POST",
            "/v1/auth/session",
            &[("user-agent", "RefreshBrowser/2.0\t(x)")],
            Some(&body),
        )
        .await;
    let access = r.json()["access_token"].as_str().unwrap().to_owned();
    let list = s.get_auth("/v1/auth/sessions", &access).await.json();
    let session = &list["sessions"][0];
    assert_eq!(session["ip"], "127.0.0.1", "{session}");
    assert_eq!(session["user_agent"], "LoginBrowser/1.0");
    assert_eq!(session["last_ip"], "127.0.0.1");
    assert_eq!(
        session["last_user_agent"], "RefreshBrowser/2.0(x)",
        "control characters dropped"
    );
    assert_eq!(session["status"], "active");
    assert_eq!(session["current"], true);
}

#[tokio::test]
async fn the_refresh_error_says_revoked_or_expired() {
    let s = TestServer::start().await;
    // Logged out elsewhere.
    let a = s.login("alice").await;
    let b = s.login("alice").await;
    let r = s
        .post_auth(
            "/v1/auth/sessions/revoke",
            &b.access,
            &json!({ "scope": "others" }),
        )
        .await;
    assert_eq!(r.json()["revoked"], 1);
    let r = s.refresh(&a.refresh).await;
    r.assert_error(401, "invalid_grant");
    assert_eq!(r.json()["session_status"], "revoked", "{}", r.text);
    let r = s.me(&a.access).await;
    r.assert_error(401, "invalid_token");
    assert_eq!(r.json()["session_status"], "revoked");
    // Expired (idle).
    let c = s.login("carol").await;
    s.clock.advance_secs(1801);
    let r = s.refresh(&c.refresh).await;
    r.assert_error(401, "invalid_grant");
    assert_eq!(r.json()["session_status"], "expired", "{}", r.text);
    // Asked again later: still expired, not "unknown" ...
    s.clock.advance_secs(86_000);
    let r = s.refresh(&c.refresh).await;
    assert_eq!(r.json()["session_status"], "expired", "{}", r.text);
    // ... until --status-retention (1 day) has passed.
    s.clock.advance_secs(401);
    let r = s.refresh(&c.refresh).await;
    r.assert_error(401, "invalid_grant");
    assert!(r.json().get("session_status").is_none(), "{}", r.text);
    // Never existed: no status.
    let r = s
        .refresh("0123456789abcdef0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        .await;
    r.assert_error(401, "invalid_grant");
    assert!(r.json().get("session_status").is_none(), "{}", r.text);
}

#[tokio::test]
async fn lifecycle_events_reach_the_registered_hook() {
    let events: Arc<Mutex<Vec<SessionEvent>>> = Arc::default();
    let sink = events.clone();
    let clock = FakeClock::new(START_MS);
    let (router, app) = session_server::build_app_with_events(
        test_settings(),
        backend_store(),
        Arc::new(clock.clone()),
        Arc::new(move |e: &SessionEvent| sink.lock().unwrap().push(e.clone())),
    );
    let s = TestServer::serve_router(router, app, clock).await;
    let a = s.login("alice").await;
    let r = s.refresh(&a.refresh).await.json();
    let next = r["refresh_token"].as_str().unwrap().to_owned();
    s.clock.advance_secs(11);
    s.refresh(&a.refresh)
        .await
        .assert_error(401, "invalid_grant"); // reuse
    let b = s.login("bob").await;
    s.post("/v1/auth/logout", &json!({ "refresh_token": b.refresh }))
        .await;
    let c = s.login("carol").await;
    s.clock.advance_secs(1801);
    s.refresh(&c.refresh).await;
    let _ = next;
    let seen: Vec<(EventKind, String, Option<String>)> = events
        .lock()
        .unwrap()
        .iter()
        .map(|e| (e.kind, e.user.clone(), e.reason.clone()))
        .collect();
    use EventKind::*;
    assert_eq!(
        seen,
        vec![
            (Created, "alice".into(), None),
            (Refreshed, "alice".into(), None),
            (
                ReuseDetected,
                "alice".into(),
                Some("parent token replayed after the grace window".into())
            ),
            (Created, "bob".into(), None),
            (Revoked, "bob".into(), Some("logout".into())),
            (Created, "carol".into(), None),
            (Expired, "carol".into(), None),
        ]
    );
    let all = events.lock().unwrap();
    assert_eq!(all[0].sid, a.sid);
    assert_eq!(all[0].at_ms, START_MS);
}

#[tokio::test]
async fn revoke_one_others_and_all() {
    let s = TestServer::start().await;
    let a = s.login("alice").await;
    let b = s.login("alice").await;
    let c = s.login("alice").await;
    let d = s.login("alice").await;
    let mallory = s.login("mallory").await;
    // One (not another user's).
    s.request(
        "DELETE",
        &format!("/v1/auth/sessions/{}", a.sid),
        &[("authorization", &format!("Bearer {}", mallory.access))],
        None,
    )
    .await
    .assert_error(404, "not_found");
    let r = s
        .request(
            "DELETE",
            &format!("/v1/auth/sessions/{}", a.sid),
            &[("authorization", &format!("Bearer {}", b.access))],
            None,
        )
        .await;
    assert_eq!(r.json(), json!({ "revoked": 1 }));
    s.me(&a.access).await.assert_error(401, "invalid_token");
    // Others.
    let r = s
        .post_auth(
            "/v1/auth/sessions/revoke",
            &b.access,
            &json!({ "scope": "others" }),
        )
        .await;
    assert_eq!(r.json(), json!({ "revoked": 2 }));
    assert_eq!(s.me(&b.access).await.status, 200);
    s.me(&c.access).await.assert_error(401, "invalid_token");
    s.me(&d.access).await.assert_error(401, "invalid_token");
    // All.
    let e = s.login("alice").await;
    let r = s
        .post_auth(
            "/v1/auth/sessions/revoke",
            &e.access,
            &json!({ "scope": "all" }),
        )
        .await;
    assert_eq!(r.json(), json!({ "revoked": 2 }));
    s.me(&b.access).await.assert_error(401, "invalid_token");
    s.me(&e.access).await.assert_error(401, "invalid_token");
    assert_eq!(s.me(&mallory.access).await.status, 200);
}

#[tokio::test]
async fn the_sweeper_ends_expired_sessions_in_memory_and_is_a_no_op_on_redis() {
    let s = TestServer::start().await;
    let old = s.login("alice").await;
    s.clock.advance_secs(1000);
    let young = s.login("bob").await;
    s.clock.advance_secs(801); // alice idle for 1801 s, bob for 801 s
    let swept = s.app.lifecycle.sweep().await.unwrap();
    let shared = s.app.lifecycle.store().is_shared();
    assert_eq!(swept, if shared { 0 } else { 1 });
    // Either way the expired one is over (and says so), the other lives.
    let r = s.refresh(&old.refresh).await;
    r.assert_error(401, "invalid_grant");
    assert_eq!(r.json()["session_status"], "expired", "{}", r.text);
    assert_eq!(s.refresh(&young.refresh).await.status, 200);
}
