//! The core's [`Lock`] over the Web Locks API (`navigator.locks.request`), bound by hand: web-sys
//! keeps `LockManager` behind an unstable cfg. Where the API is missing (insecure origin, old browser)
//! or refuses the request, the task runs without the cross-tab lock: in-tab single flight remains.

use futures::channel::oneshot;
use futures::future::{select, Either, LocalBoxFuture};
use futures::FutureExt;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::core::error::{Error, Result};
use crate::core::lock::Lock;
use crate::web::timer::Timeout;

#[wasm_bindgen]
extern "C" {
    /// `navigator.locks`.
    #[derive(Debug, Clone)]
    pub type LockManager;

    #[wasm_bindgen(method, catch, js_name = request)]
    fn request_with_options(
        this: &LockManager,
        name: &str,
        options: &JsValue,
        callback: &JsValue,
    ) -> std::result::Result<js_sys::Promise, JsValue>;
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

/// Releases the held lock when dropped, by resolving the promise the lock callback returned.
struct Release(js_sys::Function);

impl Drop for Release {
    fn drop(&mut self) {
        let _ = self.0.call0(&JsValue::UNDEFINED);
    }
}

/// Requests the lock; resolves once it is held (giving the release handle), or fails with
/// `LockTimeout` after `wait_ms`, or gives `None` when the API refuses (then no lock is used).
async fn acquire(manager: &LockManager, name: &str, wait_ms: u32) -> Result<Option<Release>> {
    let mut resolve_release: Option<js_sys::Function> = None;
    let held_until = js_sys::Promise::new(&mut |resolve, _| resolve_release = Some(resolve));
    let Some(resolve_release) = resolve_release else {
        return Ok(None);
    };
    let release = Release(resolve_release);

    let (granted_tx, granted_rx) = oneshot::channel::<()>();
    // Called by the browser when the lock is granted; the lock is held until `held_until` settles.
    // If nobody waits any more, the promise is released at once (the `Release` guard was dropped).
    let callback = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
        let _ = granted_tx.send(());
        held_until.into()
    });

    let controller = web_sys::AbortController::new().ok();
    let options = js_sys::Object::new();
    if let Some(c) = &controller {
        let _ = js_sys::Reflect::set(&options, &"signal".into(), &c.signal());
    }
    let request = match manager.request_with_options(name, &options, &callback) {
        Ok(p) => JsFuture::from(p),
        Err(_) => return Ok(None),
    };
    // The controller's own bound `abort` as the handler: no Rust closure (a `once_into_js` closure
    // whose timer is cleared is never freed).
    let _timer = controller
        .as_ref()
        .map(|c| Timeout::abort_after(c, wait_ms));

    match select(granted_rx, request).await {
        Either::Left((Ok(()), _request)) => Ok(Some(release)),
        Either::Left((Err(_), _)) => Ok(None),
        Either::Right((Err(_), _)) if controller.is_some_and(|c| c.signal().aborted()) => {
            Err(Error::LockTimeout(name.to_owned()))
        }
        // The request settled without granting us the lock (refused): run without it.
        Either::Right(_) => Ok(None),
    }
}

impl Lock for WebLock {
    fn with_lock<'a, T: 'a>(
        &'a self,
        name: &'a str,
        wait_ms: u32,
        task: LocalBoxFuture<'a, T>,
    ) -> LocalBoxFuture<'a, Result<T>> {
        async move {
            let held = match lock_manager() {
                Some(manager) => acquire(&manager, name, wait_ms).await?,
                None => None,
            };
            let out = task.await;
            drop(held);
            Ok(out)
        }
        .boxed_local()
    }
}
