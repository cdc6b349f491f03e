//! The one error type of the HTTP API: every failure is a JSON body `{error, error_description}`
//! with a 4xx status (a 5xx only for a store that is down).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The OAuth-style error code (`invalid_grant`, `invalid_token`, ...).
    pub error: &'static str,
    /// A human-readable description.
    pub description: String,
    /// For a session that is gone: `revoked` or `expired` (answered as `session_status`).
    pub session_status: Option<&'static str>,
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'a str,
    error_description: &'a str,
    /// Seconds after which a retry may succeed (503 and 429 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    retry_after: Option<u64>,
    /// Why a session is gone: `revoked` or `expired`.
    #[serde(skip_serializing_if = "Option::is_none")]
    session_status: Option<&'a str>,
}

/// The retry hint of a 503 (`Retry-After` and `retry_after`), seconds.
pub const RETRY_AFTER_SECS: u64 = 1;

impl ApiError {
    /// Any status and code.
    pub fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        Self {
            status,
            error,
            description: description.into(),
            session_status: None,
        }
    }

    /// Adds `session_status` (`revoked` / `expired`) to the answer.
    pub fn with_session_status(mut self, status: Option<&'static str>) -> Self {
        self.session_status = status;
        self
    }

    /// 429 `rate_limited`.
    pub fn rate_limited(description: impl Into<String>) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", description)
    }

    /// 400 `invalid_request`.
    pub fn bad_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    /// 401 `invalid_grant`: a refresh token (or the session behind it) that cannot be used.
    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_grant", description)
    }

    /// 401 `invalid_token`: a Bearer access token that cannot be used.
    pub fn invalid_token(description: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "invalid_token", description)
    }

    /// 403 `forbidden`.
    pub fn forbidden(error: &'static str, description: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, error, description)
    }

    /// 404 `not_found`.
    pub fn not_found(description: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", description)
    }

    /// 413 `payload_too_large`.
    pub fn too_large(description: impl Into<String>) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            description,
        )
    }

    /// 503 `temporarily_unavailable`: the store failed (never caused by the request's content).
    pub fn unavailable(description: impl Into<String>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            description,
        )
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.error,
            self.description
        )
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry = matches!(
            self.status,
            StatusCode::SERVICE_UNAVAILABLE | StatusCode::TOO_MANY_REQUESTS
        );
        let body = serde_json::to_vec(&Body {
            error: self.error,
            error_description: &self.description,
            retry_after: retry.then_some(RETRY_AFTER_SECS),
            session_status: self.session_status,
        })
        .unwrap_or_else(|_| b"{\"error\":\"server_error\"}".to_vec());
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if retry {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
        }
        if self.status == StatusCode::UNAUTHORIZED && self.error == "invalid_token" {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
        }
        response
    }
}

/// Result alias for handlers.
pub type ApiResult<T> = Result<T, ApiError>;
