//! An interaction is served once. Discord signs each request with a
//! timestamp, and requests older than the replay window are refused, but
//! within the window a captured request could be sent again and again:
//! one click would become a thousand feedback lines, or use up the real
//! user's rate limit. The endpoint remembers the responses it gave, by
//! interaction id, and answers a repeat with the same bytes and no side
//! effect at all.
//!
//! Memory is bounded: at most [`MAX_REMEMBERED`] responses, the oldest
//! forgotten first, and none kept past the replay window (a request older
//! than that is refused by its timestamp anyway).

use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use lru::LruCache;

/// Responses remembered at most. Responses are a few kilobytes, so this
/// is a few megabytes at worst; an id pushed out early is served again,
/// which is what Discord's own retries would get.
pub const MAX_REMEMBERED: usize = 2_048;

struct Served {
    response: Vec<u8>,
    at: Instant,
}

/// The responses given lately, by interaction id.
pub struct ServedInteractions {
    served: Mutex<LruCache<u64, Served>>,
    window: Duration,
}

impl ServedInteractions {
    /// Remembers responses for `window` (the signature's replay window).
    pub fn new(window: Duration) -> ServedInteractions {
        ServedInteractions {
            served: Mutex::new(LruCache::new(
                NonZeroUsize::new(MAX_REMEMBERED).unwrap_or(NonZeroUsize::MIN),
            )),
            window,
        }
    }

    /// The response already given to interaction `id`, if it was served
    /// within the window.
    pub fn already(&self, id: u64, now: Instant) -> Option<Vec<u8>> {
        let mut served = self.served.lock().unwrap_or_else(|p| p.into_inner());
        let fresh = served
            .get(&id)
            .is_some_and(|s| now.saturating_duration_since(s.at) < self.window);
        if !fresh {
            served.pop(&id);
            return None;
        }
        served.get(&id).map(|s| s.response.clone())
    }

    /// Remembers the response given to interaction `id`.
    pub fn served(&self, id: u64, response: &[u8], now: Instant) {
        let mut served = self.served.lock().unwrap_or_else(|p| p.into_inner());
        served.put(
            id,
            Served {
                response: response.to_vec(),
                at: now,
            },
        );
    }

    pub fn len(&self) -> usize {
        self.served.lock().map(|s| s.len()).unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeat_within_the_window_gets_the_same_bytes() {
        let seen = ServedInteractions::new(Duration::from_secs(300));
        let t0 = Instant::now();
        assert_eq!(seen.already(7, t0), None);
        seen.served(7, b"{\"type\":4}", t0);
        assert_eq!(
            seen.already(7, t0 + Duration::from_secs(299)).as_deref(),
            Some(&b"{\"type\":4}"[..])
        );
        assert_eq!(seen.already(8, t0), None);
        assert_eq!(seen.already(7, t0 + Duration::from_secs(301)), None);
    }

    #[test]
    fn memory_is_bounded() {
        let seen = ServedInteractions::new(Duration::from_secs(300));
        let t0 = Instant::now();
        for id in 0..(MAX_REMEMBERED as u64 * 2) {
            seen.served(id, b"{}", t0);
        }
        assert_eq!(seen.len(), MAX_REMEMBERED);
        assert!(seen.already(0, t0).is_none());
        assert!(seen.already(MAX_REMEMBERED as u64 * 2 - 1, t0).is_some());
    }
}
