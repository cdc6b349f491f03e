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

    /// Takes the lock `name` if it is free and keeps it for `hold_ms`, as a mark other tabs can
    /// see ([`Lock::is_marked`]); resolves once it is taken (or refused). Unlike storage writes
    /// and messages, which reach other tabs in their own time, the locks' state is one for the
    /// whole origin: a mark made before the tab lets go of a lock is seen by the next holder.
    /// Without cross-tab locks there are no marks.
    fn mark<'a>(&'a self, name: &'a str, hold_ms: u32) -> LocalBoxFuture<'a, ()> {
        let _ = (name, hold_ms);
        Box::pin(async {})
    }

    /// Is the lock `name` held, by this tab or another one (see [`Lock::mark`])?
    fn is_marked<'a>(&'a self, name: &'a str) -> LocalBoxFuture<'a, bool> {
        let _ = name;
        Box::pin(async { false })
    }
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
