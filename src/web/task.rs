//! The crate's own single-threaded executor on the JS event loop, in place of
//! wasm-bindgen-futures: spawned futures, a future of a JS promise's outcome ([`settled`]), and a
//! JS promise of a future's outcome ([`promise`]).
//!
//! Why not wasm-bindgen-futures: every `JsFuture` it makes creates two closures (each registered
//! with a `FinalizationRegistry`) and a shared cell, and its task queue is a `VecDeque` of
//! reference-counted tasks; here a task is a slot in a list, a waker is that slot's index (no
//! allocation), and every promise reports to one long-lived callback, made once. The wasm is
//! smaller and a refresh does less work (see BENCHMARKS.md, stop 24).
//!
//! Tasks run in a microtask (a resolved promise's callback), in the order they were woken; a
//! promise's outcome runs the tasks it wakes at once, from the promise's own callback (a microtask
//! already, so no second hop). A waker of a finished task may wake the next task given its slot: a
//! spurious poll, which futures allow. Nothing here panics: every slot is looked up, never indexed
//! blindly.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};

use futures::future::LocalBoxFuture;
use wasm_bindgen::prelude::*;

use crate::web::snippet::{fulfil, new_promise, settle};

thread_local! {
    /// The live tasks, by slot; `None` is a free slot.
    static TASKS: RefCell<Vec<Option<LocalBoxFuture<'static, ()>>>> = const { RefCell::new(Vec::new()) };
    /// Slots woken and not yet polled, in order.
    static WOKEN: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
    /// A microtask that runs the woken tasks is queued.
    static QUEUED: Cell<bool> = const { Cell::new(false) };
    /// [`run`] is on the stack.
    static RUNNING: Cell<bool> = const { Cell::new(false) };
    /// The slot of the task being polled: out of the list meanwhile, but still its own.
    static CURRENT: Cell<usize> = const { Cell::new(usize::MAX) };
    /// The promises awaited, by slot.
    static PENDING: RefCell<Vec<Outcome>> = const { RefCell::new(Vec::new()) };
    /// The number of the next promise made by [`promise`].
    static PROMISES: Cell<u32> = const { Cell::new(0) };
    /// What every awaited promise calls when it settles, made once.
    static SETTLED: Closure<dyn FnMut(u32, bool, JsValue)> = Closure::new(on_settled);
}

/// Runs `fut` to completion on the event loop, its first poll in a microtask.
pub fn spawn(fut: impl Future<Output = ()> + 'static) {
    spawn_boxed(Box::pin(fut));
}

fn spawn_boxed(fut: LocalBoxFuture<'static, ()>) {
    let slot = TASKS.with(|tasks| {
        let mut tasks = tasks.borrow_mut();
        let current = CURRENT.get();
        match (0..tasks.len()).find(|&i| tasks[i].is_none() && i != current) {
            Some(free) => {
                tasks[free] = Some(fut);
                free
            }
            None => {
                tasks.push(Some(fut));
                tasks.len() - 1
            }
        }
    });
    wake_slot(slot);
}

/// A promise of `fut`'s outcome: resolved with its value, rejected with its error.
pub fn promise(fut: LocalBoxFuture<'static, Result<JsValue, JsValue>>) -> js_sys::Promise {
    let id = PROMISES.replace(PROMISES.get().wrapping_add(1));
    let p = new_promise(id);
    spawn_boxed(Box::pin(async move {
        match fut.await {
            Ok(v) => fulfil(id, true, &v),
            Err(e) => fulfil(id, false, &e),
        }
    }));
    p
}

/// The slot number that [`on_settled`] takes for "run the woken tasks" (no promise has it).
const RUN: u32 = u32::MAX;

fn wake_slot(slot: usize) {
    WOKEN.with(|w| {
        let mut w = w.borrow_mut();
        if !w.contains(&slot) {
            w.push(slot);
        }
    });
    // Inside `run` the loop picks it up; otherwise one microtask runs whatever is woken by then.
    if !RUNNING.get() && !QUEUED.replace(true) {
        SETTLED.with(|f| settle(None, f.as_ref().unchecked_ref(), RUN));
    }
}

/// Polls the woken tasks until none is left (those woken meanwhile included), as
/// wasm-bindgen-futures' queue does.
fn run() {
    if RUNNING.replace(true) {
        return;
    }
    while let Some(slot) = WOKEN.with(|w| {
        let mut w = w.borrow_mut();
        (!w.is_empty()).then(|| w.remove(0))
    }) {
        // Out of the list while it runs: a task may spawn others (which take other slots, not
        // this one: `CURRENT`).
        let Some(mut fut) = TASKS.with(|t| t.borrow_mut().get_mut(slot).and_then(Option::take))
        else {
            continue;
        };
        CURRENT.set(slot);
        let pending = fut
            .as_mut()
            .poll(&mut Context::from_waker(&waker(slot)))
            .is_pending();
        CURRENT.set(usize::MAX);
        if pending {
            TASKS.with(|t| {
                if let Some(entry) = t.borrow_mut().get_mut(slot) {
                    *entry = Some(fut);
                }
            });
        }
    }
    RUNNING.set(false);
}

// A waker is its task's slot: nothing to allocate, clone or free.
const VTABLE: RawWakerVTable = RawWakerVTable::new(
    |data| RawWaker::new(data, &VTABLE),
    |data| wake_slot(data as usize),
    |data| wake_slot(data as usize),
    |_| {},
);

fn waker(slot: usize) -> Waker {
    // SAFETY: the vtable's functions only read the pointer as the slot number it was made from.
    unsafe { Waker::from_raw(RawWaker::new(slot as *const (), &VTABLE)) }
}

/// An awaited promise's state.
enum Outcome {
    /// Not settled; the waker of the future awaiting it.
    Waiting(Option<Waker>),
    /// Settled, not yet taken.
    Done(Result<JsValue, JsValue>),
    /// Its future was dropped before it settled: the outcome is dropped when it comes.
    Abandoned,
    /// A free slot.
    Free,
}

fn on_settled(slot: u32, ok: bool, value: JsValue) {
    if slot == RUN {
        QUEUED.set(false);
        return run();
    }
    let waker = PENDING.with(|p| {
        let mut p = p.borrow_mut();
        let entry = p.get_mut(slot as usize)?;
        match std::mem::replace(entry, Outcome::Free) {
            Outcome::Waiting(waker) => {
                *entry = Outcome::Done(if ok { Ok(value) } else { Err(value) });
                waker
            }
            _ => None,
        }
    });
    // The promise's callback is a microtask of its own: the tasks it wakes run now, not one
    // microtask later (woken as if from inside `run`, so no microtask is queued for them).
    let inside = RUNNING.replace(true);
    if let Some(waker) = waker {
        waker.wake();
    }
    RUNNING.set(inside);
    if !inside {
        run();
    }
}

/// The outcome of `promise`: its value, or what it rejected with.
pub fn settled(promise: js_sys::Promise) -> Settled {
    Settled {
        promise: Some(promise),
        slot: usize::MAX,
    }
}

/// The future of [`settled`].
#[derive(Debug)]
pub struct Settled {
    promise: Option<js_sys::Promise>,
    slot: usize,
}

impl Future for Settled {
    type Output = Result<JsValue, JsValue>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Some(promise) = self.promise.take() {
            let slot = PENDING.with(|p| {
                let mut p = p.borrow_mut();
                let waiting = Outcome::Waiting(Some(cx.waker().clone()));
                match p.iter().position(|o| matches!(o, Outcome::Free)) {
                    Some(free) => {
                        p[free] = waiting;
                        free
                    }
                    None => {
                        p.push(waiting);
                        p.len() - 1
                    }
                }
            });
            self.slot = slot;
            SETTLED.with(|cb| settle(Some(&promise), cb.as_ref().unchecked_ref(), slot as u32));
            return Poll::Pending;
        }
        PENDING.with(|p| {
            let mut p = p.borrow_mut();
            // Polled again after it gave its outcome: it has nothing more to give.
            let Some(entry) = p.get_mut(self.slot) else {
                return Poll::Pending;
            };
            match std::mem::replace(entry, Outcome::Free) {
                Outcome::Done(result) => {
                    self.slot = usize::MAX;
                    Poll::Ready(result)
                }
                Outcome::Waiting(_) => {
                    *entry = Outcome::Waiting(Some(cx.waker().clone()));
                    Poll::Pending
                }
                other => {
                    *entry = other;
                    Poll::Pending
                }
            }
        })
    }
}

impl Drop for Settled {
    fn drop(&mut self) {
        if self.slot == usize::MAX {
            return;
        }
        PENDING.with(|p| {
            if let Some(entry) = p.borrow_mut().get_mut(self.slot) {
                if matches!(entry, Outcome::Waiting(_)) {
                    *entry = Outcome::Abandoned;
                } else {
                    *entry = Outcome::Free;
                }
            }
        });
    }
}
