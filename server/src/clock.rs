//! Time as a seam: the server reads "now" only through [`Clock`], so tests drive idle and absolute
//! expiry with a [`FakeClock`] instead of sleeping.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A source of wall time in milliseconds since the Unix epoch.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;
}

tokio::task_local! {
    /// "Now" of the request being handled: read once when it arrives, so every time decision of one
    /// request (expiry checks, `iat`, `exp`, idle deadline) uses the same instant.
    static REQUEST_NOW: u64;
}

/// Runs `fut` with `now_ms` as its request time (see [`request_time`]).
pub async fn with_request_time<F: std::future::Future>(now_ms: u64, fut: F) -> F::Output {
    REQUEST_NOW.scope(now_ms, fut).await
}

/// The request time set by [`with_request_time`] for the current task, if any.
pub fn request_time() -> Option<u64> {
    REQUEST_NOW.try_with(|now| *now).ok()
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0)
    }
}

/// A clock that only moves when told to. Clones share the same time.
#[derive(Debug, Clone)]
pub struct FakeClock {
    now: Arc<AtomicU64>,
}

impl FakeClock {
    /// A fake clock at `start_ms`.
    pub fn new(start_ms: u64) -> Self {
        Self {
            now: Arc::new(AtomicU64::new(start_ms)),
        }
    }

    /// Moves the clock forward by `ms`.
    pub fn advance_ms(&self, ms: u64) {
        self.now.fetch_add(ms, Ordering::SeqCst);
    }

    /// Moves the clock forward by `secs` seconds.
    pub fn advance_secs(&self, secs: u64) {
        self.advance_ms(secs * 1000);
    }

    /// Sets the clock.
    pub fn set_ms(&self, ms: u64) {
        self.now.store(ms, Ordering::SeqCst);
    }
}

impl Clock for FakeClock {
    fn now_ms(&self) -> u64 {
        self.now.load(Ordering::SeqCst)
    }
}
