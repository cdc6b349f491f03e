//! Reading a thrown JS value: an `Error`'s `name: message`, or the value's string form for thrown
//! non-Errors (strings, objects, `undefined`). Never throws and never panics, whatever was thrown:
//! an `Error` whose `name` is a number, whose `message` is a Symbol, a Proxy whose getters throw,
//! a value `JSON.stringify` rejects (a BigInt, a cycle).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::text;

#[wasm_bindgen]
extern "C" {
    /// The global `String`, called only with a number here (never throws for one).
    #[wasm_bindgen(js_name = String)]
    fn js_string(value: &JsValue) -> String;
}

/// The property `key` of `value` as a string, if it is one (a throwing getter reads as `None`).
fn string_property(value: &JsValue, key: &str) -> Option<String> {
    js_sys::Reflect::get(value, &JsValue::from_str(key))
        .ok()?
        .as_string()
}

/// A readable description of a thrown or rejected JS value.
pub fn describe(value: &JsValue) -> String {
    if value.is_instance_of::<js_sys::Error>() || value.dyn_ref::<js_sys::Object>().is_some() {
        let name = string_property(value, "name");
        let message = string_property(value, "message").filter(|m| !m.is_empty());
        match (name, message) {
            (Some(name), Some(message)) => return text::cat(&[&name, ": ", &message]),
            (None, Some(message)) => return message,
            (Some(name), None) if value.is_instance_of::<js_sys::Error>() => return name,
            _ => {}
        }
    }
    if let Some(s) = value.as_string() {
        return s;
    }
    if value.is_undefined() || value.is_null() {
        return "unknown error".into();
    }
    if value.as_f64().is_some() {
        // JS's own form ("42", "NaN", "Infinity", "1e+21"): Rust's f64 Display would bring ~18 KB
        // of float formatting (core::num::flt2dec) into the wasm for this one line.
        return js_string(value);
    }
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

/// The `name` of a thrown `Error` or `DOMException` (`"QuotaExceededError"`, `"AbortError"`, ...).
pub fn error_name(value: &JsValue) -> Option<String> {
    string_property(value, "name")
}
