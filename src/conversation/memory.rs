//! What the bot remembers of each conversation: the last topic it
//! answered, per person and place, for a few minutes.
//!
//! Memory is bounded twice: entries older than the time to live are never
//! used (and are dropped when met), and past the capacity the least
//! recently used conversation is forgotten first. Nothing is written to
//! disk; a restart forgets everything (a reply to one of the bot's own
//! answers still carries its topic, see the transports).

use std::num::NonZeroUsize;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use lru::LruCache;

/// One conversation: a person in a place (a channel, a thread, a DM, the
/// console).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub place: u64,
    pub person: u64,
}

#[derive(Debug)]
struct Remembered {
    /// The topic last answered, by id.
    topic: Box<str>,
    at: Instant,
}

/// The remembered conversations, shared by every task of a process: each
/// call takes the lock for one look-up or one insertion.
#[derive(Debug)]
pub struct Conversations {
    cache: Mutex<LruCache<Key, Remembered>>,
    ttl: Duration,
}

/// How many conversations are remembered by default: at about 100 bytes
/// each, 100,000 of them stay under 20 MB.
pub const DEFAULT_CAPACITY: usize = 100_000;
/// How long a conversation is remembered by default: long enough for a
/// follow-up typed after reading an answer, short enough that a question
/// asked later is taken on its own.
pub const DEFAULT_TTL: Duration = Duration::from_secs(10 * 60);

impl Conversations {
    /// Remembers at most `capacity` conversations (at least one), each
    /// for `ttl`.
    pub fn new(capacity: usize, ttl: Duration) -> Conversations {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Conversations {
            cache: Mutex::new(LruCache::new(capacity)),
            ttl,
        }
    }

    /// The table, even if a thread panicked holding it: each call changes
    /// one entry, so it is always whole.
    fn cache(&self) -> MutexGuard<'_, LruCache<Key, Remembered>> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The topic last answered in this conversation, unless it was longer
    /// ago than the time to live.
    pub fn recall(&self, key: Key, now: Instant) -> Option<String> {
        let mut cache = self.cache();
        let fresh = cache
            .get(&key)
            .is_some_and(|r| now.saturating_duration_since(r.at) < self.ttl);
        if !fresh {
            cache.pop(&key);
            return None;
        }
        cache.get(&key).map(|r| r.topic.to_string())
    }

    /// Remembers that `topic` was just answered in this conversation.
    pub fn remember(&self, key: Key, topic: &str, now: Instant) {
        self.cache().put(
            key,
            Remembered {
                topic: topic.into(),
                at: now,
            },
        );
    }

    /// How many conversations are remembered (expired ones included until
    /// they are met or pushed out).
    pub fn len(&self) -> usize {
        self.cache().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for Conversations {
    fn default() -> Conversations {
        Conversations::new(DEFAULT_CAPACITY, DEFAULT_TTL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALICE: Key = Key {
        place: 1,
        person: 10,
    };
    const BOB: Key = Key {
        place: 1,
        person: 20,
    };
    const ALICE_ELSEWHERE: Key = Key {
        place: 2,
        person: 10,
    };

    #[test]
    fn a_topic_is_remembered_per_person_and_place() {
        let now = Instant::now();
        let m = Conversations::new(10, Duration::from_secs(60));
        m.remember(ALICE, "pspo-validity", now);
        assert_eq!(m.recall(ALICE, now).as_deref(), Some("pspo-validity"));
        assert_eq!(m.recall(BOB, now), None);
        assert_eq!(m.recall(ALICE_ELSEWHERE, now), None);
    }

    #[test]
    fn a_conversation_is_forgotten_after_its_time() {
        let start = Instant::now();
        let m = Conversations::new(10, Duration::from_secs(60));
        m.remember(ALICE, "pspo-validity", start);
        let later = start + Duration::from_secs(59);
        assert_eq!(m.recall(ALICE, later).as_deref(), Some("pspo-validity"));
        let too_late = start + Duration::from_secs(61);
        assert_eq!(m.recall(ALICE, too_late), None);
        assert!(m.is_empty(), "an expired conversation is dropped when met");
    }

    #[test]
    fn past_its_capacity_the_oldest_conversation_goes_first() {
        let now = Instant::now();
        let m = Conversations::new(2, Duration::from_secs(60));
        m.remember(ALICE, "a", now);
        m.remember(BOB, "b", now);
        // Alice asked again, so Bob's is now the oldest.
        assert!(m.recall(ALICE, now).is_some());
        m.remember(ALICE_ELSEWHERE, "c", now);
        assert_eq!(m.len(), 2);
        assert_eq!(m.recall(BOB, now), None);
        assert_eq!(m.recall(ALICE, now).as_deref(), Some("a"));
    }
}
