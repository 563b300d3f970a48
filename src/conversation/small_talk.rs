//! Messages that are not questions: greetings, thanks, "help", "who are
//! you", insults, laughter and lone emoji. Discord channels are full of
//! them; each gets a short reply in kind instead of "I don't know that
//! one", and none of them is a question the knowledge failed to answer.
//!
//! A message is small talk only when every word in it belongs to one kind
//! (with a few words that go with any kind: "bot", "all", "so much"), so
//! "help me choose between CSPO and PSPO" stays a question.

use crate::matcher::normalize::normalize;

/// The kinds of small talk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmallTalk {
    Greeting,
    Thanks,
    /// "help", "what can you do": answered with the `/help` card.
    Help,
    /// "who are you", "are you a bot".
    Identity,
    Insult,
    /// "lol", "ok", "nice", or emoji alone.
    Acknowledgement,
}

/// Words any kind of small talk may carry without becoming a question.
const ANY: &[&str] = &[
    "bot", "all", "everyone", "guys", "folks", "there", "so", "much", "very", "a", "lot", "again",
    "you", "u", "ya", "team", "friend", "mate", "just", "really", "oh", "well", "man", "dude",
];

/// Whole messages (normalized) that ask what the bot does or is.
const HELP: &[&str] = &[
    "help",
    "help me",
    "help pls",
    "help please",
    "pls help",
    "please help",
    "what can you do",
    "what do you do",
    "what can i ask",
    "what can i ask you",
    "how does this work",
    "how do i use this",
    "how do i use you",
    "how do you work",
    "commands",
    "what are your commands",
    "menu",
    "options",
    "what do you know",
    "what can you answer",
    "how to use",
];
const IDENTITY: &[&str] = &[
    "who are you",
    "what are you",
    "are you a bot",
    "are you human",
    "are you real",
    "are you an ai",
    "who made you",
    "who built you",
    "what is this bot",
    "what s this bot",
    "whats this bot",
    "who is this",
    "whats your name",
    "what is your name",
];

// Each kind has the words that make a message that kind (a greeting needs
// "hi" or the like) and words that may only come along ("good" in "good
// morning", "that was" in "thanks, that was helpful"). A message of only
// such words (and [`ANY`]) with at least one of the first is small talk.
const GREETING: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "heya",
    "hiya",
    "yo",
    "sup",
    "howdy",
    "greetings",
    "morning",
    "evening",
    "afternoon",
    "gm",
    "hallo",
    "hola",
    "ciao",
    "namaste",
    "wassup",
];
const GREETING_ALONG: &[&str] = &["good", "whats", "up"];
const THANKS: &[&str] = &[
    "thanks",
    "thank",
    "thx",
    "ty",
    "tysm",
    "cheers",
    "appreciate",
    "appreciated",
    "merci",
    "danke",
    "gracias",
    "kudos",
];
const THANKS_ALONG: &[&str] = &[
    "it", "great", "perfect", "awesome", "helpful", "that", "was", "this", "is", "ok", "okay",
    "cool", "got",
];
const INSULT: &[&str] = &[
    "stupid", "dumb", "useless", "idiot", "idiotic", "suck", "sucks", "trash", "garbage",
    "terrible", "worst", "awful", "crap", "lame",
];
const INSULT_ALONG: &[&str] = &[
    "bad", "is", "are", "this", "ur", "your", "youre", "re", "such", "the", "what", "an",
];
const ACKNOWLEDGEMENT: &[&str] = &[
    "lol", "lmao", "rofl", "haha", "hahaha", "hehe", "ok", "okay", "k", "kk", "nice", "cool",
    "wow", "yes", "no", "yep", "nope", "sure", "alright", "fine", "great", "got", "it", "gotcha",
    "np", "bye", "cya", "later", "see", "ya", "brb", "hmm", "ah", "oh", "right", "noted",
];

/// What kind of small talk `message` is, if it is any.
pub fn classify(message: &str) -> Option<SmallTalk> {
    let text = normalize(message);
    if text.is_empty() {
        // Nothing but emoji or punctuation ("🙏", "??" aside, see below).
        let visible = message.trim();
        return (!visible.is_empty() && !visible.chars().all(|c| c == '?'))
            .then_some(SmallTalk::Acknowledgement);
    }
    if HELP.contains(&text.as_str()) {
        return Some(SmallTalk::Help);
    }
    if IDENTITY.contains(&text.as_str()) {
        return Some(SmallTalk::Identity);
    }
    let words: Vec<&str> = text.split(' ').collect();
    // The kinds in order of precedence: "thanks, great" is thanks, not an
    // acknowledgement; "hey thanks" is thanks too.
    let kinds: [(SmallTalk, &[&str], &[&str]); 4] = [
        (SmallTalk::Thanks, THANKS, THANKS_ALONG),
        (SmallTalk::Insult, INSULT, INSULT_ALONG),
        (SmallTalk::Greeting, GREETING, GREETING_ALONG),
        (SmallTalk::Acknowledgement, ACKNOWLEDGEMENT, &[]),
    ];
    for (kind, signals, along) in kinds {
        let fits = |w: &&str| {
            signals.contains(w)
                || along.contains(w)
                || ANY.contains(w)
                || GREETING.contains(w)
                || GREETING_ALONG.contains(w)
        };
        if words.iter().all(fits) && words.iter().any(|w| signals.contains(w)) {
            return Some(kind);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greetings_thanks_and_the_rest_are_told_apart() {
        for (message, kind) in [
            ("hi", SmallTalk::Greeting),
            ("Hello everyone!", SmallTalk::Greeting),
            ("good morning all", SmallTalk::Greeting),
            ("thanks!", SmallTalk::Thanks),
            ("hey thanks so much", SmallTalk::Thanks),
            ("thank you bot, that was helpful", SmallTalk::Thanks),
            ("help", SmallTalk::Help),
            ("what can you do?", SmallTalk::Help),
            ("who are you", SmallTalk::Identity),
            ("are you a bot?", SmallTalk::Identity),
            ("stupid bot", SmallTalk::Insult),
            ("this bot is useless", SmallTalk::Insult),
            ("lol", SmallTalk::Acknowledgement),
            ("ok cool", SmallTalk::Acknowledgement),
            ("🙏", SmallTalk::Acknowledgement),
            ("👍👍", SmallTalk::Acknowledgement),
        ] {
            assert_eq!(classify(message), Some(kind), "{message}");
        }
    }

    #[test]
    fn questions_are_never_small_talk() {
        for message in [
            "help me choose between cspo and pspo",
            "hi, does pspo expire?",
            "thanks, and for cspo?",
            "who issues cspo",
            "is pspo useless for hardware teams?",
            "ok so what comes after pspo",
            "?",
            "",
        ] {
            assert_eq!(classify(message), None, "{message}");
        }
    }
}
