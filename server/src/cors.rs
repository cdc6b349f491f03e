//! CORS with credentials for an allow-list of origins. Allowed origins are echoed (never `*`),
//! preflights answer 204 with the allowed methods and the requested headers reflected.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

const ALLOW_METHODS: &str = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
const BASE_ALLOW_HEADERS: [&str; 3] = ["content-type", "authorization", "x-api-key"];

/// Which origins may call with credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsPolicy {
    /// Any `http(s)://127.0.0.1[:port]`, `http(s)://localhost[:port]` or `http(s)://[::1][:port]` (the default).
    Loopback,
    /// Any origin at all (`--cors-origin '*'`): answered `Access-Control-Allow-Origin: *` *without*
    /// credentials, so no page can make a credentialed call.
    Any,
    /// Exactly these origins (normalised: lowercase, no trailing slash).
    List(Vec<String>),
}

impl CorsPolicy {
    /// The development default.
    pub fn loopback() -> Self {
        Self::Loopback
    }

    /// A list from `--cors-origin` values.
    pub fn list(origins: &[String]) -> Result<Self, String> {
        let mut list = Vec::new();
        for origin in origins {
            let origin = origin.trim();
            if origin == "*" {
                return Ok(Self::Any);
            }
            if origin.is_empty() {
                continue;
            }
            if !(origin.starts_with("http://") || origin.starts_with("https://")) {
                return Err(format!(
                    "--cors-origin {origin}: must start with http:// or https://"
                ));
            }
            list.push(normalise(origin));
        }
        if list.is_empty() {
            return Ok(Self::Loopback);
        }
        Ok(Self::List(list))
    }

    /// Whether `origin` (the request's Origin header) is allowed.
    pub fn allows(&self, origin: &str) -> bool {
        match self {
            Self::Any => !origin.is_empty() && origin != "null",
            Self::List(list) => {
                let origin = normalise(origin);
                list.contains(&origin)
            }
            Self::Loopback => is_loopback_origin(origin),
        }
    }
}

fn normalise(origin: &str) -> String {
    origin.trim_end_matches('/').to_ascii_lowercase()
}

fn is_loopback_origin(origin: &str) -> bool {
    let rest = match origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
    {
        Some(rest) => rest,
        None => return false,
    };
    let (host, port) = if let Some(after) = rest.strip_prefix("[::1]") {
        ("[::1]", after)
    } else {
        match rest.find(':') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        }
    };
    let host_ok = host == "[::1]" || host == "127.0.0.1" || host.eq_ignore_ascii_case("localhost");
    let port_ok = port.is_empty()
        || port.strip_prefix(':').is_some_and(|p| {
            !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit())
        });
    host_ok && port_ok
}

fn allowed_headers(requested: Option<&HeaderValue>) -> String {
    let mut names: Vec<String> = BASE_ALLOW_HEADERS.iter().map(|s| s.to_string()).collect();
    if let Some(requested) = requested.and_then(|v| v.to_str().ok()) {
        for name in requested.split(',') {
            let name = name.trim().to_ascii_lowercase();
            let is_token = !name.is_empty()
                && name.len() <= 64
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if is_token && !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names.join(", ")
}

fn add_cors_headers(headers: &mut HeaderMap, origin: &HeaderValue, policy: &CorsPolicy) {
    if *policy == CorsPolicy::Any {
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        return;
    }
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        HeaderValue::from_static("true"),
    );
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
}

/// The CORS middleware.
pub async fn cors(State(policy): State<CorsPolicy>, request: Request, next: Next) -> Response {
    let origin = request.headers().get(header::ORIGIN).cloned();
    let allowed = origin
        .as_ref()
        .and_then(|o| o.to_str().ok())
        .is_some_and(|o| policy.allows(o));
    let is_preflight = request.method() == Method::OPTIONS
        && request
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);

    if is_preflight {
        let origin = match (origin, allowed) {
            (Some(origin), true) => origin,
            _ => {
                return ApiError::forbidden(
                    "origin_not_allowed",
                    "this origin may not call the server",
                )
                .into_response()
            }
        };
        let mut response = StatusCode::NO_CONTENT.into_response();
        let requested = request
            .headers()
            .get(header::ACCESS_CONTROL_REQUEST_HEADERS);
        let allow_headers = allowed_headers(requested);
        let headers = response.headers_mut();
        add_cors_headers(headers, &origin, &policy);
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static(ALLOW_METHODS),
        );
        if let Ok(value) = HeaderValue::from_str(&allow_headers) {
            headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, value);
        }
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        headers.append(
            header::VARY,
            HeaderValue::from_static(
                "Access-Control-Request-Method, Access-Control-Request-Headers",
            ),
        );
        return response;
    }

    let mut response = next.run(request).await;
    if let (Some(origin), true) = (origin, allowed) {
        add_cors_headers(response.headers_mut(), &origin, &policy);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_origins() {
        let p = CorsPolicy::loopback();
        assert!(p.allows("http://127.0.0.1:8000"));
        assert!(p.allows("http://localhost:3000"));
        assert!(p.allows("http://[::1]:9"));
        assert!(p.allows("http://localhost"));
        assert!(!p.allows("http://127.0.0.1.evil.com"));
        assert!(!p.allows("http://localhost.evil.com:80"));
        assert!(!p.allows("http://localhost:80x"));
        assert!(!p.allows("http://evil.com"));
        assert!(!p.allows("null"));
        assert!(!p.allows("http://[::1]x:80"));
    }

    #[test]
    fn listed_origins() {
        let p = CorsPolicy::list(&["https://App.example/".into()]).unwrap();
        assert!(p.allows("https://app.example"));
        assert!(!p.allows("http://127.0.0.1:1"));
        assert_eq!(CorsPolicy::list(&["*".into()]).unwrap(), CorsPolicy::Any);
        assert!(CorsPolicy::list(&["ftp://x".into()]).is_err());
    }
}
