//! The exact requests of PROTOCOL.md §7, as `ServerHandler` of the original builds them: JSON fields
//! in the original's order, missing ones omitted.

use serde::Serialize;

use super::options::{AllowedOrigin, REQUEST_TIMEOUT_MS};
use crate::core::transport::{HttpRequest, Method};

/// The body of `POST /v2/store/set` and `PUT /v2/store/update`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StoreBody<'a> {
    /// The uncompressed public key, 130 hex digits.
    pub key: &'a str,
    /// The encrypted payload (ECIES JSON or AES-GCM envelope).
    pub data: &'a str,
    /// Hex DER signature of keccak256(utf8(data)).
    pub signature: &'a str,
    /// The namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<&'a str>,
    /// Create and update only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_origin: Option<&'a AllowedOrigin>,
    /// Create (`sessionTime`) and invalidate (`1`) only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
}

/// The body of `POST /v2/store/get`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GetBody<'a> {
    /// The uncompressed public key.
    pub key: &'a str,
    /// The namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<&'a str>,
}

/// The three writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// `POST /v2/store/set` with `allowedOrigin` and `timeout: sessionTime`.
    Create,
    /// `PUT /v2/store/update` with `allowedOrigin`, no timeout.
    Update,
    /// `POST /v2/store/set` with `timeout: 1`, no `allowedOrigin`.
    Invalidate,
}

impl Operation {
    /// Method and path.
    pub fn endpoint(self) -> (Method, &'static str) {
        match self {
            Self::Create | Self::Invalidate => (Method::Post, "/v2/store/set"),
            Self::Update => (Method::Put, "/v2/store/update"),
        }
    }
}

/// Serialises a body. Serialising these structs of strings and numbers cannot fail; the fallback
/// keeps that a non-panicking path.
pub(crate) fn to_json<T: Serialize>(body: &T) -> String {
    serde_json::to_string(body).unwrap_or_else(|_| "{}".to_owned())
}

/// A JSON request to `{base}{path}`: `Content-Type: application/json; charset=utf-8` (as
/// http-helpers sends it), then the caller's headers (a caller's `Content-Type` replaces ours).
pub fn json_request(
    method: Method,
    base_url: &str,
    path: &str,
    body: String,
    headers: &[(String, String)],
) -> HttpRequest {
    let mut all: Vec<(String, String)> = vec![(
        "Content-Type".to_owned(),
        "application/json; charset=utf-8".to_owned(),
    )];
    for (name, value) in headers {
        all.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        all.push((name.clone(), value.clone()));
    }
    HttpRequest {
        method,
        url: format!("{base_url}{path}"),
        headers: all,
        body: Some(body),
        timeout_ms: Some(REQUEST_TIMEOUT_MS),
    }
}
