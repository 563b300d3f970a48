//! Several questions in one message: "Does PSPO expire, and how much does
//! it cost?", "does pspo expire? also whats the cspo pass mark".
//!
//! A message is cut at question marks and at the joints people put
//! between two questions (", and how …", " also …", "; …"), but only
//! where what follows starts a new question: "Is CSPO or PSPO better for
//! me and my team?" stays whole.

/// Words that start a new question after a joint.
const QUESTION_STARTS: &[&str] = &[
    "how", "what", "whats", "what's", "when", "where", "which", "who", "why", "is", "are", "does",
    "do", "can", "could", "should", "will", "would", "did", "has", "have", "and",
];

/// The message's questions, in order; none or one when it asks one thing.
/// A part is a question when it ends with a question mark or starts with
/// a question word: "need a number for my manager" after a question is
/// background, not a second question.
pub fn questions(message: &str) -> Vec<String> {
    let mut parts = Vec::new();
    for sentence in message.split_inclusive(['?', '\n']) {
        let mut rest = sentence.trim();
        while let Some((head, tail)) = split_once_at_joint(rest) {
            push(&mut parts, head);
            rest = tail;
        }
        push(&mut parts, rest);
    }
    parts.retain(|p| is_question(p));
    parts
}

fn is_question(part: &str) -> bool {
    let first = part
        .split_whitespace()
        .next()
        .unwrap_or("")
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')
        .to_lowercase();
    part.trim_end().ends_with('?') || QUESTION_STARTS.contains(&first.as_str())
}

/// Words that join a question to the one before ("also whats …").
const JOINING_WORDS: &[&str] = &[
    "also", "and", "plus", "but", "so", "oh", "ok", "okay", "then",
];

fn push(parts: &mut Vec<String>, text: &str) {
    let mut text = text
        .trim()
        .trim_start_matches([',', ';', '.', ' '])
        .trim_end_matches([',', ';', ' ']);
    while let Some((first, rest)) = text.split_once(' ') {
        let word = first.trim_end_matches(',').to_lowercase();
        if !JOINING_WORDS.contains(&word.as_str()) {
            break;
        }
        text = rest.trim_start();
    }
    if text.split_whitespace().count() >= 2 {
        parts.push(text.to_string());
    }
}

/// The first place where a second question starts, if any: a joint
/// followed by a question word.
fn split_once_at_joint(text: &str) -> Option<(&str, &str)> {
    // Lower-cased as ASCII only, so that every byte offset in `lower` is the
    // same offset in `text` (full Unicode lower-casing changes lengths), and
    // the joints, all ASCII, fall on character boundaries of both.
    let lower = text.to_ascii_lowercase();
    let joints = [
        ", and ",
        " and also ",
        ", also ",
        " also ",
        "; ",
        ", plus ",
        ", but ",
    ];
    let mut best: Option<(usize, usize)> = None;
    for joint in joints {
        let mut from = 0;
        while let Some(at) = lower[from..].find(joint).map(|i| i + from) {
            let after = &lower[at + joint.len()..];
            let first = after.split_whitespace().next().unwrap_or("");
            let starts_question = QUESTION_STARTS.contains(&first) && first != "and";
            // A joint at the very start joins nothing.
            if starts_question && at > 0 && best.is_none_or(|(b, _)| at < b) {
                best = Some((at, joint.len()));
            }
            from = at + joint.len();
        }
    }
    best.map(|(at, len)| (&text[..at], &text[at + len..]))
}

#[cfg(test)]
mod tests {
    use super::questions;

    #[test]
    fn two_questions_are_two_parts() {
        assert_eq!(
            questions("Does PSPO expire, and how much does it cost?"),
            ["Does PSPO expire", "how much does it cost?"]
        );
        assert_eq!(
            questions("does pspo expire? also whats the cspo pass mark"),
            ["does pspo expire?", "whats the cspo pass mark"]
        );
        assert_eq!(
            questions("What is CSPO? What is PSPO? Which should I pick?"),
            ["What is CSPO?", "What is PSPO?", "Which should I pick?"]
        );
    }

    #[test]
    fn one_question_stays_whole() {
        assert_eq!(
            questions("Is CSPO or PSPO better for me and my team?"),
            ["Is CSPO or PSPO better for me and my team?"]
        );
        assert!(
            questions("I work in marketing, not software, and I wonder which one suits me").len()
                <= 1
        );
        assert_eq!(questions("pspo?"), Vec::<String>::new());
        // Letters whose lower case is longer or shorter do not move a cut
        // inside a character.
        assert_eq!(
            questions("ẞ €, is it Ⱥ? and how much is Ⱥ"),
            ["ẞ €, is it Ⱥ?", "how much is Ⱥ"]
        );
        assert_eq!(questions("ẞ €, and how much is Ⱥ"), ["how much is Ⱥ"]);
        assert_eq!(
            questions("How much does the CSPO course cost? need a number for my manager"),
            ["How much does the CSPO course cost?"]
        );
    }
}
