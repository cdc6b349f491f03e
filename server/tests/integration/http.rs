//! HTTP hygiene: limits, JSON errors everywhere, echo, CORS, static files.

use serde_json::json;

use crate::common::TestServer;

#[tokio::test]
async fn oversized_bodies_are_413_json() {
    let s = TestServer::start().await;
    let login = s.login("alice").await;
    let big = format!("{{\"x\":\"{}\"}}", "a".repeat(70 * 1024));
    let auth = format!("Bearer {}", login.access);
    for (method, path) in [
        ("POST", "/v1/auth/login"),
        ("POST", "/v1/auth/session"),
        ("POST", "/v1/auth/logout"),
        ("POST", "/v1/echo"),
        ("PUT", "/v1/echo"),
        ("POST", "/v2/store/set"),
        ("PUT", "/v2/store/update"),
        ("POST", "/v2/store/get"),
    ] {
        let r = s
            .request(method, path, &[("authorization", &auth)], Some(&big))
            .await;
        r.assert_error(413, "payload_too_large");
    }
    // Just under the limit is fine.
    let fits = format!("{{\"x\":\"{}\"}}", "a".repeat(60 * 1024));
    assert_eq!(
        s.request("POST", "/v1/echo", &[], Some(&fits)).await.status,
        200
    );
}

#[tokio::test]
async fn oversized_headers_are_431_json() {
    let s = TestServer::start().await;
    let huge = "a".repeat(17 * 1024);
    s.request("GET", "/health", &[("x-big", &huge)], None)
        .await
        .assert_error(431, "request_header_fields_too_large");
    let many: Vec<(String, String)> = (0..12)
        .map(|i| (format!("x-h{i}"), "b".repeat(5000)))
        .collect();
    let headers: Vec<(&str, &str)> = many.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    s.request("GET", "/health", &headers, None)
        .await
        .assert_error(431, "request_header_fields_too_large");
    let long_uri = format!("/health?x={}", "a".repeat(17 * 1024));
    s.request("GET", &long_uri, &[], None)
        .await
        .assert_error(414, "uri_too_long");
    let cookie = "c".repeat(12 * 1024);
    assert_eq!(
        s.request("GET", "/health", &[("cookie", &cookie)], None)
            .await
            .status,
        200
    );
    let long_token = format!("Bearer {}", "a".repeat(5000));
    s.request("GET", "/v1/me", &[("authorization", &long_token)], None)
        .await
        .assert_error(401, "invalid_token");
}

#[tokio::test]
async fn bad_input_is_a_4xx_json_error() {
    let s = TestServer::start().await;
    let cases: [(&str, &str, Option<&str>, u16, &str); 9] = [
        (
            "POST",
            "/v1/auth/login",
            Some("{not json"),
            400,
            "invalid_request",
        ),
        (
            "POST",
            "/v1/auth/login",
            Some("\u{0}\u{1}"),
            400,
            "invalid_request",
        ),
        (
            "POST",
            "/v1/auth/session",
            Some("[]"),
            400,
            "invalid_request",
        ),
        (
            "POST",
            "/v1/auth/logout",
            Some("\"x\""),
            400,
            "invalid_request",
        ),
        (
            "POST",
            "/v2/store/get",
            Some("{\"key\":null}"),
            400,
            "invalid_request",
        ),
        ("POST", "/v1/echo", Some("{\"a\":"), 400, "invalid_request"),
        ("GET", "/nowhere", None, 404, "not_found"),
        ("GET", "/v1/auth/login", None, 405, "method_not_allowed"),
        ("DELETE", "/v2/store/set", None, 405, "method_not_allowed"),
    ];
    for (method, path, body, status, error) in cases {
        s.request(method, path, &[], body)
            .await
            .assert_error(status, error);
    }
    let r = s.request("GET", "/test/delay?ms=abc", &[], None).await;
    r.assert_error(400, "invalid_request");
    let r = s
        .request(
            "POST",
            "/v1/auth/login",
            &[("content-type", "text/plain")],
            Some("zzz"),
        )
        .await;
    // A body that is not sent as JSON is refused before it is read (see hardening.rs).
    r.assert_error(415, "unsupported_media_type");
}

#[tokio::test]
async fn echo_answers_method_body_and_authorization_presence() {
    let s = TestServer::start().await;
    let login = s.login("alice").await;
    let auth = format!("Bearer {}", login.access);
    for method in ["POST", "PUT", "PATCH", "DELETE"] {
        let r = s
            .request(
                method,
                "/v1/echo",
                &[("authorization", &auth)],
                Some("{\"a\":[1,true]}"),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let v = r.json();
        assert_eq!(v["method"], method);
        assert_eq!(v["body"], json!({"a": [1, true]}));
        assert_eq!(v["authorization_present"], true);
        assert_eq!(v["sub"], "alice");
    }
    let r = s
        .request("GET", "/v1/echo", &[("x-api-key", "k")], None)
        .await;
    let v = r.json();
    assert_eq!(
        (
            v["method"].as_str(),
            &v["body"],
            &v["authorization_present"]
        ),
        (Some("GET"), &json!(null), &json!(false))
    );
    assert_eq!(v["x_api_key_present"], true);
    s.request(
        "POST",
        "/v1/echo",
        &[("authorization", "Bearer nope")],
        Some("{}"),
    )
    .await
    .assert_error(401, "invalid_token");
    let me = s.me(&login.access).await;
    assert_eq!(me.header("cache-control"), Some("no-store"));
    let me = me.json();
    assert_eq!(
        (me["sub"].as_str(), me["sid"].as_str()),
        (Some("alice"), Some(login.sid.as_str()))
    );
}

#[tokio::test]
async fn cors_echoes_allowed_loopback_origins_with_credentials() {
    let s = TestServer::start().await;
    for origin in [
        "http://127.0.0.1:5555",
        "http://localhost:8000",
        "http://[::1]:9000",
    ] {
        let r = s
            .request(
                "OPTIONS",
                "/v1/auth/session",
                &[
                    ("origin", origin),
                    ("access-control-request-method", "POST"),
                    (
                        "access-control-request-headers",
                        "Content-Type, Authorization, X-Custom-Thing",
                    ),
                ],
                None,
            )
            .await;
        assert_eq!(r.status, 204);
        assert_eq!(r.header("access-control-allow-origin"), Some(origin));
        assert_eq!(r.header("access-control-allow-credentials"), Some("true"));
        let methods = r.header("access-control-allow-methods").unwrap();
        for m in ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] {
            assert!(methods.contains(m));
        }
        let allowed = r.header("access-control-allow-headers").unwrap();
        for h in [
            "content-type",
            "authorization",
            "x-api-key",
            "x-custom-thing",
        ] {
            assert!(allowed.contains(h), "{allowed}");
        }
        // Actual requests, errors included, carry the CORS headers too.
        let r = s
            .request(
                "POST",
                "/v1/auth/session",
                &[("origin", origin)],
                Some("{}"),
            )
            .await;
        r.assert_error(401, "invalid_grant");
        assert_eq!(r.header("access-control-allow-origin"), Some(origin));
        assert_eq!(r.header("access-control-allow-credentials"), Some("true"));
    }
    let r = s
        .request("GET", "/health", &[("origin", "http://evil.example")], None)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), None);
    let r = s
        .request(
            "OPTIONS",
            "/v1/echo",
            &[
                ("origin", "http://evil.example"),
                ("access-control-request-method", "POST"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn cors_origin_list_replaces_the_loopback_default() {
    let s = TestServer::start_with(|c| {
        c.cors = session_server::cors::CorsPolicy::list(&["https://app.example".into()]).unwrap();
    })
    .await;
    let r = s
        .request("GET", "/health", &[("origin", "https://app.example")], None)
        .await;
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    let r = s
        .request(
            "GET",
            "/health",
            &[("origin", "http://127.0.0.1:3000")],
            None,
        )
        .await;
    assert_eq!(r.header("access-control-allow-origin"), None);
}

#[tokio::test]
async fn static_dir_is_served_at_root_without_escaping_it() {
    let dir = std::env::temp_dir().join(format!("session-server-static-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("pkg")).unwrap();
    std::fs::write(dir.join("index.html"), "<h1>demo</h1>").unwrap();
    std::fs::write(dir.join("pkg/app.wasm"), [0u8, 97, 115, 109]).unwrap();
    std::fs::write(dir.join(".secret"), "no").unwrap();
    let root = dir.clone();
    let s = TestServer::start_with(move |c| c.static_dir = Some(root)).await;
    let r = s.request("GET", "/", &[], None).await;
    assert_eq!((r.status, r.text.as_str()), (200, "<h1>demo</h1>"));
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    let r = s.request("GET", "/pkg/app.wasm", &[], None).await;
    assert_eq!(r.header("content-type"), Some("application/wasm"));
    for path in [
        "/.secret",
        "/../Cargo.toml",
        "/pkg/../../x",
        "/%2e%2e/x",
        "/missing.js",
    ] {
        s.request("GET", path, &[], None)
            .await
            .assert_error(404, "not_found");
    }
    s.request("GET", "/v1/nothing", &[], None)
        .await
        .assert_error(404, "not_found");
    assert_eq!(s.request("GET", "/health", &[], None).await.status, 200);
    std::fs::remove_dir_all(dir).unwrap();
}
