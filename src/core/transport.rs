//! The HTTP seam: the core builds requests and reads responses; `crate::web::fetch` sends them in the
//! browser, fakes send them in native tests. A non-2xx answer is an `Ok` response here: what it means
//! is the caller's decision.

use std::borrow::Cow;

use futures::future::LocalBoxFuture;

use crate::core::error::Result;
use crate::core::json::{self, ParseError, Value};

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
}

impl Method {
    /// The method name as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
        }
    }
}

/// A request to send. Cheap to clone, so that a retry can send the same request again.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The absolute URL.
    pub url: String,
    /// Header names and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body, if any.
    pub body: Option<String>,
    /// Abort the request after this many milliseconds.
    pub timeout_ms: Option<u32>,
    /// The caller reads the answer as JSON: a transport that can parse it more cheaply than the
    /// caller may give it parsed ([`HttpResponse::json`]).
    pub parse_json: bool,
    /// The caller hands a 2xx body on as it is, without reading it: a transport whose bodies live
    /// outside the core may keep such a body where it is ([`HttpResponse::held`]).
    pub hand_on: bool,
}

impl HttpRequest {
    /// A request with no headers, no body and no timeout.
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        Self {
            method,
            url: url.into(),
            headers: Vec::new(),
            body: None,
            timeout_ms: None,
            parse_json: false,
            hand_on: false,
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// Sets the timeout.
    pub fn timeout_ms(mut self, ms: Option<u32>) -> Self {
        self.timeout_ms = ms;
        self
    }

    /// Asks for the answer parsed as JSON, where the transport can ([`HttpRequest::parse_json`]).
    pub fn parse_json(mut self) -> Self {
        self.parse_json = true;
        self
    }

    /// Marks a request whose 2xx body is handed on as it is ([`HttpRequest::hand_on`]).
    pub fn hand_on(mut self) -> Self {
        self.hand_on = true;
        self
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// A body the transport kept outside the core (see [`HttpRequest::hand_on`]), opaque to it: only
/// the transport's own caller (the bindings, for the browser's) knows what is inside.
#[derive(Clone)]
pub struct Held(pub std::rc::Rc<dyn std::any::Any>);

impl std::fmt::Debug for Held {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Held(..)")
    }
}

/// The same body, not an equal one.
impl PartialEq for Held {
    fn eq(&self, other: &Self) -> bool {
        std::rc::Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Held {}

/// The response headers the SDK reads (`content-type` to know JSON, `retry-after` to pace retries
/// of the refresh). A transport may carry only these: reading every header of an answer costs the
/// browser transport a call per header for nothing.
pub const READ_RESPONSE_HEADERS: [&str; 2] = ["content-type", "retry-after"];

/// An answer, whatever its status.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The status text.
    pub status_text: String,
    /// Header names (lowercase) and values: at least those of [`READ_RESPONSE_HEADERS`] that the
    /// answer has.
    pub headers: Vec<(String, String)>,
    /// The body as text; empty when the transport gave it parsed ([`HttpResponse::json`]) or kept
    /// it ([`HttpResponse::held`]).
    pub body: String,
    /// The body parsed as JSON, when the request asked for it ([`HttpRequest::parse_json`]) and the
    /// transport parsed it itself (the browser's does, with `JSON.parse`: the text then never
    /// crosses into the wasm and back out to be parsed). `None` when it did not, or the body is not
    /// JSON: then `body` holds the text.
    pub json: Option<Box<Value>>,
    /// A 2xx body the transport kept where it was, for a request that hands it on
    /// ([`HttpRequest::hand_on`]): `body` is then empty. The browser's transport keeps the JS
    /// string, so a large answer is neither copied into the wasm's memory (which never shrinks)
    /// nor back out to be parsed.
    pub held: Option<Held>,
}

impl HttpResponse {
    /// The body as JSON: the transport's parse, else the text parsed now.
    pub fn body_json(&self) -> std::result::Result<Cow<'_, Value>, ParseError> {
        match &self.json {
            Some(value) => Ok(Cow::Borrowed(&**value)),
            None => json::parse(&self.body).map(Cow::Owned),
        }
    }

    /// The body as text: the text, or the transport's parse written back as JSON.
    pub fn body_text(&self) -> Cow<'_, str> {
        match &self.json {
            Some(value) => Cow::Owned(value.to_json()),
            None => Cow::Borrowed(&self.body),
        }
    }

    /// True for a 2xx status.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// True when the content type says JSON (contains `json` in any ASCII case).
    pub fn is_json(&self) -> bool {
        // A byte window, not `str::contains`: that one brings the two-way substring searcher
        // (~1.3 KB) into the wasm for this one check.
        self.header_value("content-type").is_some_and(|v| {
            v.as_bytes()
                .windows(4)
                .any(|w| w.eq_ignore_ascii_case(b"json"))
        })
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Sends requests. Connection failures are `Error::Network`, timeouts `Error::Timeout`.
pub trait Transport {
    /// Sends `request` and waits for the whole answer.
    fn send(&self, request: HttpRequest) -> LocalBoxFuture<'_, Result<HttpResponse>>;

    /// Does every request with a `timeout_ms` settle by then, whatever the server or a wrapper in
    /// between does? Then callers start no timer of their own around [`Transport::send`].
    fn enforces_timeout(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_json_finds_json_in_any_ascii_case() {
        let with = |value: &str| HttpResponse {
            status: 200,
            status_text: String::new(),
            headers: vec![("content-type".to_owned(), value.to_owned())],
            body: String::new(),
            json: None,
            held: None,
        };
        for yes in [
            "application/json",
            "application/json; charset=utf-8",
            "APPLICATION/JSON",
            "application/problem+Json",
            "jsoN",
        ] {
            assert!(with(yes).is_json(), "{yes}");
        }
        for no in ["text/html", "", "jso", "application/js on", "éjsoé"] {
            assert_eq!(
                with(no).is_json(),
                no.to_ascii_lowercase().contains("json"),
                "{no}"
            );
        }
        assert!(!HttpResponse {
            status: 200,
            status_text: String::new(),
            headers: Vec::new(),
            body: String::new(),
            json: None,
            held: None,
        }
        .is_json());
    }
}
