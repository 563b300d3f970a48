//! The words the matcher knows and what each one means.
//!
//! Built once from the knowledge's vocabulary and topic questions. Reading a
//! question turns its words into *signals*: concepts ("expiry"), the
//! certifications it names, the next-step certifications it names, and facts
//! the article does not have ("price"). Multi-word names and phrases are
//! matched longest first, so "professional scrum product owner" is one
//! signal, not four words. Unknown words are tried as inflections, as two
//! words run together, then as typos of a known word.

// The matcher's tables are built once from the knowledge and only looked up
// with what users type, so no one can flood them with colliding keys: a fast
// unkeyed hash (Fx) is safe here, and much cheaper than SipHash.
use rustc_hash::FxHashMap as HashMap;

use super::learned::{Feature, CERTIFICATION_FEATURE, PAIR_FEATURE};
use super::texts::NormalizedTexts;
use super::typo::Corrector;
use crate::knowledge::Knowledge;

pub type WordId = u32;
pub type ConceptId = u32;

/// How much a word read through a typo correction counts, relative to a
/// word spelled right: a guess is a little less certain.
const CORRECTED_WEIGHT: f32 = 0.85;

/// How much an issuer's name counts as "who issues it" beside the
/// certification's own name: a hint, not the whole question.
const ISSUER_BESIDE_NAME_WEIGHT: f32 = 0.5;

/// The longest token tried as several words run together.
const MAX_RUN_TOGETHER: usize = 32;

/// How many slots neighbouring word pairs are hashed into for the learned
/// model.
pub const PAIR_BUCKETS: u64 = 4096;

/// The longest phrase, in words, that can be matched.
const MAX_PHRASE_WORDS: usize = 8;

/// One thing a word or phrase says about the question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Concept(ConceptId),
    /// A bit set of certification indices (`both` sets all of them).
    Certifications(u64),
    /// An issuer's name, standing for its certifications' bits.
    Issuer(u64),
    /// A next-step certification, by index into [`Lexicon::related`].
    Related(u32),
    /// A fact the article lacks, by index into [`Lexicon::unknown`].
    Unknown(u32),
}

#[derive(Debug, Clone)]
pub struct RelatedCert {
    pub id: String,
    pub parent_bit: u64,
    pub alone: bool,
    pub concept: ConceptId,
}

/// Everything read from one piece of text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reading {
    /// Concepts with the weight they were read with (1, or less through a
    /// typo), each once.
    pub concepts: Vec<(ConceptId, f32)>,
    /// Certifications named, as a bit set (or implied by their issuer).
    pub certifications: u64,
    /// Certifications whose issuer was named.
    pub issuers: u64,
    /// Certifications named only as a point of comparison ("... like
    /// CSPO"): the question is about the other one.
    pub references: u64,
    /// Facts the article lacks that the text asks about.
    pub unknown: Vec<u32>,
    /// Another certification, named without the one it belongs with.
    pub other_certification: bool,
    /// Words that mean nothing to the matcher and are not filler either.
    pub unrecognized: u32,
    /// Whether anything read belongs to the bot's subject (a domain
    /// concept, a certification).
    pub on_subject: bool,
    /// Known words that say no concept of their own ("how", "need",
    /// "product"), each once: the frame of the question, which the learned
    /// model reads beside the concepts.
    pub frame: Vec<WordId>,
    /// Pairs of neighbouring known words, hashed into [`PAIR_BUCKETS`].
    pub pairs: Vec<u32>,
}

impl Reading {
    fn add_concept(&mut self, c: ConceptId, w: f32) {
        match self.concepts.iter_mut().find(|(id, _)| *id == c) {
            Some((_, old)) => *old = old.max(w),
            None => self.concepts.push((c, w)),
        }
    }
}

pub struct Lexicon {
    words: HashMap<Box<str>, WordId>,
    /// Per word: is it filler?
    filler: Vec<bool>,
    /// Word sequences (one or more words) and what they mean.
    phrases: HashMap<Box<[WordId]>, Box<[Signal]>>,
    corrector: Corrector,
    pub concept_names: Vec<String>,
    pub certification_ids: Vec<String>,
    pub certification_homes: Vec<String>,
    /// The home topic for "both certifications" and nothing else.
    pub both_home: Option<String>,
    pub related: Vec<RelatedCert>,
    pub unknown: Vec<String>,
    /// Per out-of-scope category: the concept its words stand for, so that
    /// its example questions are told apart from the topics' by them.
    unknown_concepts: Vec<ConceptId>,
    /// Per concept: does it belong to the bot's subject?
    domain: Vec<bool>,
    /// (all of, none of, unknown group) concept combinations.
    combinations: Vec<(Vec<ConceptId>, Vec<ConceptId>, u32)>,
    /// The concept an issuer's name adds when the certification is named
    /// too ("is CSPO from Scrum Alliance?").
    issuer_concept: Option<ConceptId>,
    /// "like" and "unlike", before a certification compared with.
    comparison_words: Vec<WordId>,
    /// "same" and "as", which do the same together ("same as CSPO").
    same_word: Option<WordId>,
    as_word: Option<WordId>,
    the_word: Option<WordId>,
}

#[derive(Default)]
struct Builder {
    words: HashMap<Box<str>, WordId>,
    texts: Vec<String>,
    filler: Vec<bool>,
    phrases: HashMap<Box<[WordId]>, Vec<Signal>>,
    concepts: HashMap<String, ConceptId>,
    concept_names: Vec<String>,
}

impl Builder {
    fn word(&mut self, w: &str) -> WordId {
        if let Some(&id) = self.words.get(w) {
            return id;
        }
        let id = self.texts.len() as WordId;
        self.words.insert(w.into(), id);
        self.texts.push(w.to_string());
        self.filler.push(false);
        id
    }

    fn concept(&mut self, name: &str) -> ConceptId {
        if let Some(&id) = self.concepts.get(name) {
            return id;
        }
        let id = self.concept_names.len() as ConceptId;
        self.concepts.insert(name.to_string(), id);
        self.concept_names.push(name.to_string());
        id
    }

    fn phrase(&mut self, normalized: &str, signal: Signal) {
        let ids: Box<[WordId]> = normalized.split(' ').map(|w| self.word(w)).collect();
        if ids.is_empty() || ids.len() > MAX_PHRASE_WORDS {
            return;
        }
        let signals = self.phrases.entry(ids).or_default();
        if !signals.contains(&signal) {
            signals.push(signal);
        }
    }
}

impl Lexicon {
    pub fn build(knowledge: &Knowledge, texts: &NormalizedTexts) -> Lexicon {
        let vocab = &knowledge.vocabulary;
        let mut b = Builder::default();
        let certification_ids: Vec<String> = knowledge
            .certifications
            .iter()
            .map(|c| c.id.clone())
            .collect();
        let bit_of = |id: &str| {
            certification_ids
                .iter()
                .position(|c| c == id)
                .map_or(0, |i| 1u64 << i.min(63))
        };
        let all_bits = certification_ids
            .iter()
            .enumerate()
            .fold(0u64, |acc, (i, _)| acc | (1u64 << i.min(63)));

        let mut certification_homes = vec![String::new(); certification_ids.len()];
        let mut both_home = None;
        for entity in &vocab.certifications {
            let bits = if entity.id == "both" {
                both_home = Some(entity.home.clone());
                all_bits
            } else {
                if let Some(i) = certification_ids.iter().position(|c| *c == entity.id) {
                    certification_homes[i] = entity.home.clone();
                }
                bit_of(&entity.id)
            };
            for name in &entity.names {
                b.phrase(name, Signal::Certifications(bits));
            }
            for name in &entity.issuers {
                b.phrase(name, Signal::Issuer(bits));
            }
        }
        let mut related = Vec::new();
        for (i, r) in vocab.related.iter().enumerate() {
            let concept = b.concept(&format!("cert:{}", r.id));
            related.push(RelatedCert {
                id: r.id.clone(),
                parent_bit: bit_of(&r.parent),
                alone: r.alone,
                concept,
            });
            for name in &r.names {
                b.phrase(name, Signal::Related(i as u32));
            }
        }
        let unknown: Vec<String> = knowledge
            .out_of_scope
            .iter()
            .map(|g| g.id.clone())
            .collect();
        let unknown_index = |id: &str| unknown.iter().position(|u| u == id).map(|i| i as u32);
        let unknown_concepts: Vec<ConceptId> = unknown
            .iter()
            .map(|id| b.concept(&format!("out-of-scope:{id}")))
            .collect();
        for (i, g) in knowledge.out_of_scope.iter().enumerate() {
            for w in &g.words {
                b.phrase(w, Signal::Unknown(i as u32));
            }
        }
        for g in &vocab.concepts {
            let c = b.concept(&g.id);
            for w in &g.words {
                b.phrase(w, Signal::Concept(c));
            }
        }
        for (phrase, parts) in &vocab.phrases {
            for part in parts {
                let signal = match unknown_index(part) {
                    Some(u) => Signal::Unknown(u),
                    None => Signal::Concept(b.concept(part)),
                };
                b.phrase(phrase, signal);
            }
        }
        for w in &vocab.ignore {
            let id = b.word(w);
            b.filler[id as usize] = true;
        }
        // Words of the topics' own questions that the vocabulary does not
        // mention become concepts of their own, so that a maintainer who
        // adds a phrasing with a new word teaches the matcher that word.
        // But not a misspelling of a word the vocabulary knows ("certifed",
        // "trainig"): it is left unknown, so that it is read as that word,
        // in the example and in every question that misspells it the same
        // way.
        let vocabulary = Corrector::new(&b.texts, &[], &[]);
        let is_misspelling = |b: &Builder, w: &str| {
            !b.words.contains_key(w)
                && (stems(w).iter().any(|s| b.words.contains_key(s.as_str()))
                    || vocabulary
                        .correct(w)
                        .is_some_and(|t| is_slip(w, &b.texts[t as usize])))
        };
        for text in texts.all() {
            for w in text.split(' ').filter(|w| !w.is_empty()) {
                if is_misspelling(&b, w) {
                    continue;
                }
                let id = b.word(w);
                let meaningful = b.filler[id as usize] || b.phrases.contains_key(&[id][..]);
                if !meaningful && !w.chars().all(|c| c.is_ascii_digit()) {
                    let c = b.concept(&format!("word:{w}"));
                    b.phrase(w, Signal::Concept(c));
                }
            }
        }
        let mut domain = vec![false; b.concept_names.len()];
        for name in &vocab.domain {
            if let Some(&c) = b.concepts.get(name) {
                domain[c as usize] = true;
            }
        }
        for r in &related {
            domain[r.concept as usize] = true;
        }
        let combinations = vocab
            .combinations
            .iter()
            .filter_map(|c| {
                let ids = |names: &[String]| -> Option<Vec<ConceptId>> {
                    names.iter().map(|n| b.concepts.get(n).copied()).collect()
                };
                Some((ids(&c.all)?, ids(&c.none)?, unknown_index(&c.unknown)?))
            })
            .collect();
        let issuer_concept = b.concepts.get("issuer").copied();
        let blocker_words: Vec<WordId> = b
            .phrases
            .iter()
            .filter(|(k, v)| k.len() == 1 && v.iter().all(|s| matches!(s, Signal::Unknown(_))))
            .map(|(k, _)| k[0])
            .collect();
        let entity_words: Vec<WordId> = b
            .phrases
            .iter()
            .filter(|(k, v)| {
                k.len() == 1
                    && v.iter()
                        .any(|s| matches!(s, Signal::Certifications(_) | Signal::Issuer(_)))
            })
            .map(|(k, _)| k[0])
            .collect();
        let corrector = Corrector::new(&b.texts, &entity_words, &blocker_words);
        let comparison_words = ["like", "unlike"]
            .iter()
            .filter_map(|w| b.words.get(*w).copied())
            .collect();
        let same_word = b.words.get("same").copied();
        let as_word = b.words.get("as").copied();
        let the_word = b.words.get("the").copied();
        Lexicon {
            words: b.words,
            filler: b.filler,
            phrases: b
                .phrases
                .into_iter()
                .map(|(k, v)| (k, v.into_boxed_slice()))
                .collect(),
            corrector,
            concept_names: b.concept_names,
            certification_ids,
            certification_homes,
            both_home,
            related,
            unknown,
            unknown_concepts,
            domain,
            combinations,
            issuer_concept,
            comparison_words,
            same_word,
            as_word,
            the_word,
        }
    }

    /// How many features the learned model reads: every concept, every
    /// known word, every certification, and the slots of word pairs.
    pub fn feature_count(&self) -> usize {
        self.concept_names.len()
            + self.filler.len()
            + self.certification_ids.len().min(64)
            + PAIR_BUCKETS as usize
    }

    /// A reading as the learned model's features, in that order: its
    /// concepts, the words of its frame, the certifications it names and
    /// its word pairs.
    pub fn features(&self, reading: &Reading) -> Vec<Feature> {
        let words = self.concept_names.len() as u32;
        let certifications = words + self.filler.len() as u32;
        let named = self.certification_ids.len().min(64) as u32;
        let pairs = certifications + named;
        let mut out = Vec::with_capacity(
            reading.concepts.len()
                + reading.frame.len()
                + reading.certifications.count_ones() as usize
                + reading.pairs.len(),
        );
        out.extend_from_slice(&reading.concepts);
        out.extend(reading.frame.iter().map(|&w| (words + w, 1.0)));
        out.extend(
            (0..named)
                .filter(|i| reading.certifications & (1u64 << i) != 0)
                .map(|i| (certifications + i, CERTIFICATION_FEATURE)),
        );
        out.extend(reading.pairs.iter().map(|&p| (pairs + p, PAIR_FEATURE)));
        out
    }

    pub fn concept_count(&self) -> usize {
        self.concept_names.len()
    }

    pub fn concept_id(&self, name: &str) -> Option<ConceptId> {
        self.concept_names
            .iter()
            .position(|n| n == name)
            .map(|i| i as ConceptId)
    }

    /// Finds the known word a token stands for: itself, an inflection, or a
    /// typo. Returns the word and whether it was a correction.
    fn resolve(&self, token: &str) -> Option<(WordId, bool)> {
        if let Some(&id) = self.words.get(token) {
            return Some((id, false));
        }
        if token.chars().all(|c| c.is_ascii_digit()) || token.chars().count() < 3 {
            return None;
        }
        for stem in stems(token) {
            if let Some(&id) = self.words.get(stem.as_str()) {
                return Some((id, false));
            }
        }
        self.corrector.correct(token).map(|id| (id, true))
    }

    /// Two known words run together ("howlong", "cspovs").
    /// Known words run together ("howlong", "doespspoexpire"): the split
    /// into the fewest known words of two letters or more, at most four.
    fn split_run_together(&self, token: &str) -> Option<Vec<WordId>> {
        let n = token.len();
        if !(5..=MAX_RUN_TOGETHER).contains(&n) || !token.is_ascii() {
            return None;
        }
        // best[i]: the fewest words spelling token[..i], and the last one.
        let mut best: Vec<Option<(usize, usize, WordId)>> = vec![None; n + 1];
        best[0] = Some((0, 0, 0));
        for end in 2..=n {
            for start in 0..end.saturating_sub(1) {
                let Some((count, _, _)) = best[start] else {
                    continue;
                };
                let Some(&id) = self.words.get(&token[start..end]) else {
                    continue;
                };
                if best[end].is_none_or(|(c, _, _)| count + 1 < c) {
                    best[end] = Some((count + 1, start, id));
                }
            }
        }
        let (count, _, _) = best[n]?;
        if !(2..=4).contains(&count) {
            return None;
        }
        let mut words = Vec::with_capacity(count);
        let mut end = n;
        while end > 0 {
            let (_, start, id) = best[end]?;
            words.push(id);
            end = start;
        }
        words.reverse();
        Some(words)
    }

    /// Reads already-normalized text.
    pub fn read(&self, normalized: &str) -> Reading {
        // Resolve tokens to known words, keeping unknown ones as gaps.
        let mut ids: Vec<Option<(WordId, bool)>> = Vec::new();
        let mut reading = Reading::default();
        for token in normalized.split(' ').filter(|t| !t.is_empty()) {
            match self.resolve(token) {
                Some(found) => ids.push(Some(found)),
                None => match self.split_run_together(token) {
                    Some(words) => ids.extend(words.into_iter().map(|w| Some((w, true)))),
                    None => {
                        ids.push(None);
                        if token.chars().any(|c| c.is_alphabetic()) {
                            reading.unrecognized += 1;
                        }
                    }
                },
            }
        }
        for pair in ids.windows(2) {
            if let [Some((a, _)), Some((b, _))] = pair {
                let bucket = ((u64::from(*a) * 0x9E37_79B9 + u64::from(*b)) % PAIR_BUCKETS) as u32;
                if !reading.pairs.contains(&bucket) {
                    reading.pairs.push(bucket);
                }
            }
        }
        // Longest phrase first, left to right.
        let mut key: Vec<WordId> = Vec::with_capacity(MAX_PHRASE_WORDS);
        let mut i = 0;
        while i < ids.len() {
            let compared_with = self.follows_comparison(&ids, i);
            let mut matched = 0;
            let longest = MAX_PHRASE_WORDS.min(ids.len() - i);
            for len in (1..=longest).rev() {
                key.clear();
                let mut corrected = false;
                for slot in &ids[i..i + len] {
                    match slot {
                        Some((id, c)) => {
                            key.push(*id);
                            corrected |= *c;
                        }
                        None => break,
                    }
                }
                if key.len() != len {
                    continue;
                }
                if let Some(signals) = self.phrases.get(key.as_slice()) {
                    let weight = if corrected { CORRECTED_WEIGHT } else { 1.0 };
                    for s in signals.iter() {
                        match s {
                            Signal::Certifications(bits) if compared_with => {
                                reading.references |= bits;
                            }
                            _ => self.apply(&mut reading, *s, weight),
                        }
                    }
                    matched = len;
                    break;
                }
            }
            if matched == 0 {
                // A known word with no meaning of its own ("product" out
                // of "product owner"), filler, or a gap: no concept, but
                // part of the frame.
                if let Some((id, _)) = ids[i] {
                    if !reading.frame.contains(&id) {
                        reading.frame.push(id);
                    }
                }
                matched = 1;
            }
            i += matched;
        }
        // Named only to compare with, or compared with nothing said about
        // either ("is PSPO like CSPO?"): then it is part of the question.
        if reading.certifications == 0 || reading.concepts.is_empty() {
            reading.certifications |= reading.references;
        }
        self.settle_issuers(&mut reading);
        self.settle_related(&mut reading);
        self.settle_combinations(&mut reading);
        reading.on_subject = reading.certifications != 0
            || reading
                .concepts
                .iter()
                .any(|(c, _)| self.domain.get(*c as usize).copied().unwrap_or(false));
        reading
    }

    /// Whether the word at `i` follows "like", "unlike" or "same as"
    /// (with an optional "the" between): a certification named there is
    /// one to compare with, not the one asked about.
    fn follows_comparison(&self, ids: &[Option<(WordId, bool)>], i: usize) -> bool {
        let word = |j: usize| ids.get(j).copied().flatten().map(|(id, _)| id);
        let mut at = i;
        if at > 1 && word(at - 1).is_some() && word(at - 1) == self.the_word {
            at -= 1;
        }
        if at == 0 {
            return false;
        }
        let previous = word(at - 1);
        previous.is_some_and(|id| self.comparison_words.contains(&id))
            || (at > 1
                && previous.is_some()
                && previous == self.as_word
                && word(at - 2) == self.same_word)
    }

    fn apply(&self, reading: &mut Reading, signal: Signal, weight: f32) {
        match signal {
            Signal::Concept(c) => reading.add_concept(c, weight),
            Signal::Certifications(bits) => reading.certifications |= bits,
            Signal::Issuer(bits) => reading.issuers |= bits,
            Signal::Related(r) => {
                if let Some(rel) = self.related.get(r as usize) {
                    reading.add_concept(rel.concept, weight);
                }
            }
            Signal::Unknown(u) => {
                if !reading.unknown.contains(&u) {
                    reading.unknown.push(u);
                }
                if let Some(&c) = self.unknown_concepts.get(u as usize) {
                    reading.add_concept(c, weight);
                }
            }
        }
    }

    /// An issuer stands for its certification when that is not named;
    /// beside the certification's own name it asks who issues it.
    fn settle_issuers(&self, reading: &mut Reading) {
        if reading.issuers == 0 {
            return;
        }
        if reading.certifications == 0 {
            reading.certifications = reading.issuers;
        } else if let Some(c) = self.issuer_concept {
            reading.add_concept(c, ISSUER_BESIDE_NAME_WEIGHT);
        }
    }

    fn settle_combinations(&self, reading: &mut Reading) {
        let has = |c: &ConceptId| reading.concepts.iter().any(|(id, _)| id == c);
        let found: Vec<u32> = self
            .combinations
            .iter()
            .filter(|(all, none, _)| all.iter().all(has) && !none.iter().any(has))
            .map(|(_, _, u)| *u)
            .collect();
        for u in found {
            self.apply(reading, Signal::Unknown(u), 1.0);
        }
    }

    /// A next-step certification named with its parent (or one that may
    /// stand alone) belongs to the parent's path; one that may not stand
    /// alone, named alone, is a question about another certification.
    fn settle_related(&self, reading: &mut Reading) {
        for rel in &self.related {
            if !reading.concepts.iter().any(|(c, _)| *c == rel.concept) {
                continue;
            }
            if reading.certifications & rel.parent_bit != 0 {
                continue;
            }
            if rel.alone {
                reading.certifications |= rel.parent_bit;
            } else {
                reading.other_certification = true;
            }
        }
    }

    pub fn is_filler(&self, word: &str) -> bool {
        self.words
            .get(word)
            .is_some_and(|&id| self.filler[id as usize])
    }
}

/// Whether `word` is `target` with one letter left out, one added or two
/// swapped: the slips of a typing hand. A letter changed for another
/// ("remove" for "remote", "data" for "date") makes a real word too often
/// to be taken for a slip.
fn is_slip(word: &str, target: &str) -> bool {
    if strsim::osa_distance(word, target) != 1 {
        return false;
    }
    if word.chars().count() != target.chars().count() {
        return true;
    }
    let mut a: Vec<char> = word.chars().collect();
    let mut b: Vec<char> = target.chars().collect();
    a.sort_unstable();
    b.sort_unstable();
    a == b
}

/// Candidate stems of an inflected word, most likely first.
fn stems(token: &str) -> Vec<String> {
    let mut out = Vec::new();
    let rules: [(&str, &str); 9] = [
        ("ies", "y"),
        ("ied", "y"),
        ("ing", ""),
        ("ing", "e"),
        ("ed", ""),
        ("ed", "e"),
        ("es", ""),
        ("s", ""),
        ("ly", ""),
    ];
    for (suffix, replacement) in rules {
        if let Some(base) = token.strip_suffix(suffix) {
            if base.len() >= 3 {
                out.push(format!("{base}{replacement}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::stems;

    #[test]
    fn stems_cover_common_inflections() {
        assert!(stems("renewing").contains(&"renew".to_string()));
        assert!(stems("expired").contains(&"expire".to_string()));
        assert!(stems("certifies").contains(&"certify".to_string()));
        assert!(stems("trainers").contains(&"trainer".to_string()));
        assert!(stems("is").is_empty());
    }
}
