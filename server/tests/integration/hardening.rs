//! Safe to expose: content types, CORS `*`, JSON errors everywhere, clock leeway, one clock read
//! per request, caps, rate limits, replay-safe metadata writes. Each test failed before its change.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::json;
use session_server::clock::{Clock, FakeClock};

use crate::common::{backend_store, TestServer, START_MS};

#[tokio::test]
async fn a_cross_site_form_post_is_refused_before_it_is_read() {
    let s = TestServer::start().await;
    let login = s.login("alice").await;
    let pk = login.key.public_key_hex();
    let form = format!("username=mallory&public_key={pk}");
    let json_text = json!({ "username": "mallory", "public_key": pk }).to_string();
    // The "simple" content types a page can post cross-site without a preflight, and none at all.
    for (content_type, body) in [
        ("application/x-www-form-urlencoded", form.as_str()),
        ("text/plain", json_text.as_str()),
        ("multipart/form-data; boundary=x", "--x--"),
        ("", json_text.as_str()),
    ] {
        let headers: Vec<(&str, &str)> = if content_type.is_empty() {
            vec![]
        } else {
            vec![("content-type", content_type)]
        };
        let r = raw_post(&s, "/v1/auth/login", &headers, body).await;
        r.assert_error(415, "unsupported_media_type");
        let r = raw_post(
            &s,
            "/v1/auth/logout",
            &headers,
            &json!({ "refresh_token": login.refresh }).to_string(),
        )
        .await;
        r.assert_error(415, "unsupported_media_type");
    }
    s.request(
        "PUT",
        "/v2/store/update",
        &[("content-type", "text/plain")],
        Some("{}"),
    )
    .await
    .assert_error(415, "unsupported_media_type");
    s.request(
        "POST",
        "/test/next-refresh",
        &[("content-type", "text/plain")],
        Some("{\"count\":1}"),
    )
    .await
    .assert_error(415, "unsupported_media_type");
    // The session survived the attempts; JSON with parameters and an empty body without a type pass.
    assert_eq!(s.me(&login.access).await.status, 200);
    let r = s
        .request(
            "POST",
            "/v1/auth/session",
            &[("content-type", "application/json; charset=utf-8")],
            Some(&json!({ "refresh_token": login.refresh }).to_string()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = raw_post(&s, "/v1/auth/logout", &[], "").await;
    assert_eq!(r.json(), json!({ "ok": true, "revoked": false }));
    // /v1/echo (no state) still echoes any body.
    let r = s
        .request(
            "POST",
            "/v1/echo",
            &[("content-type", "text/plain")],
            Some("\"x\""),
        )
        .await;
    assert_eq!(r.status, 200);
}

/// A POST whose headers are exactly `headers` (the common client adds a JSON type otherwise).
async fn raw_post(
    s: &TestServer,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> crate::common::Resp {
    let addr = s.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut request = format!("POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let (head, text) = answer.split_once("\r\n\r\n").expect(&answer);
    let mut lines = head.lines();
    let status = lines.next().unwrap()[9..12].parse().unwrap();
    let mut map = hyper::header::HeaderMap::new();
    for line in lines {
        let (name, value) = line.split_once(':').unwrap();
        map.append(
            hyper::header::HeaderName::from_bytes(name.trim().as_bytes()).unwrap(),
            hyper::header::HeaderValue::from_str(value.trim()).unwrap(),
        );
    }
    crate::common::Resp {
        status,
        headers: map,
        text: text.to_owned(),
    }
}

#[tokio::test]
async fn cors_star_answers_any_origin_without_credentials() {
    let s = TestServer::start_with(|c| {
        c.cors = session_server::cors::CorsPolicy::list(&["*".into()]).unwrap();
    })
    .await;
    let r = s
        .request(
            "GET",
            "/health",
            &[("origin", "https://evil.example")],
            None,
        )
        .await;
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(r.header("access-control-allow-credentials"), None);
    let r = s
        .request(
            "OPTIONS",
            "/v1/auth/session",
            &[
                ("origin", "https://evil.example"),
                ("access-control-request-method", "POST"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(r.header("access-control-allow-credentials"), None);
    // An allow-list still echoes the origin with credentials (the SDK's browser tests rely on it).
    let s = TestServer::start().await;
    let r = s
        .request("GET", "/health", &[("origin", "http://127.0.0.1:9")], None)
        .await;
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://127.0.0.1:9")
    );
    assert_eq!(r.header("access-control-allow-credentials"), Some("true"));
}

#[tokio::test]
async fn undecodable_paths_are_json_errors() {
    let s = TestServer::start().await;
    let login = s.login("alice").await;
    let auth = format!("Bearer {}", login.access);
    for path in [
        "/v1/auth/sessions/%FF",
        "/v1/auth/sessions/%C3%28",
        "/v1/auth/sessions/..%2F..%2Fx",
    ] {
        s.request("DELETE", path, &[("authorization", &auth)], None)
            .await
            .assert_error(404, "not_found");
    }
    assert_eq!(s.me(&login.access).await.status, 200);
}

#[tokio::test]
async fn tokens_from_an_instance_a_little_ahead_are_accepted() {
    // Instance A (clock 3 s ahead) mints; instance B verifies on the same store and key.
    let store = backend_store();
    let a = TestServer::start_on(store.clone(), |_| {}).await;
    let b = TestServer::start_on(store, |_| {}).await;
    a.clock.advance_ms(3_000);
    b.clock.advance_ms(0);
    let login = a.login("alice").await;
    assert_eq!(
        b.me(&login.access).await.status,
        200,
        "3 s ahead is within the leeway"
    );
    let r = b.refresh(&login.refresh).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // 30 s ahead is not.
    a.clock.advance_ms(27_000);
    let login = a.login("bob").await;
    b.me(&login.access).await.assert_error(401, "invalid_token");
    // Without leeway even 1 s is refused.
    let store = backend_store();
    let a = TestServer::start_on(store.clone(), |c| c.leeway_secs = 0).await;
    let b = TestServer::start_on(store, |c| c.leeway_secs = 0).await;
    a.clock.advance_ms(2_000);
    let login = a.login("carol").await;
    b.me(&login.access).await.assert_error(401, "invalid_token");
}

/// A fake clock that counts its reads.
#[derive(Debug)]
struct CountingClock {
    inner: FakeClock,
    reads: AtomicUsize,
}

impl Clock for CountingClock {
    fn now_ms(&self) -> u64 {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.inner.now_ms()
    }
}

#[tokio::test]
async fn every_request_reads_the_clock_once() {
    let fake = FakeClock::new(START_MS);
    let clock = Arc::new(CountingClock {
        inner: fake.clone(),
        reads: AtomicUsize::new(0),
    });
    let s = TestServer::start_with_clock(backend_store(), clock.clone(), fake, |_| {}).await;
    let reads = || clock.reads.load(Ordering::SeqCst);
    let mut before = reads();
    let login = s.login("alice").await;
    assert_eq!(reads() - before, 1, "login");
    before = reads();
    let r = s.refresh(&login.refresh).await;
    assert_eq!(reads() - before, 1, "refresh");
    let access = r.json()["access_token"].as_str().unwrap().to_owned();
    before = reads();
    s.refresh(&login.refresh).await; // grace answer
    assert_eq!(reads() - before, 1, "grace refresh");
    before = reads();
    assert_eq!(s.get_auth("/v1/auth/sessions", &access).await.status, 200);
    assert_eq!(reads() - before, 1, "session list");
    before = reads();
    assert_eq!(s.me(&access).await.status, 200);
    assert_eq!(reads() - before, 1, "Bearer check");
}

mod metadata_writes {
    use serde_json::{json, Value};
    use wasm_session_manager::core::crypto::{ecies, signature, SessionKey};

    use crate::common::TestServer;

    fn write_body(key: &SessionKey, payload: &Value, extra: Value) -> Value {
        let data =
            ecies::encrypt(&key.public_key().unwrap(), payload.to_string().as_bytes()).to_json();
        let mut body = json!({
            "key": key.public_key_hex(),
            "data": data,
            "signature": signature::sign_keccak(key, data.as_bytes()),
        });
        if let (Some(b), Value::Object(extra)) = (body.as_object_mut(), extra) {
            b.extend(extra);
        }
        body
    }

    async fn get_plain(s: &TestServer, key: &SessionKey, namespace: &str) -> Option<String> {
        let r = s
            .post(
                "/v2/store/get",
                &json!({ "key": key.public_key_hex(), "namespace": namespace }),
            )
            .await;
        (r.status == 200)
            .then(|| ecies::decrypt_json_str(key, r.json()["message"].as_str().unwrap()).unwrap())
    }

    #[tokio::test]
    async fn a_replayed_write_is_refused_while_what_it_wrote_lives() {
        let s = TestServer::start().await;
        let key = SessionKey::generate();
        let captured = write_body(&key, &json!({"user": "alice"}), json!({"timeout": 3600}));
        assert_eq!(s.post("/v2/store/set", &captured).await.status, 200);
        // The owner invalidates (the §7 pattern: ciphertext of {} with timeout 1).
        let invalidate = write_body(&key, &json!({}), json!({"timeout": 1}));
        assert_eq!(s.post("/v2/store/set", &invalidate).await.status, 200);
        s.clock.advance_secs(2);
        assert_eq!(get_plain(&s, &key, "").await, None, "invalidated");
        // The captured set, replayed as is or with another timeout / namespace / origin rule: refused.
        for extra in [
            json!({}),
            json!({"timeout": 7_776_000}),
            json!({"namespace": "other"}),
            json!({"allowedOrigin": "https://evil.example"}),
        ] {
            let mut replay = captured.clone();
            replay
                .as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            s.post("/v2/store/set", &replay)
                .await
                .assert_error(409, "replayed_write");
        }
        assert_eq!(get_plain(&s, &key, "").await, None, "still invalidated");
        assert_eq!(get_plain(&s, &key, "other").await, None);
        // An update replayed: refused too.
        let fresh = write_body(&key, &json!({"v": 1}), json!({"timeout": 3600}));
        assert_eq!(s.post("/v2/store/set", &fresh).await.status, 200);
        let update = write_body(&key, &json!({"v": 2}), json!({}));
        assert_eq!(
            s.request("PUT", "/v2/store/update", &[], Some(&update.to_string()))
                .await
                .status,
            200
        );
        let newer = write_body(&key, &json!({"v": 3}), json!({}));
        assert_eq!(
            s.request("PUT", "/v2/store/update", &[], Some(&newer.to_string()))
                .await
                .status,
            200
        );
        s.request("PUT", "/v2/store/update", &[], Some(&update.to_string()))
            .await
            .assert_error(409, "replayed_write");
        assert_eq!(get_plain(&s, &key, "").await.as_deref(), Some(r#"{"v":3}"#));
        // Once what the captured write wrote would have ended (1 h), it is forgotten.
        s.clock.advance_secs(3601);
        assert_eq!(s.post("/v2/store/set", &captured).await.status, 200);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn update_is_atomic_against_concurrent_writes() {
        let store = std::sync::Arc::new(crate::common::InterleavingStore::default());
        let s = TestServer::start_on(store, |_| {}).await;
        let key = SessionKey::generate();
        let set = write_body(&key, &json!({"v": 0}), json!({"timeout": 3600}));
        assert_eq!(s.post("/v2/store/set", &set).await.status, 200);
        // Twenty concurrent updates: every one succeeds, and the entry holds one of them whole.
        let bodies: Vec<Value> = (1..=20)
            .map(|i| write_body(&key, &json!({ "v": i }), json!({})))
            .collect();
        let answers = futures::future::join_all(bodies.iter().map(|b| {
            let text = b.to_string();
            let s = &s;
            async move { s.request("PUT", "/v2/store/update", &[], Some(&text)).await }
        }))
        .await;
        for r in &answers {
            assert_eq!(r.status, 200, "{}", r.text);
        }
        let value: Value = serde_json::from_str(&get_plain(&s, &key, "").await.unwrap()).unwrap();
        assert!((1..=20).contains(&value["v"].as_i64().unwrap()), "{value}");
    }

    #[tokio::test]
    async fn metadata_size_is_capped() {
        let s = TestServer::start_with(|c| c.max_metadata_bytes = 1024).await;
        let key = SessionKey::generate();
        let big = write_body(&key, &json!({ "x": "a".repeat(2000) }), json!({}));
        s.post("/v2/store/set", &big)
            .await
            .assert_error(413, "payload_too_large");
        let small = write_body(&key, &json!({ "x": "a" }), json!({}));
        assert_eq!(s.post("/v2/store/set", &small).await.status, 200);
    }
}

#[tokio::test]
async fn sessions_per_user_are_capped_and_the_oldest_is_evicted() {
    let s = TestServer::start_with(|c| c.max_sessions_per_user = 3).await;
    let mut logins = Vec::new();
    for _ in 0..3 {
        logins.push(s.login("alice").await);
        s.clock.advance_ms(10);
    }
    let bob = s.login("bob").await;
    let fourth = s.login("alice").await;
    let list = s.get_auth("/v1/auth/sessions", &fourth.access).await.json();
    let ids: Vec<&str> = list["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3, "{list}");
    assert!(
        !ids.contains(&logins[0].sid.as_str()),
        "the oldest was evicted"
    );
    let r = s.refresh(&logins[0].refresh).await;
    r.assert_error(401, "invalid_grant");
    assert_eq!(r.json()["session_status"], "revoked");
    assert_eq!(s.me(&logins[1].access).await.status, 200);
    assert_eq!(s.me(&bob.access).await.status, 200, "other users untouched");
}

#[tokio::test]
async fn session_data_size_is_capped() {
    let s = TestServer::start_with(|c| c.max_session_data_bytes = 100).await;
    let key = wasm_session_manager::core::crypto::SessionKey::generate();
    let body = json!({
        "username": "alice",
        "public_key": key.public_key_hex(),
        "session_data": { "x": "a".repeat(200) },
    });
    s.post("/v1/auth/login", &body)
        .await
        .assert_error(413, "payload_too_large");
    let body = json!({
        "username": "alice",
        "public_key": key.public_key_hex(),
        "session_data": { "x": 1 },
    });
    assert_eq!(s.post("/v1/auth/login", &body).await.status, 200);
}

#[tokio::test]
async fn logins_and_refreshes_are_rate_limited_per_ip() {
    let s = TestServer::start_with(|c| {
        c.login_rate = 3;
        c.refresh_rate = 4;
    })
    .await;
    let mut logins = Vec::new();
    for _ in 0..3 {
        logins.push(s.login("alice").await);
    }
    let key = wasm_session_manager::core::crypto::SessionKey::generate();
    let body = json!({ "username": "alice", "public_key": key.public_key_hex() });
    let r = s.post("/v1/auth/login", &body).await;
    r.assert_error(429, "rate_limited");
    assert_eq!(r.header("retry-after"), Some("1"));
    assert_eq!(r.json()["retry_after"], 1);
    // Refreshes have their own bucket.
    let mut token = logins[0].refresh.clone();
    for _ in 0..4 {
        let r = s.refresh(&token).await;
        assert_eq!(r.status, 200, "{}", r.text);
        token = r.json()["refresh_token"].as_str().unwrap().to_owned();
    }
    s.refresh(&token).await.assert_error(429, "rate_limited");
    // Bearer checks are not limited.
    assert_eq!(s.me(&logins[1].access).await.status, 200);
    // 20 s later one more login (3 a minute) is allowed, and 15 s one more refresh.
    s.clock.advance_secs(20);
    assert_eq!(s.post("/v1/auth/login", &body).await.status, 200);
    assert_eq!(s.refresh(&token).await.status, 200);
}

#[tokio::test]
async fn a_metadata_flood_with_fresh_keys_is_rate_limited() {
    use wasm_session_manager::core::crypto::{ecies, signature, SessionKey};
    let s = TestServer::start_with(|c| c.refresh_rate = 3).await;
    let set = || {
        // A fresh key per request, the longest timeout: what a flood would send.
        let key = SessionKey::generate();
        let data = ecies::encrypt(&key.public_key().unwrap(), b"{}").to_json();
        json!({
            "key": key.public_key_hex(),
            "data": data,
            "signature": signature::sign_keccak(&key, data.as_bytes()),
            "timeout": 7_776_000,
        })
    };
    for _ in 0..3 {
        assert_eq!(s.post("/v2/store/set", &set()).await.status, 200);
    }
    s.post("/v2/store/set", &set())
        .await
        .assert_error(429, "rate_limited");
    // Reads are not limited.
    s.post(
        "/v2/store/get",
        &json!({ "key": SessionKey::generate().public_key_hex() }),
    )
    .await
    .assert_error(404, "not_found");
}

#[tokio::test]
async fn x_forwarded_for_is_used_only_when_trusted() {
    let key = wasm_session_manager::core::crypto::SessionKey::generate();
    let body = json!({ "username": "alice", "public_key": key.public_key_hex() }).to_string();
    async fn login_from(s: &TestServer, body: &str, xff: &str) -> crate::common::Resp {
        s.request(
            "POST",
            "/v1/auth/login",
            &[("x-forwarded-for", xff)],
            Some(body),
        )
        .await
    }
    // Trusted: the last X-Forwarded-For address is the client, with its own bucket.
    let s = TestServer::start_with(|c| {
        c.trust_forwarded_for = true;
        c.login_rate = 1;
    })
    .await;
    let r = login_from(&s, &body, "6.6.6.6, 203.0.113.7").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let access = r.json()["access_token"].as_str().unwrap().to_owned();
    let list = s.get_auth("/v1/auth/sessions", &access).await.json();
    assert_eq!(list["sessions"][0]["ip"], "203.0.113.7", "{list}");
    assert_eq!(
        login_from(&s, &body, "203.0.113.8").await.status,
        200,
        "another client"
    );
    login_from(&s, &body, "6.6.6.6, 203.0.113.7")
        .await
        .assert_error(429, "rate_limited");
    // Not trusted (the default): the header is ignored.
    let s = TestServer::start_with(|c| c.login_rate = 1).await;
    let r = login_from(&s, &body, "203.0.113.7").await;
    let access = r.json()["access_token"].as_str().unwrap().to_owned();
    let list = s.get_auth("/v1/auth/sessions", &access).await.json();
    assert_eq!(list["sessions"][0]["ip"], "127.0.0.1");
    login_from(&s, &body, "203.0.113.9")
        .await
        .assert_error(429, "rate_limited");
}
