//! Typo correction against the known words.
//!
//! A misspelt word is matched to the known word closest to it by
//! edit distance (optimal string alignment, from strsim, so a swapped pair
//! of letters counts as one edit). To stay fast whatever the vocabulary's
//! size, candidates are found through a table of every known word with one
//! or two letters deleted (the "symmetric delete" method): a query costs a
//! few dozen hash look-ups, never a scan of the vocabulary.
//!
//! Certification names are entities: "cspo" and "pspo" are one letter apart
//! and mean opposite things, so a word as close to one of them as to the
//! other is left alone rather than guessed.

// The matcher's tables are built once from the knowledge and only looked up
// with what users type, so no one can flood them with colliding keys: a fast
// unkeyed hash (Fx) is safe here, and much cheaper than SipHash.
use rustc_hash::FxHashMap as HashMap;

use super::lexicon::WordId;

pub struct Corrector {
    /// Word, or word with letters deleted -> the words it came from.
    /// Keyed by a hash of the string (see [`deletion_keys`]): building the
    /// table allocates no strings, and a collision only adds a candidate
    /// that the edit distance then turns down.
    deletes: HashMap<u64, Vec<WordId>>,
    /// Long words by first letter and length, for the two-edit typos the
    /// one-deletion table cannot find ("equivelant").
    long_words: HashMap<(char, usize), Vec<WordId>>,
    words: Vec<Box<str>>,
    entity: Vec<bool>,
    /// Words that stop an answer ("fee", "score"): a short token is never
    /// guessed into one, because a wrong guess turns a good question away.
    blocker: Vec<bool>,
}

/// Tokens shorter than this are never corrected into a blocking word.
const MIN_BLOCKER_GUESS: usize = 7;
/// Known words shorter than this are never the result of a correction:
/// "rung" is not "run".
const MIN_TARGET: usize = 4;
/// Two edits are accepted only between words this alike (Jaro-Winkler):
/// "prepair" is "prepare", but "morning" is not "meaning".
const TWO_EDIT_LIKENESS: f64 = 0.9;

/// How many edits a word of this length may be away from the word it is
/// corrected to. Short words are too easy to mistake for one another.
fn max_edits(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=5 => 1,
        _ => 2,
    }
}

impl Corrector {
    pub fn new(words: &[String], entity_words: &[WordId], blocker_words: &[WordId]) -> Corrector {
        let mut deletes: HashMap<u64, Vec<WordId>> = HashMap::default();
        let flags = |ids: &[WordId]| {
            let mut v = vec![false; words.len()];
            for &id in ids {
                if let Some(slot) = v.get_mut(id as usize) {
                    *slot = true;
                }
            }
            v
        };
        let entity = flags(entity_words);
        let blocker = flags(blocker_words);
        let mut long_words: HashMap<(char, usize), Vec<WordId>> = HashMap::default();
        for (id, w) in words.iter().enumerate() {
            let len = w.chars().count();
            // One deletion on each side finds every single edit and a swap;
            // the long-word look-up finds the two-edit typos.
            if len < MIN_TARGET || w.chars().all(|c| c.is_ascii_digit()) {
                continue;
            }
            if max_edits(len) >= 2 {
                if let Some(first) = w.chars().next() {
                    long_words
                        .entry((first, len))
                        .or_default()
                        .push(id as WordId);
                }
            }
            for key in deletion_keys(w) {
                let ids = deletes.entry(key).or_default();
                if !ids.contains(&(id as WordId)) {
                    ids.push(id as WordId);
                }
            }
        }
        Corrector {
            deletes,
            long_words,
            words: words.iter().map(|w| w.as_str().into()).collect(),
            entity,
            blocker,
        }
    }

    /// The known word `token` most likely stands for, if any is close
    /// enough and not ambiguous between two certifications.
    pub fn correct(&self, token: &str) -> Option<WordId> {
        let len = token.chars().count();
        if len == 3 {
            return self.complete_short(token);
        }
        let limit = max_edits(len);
        if limit == 0 || len > 40 {
            return None;
        }
        let mut best: Option<(usize, f64, WordId)> = None;
        let mut entities_at_best = 0;
        let mut seen: Vec<WordId> = Vec::new();
        // One deletion on this side too: with the table's one deletion it
        // finds every single edit and a swap; the look-up of long words
        // below finds the two-edit typos.
        let from_table: Vec<WordId> = deletion_keys(token)
            .filter_map(|key| self.deletes.get(&key))
            .flatten()
            .copied()
            .collect();
        // Long words with the same first letter and a similar length, for
        // what the table cannot find; only when it found nothing, and only
        // those whose letters nearly match (a cheap count before the edit
        // distance).
        let first = token.chars().next().unwrap_or(' ');
        let letters = letter_counts(token);
        let similar: Vec<WordId> = if from_table.is_empty() && limit >= 2 {
            (len.saturating_sub(2)..=len + 2)
                .filter_map(|l| self.long_words.get(&(first, l)))
                .flatten()
                .copied()
                .filter(|&id| {
                    letter_difference(&letters, &letter_counts(&self.words[id as usize])) <= 4
                })
                .collect()
        } else {
            Vec::new()
        };
        {
            for id in from_table.into_iter().chain(similar) {
                if seen.contains(&id) {
                    continue;
                }
                seen.push(id);
                if self.blocker[id as usize] && len < MIN_BLOCKER_GUESS {
                    continue;
                }
                let word = &self.words[id as usize];
                let wlen = word.chars().count();
                // Both sides must allow the distance: a long token may not
                // turn into a short word by many edits.
                let allowed = limit.min(max_edits(wlen).max(1));
                let distance = strsim::osa_distance(token, word);
                if distance == 0 || distance > allowed {
                    continue;
                }
                let likeness = strsim::jaro_winkler(token, word);
                if distance >= 2 && likeness < TWO_EDIT_LIKENESS {
                    continue;
                }
                let better = match best {
                    None => true,
                    Some((bd, bl, _)) => distance < bd || (distance == bd && likeness > bl),
                };
                if best.is_some_and(|(bd, _, _)| distance < bd) {
                    entities_at_best = 0;
                }
                if best.is_none_or(|(bd, _, _)| distance <= bd) && self.entity[id as usize] {
                    entities_at_best += 1;
                }
                if better {
                    best = Some((distance, likeness, id));
                }
            }
        }
        let (_, _, id) = best?;
        if entities_at_best > 1 {
            return None;
        }
        Some(id)
    }
}

/// How many of each letter a word has (a-z; anything else in one slot).
fn letter_counts(word: &str) -> [u8; 27] {
    let mut counts = [0u8; 27];
    for c in word.chars() {
        let slot = if c.is_ascii_lowercase() {
            (c as u8 - b'a') as usize
        } else {
            26
        };
        counts[slot] = counts[slot].saturating_add(1);
    }
    counts
}

/// How many letters two words do not share; two edits change at most four.
fn letter_difference(a: &[u8; 27], b: &[u8; 27]) -> u32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| u32::from(x.abs_diff(*y)))
        .sum()
}

impl Corrector {
    /// A three-letter token is only read as a four-letter word with one
    /// letter more and the same first letter ("exm", "ful"), and only when
    /// exactly one word fits: short words collide too easily otherwise.
    fn complete_short(&self, token: &str) -> Option<WordId> {
        let first = token.chars().next()?;
        let ids = self.deletes.get(&hash_parts(token, ""))?;
        let mut fits = ids.iter().copied().filter(|&id| {
            let w = &self.words[id as usize];
            w.chars().count() == 4 && w.starts_with(first) && !self.blocker[id as usize]
        });
        let found = fits.next()?;
        fits.next().is_none().then_some(found)
    }
}

/// Hash keys of `word` itself and of every string made from it by
/// deleting one character, without building those strings.
fn deletion_keys(word: &str) -> impl Iterator<Item = u64> + '_ {
    std::iter::once(hash_parts(word, "")).chain(
        word.char_indices()
            .map(move |(i, c)| hash_parts(&word[..i], &word[i + c.len_utf8()..])),
    )
}

/// FNV-1a over the bytes of `a` then `b`: the hash of their concatenation.
fn hash_parts(a: &str, b: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in a.bytes().chain(b.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corrector(words: &[&str], entities: &[&str]) -> (Corrector, Vec<String>) {
        let words: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        let ents: Vec<WordId> = entities
            .iter()
            .filter_map(|e| words.iter().position(|w| w == e).map(|i| i as WordId))
            .collect();
        (Corrector::new(&words, &ents, &[]), words)
    }

    fn fix(c: &(Corrector, Vec<String>), token: &str) -> Option<String> {
        c.0.correct(token).map(|id| c.1[id as usize].clone())
    }

    #[test]
    fn corrects_dropped_swapped_and_extra_letters() {
        let c = corrector(&["expire", "difference", "renew", "between"], &[]);
        assert_eq!(fix(&c, "expier").as_deref(), Some("expire"));
        assert_eq!(fix(&c, "diffrence").as_deref(), Some("difference"));
        assert_eq!(fix(&c, "renw").as_deref(), Some("renew"));
        assert_eq!(fix(&c, "betweeen").as_deref(), Some("between"));
    }

    #[test]
    fn leaves_far_and_short_words_alone() {
        let c = corrector(&["expire", "renew"], &[]);
        assert_eq!(fix(&c, "spider"), None);
        assert_eq!(fix(&c, "rnw"), None);
    }

    #[test]
    fn two_edits_need_alike_words_and_three_letters_need_one_fit() {
        let c = corrector(&["prepare", "meaning", "exam", "full", "fuel"], &[]);
        assert_eq!(fix(&c, "prepair").as_deref(), Some("prepare"));
        assert_eq!(fix(&c, "morning"), None);
        assert_eq!(fix(&c, "exm").as_deref(), Some("exam"));
        // "ful" fits both "full" and "fuel": no guess.
        assert_eq!(fix(&c, "ful"), None);
    }

    #[test]
    fn short_tokens_are_not_guessed_into_short_or_blocking_words() {
        let words: Vec<String> = ["run", "points", "expensive"]
            .iter()
            .map(|w| w.to_string())
            .collect();
        let c = (Corrector::new(&words, &[], &[1, 2]), words);
        assert_eq!(fix(&c, "rung"), None);
        assert_eq!(fix(&c, "point"), None);
        assert_eq!(fix(&c, "expensiv").as_deref(), Some("expensive"));
    }

    #[test]
    fn certification_names_are_never_guessed_between() {
        let c = corrector(&["cspo", "pspo"], &["cspo", "pspo"]);
        // One letter from each: ambiguous, so no guess.
        assert_eq!(fix(&c, "xspo"), None);
        // A swap that is close to only one of them.
        assert_eq!(fix(&c, "cpso").as_deref(), Some("cspo"));
        assert_eq!(fix(&c, "psop").as_deref(), Some("pspo"));
    }
}
