//! Which kind of fact a question asks for: "how long", "when", "where",
//! "who" or "how many".
//!
//! A question that asks for one of these is only answered by a topic whose
//! answer gives it: "how long is the CSPO course?" is answered (two days),
//! "how long is the CSPO exam?" is not, however close its words are. Each
//! topic lists what it gives in `gives`.
//!
//! The question word counts only where it asks: at the start of a sentence
//! (after lead-ins such as "so" or "quick question"), after a verb of
//! asking ("do you know who ..."), or after a preposition ("valid for how
//! long"). "People who passed" and "when I pass, what next?" ask nothing
//! of the kind.

use crate::knowledge::Asks;

/// Words that may come before a question word at the start of a question.
const LEAD_INS: &[&str] = &[
    "so",
    "and",
    "but",
    "also",
    "ok",
    "okay",
    "hey",
    "hi",
    "hello",
    "yo",
    "quick",
    "question",
    "pls",
    "please",
    "then",
    "btw",
    "um",
    "uh",
    "hmm",
    "well",
    "guys",
    "all",
    "bot",
    "sorry",
    "noob",
    "q",
    "like",
    "just",
    "really",
    "exactly",
    "roughly",
    "approximately",
    "about",
];

/// Words after which a question word still asks: "any idea how long ...".
const ASKING: &[&str] = &[
    "know",
    "wondering",
    "wonder",
    "tell",
    "ask",
    "asking",
    "idea",
    "sure",
    "explain",
    "clue",
    "me",
    "us",
    "out",
    "for",
    "by",
    "in",
    "until",
    "till",
    "within",
    "is",
    "and",
    "or",
    "clarify",
    "confirm",
    "say",
    "says",
];

/// Words that follow an asking "when" or "where" ("when does", "where
/// can"); a pronoun there ("when I pass") makes it a time clause instead.
const AUXILIARIES: &[&str] = &[
    "do", "does", "did", "is", "are", "was", "were", "will", "would", "can", "could", "should",
    "shall", "must", "has", "have", "am", "dose", "doe", "r", "to", "exactly", "abouts",
];

/// The kind of fact the normalized text asks for, if any.
pub fn asked(normalized: &str) -> Option<Asks> {
    let words: Vec<&str> = normalized.split(' ').filter(|w| !w.is_empty()).collect();
    for (i, &w) in words.iter().enumerate() {
        let next = words.get(i + 1).copied();
        let kind = match w {
            "how" => match next {
                Some("long") => Asks::HowLong,
                Some("many") => Asks::HowMany,
                Some("soon") => Asks::When,
                _ => continue,
            },
            "when" => match next {
                None => Asks::When,
                Some(n) if AUXILIARIES.contains(&n) => Asks::When,
                _ => continue,
            },
            "where" => match next {
                None => Asks::Where,
                Some(n) if AUXILIARIES.contains(&n) => Asks::Where,
                _ => continue,
            },
            "who" | "whom" | "whos" | "whose" => Asks::Who,
            _ => continue,
        };
        let leads_in = words[..i].iter().all(|p| LEAD_INS.contains(p));
        let after_asking = i > 0 && ASKING.contains(&words[i - 1]);
        if leads_in || after_asking {
            return Some(kind);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn question_words_that_ask() {
        for (q, want) in [
            ("how long is the cspo course", Asks::HowLong),
            ("so how long does pspo last", Asks::HowLong),
            ("cspo valid for how long", Asks::HowLong),
            ("when does cspo expire", Asks::When),
            ("how soon after the class do i get it", Asks::When),
            ("where can i find the list", Asks::Where),
            ("who issues pspo", Asks::Who),
            ("do you know who teaches the course", Asks::Who),
            ("how many questions are on the exam", Asks::HowMany),
            ("quick question how many days is it", Asks::HowMany),
        ] {
            assert_eq!(asked(q), Some(want), "{q}");
        }
    }

    #[test]
    fn question_words_that_do_not_ask() {
        for q in [
            "can people who passed be looked up",
            "when i pass pspo what comes next",
            "is cspo better than pspo",
            "what is the difference",
            "how do i get cspo",
            "how much does it cost",
            "i wonder if it expires",
        ] {
            assert_eq!(asked(q), None, "{q}");
        }
    }
}
