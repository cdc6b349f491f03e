//! The clock seam: wall time in milliseconds since the Unix epoch (`Date.now()` in the browser), and
//! a timer. Every bounded wait and every scheduled refresh of the session goes through it, so native
//! tests drive time with a fake clock.

use futures::future::LocalBoxFuture;

/// A source of the current time and of timers.
pub trait Clock {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;

    /// Resolves after `ms` milliseconds (a dropped future cancels its timer where the platform can).
    fn sleep(&self, ms: u64) -> LocalBoxFuture<'static, ()>;
}

/// The system clock: `Date.now()` and `setTimeout` on wasm, `SystemTime` and a thread natively.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[cfg(target_arch = "wasm32")]
    fn now_ms(&self) -> u64 {
        js_sys::Date::now() as u64
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn now_ms(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0)
    }

    #[cfg(target_arch = "wasm32")]
    fn sleep(&self, ms: u64) -> LocalBoxFuture<'static, ()> {
        Box::pin(crate::web::timer::sleep(ms.min(u64::from(u32::MAX)) as u32))
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn sleep(&self, ms: u64) -> LocalBoxFuture<'static, ()> {
        let (tx, rx) = futures::channel::oneshot::channel::<()>();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(ms));
            let _ = tx.send(());
        });
        Box::pin(async move {
            let _ = rx.await;
        })
    }
}

/// Runs `fut` for at most `ms` milliseconds of `clock`: `None` when the time ran out first (the
/// future is then dropped, which cancels what it was waiting for).
pub async fn within<C: Clock + ?Sized, T>(
    clock: &C,
    ms: u64,
    fut: impl std::future::Future<Output = T>,
) -> Option<T> {
    use futures::future::{select, Either};
    let fut = std::pin::pin!(fut);
    match select(fut, clock.sleep(ms)).await {
        Either::Left((out, _)) => Some(out),
        Either::Right(((), _)) => None,
    }
}
