//! A per-user rate limit for interactions, shared by the gateway and the
//! HTTP endpoint so that one person cannot flood the bot whichever way
//! their clicks arrive. A token bucket per user: a burst of a few requests
//! is fine, a steady stream is slowed to the refill rate.

use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use lru::LruCache;

/// Requests one user may make at once.
pub const DEFAULT_BURST: u32 = 8;
/// One more request allowed every this often.
pub const DEFAULT_REFILL: Duration = Duration::from_secs(2);
/// At most this many users are tracked; past it the one seen longest ago
/// is forgotten, in constant time. A bucket untouched for a refill period
/// times the burst is full again, the same as no bucket, so forgetting the
/// least recently seen loses nothing until this many people use the bot
/// within that period (16 seconds by default). About 60 bytes each.
const MAX_TRACKED: usize = 100_000;

pub struct RateLimit {
    burst: f64,
    refill: Duration,
    buckets: Mutex<LruCache<u64, (f64, Instant)>>,
}

impl RateLimit {
    pub fn new(burst: u32, refill: Duration) -> RateLimit {
        RateLimit {
            burst: f64::from(burst.max(1)),
            refill: refill.max(Duration::from_millis(1)),
            buckets: Mutex::new(LruCache::new(
                NonZeroUsize::new(MAX_TRACKED).unwrap_or(NonZeroUsize::MIN),
            )),
        }
    }

    /// Takes one request for `user` at `now`: `Ok` to go ahead, or how long
    /// to wait.
    pub fn check(&self, user: u64, now: Instant) -> Result<(), Duration> {
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (tokens, at) = buckets.get_or_insert_mut(user, || (self.burst, now));
        let refilled = (*tokens
            + now.saturating_duration_since(*at).as_secs_f64() / self.refill.as_secs_f64())
        .min(self.burst);
        if refilled >= 1.0 {
            *tokens = refilled - 1.0;
            *at = now;
            Ok(())
        } else {
            *tokens = refilled;
            *at = now;
            Err(self.refill.mul_f64(1.0 - refilled))
        }
    }
}

impl Default for RateLimit {
    fn default() -> RateLimit {
        RateLimit::new(DEFAULT_BURST, DEFAULT_REFILL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_stays_bounded_however_many_users_come() {
        let limit = RateLimit::new(1, Duration::from_secs(60));
        let t0 = Instant::now();
        for user in 0..(MAX_TRACKED as u64 + 1_000) {
            assert!(limit.check(user, t0).is_ok());
        }
        let tracked = limit.buckets.lock().map(|b| b.len()).unwrap_or_default();
        assert_eq!(tracked, MAX_TRACKED);
        // The most recent users are still limited.
        assert!(limit.check(MAX_TRACKED as u64 + 999, t0).is_err());
    }

    #[test]
    fn a_burst_passes_then_the_user_waits_for_the_refill() {
        let limit = RateLimit::new(3, Duration::from_secs(2));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limit.check(1, t0).is_ok());
        }
        let wait = limit.check(1, t0).err().unwrap_or_default();
        assert!(wait > Duration::from_millis(1900) && wait <= Duration::from_secs(2));
        // Someone else is not affected.
        assert!(limit.check(2, t0).is_ok());
        // After one refill period, one more request.
        assert!(limit.check(1, t0 + Duration::from_secs(2)).is_ok());
        assert!(limit.check(1, t0 + Duration::from_secs(2)).is_err());
    }
}
