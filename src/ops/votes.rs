//! One vote per person per answer. Clicking "Helpful" three times counts
//! once; switching to "Not helpful" replaces the vote. Who voted is kept
//! only as a salted hash of (person, answer), in memory, bounded: the salt
//! is drawn when the process starts and never leaves it, so nothing here
//! or in any log can be traced back to a person, and a restart forgets.

use std::hash::BuildHasher;
use std::num::NonZeroUsize;
use std::sync::Mutex;

use lru::LruCache;

use super::feedback::Vote;

/// Votes remembered; the least recently used is forgotten first, after
/// which that person's next click on that answer counts as a first vote.
/// 100 000 entries of 9 bytes plus the map's overhead is a few MB, and far
/// more votes than a server casts while an answer is still read.
const REMEMBERED: usize = 100_000;

/// What a click did to the person's vote on that answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cast {
    /// Their first vote on it.
    First,
    /// They had voted the other way; this replaces it.
    Changed,
    /// The same vote again: nothing to count.
    Repeated,
}

pub struct Votes {
    /// Randomly keyed SipHash: the salt.
    salt: std::collections::hash_map::RandomState,
    cast: Mutex<LruCache<u64, Vote>>,
}

impl Default for Votes {
    fn default() -> Votes {
        Votes::with_capacity(REMEMBERED)
    }
}

impl Votes {
    pub fn with_capacity(capacity: usize) -> Votes {
        Votes {
            salt: std::collections::hash_map::RandomState::new(),
            cast: Mutex::new(LruCache::new(
                NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN),
            )),
        }
    }

    /// Records `person`'s `vote` on `answer` (a message id) and says what
    /// it did.
    pub fn cast(&self, person: u64, answer: u64, vote: Vote) -> Cast {
        let key = self.key(person, answer);
        let mut cast = self
            .cast
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match cast.put(key, vote) {
            None => Cast::First,
            Some(before) if before == vote => Cast::Repeated,
            Some(_) => Cast::Changed,
        }
    }

    fn key(&self, person: u64, answer: u64) -> u64 {
        self.salt.hash_one((person, answer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_votes_once_per_answer_and_may_change_their_mind() {
        let votes = Votes::default();
        assert_eq!(votes.cast(1, 100, Vote::Up), Cast::First);
        assert_eq!(votes.cast(1, 100, Vote::Up), Cast::Repeated);
        assert_eq!(votes.cast(1, 100, Vote::Down), Cast::Changed);
        assert_eq!(votes.cast(1, 100, Vote::Down), Cast::Repeated);
        assert_eq!(votes.cast(2, 100, Vote::Up), Cast::First, "another person");
        assert_eq!(votes.cast(1, 101, Vote::Up), Cast::First, "another answer");
    }

    #[test]
    fn memory_is_bounded() {
        let votes = Votes::with_capacity(2);
        votes.cast(1, 1, Vote::Up);
        votes.cast(2, 1, Vote::Up);
        votes.cast(3, 1, Vote::Up);
        assert_eq!(
            votes.cast(1, 1, Vote::Up),
            Cast::First,
            "the oldest was forgotten"
        );
    }

    #[test]
    fn the_key_depends_on_a_salt_of_this_process() {
        let a = Votes::default();
        let b = Votes::default();
        assert_ne!(a.key(1, 2), b.key(1, 2));
    }
}
