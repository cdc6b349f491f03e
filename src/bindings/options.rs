//! Reading JS option objects field by field, without serde-wasm-bindgen (its generic deserialiser and
//! serde's error messages cost the package tens of KB). The rules are the ones serde-wasm-bindgen
//! applied to the core's derived `Deserialize`, so the accepted shapes stay the same:
//! - the object must be an object (`typeof "object"`, not null);
//! - a field is absent when `obj[key]` is `undefined` and `key in obj` is false; a key set to
//!   `undefined` is present (and reads as absent only where the field is optional);
//! - a field given under two of its names (`baseURL` and `baseUrl`) is an error;
//! - strings, booleans and numbers are not converted: a wrong type is an error;
//! - integers are safe integers within the field's range.
//!
//! Errors are a detail text; the callers wrap it in their `INVALID_OPTION` error naming the object.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A detail text naming the field that could not be read.
pub type Read<T> = Result<T, String>;

#[wasm_bindgen]
extern "C" {
    /// `Object.entries`, with `catch`: a Proxy whose traps throw is an error, not an exception
    /// through the wasm.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = entries)]
    fn object_entries(value: &JsValue) -> Result<js_sys::Array, JsValue>;

    /// `String(value)`, with `catch`: an object whose `toString` throws is an error, not an
    /// exception through the wasm.
    #[wasm_bindgen(catch, js_name = String)]
    fn js_string(value: &JsValue) -> Result<JsValue, JsValue>;
}

/// `String(value)` (a `URL`'s `href`, ...), or `None` when its `toString` throws.
pub fn string_of(value: &JsValue) -> Option<String> {
    js_string(value).ok()?.as_string()
}

/// The `[key, value]` pairs of `value`'s own enumerable properties.
pub fn entries(value: &JsValue, name: &str) -> Read<js_sys::Array> {
    object_entries(value).map_err(|_| wrong(name, "an object whose properties can be read"))
}

fn wrong(name: &str, expected: &str) -> String {
    let mut detail = String::with_capacity(name.len() + expected.len() + 9);
    detail.push_str(name);
    detail.push_str(" must be ");
    detail.push_str(expected);
    detail
}

/// `value` itself, when it is an object.
pub fn object(value: &JsValue) -> Read<&JsValue> {
    if value.is_object() {
        Ok(value)
    } else {
        Err("must be an object".to_owned())
    }
}

/// The field `key` of `obj` (an object), `None` when absent (see the module docs).
pub fn member(obj: &JsValue, key: &str) -> Read<Option<JsValue>> {
    let key_js = JsValue::from_str(key);
    let value = js_sys::Reflect::get(obj, &key_js).map_err(|_| wrong(key, "readable"))?;
    if value.is_undefined() && !js_sys::Reflect::has(obj, &key_js).unwrap_or(false) {
        return Ok(None);
    }
    Ok(Some(value))
}

/// The field known as `name` or `alias`; both present is an error, as it was with serde.
pub fn member_aliased(obj: &JsValue, name: &str, alias: &str) -> Read<Option<JsValue>> {
    match (member(obj, name)?, member(obj, alias)?) {
        (Some(_), Some(_)) => {
            let mut detail = String::from("duplicate field `");
            detail.push_str(name);
            detail.push('`');
            Err(detail)
        }
        (a, b) => Ok(a.or(b)),
    }
}

fn nullish(value: &JsValue) -> bool {
    value.is_undefined() || value.is_null()
}

/// A required string.
pub fn string(value: &JsValue, name: &str) -> Read<String> {
    value.as_string().ok_or_else(|| wrong(name, "a string"))
}

/// An optional string: absent, `undefined` and `null` are `None`.
pub fn opt_string(value: Option<JsValue>, name: &str) -> Read<Option<String>> {
    match value {
        Some(v) if !nullish(&v) => string(&v, name).map(Some),
        _ => Ok(None),
    }
}

/// A boolean (`true`/`false` only).
pub fn boolean(value: &JsValue, name: &str) -> Read<bool> {
    value.as_bool().ok_or_else(|| wrong(name, "a boolean"))
}

fn safe_integer(value: &JsValue) -> Option<i64> {
    if js_sys::Number::is_safe_integer(value) {
        value.as_f64().map(|f| f as i64)
    } else {
        None
    }
}

/// A safe integer number (`Number.isSafeInteger`), or a BigInt in the `i64` range.
pub fn integer(value: &JsValue, name: &str) -> Read<i64> {
    safe_integer(value)
        .or_else(|| {
            value
                .is_bigint()
                .then(|| i64::try_from(value.clone()).ok())
                .flatten()
        })
        .ok_or_else(|| wrong(name, "an integer"))
}

/// A number of milliseconds: a safe integer in `0..=u32::MAX` (no BigInt).
pub fn millis(value: &JsValue, name: &str) -> Read<u32> {
    safe_integer(value)
        .and_then(|i| u32::try_from(i).ok())
        .ok_or_else(|| wrong(name, "a whole number of milliseconds"))
}

/// An optional number of milliseconds: absent, `undefined` and `null` are `None`.
pub fn opt_millis(value: Option<JsValue>, name: &str) -> Read<Option<u32>> {
    match value {
        Some(v) if !nullish(&v) => millis(&v, name).map(Some),
        _ => Ok(None),
    }
}

/// A record of string values (a plain object, or a `Map`) as pairs in order.
pub fn string_record(value: &JsValue, name: &str) -> Read<Vec<(String, String)>> {
    let bad = || wrong(name, "an object of names to string values");
    let entries = if value.is_instance_of::<js_sys::Map>() {
        js_sys::Array::from(value)
    } else if value.is_object()
        && !js_sys::Reflect::has(value, &js_sys::Symbol::iterator()).unwrap_or(true)
    {
        entries(value, name)?
    } else {
        return Err(bad());
    };
    let mut out = Vec::with_capacity(entries.length() as usize);
    for entry in entries.iter() {
        let pair = js_sys::Array::from(&entry);
        match (pair.get(0).as_string(), pair.get(1).as_string()) {
            (Some(k), Some(v)) => out.push((k, v)),
            _ => return Err(bad()),
        }
    }
    Ok(out)
}
