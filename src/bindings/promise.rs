//! Futures to JS promises: a rejected promise carries the typed JS error of `bindings::errors`.

use std::future::Future;

use wasm_bindgen::JsValue;

use crate::core::error::Result;

/// Runs `fut` on the JS event loop and gives a promise of its result.
pub fn spawn<F>(fut: F) -> js_sys::Promise
where
    F: Future<Output = Result<JsValue>> + 'static,
{
    wasm_bindgen_futures::future_to_promise(async move { fut.await.map_err(JsValue::from) })
}
