//! `/topics` — everything the bot can answer, with a menu to open one.
//!
//! Each topic is one line: its title, and its first question when that
//! says more than the title does. A Discord menu holds at most 25 options
//! and a card's text 4096 characters, so a longer list is split into
//! pages, turned with Previous / Next buttons (`topics:page:<n>`), which
//! [`super::component`] answers like any other click.

use std::ops::Range;

use super::{answer::TOPIC_PREFIX, Args, CommandSpec, SlashCommand};
use crate::knowledge::Topic;
use crate::limits::{self, char_len};
use crate::matcher::normalize::normalize;
use crate::reply::{ButtonStyle, Reply, Select, SelectOption};
use crate::Faq;

/// The menu's own id; the chosen value is `topic:<id>`.
pub const MENU_ID: &str = "topics";

/// The buttons that turn the pages: `topics:page:<n>`, counted from 1.
pub const PAGE_PREFIX: &str = "topics:page:";

/// The card's text under the list.
const TAIL: &str = "\n\nPick one below, or just ask in your own words with `/ask`.";

pub struct Topics;

impl SlashCommand for Topics {
    fn name(&self) -> &'static str {
        "topics"
    }

    fn spec(&self, _faq: &Faq) -> CommandSpec {
        CommandSpec {
            name: "topics",
            description: "Everything I can answer about CSPO and PSPO",
            options: Vec::new(),
        }
    }

    /// The first page; the console can ask for another (`/topics 2`).
    fn run(&self, faq: &Faq, args: &Args) -> Reply {
        let number = args.get("page").and_then(parse_page).unwrap_or(1);
        // Browsing is for the one browsing: the channel sees nothing.
        page(faq, number).ephemeral()
    }

    fn console_args(&self, rest: &str) -> Args {
        let number = rest.trim().trim_start_matches("page").trim();
        if number.is_empty() {
            Args::default()
        } else {
            Args::default().with("page", number)
        }
    }
}

/// The page a `topics:page:<n>` button asks for, if `custom_id` is one.
pub fn page_asked(custom_id: &str) -> Option<usize> {
    custom_id.strip_prefix(PAGE_PREFIX).and_then(parse_page)
}

fn parse_page(text: &str) -> Option<usize> {
    text.trim().parse().ok().filter(|&n| n >= 1)
}

/// Page `number` of the list (the last one if there are fewer, since a
/// button may outlive a knowledge reload that removed topics).
pub fn page(faq: &Faq, number: usize) -> Reply {
    let topics = &faq.knowledge.topics;
    let lines: Vec<String> = topics.iter().map(line).collect();
    let pages = pages(&lines);
    let count = pages.len();
    let number = number.clamp(1, count.max(1));
    let range = pages.get(number - 1).cloned().unwrap_or(0..0);

    let mut reply = Reply::card(
        "What I can answer",
        &format!("{}{TAIL}", lines[range.clone()].join("\n")),
    );
    reply.select = Some(Select {
        custom_id: MENU_ID.to_string(),
        placeholder: "Open a topic".to_string(),
        options: topics[range.clone()].iter().map(option).collect(),
    });
    if count > 1 {
        reply.footer = Some(format!(
            "Page {number} of {count} · topics {}–{} of {}",
            range.start + 1,
            range.end,
            topics.len()
        ));
        if number > 1 {
            reply = reply.action_button(
                "◀ Previous",
                &format!("{PAGE_PREFIX}{}", number - 1),
                ButtonStyle::Secondary,
            );
        }
        if number < count {
            reply = reply.action_button(
                "Next ▶",
                &format!("{PAGE_PREFIX}{}", number + 1),
                ButtonStyle::Secondary,
            );
        }
    }
    reply.within_limits()
}

/// A topic's line in the list.
fn line(topic: &Topic) -> String {
    match telling_question(topic) {
        Some(question) => format!("• **{}** — {question}", topic.title),
        None => format!("• **{}**", topic.title),
    }
}

fn option(topic: &Topic) -> SelectOption {
    SelectOption {
        label: topic.title.clone(),
        value: format!("{TOPIC_PREFIX}{}", topic.id),
        description: telling_question(topic).map(str::to_string),
    }
}

/// The topic's first question, unless every word of it is already in the
/// title ("What is CSPO?" under the title "What is CSPO?").
fn telling_question(topic: &Topic) -> Option<&str> {
    let question = topic.questions.first()?;
    let title = normalize(&topic.title);
    let title_words: Vec<&str> = title.split(' ').collect();
    let adds = normalize(question)
        .split(' ')
        .any(|w| !w.is_empty() && !title_words.contains(&w));
    adds.then_some(question.as_str())
}

/// The list split into pages: each at most a menu's 25 options, and its
/// lines within what the card's text holds beside [`TAIL`].
fn pages(lines: &[String]) -> Vec<Range<usize>> {
    let room = limits::EMBED_DESCRIPTION - char_len(TAIL);
    let mut pages = Vec::new();
    let mut start = 0;
    let mut used = 0;
    for (i, line) in lines.iter().enumerate() {
        // Every line but a page's first is preceded by a newline.
        let cost = char_len(line) + usize::from(i > start);
        if i > start && (i - start == limits::SELECT_OPTIONS || used + cost > room) {
            pages.push(start..i);
            start = i;
            used = char_len(line);
        } else {
            used += cost;
        }
    }
    if start < lines.len() {
        pages.push(start..lines.len());
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::test_knowledge;

    fn lines_of(reply: &Reply) -> Vec<&str> {
        reply
            .description
            .lines()
            .filter(|l| l.starts_with('•'))
            .collect()
    }

    fn page_buttons(reply: &Reply) -> Vec<(String, String)> {
        reply
            .buttons()
            .filter_map(|b| match b {
                crate::reply::Button::Action {
                    label, custom_id, ..
                } => Some((label.clone(), custom_id.clone())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn each_shipped_topic_is_one_line_and_a_title_is_never_repeated_as_its_question() {
        let faq = test_knowledge::shipped();
        let reply = page(&faq, 1);
        let lines = lines_of(&reply);
        assert_eq!(lines.len(), faq.knowledge.topics.len());
        assert!(lines.contains(&"• **What is CSPO?**"), "{lines:#?}");
        assert!(
            lines.contains(&"• **How to prepare** — How should I prepare for the exam?"),
            "{lines:#?}"
        );
        for line in &lines {
            if let Some((title, question)) = line.split_once(" — ") {
                assert_ne!(title.trim_start_matches("• ").trim_matches('*'), question);
            }
        }
        // One page: no page buttons, no page count.
        assert!(page_buttons(&reply).is_empty());
        assert_eq!(reply.footer, None);
    }

    #[test]
    fn thirty_topics_are_two_pages_turned_by_buttons_with_none_dropped() {
        let faq = test_knowledge::with_topics(30);
        let first = page(&faq, 1);
        assert_eq!(first.select.as_ref().map(|s| s.options.len()), Some(25));
        assert_eq!(
            page_buttons(&first),
            [("Next ▶".to_string(), "topics:page:2".to_string())]
        );
        assert_eq!(
            first.footer.as_deref(),
            Some("Page 1 of 2 · topics 1–25 of 30")
        );
        let second = page(&faq, 2);
        assert_eq!(
            page_buttons(&second),
            [("◀ Previous".to_string(), "topics:page:1".to_string())]
        );
        let mut seen: Vec<String> = [&first, &second]
            .iter()
            .flat_map(|r| r.select.iter().flat_map(|s| s.options.iter()))
            .map(|o| o.value.clone())
            .collect();
        let all: Vec<String> = faq
            .knowledge
            .topics
            .iter()
            .map(|t| format!("topic:{}", t.id))
            .collect();
        assert_eq!(seen, all);
        seen.dedup();
        assert_eq!(seen.len(), 30);
        assert_eq!(lines_of(&first).len() + lines_of(&second).len(), 30);
    }

    #[test]
    fn a_page_button_is_answered_by_the_component_handler_for_every_transport() {
        let faq = test_knowledge::with_topics(30);
        let clicked = crate::commands::component(&faq, "topics:page:2")
            .unwrap_or_else(|| panic!("page 2 opens nothing"));
        assert_eq!(
            clicked.footer.as_deref(),
            Some("Page 2 of 2 · topics 26–30 of 30")
        );
        assert!(
            clicked.ephemeral,
            "a click shows the page to the clicker only"
        );
        // A page beyond the end (after a reload) shows the last one.
        let beyond = crate::commands::component(&faq, "topics:page:9")
            .unwrap_or_else(|| panic!("page 9 opens nothing"));
        assert_eq!(beyond.footer, clicked.footer);
        assert!(crate::commands::component(&faq, "topics:page:x").is_none());
        assert!(crate::commands::component(&faq, "topics:page:0").is_none());
    }

    #[test]
    fn a_hundred_long_topics_fit_every_page_within_limits() {
        let faq = test_knowledge::with_long_topics(100);
        let first = page(&faq, 1);
        let count: usize = first
            .footer
            .as_deref()
            .and_then(|f| f.split(" of ").nth(1))
            .and_then(|n| n.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no page count in {:?}", first.footer));
        let mut listed = 0;
        for n in 1..=count {
            let reply = page(&faq, n);
            assert!(char_len(&reply.description) <= limits::EMBED_DESCRIPTION);
            assert!(reply.embed_chars() <= limits::EMBED_TOTAL);
            assert!(reply.description.ends_with(TAIL), "page {n} was cut");
            let options = reply.select.as_ref().map_or(0, |s| s.options.len());
            assert_eq!(options, lines_of(&reply).len(), "page {n}");
            listed += options;
        }
        assert_eq!(listed, 100);
    }

    #[test]
    fn the_console_asks_for_a_page_by_number() {
        assert_eq!(Topics.console_args("page 2").get("page"), Some("2"));
        assert_eq!(Topics.console_args("2").get("page"), Some("2"));
        assert_eq!(Topics.console_args("").get("page"), None);
    }
}
