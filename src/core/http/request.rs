//! Request options, request building and the result of a request (PROTOCOL.md §8).

use crate::core::error::{Error, Result};
use crate::core::text;
use crate::core::transport::{Held, HttpRequest, HttpResponse, Method};

/// The timeout of a request when neither the request nor `apiClientConfig.timeout` sets one.
pub const DEFAULT_TIMEOUT_MS: u32 = 60_000;

/// The `x-api-key` value `@toruslabs/http-helpers` sends when no key was set.
pub const DEFAULT_API_KEY: &str = "torus-default";

/// The content type of JSON bodies, unless the caller sets one.
pub const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// Per-request options: `{ authenticated?, headers?, timeout?, useAPIKey? }`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestOptions {
    /// Attach the session's access token, wait for a refresh in flight, refresh on 401.
    pub authenticated: bool,
    /// Extra headers, in order. A caller `Authorization` header is replaced on authenticated requests.
    pub headers: Vec<(String, String)>,
    /// Abort after this many milliseconds (JS `timeout`).
    pub timeout_ms: Option<u32>,
    /// Add the `x-api-key` header (JS `useAPIKey`).
    pub use_api_key: bool,
}

impl RequestOptions {
    /// Options of an authenticated request.
    pub fn authenticated() -> Self {
        Self {
            authenticated: true,
            ..Self::default()
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the timeout.
    pub fn timeout_ms(mut self, ms: u32) -> Self {
        self.timeout_ms = Some(ms);
        self
    }
}

/// A 2xx answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResult {
    /// The status code.
    pub status: u16,
    /// Header names (lowercase) and values.
    pub headers: Vec<(String, String)>,
    /// The body as text; JSON when [`HttpResult::is_json`]. Empty when the transport kept it
    /// ([`HttpResult::held`]).
    pub body: String,
    /// True when the content type says JSON: the bindings `JSON.parse` the body.
    pub is_json: bool,
    /// The body, where the transport kept it ([`HttpResponse::held`]).
    pub held: Option<Held>,
}

/// Turns an answer into the result, or a non-2xx one into `Error::Http` (never a raw response).
pub(crate) fn into_result(url: &str, response: HttpResponse) -> Result<HttpResult> {
    if response.is_success() {
        let is_json = response.is_json();
        Ok(HttpResult {
            status: response.status,
            headers: response.headers,
            body: response.body,
            is_json,
            held: response.held,
        })
    } else {
        Err(Error::Http {
            status: response.status,
            status_text: response.status_text,
            url: url.to_owned(),
            body: response.body,
        })
    }
}

/// What the client adds to every request of one call.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub method: Method,
    pub url: String,
    pub body: Option<String>,
    pub headers: Vec<(String, String)>,
    pub timeout_ms: u32,
}

impl Prepared {
    /// Method, URL, JSON body (non-GET: `data`, default `{}`), headers (content type unless the
    /// caller set one, `x-api-key`, the caller's) and timeout.
    pub(crate) fn new(
        method: Method,
        url: &str,
        data: Option<String>,
        options: &RequestOptions,
        api_key: Option<&str>,
        default_timeout_ms: u32,
    ) -> Self {
        let body = match method {
            Method::Get => None,
            _ => Some(data.unwrap_or_else(|| "{}".to_owned())),
        };
        let caller_sets = |name: &str| {
            options
                .headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(name))
        };
        let mut headers = Vec::with_capacity(options.headers.len() + 3);
        if body.is_some() && !caller_sets("content-type") {
            headers.push(("Content-Type".to_owned(), JSON_CONTENT_TYPE.to_owned()));
        }
        if options.use_api_key && !caller_sets("x-api-key") {
            if let Some(key) = api_key.filter(|k| !k.is_empty()) {
                headers.push(("x-api-key".to_owned(), key.to_owned()));
            }
        }
        headers.extend(
            options
                .headers
                .iter()
                .filter(|(n, _)| {
                    !(options.authenticated && n.eq_ignore_ascii_case("authorization"))
                })
                .cloned(),
        );
        Self {
            method,
            url: url.to_owned(),
            body,
            headers,
            timeout_ms: options.timeout_ms.unwrap_or(default_timeout_ms),
        }
    }

    /// The request to send, with `Authorization: Bearer {token}` if a token is given.
    pub(crate) fn request(&self, token: Option<&str>) -> HttpRequest {
        // The client's caller gets a 2xx body as it came (parsed by the bindings when it says
        // JSON): the core never reads it.
        let mut request = HttpRequest::new(self.method, self.url.clone())
            .timeout_ms(Some(self.timeout_ms))
            .hand_on();
        request.headers = self.headers.clone();
        if let Some(token) = token.filter(|t| !t.is_empty()) {
            request
                .headers
                .push(("Authorization".to_owned(), text::cat(&["Bearer ", token])));
        }
        request.body = self.body.clone();
        request
    }
}
