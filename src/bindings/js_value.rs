//! Small conversions between JS values and Rust that several bindings share.

use wasm_bindgen::JsValue;

use crate::core::error::{AuthErrorCode, Error, Result};
use crate::core::text;
use crate::web::js_error;

/// `obj[name]`, or `None` when it is missing, `undefined` or `null`.
pub fn field(obj: &JsValue, name: &str) -> Option<JsValue> {
    js_sys::Reflect::get(obj, &JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// `obj[name]` of an option object: `None` when missing, `undefined` or `null`; a getter that throws
/// is a `TypeError` `INVALID_OPTION` naming the option (never taken as "absent").
pub fn option_field(obj: &JsValue, name: &str) -> std::result::Result<Option<JsValue>, JsValue> {
    match js_sys::Reflect::get(obj, &JsValue::from_str(name)) {
        Ok(v) if v.is_undefined() || v.is_null() => Ok(None),
        Ok(v) => Ok(Some(v)),
        Err(_) => Err(crate::bindings::errors::invalid_option(
            name,
            "could not be read (its getter threw)",
        )),
    }
}

/// `obj[key] = value` on an object this crate made; such a write cannot fail, so a failure is ignored.
pub fn set_field(obj: &JsValue, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(obj, &JsValue::from_str(key), value);
}

/// `JSON.parse` of decrypted session data; text that is not JSON is `DECRYPT_FAILED`.
pub fn parse_session_data(text: &str) -> Result<JsValue> {
    js_sys::JSON::parse(text).map_err(|e| {
        Error::auth(
            AuthErrorCode::DecryptFailed,
            text::cat(&["session data is not JSON: ", &js_error::describe(&e)]),
        )
    })
}
