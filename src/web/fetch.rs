//! The core's [`Transport`] over `fetch`, with a timeout that aborts the request (AbortController)
//! and an abort when the future is dropped.

use futures::future::LocalBoxFuture;
use futures::FutureExt;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::core::error::{Error, Result};
use crate::core::text;
use crate::core::transport::{HttpRequest, HttpResponse, Transport, READ_RESPONSE_HEADERS};
use crate::web::js_error;
use crate::web::timer::Timeout;

#[wasm_bindgen]
extern "C" {
    /// The global `fetch` (window or worker). `catch`: a wrapper that throws synchronously (or a
    /// missing `fetch`) is a network error, not an exception through the wasm.
    /// `fetch(url, init)`, not `fetch(new Request(url, init))`: the browser builds the request once.
    #[wasm_bindgen(catch, js_name = fetch)]
    fn global_fetch(
        url: &str,
        init: &web_sys::RequestInit,
    ) -> std::result::Result<JsValue, JsValue>;
}

/// Sends requests with the browser's `fetch`.
#[derive(Debug, Default, Clone, Copy)]
pub struct FetchTransport;

/// Aborts the request when dropped before it completed (a cancelled future); nothing once the whole
/// answer has been read.
struct AbortOnDrop {
    controller: web_sys::AbortController,
    done: bool,
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if !self.done {
            self.controller.abort();
        }
    }
}

fn build(
    req: &HttpRequest,
    signal: &web_sys::AbortSignal,
) -> std::result::Result<web_sys::RequestInit, JsValue> {
    let init = web_sys::RequestInit::new();
    init.set_method(req.method.as_str());
    init.set_signal(Some(signal));
    let headers = web_sys::Headers::new()?;
    for (name, value) in &req.headers {
        headers.append(name, value)?;
    }
    init.set_headers(&headers);
    if let Some(body) = &req.body {
        init.set_body(&JsValue::from_str(body));
    }
    Ok(init)
}

/// The headers the SDK reads ([`READ_RESPONSE_HEADERS`]), one `get` each.
fn read_headers(headers: &web_sys::Headers) -> Vec<(String, String)> {
    READ_RESPONSE_HEADERS
        .iter()
        .filter_map(|name| match headers.get(name) {
            Ok(Some(value)) => Some(((*name).to_owned(), value)),
            _ => None,
        })
        .collect()
}

async fn send(req: HttpRequest) -> Result<HttpResponse> {
    let controller = web_sys::AbortController::new()
        .map_err(|e| Error::Network(text::cat(&["AbortController: ", &js_error::describe(&e)])))?;
    let mut abort = AbortOnDrop {
        controller,
        done: false,
    };
    let signal = abort.controller.signal();
    let init = build(&req, &signal).map_err(|e| {
        Error::Network(text::cat(&[
            "invalid request to ",
            &req.url,
            ": ",
            &js_error::describe(&e),
        ]))
    })?;
    let _timer = req
        .timeout_ms
        .map(|ms| Timeout::abort_after(&abort.controller, ms));
    let fail = |e: JsValue| match (req.timeout_ms, signal.aborted()) {
        (Some(ms), true) => Error::Timeout {
            url: req.url.clone(),
            ms,
        },
        _ => Error::Network(text::cat(&[
            req.method.as_str(),
            " ",
            &req.url,
            ": ",
            &js_error::describe(&e),
        ])),
    };
    let pending = global_fetch(&req.url, &init).map_err(fail)?;
    // A wrapper may return anything: take it as a thenable, and check that a Response came back.
    let answer = JsFuture::from(js_sys::Promise::resolve(&pending))
        .await
        .map_err(fail)?;
    let response: web_sys::Response = answer.dyn_into().map_err(|_| {
        Error::Network(text::cat(&[
            req.method.as_str(),
            " ",
            &req.url,
            ": fetch resolved to something that is not a Response",
        ]))
    })?;
    let text = response.text().map_err(fail)?;
    let body = JsFuture::from(text)
        .await
        .map_err(fail)?
        .as_string()
        .unwrap_or_default();
    abort.done = true;
    Ok(HttpResponse {
        status: response.status(),
        status_text: response.status_text(),
        headers: read_headers(&response.headers()),
        body,
    })
}

impl Transport for FetchTransport {
    fn send(&self, request: HttpRequest) -> LocalBoxFuture<'_, Result<HttpResponse>> {
        send(request).boxed_local()
    }
}
