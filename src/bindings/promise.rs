//! Futures to JS promises: a rejected promise carries the typed JS error of `bindings::errors`.

use std::future::Future;

use futures::future::LocalBoxFuture;
use wasm_bindgen::JsValue;

use crate::core::error::Result;

/// Runs `fut` on the JS event loop and gives a promise of its result.
///
/// The future is boxed here and handed to one non-generic function, so the task and its state
/// machine are instantiated once for the whole crate instead of once per binding method.
pub fn spawn<F>(fut: F) -> js_sys::Promise
where
    F: Future<Output = Result<JsValue>> + 'static,
{
    spawn_boxed(Box::pin(fut))
}

#[inline(never)]
fn spawn_boxed(fut: LocalBoxFuture<'static, Result<JsValue>>) -> js_sys::Promise {
    crate::web::task::promise(Box::pin(async move { fut.await.map_err(JsValue::from) }))
}
