//! When the proactive refresh (`autoRefresh`) is due.
//!
//! The due time is measured on the local clock from the moment the token was received, using the
//! lifetime the server gave it (`exp - iat`, both on the server's clock): a client clock that is hours
//! off changes nothing. A token without `iat` falls back to `exp` against the local clock, with a
//! floor of [`MIN_INTERVAL_MS`] between proactive refreshes, so a skewed clock cannot make it loop.
//! Wake-ups (the page becoming visible, `online`, ...) re-check at once; the Web Lock then decides
//! which tab refreshes, and the others adopt.

use std::cell::Cell;

use super::jwt;
use super::state::{Notified, Notify};

/// The least time between two proactive refreshes, and the retry delay after one that failed.
pub const MIN_INTERVAL_MS: u64 = 30_000;

/// The proactive refresh's due time and the signal that wakes its task.
#[derive(Debug, Default)]
pub struct Schedule {
    due: Cell<Option<u64>>,
    signal: Notify,
}

impl Schedule {
    /// Arms the refresh for `token`, received at `now_ms`, `lead_ms` before it expires.
    pub fn arm(&self, token: &str, now_ms: u64, lead_ms: u64) {
        let due = match jwt::lifetime_ms(token) {
            Some(lifetime) => {
                let wait = if lifetime > lead_ms {
                    lifetime - lead_ms
                } else {
                    lifetime / 2
                };
                Some(now_ms + wait)
            }
            None => jwt::expiry_ms(token).map(|exp| {
                exp.saturating_sub(lead_ms)
                    .max(now_ms.saturating_add(MIN_INTERVAL_MS))
            }),
        };
        self.due.set(due);
        self.wake();
    }

    /// Disarms it (signed out, or a token of unknown lifetime).
    pub fn clear(&self) {
        self.due.set(None);
    }

    /// The due time, if armed.
    pub fn due_at(&self) -> Option<u64> {
        self.due.get()
    }

    /// The refresh due at `due` ran at `now_ms`; if no new token re-armed it, retry no sooner than
    /// [`MIN_INTERVAL_MS`] from now.
    pub fn fired(&self, now_ms: u64) {
        if self.due.get().is_some_and(|at| at <= now_ms) {
            self.due.set(Some(now_ms + MIN_INTERVAL_MS));
        }
    }

    /// Wakes the task now.
    pub fn wake(&self) {
        self.signal.notify();
    }

    /// A future that resolves at the next [`Schedule::wake`].
    pub fn woken(&self) -> Notified {
        self.signal.notified()
    }
}
