//! The cross-tab lock seam: run a future while holding a named exclusive lock.
//! In the browser this is `navigator.locks` (`crate::web::locks`); without it, [`NoLock`] (in-tab
//! single flight is then the only protection, as PROTOCOL.md §5 allows).

use futures::future::LocalBoxFuture;

use crate::core::error::Result;

/// A named exclusive lock shared by every tab of an origin.
pub trait Lock {
    /// Waits for the lock `name` (at most `wait_ms`, then `Error::LockTimeout`), runs `task` while
    /// holding it, releases it, and gives `task`'s result.
    fn with_lock<'a, T: 'a>(
        &'a self,
        name: &'a str,
        wait_ms: u32,
        task: LocalBoxFuture<'a, T>,
    ) -> LocalBoxFuture<'a, Result<T>>;
}

/// No cross-tab lock: runs the task at once.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoLock;

impl Lock for NoLock {
    fn with_lock<'a, T: 'a>(
        &'a self,
        _name: &'a str,
        _wait_ms: u32,
        task: LocalBoxFuture<'a, T>,
    ) -> LocalBoxFuture<'a, Result<T>> {
        Box::pin(async move { Ok(task.await) })
    }
}
