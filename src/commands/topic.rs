//! `/topic name: for:` — a topic picked by name, the way helpers point
//! someone at a known answer ("a tag"). With `for:`, the public answer
//! opens by addressing that person, the only one it may notify.

use super::answer::{topic_reply, SUGGESTED_PREFIX};
use super::{choices, Args, Choice, CommandSpec, OptionKind, OptionSpec, SlashCommand};
use crate::knowledge::Topic as KnownTopic;
use crate::limits;
use crate::reply::{ButtonStyle, Reply, COLOR_NOTICE};
use crate::Faq;

/// How many topics a miss suggests.
const SUGGESTIONS: usize = 3;

/// How alike a typed name and a title must be (Jaro-Winkler, 0 to 1) for
/// autocomplete and "did you mean" to offer the title when no word of it
/// matches. Chosen by hand on the shipped titles: 0.75 keeps
/// "pspo validty" → "Does PSPO expire?"-style slips out, and "pspo
/// regstry" → "PSPO registry" in; below 0.7 unrelated titles crowd in.
const ALIKE: f64 = 0.75;

pub struct Topic;

impl SlashCommand for Topic {
    fn name(&self) -> &'static str {
        "topic"
    }

    fn spec(&self, _faq: &Faq) -> CommandSpec {
        CommandSpec {
            name: "topic",
            description: "Post one topic's answer, optionally for someone",
            options: vec![
                OptionSpec {
                    name: "name",
                    kind: OptionKind::Text,
                    description: "The topic: start typing its title",
                    required: true,
                    max_length: Some(limits::CHOICE_VALUE as u16),
                    autocomplete: true,
                    choices: Vec::new(),
                },
                OptionSpec {
                    name: "for",
                    kind: OptionKind::Person,
                    description: "Someone to point to it (only they are notified)",
                    required: false,
                    max_length: None,
                    autocomplete: false,
                    choices: Vec::new(),
                },
            ],
        }
    }

    fn run(&self, faq: &Faq, args: &Args) -> Reply {
        let typed = args.get("name").unwrap_or("").trim();
        let Some(topic) = find(faq, typed) else {
            return miss(faq, typed);
        };
        let reply = topic_reply(&faq.knowledge, topic);
        match args.get("for").and_then(|p| p.parse::<u64>().ok()) {
            Some(person) if person > 0 => reply.addressed_to(person),
            _ => reply,
        }
    }

    fn autocomplete(&self, faq: &Faq, _option: &str, typed: &str) -> Vec<Choice> {
        choices(
            ranked(faq, typed)
                .into_iter()
                .map(|t| (t.title.as_str(), t.id.as_str())),
        )
    }

    fn console_args(&self, rest: &str) -> Args {
        Args::default().with("name", rest)
    }
}

/// The topic `typed` names: its id (what autocomplete sends), or its
/// title, whatever the case, spacing and punctuation.
fn find<'f>(faq: &'f Faq, typed: &str) -> Option<&'f KnownTopic> {
    if let Some(t) = faq.topic(typed) {
        return Some(t);
    }
    let wanted = plain(typed);
    if wanted.is_empty() {
        return None;
    }
    faq.knowledge
        .topics
        .iter()
        .find(|t| plain(&t.title) == wanted || plain(&t.id) == wanted)
}

/// Lowercase words, nothing else: "Does PSPO expire?" → "does pspo expire".
fn plain(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// How many edits (optimal string alignment) a typed word may be from a
/// word of a title or id and still be taken for it. None for words of
/// four letters or fewer, so "cspo" never stands for "pspo".
fn slips_allowed(word: &str) -> usize {
    match word.chars().count() {
        0..=4 => 0,
        5..=7 => 1,
        _ => 2,
    }
}

/// Topics that fit what was typed, best first: every topic when nothing
/// was typed; otherwise those whose title or id holds every typed word
/// (as a word's start), then those that hold every word but for a slip
/// ("pspo expiry", "cspo carrer"). Only when no topic does are titles
/// that are merely alike as a whole offered, as a guess.
fn ranked<'f>(faq: &'f Faq, typed: &str) -> Vec<&'f KnownTopic> {
    let topics = &faq.knowledge.topics;
    let words: Vec<String> = plain(typed).split(' ').map(str::to_string).collect();
    if words.iter().all(String::is_empty) {
        return topics.iter().collect();
    }
    let wanted = words.join(" ");
    let mut scored: Vec<(f64, usize, &KnownTopic)> = topics
        .iter()
        .enumerate()
        .filter_map(|(i, t)| {
            let title = plain(&t.title);
            let id = plain(&t.id);
            let known: Vec<&str> = title.split(' ').chain(id.split(' ')).collect();
            let starts = |w: &String| known.iter().any(|k| k.starts_with(w.as_str()));
            let near = |w: &String| {
                let allowed = slips_allowed(w);
                allowed > 0 && known.iter().any(|k| strsim::osa_distance(w, k) <= allowed)
            };
            let closeness = strsim::jaro_winkler(&wanted, &title);
            let score = if words.iter().all(starts) {
                // Every word found: the closer the whole, the better.
                2.0 + closeness
            } else if words.iter().all(|w| starts(w) || near(w)) {
                1.0 + closeness
            } else {
                let alike = closeness.max(strsim::jaro_winkler(&wanted, &id));
                if alike < ALIKE {
                    return None;
                }
                alike
            };
            Some((score, i, t))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    if scored.first().is_some_and(|best| best.0 >= 1.0) {
        scored.retain(|s| s.0 >= 1.0);
    }
    scored.into_iter().map(|(_, _, t)| t).collect()
}

/// The private "no such topic" note, with the likeliest topics as buttons.
fn miss(faq: &Faq, typed: &str) -> Reply {
    let shown = limits::clamp(
        &typed.replace(['`', '*', '_', '~', '|', '@', '<', '>'], ""),
        60,
    );
    let text = if shown.is_empty() {
        "Give a topic's name: start typing and pick one of the suggestions.".to_string()
    } else {
        format!("I have no topic called “{shown}”. Use `/topics` to see them all.")
    };
    let mut reply = Reply::card("No such topic", &text).ephemeral();
    reply.color = Some(COLOR_NOTICE);
    for t in ranked(faq, typed).into_iter().take(SUGGESTIONS) {
        reply = reply.action_button(
            &format!("Did you mean: {}", t.title),
            &format!("{SUGGESTED_PREFIX}{}", t.id),
            ButtonStyle::Primary,
        );
    }
    reply.within_limits()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn faq() -> Faq {
        crate::commands::test_knowledge::shipped()
    }

    fn run(args: Args) -> Reply {
        Topic.run(&faq(), &args)
    }

    #[test]
    fn a_topic_is_found_by_id_or_by_title_and_posted_publicly() {
        for name in [
            "pspo-validity",
            "Does PSPO expire?",
            "does pspo expire",
            "PSPO VALIDITY",
        ] {
            let reply = run(Args::default().with("name", name));
            assert_eq!(reply.title.as_deref(), Some("Does PSPO expire?"), "{name}");
            assert!(!reply.ephemeral, "{name}");
            assert_eq!(reply.addressed_to, None);
        }
    }

    #[test]
    fn for_someone_addresses_only_them() {
        let reply = run(Args::default()
            .with("name", "pspo-validity")
            .with("for", "80351110224678912"));
        assert_eq!(reply.addressed_to, Some(80351110224678912));
        assert!(!reply.ephemeral);
        let junk = run(Args::default()
            .with("name", "pspo-validity")
            .with("for", "<@&1>"));
        assert_eq!(junk.addressed_to, None);
    }

    #[test]
    fn a_miss_is_private_and_suggests_the_likeliest_topics() {
        let faq = faq();
        let reply = run(Args::default().with("name", "pspo regstry"));
        assert!(reply.ephemeral);
        assert_eq!(reply.title.as_deref(), Some("No such topic"));
        let first = reply.buttons().next().map(|b| b.label().to_string());
        let registry = faq.topic("pspo-registry").map(|t| t.title.clone());
        assert_eq!(
            first,
            registry.map(|t| format!("Did you mean: {t}")),
            "{reply:?}"
        );
        assert!(reply.buttons().count() <= SUGGESTIONS);
        let hostile = run(Args::default().with("name", "@everyone <@1> `x`"));
        assert!(!hostile.description.contains('@'));
        assert!(!hostile.description.contains('`') || hostile.description.contains("`/topics`"));
    }

    #[test]
    fn autocomplete_offers_matching_titles_first_and_every_topic_for_nothing_typed() {
        let faq = faq();
        let all = Topic.autocomplete(&faq, "name", "");
        assert_eq!(all.len(), faq.knowledge.topics.len().min(25));
        let pspo = Topic.autocomplete(&faq, "name", "pspo");
        assert!(!pspo.is_empty());
        assert!(
            pspo.iter()
                .all(|c| c.value.contains("pspo") || c.name.to_lowercase().contains("pspo")),
            "{pspo:?}"
        );
        let valid = Topic.autocomplete(&faq, "name", "pspo val");
        assert_eq!(
            valid.first().map(|c| c.value.as_str()),
            Some("pspo-validity"),
            "{valid:?}"
        );
        assert!(Topic.autocomplete(&faq, "name", "zzzzqqq").is_empty());
    }

    #[test]
    fn a_slip_in_a_word_still_finds_its_topic_first_and_only_what_fits() {
        let faq = faq();
        let values = |typed: &str| -> Vec<String> {
            Topic
                .autocomplete(&faq, "name", typed)
                .into_iter()
                .map(|c| c.value)
                .collect()
        };
        assert_eq!(values("pspo expiry"), ["pspo-validity"]);
        assert_eq!(values("cspo carrer"), ["cspo-career-path"]);
        // A certification's name is never taken for the other's.
        assert!(!values("cspo expiry").contains(&"pspo-validity".to_string()));
    }
}
