//! Timers over the global `setTimeout`/`clearTimeout` (present in windows and workers alike).

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

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
}

impl Drop for Timeout {
    fn drop(&mut self) {
        clear_timeout(&self.id);
    }
}

/// Resolves after `ms` milliseconds; dropping the future clears the timer.
///
/// One closure and one `setTimeout` per sleep, started at the first poll: the timer wakes the task
/// directly (no promise, no `then` callbacks, no extra microtask as awaiting a promise would take).
pub fn sleep(ms: u32) -> Sleep {
    Sleep {
        ms,
        state: Rc::new(SleepState::default()),
        timer: None,
    }
}

#[derive(Default)]
struct SleepState {
    fired: Cell<bool>,
    waker: RefCell<Option<Waker>>,
}

/// The future of [`sleep`].
pub struct Sleep {
    ms: u32,
    state: Rc<SleepState>,
    /// The timer, then its handler: dropped in this order, so the handler never outlives the timer.
    timer: Option<(Timeout, Closure<dyn FnMut()>)>,
}

impl std::fmt::Debug for Sleep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sleep").field("ms", &self.ms).finish()
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.state.fired.get() {
            return Poll::Ready(());
        }
        *self.state.waker.borrow_mut() = Some(cx.waker().clone());
        if self.timer.is_none() {
            let state = self.state.clone();
            let handler = Closure::<dyn FnMut()>::new(move || {
                state.fired.set(true);
                if let Some(waker) = state.waker.borrow_mut().take() {
                    waker.wake();
                }
            });
            let timeout = Timeout::new(self.ms, handler.as_ref().unchecked_ref());
            self.timer = Some((timeout, handler));
        }
        Poll::Pending
    }
}
