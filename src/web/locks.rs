//! The core's [`Lock`] over the Web Locks API (`navigator.locks.request`), through the `lock`
//! function of the library's JS snippet (web-sys keeps `LockManager` behind an unstable cfg). Where
//! the API is missing (insecure origin, old browser) or refuses the request, the task runs without
//! the cross-tab lock: in-tab single flight remains.

use futures::future::LocalBoxFuture;
use futures::FutureExt;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::error::{Error, Result};
use crate::core::lock::{Grant, Holding, Lock, MARK_HOLD_MS};
use crate::web::snippet::{request_lock, LockRequest};
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

/// A lock request of the JS snippet: when dropped, leaves the mark its holding asks for (if the
/// lock was held) and releases the lock, or gives up the wait.
struct Request<'a>(LockRequest, &'a Holding);

impl Drop for Request<'_> {
    fn drop(&mut self) {
        let mark = self.1.leave.borrow_mut().take();
        self.0.release(mark.as_deref(), MARK_HOLD_MS);
    }
}

/// Requests the lock; resolves once it is held (giving the guard that releases it, with how it
/// was granted and whether the mark looked for is held noted in `holding`), or fails with
/// `LockTimeout` after `wait_ms`, or gives `None` when there is no API or it refuses (then no lock
/// is used). The request, its bounded wait (an `AbortController` aborted by a timer), the look for
/// the mark, the mark left and the release are one function of the library's JS snippet: one call
/// and one promise here, where binding each step cost a closure, an object and a property write
/// per refresh.
async fn acquire<'a>(
    name: &str,
    wait_ms: u32,
    holding: &'a Holding,
) -> Result<Option<Request<'a>>> {
    let Some(request) = request_lock(name, wait_ms, holding.look_for.as_deref()) else {
        return Ok(None);
    };
    let request = Request(request, holding);
    match settled(request.0.outcome()).await {
        Ok(held) if held.is_truthy() => {
            let flags = held.as_f64().unwrap_or(1.0) as u32;
            holding.grant.set(if flags & 2 != 0 {
                Grant::AfterWait
            } else {
                Grant::AtOnce
            });
            holding.found.set(flags & 4 != 0);
            Ok(Some(request))
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
        holding: &'a Holding,
        task: LocalBoxFuture<'a, T>,
    ) -> LocalBoxFuture<'a, Result<T>> {
        async move {
            let held = acquire(name, wait_ms, holding).await?;
            let out = task.await;
            drop(held);
            Ok(out)
        }
        .boxed_local()
    }
}
