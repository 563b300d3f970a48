//! What `/ask` offers while a question is being typed.
//!
//! The first choice is always the typed text itself, so pressing Enter
//! asks exactly that. After it come the knowledge's questions that contain
//! every typed word (the last one as the start of a word, since it may be
//! half typed), and when some have them in the order typed, only those:
//! people type a question's words in its order, so `cspo exp` means "CSPO
//! expire", not "Explain CSPO". Best first: questions written out as
//! sentences before chatty ones, and among them those that begin with what
//! was typed, then those that contain it as typed, then those matching
//! more words whole. So `cspo exp` offers CSPO's expiry questions and
//! nothing about PSPO.
//! When no question has all the words (typos: `dose cspo expier`), the
//! questions of the topic the matcher is sure of are offered instead.
//! With nothing typed, each topic's first question.

use std::cmp::Reverse;

use crate::commands::{choices, Choice};
use crate::limits::{self, char_len};
use crate::matcher::{self, normalize::normalize};
use crate::Faq;

/// The choices shown for `typed`, at most Discord's 25.
pub fn suggestions(faq: &Faq, typed: &str) -> Vec<Choice> {
    let typed = typed.trim();
    if typed.is_empty() {
        let firsts = faq
            .knowledge
            .topics
            .iter()
            .filter_map(|t| t.questions.first())
            .map(String::as_str);
        return choices(distinct(firsts).into_iter().map(|q| (q, q)));
    }
    let wanted = Typed::new(typed);
    let mut found: Vec<(Rank, &str)> = faq
        .knowledge
        .topics
        .iter()
        .flat_map(|t| t.questions.iter().enumerate())
        .filter_map(|(position, q)| wanted.rank(q, position).map(|r| (r, q.as_str())))
        .collect();
    if found.iter().any(|(rank, _)| rank.in_order) {
        found.retain(|(rank, _)| rank.in_order);
    }
    // Stable: equal ranks keep the knowledge's order.
    found.sort_by_key(|(rank, _)| Reverse(*rank));
    let mut questions: Vec<&str> = found.into_iter().map(|(_, q)| q).collect();
    if questions.is_empty() {
        questions = sure_topic_questions(faq, typed);
    }
    let own = normalize(typed);
    let questions = distinct(questions.into_iter().filter(|q| normalize(q) != own));
    let mut out = choices([(typed.to_string(), as_value(typed))]);
    out.extend(choices(questions.into_iter().map(|q| (q, q))));
    out.truncate(limits::AUTOCOMPLETE_CHOICES);
    out
}

/// The questions of the topic the matcher is confident `typed` asks.
fn sure_topic_questions<'f>(faq: &'f Faq, typed: &str) -> Vec<&'f str> {
    let found = faq.find(typed);
    if !found.is_confident() {
        return Vec::new();
    }
    found
        .topic
        .as_deref()
        .and_then(|id| faq.topic(id))
        .map(|t| t.questions.iter().map(String::as_str).collect())
        .unwrap_or_default()
}

/// The typed text as a choice's value: all of it when it fits Discord's
/// 100 characters, else as many whole words as fit.
fn as_value(typed: &str) -> String {
    if char_len(typed) <= limits::CHOICE_VALUE {
        return typed.to_string();
    }
    let mut value = String::new();
    for word in typed.split_whitespace() {
        let sep = usize::from(!value.is_empty());
        if char_len(&value) + sep + char_len(word) > limits::CHOICE_VALUE {
            break;
        }
        if sep == 1 {
            value.push(' ');
        }
        value.push_str(word);
    }
    if value.is_empty() {
        // One word longer than a value: its first characters.
        value = typed.chars().take(limits::CHOICE_VALUE).collect();
    }
    value
}

/// Each question once, ignoring case and punctuation, first kept.
fn distinct<'q>(questions: impl IntoIterator<Item = &'q str>) -> Vec<&'q str> {
    let mut seen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for q in questions {
        let key = normalize(q);
        if !seen.contains(&key) {
            seen.push(key);
            out.push(q);
        }
    }
    out
}

/// What was typed, as words to find.
struct Typed {
    /// The normalized text.
    text: String,
    words: Vec<String>,
    /// Whether the last word may be half typed (no space after it yet).
    last_is_partial: bool,
}

/// How well a question fits, compared field by field, most important
/// first; a higher rank is shown earlier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Rank {
    /// Has the typed words in the order typed.
    in_order: bool,
    /// Written as a sentence (a capital first): the knowledge's plain
    /// wordings, ahead of the chatty ones it keeps to learn from
    /// ("pspo meaning pls").
    written_out: bool,
    begins_with_typed: bool,
    contains_typed: bool,
    whole_words: usize,
    /// Earlier questions of a topic are its plainest wording.
    earlier: Reverse<usize>,
}

impl Typed {
    fn new(typed: &str) -> Typed {
        let text = normalize(&matcher::bounded(typed));
        Typed {
            words: text
                .split(' ')
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect(),
            last_is_partial: !typed.ends_with(char::is_whitespace),
            text,
        }
    }

    /// How `question` (the `position`th of its topic) fits, if it has
    /// every typed word.
    fn rank(&self, question: &str, position: usize) -> Option<Rank> {
        if self.words.is_empty() {
            return None;
        }
        let normalized = normalize(question);
        let words: Vec<&str> = normalized.split(' ').collect();
        let mut whole_words = 0;
        // Where the next typed word must be for the words to be in order.
        let mut next_at = Some(0);
        for (i, typed) in self.words.iter().enumerate() {
            let typed = typed.as_str();
            // Only the word still being typed may be the start of one;
            // "is " does not match "issued".
            let being_typed = i + 1 == self.words.len() && self.last_is_partial;
            let fits = |w: &&str| *w == typed || (being_typed && w.starts_with(typed));
            if words.contains(&typed) {
                whole_words += 1;
            } else if !(being_typed && words.iter().any(fits)) {
                return None;
            }
            next_at = next_at.and_then(|from| {
                let later = words.get(from..)?.iter().position(fits)?;
                Some(from + later + 1)
            });
        }
        let phrase_at = |text: &str| {
            if self.last_is_partial {
                text.starts_with(&self.text)
            } else {
                text == self.text || text.starts_with(&format!("{} ", self.text))
            }
        };
        let begins_with_typed = phrase_at(&normalized);
        let contains_typed = begins_with_typed
            || normalized
                .match_indices(&self.text)
                .any(|(at, _)| at == 0 || normalized[..at].ends_with(' '));
        Some(Rank {
            in_order: next_at.is_some(),
            written_out: question.starts_with(char::is_uppercase),
            begins_with_typed,
            contains_typed,
            whole_words,
            earlier: Reverse(position),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::test_knowledge;

    fn shown(typed: &str) -> Vec<String> {
        let faq = test_knowledge::shipped();
        suggestions(&faq, typed)
            .into_iter()
            .map(|c| c.name)
            .collect()
    }

    #[test]
    fn cspo_exp_offers_what_was_typed_then_questions_with_cspo_and_after_it_a_word_starting_exp() {
        assert_eq!(
            shown("cspo exp"),
            ["cspo exp", "Does CSPO expire?", "cspo expiry?"]
        );
    }

    #[test]
    fn words_typed_out_of_a_questions_order_still_find_it() {
        let choices = shown("expire cspo");
        assert_eq!(choices[..2], ["expire cspo", "Does CSPO expire?"]);
        assert!(
            choices.iter().all(|q| !normalize(q).contains("pspo")),
            "{choices:#?}"
        );
    }

    #[test]
    fn nothing_typed_offers_each_topics_first_question() {
        let faq = test_knowledge::shipped();
        let firsts: Vec<&str> = faq
            .knowledge
            .topics
            .iter()
            .filter_map(|t| t.questions.first())
            .map(String::as_str)
            .collect();
        assert_eq!(shown(""), firsts);
        assert_eq!(shown("   "), firsts);
        let many = test_knowledge::with_topics(30);
        assert_eq!(suggestions(&many, "").len(), 25);
    }

    #[test]
    fn a_half_typed_word_completes_and_written_out_questions_come_first() {
        let does_ps = shown("does ps");
        assert_eq!(
            does_ps[..4],
            [
                "does ps",
                "Does PSPO expire?",
                "Does PSPO combine with PSM?",
                "Does PSPO focus on software development?"
            ]
        );
        for choice in &does_ps[1..] {
            let words = normalize(choice);
            assert!(words.split(' ').any(|w| w == "does"), "{choice}");
            assert!(words.split(' ').any(|w| w.starts_with("ps")), "{choice}");
        }
        let offered = &does_ps[1..];
        let first_chatty = offered
            .iter()
            .position(|q| !q.starts_with(char::is_uppercase));
        let last_written = offered
            .iter()
            .rposition(|q| q.starts_with(char::is_uppercase));
        assert!(first_chatty.is_some(), "{does_ps:#?}");
        assert!(first_chatty > last_written, "{does_ps:#?}");
    }

    #[test]
    fn examples_are_learned_from_but_never_offered() {
        let faq = test_knowledge::shipped();
        let validity = faq.topic("cspo-validity");
        let examples = validity.map(|t| t.examples.clone()).unwrap_or_default();
        assert!(
            examples.iter().any(|e| e == "cspo expire or nah"),
            "precondition: a casual example to keep out of the menu"
        );
        for typed in ["cspo exp", "cspo expire or", "nah"] {
            let offered = shown(typed);
            assert!(
                offered[1..].iter().all(|q| !examples.contains(q)),
                "{typed}: {offered:#?}"
            );
        }
        assert_eq!(
            faq.find("cspo expire or nah").topic.as_deref(),
            Some("cspo-validity")
        );
    }

    #[test]
    fn a_word_followed_by_a_space_is_whole() {
        // "is " is finished: "Is there …" fits, "issued" does not.
        let choices = shown("is ");
        assert_eq!(choices[0], "is");
        assert!(choices.len() > 5);
        assert!(choices[1..]
            .iter()
            .all(|q| normalize(q).split(' ').any(|w| w == "is")));
    }

    #[test]
    fn with_a_typo_the_topic_the_matcher_is_sure_of_is_offered() {
        let choices = shown("dose cspo expier");
        assert_eq!(choices[..2], ["dose cspo expier", "Does CSPO expire?"]);
        assert!(
            choices.iter().all(|q| !normalize(q).contains("pspo")),
            "{choices:#?}"
        );
        let faq = test_knowledge::shipped();
        let validity = faq.topic("cspo-validity").map(|t| &t.questions);
        assert!(choices[1..]
            .iter()
            .all(|q| validity.is_some_and(|v| v.contains(q))));
    }

    #[test]
    fn what_fits_nothing_offers_only_itself() {
        assert_eq!(
            shown("how much is the cspo exam"),
            ["how much is the cspo exam"]
        );
    }

    #[test]
    fn a_known_question_typed_in_full_is_offered_once() {
        let choices = shown("Does PSPO expire?");
        assert_eq!(choices[0], "Does PSPO expire?");
        assert_eq!(
            choices
                .iter()
                .filter(|q| normalize(q) == "does pspo expire")
                .count(),
            1
        );
    }

    #[test]
    fn a_long_question_is_offered_as_the_whole_words_that_fit() {
        let typed = "does pspo expire after some years or is it valid forever ".repeat(5);
        let faq = test_knowledge::shipped();
        let choices = suggestions(&faq, &typed);
        let first = &choices[0];
        assert!(
            char_len(&first.name) <= 100 && first.name.ends_with('…'),
            "{}",
            first.name
        );
        assert!(char_len(&first.value) <= 100, "{}", first.value);
        let rest = typed.strip_prefix(first.value.as_str());
        assert!(
            rest.is_some_and(|r| r.starts_with(' ')),
            "cut between words: {}",
            first.value
        );
    }
}
