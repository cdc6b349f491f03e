//! Failure classification: which answers keep the session and which end it.
// Native: the fake server and the synchronous crypto forms (the browser suites are tests/web_*.rs).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::rc::Rc;

use support::*;
use wasm_session_manager::core::keys::Slot;
use wasm_session_manager::core::storage::MemoryStorage;
use wasm_session_manager::core::transport::HttpResponse;
use wasm_session_manager::{AuthErrorCode, Error, Result};

const GOOD: &str = r#"{"access_token":"at-2","refresh_token":"rt-2"}"#;

fn cases() -> Vec<(&'static str, Result<HttpResponse>, &'static str, bool)> {
    // (name, answer, error code, session kept)
    vec![
        (
            "connection reset",
            Err(Error::Network("connection reset".into())),
            "NETWORK",
            true,
        ),
        (
            "timeout",
            Err(Error::Timeout {
                url: REFRESH_URL.into(),
                ms: 5000,
            }),
            "NETWORK",
            true,
        ),
        (
            "500",
            Ok(response(500, r#"{"error":"server_error"}"#)),
            "REFRESH_FAILED",
            true,
        ),
        (
            "502 html",
            Ok(html(502, "<html><body>Bad Gateway</body></html>")),
            "REFRESH_FAILED",
            true,
        ),
        ("503 empty", Ok(html(503, "")), "REFRESH_FAILED", true),
        (
            "429",
            Ok(response(429, r#"{"error":"rate_limited"}"#)),
            "REFRESH_FAILED",
            true,
        ),
        ("408", Ok(response(408, "")), "REFRESH_FAILED", true),
        (
            "200 not json",
            Ok(html(200, "<html>")),
            "REFRESH_FAILED",
            true,
        ),
        (
            "200 malformed json",
            Ok(response(200, r#"{"access_token":"#)),
            "REFRESH_FAILED",
            true,
        ),
        (
            "200 no access_token",
            Ok(response(200, r#"{"refresh_token":"x"}"#)),
            "REFRESH_FAILED",
            true,
        ),
        (
            "200 empty access_token",
            Ok(response(200, r#"{"access_token":""}"#)),
            "REFRESH_FAILED",
            true,
        ),
        ("200 array", Ok(response(200, "[]")), "REFRESH_FAILED", true),
        (
            "401 invalid_grant",
            Ok(response(401, r#"{"error":"invalid_grant"}"#)),
            "SESSION_EXPIRED",
            false,
        ),
        ("401 bare", Ok(html(401, "")), "SESSION_EXPIRED", false),
        (
            "400 invalid_grant",
            Ok(response(400, r#"{"error":"invalid_grant"}"#)),
            "SESSION_EXPIRED",
            false,
        ),
        (
            "403 invalid_grant",
            Ok(response(403, r#"{"error":"invalid_grant"}"#)),
            "SESSION_EXPIRED",
            false,
        ),
        (
            "404 invalid_grant",
            Ok(response(404, r#"{"error":"invalid_grant"}"#)),
            "SESSION_EXPIRED",
            false,
        ),
        // Any other 4xx but 408 and 429 ends the session, as the original does (an app written for
        // it, `if (!(await authorize())) showLogin()`, must not get a rejection on every load).
        (
            "400 invalid_request",
            Ok(response(400, r#"{"error":"invalid_request"}"#)),
            "SESSION_EXPIRED",
            false,
        ),
        (
            "403 html",
            Ok(html(403, "<h1>Forbidden</h1>")),
            "SESSION_EXPIRED",
            false,
        ),
        (
            "404 not_found",
            Ok(response(404, r#"{"error":"not_found"}"#)),
            "SESSION_EXPIRED",
            false,
        ),
        (
            "410 gone",
            Ok(response(410, r#"{"error":"session_gone"}"#)),
            "SESSION_EXPIRED",
            false,
        ),
        ("409", Ok(response(409, "{}")), "SESSION_EXPIRED", false),
        ("302 redirect", Ok(html(302, "")), "REFRESH_FAILED", true),
    ]
}

/// A session that one successful refresh made authenticated, then the case's answer.
fn run_case(
    answer: Result<HttpResponse>,
    authorize: bool,
) -> (
    Rc<MemoryStorage>,
    Manager,
    Result<()>,
    Option<Option<String>>,
) {
    let mut exec = Exec::new();
    let storage = Rc::new(MemoryStorage::new());
    seed(&storage, Some("0x01"), Some("at-1"), Some("rt-1"));
    let transport = FakeTransport::scripted(vec![Ok(response(200, GOOD)), answer]);
    let m = manager(&storage, &transport, &FakeLock::new(), &FakeClock::new());
    exec.block_on(m.ensure_refresh(false)).unwrap();
    assert!(m.is_authenticated());
    if authorize {
        match exec.block_on(m.authorize()) {
            Ok(v) => (storage, m, Ok(()), Some(v)),
            Err(e) => (storage, m, Err(e), None),
        }
    } else {
        let r = exec.block_on(m.ensure_refresh(false)).map(|_| ());
        (storage, m, r, None)
    }
}

#[test]
fn refresh_failure_table() {
    for (name, answer, code, kept) in cases() {
        let (storage, m, result, _) = run_case(answer, false);
        let err = result.expect_err(name);
        assert_eq!(err.code(), code, "{name}: {err}");
        assert!(matches!(err, Error::Auth { .. }), "{name}: an AuthError");
        if kept {
            assert_eq!(
                stored(&storage, Slot::SessionId).as_deref(),
                Some("0x01"),
                "{name}"
            );
            assert_eq!(
                stored(&storage, Slot::AccessToken).as_deref(),
                Some("at-2"),
                "{name}"
            );
            assert_eq!(
                stored(&storage, Slot::RefreshToken).as_deref(),
                Some("rt-2"),
                "{name}"
            );
            assert!(m.is_authenticated(), "{name}: authenticated flag unchanged");
        } else {
            for slot in Slot::ALL {
                assert_eq!(stored(&storage, slot), None, "{name}: {slot:?} cleared");
            }
            assert!(!m.is_authenticated(), "{name}");
            assert_eq!(m.state().access_token, None, "{name}");
        }
    }
}

#[test]
fn authorize_failure_table() {
    for (name, answer, code, kept) in cases() {
        let (storage, m, result, value) = run_case(answer, true);
        if kept {
            let err = result.expect_err(name);
            assert_eq!(err.code(), code, "{name}");
            assert_eq!(
                stored(&storage, Slot::RefreshToken).as_deref(),
                Some("rt-2"),
                "{name}"
            );
            assert!(m.is_authenticated(), "{name}");
        } else {
            // Like the original: the session is cleared and authorize gives null.
            assert_eq!(value, Some(None), "{name}");
            assert_eq!(stored(&storage, Slot::SessionId), None, "{name}");
            assert!(!m.is_authenticated(), "{name}");
        }
    }
}

#[test]
fn messages_keep_server_details() {
    let (_, _, r, _) = run_case(
        Ok(response(
            401,
            r#"{"error":"invalid_grant","error_description":"refresh token reused"}"#,
        )),
        false,
    );
    let e = r.unwrap_err();
    assert!(matches!(
        e,
        Error::Auth {
            code: AuthErrorCode::SessionExpired,
            ..
        }
    ));
    let text = e.to_string();
    assert!(
        text.contains("401")
            && text.contains("invalid_grant")
            && text.contains("refresh token reused"),
        "{text}"
    );

    let (_, _, r, _) = run_case(Ok(html(502, "<html>upstream down</html>")), false);
    let text = r.unwrap_err().to_string();
    assert!(
        text.contains("502") && text.contains("upstream down"),
        "{text}"
    );

    let (_, _, r, _) = run_case(Err(Error::Network("ECONNRESET".into())), false);
    let text = r.unwrap_err().to_string();
    assert!(text.contains("ECONNRESET"), "{text}");
}

#[test]
fn is_transient_agrees_for_transport_level_codes() {
    let (_, _, r, _) = run_case(Err(Error::Network("x".into())), false);
    assert!(r.unwrap_err().is_transient());
}
