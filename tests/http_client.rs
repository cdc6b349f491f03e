//! HttpClient (issue 5, PROTOCOL.md §8): one shared refresh for concurrent 401s, waiting requests,
//! one retry with the same body, typed errors.
// Native: the fake server and the synchronous crypto forms (the browser suites are tests/web_*.rs).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::rc::Rc;

use support::*;
use wasm_session_manager::core::http::{HttpResult, RequestOptions};
use wasm_session_manager::core::keys::Slot;
use wasm_session_manager::core::storage::MemoryStorage;
use wasm_session_manager::core::transport::Method;
use wasm_session_manager::{AuthErrorCode, Error, Result};

fn world() -> World {
    World::new("{}")
}

/// A request's body as sent, and its result slot.
type Sent = (
    Option<String>,
    Rc<std::cell::RefCell<Option<Result<HttpResult>>>>,
);

fn echo_body(r: &Result<HttpResult>) -> Option<String> {
    let r = r.as_ref().ok()?;
    let v: serde_json::Value = serde_json::from_str(&r.body).ok()?;
    v["body"].as_str().map(str::to_owned)
}

/// Spawns 25 authenticated requests, GETs and POSTs (PUT/PATCH/DELETE too) with distinct bodies.
fn spawn_25(w: &World, c: &Rc<Client>) -> Vec<Sent> {
    (0..25)
        .map(|i| {
            let c = c.clone();
            let url = format!("{API}item/{i}");
            let (method, body) = match i % 5 {
                0 | 1 => (Method::Get, None),
                2 => (
                    Method::Post,
                    Some(format!(r#"{{"n":{i},"text":"post-{i}"}}"#)),
                ),
                3 => (Method::Put, Some(format!(r#"{{"n":{i}}}"#))),
                _ => (Method::Patch, Some(format!(r#"{{"n":{i},"p":true}}"#))),
            };
            let sent = body.clone();
            let fut = async move {
                c.request(method, &url, body, RequestOptions::authenticated())
                    .await
            };
            (sent, w.exec.spawn(fut))
        })
        .collect()
}

fn check_25(results: &[Sent]) {
    for (sent, slot) in results {
        let r = take(slot);
        assert!(r.is_ok(), "{r:?}");
        assert_eq!(r.as_ref().map(|r| r.status).ok(), Some(200));
        assert_eq!(echo_body(&r), *sent, "body intact on the retry");
    }
}

#[test]
fn twenty_five_concurrent_401s_share_one_refresh() {
    let mut w = world();
    let m = w.tab();
    let c = client(&m, &w.transport);
    w.server.invalidate_access();
    let api = w.transport.gate_for(API);
    let auth = w.transport.gate_for(REFRESH_URL);
    let results = spawn_25(&w, &c);
    w.exec.run_until_stalled();
    assert_eq!(w.transport.in_flight(), 25);
    // All 25 answer 401; the refresh is held, so every 401 arrives while it is in flight.
    api.open();
    w.exec.run_until_stalled();
    assert_eq!(w.transport.calls_to(REFRESH_URL), 1);
    assert!(m.is_refreshing());
    auth.open();
    w.exec.run_until_stalled();
    assert_eq!(w.server.refreshes(), 1);
    check_25(&results);
    assert_eq!(
        w.transport.requests_to(API).len(),
        50,
        "each request sent twice"
    );
    assert!(m.is_authenticated());
}

#[test]
fn late_401s_after_the_refresh_retry_without_another_refresh() {
    // The original's failure: a 401 that arrives after the shared refresh finished starts another.
    let mut w = world();
    let m = w.tab();
    let c = client(&m, &w.transport);
    w.server.invalidate_access();
    let api = w.transport.gate_for(API);
    let results = spawn_25(&w, &c);
    w.exec.run_until_stalled();
    // Three 401s come back first; the refresh (not held) completes at once.
    api.release(3);
    w.exec.run_until_stalled();
    assert_eq!(w.server.refreshes(), 1);
    // The other 22 answer 401 for the old token after the refresh finished.
    api.open();
    w.exec.run_until_stalled();
    assert_eq!(w.server.refreshes(), 1, "late 401s start no refresh");
    assert_eq!(w.transport.calls_to(REFRESH_URL), 1);
    check_25(&results);
}

#[test]
fn twenty_five_in_two_tabs_one_refresh() {
    let mut w = world();
    let (a, b) = (w.tab(), w.tab());
    let (ca, cb) = (client(&a, &w.transport), client(&b, &w.transport));
    w.server.invalidate_access();
    let api = w.transport.gate_for(API);
    let auth = w.transport.gate_for(REFRESH_URL);
    let mut results = spawn_25(&w, &ca);
    results.extend(spawn_25(&w, &cb));
    w.exec.run_until_stalled();
    api.open();
    w.exec.run_until_stalled();
    auth.open();
    w.exec.run_until_stalled();
    assert_eq!(
        w.server.refreshes(),
        1,
        "the second tab adopts under the lock"
    );
    check_25(&results);
}

#[test]
fn a_request_started_during_a_refresh_waits_and_goes_out_once_with_the_new_token() {
    let mut w = world();
    let m = w.tab();
    let c = client(&m, &w.transport);
    let auth = w.transport.gate_for(REFRESH_URL);
    let refresh = {
        let m = m.clone();
        w.exec.spawn(async move { m.ensure_refresh(false).await })
    };
    w.exec.run_until_stalled();
    let req = {
        let c = c.clone();
        w.exec.spawn(async move {
            c.post(
                &format!("{API}x"),
                Some(r#"{"a":1}"#.into()),
                RequestOptions::authenticated(),
            )
            .await
        })
    };
    w.exec.run_until_stalled();
    assert_eq!(
        w.transport.requests_to(API).len(),
        0,
        "waits for the refresh"
    );
    auth.open();
    w.exec.run_until_stalled();
    assert!(take(&refresh).is_ok());
    let r = take(&req);
    assert_eq!(echo_body(&r).as_deref(), Some(r#"{"a":1}"#));
    let sent = w.transport.requests_to(API);
    assert_eq!(sent.len(), 1);
    let bearer = format!("Bearer {}", w.server.access());
    assert_eq!(sent[0].header_value("Authorization"), Some(bearer.as_str()));
}

#[test]
fn unauthenticated_requests_during_a_refresh_go_out_at_once_without_authorization() {
    let mut w = world();
    let m = w.tab();
    let c = client(&m, &w.transport);
    let _auth = w.transport.gate_for(REFRESH_URL);
    let _refresh = {
        let m = m.clone();
        w.exec.spawn(async move { m.ensure_refresh(false).await })
    };
    w.exec.run_until_stalled();
    assert!(m.is_refreshing());
    let r = w
        .exec
        .block_on(c.get(&format!("{API}public"), RequestOptions::default()));
    // The fake API wants a token: a 401, surfaced as an HttpError and not retried.
    assert!(matches!(r, Err(Error::Http { status: 401, .. })), "{r:?}");
    let sent = w.transport.requests_to(API);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].header_value("Authorization"), None);
    assert!(m.is_refreshing(), "never waited");
}

#[test]
fn a_401_after_the_retry_is_an_http_error_and_not_retried_again() {
    let mut w = world();
    let m = w.tab();
    let c = client(&m, &w.transport);
    let server = w.server.clone();
    w.transport.set_handler(move |req| {
        if req.url.starts_with(API) {
            Ok(response(401, r#"{"error":"invalid_token"}"#))
        } else {
            server.handle(req)
        }
    });
    let r = w
        .exec
        .block_on(c.get(&format!("{API}x"), RequestOptions::authenticated()));
    match r {
        Err(Error::Http {
            status,
            status_text,
            url,
            body,
        }) => {
            assert_eq!(status, 401);
            assert_eq!(status_text, "Unauthorized");
            assert_eq!(url, format!("{API}x"));
            assert_eq!(body, r#"{"error":"invalid_token"}"#);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(w.transport.requests_to(API).len(), 2);
    assert_eq!(w.server.refreshes(), 1);
    assert!(m.is_authenticated(), "the refresh itself worked");
}

#[test]
fn a_terminal_refresh_failure_is_session_expired_and_unauthenticates() {
    let mut w = world();
    let m = w.tab();
    let c = client(&m, &w.transport);
    w.exec.block_on(m.ensure_refresh(false)).unwrap();
    assert!(m.is_authenticated());
    w.server.invalidate_access();
    w.server.revoke();
    let api = w.transport.gate_for(API);
    let results: Vec<_> = (0..5)
        .map(|_| {
            let c = c.clone();
            w.exec.spawn(async move {
                c.get(&format!("{API}x"), RequestOptions::authenticated())
                    .await
            })
        })
        .collect();
    w.exec.run_until_stalled();
    // All five 401s arrive together; the first one's refresh is refused and clears the session,
    // the others find no session left to refresh.
    api.open();
    w.exec.run_until_stalled();
    for r in &results {
        let r = take(r);
        assert!(
            matches!(
                r,
                Err(Error::Auth {
                    code: AuthErrorCode::SessionExpired,
                    ..
                })
            ),
            "{r:?}"
        );
    }
    assert_eq!(
        w.server.refreshes(),
        2,
        "one for setup, one for the five 401s"
    );
    // After the session ended, a later authenticated request does not refresh either.
    let late = w
        .exec
        .block_on(c.get(&format!("{API}y"), RequestOptions::authenticated()));
    assert_eq!(code(&late), "SESSION_EXPIRED");
    assert_eq!(w.server.refreshes(), 2);
    assert_eq!(w.transport.requests_to(API).len(), 6, "nothing retried");
    assert!(!m.is_authenticated());
    assert_eq!(stored(&w.storage, Slot::RefreshToken), None);
}

#[test]
fn a_transient_refresh_failure_is_typed_and_keeps_the_session() {
    let mut w = world();
    let m = w.tab();
    let c = client(&m, &w.transport);
    w.exec.block_on(m.ensure_refresh(false)).unwrap();
    w.server.invalidate_access();
    let server = w.server.clone();
    w.transport.set_handler(move |req| {
        if req.url == REFRESH_URL {
            Ok(html(503, "<html>down</html>"))
        } else {
            server.handle(req)
        }
    });
    let r = w
        .exec
        .block_on(c.get(&format!("{API}x"), RequestOptions::authenticated()));
    assert!(
        matches!(
            r,
            Err(Error::Auth {
                code: AuthErrorCode::RefreshFailed,
                ..
            })
        ),
        "{r:?}"
    );
    assert!(m.is_authenticated());
    assert!(stored(&w.storage, Slot::RefreshToken).is_some());
    assert!(stored(&w.storage, Slot::SessionId).is_some());
}

#[test]
fn network_failures_keep_their_own_codes_and_are_not_retried() {
    let mut w = world();
    let m = w.tab();
    let c = client(&m, &w.transport);
    w.transport.set_handler(|req| {
        if req.url.ends_with("slow") {
            Err(Error::Timeout {
                url: req.url.clone(),
                ms: req.timeout_ms.unwrap_or(0),
            })
        } else {
            Err(Error::Network("connection refused".into()))
        }
    });
    let r = w
        .exec
        .block_on(c.get(&format!("{API}x"), RequestOptions::authenticated()));
    assert_eq!(code(&r), "NETWORK");
    let r = w.exec.block_on(c.post(
        &format!("{API}slow"),
        None,
        RequestOptions::default().timeout_ms(50),
    ));
    assert_eq!(code(&r), "TIMEOUT");
    assert_eq!(w.transport.calls(), 2);
    assert_eq!(w.server.refreshes(), 0);
}

#[test]
fn request_shape_json_bodies_headers_and_timeouts() {
    let mut w = world();
    let m = w.tab();
    let c = client(&m, &w.transport);
    w.transport
        .set_handler(|_| Ok(response(200, r#"{"ok":true}"#)));
    let url = format!("{API}shape");
    let ex = &mut w.exec;
    ex.block_on(c.get(&url, RequestOptions::default())).unwrap();
    ex.block_on(c.post(&url, None, RequestOptions::default()))
        .unwrap();
    ex.block_on(c.put(
        &url,
        Some("[1,2]".into()),
        RequestOptions::default().timeout_ms(1234),
    ))
    .unwrap();
    ex.block_on(c.patch(
        &url,
        Some("a=b".into()),
        RequestOptions::default().header("content-type", "application/x-www-form-urlencoded"),
    ))
    .unwrap();
    ex.block_on(c.delete(
        &url,
        Some(r#"{"id":1}"#.into()),
        RequestOptions {
            use_api_key: true,
            ..RequestOptions::default()
        },
    ))
    .unwrap();
    c.set_api_key(Some("k-123".into()));
    ex.block_on(c.get(
        &url,
        RequestOptions {
            use_api_key: true,
            ..RequestOptions::default()
        },
    ))
    .unwrap();
    let access = w.server.access();
    ex.block_on(c.get(
        &url,
        RequestOptions::authenticated().header("Authorization", "Bearer caller"),
    ))
    .unwrap();

    let reqs = w.transport.requests();
    let h = |i: usize| reqs[i].headers.clone();
    let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());
    let json = "application/json; charset=utf-8";

    assert_eq!(reqs[0].method, Method::Get);
    assert_eq!(reqs[0].body, None);
    assert!(h(0).is_empty());
    assert_eq!(reqs[0].timeout_ms, Some(60_000));

    assert_eq!(reqs[1].method, Method::Post);
    assert_eq!(reqs[1].body.as_deref(), Some("{}"));
    assert_eq!(h(1), vec![pair("Content-Type", json)]);

    assert_eq!(reqs[2].method, Method::Put);
    assert_eq!(reqs[2].body.as_deref(), Some("[1,2]"));
    assert_eq!(reqs[2].timeout_ms, Some(1234));

    assert_eq!(reqs[3].method, Method::Patch);
    assert_eq!(
        h(3),
        vec![pair("content-type", "application/x-www-form-urlencoded")]
    );

    assert_eq!(reqs[4].method, Method::Delete);
    assert_eq!(reqs[4].body.as_deref(), Some(r#"{"id":1}"#));
    assert_eq!(
        h(4),
        vec![
            pair("Content-Type", json),
            pair("x-api-key", "torus-default")
        ]
    );

    assert_eq!(h(5), vec![pair("x-api-key", "k-123")]);

    assert_eq!(
        h(6),
        vec![pair("Authorization", &format!("Bearer {access}"))]
    );
}

#[test]
fn default_timeout_comes_from_api_client_config() {
    let mut exec = Exec::new();
    let storage = Rc::new(MemoryStorage::new());
    let transport = FakeTransport::fixed(Ok(response(200, "{}")));
    let mut options = wasm_session_manager::core::session::SessionOptions::new(BASE);
    options.timeout_ms = Some(5000);
    let slots = wasm_session_manager::core::session::SessionSlots::uniform(options.keys(), storage);
    let m = wasm_session_manager::core::session::SessionManager::new(
        options,
        slots,
        transport.clone(),
        FakeLock::new(),
        FakeClock::new(),
    );
    let c = client(&m, &transport);
    exec.block_on(c.get(&format!("{API}x"), RequestOptions::default()))
        .unwrap();
    exec.block_on(c.get(&format!("{API}x"), RequestOptions::default().timeout_ms(7)))
        .unwrap();
    let reqs = transport.requests();
    assert_eq!(reqs[0].timeout_ms, Some(5000));
    assert_eq!(reqs[1].timeout_ms, Some(7));
}

#[test]
fn results_carry_status_headers_body_and_json_flag() {
    let mut w = world();
    let m = w.tab();
    let c = client(&m, &w.transport);
    w.transport.set_handler(|req| {
        if req.url.ends_with("text") {
            Ok(html(200, "plain"))
        } else if req.url.ends_with("missing") {
            Ok(response(404, r#"{"error":"not_found"}"#))
        } else {
            Ok(response(200, r#"{"a":1}"#))
        }
    });
    let json = w
        .exec
        .block_on(c.get(&format!("{API}json"), RequestOptions::default()))
        .unwrap();
    assert!(json.is_json);
    assert_eq!(json.body, r#"{"a":1}"#);
    assert_eq!(json.status, 200);
    let text = w
        .exec
        .block_on(c.get(&format!("{API}text"), RequestOptions::default()))
        .unwrap();
    assert!(!text.is_json);
    assert_eq!(text.body, "plain");
    assert_eq!(
        text.headers,
        vec![("content-type".to_owned(), "text/html".to_owned())]
    );
    let missing = w
        .exec
        .block_on(c.get(&format!("{API}missing"), RequestOptions::authenticated()));
    assert!(
        matches!(&missing, Err(Error::Http { status: 404, body, .. }) if body.contains("not_found"))
    );
    assert_eq!(missing.unwrap_err().code(), "HTTP_ERROR");
    assert_eq!(w.server.refreshes(), 0, "only a 401 refreshes");
}
