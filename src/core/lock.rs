//! The cross-tab lock seam: run a future while holding a named exclusive lock.
//! In the browser this is `navigator.locks` (`crate::web::locks`); without it, [`NoLock`] (in-tab
//! single flight is then the only protection, as PROTOCOL.md §5 allows).
//!
//! **Marks.** Storage writes and messages reach other tabs in their own time, unordered with the
//! lock's grant; the locks' state is one for the whole origin. So a holder can leave a *mark* as it
//! lets go: another lock, taken before this one is released and held for [`MARK_HOLD_MS`]. The
//! next holder, whenever it is granted, can see it ([`Holding::look_for`]).

use std::cell::{Cell, RefCell};

use futures::future::LocalBoxFuture;

use crate::core::error::Result;

/// How long a mark left by a holder ([`Holding::leave`]) is held: far longer than Chromium takes
/// to carry a tab's writes to the other tabs.
pub const MARK_HOLD_MS: u32 = 3_000;

/// How a lock was granted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// It was free when asked for (or there is no cross-tab lock).
    #[default]
    AtOnce,
    /// It was granted after a wait: another holder has just released it. Whatever that holder
    /// wrote may still be on its way to this tab (Chromium carries storage writes to other tabs by
    /// messages of their own, unordered with the grant).
    AfterWait,
}

/// What the caller, the lock and the task tell each other about one holding of the lock.
#[derive(Debug, Default)]
pub struct Holding {
    /// Set by the caller: a mark to look for as the lock is granted.
    pub look_for: Option<String>,
    /// Noted by the lock: how it was granted.
    pub grant: Cell<Grant>,
    /// Noted by the lock: was the mark [`Holding::look_for`] held when the lock was granted?
    pub found: Cell<bool>,
    /// Set by the task: a mark to leave, taken (if free) before the lock is let go.
    pub leave: RefCell<Option<String>>,
}

/// A named exclusive lock shared by every tab of an origin.
pub trait Lock {
    /// Waits for the lock `name` (at most `wait_ms`, then `Error::LockTimeout`), notes in
    /// `holding` how it was granted (and whether the mark it looks for is held), runs `task` while
    /// holding it, leaves the mark the task asked for, releases it, and gives `task`'s result.
    fn with_lock<'a, T: 'a>(
        &'a self,
        name: &'a str,
        wait_ms: u32,
        holding: &'a Holding,
        task: LocalBoxFuture<'a, T>,
    ) -> LocalBoxFuture<'a, Result<T>>;
}

/// No cross-tab lock: runs the task at once. No marks.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoLock;

impl Lock for NoLock {
    fn with_lock<'a, T: 'a>(
        &'a self,
        _name: &'a str,
        _wait_ms: u32,
        _holding: &'a Holding,
        task: LocalBoxFuture<'a, T>,
    ) -> LocalBoxFuture<'a, Result<T>> {
        Box::pin(async move { Ok(task.await) })
    }
}
