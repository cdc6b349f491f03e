//! The exact requests of PROTOCOL.md §7, as `ServerHandler` of the original builds them: JSON fields
//! in the original's order, missing ones omitted.

use super::options::{AllowedOrigin, REQUEST_TIMEOUT_MS};
use crate::core::json::write_str;
use crate::core::text;
use crate::core::transport::{HttpRequest, Method};

/// The body of `POST /v2/store/set` and `PUT /v2/store/update`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreBody<'a> {
    /// The uncompressed public key, 130 hex digits.
    pub key: &'a str,
    /// The encrypted payload (ECIES JSON or AES-GCM envelope).
    pub data: &'a str,
    /// Hex DER signature of keccak256(utf8(data)).
    pub signature: &'a str,
    /// The namespace.
    pub namespace: Option<&'a str>,
    /// Create and update only.
    pub allowed_origin: Option<&'a AllowedOrigin>,
    /// Create (`sessionTime`) and invalidate (`1`) only.
    pub timeout: Option<u64>,
}

/// The body of `POST /v2/store/get`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetBody<'a> {
    /// The uncompressed public key.
    pub key: &'a str,
    /// The namespace.
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

impl StoreBody<'_> {
    /// `{"key","data","signature","namespace"?,"allowedOrigin"?,"timeout"?}` in that order, as
    /// `JSON.stringify` writes it; absent fields omitted.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(self.data.len() * 2 + 300);
        out.push_str("{\"key\":");
        write_str(&mut out, self.key);
        out.push_str(",\"data\":");
        write_str(&mut out, self.data);
        out.push_str(",\"signature\":");
        write_str(&mut out, self.signature);
        if let Some(namespace) = self.namespace {
            out.push_str(",\"namespace\":");
            write_str(&mut out, namespace);
        }
        match self.allowed_origin {
            Some(AllowedOrigin::Bool(b)) => {
                out.push_str(if *b {
                    ",\"allowedOrigin\":true"
                } else {
                    ",\"allowedOrigin\":false"
                });
            }
            Some(AllowedOrigin::Origin(origin)) => {
                out.push_str(",\"allowedOrigin\":");
                write_str(&mut out, origin);
            }
            None => {}
        }
        if let Some(timeout) = self.timeout {
            out.push_str(",\"timeout\":");
            text::push_dec(&mut out, timeout);
        }
        out.push('}');
        out
    }
}

impl GetBody<'_> {
    /// `{"key","namespace"?}`, as `JSON.stringify` writes it.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(160);
        out.push_str("{\"key\":");
        write_str(&mut out, self.key);
        if let Some(namespace) = self.namespace {
            out.push_str(",\"namespace\":");
            write_str(&mut out, namespace);
        }
        out.push('}');
        out
    }
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
        url: text::cat(&[base_url, path]),
        headers: all,
        body: Some(body),
        timeout_ms: Some(REQUEST_TIMEOUT_MS),
        parse_json: false,
        hand_on: false,
    }
}
