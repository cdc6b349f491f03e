//! Any JS object with `get`/`set`/`remove` (returning values or promises) as a [`StorageAdapter`].

use futures::future::LocalBoxFuture;
use futures::FutureExt;
use wasm_bindgen::prelude::*;

use crate::core::error::{Error, Result};
use crate::core::storage::StorageAdapter;
use crate::core::text;
use crate::web::js_error;

#[wasm_bindgen]
extern "C" {
    /// A duck-typed storage adapter object (`IStorageAdapter`).
    #[wasm_bindgen(typescript_type = "IStorageAdapter")]
    #[derive(Debug, Clone)]
    pub type JsStorageAdapter;

    #[wasm_bindgen(structural, method, catch, js_name = get)]
    fn js_get(this: &JsStorageAdapter, key: &str) -> std::result::Result<JsValue, JsValue>;

    #[wasm_bindgen(structural, method, catch, js_name = set)]
    fn js_set(
        this: &JsStorageAdapter,
        key: &str,
        value: &str,
    ) -> std::result::Result<JsValue, JsValue>;

    #[wasm_bindgen(structural, method, catch, js_name = remove)]
    fn js_remove(this: &JsStorageAdapter, key: &str) -> std::result::Result<JsValue, JsValue>;
}

impl JsStorageAdapter {
    /// True when `value` has callable `get`, `set` and `remove`.
    pub fn is_adapter(value: &JsValue) -> bool {
        ["get", "set", "remove"].iter().all(|m| {
            js_sys::Reflect::get(value, &JsValue::from_str(m)).is_ok_and(|f| f.is_function())
        })
    }
}

/// Awaits `value` if it is a promise (or any thenable), else takes it as is.
async fn settle(
    value: std::result::Result<JsValue, JsValue>,
) -> std::result::Result<JsValue, JsValue> {
    resolve(value?).await
}

/// `await value` as JS has it, except that a value that is not a thenable is taken at once: an
/// adapter or provider that answers synchronously costs no promise, no closures and no turn of
/// the event loop, and a step bounded by [`crate::core::clock::within`] then starts no timer
/// (a refresh through such an adapter reads and writes its slots eight times). A `then` getter
/// that throws makes a thenable that rejects with what it threw, as `Promise.resolve` has it.
pub(crate) async fn resolve(value: JsValue) -> std::result::Result<JsValue, JsValue> {
    let thenable = (value.is_object() || value.is_function())
        && js_sys::Reflect::get(&value, &JsValue::from_str("then"))
            .map_or(true, |f| f.is_function());
    if !thenable {
        return Ok(value);
    }
    crate::web::task::settled(js_sys::Promise::resolve(&value)).await
}

impl StorageAdapter for JsStorageAdapter {
    fn get<'a>(&'a self, key: &'a str) -> LocalBoxFuture<'a, Result<Option<String>>> {
        async move {
            // A read that throws reads as null, like the built-in adapters.
            let value = settle(self.js_get(key)).await.ok();
            Ok(value.and_then(|v| v.as_string()))
        }
        .boxed_local()
    }

    fn set<'a>(&'a self, key: &'a str, value: &'a str) -> LocalBoxFuture<'a, Result<()>> {
        async move {
            settle(self.js_set(key, value))
                .await
                .map(drop)
                .map_err(|e| {
                    Error::StorageWrite(text::cat(&["adapter.set: ", &js_error::describe(&e)]))
                })
        }
        .boxed_local()
    }

    fn remove<'a>(&'a self, key: &'a str) -> LocalBoxFuture<'a, Result<()>> {
        async move {
            settle(self.js_remove(key)).await.map(drop).map_err(|e| {
                Error::StorageWrite(text::cat(&["adapter.remove: ", &js_error::describe(&e)]))
            })
        }
        .boxed_local()
    }
}
