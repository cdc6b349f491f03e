//! Per-IP token buckets for login and refresh (and metadata writes): `N` per minute, bursts up to
//! `N`, refilled continuously on the request's clock. The table of client IPs is bounded.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// Most client IPs tracked per limiter; past it, full buckets are dropped, and a new IP is refused
/// while the table is still full (a flood of distinct addresses fails closed).
pub const MAX_TRACKED_IPS: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last_ms: u64,
}

/// One per-IP limit.
#[derive(Debug)]
pub struct RateLimiter {
    per_min: u64,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl RateLimiter {
    /// `per_min` calls per minute per IP; 0 = unlimited.
    pub fn new(per_min: u64) -> Self {
        Self {
            per_min,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn refilled(&self, bucket: Bucket, now_ms: u64) -> f64 {
        let cap = self.per_min as f64;
        let elapsed = now_ms.saturating_sub(bucket.last_ms) as f64;
        (bucket.tokens + elapsed * cap / 60_000.0).min(cap)
    }

    /// Takes one token for `ip` at `now_ms`; `false` when the bucket is empty.
    pub fn allow(&self, ip: IpAddr, now_ms: u64) -> bool {
        if self.per_min == 0 {
            return true;
        }
        let Ok(mut buckets) = self.buckets.lock() else {
            return false;
        };
        let cap = self.per_min as f64;
        if buckets.len() >= MAX_TRACKED_IPS && !buckets.contains_key(&ip) {
            buckets.retain(|_, b| self.refilled(*b, now_ms) < cap);
            if buckets.len() >= MAX_TRACKED_IPS {
                return false;
            }
        }
        let bucket = buckets.entry(ip).or_insert(Bucket {
            tokens: cap,
            last_ms: now_ms,
        });
        let tokens = self.refilled(*bucket, now_ms);
        bucket.last_ms = bucket.last_ms.max(now_ms);
        if tokens >= 1.0 {
            bucket.tokens = tokens - 1.0;
            true
        } else {
            bucket.tokens = tokens;
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_refill_per_ip() {
        let limiter = RateLimiter::new(2);
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        assert!(limiter.allow(a, 0));
        assert!(limiter.allow(a, 0));
        assert!(!limiter.allow(a, 0));
        assert!(limiter.allow(b, 0), "another IP has its own bucket");
        assert!(!limiter.allow(a, 29_000));
        assert!(limiter.allow(a, 30_000), "one token every 30 s");
        assert!(RateLimiter::new(0).allow(a, 0));
    }
}
