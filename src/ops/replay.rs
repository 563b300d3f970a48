//! An interaction is served once. Discord signs each request with a
//! timestamp, and requests older than the replay window are refused, but
//! within the window a captured request could be sent again and again:
//! one click would become a thousand feedback lines, or use up the real
//! user's rate limit. The endpoint remembers every interaction id it
//! began within the window, and the responses it gave to the latest ones:
//! a repeat gets the same bytes, or, if that response is no longer kept, a
//! refusal, and in no case any side effect.
//!
//! Taking an id is one step under one lock, so copies of a request sent
//! at the same moment on separate connections cannot all pass as first.
//! Memory is bounded: ids are 8 bytes each, responses a few kilobytes.

use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use lru::LruCache;

/// Interaction ids remembered at most: the window's worth at 150 a
/// second, about 5 MB with the map's overhead.
pub const MAX_IDS: usize = 100_000;
/// Responses kept at most, a few megabytes: Discord itself never sends an
/// interaction twice, so these only serve a replay of a recent one.
pub const MAX_RESPONSES: usize = 2_048;

/// What [`ServedInteractions::begin`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Begin {
    /// Not seen within the window: serve it (then call `served`).
    First,
    /// Served already: here is the response it got.
    Again(Vec<u8>),
    /// Seen, and still being answered or its response no longer kept.
    Seen,
}

struct Tables {
    /// When each id was begun.
    began: LruCache<u64, Instant>,
    responses: LruCache<u64, Vec<u8>>,
}

/// The interactions begun lately, by id.
pub struct ServedInteractions {
    tables: Mutex<Tables>,
    window: Duration,
}

fn capacity(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).unwrap_or(NonZeroUsize::MIN)
}

impl ServedInteractions {
    /// Remembers interactions for `window` (the signature's replay window).
    pub fn new(window: Duration) -> ServedInteractions {
        ServedInteractions {
            tables: Mutex::new(Tables {
                began: LruCache::new(capacity(MAX_IDS)),
                responses: LruCache::new(capacity(MAX_RESPONSES)),
            }),
            window,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Tables> {
        self.tables.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes interaction `id` at `now`, unless it was taken within the
    /// window.
    pub fn begin(&self, id: u64, now: Instant) -> Begin {
        let mut t = self.lock();
        let recent = t
            .began
            .get(&id)
            .is_some_and(|at| now.saturating_duration_since(*at) < self.window);
        if !recent {
            t.began.put(id, now);
            t.responses.pop(&id);
            return Begin::First;
        }
        match t.responses.get(&id) {
            Some(bytes) => Begin::Again(bytes.clone()),
            None => Begin::Seen,
        }
    }

    /// Keeps the response given to interaction `id`.
    pub fn served(&self, id: u64, response: &[u8]) {
        self.lock().responses.put(id, response.to_vec());
    }

    /// How many interaction ids are remembered.
    pub fn len(&self) -> usize {
        self.lock().began.len()
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
        assert_eq!(seen.begin(7, t0), Begin::First);
        // A copy arriving while the first is still being answered.
        assert_eq!(seen.begin(7, t0), Begin::Seen);
        seen.served(7, b"{\"type\":4}");
        assert_eq!(
            seen.begin(7, t0 + Duration::from_secs(299)),
            Begin::Again(b"{\"type\":4}".to_vec())
        );
        assert_eq!(seen.begin(8, t0), Begin::First);
        assert_eq!(seen.begin(7, t0 + Duration::from_secs(301)), Begin::First);
    }

    #[test]
    fn memory_is_bounded_and_an_id_outlives_its_response() {
        let seen = ServedInteractions::new(Duration::from_secs(300));
        let t0 = Instant::now();
        for id in 0..(MAX_RESPONSES as u64 * 2) {
            assert_eq!(seen.begin(id, t0), Begin::First);
            seen.served(id, b"{}");
        }
        // The oldest response is gone, but its id is still known.
        assert_eq!(seen.begin(0, t0), Begin::Seen);
        assert!(matches!(
            seen.begin(MAX_RESPONSES as u64 * 2 - 1, t0),
            Begin::Again(_)
        ));
        for id in 0..(MAX_IDS as u64 + 10) {
            let _ = seen.begin(1_000_000 + id, t0);
        }
        assert_eq!(seen.len(), MAX_IDS);
    }
}
