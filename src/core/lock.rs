//! The cross-tab lock seam: run a future while holding a named exclusive lock.
//! In the browser this is `navigator.locks` (`crate::web::locks`); without it, [`NoLock`] (in-tab
//! single flight is then the only protection, as PROTOCOL.md §5 allows).

use std::cell::Cell;

use futures::future::LocalBoxFuture;

use crate::core::error::Result;

/// How a lock was granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// It was free when asked for (or there is no cross-tab lock).
    AtOnce,
    /// It was granted after a wait: another holder has just released it. Whatever that holder
    /// wrote may still be on its way to this tab (Chromium carries storage writes to other tabs by
    /// messages of their own, unordered with the grant).
    AfterWait,
}

/// A named exclusive lock shared by every tab of an origin.
pub trait Lock {
    /// Waits for the lock `name` (at most `wait_ms`, then `Error::LockTimeout`), notes in `grant`
    /// how it was granted, runs `task` while holding it, releases it, and gives `task`'s result.
    fn with_lock<'a, T: 'a>(
        &'a self,
        name: &'a str,
        wait_ms: u32,
        grant: &'a Cell<Grant>,
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
        grant: &'a Cell<Grant>,
        task: LocalBoxFuture<'a, T>,
    ) -> LocalBoxFuture<'a, Result<T>> {
        grant.set(Grant::AtOnce);
        Box::pin(async move { Ok(task.await) })
    }
}
