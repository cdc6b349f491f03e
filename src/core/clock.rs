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
///
/// A future that is done at its first poll (a storage adapter over localStorage, cookies or memory)
/// starts no timer: a refresh bounds a dozen such steps, and a browser timer for each (set, cleared,
/// a closure across the boundary) cost more than the steps themselves.
pub async fn within<C: Clock + ?Sized, T>(
    clock: &C,
    ms: u64,
    fut: impl std::future::Future<Output = T>,
) -> Option<T> {
    use futures::future::{select, Either};
    let mut fut = std::pin::pin!(fut);
    if let std::task::Poll::Ready(out) = futures::poll!(fut.as_mut()) {
        return Some(out);
    }
    match select(fut, clock.sleep(ms)).await {
        Either::Left((out, _)) => Some(out),
        Either::Right(((), _)) => None,
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use futures::executor::block_on;
    use futures::future::{pending, ready, FutureExt, LocalBoxFuture};

    use super::{within, Clock};

    /// Counts the timers started; each fires at once (`fires`) or never.
    struct Timers {
        started: Cell<u32>,
        fires: bool,
    }

    impl Clock for Timers {
        fn now_ms(&self) -> u64 {
            0
        }
        fn sleep(&self, _ms: u64) -> LocalBoxFuture<'static, ()> {
            self.started.set(self.started.get() + 1);
            if self.fires {
                ready(()).boxed_local()
            } else {
                pending().boxed_local()
            }
        }
    }

    /// Pending at its first poll, done at the second (a promise that settles later).
    struct Later(bool);

    impl Future for Later {
        type Output = u8;
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u8> {
            if self.0 {
                Poll::Ready(7)
            } else {
                self.0 = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }

    #[test]
    fn a_step_done_at_once_starts_no_timer() {
        let clock = Timers {
            started: Cell::new(0),
            fires: true,
        };
        for i in 0..12u8 {
            assert_eq!(block_on(within(&clock, 5_000, ready(i))), Some(i));
        }
        assert_eq!(clock.started.get(), 0);
    }

    #[test]
    fn a_step_that_waits_is_bounded_by_a_timer() {
        let clock = Timers {
            started: Cell::new(0),
            fires: false,
        };
        assert_eq!(block_on(within(&clock, 5_000, Later(false))), Some(7));
        let clock = Timers {
            started: Cell::new(0),
            fires: true,
        };
        assert_eq!(block_on(within(&clock, 5_000, pending::<u8>())), None);
        assert_eq!(clock.started.get(), 1);
    }
}
