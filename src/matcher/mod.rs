//! Finding the topic that answers a question, however it is typed.
//!
//! A question is normalized ([`normalize`]), read into concepts and named
//! certifications ([`lexicon`]), and scored against every topic
//! ([`index`]). A topic's score is the share of the question's meaning that
//! the topic explains (each concept weighted by how rare it is across
//! topics), scaled down when the question is too vague to be sure of, when
//! it is full of words the matcher does not know, and when it names the
//! other certification. A question that needs a fact the article lacks, or
//! is about another certification, gets no topic at all.
//!
//! Long chatty messages are split into sentences; the question sentences
//! are scored on their own, with the certifications named anywhere in the
//! message as context, and the best one wins.
//!
//! Everything here is built once at load; answering does no I/O and its
//! cost grows only with the question's length and the vocabulary.

mod asks;
pub mod index;
mod learned;
pub mod lexicon;
pub mod normalize;
mod texts;
mod typo;

use index::TopicIndex;
use lexicon::{Lexicon, Reading};
use texts::NormalizedTexts;

use crate::knowledge::{Asks, Knowledge};

/// Only this much of a question is read: every real question fits, and a
/// huge paste costs no more than this.
pub const MAX_QUESTION_CHARS: usize = 1000;
/// At most this many sentences of a message are scored on their own.
const MAX_SENTENCES: usize = 12;

// The thresholds below were chosen on a blind tuning question set written
// apart from the knowledge, and checked on two held-out ones.
/// Below this, the bot says it does not know. Out-of-scope categories do
/// most of the declining, so this only catches questions that say too
/// little to match anything; 0.13 was the best of a sweep from 0.08 to 0.25
/// once the learned model's probabilities took part in the scores.
pub const ANSWER_THRESHOLD: f32 = 0.13;
/// Below this, an answer comes with "Did you mean" suggestions: 93% of the
/// tuning set's answers at least this sure were right.
pub const CONFIDENT_THRESHOLD: f32 = 0.35;
/// In channels where the bot reads every message unasked, it only speaks
/// when at least this sure: 97% of the tuning set's answers at least this
/// sure were right, and three in four of its right answers were this sure.
pub const UNPROMPTED_THRESHOLD: f32 = 0.5;
/// How much the learned model's probability counts in a class's score,
/// against the share of the question's concepts the class's weights
/// explain. 0.7 was the best of a sweep from 0.3 to 1.0: the model alone
/// leaves casual wording unsure, the concept weights alone answer near
/// misses with the nearest topic.
const LEARNED_BLEND: f32 = 0.7;

/// How much meaning (in rarity-weighted concepts) a question needs before
/// its score is trusted in full; vaguer questions are scaled down.
const FULL_EVIDENCE: f32 = 2.2;
/// How much each unrecognized word weighs against the recognized meaning.
const UNRECOGNIZED_COST: f32 = 0.45;
/// The score of a question that only names a certification ("pspo?").
const BARE_NAME_SCORE: f32 = 0.62;
/// Question sentences longer than this (in words) are also read clause by
/// clause.
const LONG_SENTENCE_WORDS: usize = 12;
/// How much a clause's scores count against its whole sentence's.
const CLAUSE_WEIGHT: f32 = 0.85;
/// How much the concepts of a message's other sentences count in its
/// question sentence.
const BACKGROUND_WEIGHT: f32 = 0.5;
/// How much a question that touches nothing of the bot's subject keeps of
/// its score: "recommend a good pizza place" shares a word with "which
/// certification do you recommend", but is not about certifications.
const OFF_SUBJECT: f32 = 0.4;
/// Less meaning than this, besides a certification's name, is a bare name.
const BARE_NAME_EVIDENCE: f32 = 0.9;
/// A bare name's little meaning that one class explains at least this
/// share of goes to that class rather than to the name's home topic.
const BARE_NAME_LEAD: f32 = 0.5;
/// How much an out-of-scope category's score counts against a topic's.
/// Categories are broad and their words are shared with topics, so a tie
/// goes to the answer; 0.8 was the best of a sweep from 0.6 to 1.0 over
/// blind question sets (lower answers near misses, higher declines
/// casual wording of answerable questions).
const CATEGORY_WEIGHT: f32 = 0.8;
/// An out-of-scope category that wins with at least this score names the
/// reason the bot declines; below it, the bot only says it does not know.
const DECLINE_REASON: f32 = 0.15;

/// What the matcher made of a question.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Match {
    /// The topic that answers it, if any.
    pub topic: Option<String>,
    /// How sure the matcher is, in 0..1.
    pub confidence: f32,
    /// Up to three other topics that might be meant.
    pub suggestions: Vec<String>,
    /// When the question needs a fact the article lacks: which kind
    /// ("price", "other-certification", ...).
    pub unknown: Option<String>,
    /// The certifications the message names, by id, so that a reply can
    /// point to the right issuer.
    pub named: Vec<String>,
    /// The message says almost nothing besides the certifications it
    /// names ("and for cspo?"): in a conversation it continues the last
    /// answer rather than asking anew.
    pub says_little: bool,
}

impl Match {
    /// Sure enough to answer without offering alternatives.
    pub fn is_confident(&self) -> bool {
        self.topic.is_some() && self.confidence >= CONFIDENT_THRESHOLD
    }
}

pub struct Matcher {
    lexicon: Lexicon,
    index: TopicIndex,
}

/// A sentence or clause of a message, as read.
struct Part {
    reading: Reading,
    /// Whether it is a question.
    asks: bool,
    /// The kind of fact it asks for, if any.
    wants: Option<Asks>,
    /// How much its scores count.
    weight: f32,
}

impl Part {
    fn new(lexicon: &Lexicon, text: &str, asks: bool, weight: f32) -> Part {
        let normalized = normalize::normalize(text);
        Part {
            reading: lexicon.read(&normalized),
            asks,
            wants: asks::asked(&normalized),
            weight,
        }
    }
}

impl Part {
    fn says_something(&self) -> bool {
        let r = &self.reading;
        !r.concepts.is_empty()
            || r.certifications != 0
            || !r.unknown.is_empty()
            || r.other_certification
    }
}

/// One scored reading of a question or of one of its sentences.
struct Scored {
    scores: Vec<f32>,
    /// The unknown-fact group that stops an answer, if any.
    blocked_by: Option<String>,
}

impl Matcher {
    pub fn new(knowledge: &Knowledge) -> Matcher {
        let texts = NormalizedTexts::new(knowledge);
        let lexicon = Lexicon::build(knowledge, &texts);
        let index = TopicIndex::build(knowledge, &lexicon, &texts);
        Matcher { lexicon, index }
    }

    /// Finds the topic for `question`.
    pub fn find(&self, question: &str) -> Match {
        self.find_in(question, &[])
    }

    /// Finds the topic for `question`, asked right after an answer about
    /// the certifications `earlier` (ids): a question that names none of
    /// its own ("does it expire?") is read as about those.
    pub fn find_in(&self, question: &str, earlier: &[String]) -> Match {
        let question = bounded(question);
        let sentences = sentences(&question);
        let mut parts: Vec<Part> = sentences
            .iter()
            .map(|(s, asks)| Part::new(&self.lexicon, s, *asks, 1.0))
            .collect();
        // A long question sentence also competes clause by clause, so that
        // "my team lead has a CSPO, I'm leaning PSPO, but is one of them
        // worth more?" is judged on its last clause too; a clause must beat
        // the whole sentence clearly to win.
        let long_questions = sentences
            .iter()
            .filter(|(s, asks)| *asks && s.split_whitespace().count() > LONG_SENTENCE_WORDS);
        for (s, _) in long_questions {
            for clause in s
                .split([',', ':', ';', '(', ')'])
                .flat_map(|c| c.split(" - "))
            {
                if clause.split_whitespace().count() >= 2 {
                    parts.push(Part::new(&self.lexicon, clause, true, CLAUSE_WEIGHT));
                }
            }
        }
        let named_here = parts
            .iter()
            .fold(0u64, |acc, p| acc | p.reading.certifications);
        let context = if named_here != 0 {
            named_here
        } else {
            self.certification_bits(earlier)
        };
        let says_little = parts
            .iter()
            .all(|p| self.meaning(&p.reading) < BARE_NAME_EVIDENCE && p.reading.unknown.is_empty());
        let named: Vec<String> = self
            .lexicon
            .certification_ids
            .iter()
            .enumerate()
            .filter(|(i, _)| *i < 64 && named_here & (1u64 << i) != 0)
            .map(|(_, id)| id.clone())
            .collect();

        // When some sentences are questions, they are what is asked; the
        // others ("Hi all", "I work in a bank") only count when no question
        // sentence says anything at all ("I can't decide between CSPO and
        // PSPO. Can you help?").
        // A question sentence that is only a name ("cspo -> ??? -> CST what
        // are the steps") says too little to silence the sentence that
        // holds the actual question; it still gives the names as context.
        let questions_speak = parts
            .iter()
            .any(|p| p.asks && p.says_something() && !self.is_bare_name(&p.reading));
        // What the other sentences say still colours the question: it can
        // add to a topic's score, at half weight, but never dilutes the
        // question ("I work in marketing, not software. Which one suits
        // me?" is a question about focus).
        let mut background: Vec<(lexicon::ConceptId, f32)> = Vec::new();
        if questions_speak {
            for p in parts.iter().filter(|p| !p.asks) {
                background.extend(
                    p.reading
                        .concepts
                        .iter()
                        .map(|(c, w)| (*c, w * BACKGROUND_WEIGHT)),
                );
            }
        }
        let candidates: Vec<Scored> = parts
            .iter()
            .filter(|p| !questions_speak || p.asks)
            .map(|p| {
                let mut scored = self.score(&p.reading, p.wants, context, &background);
                scored.scores.iter_mut().for_each(|s| *s *= p.weight);
                scored
            })
            .collect();

        let best_of = |s: &Scored| s.scores.iter().cloned().fold(0.0f32, f32::max);
        let open = candidates
            .iter()
            .filter(|s| s.blocked_by.is_none())
            .max_by(|a, b| best_of(a).total_cmp(&best_of(b)));
        let Some(best) = open else {
            let reason = candidates.iter().find_map(|s| s.blocked_by.clone());
            return Match {
                topic: None,
                confidence: 0.0,
                suggestions: Vec::new(),
                unknown: reason,
                named,
                says_little,
            };
        };
        let mut order: Vec<usize> = (0..best.scores.len()).collect();
        order.sort_by(|&a, &b| best.scores[b].total_cmp(&best.scores[a]));
        let top = order.first().map_or(0.0, |&t| best.scores[t]);
        // A message with no question whose other sentence needs a missing
        // fact ("the pass mark is 85%. Confirm it.") is declined, unless
        // what remains is answered with confidence.
        if !questions_speak && top < CONFIDENT_THRESHOLD {
            if let Some(reason) = candidates.iter().find_map(|s| s.blocked_by.clone()) {
                return Match {
                    topic: None,
                    confidence: 0.0,
                    suggestions: Vec::new(),
                    unknown: Some(reason),
                    named,
                    says_little,
                };
            }
        }
        let winner = order.first().copied().unwrap_or(0);
        // The likeliest class may be a kind of question the article cannot
        // answer: then the bot declines, and says which.
        let declined = !self.index.is_topic(winner);
        let answers = !declined && top >= ANSWER_THRESHOLD;
        let suggestions: Vec<String> = order
            .iter()
            .filter(|&&t| self.index.is_topic(t))
            .skip(usize::from(answers))
            .filter(|&&t| best.scores[t] >= 0.12 && best.scores[t] >= top * 0.4)
            .take(3)
            .map(|&t| self.index.ids[t].clone())
            .collect();
        if declined {
            return Match {
                topic: None,
                confidence: 0.0,
                suggestions,
                unknown: (top >= DECLINE_REASON).then(|| self.index.ids[winner].clone()),
                named,
                says_little,
            };
        }
        let confidence = top.clamp(0.0, 1.0);
        Match {
            topic: answers.then(|| self.index.ids[winner].clone()),
            confidence,
            suggestions,
            unknown: None,
            named,
            says_little,
        }
    }

    /// Whether a reading is a certification's name with next to nothing
    /// else: no missing fact, no other certification, too little meaning.
    fn is_bare_name(&self, r: &Reading) -> bool {
        r.certifications != 0
            && r.unknown.is_empty()
            && !r.other_certification
            && self.meaning(r) < BARE_NAME_EVIDENCE
    }

    /// The certification bits of `ids`.
    fn certification_bits(&self, ids: &[String]) -> u64 {
        self.lexicon
            .certification_ids
            .iter()
            .enumerate()
            .filter(|(i, id)| *i < 64 && ids.contains(id))
            .fold(0u64, |acc, (i, _)| acc | (1u64 << i))
    }

    /// How much a reading says, in rarity-weighted concepts.
    fn meaning(&self, reading: &Reading) -> f32 {
        reading
            .concepts
            .iter()
            .map(|&(c, w)| self.index.idf(c) * w)
            .sum()
    }

    /// What makes two questions "the same" for the gaps report: their
    /// normalized words without filler, deduplicated and sorted, so that
    /// "How much is PSPO?" and "pspo how much" group together.
    pub fn gap_key(&self, question: &str) -> String {
        let normalized = normalize::normalize(&bounded(question));
        let mut words: Vec<&str> = normalized
            .split(' ')
            .filter(|w| !w.is_empty() && !self.lexicon.is_filler(w))
            .collect();
        words.sort_unstable();
        words.dedup();
        words.join(" ")
    }

    /// How a question was read and scored, for maintainers tuning the
    /// vocabulary (`ask --explain`).
    pub fn explain(&self, question: &str) -> String {
        let mut out = String::new();
        for (sentence, asks) in sentences(&bounded(question)) {
            let normalized = normalize::normalize(sentence);
            let r = self.lexicon.read(&normalized);
            let concepts: Vec<String> = r
                .concepts
                .iter()
                .map(|(c, w)| {
                    let name = &self.lexicon.concept_names[*c as usize];
                    format!("{name}({:.2}×{w:.2})", self.index.idf(*c))
                })
                .collect();
            let certs: Vec<&str> = self
                .lexicon
                .certification_ids
                .iter()
                .enumerate()
                .filter(|(i, _)| r.certifications & (1u64 << i) != 0)
                .map(|(_, c)| c.as_str())
                .collect();
            let unknown: Vec<&str> = r
                .unknown
                .iter()
                .map(|u| self.lexicon.unknown[*u as usize].as_str())
                .collect();
            let scored = self.score(&r, asks::asked(&normalized), r.certifications, &[]);
            let top = self.best_three(&scored.scores);
            let learned =
                self.best_three(&self.index.learned.probabilities(&self.lexicon.features(&r)));
            out.push_str(&format!(
                "sentence{}: {normalized:?}\n  concepts: {}\n  certifications: {:?}  unknown facts: {:?}  other certification: {}  unrecognized words: {}\n  learned model: {}\n  top: {}{}\n",
                if asks { " (question)" } else { "" },
                concepts.join(" "),
                certs,
                unknown,
                r.other_certification,
                r.unrecognized,
                learned.join(" "),
                top.join(" "),
                scored.blocked_by.map(|b| format!("  blocked by: {b}")).unwrap_or_default(),
            ));
        }
        out
    }

    /// The three best classes of `scores`, as "id=score", for `explain`.
    fn best_three(&self, scores: &[f32]) -> Vec<String> {
        let mut ranked: Vec<(usize, f32)> = scores.iter().copied().enumerate().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        ranked
            .iter()
            .take(3)
            .map(|(t, s)| format!("{}={s:.3}", self.index.ids[*t]))
            .collect()
    }

    fn score(
        &self,
        reading: &Reading,
        wants: Option<Asks>,
        context: u64,
        background: &[(lexicon::ConceptId, f32)],
    ) -> Scored {
        let certs = if reading.certifications != 0 {
            reading.certifications
        } else {
            context
        };
        let n = self.index.len();
        let mut norm = 0.0f32;
        let mut raw = vec![0.0f32; n];
        for &(c, w) in &reading.concepts {
            let idf = self.index.idf(c) * w;
            norm += idf;
            for (t, slot) in raw.iter_mut().enumerate() {
                *slot += idf * self.index.weight(c, t);
            }
        }
        // The rest of the message can strengthen the topic the question
        // itself points to, at most doubling it, but never make a topic out
        // of nothing the question says. Nor does it strengthen a missing
        // fact: "sprint review in 5 min: does cspo expire?" asks about
        // expiry, and only what is asked is declined.
        let mut from_background = vec![0.0f32; n];
        for &(c, w) in background {
            if reading.concepts.iter().any(|(id, _)| *id == c) {
                continue;
            }
            let idf = self.index.idf(c) * w;
            for (t, slot) in from_background.iter_mut().enumerate() {
                *slot += idf * self.index.weight(c, t);
            }
        }
        for (t, (own, extra)) in raw.iter_mut().zip(&from_background).enumerate() {
            if self.index.is_topic(t) {
                *own += extra.min(*own);
            }
        }
        let coverage = if norm > 0.0 {
            norm / (norm + UNRECOGNIZED_COST * reading.unrecognized as f32)
        } else {
            0.0
        };
        let evidence = (norm / FULL_EVIDENCE).min(1.0).sqrt();
        let names_only = self.index.names_only(&reading.concepts);
        // A reading with no concept scores 0 whatever the model says.
        let learned = if norm > 0.0 {
            self.index
                .learned
                .probabilities(&self.lexicon.features(reading))
        } else {
            vec![0.0; n]
        };
        let mut scores: Vec<f32> = raw
            .iter()
            .enumerate()
            .map(|(t, r)| {
                if norm <= 0.0 {
                    return 0.0;
                }
                let subject = if reading.on_subject || context != 0 {
                    1.0
                } else {
                    OFF_SUBJECT
                };
                let category = if self.index.is_topic(t) {
                    1.0
                } else if names_only {
                    0.0
                } else {
                    CATEGORY_WEIGHT
                };
                ((1.0 - LEARNED_BLEND) * r / norm + LEARNED_BLEND * learned[t])
                    * category
                    * evidence
                    * coverage
                    * subject
                    * index::certification_fit(self.index.about[t], certs)
                    * self.index.gives_fit(t, wants)
            })
            .collect();

        // A certification's name alone opens its home topic.
        if reading.certifications != 0 && norm < BARE_NAME_EVIDENCE {
            let home = if reading.certifications.count_ones() > 1 {
                self.lexicon.both_home.as_deref()
            } else {
                let i = reading.certifications.trailing_zeros() as usize;
                self.lexicon.certification_homes.get(i).map(String::as_str)
            };
            // But a name with a little more ("how do u get cspo") goes to
            // the class that clearly explains that little, when one does.
            let lead = (0..n)
                .filter(|&t| norm > 0.0 && raw[t] / norm >= BARE_NAME_LEAD)
                .max_by(|&a, &b| scores[a].total_cmp(&scores[b]));
            let target = match lead {
                Some(t) if self.index.is_topic(t) => Some(t),
                Some(_) => None,
                None => home.and_then(|h| self.index.position(h)),
            };
            if let Some(t) = target {
                let unrecognized = reading.unrecognized as f32;
                let bare = BARE_NAME_SCORE / (1.0 + UNRECOGNIZED_COST * unrecognized);
                scores[t] = scores[t].max(bare);
            }
        }

        let best = (0..n).max_by(|&a, &b| scores[a].total_cmp(&scores[b]));
        let covered = |u: &u32| {
            best.is_some_and(|t| self.index.is_topic(t) && self.index.covers[t].contains(u))
        };
        let blocked_by = if reading.other_certification {
            Some("other-certification".to_string())
        } else {
            reading
                .unknown
                .iter()
                .find(|u| !covered(u))
                .map(|&u| self.lexicon.unknown[u as usize].clone())
        };
        Scored { scores, blocked_by }
    }
}

/// At most this many characters of a message are looked at, visible or
/// not, so that cleaning a huge paste costs no more than a long question.
const MAX_SCANNED_CHARS: usize = 16 * MAX_QUESTION_CHARS;

/// The first [`MAX_QUESTION_CHARS`] visible characters, in their
/// compatibility form (NFKC): full-width "ＣＳＰＯ" and ligatures read as
/// plain letters, and invisible format characters (zero-width spaces and
/// joiners, direction marks, soft hyphens, byte-order marks) are dropped
/// before they can count towards the cap.
pub fn bounded(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.chars()
        .take(MAX_SCANNED_CHARS)
        .filter(|&c| !is_invisible(c))
        .nfkc()
        .filter(|&c| !is_invisible(c))
        .take(MAX_QUESTION_CHARS)
        .collect()
}

/// Format characters that render as nothing.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
    )
}

/// Splits a message into sentences, each flagged when it is a question.
/// A full stop only ends a sentence before a space, so "Scrum.org" stays
/// whole; so does a colon, which ends a lead-in ("quick q before standup:
/// how do they compare?") and not "PSPO:II".
fn sentences(text: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let next_is_space = iter.peek().is_none_or(|(_, n)| n.is_whitespace());
        let end = match c {
            '?' | '!' | '\n' => true,
            '.' | ';' | ':' => next_is_space,
            _ => false,
        };
        if end {
            let piece = &text[start..i];
            if !piece.trim().is_empty() {
                out.push((piece, c == '?'));
            } else if c == '?' {
                if let Some(last) = out.last_mut() {
                    last.1 = true;
                }
            }
            start = i + c.len_utf8();
        }
    }
    if !text[start..].trim().is_empty() {
        out.push((&text[start..], false));
    }
    if out.len() > MAX_SENTENCES {
        // Keep the whole text's meaning in one piece rather than drop any.
        return vec![(text, text.contains('?'))];
    }
    if out.is_empty() {
        out.push((text, false));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_on_question_marks_but_not_inside_names() {
        let s = sentences("Hi all. I use Scrum.org stuff. Does PSPO expire? thanks");
        let texts: Vec<&str> = s.iter().map(|(t, _)| t.trim()).collect();
        assert_eq!(
            texts,
            [
                "Hi all",
                "I use Scrum.org stuff",
                "Does PSPO expire",
                "thanks"
            ]
        );
        assert_eq!(s.iter().filter(|(_, q)| *q).count(), 1);
    }

    #[test]
    fn a_colon_ends_a_lead_in() {
        let s = sentences("quick q before standup: how do cspo and pspo compare?");
        let texts: Vec<(&str, bool)> = s.iter().map(|(t, q)| (t.trim(), *q)).collect();
        assert_eq!(
            texts,
            [
                ("quick q before standup", false),
                ("how do cspo and pspo compare", true)
            ]
        );
    }

    #[test]
    fn bounded_cuts_on_a_character_boundary() {
        let long = "é".repeat(MAX_QUESTION_CHARS + 10);
        assert_eq!(bounded(&long).chars().count(), MAX_QUESTION_CHARS);
    }

    #[test]
    fn invisible_characters_do_not_count_towards_the_cap() {
        let hidden = format!("{}does pspo expire?", "\u{200B}".repeat(1000));
        assert_eq!(bounded(&hidden), "does pspo expire?");
        assert_eq!(bounded("c\u{200D}s\u{FEFF}p\u{00AD}o"), "cspo");
    }

    #[test]
    fn full_width_letters_read_as_plain_ones() {
        assert_eq!(bounded("ＣＳＰＯ　ｏｒ　ＰＳＰＯ？"), "CSPO or PSPO?");
    }

    #[test]
    fn hidden_and_full_width_questions_are_answered() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
        let knowledge = crate::knowledge::Knowledge::load(&dir).unwrap_or_else(|e| panic!("{e}"));
        let matcher = Matcher::new(&knowledge);
        let hidden = format!("{}does pspo expire?", "\u{200B}".repeat(1000));
        assert_eq!(
            matcher.find(&hidden).topic.as_deref(),
            Some("pspo-validity")
        );
        assert_eq!(
            matcher
                .find("ｄｏｅｓ ＣＳＰＯ ｅｘｐｉｒｅ？")
                .topic
                .as_deref(),
            Some("cspo-validity")
        );
    }

    fn shipped() -> Matcher {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
        let knowledge = crate::knowledge::Knowledge::load(&dir).unwrap_or_else(|e| panic!("{e}"));
        Matcher::new(&knowledge)
    }

    #[test]
    fn the_small_words_tell_whether_it_renews_from_how_renewal_is_done() {
        let matcher = shipped();
        // The same concepts (renew, CSPO); only "need to" against "how do
        // I ... step by step" tells them apart.
        assert_eq!(
            matcher.find("do i need to renew my cspo?").topic.as_deref(),
            Some("cspo-validity")
        );
        let steps = matcher.find("how do i renew my cspo, step by step?");
        assert_eq!(steps.topic, None);
        assert_eq!(steps.unknown.as_deref(), Some("renewal-process"));
    }

    #[test]
    fn a_misspelt_word_of_an_example_is_read_as_the_word_it_misspells() {
        let matcher = shipped();
        // "certifed" and "trainig" are in examples; they are read as the
        // vocabulary's words, not learned as words of one topic.
        let read = |q: &str| matcher.lexicon.read(&normalize::normalize(q));
        assert_eq!(
            read("certifed scrum product owner").certifications,
            read("certified scrum product owner").certifications
        );
        assert_ne!(read("certifed scrum product owner").certifications, 0);
        let ids = |q: &str| -> Vec<lexicon::ConceptId> {
            read(q).concepts.iter().map(|(c, _)| *c).collect()
        };
        assert_eq!(
            ids("trainig"),
            ids("training"),
            "a slip is read as the word"
        );
    }

    #[test]
    fn the_frame_keeps_the_small_words_and_their_pairs() {
        let matcher = shipped();
        let how = matcher
            .lexicon
            .read(&normalize::normalize("how do i renew cspo"));
        let need = matcher
            .lexicon
            .read(&normalize::normalize("do i need to renew cspo"));
        assert!(!how.frame.is_empty());
        assert_ne!(how.frame, need.frame);
        assert_ne!(how.pairs, need.pairs);
        assert_eq!(
            matcher.lexicon.features(&how).len(),
            how.concepts.len() + how.frame.len() + 1 + how.pairs.len(),
            "concepts, frame words, one certification and the pairs"
        );
    }

    #[test]
    fn a_certification_named_to_compare_with_is_not_the_subject() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
        let knowledge = crate::knowledge::Knowledge::load(&dir).unwrap_or_else(|e| panic!("{e}"));
        let matcher = Matcher::new(&knowledge);
        let topic = |q: &str| matcher.find(q).topic;
        for (question, expected) in [
            (
                "PSPO expires after two years like CSPO, right?",
                "pspo-validity",
            ),
            (
                "PSPO needs a two-day course just like CSPO, yes?",
                "pspo-requirements",
            ),
            ("Unlike CSPO, is PSPO valid for life?", "pspo-validity"),
            ("does pspo expire the same as cspo", "pspo-validity"),
            ("CSPO expires every two years like PSPO?", "cspo-validity"),
            ("does pspo expier like the cspo does", "pspo-validity"),
        ] {
            assert_eq!(topic(question).as_deref(), Some(expected), "{question}");
        }
        // Compared with nothing else said, both are the subject.
        assert_ne!(topic("is pspo like cspo?").as_deref(), Some("what-is-pspo"));
    }
}
