//! `/topics` — everything the bot can answer, with a menu to open one.

use super::{answer::TOPIC_PREFIX, Args, CommandSpec, SlashCommand};
use crate::reply::{Reply, Select, SelectOption};
use crate::Faq;

/// The menu's own id; the chosen value is `topic:<id>`.
pub const MENU_ID: &str = "topics";

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

    fn run(&self, faq: &Faq, _args: &Args) -> Reply {
        let topics = &faq.knowledge.topics;
        let list: Vec<String> = topics
            .iter()
            .map(|t| {
                format!(
                    "• **{}**: {}",
                    t.title,
                    t.questions.first().map_or("", String::as_str)
                )
            })
            .collect();
        let mut reply = Reply::card(
            "What I can answer",
            &format!(
                "{}\n\nPick one below, or just ask in your own words with `/ask`.",
                list.join("\n")
            ),
        );
        reply.select = Some(Select {
            custom_id: MENU_ID.to_string(),
            placeholder: "Open a topic".to_string(),
            options: topics
                .iter()
                .map(|t| SelectOption {
                    label: t.title.clone(),
                    value: format!("{TOPIC_PREFIX}{}", t.id),
                    description: t.questions.first().cloned(),
                })
                .collect(),
        });
        reply.within_limits()
    }
}
