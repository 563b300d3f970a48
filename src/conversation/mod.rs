//! A conversation, not a lookup. One message is answered in the light of
//! the last answer given to the same person in the same place:
//!
//! - a message that only swaps the certification ("and for cspo?", "what
//!   about the other one?") gets the same kind of topic for the other one;
//! - a message that names no certification ("does it expire?") is read as
//!   about the last answer's;
//! - with nothing to go on, a question that fits a kind of topic but not a
//!   certification is asked back: "CSPO or PSPO?";
//! - several questions in one message are answered together;
//! - greetings, thanks and the like get a short reply in kind.
//!
//! Like the rest of the core this knows nothing of Discord: the transports
//! say who is talking where ([`memory::Key`]) and show the reply.

pub mod memory;
mod small_talk;
mod split;

use std::time::Instant;

use crate::commands::{self, Args, TOPIC_PREFIX};
use crate::knowledge::{About, Knowledge, Topic};
use crate::matcher::Match;
use crate::reply::{ButtonStyle, Reply, COLOR_NOTICE};
use crate::Faq;
pub use memory::{Conversations, Key};
pub use small_talk::SmallTalk;

/// At most this many questions of one message are answered.
pub const MAX_ANSWERS: usize = 3;

/// What kind of reply a message got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Said {
    /// One or more topics answered.
    Answer,
    /// Asked back which certification was meant.
    Clarify,
    SmallTalk,
    /// The `/help` card.
    Help,
    /// Nothing the article answers.
    Unknown,
}

impl Said {
    pub fn as_str(self) -> &'static str {
        match self {
            Said::Answer => "answer",
            Said::Clarify => "clarify",
            Said::SmallTalk => "small-talk",
            Said::Help => "help",
            Said::Unknown => "unknown",
        }
    }

    /// Whether the message was a question put to the knowledge (and so
    /// belongs in the unanswered log when it went unanswered).
    pub fn is_question(self) -> bool {
        !matches!(self, Said::SmallTalk | Said::Help)
    }
}

/// One message's reply and what led to it.
#[derive(Debug, Clone)]
pub struct Turn {
    pub said: Said,
    /// The match of the message (or of its first question). For a
    /// clarifying question, `topic` is the likelier of the two.
    pub found: Match,
    /// Further topics answered in the same message.
    pub also: Vec<String>,
    /// The kind of fact the article lacks, when part of the message asked
    /// for one.
    pub unknown: Option<String>,
    pub reply: Reply,
}

impl Turn {
    /// The topic to remember for a follow-up, if any.
    pub fn topic(&self) -> Option<&str> {
        match self.said {
            Said::Answer | Said::Clarify => self.found.topic.as_deref(),
            _ => None,
        }
    }
}

/// One person's successive messages, or independent questions.
pub struct Session {
    memory: Option<Conversations>,
}

/// The console and `ask --conversation` are one person in one place.
const ONE_CONVERSATION: Key = Key {
    place: 0,
    person: 0,
};

impl Session {
    /// Every question on its own.
    pub fn independent() -> Session {
        Session { memory: None }
    }

    /// Questions as one person's successive messages in one place.
    pub fn conversation() -> Session {
        Session {
            memory: Some(Conversations::default()),
        }
    }

    /// The reply to `question`, in this session.
    pub fn turn(&self, faq: &Faq, question: &str) -> Turn {
        match &self.memory {
            Some(memory) => converse(
                faq,
                memory,
                ONE_CONVERSATION,
                question,
                None,
                Instant::now(),
            ),
            None => respond(faq, question, None),
        }
    }

    /// Remembers a topic opened directly (a button, `/open`), so that a
    /// follow-up continues from it.
    pub fn opened(&self, topic: &str) {
        if let Some(memory) = &self.memory {
            memory.remember(ONE_CONVERSATION, topic, Instant::now());
        }
    }
}

/// Answers `message` in the conversation `key`: recalls its last topic (a
/// reply to one of the bot's answers gives `replied_to` instead, which
/// needs no memory), answers, and remembers what was answered.
pub fn converse(
    faq: &Faq,
    memory: &Conversations,
    key: Key,
    message: &str,
    replied_to: Option<&str>,
    now: Instant,
) -> Turn {
    let recalled = match replied_to {
        Some(topic) => Some(topic.to_string()),
        None => memory.recall(key, now),
    };
    let turn = respond(faq, message, recalled.as_deref());
    if let Some(topic) = turn.topic() {
        memory.remember(key, topic, now);
    }
    turn
}

/// Answers `message`, asked right after an answer on `earlier` (a topic
/// id), if any.
pub fn respond(faq: &Faq, message: &str, earlier: Option<&str>) -> Turn {
    let k = &faq.knowledge;
    // What the matcher would read of it anyway: visible characters, at
    // most its cap, so splitting a huge paste costs no more than a question.
    let message = &crate::matcher::bounded(message);
    if let Some(kind) = small_talk::classify(message) {
        return small_talk_turn(faq, kind);
    }
    let earlier = earlier.and_then(|id| faq.topic(id));
    let earlier_certs: Vec<String> = match earlier.map(|t| &t.about) {
        Some(About::One(c)) => vec![c.clone()],
        _ => Vec::new(),
    };

    // Several questions: each part read with the certifications the whole
    // message names (so "Does PSPO expire, and how much does it cost?"
    // asks the price of PSPO).
    // The whole message's match, once: the several-questions check needs
    // its certifications, and the single answer below is it.
    let mut found = None;
    let parts = split::questions(message);
    if parts.len() >= 2 {
        let whole = found.insert(faq.matcher.find_in(message, &earlier_certs));
        let context = if whole.named.is_empty() {
            earlier_certs.clone()
        } else {
            whole.named.clone()
        };
        let found: Vec<Match> = parts
            .iter()
            .map(|p| faq.matcher.find_in(p, &context))
            .collect();
        if let Some(turn) = several(faq, &found) {
            return turn;
        }
    }

    // A follow-up that only swaps the certification keeps the kind: "and
    // for cspo?", "same for pspo?", "what about the other one?". Only what
    // follows the opening is read, so a follow-up costs one short match.
    let rest = without_follow_up_opening(message);
    if let Some(earlier) = earlier {
        let swap = if rest.len() < message.len() {
            faq.matcher.find_in(rest, &[])
        } else {
            found
                .get_or_insert_with(|| faq.matcher.find_in(message, &earlier_certs))
                .clone()
        };
        if swap.says_little {
            let target = if swap.named.len() == 1 {
                Some(swap.named[0].clone())
            } else if swap.named.is_empty() && asks_for_the_other(message) {
                other_certification(k, earlier)
            } else {
                None
            };
            if let Some(twin) = target.and_then(|c| twin_for(k, earlier, &c)) {
                // The match of "and for cspo?" says little; that it follows
                // up on the last answer is certain.
                let mut swap = swap;
                swap.confidence = 1.0;
                return answered(faq, swap, twin);
            }
        }
    }
    let found = found.unwrap_or_else(|| faq.matcher.find_in(message, &earlier_certs));
    match found.topic.as_deref().and_then(|t| faq.topic(t)) {
        Some(topic) => {
            // "does it expire?" with nothing to say which: ask back.
            let unsure_which = found.named.is_empty() && earlier_certs.is_empty();
            match (unsure_which, twins(k, topic)) {
                (true, Some(pair)) => clarify(faq, found, topic, &pair),
                _ => answered(faq, found, topic),
            }
        }
        None => Turn {
            said: Said::Unknown,
            unknown: found.unknown.clone(),
            reply: commands::for_match(faq, &found),
            found,
            also: Vec::new(),
        },
    }
}

/// How people open a follow-up that keeps the question and changes the
/// certification; what follows the opening says which.
const FOLLOW_UP_OPENINGS: &[&str] = &[
    "and the same for",
    "same question for",
    "same goes for",
    "same for",
    "same with",
    "same thing for",
    "and what about",
    "what about",
    "how about",
    "and how about",
    "and for",
    "and with",
    "now for",
    "ok and",
    "and",
    "for",
    "also for",
];

/// `message` without a follow-up opening ("same for cspo?" -> "cspo?").
fn without_follow_up_opening(message: &str) -> &str {
    let trimmed = message.trim_start();
    for opening in FOLLOW_UP_OPENINGS {
        // `get`, not indexing: the message is whatever a user typed, and
        // the opening's length may fall inside a character.
        let (Some(head), Some(rest)) = (trimmed.get(..opening.len()), trimmed.get(opening.len()..))
        else {
            continue;
        };
        let boundary = rest.chars().next().is_none_or(|c| !c.is_alphanumeric());
        if head.eq_ignore_ascii_case(opening) && boundary {
            return rest;
        }
    }
    message
}

/// "what about the other one?", "the other cert": no name, but the other
/// certification meant.
fn asks_for_the_other(message: &str) -> bool {
    let text = crate::matcher::normalize::normalize(message);
    let words: Vec<&str> = text.split(' ').collect();
    words.windows(2).any(|w| w[0] == "other" && w[1] != "than")
        || words.last() == Some(&"other")
        || text.contains("the other")
}

/// The certification that `earlier` is not about, when there are two.
fn other_certification(k: &Knowledge, earlier: &Topic) -> Option<String> {
    let About::One(current) = &earlier.about else {
        return None;
    };
    let others: Vec<&str> = k
        .certifications
        .iter()
        .map(|c| c.id.as_str())
        .filter(|c| c != current)
        .collect();
    (others.len() == 1).then(|| others[0].to_string())
}

/// The topic of the same kind as `topic` about `certification`.
fn twin_for<'a>(k: &'a Knowledge, topic: &Topic, certification: &str) -> Option<&'a Topic> {
    let kind = topic.kind.as_deref()?;
    k.topics.iter().find(|t| {
        t.kind.as_deref() == Some(kind) && t.about == About::One(certification.to_string())
    })
}

/// The topics of `topic`'s kind, one per certification, when there are
/// exactly two: the pair a question naming neither cannot choose between.
fn twins<'a>(k: &'a Knowledge, topic: &Topic) -> Option<Vec<&'a Topic>> {
    let kind = topic.kind.as_deref()?;
    let pair: Vec<&Topic> = k
        .topics
        .iter()
        .filter(|t| t.kind.as_deref() == Some(kind) && matches!(t.about, About::One(_)))
        .collect();
    (pair.len() == 2).then_some(pair)
}

fn answered(faq: &Faq, mut found: Match, topic: &Topic) -> Turn {
    found.topic = Some(topic.id.clone());
    found.unknown = None;
    Turn {
        said: Said::Answer,
        reply: commands::topic_reply(&faq.knowledge, topic),
        found,
        also: Vec::new(),
        unknown: None,
    }
}

/// "CSPO or PSPO?", with a button for each that opens its topic.
fn clarify(faq: &Faq, mut found: Match, likelier: &Topic, pair: &[&Topic]) -> Turn {
    let k = &faq.knowledge;
    found.topic = Some(likelier.id.clone());
    found.suggestions = pair
        .iter()
        .filter(|t| t.id != likelier.id)
        .map(|t| t.id.clone())
        .collect();
    let names: Vec<&str> = pair
        .iter()
        .filter_map(|t| match &t.about {
            About::One(c) => k.certification(c).map(|c| c.name.as_str()),
            _ => None,
        })
        .collect();
    let question = names.join(" or ");
    let mut reply = Reply::card(
        &format!("{question}?"),
        &format!("Which one do you mean? I can answer this for {question}."),
    );
    reply.color = Some(COLOR_NOTICE);
    for (t, name) in pair.iter().zip(&names) {
        reply = reply.action_button(
            name,
            &format!("{TOPIC_PREFIX}{}", t.id),
            ButtonStyle::Primary,
        );
    }
    Turn {
        said: Said::Clarify,
        reply: reply.within_limits(),
        found,
        also: Vec::new(),
        unknown: None,
    }
}

/// The reply to a message of several questions, when at least two of them
/// got an outcome of their own (an answer, or a fact the article lacks).
///
/// A part counts as a question of its own only when it is answered with
/// confidence, and a part that only names a certification is background
/// when another part asks about that certification ("Just got my CSPO, now
/// what? what's the next step after it?").
fn several(faq: &Faq, found: &[Match]) -> Option<Turn> {
    let k = &faq.knowledge;
    let mut topics: Vec<&Topic> = Vec::new();
    let mut declined: Option<&Match> = None;
    // Certifications some part asks something of, beyond its name.
    let asked_of: Vec<&str> = found
        .iter()
        .filter(|f| f.is_confident() && !f.says_little)
        .filter_map(|f| f.topic.as_deref().and_then(|t| faq.topic(t)))
        .filter_map(|t| match &t.about {
            About::One(c) => Some(c.as_str()),
            _ => None,
        })
        .collect();
    for f in found {
        let own = f.topic.as_deref().and_then(|t| faq.topic(t));
        // A bare name is a question of its own ("What is CSPO?") unless
        // another part asks something of the same certification.
        let background = f.says_little && f.named.iter().all(|c| asked_of.contains(&c.as_str()));
        let counts = f.is_confident() && !background;
        match own {
            Some(t) if counts && !topics.iter().any(|seen| seen.id == t.id) => topics.push(t),
            Some(_) => {}
            None if f.unknown.is_some() && declined.is_none() => declined = Some(f),
            None => {}
        }
    }
    let outcomes = topics.len() + usize::from(declined.is_some());
    if outcomes < 2 || topics.is_empty() {
        return None;
    }
    topics.truncate(MAX_ANSWERS);
    let first = topics[0];
    let mut main = found
        .iter()
        .find(|f| f.topic.as_deref() == Some(first.id.as_str()))
        .cloned()
        .unwrap_or_default();
    main.suggestions = Vec::new();
    let description = match declined {
        Some(d) => format!("*Not covered:* {}", commands::decline_text(faq, d)),
        None => String::new(),
    };
    let reply = commands::answers_card(k, &topics, &description);
    Some(Turn {
        said: Said::Answer,
        also: topics[1..].iter().map(|t| t.id.clone()).collect(),
        unknown: declined.and_then(|d| d.unknown.clone()),
        found: main,
        reply,
    })
}

fn small_talk_turn(faq: &Faq, kind: SmallTalk) -> Turn {
    let k = &faq.knowledge;
    let (said, reply) = match kind {
        SmallTalk::Help => {
            let help = commands::find("help").map(|h| h.run(faq, &Args::default()));
            (Said::Help, help.unwrap_or_else(|| Reply::card("Help", "Try `/topics`.")))
        }
        SmallTalk::Greeting => (
            Said::SmallTalk,
            Reply::card(
                "Hello!",
                "Ask me anything about choosing between CSPO and PSPO, for example “does PSPO expire?”.",
            ),
        ),
        SmallTalk::Thanks => (
            Said::SmallTalk,
            Reply::card("You're welcome!", "Ask again any time."),
        ),
        SmallTalk::Identity => (
            Said::SmallTalk,
            Reply::card(
                "Who I am",
                &format!(
                    "A bot that helps you choose between CSPO and PSPO. My answers come from one article, “{}” by {}. `/help` shows what I can do.",
                    k.article.title, k.article.author
                ),
            ),
        ),
        SmallTalk::Insult => (
            Said::SmallTalk,
            Reply::card(
                "Sorry about that",
                "Tell me what you were looking for in other words, or use `/topics` to see everything I can answer.",
            ),
        ),
        SmallTalk::Acknowledgement => (
            Said::SmallTalk,
            Reply::card("🙂", "Anything else about CSPO or PSPO? Just ask."),
        ),
    };
    Turn {
        said,
        found: Match::default(),
        also: Vec::new(),
        unknown: None,
        reply: reply.within_limits(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn faq() -> Faq {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
        Faq::load(&dir).unwrap_or_else(|e| panic!("{e}"))
    }

    fn topic_after(faq: &Faq, message: &str, earlier: Option<&str>) -> Option<String> {
        respond(faq, message, earlier).found.topic
    }

    #[test]
    fn a_message_that_only_swaps_the_certification_keeps_the_kind() {
        let faq = faq();
        let after = Some("pspo-validity");
        for message in [
            "and for cspo?",
            "same for cspo",
            "what about the other one?",
            "cspo?",
        ] {
            assert_eq!(
                topic_after(&faq, message, after).as_deref(),
                Some("cspo-validity"),
                "{message}"
            );
        }
        let turn = respond(&faq, "and for cspo?", after);
        assert_eq!(turn.said, Said::Answer);
        assert!(
            turn.found.is_confident(),
            "a follow-up is answered outright"
        );
    }

    #[test]
    fn a_message_that_only_names_the_kind_keeps_the_certification() {
        let faq = faq();
        let after = Some("cspo-validity");
        assert_eq!(
            topic_after(&faq, "how do I get it?", after).as_deref(),
            Some("cspo-requirements")
        );
        assert_eq!(
            topic_after(&faq, "what comes next?", after).as_deref(),
            Some("cspo-career-path")
        );
        // A certification named outright wins over the remembered one.
        assert_eq!(
            topic_after(&faq, "does pspo expire?", after).as_deref(),
            Some("pspo-validity")
        );
    }

    #[test]
    fn with_nothing_to_go_on_a_kind_alone_is_asked_back() {
        let faq = faq();
        let turn = respond(&faq, "does it expire?", None);
        assert_eq!(turn.said, Said::Clarify);
        assert_eq!(turn.reply.title.as_deref(), Some("CSPO or PSPO?"));
        let ids: Vec<String> = turn
            .reply
            .buttons()
            .filter_map(|b| match b {
                crate::reply::Button::Action { custom_id, .. } => Some(custom_id.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(ids, ["topic:cspo-validity", "topic:pspo-validity"]);
    }

    #[test]
    fn several_questions_are_answered_together_and_small_talk_in_kind() {
        let faq = faq();
        let turn = respond(&faq, "What is CSPO? And what is PSPO?", None);
        assert_eq!(turn.found.topic.as_deref(), Some("what-is-cspo"));
        assert_eq!(turn.also, ["what-is-pspo"]);
        assert_eq!(turn.reply.fields.len(), 2, "each answer under its title");
        let turn = respond(&faq, "thanks!", Some("pspo-validity"));
        assert_eq!(turn.said, Said::SmallTalk);
        assert_eq!(
            turn.topic(),
            None,
            "small talk leaves the conversation as it was"
        );
        assert!(!turn.said.is_question());
    }

    #[test]
    fn converse_remembers_per_conversation_and_a_reply_needs_no_memory() {
        let faq = faq();
        let memory = Conversations::new(10, std::time::Duration::from_secs(60));
        let alice = Key {
            place: 1,
            person: 1,
        };
        let bob = Key {
            place: 1,
            person: 2,
        };
        let now = Instant::now();
        converse(&faq, &memory, alice, "does pspo expire?", None, now);
        let turn = converse(&faq, &memory, alice, "and for cspo?", None, now);
        assert_eq!(turn.found.topic.as_deref(), Some("cspo-validity"));
        let turn = converse(&faq, &memory, bob, "and for cspo?", None, now);
        assert_ne!(turn.found.topic.as_deref(), Some("cspo-validity"));
        let turn = converse(
            &faq,
            &memory,
            bob,
            "and for cspo?",
            Some("pspo-validity"),
            now,
        );
        assert_eq!(turn.found.topic.as_deref(), Some("cspo-validity"));
    }
}
