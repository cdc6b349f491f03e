//! Rust errors to JS `Error` objects with a stable `name` and `code` (and `status`, `url`, `body` for
//! HTTP errors). The npm entry registers its `AuthError`/`HttpError`/`StorageError`/`CryptoError`
//! subclasses at start-up, so `err instanceof AuthError` works; without them (raw wasm-bindgen use,
//! tests) a plain `Error` carries the same fields.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

use crate::bindings::js_value::set_field;
use crate::core::error::Error;
use crate::core::text;

thread_local! {
    static CLASSES: RefCell<Option<js_sys::Object>> = const { RefCell::new(None) };
}

/// Registers the error subclasses, `{ AuthError, HttpError, StorageError, CryptoError }`, used for
/// every error thrown from then on. Called by the package entry; not part of the public API.
#[wasm_bindgen(js_name = __registerErrorClasses, skip_typescript)]
pub fn register_error_classes(classes: js_sys::Object) {
    CLASSES.with(|c| *c.borrow_mut() = Some(classes));
}

fn construct(name: &str, message: &str) -> JsValue {
    let class = CLASSES.with(|c| {
        c.borrow()
            .as_ref()
            .and_then(|o| js_sys::Reflect::get(o, &JsValue::from_str(name)).ok())
            .filter(|f| f.is_function())
    });
    let args = js_sys::Array::of1(&JsValue::from_str(message));
    let err = class
        .and_then(|f| js_sys::Reflect::construct(f.unchecked_ref::<js_sys::Function>(), &args).ok())
        .unwrap_or_else(|| {
            // What is documented as a TypeError is one, registered classes or not.
            if name == "TypeError" {
                js_sys::TypeError::new(message).into()
            } else {
                js_sys::Error::new(message).into()
            }
        });
    set_field(&err, "name", &JsValue::from_str(name));
    err
}

/// The JS error for `e`.
pub fn to_js(e: Error) -> JsValue {
    let err = construct(e.name(), &e.message());
    set_field(&err, "code", &JsValue::from_str(e.code()));
    if let Error::Http {
        status,
        status_text,
        url,
        body,
    } = &e
    {
        set_field(&err, "status", &JsValue::from(*status));
        set_field(&err, "statusText", &JsValue::from_str(status_text));
        set_field(&err, "url", &JsValue::from_str(url));
        let parsed = js_sys::JSON::parse(body).unwrap_or_else(|_| JsValue::from_str(body));
        set_field(&err, "body", &parsed);
    }
    if let Error::Timeout { url, .. } = &e {
        set_field(&err, "url", &JsValue::from_str(url));
    }
    err
}

impl From<Error> for JsValue {
    fn from(e: Error) -> Self {
        to_js(e)
    }
}

/// A JS option value that could not be read.
pub fn invalid_option(what: &str, detail: &str) -> JsValue {
    to_js(Error::InvalidOption(text::cat(&[what, ": ", detail])))
}
