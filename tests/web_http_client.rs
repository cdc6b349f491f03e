//! Browser tests of `HttpClient` against session-server (PROTOCOL.md §8, issue 5). A recorder around
//! the page's `fetch` (tests/js/helpers.js) shows each request the SDK really sent: its token,
//! body, start and end.
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
    #[wasm_bindgen(js_name = recordFetches)]
    fn record_fetches();
    #[wasm_bindgen(js_name = fetchLog)]
    fn js_fetch_log(fragment: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = clearInjections)]
    fn js_clear_injections(base: &str) -> js_sys::Promise;
    fn cyclic() -> JsValue;
    #[wasm_bindgen(js_name = headersOf)]
    fn headers_of(pairs: JsValue) -> JsValue;
    #[wasm_bindgen(js_name = urlOf)]
    fn url_of(href: &str) -> JsValue;
    fn canonical(value: &JsValue) -> String;
    #[wasm_bindgen(js_name = answerNext)]
    fn answer_next(fragment: &str, count: u32, status: u16, headers: JsValue, body: JsValue);
}

/// One request the page sent, as the recorder saw it.
#[derive(Debug)]
struct Sent {
    method: String,
    authorization: Option<String>,
    headers: JsValue,
    body: Option<String>,
    start: f64,
    end: f64,
    status: Option<u16>,
    error: Option<String>,
}

/// The recorded requests whose URL contains `fragment`, in the order they were sent.
async fn sent(fragment: &str) -> Vec<Sent> {
    let log: js_sys::Array = wait(js_fetch_log(fragment)).await.unwrap().into();
    log.iter()
        .map(|e| Sent {
            method: get_str(&e, "method"),
            authorization: get(&e, "authorization").as_string(),
            headers: get(&e, "headers"),
            body: get(&e, "body").as_string(),
            start: get(&e, "start").as_f64().unwrap_or(f64::NAN),
            end: get(&e, "end").as_f64().unwrap_or(f64::NAN),
            status: get(&e, "status").as_f64().map(|s| s as u16),
            error: get(&e, "error").as_string(),
        })
        .collect()
}

fn header(s: &Sent, name: &str) -> Option<String> {
    get(&s.headers, name).as_string()
}

fn bearer(token: &str) -> Option<String> {
    Some(format!("Bearer {token}"))
}

fn manager(prefix: &str, extra: &str) -> AuthSessionManager {
    let opts = format!(
        r#"{{"apiClientConfig":{{"baseURL":"{}"{extra}}},"storageKeyPrefix":"{prefix}"}}"#,
        server()
    );
    AuthSessionManager::new(json(&opts)).unwrap()
}

fn tokens(l: &Login) -> JsValue {
    json(&format!(
        r#"{{"sessionId":"{}","accessToken":"{}","refreshToken":"{}","idToken":"{}"}}"#,
        l.session_id, l.access_token, l.refresh_token, l.id_token
    ))
}

/// A logged-in, authorized manager under `prefix` (and `extra` apiClientConfig fields), and a client
/// over it. Also drops refresh injections a failed earlier test may have left queued.
async fn session_with(prefix: &str, extra: &str) -> (AuthSessionManager, HttpClient, Login) {
    register_error_classes();
    wait(js_clear_injections(server())).await.unwrap();
    let l = login(prefix, r#"{"app":"http"}"#).await;
    let m = manager(prefix, extra);
    wait(m.set_tokens(tokens(&l))).await.unwrap();
    wait(m.authorize()).await.unwrap();
    assert!(m.is_authenticated());
    // authorize() rotated the tokens: keep the current ones
    let mut l = l;
    l.access_token = stored_access(prefix).unwrap();
    l.refresh_token = cookie_get(&format!("{prefix}:refresh_token")).unwrap();
    let client = HttpClient::new(&m);
    (m, client, l)
}

async fn session(prefix: &str) -> (AuthSessionManager, HttpClient, Login) {
    session_with(prefix, "").await
}

fn url(path: &str) -> JsValue {
    JsValue::from_str(&format!("{}{path}", server()))
}

fn authenticated() -> JsValue {
    json(r#"{"authenticated":true}"#)
}

/// From now on the server rejects every access token of session `sid`.
async fn expire_access(sid: &str) {
    post("/test/expire-access", &format!(r#"{{"sid":"{sid}"}}"#)).await;
}

fn stored_access(prefix: &str) -> Option<String> {
    local_get(&format!("{prefix}:access_token"))
}

fn all(promises: &[js_sys::Promise]) -> js_sys::Promise {
    js_sys::Promise::all(&promises.iter().collect::<js_sys::Array>())
}

fn now() -> f64 {
    js_sys::Date::now()
}

#[wasm_bindgen_test]
async fn twenty_five_concurrent_requests_on_an_expired_token_share_one_refresh() {
    let (m, client, l) = session("h1").await;
    expire_access(&l.sid).await;
    reset_counters().await;
    record_fetches();
    let bodies: Vec<JsValue> = (0..25)
        .map(|i| {
            json(&format!(
                r#"{{"i":{i},"text":"body {i} – ü ✓ \"quoted\"","nested":{{"list":[{i},true,null,1.5]}}}}"#
            ))
        })
        .collect();
    let calls: Vec<js_sys::Promise> = (0..25)
        .map(|i| {
            if i % 2 == 0 {
                client.get(url(&format!("/v1/me?i={i:02}")), authenticated())
            } else {
                client.post(
                    url(&format!("/v1/echo?i={i:02}")),
                    bodies[i].clone(),
                    authenticated(),
                )
            }
        })
        .collect();
    let results: js_sys::Array = wait(all(&calls))
        .await
        .expect("all 25 requests succeed")
        .into();

    assert_eq!(
        counter("refresh").await,
        1,
        "one refresh for 25 concurrent 401s"
    );
    let new_token = stored_access("h1").unwrap();
    assert_ne!(new_token, l.access_token);
    assert!(m.is_authenticated());
    let mut retried = 0;
    for (i, result) in results.iter().enumerate() {
        let path = if i % 2 == 0 {
            "/v1/me?i="
        } else {
            "/v1/echo?i="
        };
        let attempts = sent(&format!("{path}{i:02}")).await;
        let last = attempts.last().unwrap();
        assert!(
            (1..=2).contains(&attempts.len()),
            "request {i} went out {} times",
            attempts.len()
        );
        assert_eq!(last.authorization, bearer(&new_token), "request {i}");
        assert_eq!(last.status, Some(200));
        if attempts.len() == 2 {
            retried += 1;
            assert_eq!(attempts[0].authorization, bearer(&l.access_token));
            assert_eq!(attempts[0].status, Some(401));
            assert_eq!(attempts[0].body, last.body, "same body on the retry");
        }
        if i % 2 == 0 {
            assert_eq!(get_str(&result, "sid"), l.sid, "request {i}");
        } else {
            assert_eq!(get_str(&result, "method"), "POST");
            assert_eq!(get(&result, "authorization_present").as_bool(), Some(true));
            assert_eq!(
                canonical(&get(&result, "body")),
                canonical(&bodies[i]),
                "request {i}: the body arrived intact"
            );
            assert_eq!(
                last.body.as_deref().map(|b| canonical(&json(b))),
                Some(canonical(&bodies[i]))
            );
        }
    }
    // All 25 were sent with the token the server had just invalidated, so all were retried.
    assert_eq!(retried, 25);
    console_log!("25 concurrent requests: 1 refresh, 25 retried once, 25 succeeded");
    assert_eq!(sent("/v1/auth/session").await.len(), 1);
}

#[wasm_bindgen_test]
async fn a_request_made_while_authorize_refreshes_waits_and_goes_out_once_with_the_new_token() {
    let (m, client, l) = session("h2").await;
    let old_token = stored_access("h2").unwrap();
    assert_eq!(old_token, l.access_token);
    reset_counters().await;
    record_fetches();
    // The old token is still valid: sent before the refresh ends, it would be accepted, so only the
    // recorder tells whether the request waited. The server holds the refresh 3 s; the request is
    // made in the same turn in which the manager is seen refreshing, so it is made during it.
    post("/test/next-refresh", r#"{"count":1,"delay_ms":3000}"#).await;
    let refresh = m.authorize();
    wait_until("authorize() is refreshing", 10_000, || {
        m.core().is_refreshing()
    })
    .await;
    let request = client.get(url("/v1/me?h2"), authenticated());
    let answer = wait(request).await.unwrap();
    wait(refresh).await.unwrap();

    let new_token = stored_access("h2").unwrap();
    assert_ne!(new_token, old_token);
    let me = sent("/v1/me?h2").await;
    assert_eq!(me.len(), 1, "sent once");
    assert_eq!(
        me[0].authorization,
        bearer(&new_token),
        "with the new token"
    );
    let refreshes = sent("/v1/auth/session").await;
    assert_eq!(refreshes.len(), 1);
    assert!(
        me[0].start >= refreshes[0].end,
        "sent after the refresh answered ({} < {})",
        me[0].start,
        refreshes[0].end
    );
    assert_eq!(get_str(&answer, "sid"), l.sid);
    assert_eq!(counter("refresh").await, 1);
}

#[wasm_bindgen_test]
async fn a_request_made_while_another_request_refreshes_waits_and_goes_out_once() {
    let (m, client, l) = session("h3").await;
    expire_access(&l.sid).await;
    reset_counters().await;
    record_fetches();
    post("/test/next-refresh", r#"{"count":1,"delay_ms":3000}"#).await;
    let first = client.get(url("/v1/me?first"), authenticated());
    wait_until("the first request's 401 started a refresh", 10_000, || {
        m.core().is_refreshing()
    })
    .await;
    let second = client.post(url("/v1/echo?second"), json(r#"{"n":2}"#), authenticated());
    wait(first).await.unwrap();
    let echoed = wait(second).await.unwrap();

    let new_token = stored_access("h3").unwrap();
    let second_sent = sent("/v1/echo?second").await;
    assert_eq!(second_sent.len(), 1, "sent once, not retried");
    assert_eq!(second_sent[0].authorization, bearer(&new_token));
    assert!(second_sent[0].start >= sent("/v1/auth/session").await[0].end);
    assert_eq!(get(&get(&echoed, "body"), "n").as_f64(), Some(2.0));
    assert_eq!(sent("/v1/me?first").await.len(), 2);
    assert_eq!(counter("refresh").await, 1);
}

#[wasm_bindgen_test]
async fn a_401_after_the_retry_is_an_http_error_401_and_is_not_retried_again() {
    let (m, client, l) = session("h4").await;
    expire_access(&l.sid).await;
    reset_counters().await;
    record_fetches();
    // The refresh "succeeds" with an access token the server will refuse: the retry gets 401 too.
    post(
        "/test/next-refresh",
        &format!(
            r#"{{"count":1,"status":200,"body":"{{\"access_token\":\"refused-token\",\"refresh_token\":\"{}\"}}"}}"#,
            l.refresh_token
        ),
    )
    .await;
    let err = wait(client.get(url("/v1/me?h4"), authenticated()))
        .await
        .unwrap_err();
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_class(&err, "HttpError");
    assert_eq!(code(&err), "HTTP_ERROR");
    assert_eq!(get(&err, "status").as_f64(), Some(401.0));
    assert_eq!(get_str(&err, "statusText"), "Unauthorized");
    assert_eq!(get_str(&err, "url"), format!("{}/v1/me?h4", server()));
    assert_eq!(
        get_str(&get(&err, "body"), "error"),
        "invalid_token",
        "the body is parsed"
    );

    let me = sent("/v1/me?h4").await;
    assert_eq!(me.len(), 2, "the first try and one retry, no more");
    assert_eq!(me[0].authorization, bearer(&l.access_token));
    assert_eq!(me[1].authorization, bearer("refused-token"));
    assert_eq!(counter("refresh").await, 1, "no second refresh");

    // The same for a POST, whose 401 now comes with the refused token itself: one refresh (real this
    // time), one retry with the same body.
    reset_counters().await;
    let echoed = wait(client.post(url("/v1/echo?h4"), json(r#"{"a":[1]}"#), authenticated()))
        .await
        .unwrap();
    assert_eq!(get_str(&echoed, "method"), "POST");
    let posts = sent("/v1/echo?h4").await;
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0].body, posts[1].body);
    assert_eq!(counter("refresh").await, 1);
    assert!(m.is_authenticated());
}

#[wasm_bindgen_test]
async fn a_terminal_refresh_failure_is_session_expired_and_ends_the_session() {
    let (m, client, l) = session("h5").await;
    post("/test/expire-session", &format!(r#"{{"sid":"{}"}}"#, l.sid)).await;
    expire_access(&l.sid).await;
    reset_counters().await;
    let calls: Vec<js_sys::Promise> = (0..5)
        .map(|i| client.get(url(&format!("/v1/me?h5={i}")), authenticated()))
        .collect();
    for call in calls {
        let err = wait(call).await.unwrap_err();
        assert!(err.is_instance_of::<js_sys::Error>());
        assert_class(&err, "AuthError");
        assert_eq!(code(&err), "SESSION_EXPIRED");
    }
    assert_eq!(counter("refresh").await, 1);
    assert!(!m.is_authenticated(), "isAuthenticated() is false");
    assert_eq!(stored_access("h5"), None, "the session was cleared");
    assert_eq!(cookie_get("h5:refresh_token"), None);
    let state = wait(m.get_state()).await.unwrap();
    assert_eq!(get(&state, "isAuthenticated").as_bool(), Some(false));

    // Later authenticated calls fail the same way without asking the server for a refresh.
    let err = wait(client.get(url("/v1/me?h5=later"), authenticated()))
        .await
        .unwrap_err();
    assert_eq!(code(&err), "SESSION_EXPIRED");
    assert_eq!(counter("refresh").await, 1);
}

#[wasm_bindgen_test]
async fn a_transient_refresh_failure_is_a_typed_error_and_keeps_the_session() {
    let (m, client, l) = session("h6").await;
    expire_access(&l.sid).await;
    reset_counters().await;
    post(
        "/test/next-refresh",
        r#"{"count":1,"status":503,"body":"{}"}"#,
    )
    .await;
    let err = wait(client.get(url("/v1/me?h6"), authenticated()))
        .await
        .unwrap_err();
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_class(&err, "AuthError");
    assert_eq!(code(&err), "REFRESH_FAILED");
    assert_eq!(stored_access("h6"), Some(l.access_token.clone()), "kept");
    assert_eq!(
        cookie_get("h6:refresh_token"),
        Some(l.refresh_token.clone())
    );
    assert!(m.is_authenticated(), "still authenticated");

    // Once the server is back, the same session refreshes and the request succeeds. Until the
    // backoff after the failure has passed, a try is refused without asking the server (the same
    // REFRESH_FAILED); the server's counter shows that only the failed and the successful refresh
    // reached it.
    let start = now();
    let me = loop {
        match wait(client.get(url("/v1/me?h6"), authenticated())).await {
            Ok(me) => break me,
            Err(err) => {
                assert_class(&err, "AuthError");
                assert_eq!(code(&err), "REFRESH_FAILED", "{}", describe(&err));
                assert_eq!(counter("refresh").await, 1, "backing off: nothing sent");
                assert!(now() - start < 30_000.0, "never refreshed again");
                wasm_session_manager::web::timer::sleep(100).await;
            }
        }
    };
    assert_eq!(get_str(&me, "sid"), l.sid);
    assert_eq!(counter("refresh").await, 2);
}

#[wasm_bindgen_test]
async fn network_failures_have_their_own_code_and_keep_the_session() {
    let (m, client, l) = session("h7").await;
    // nothing listens on port 9 of loopback
    for options in [JsValue::UNDEFINED, authenticated()] {
        let err = wait(client.get("http://127.0.0.1:9/v1/me".into(), options))
            .await
            .unwrap_err();
        assert_class(&err, "HttpError");
        assert_eq!(code(&err), "NETWORK");
    }
    assert_eq!(stored_access("h7"), Some(l.access_token));
    assert!(m.is_authenticated());
}

/// Names that differ in case only are sent once with both values, as `Headers.append` joins them
/// (the options reader keeps the last value of a name given twice, as an object would); a name an
/// object literal would take for its prototype is sent as any other; a name or value `fetch`
/// refuses fails the call with a typed error, not an exception.
#[wasm_bindgen_test]
async fn headers_given_twice_and_names_fetch_refuses() {
    let (_, client, _) = session("h11").await;
    record_fetches();
    let twice = js_sys::Object::new();
    let pairs = json(r#"[["x-dup","a"],["x-dup","b"],["X-Dup","c"]]"#);
    js_sys::Reflect::set(&twice, &"headers".into(), &pairs).unwrap();
    wait(client.get(url("/v1/echo?dup"), twice.into()))
        .await
        .unwrap();
    assert_eq!(
        header(&sent("dup").await[0], "x-dup").as_deref(),
        Some("b, c")
    );
    // A name an object literal would take for its prototype is sent as any other.
    let proto = js_sys::Object::new();
    let pairs = json(r#"[["__proto__","p"],["x-after","1"]]"#);
    js_sys::Reflect::set(&proto, &"headers".into(), &pairs).unwrap();
    wait(client.get(url("/v1/echo?proto"), proto.into()))
        .await
        .unwrap();
    let s = &sent("proto").await[0];
    assert_eq!(header(s, "__proto__").as_deref(), Some("p"));
    assert_eq!(header(s, "x-after").as_deref(), Some("1"));
    for bad in [
        r#"{"headers":{"bad name":"v"}}"#,
        r#"{"headers":{"x-ok":"line\nbreak"}}"#,
    ] {
        let err = wait(client.get(url("/v1/echo?bad"), json(bad)))
            .await
            .unwrap_err();
        assert_class(&err, "HttpError");
        assert_eq!(code(&err), "NETWORK", "{bad}");
    }
}

/// Sends `call` and gives its error and how long it took (ms).
async fn timed_error(call: js_sys::Promise, start: f64) -> (JsValue, f64) {
    let err = wait(call).await.unwrap_err();
    (err, now() - start)
}

/// The slow route answers after 30 s: a timeout that works rejects long before, with the fetch
/// itself aborted; no upper bound tighter than the server's answer is asserted, so load cannot fail it.
#[wasm_bindgen_test]
async fn timeouts_abort_get_and_post_before_the_server_answers() {
    let (_, client, _) = session("h8").await;
    record_fetches();
    let opts = |extra: &str| json(&format!(r#"{{"timeout":300{extra}}}"#));
    let cases = [
        ("GET", "ms=30000&get", opts("")),
        ("GET", "ms=30000&get-auth", opts(r#","authenticated":true"#)),
        ("POST", "ms=30000&post", opts("")),
        (
            "POST",
            "ms=30000&post-auth",
            opts(r#","authenticated":true"#),
        ),
    ];
    for (method, query, options) in cases {
        let target = url(&format!("/test/delay?{query}"));
        let start = now();
        let call = if method == "GET" {
            client.get(target, options)
        } else {
            client.post(target, json(r#"{"x":1}"#), options)
        };
        let (err, took) = timed_error(call, start).await;
        assert_class(&err, "HttpError");
        assert_eq!(code(&err), "TIMEOUT", "{query}");
        assert!(get_str(&err, "url").ends_with(query));
        // Timers never fire early; load only makes them later.
        assert!(took >= 290.0, "{query}: not before the timeout ({took} ms)");
        assert!(
            took < 30_000.0,
            "{query}: rejected before the server's 30 s answer ({took} ms)"
        );
        console_log!("timeout 300 ms, {method} {query}: rejected after {took} ms");
        let sent = sent(query).await;
        assert_eq!(sent.len(), 1, "{query}: never retried");
        assert_eq!(sent[0].method, method);
        assert_eq!(
            sent[0].error.as_deref(),
            Some("AbortError"),
            "{query}: the fetch itself was aborted"
        );
    }

    // Without a per-request timeout, apiClientConfig.timeout applies.
    let (_, client, _) = session_with("h8b", r#","timeout":300"#).await;
    let start = now();
    let (err, took) = timed_error(
        client.get(url("/test/delay?ms=30000&default"), JsValue::UNDEFINED),
        start,
    )
    .await;
    assert_eq!(code(&err), "TIMEOUT");
    assert!(took >= 290.0, "default timeout: not before it ({took} ms)");
    assert!(took < 30_000.0, "default timeout: took {took} ms");
    assert_eq!(
        sent("ms=30000&default").await[0].error.as_deref(),
        Some("AbortError")
    );
}

/// The requests' timeouts share one timer (the snippet's `watch`), armed for the earliest deadline:
/// a short timeout started after a long one must not wait for the long one's timer, and the long one
/// must still time out once the short one's has fired. Order, not durations: load cannot reorder
/// deadlines 1.2 s apart.
#[wasm_bindgen_test]
async fn requests_in_flight_together_each_time_out_at_their_own_bound() {
    let (_, client, _) = session("h8c").await;
    let start = now();
    let long = client.get(
        url("/test/delay?ms=30000&long"),
        json(r#"{"timeout":1500}"#),
    );
    let short = client.get(
        url("/test/delay?ms=30000&short"),
        json(r#"{"timeout":300}"#),
    );
    let ((long_err, long_took), (short_err, short_took)) =
        futures::join!(timed_error(long, start), timed_error(short, start));
    assert_eq!(code(&short_err), "TIMEOUT");
    assert_eq!(code(&long_err), "TIMEOUT");
    assert!(
        short_took >= 290.0,
        "short: not before its bound ({short_took} ms)"
    );
    assert!(
        long_took >= 1490.0,
        "long: not before its bound ({long_took} ms)"
    );
    assert!(
        short_took < long_took,
        "the short timeout fired first ({short_took} / {long_took} ms)"
    );
    assert!(
        long_took < 30_000.0,
        "long: rejected before the server's answer"
    );
    // The timer is armed again for a request after the others are over.
    let start = now();
    let (err, took) = timed_error(
        client.get(
            url("/test/delay?ms=30000&after"),
            json(r#"{"timeout":300}"#),
        ),
        start,
    )
    .await;
    assert_eq!(code(&err), "TIMEOUT");
    assert!((290.0..30_000.0).contains(&took), "after: {took} ms");
}

#[wasm_bindgen_test]
async fn unauthenticated_requests_during_a_refresh_go_out_at_once_without_a_token_and_never_retry()
{
    let (m, client, l) = session("h9").await;
    expire_access(&l.sid).await;
    reset_counters().await;
    record_fetches();
    post("/test/next-refresh", r#"{"count":1,"delay_ms":5000}"#).await;
    let authed = client.get(url("/v1/me?h9"), authenticated());
    wait_until(
        "the authenticated request's 401 started a refresh",
        10_000,
        || m.core().is_refreshing(),
    )
    .await;

    let got = wait(client.get(url("/v1/echo?h9-get"), JsValue::UNDEFINED))
        .await
        .unwrap();
    let posted = wait(client.post(
        url("/v1/echo?h9-post"),
        json(r#"{"p":1}"#),
        json(r#"{"authenticated":false}"#),
    ))
    .await
    .unwrap();
    // The event that matters: both were answered while the (5 s) refresh was still running, so
    // neither waited for it.
    assert!(
        m.core().is_refreshing(),
        "both answered while the refresh still ran"
    );
    for (answer, method) in [(&got, "GET"), (&posted, "POST")] {
        assert_eq!(get_str(answer, "method"), method);
        assert_eq!(get(answer, "authorization_present").as_bool(), Some(false));
    }
    assert_eq!(get(&get(&posted, "body"), "p").as_f64(), Some(1.0));
    for query in ["h9-get", "h9-post"] {
        let s = sent(query).await;
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].authorization, None, "{query}: no Authorization header");
    }

    // A 401 to an unauthenticated request is the caller's: no refresh, no retry.
    let err = wait(client.get(url("/v1/me?h9-anon"), JsValue::UNDEFINED))
        .await
        .unwrap_err();
    assert_eq!(get(&err, "status").as_f64(), Some(401.0));
    let stale = js_sys::Object::new();
    let headers = js_sys::Object::new();
    js_sys::Reflect::set(
        &headers,
        &"Authorization".into(),
        &format!("Bearer {}", l.access_token).into(),
    )
    .unwrap();
    js_sys::Reflect::set(&stale, &"headers".into(), &headers).unwrap();
    let err = wait(client.get(url("/v1/echo?h9-stale"), stale.into()))
        .await
        .unwrap_err();
    assert_eq!(get(&err, "status").as_f64(), Some(401.0));
    assert_eq!(sent("h9-anon").await.len(), 1);
    assert_eq!(sent("h9-stale").await.len(), 1);

    wait(authed).await.unwrap();
    assert_eq!(
        counter("refresh").await,
        1,
        "only the authenticated request refreshed"
    );
}

#[wasm_bindgen_test]
async fn json_bodies_methods_headers_and_the_api_key() {
    let (_, client, _) = session("h10").await;
    record_fetches();
    let data = json(r#"{"k":"v","n":[1,2]}"#);
    let calls = [
        (
            "PUT",
            client.put(url("/v1/echo?put"), data.clone(), JsValue::UNDEFINED),
        ),
        (
            "PATCH",
            client.patch(url("/v1/echo?patch"), data.clone(), JsValue::UNDEFINED),
        ),
        (
            "DELETE",
            client.delete(url("/v1/echo?delete"), data.clone(), JsValue::UNDEFINED),
        ),
        (
            "POST",
            client.post(url("/v1/echo?post"), data.clone(), authenticated()),
        ),
    ];
    for (method, call) in calls {
        let answer = wait(call).await.unwrap();
        assert_eq!(get_str(&answer, "method"), method);
        assert_eq!(
            canonical(&get(&answer, "body")),
            canonical(&data),
            "{method}"
        );
    }
    let post = &sent("/v1/echo?post").await[0];
    assert_eq!(
        header(post, "content-type").as_deref(),
        Some("application/json; charset=utf-8")
    );

    // data defaults to {}; null and strings are sent as JSON.stringify writes them; GET has no body
    let body_of = |answer: &JsValue| canonical(&get(answer, "body"));
    let answer = wait(client.post(url("/v1/echo"), JsValue::UNDEFINED, JsValue::UNDEFINED))
        .await
        .unwrap();
    assert_eq!(body_of(&answer), "{}");
    let answer = wait(client.delete(url("/v1/echo"), JsValue::UNDEFINED, JsValue::UNDEFINED))
        .await
        .unwrap();
    assert_eq!(body_of(&answer), "{}");
    let answer = wait(client.post(url("/v1/echo"), JsValue::NULL, JsValue::UNDEFINED))
        .await
        .unwrap();
    assert_eq!(body_of(&answer), "null");
    let answer = wait(client.patch(url("/v1/echo"), "hi".into(), JsValue::UNDEFINED))
        .await
        .unwrap();
    assert_eq!(body_of(&answer), r#""hi""#);
    let answer = wait(client.get(url("/v1/echo"), JsValue::UNDEFINED))
        .await
        .unwrap();
    assert_eq!(get_str(&answer, "method"), "GET");
    assert!(get(&answer, "body").is_null());

    // headers as an object, a Headers instance or an array of pairs; the caller's content type wins
    let pairs = json(r#"[["x-trace","t1"],["content-type","text/plain"]]"#);
    let forms = [
        (
            "obj",
            json(r#"{"headers":{"x-trace":"t1","Content-Type":"text/plain"}}"#),
        ),
        ("hdrs", {
            let o = js_sys::Object::new();
            js_sys::Reflect::set(&o, &"headers".into(), &headers_of(pairs.clone())).unwrap();
            o.into()
        }),
        ("pairs", {
            let o = js_sys::Object::new();
            js_sys::Reflect::set(&o, &"headers".into(), &pairs).unwrap();
            o.into()
        }),
    ];
    for (form, options) in forms {
        let target = url(&format!("/v1/echo?form={form}"));
        wait(client.post(target, json("[1]"), options))
            .await
            .unwrap();
        let s = &sent(&format!("form={form}")).await[0];
        assert_eq!(header(s, "x-trace").as_deref(), Some("t1"), "{form}");
        assert_eq!(
            header(s, "content-type").as_deref(),
            Some("text/plain"),
            "{form}"
        );
    }

    // useAPIKey: "torus-default" until setAPIKey
    assert_eq!(client.get_api_key(), "torus-default");
    let with_key = json(r#"{"useAPIKey":true}"#);
    let answer = wait(client.get(url("/v1/echo?key1"), with_key.clone()))
        .await
        .unwrap();
    assert_eq!(get(&answer, "x_api_key_present").as_bool(), Some(true));
    assert_eq!(
        header(&sent("key1").await[0], "x-api-key").as_deref(),
        Some("torus-default")
    );
    client.set_api_key(Some("k-123".into()));
    assert_eq!(client.get_api_key(), "k-123");
    wait(client.get(url("/v1/echo?key2"), with_key))
        .await
        .unwrap();
    assert_eq!(
        header(&sent("key2").await[0], "x-api-key").as_deref(),
        Some("k-123")
    );
    let answer = wait(client.get(url("/v1/echo?key3"), JsValue::UNDEFINED))
        .await
        .unwrap();
    assert_eq!(get(&answer, "x_api_key_present").as_bool(), Some(false));
    client.set_api_key(None);
    assert_eq!(client.get_api_key(), "torus-default");

    // a URL object as the url; options whose fields are undefined
    let options = js_sys::Object::new();
    for key in ["authenticated", "timeout", "headers", "useAPIKey"] {
        js_sys::Reflect::set(&options, &key.into(), &JsValue::UNDEFINED).unwrap();
    }
    let href = format!("{}/v1/echo?url-object", server());
    let answer = wait(client.get(url_of(&href), options.into()))
        .await
        .unwrap();
    assert_eq!(get(&answer, "authorization_present").as_bool(), Some(false));
}

#[wasm_bindgen_test]
async fn bad_arguments_and_error_answers_are_typed() {
    let (_, client, _) = session("h11").await;
    for bad in [
        r#""x""#,
        r#"{"timeout":-1}"#,
        r#"{"headers":{"a":1}}"#,
        r#"{"authenticated":"yes"}"#,
    ] {
        let err = wait(client.get(url("/v1/echo"), json(bad)))
            .await
            .unwrap_err();
        assert!(err.is_instance_of::<js_sys::Error>());
        assert_eq!(code(&err), "INVALID_OPTION", "{bad}");
    }
    let err = wait(client.post(url("/v1/echo"), cyclic(), JsValue::UNDEFINED))
        .await
        .unwrap_err();
    assert_eq!(code(&err), "INVALID_OPTION");
    let err = wait(client.get(JsValue::from(42), JsValue::UNDEFINED))
        .await
        .unwrap_err();
    assert_eq!(code(&err), "INVALID_OPTION");

    // error answers: a JSON body is parsed, any other stays text
    let err = wait(client.get(url("/no/such/route"), JsValue::UNDEFINED))
        .await
        .unwrap_err();
    assert_class(&err, "HttpError");
    assert_eq!(code(&err), "HTTP_ERROR");
    assert_eq!(get(&err, "status").as_f64(), Some(404.0));
    assert_eq!(get_str(&err, "statusText"), "Not Found");
    assert_eq!(get_str(&get(&err, "body"), "error"), "not_found");
    // The refresh route answers what the hook injects: a way to get any status, type and body.
    let canned = |status: u16, content_type: &str, body: &str| {
        let o = js_sys::Object::new();
        for (k, v) in [
            ("count", JsValue::from(1)),
            ("status", JsValue::from(status)),
            ("content_type", JsValue::from_str(content_type)),
            ("body", JsValue::from_str(body)),
        ] {
            js_sys::Reflect::set(&o, &k.into(), &v).unwrap();
        }
        js_sys::JSON::stringify(&o).unwrap().as_string().unwrap()
    };
    let route = || url("/v1/auth/session");
    post(
        "/test/next-refresh",
        &canned(502, "text/html", "<html>Bad gateway</html>"),
    )
    .await;
    let err = wait(client.post(route(), JsValue::UNDEFINED, JsValue::UNDEFINED))
        .await
        .unwrap_err();
    assert_eq!(get(&err, "status").as_f64(), Some(502.0));
    assert_eq!(
        get(&err, "body").as_string().as_deref(),
        Some("<html>Bad gateway</html>")
    );

    // 2xx answers: text unless the content type says JSON; an empty JSON body is null
    post(
        "/test/next-refresh",
        &canned(200, "text/plain", "plain text"),
    )
    .await;
    let answer = wait(client.post(route(), JsValue::UNDEFINED, JsValue::UNDEFINED)).await;
    assert_eq!(answer.unwrap().as_string().as_deref(), Some("plain text"));
    post(
        "/test/next-refresh",
        &canned(200, "application/json; charset=utf-8", ""),
    )
    .await;
    let answer = wait(client.post(route(), JsValue::UNDEFINED, JsValue::UNDEFINED)).await;
    assert!(answer.unwrap().is_null());
    post(
        "/test/next-refresh",
        &canned(200, "application/json", "{broken"),
    )
    .await;
    let err = wait(client.post(route(), JsValue::UNDEFINED, JsValue::UNDEFINED))
        .await
        .unwrap_err();
    assert_eq!(code(&err), "MALFORMED_RESPONSE");
    assert_class(&err, "HttpError");
}

/// What the snippet's `fetch` reads crosses into the wasm whole: bodies with newlines and NULs, a
/// JSON body spread over lines, a body-less 204, an error's JSON body.
#[wasm_bindgen_test]
async fn answers_with_newlines_nuls_no_body_or_an_error_body_come_through_whole() {
    let (_, client, _) = session("h9").await;
    let text = "line 1\nline 2\n\n\u{0} after a NUL\n";
    answer_next(
        "/canned/text",
        1,
        200,
        json(r#"{"content-type":"text/plain"}"#),
        JsValue::from_str(text),
    );
    let got = wait(client.get(url("/canned/text"), JsValue::UNDEFINED))
        .await
        .unwrap();
    assert_eq!(got.as_string().as_deref(), Some(text));
    answer_next(
        "/canned/json",
        1,
        200,
        json(r#"{"content-type":"application/json"}"#),
        JsValue::from_str("{\n  \"a\": [1,\n 2],\n  \"b\": \"x\\ny\"\n}\n"),
    );
    let got = wait(client.get(url("/canned/json"), json(r#"{"timeout":5000}"#)))
        .await
        .unwrap();
    assert_eq!(canonical(&got), r#"{"a":[1,2],"b":"x\ny"}"#);
    answer_next("/canned/empty", 1, 204, json("{}"), JsValue::NULL);
    let got = wait(client.get(url("/canned/empty"), JsValue::UNDEFINED))
        .await
        .unwrap();
    assert_eq!(got.as_string().as_deref(), Some(""));
    answer_next(
        "/canned/busy",
        1,
        503,
        json(r#"{"content-type":"application/json","retry-after":"7"}"#),
        JsValue::from_str(r#"{"error":"busy","error_description":"try\nlater"}"#),
    );
    let err = wait(client.get(url("/canned/busy"), JsValue::UNDEFINED))
        .await
        .unwrap_err();
    assert_class(&err, "HttpError");
    assert_eq!(get(&err, "status").as_f64(), Some(503.0));
    assert_eq!(
        get_str(&get(&err, "body"), "error_description"),
        "try\nlater"
    );
}

/// The transport under the refresh (`FetchTransport`): a request that asks for its answer parsed
/// (`HttpRequest::parse_json`, as the refresh does) gets the value `JSON.parse` made, without the
/// text; a body that does not parse, or a request that did not ask, gets the text.
#[wasm_bindgen_test]
async fn the_transport_parses_a_json_answer_in_js_when_asked_and_gives_the_text_otherwise() {
    use wasm_session_manager::core::json::{self, Value};
    use wasm_session_manager::core::transport::{HttpRequest, Method, Transport};
    use wasm_session_manager::web::fetch::FetchTransport;
    let body = r#"{"access_token":"a.b.c","n":[1,-0.5,"é"],"o":{"k":null}}"#;
    let canned = |fragment: &str, count: u32, content_type: &str, text: &str| {
        answer_next(
            fragment,
            count,
            200,
            json(&format!(r#"{{"content-type":"{content_type}"}}"#)),
            JsValue::from_str(text),
        )
    };
    let get = |path: &str| HttpRequest::new(Method::Get, format!("{}{path}", server()));
    canned("/canned/tape", 2, "application/json", body);
    let parsed = FetchTransport
        .send(get("/canned/tape").parse_json())
        .await
        .unwrap();
    assert_eq!(parsed.json.as_deref(), Some(&json::parse(body).unwrap()));
    assert_eq!(parsed.body, "", "the text did not cross into the wasm");
    let text = FetchTransport.send(get("/canned/tape")).await.unwrap();
    assert_eq!((text.json, text.body.as_str()), (None, body));
    // Whatever the content type says, what counts is whether it parses.
    canned(
        "/canned/not-json",
        1,
        "application/json",
        "<html>busy</html>",
    );
    let html = FetchTransport
        .send(get("/canned/not-json").parse_json())
        .await
        .unwrap();
    assert_eq!((html.json, html.body.as_str()), (None, "<html>busy</html>"));
    canned("/canned/text-json", 1, "text/plain", "[true]");
    let plain = FetchTransport
        .send(get("/canned/text-json").parse_json())
        .await
        .unwrap();
    assert_eq!(
        plain.json.as_deref(),
        Some(&Value::Array(vec![Value::Bool(true)]))
    );
}

/// The wasm's memory, in bytes (it only ever grows).
fn wasm_memory_bytes() -> f64 {
    let buffer = get(&wasm_bindgen::memory(), "buffer");
    get(&buffer, "byteLength").as_f64().unwrap()
}

/// A 2xx body `HttpClient` hands on stays the JS string `fetch` read (`HttpRequest::hand_on`,
/// `HttpResponse::held`): an 8 MB JSON answer comes back parsed without being copied into the
/// wasm's memory, which would have grown by that much for good. An error's body, which the
/// `HttpError` carries, and the body of a request that does not hand it on, still cross.
#[wasm_bindgen_test]
async fn a_large_answer_is_handed_on_without_a_copy_in_the_wasm() {
    use wasm_session_manager::core::transport::{HttpRequest, Method, Transport};
    use wasm_session_manager::web::fetch::FetchTransport;
    let (_, client, _) = session("h10").await;
    // Made in JS: a string made in the wasm would leave a free block of its size behind.
    let big = js_sys::JsString::from(r#"{"items":""#)
        .concat(&js_sys::JsString::from("x").repeat(8 << 20))
        .concat(&JsValue::from_str(r#"","n":1}"#));
    answer_next(
        "/canned/big",
        1,
        200,
        json(r#"{"content-type":"application/json"}"#),
        big.into(),
    );
    let before = wasm_memory_bytes();
    let got = wait(client.get(url("/canned/big"), JsValue::UNDEFINED))
        .await
        .unwrap();
    let grown = wasm_memory_bytes() - before;
    assert_eq!(get(&got, "n").as_f64(), Some(1.0));
    let items: js_sys::JsString = get(&got, "items").unchecked_into();
    assert_eq!(items.length(), 8 << 20);
    assert!(grown < 1_048_576.0, "the wasm's memory grew by {grown} B");

    let request = |path: &str| HttpRequest::new(Method::Get, format!("{}{path}", server()));
    let canned = |fragment: &str, status: u16| {
        answer_next(
            fragment,
            1,
            status,
            json(r#"{"content-type":"text/plain"}"#),
            JsValue::from_str("as it came"),
        )
    };
    canned("/canned/kept", 200);
    let kept = FetchTransport
        .send(request("/canned/kept").hand_on())
        .await
        .unwrap();
    let held = kept
        .held
        .as_ref()
        .and_then(|h| h.0.downcast_ref::<JsValue>());
    assert_eq!(
        held.and_then(JsValue::as_string).as_deref(),
        Some("as it came")
    );
    assert_eq!(kept.body, "");
    canned("/canned/refused", 404);
    let refused = FetchTransport
        .send(request("/canned/refused").hand_on())
        .await
        .unwrap();
    assert_eq!(
        (refused.held.is_none(), refused.body.as_str()),
        (true, "as it came")
    );
    canned("/canned/read", 200);
    let read = FetchTransport.send(request("/canned/read")).await.unwrap();
    assert_eq!(
        (read.held.is_none(), read.body.as_str()),
        (true, "as it came")
    );
}
