//! Test hooks: counters, forced expiry, injected refresh failures and latency, the delay route.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::TestServer;

#[tokio::test]
async fn hooks_are_absent_without_the_flag() {
    let s = TestServer::start_with(|c| c.test_hooks = false).await;
    for (method, path) in [
        ("GET", "/test/counters"),
        ("POST", "/test/counters/reset"),
        ("POST", "/test/expire-access"),
        ("POST", "/test/next-refresh"),
        ("GET", "/test/delay?ms=1"),
        ("POST", "/test/expire-session"),
    ] {
        s.request(method, path, &[], Some("{}"))
            .await
            .assert_error(404, "not_found");
    }
}

#[tokio::test]
async fn counters_count_and_reset() {
    let s = TestServer::start().await;
    let login = s.login("alice").await;
    s.refresh(&login.refresh).await;
    s.refresh("bad").await;
    s.request("POST", "/v1/auth/session", &[], Some("{bad json"))
        .await;
    s.post("/v1/auth/logout", &json!({})).await;
    s.post("/v2/store/get", &json!({"key": "x"})).await;
    let r = s
        .request(
            "GET",
            "/test/counters",
            &[("origin", "http://localhost:1")],
            None,
        )
        .await;
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://localhost:1")
    );
    assert_eq!(
        r.json(),
        json!({"login": 1, "refresh": 3, "logout": 1, "store_set": 0, "store_get": 1, "store_update": 0})
    );
    assert_eq!(s.post("/test/counters/reset", &json!({})).await.status, 200);
    assert_eq!(
        s.counters().await,
        json!({"login": 0, "refresh": 0, "logout": 0, "store_set": 0, "store_get": 0, "store_update": 0})
    );
}

#[tokio::test]
async fn expire_access_rejects_issued_access_tokens_but_not_refresh_tokens() {
    let s = TestServer::start().await;
    let a = s.login("alice").await;
    let b = s.login("bob").await;
    let r = s
        .post("/test/expire-access", &json!({ "sid": a.sid }))
        .await;
    assert_eq!(r.status, 200);
    s.me(&a.access).await.assert_error(401, "invalid_token");
    assert_eq!(s.me(&b.access).await.status, 200);
    let fresh = s.refresh(&a.refresh).await.json();
    let access = fresh["access_token"].as_str().unwrap();
    assert_eq!(s.me(access).await.status, 200);

    // Without sid: every session. The grace-window answer re-mints a token that works.
    s.post("/test/expire-access", &json!({})).await;
    s.me(access).await.assert_error(401, "invalid_token");
    s.me(&b.access).await.assert_error(401, "invalid_token");
    let again = s.refresh(&a.refresh).await.json();
    assert_eq!(again["refresh_token"], fresh["refresh_token"]);
    assert_eq!(
        s.me(again["access_token"].as_str().unwrap()).await.status,
        200
    );
}

#[tokio::test]
async fn expire_session_forces_idle_expiry() {
    let s = TestServer::start().await;
    let a = s.login("alice").await;
    assert_eq!(
        s.post("/test/expire-session", &json!({ "sid": a.sid }))
            .await
            .status,
        200
    );
    s.refresh(&a.refresh)
        .await
        .assert_error(401, "invalid_grant");
    s.me(&a.access).await.assert_error(401, "invalid_token");
    s.post("/test/expire-session", &json!({ "sid": a.sid }))
        .await
        .assert_error(404, "not_found");
    s.post("/test/expire-session", &json!({}))
        .await
        .assert_error(400, "invalid_request");
}

#[tokio::test]
async fn next_refresh_injects_raw_failures_then_refreshes_normally() {
    let s = TestServer::start().await;
    let a = s.login("alice").await;
    let r = s
        .post(
            "/test/next-refresh",
            &json!({ "count": 2, "status": 502, "body": "<html>bad gateway</html>", "content_type": "text/html" }),
        )
        .await;
    assert_eq!(r.json()["pending"], 2);
    s.post(
        "/test/next-refresh",
        &json!({ "count": 1, "status": 200, "body": "{not json" }),
    )
    .await;
    for _ in 0..2 {
        let r = s.refresh(&a.refresh).await;
        assert_eq!(
            (r.status, r.text.as_str()),
            (502, "<html>bad gateway</html>")
        );
        assert_eq!(r.header("content-type"), Some("text/html"));
    }
    let r = s.refresh(&a.refresh).await;
    assert_eq!((r.status, r.text.as_str()), (200, "{not json"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        s.refresh(&a.refresh).await.status,
        200,
        "the injected calls did not rotate"
    );
    assert_eq!(s.counters().await["refresh"], 4);

    s.post("/test/next-refresh", &json!({ "count": 3, "status": 503 }))
        .await;
    assert_eq!(
        s.request("GET", "/test/next-refresh", &[], None)
            .await
            .json()["pending"],
        3
    );
    s.request("DELETE", "/test/next-refresh", &[], None).await;
    assert_eq!(
        s.request("GET", "/test/next-refresh", &[], None)
            .await
            .json()["pending"],
        0
    );
    s.post("/test/next-refresh", &json!({ "count": 1, "status": 99 }))
        .await
        .assert_error(400, "invalid_request");
    s.post("/test/next-refresh", &json!({}))
        .await
        .assert_error(400, "invalid_request");
}

#[tokio::test]
async fn next_refresh_delay_holds_the_call_then_refreshes() {
    let s = TestServer::start().await;
    let a = s.login("alice").await;
    s.post(
        "/test/next-refresh",
        &json!({ "count": 1, "delay_ms": 150 }),
    )
    .await;
    let started = Instant::now();
    let r = s.refresh(&a.refresh).await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(r.status, 200);
    assert_ne!(r.json()["refresh_token"], a.refresh.as_str());

    s.post(
        "/test/next-refresh",
        &json!({ "count": 1, "delay_ms": 100, "status": 500, "body": "{}" }),
    )
    .await;
    let started = Instant::now();
    let r = s.refresh("whatever").await;
    assert!(started.elapsed() >= Duration::from_millis(100));
    assert_eq!(r.status, 500);
}

#[tokio::test]
async fn next_refresh_after_delay_rotates_first_then_holds_the_answer() {
    let s = std::sync::Arc::new(TestServer::start().await);
    let a = s.login("alice").await;
    let r = s
        .post(
            "/test/next-refresh",
            &json!({ "count": 1, "after_delay_ms": 2000 }),
        )
        .await;
    assert_eq!(r.json(), json!({ "ok": true, "pending": 1 }));
    let started = Instant::now();
    let held = {
        let (s, token) = (s.clone(), a.refresh.clone());
        tokio::spawn(async move { s.refresh(&token).await })
    };
    // While the answer is held, the rotation is already committed (the stored session moved to a
    // new version; polled, not a fixed sleep: loaded machines are slow) ...
    let store = s.app.lifecycle.store().clone();
    let mut rotated = false;
    for _ in 0..500 {
        let record = store.get_session(&a.sid).await.unwrap().unwrap();
        if record.version > 1 {
            rotated = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        rotated,
        "the held refresh rotated before its answer was sent"
    );
    assert!(!held.is_finished(), "the held answer came early");
    // ... so the same token is now the parent inside its grace window and gets the new pair at once.
    let quick = s.refresh(&a.refresh).await;
    assert_eq!(quick.status, 200, "{}", quick.text);
    assert!(!held.is_finished(), "the held answer came early");
    let quick = quick.json();
    assert_ne!(quick["refresh_token"], a.refresh.as_str());
    let held = held.await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(2000));
    assert_eq!(held.status, 200);
    assert_eq!(held.json()["refresh_token"], quick["refresh_token"]);
    // One rotation only: the new token rotates normally and the queue is empty.
    let next = s.refresh(quick["refresh_token"].as_str().unwrap()).await;
    assert_eq!(next.status, 200);
    assert_eq!(
        s.request("GET", "/test/next-refresh", &[], None)
            .await
            .json()["pending"],
        0
    );

    // A refresh that fails is held too, and a canned answer is held after `delay_ms`.
    s.post(
        "/test/next-refresh",
        &json!({ "count": 1, "after_delay_ms": 120 }),
    )
    .await;
    let started = Instant::now();
    s.refresh("nope.nope")
        .await
        .assert_error(401, "invalid_grant");
    assert!(started.elapsed() >= Duration::from_millis(120));
    s.post(
        "/test/next-refresh",
        &json!({ "count": 1, "delay_ms": 60, "after_delay_ms": 60, "status": 502, "body": "x" }),
    )
    .await;
    let started = Instant::now();
    assert_eq!(s.refresh("whatever").await.status, 502);
    assert!(started.elapsed() >= Duration::from_millis(120));

    s.post(
        "/test/next-refresh",
        &json!({ "count": 1, "after_delay_ms": 120_001 }),
    )
    .await
    .assert_error(400, "invalid_request");
}

#[tokio::test]
async fn next_refresh_queue_is_bounded() {
    let s = TestServer::start().await;
    let body = "x".repeat(60_000);
    let r = s
        .post(
            "/test/next-refresh",
            &json!({ "count": 10_000, "status": 500, "body": body }),
        )
        .await;
    assert_eq!(r.json()["pending"], 10_000);
    s.post("/test/next-refresh", &json!({ "count": 1, "status": 500 }))
        .await
        .assert_error(400, "invalid_request");
    s.post("/test/next-refresh", &json!({ "count": 10_001 }))
        .await
        .assert_error(400, "invalid_request");
    s.request("DELETE", "/test/next-refresh", &[], None).await;
    assert_eq!(
        s.post("/test/next-refresh", &json!({ "count": 1 }))
            .await
            .json()["pending"],
        1
    );
}

#[tokio::test]
async fn counters_always_carry_every_field() {
    let s = TestServer::start().await;
    let fields = [
        "login",
        "logout",
        "refresh",
        "store_get",
        "store_set",
        "store_update",
    ];
    let check = |v: serde_json::Value| {
        let obj = v.as_object().expect("counters are an object").clone();
        for f in fields {
            assert!(obj[f].is_u64(), "{f} missing or not a number in {v}");
        }
    };
    // Fresh, after activity, after a reset: every field is there, as a number.
    check(s.counters().await);
    s.login("alice").await;
    check(s.counters().await);
    s.post("/test/counters/reset", &json!({})).await;
    let v = s.counters().await;
    check(v.clone());
    assert!(fields.iter().all(|f| v[*f] == 0));
}

#[tokio::test]
async fn delay_route_answers_after_the_delay() {
    let s = TestServer::start().await;
    for method in ["GET", "POST"] {
        let started = Instant::now();
        let r = s.request(method, "/test/delay?ms=120", &[], None).await;
        assert!(started.elapsed() >= Duration::from_millis(120));
        assert_eq!(r.json(), json!({ "ok": true }));
    }
    s.request("GET", "/test/delay?ms=99999999", &[], None)
        .await
        .assert_error(400, "invalid_request");
}
