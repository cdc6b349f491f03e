//! `core::json::parse` and `is_valid` in the browser: the text goes through the browser's own
//! `JSON.parse`, and its result is walked into a [`Value`], so the wasm carries no JSON reader of
//! its own (the core's reader stays native: tests, fuzzing).
//!
//! The walk sees only what `JSON.parse` makes: null, booleans, numbers, strings, arrays and plain
//! objects. An object's members come in `Object.entries` order, which is the order
//! `JSON.stringify(JSON.parse(text))` writes (a key given twice once, with its last value). A number
//! is kept as the text `JSON.stringify` writes for it, which reads back as the same `f64`
//! (`Value::as_f64`). Nesting deeper than the core's limit is refused, as natively.

use wasm_bindgen::{JsCast, JsValue};

use crate::core::json::{ParseError, Value, MAX_DEPTH};

/// One JSON value, read by `JSON.parse`.
pub fn parse(text: &str) -> Result<Value, ParseError> {
    let value = js_sys::JSON::parse(text).map_err(|_| ParseError::browser("not JSON"))?;
    walk(&value, 0).ok_or_else(|| ParseError::browser("nested too deeply"))
}

/// True when `JSON.parse` accepts `text`.
pub fn is_valid(text: &str) -> bool {
    js_sys::JSON::parse(text).is_ok()
}

/// The [`Value`] of what `JSON.parse` returned; `None` when nested too deeply.
fn walk(value: &JsValue, depth: u32) -> Option<Value> {
    if let Some(s) = value.as_string() {
        return Some(Value::String(s));
    }
    if let Some(b) = value.as_bool() {
        return Some(Value::Bool(b));
    }
    if let Some(x) = value.as_f64() {
        // JSON.stringify writes -0 as "0": keep its sign, as JSON.parse read it.
        if x == 0.0 && x.is_sign_negative() {
            return Some(Value::Number("-0".to_owned()));
        }
        let text = js_sys::JSON::stringify(value).ok()?;
        return Some(Value::Number(text.into()));
    }
    if value.is_null() {
        return Some(Value::Null);
    }
    if depth >= MAX_DEPTH {
        return None;
    }
    if js_sys::Array::is_array(value) {
        let array: &js_sys::Array = value.unchecked_ref();
        let mut items = Vec::with_capacity(array.length() as usize);
        for item in array.iter() {
            items.push(walk(&item, depth + 1)?);
        }
        return Some(Value::Array(items));
    }
    // `JSON.parse` makes plain objects only: `Object.entries` cannot throw on them.
    let entries = js_sys::Object::entries(value.unchecked_ref());
    let mut members = Vec::with_capacity(entries.length() as usize);
    for entry in entries.iter() {
        let pair: js_sys::Array = entry.unchecked_into();
        let key = pair.get(0).as_string()?;
        members.push((key, walk(&pair.get(1), depth + 1)?));
    }
    Some(Value::Object(members))
}
