//! Timers over the global `setTimeout`/`clearTimeout` (present in windows and workers alike).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &js_sys::Function, ms: i32) -> JsValue;

    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// Calls a JS function after a delay; cancelled when dropped.
#[derive(Debug)]
pub struct Timeout {
    id: JsValue,
}

fn clamp(ms: u32) -> i32 {
    ms.min(i32::MAX as u32) as i32
}

impl Timeout {
    /// Schedules `handler` after `ms` milliseconds.
    pub fn new(ms: u32, handler: &js_sys::Function) -> Self {
        Self {
            id: set_timeout(handler, clamp(ms)),
        }
    }

    /// Aborts `controller` after `ms` milliseconds (a request's timeout) with its own `abort`
    /// bound to it: no Rust closure per request.
    pub fn abort_after(controller: &web_sys::AbortController, ms: u32) -> Self {
        let abort = js_sys::Reflect::get(controller, &JsValue::from_str("abort"))
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        match abort {
            Some(abort) => Self::new(ms, &abort.bind0(controller)),
            None => Self {
                id: JsValue::UNDEFINED,
            },
        }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        clear_timeout(&self.id);
    }
}

/// Resolves after `ms` milliseconds; dropping the future clears the timer.
pub async fn sleep(ms: u32) {
    let mut timer = None;
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        timer = Some(Timeout::new(ms, &resolve));
    });
    let _timer = timer;
    // A promise resolved by a timer does not reject.
    let _ = JsFuture::from(promise).await;
}
