//! The core's [`Lock`] over the Web Locks API (`navigator.locks.request`), through the `lock`
//! function of the library's JS snippet (web-sys keeps `LockManager` behind an unstable cfg). Where
//! the API is missing (insecure origin, old browser) or refuses the request, the task runs without
//! the cross-tab lock: in-tab single flight remains.

use std::cell::Cell;

use futures::future::LocalBoxFuture;
use futures::FutureExt;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::error::{Error, Result};
use crate::core::lock::{Grant, Lock};
use crate::web::snippet::{lock_mark, lock_marked, request_lock, LockRequest};
use crate::web::task::settled;

#[wasm_bindgen]
extern "C" {
    /// `navigator.locks`.
    #[derive(Debug, Clone)]
    pub type LockManager;
}

/// `navigator.locks` of this window or worker, if there is one.
pub fn lock_manager() -> Option<LockManager> {
    let navigator = js_sys::Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    let locks = js_sys::Reflect::get(&navigator, &"locks".into()).ok()?;
    (!locks.is_undefined() && !locks.is_null()).then(|| locks.unchecked_into())
}

/// Cross-tab exclusive locks through `navigator.locks`.
#[derive(Debug, Default, Clone, Copy)]
pub struct WebLock;

/// A lock request of the JS snippet: releases the lock (or gives up the wait) when dropped.
struct Request(LockRequest);

impl Drop for Request {
    fn drop(&mut self) {
        self.0.release();
    }
}

/// Requests the lock; resolves once it is held (giving the guard that releases it and how it was
/// granted), or fails with `LockTimeout` after `wait_ms`, or gives `None` when there is no API or
/// it refuses (then no lock is used). The request, its bounded wait (an `AbortController` aborted by a timer) and the
/// release are one function of the library's JS snippet: one call and one promise here, where
/// binding each step cost a closure, an object and a property write per refresh.
async fn acquire(name: &str, wait_ms: u32) -> Result<Option<(Request, Grant)>> {
    let Some(request) = request_lock(name, wait_ms) else {
        return Ok(None);
    };
    let request = Request(request);
    match settled(request.0.outcome()).await {
        Ok(held) if held.is_truthy() => {
            let grant = if held.as_f64() == Some(2.0) {
                Grant::AfterWait
            } else {
                Grant::AtOnce
            };
            Ok(Some((request, grant)))
        }
        Ok(_) => Ok(None),
        Err(_) => Err(Error::LockTimeout(name.to_owned())),
    }
}

impl Lock for WebLock {
    fn with_lock<'a, T: 'a>(
        &'a self,
        name: &'a str,
        wait_ms: u32,
        grant: &'a Cell<Grant>,
        task: LocalBoxFuture<'a, T>,
    ) -> LocalBoxFuture<'a, Result<T>> {
        async move {
            let held = match acquire(name, wait_ms).await? {
                Some((request, how)) => {
                    grant.set(how);
                    Some(request)
                }
                None => {
                    grant.set(Grant::AtOnce);
                    None
                }
            };
            let out = task.await;
            drop(held);
            Ok(out)
        }
        .boxed_local()
    }

    fn mark<'a>(&'a self, name: &'a str, hold_ms: u32) -> LocalBoxFuture<'a, ()> {
        let taken = lock_mark(name, hold_ms);
        async move {
            let _ = settled(taken).await;
        }
        .boxed_local()
    }

    fn is_marked<'a>(&'a self, name: &'a str) -> LocalBoxFuture<'a, bool> {
        let answer = lock_marked(name);
        async move { matches!(settled(answer).await, Ok(held) if held.is_truthy()) }.boxed_local()
    }
}
