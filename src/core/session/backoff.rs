//! Backoff after transient refresh failures, so that a struggling server is not stormed.
//!
//! After a transient failure (network, timeout, 5xx, 408, 429, malformed answer) the next refresh
//! request waits: a jittered exponential delay (`initial_ms`, doubling up to `max_ms`, each delay
//! drawn in `[d/2, d]`), at least what the server asked for in `Retry-After` (capped at
//! [`MAX_RETRY_AFTER_MS`]), and after `cool_down_after` failures in a row a cool-down of
//! `cool_down_ms`. A refresh asked for while backing off sends nothing and fails at once with the
//! last failure's error, so the session is kept and the caller sees the same code. A success (or a
//! new login) resets it.

use std::cell::{Cell, RefCell};

use crate::core::error::Error;

/// Retry-After values above this are capped (5 minutes).
pub const MAX_RETRY_AFTER_MS: u64 = 300_000;

/// The backoff policy (option `backoff`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffPolicy {
    /// The first delay, default 1000 ms.
    pub initial_ms: u64,
    /// The largest delay, default 30 000 ms.
    pub max_ms: u64,
    /// Failures in a row before the cool-down, default 5.
    pub cool_down_after: u32,
    /// The cool-down, default 60 000 ms.
    pub cool_down_ms: u64,
}

impl Default for BackoffPolicy {
    fn default() -> Self {
        Self {
            initial_ms: 1_000,
            max_ms: 30_000,
            cool_down_after: 5,
            cool_down_ms: 60_000,
        }
    }
}

impl BackoffPolicy {
    /// No backoff at all (option `backoff: false`): every refresh asked for is sent.
    pub fn disabled() -> Self {
        Self {
            initial_ms: 0,
            max_ms: 0,
            cool_down_after: 0,
            cool_down_ms: 0,
        }
    }

    /// True when the policy never delays.
    pub fn is_disabled(&self) -> bool {
        self.initial_ms == 0 && self.max_ms == 0 && self.cool_down_ms == 0
    }

    /// The delay after the `failures`-th failure in a row (1-based), before jitter, without
    /// Retry-After.
    pub fn base_delay_ms(&self, failures: u32) -> u64 {
        if self.cool_down_after > 0 && failures >= self.cool_down_after {
            return self.cool_down_ms.max(self.max_ms);
        }
        let shift = failures.saturating_sub(1).min(30);
        self.initial_ms.saturating_mul(1 << shift).min(self.max_ms)
    }
}

/// The backoff state of one tab.
#[derive(Debug, Default)]
pub struct Backoff {
    failures: Cell<u32>,
    until_ms: Cell<u64>,
    last_error: RefCell<Option<Error>>,
    seed: Cell<u64>,
}

impl Backoff {
    /// The error to fail with now, if a refresh must not be sent before some time after `now_ms`.
    pub fn blocked(&self, now_ms: u64) -> Option<(Error, u64)> {
        let until = self.until_ms.get();
        if now_ms >= until {
            return None;
        }
        let error = self.last_error.borrow().clone()?;
        Some((error, until - now_ms))
    }

    /// When the next refresh may be sent (epoch ms), or 0 when it may be sent now.
    pub fn until_ms(&self) -> u64 {
        self.until_ms.get()
    }

    /// Failures in a row so far.
    pub fn failures(&self) -> u32 {
        self.failures.get()
    }

    /// Records a transient failure at `now_ms`; `retry_after_ms` is the server's `Retry-After`.
    /// Returns the delay chosen.
    pub fn failed(
        &self,
        policy: &BackoffPolicy,
        now_ms: u64,
        error: Error,
        retry_after_ms: Option<u64>,
    ) -> u64 {
        let failures = self.failures.get().saturating_add(1);
        self.failures.set(failures);
        if policy.is_disabled() {
            return 0;
        }
        let base = policy.base_delay_ms(failures);
        let jittered = base / 2 + self.random_below(base / 2 + 1);
        let delay = jittered.max(retry_after_ms.unwrap_or(0).min(MAX_RETRY_AFTER_MS));
        self.until_ms.set(now_ms.saturating_add(delay));
        *self.last_error.borrow_mut() = Some(error);
        delay
    }

    /// Forgets every failure (a refresh succeeded, or new tokens were stored).
    pub fn reset(&self) {
        self.failures.set(0);
        self.until_ms.set(0);
        *self.last_error.borrow_mut() = None;
    }

    /// A number in `0..bound` (xorshift seeded from the OS; jitter needs no more).
    fn random_below(&self, bound: u64) -> u64 {
        if bound <= 1 {
            return 0;
        }
        let mut x = self.seed.get();
        if x == 0 {
            let mut bytes = [0u8; 8];
            let _ = getrandom::getrandom(&mut bytes);
            x = u64::from_le_bytes(bytes) | 1;
        }
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.seed.set(x);
        x % bound
    }
}

/// A `Retry-After` header value (delay-seconds form) in milliseconds.
pub fn parse_retry_after(value: &str) -> Option<u64> {
    let secs: u64 = value.trim().parse().ok()?;
    Some(secs.saturating_mul(1000).min(MAX_RETRY_AFTER_MS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_then_cool_down() {
        let p = BackoffPolicy::default();
        let delays: Vec<u64> = (1..=6).map(|n| p.base_delay_ms(n)).collect();
        assert_eq!(delays, [1_000, 2_000, 4_000, 8_000, 60_000, 60_000]);
        assert_eq!(
            BackoffPolicy {
                cool_down_after: 0,
                ..p
            }
            .base_delay_ms(20),
            30_000
        );
    }

    #[test]
    fn jitter_stays_in_half_to_full() {
        let p = BackoffPolicy::default();
        let b = Backoff::default();
        for _ in 0..50 {
            b.reset();
            let d = b.failed(&p, 0, Error::Network("x".into()), None);
            assert!((500..=1_000).contains(&d), "{d}");
        }
    }

    #[test]
    fn retry_after_is_honoured_and_capped() {
        let p = BackoffPolicy::default();
        let b = Backoff::default();
        let d = b.failed(&p, 0, Error::Network("x".into()), Some(20_000));
        assert_eq!(d, 20_000);
        assert_eq!(parse_retry_after(" 7 "), Some(7_000));
        assert_eq!(parse_retry_after("99999"), Some(MAX_RETRY_AFTER_MS));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }

    #[test]
    fn blocked_until_the_delay_passes() {
        let p = BackoffPolicy::default();
        let b = Backoff::default();
        assert!(b.blocked(0).is_none());
        let d = b.failed(&p, 100, Error::Network("down".into()), None);
        let (e, left) = b.blocked(100).expect("blocked");
        assert_eq!(e.code(), "NETWORK");
        assert_eq!(left, d);
        assert!(b.blocked(100 + d).is_none());
        b.reset();
        assert!(b.blocked(101).is_none());
    }

    #[test]
    fn disabled_never_blocks() {
        let b = Backoff::default();
        b.failed(
            &BackoffPolicy::disabled(),
            0,
            Error::Network("x".into()),
            Some(9_000),
        );
        assert!(b.blocked(0).is_none());
    }
}
