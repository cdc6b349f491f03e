//! Reading a thrown JS value: an `Error`'s `name: message`, or the value's string form for thrown
//! non-Errors (strings, objects, `undefined`).

use wasm_bindgen::{JsCast, JsValue};

/// A readable description of a thrown or rejected JS value.
pub fn describe(value: &JsValue) -> String {
    if let Some(err) = value.dyn_ref::<js_sys::Error>() {
        let name: String = err.name().into();
        let message: String = err.message().into();
        return if message.is_empty() {
            name
        } else {
            format!("{name}: {message}")
        };
    }
    if let Some(s) = value.as_string() {
        return s;
    }
    if value.is_undefined() || value.is_null() {
        return "unknown error".into();
    }
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

/// The `name` of a thrown `Error` or `DOMException` (`"QuotaExceededError"`, `"AbortError"`, ...).
pub fn error_name(value: &JsValue) -> Option<String> {
    js_sys::Reflect::get(value, &JsValue::from_str("name"))
        .ok()?
        .as_string()
}
