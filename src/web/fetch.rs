//! The core's [`Transport`] over `fetch`, through the `send` function of the library's JS snippet
//! ([`super::snippet`]): the request is built, sent and read in JS, with a timeout that aborts it
//! (AbortController) and fails the call even when a `fetch` wrapper ignores the abort, and an abort
//! when the future is dropped. One call and one promise cross the boundary per request.

use futures::future::LocalBoxFuture;
use futures::FutureExt;
use wasm_bindgen::JsCast;

use crate::core::error::{Error, Result};
use crate::core::json::MAX_DEPTH;
use crate::core::text;
use crate::core::transport::{Held, HttpRequest, HttpResponse, Transport, READ_RESPONSE_HEADERS};
use crate::web::snippet::{fetch_call, FetchAnswer, FetchCall};
use crate::web::task::settled;
use crate::web::{js_error, json_parse};

/// Sends requests with the browser's `fetch`.
#[derive(Debug, Default, Clone, Copy)]
pub struct FetchTransport;

/// Aborts the request when dropped before it completed (a cancelled future); nothing once it is
/// over.
struct AbortOnDrop(FetchCall);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The header names and values joined by NUL, or `None` if one holds a NUL (which no header may:
/// `Headers.append` refuses it).
fn joined_headers(req: &HttpRequest) -> Option<String> {
    let mut out = String::new();
    for (name, value) in &req.headers {
        if name.contains('\0') || value.contains('\0') {
            return None;
        }
        if !out.is_empty() {
            out.push('\0');
        }
        out.push_str(name);
        out.push('\0');
        out.push_str(value);
    }
    Some(out)
}

async fn send(req: HttpRequest) -> Result<HttpResponse> {
    let invalid =
        |why: &str| Error::Network(text::cat(&["invalid request to ", &req.url, ": ", why]));
    let Some(headers) = joined_headers(&req) else {
        return Err(invalid("a header name or value holds a NUL character"));
    };
    let call = AbortOnDrop(fetch_call(
        req.method.as_str(),
        &req.url,
        &headers,
        req.body.as_deref(),
        req.timeout_ms.unwrap_or(0),
        if req.parse_json { MAX_DEPTH } else { 0 },
    ));
    let failed =
        |why: &str| Error::Network(text::cat(&[req.method.as_str(), " ", &req.url, ": ", why]));
    let answer: FetchAnswer = match settled(call.0.outcome()).await {
        Ok(answer) => answer.unchecked_into(),
        Err(reason) => {
            let reason = js_sys::Array::from(&reason);
            let error = reason.get(1);
            return Err(match reason.get(0).as_f64().map(|k| k as u8) {
                Some(0) => Error::Timeout {
                    url: req.url.clone(),
                    ms: req.timeout_ms.unwrap_or(0),
                },
                Some(2) => failed("fetch resolved to something that is not a Response"),
                Some(3) => invalid(&js_error::describe(&error)),
                _ => failed(&js_error::describe(&error)),
            });
        }
    };
    let read = [answer.content_type(), answer.retry_after()];
    let mut response = HttpResponse {
        status: answer.status(),
        status_text: answer.status_text(),
        headers: READ_RESPONSE_HEADERS
            .iter()
            .zip(read)
            .filter_map(|(name, value)| Some(((*name).to_owned(), value?)))
            .collect(),
        body: String::new(),
        json: answer
            .tape()
            .and_then(|tape| json_parse::read_tape(&tape))
            .map(Box::new),
        held: None,
    };
    // A 2xx body the caller hands on stays the JS string it is (see `HttpResponse::held`).
    if req.hand_on && response.is_success() {
        response.held = Some(Held(std::rc::Rc::new(answer.body_value())));
    } else {
        response.body = answer.body();
    }
    Ok(response)
}

impl Transport for FetchTransport {
    fn send(&self, request: HttpRequest) -> LocalBoxFuture<'_, Result<HttpResponse>> {
        send(request).boxed_local()
    }

    /// The snippet's timer fails the call at the timeout even if `fetch` never settles.
    fn enforces_timeout(&self) -> bool {
        true
    }
}
