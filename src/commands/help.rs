//! `/help` — what the bot does and how to ask it.

use super::{Args, CommandSpec, SlashCommand};
use crate::reply::Reply;
use crate::Faq;

pub struct Help;

impl SlashCommand for Help {
    fn name(&self) -> &'static str {
        "help"
    }

    fn spec(&self, _faq: &Faq) -> CommandSpec {
        CommandSpec {
            name: "help",
            description: "What this bot does and how to ask it",
            options: Vec::new(),
        }
    }

    fn run(&self, faq: &Faq, _args: &Args) -> Reply {
        let k = &faq.knowledge;
        let text = format!(
            "I help you choose between the two Scrum product owner certifications, \
             **CSPO** (Scrum Alliance) and **PSPO** (Scrum.org). My answers come from \
             the article “{}”, and each one links to it.\n\n\
             **Ask in your own words**: typos and abbreviations are fine. Mention me, \
             send me a direct message, or use a slash command:\n\
             • `/ask question:` — for example `/ask does PSPO expire?`\n\
             • `/topic name: for:` — post one topic's answer, for someone if you like\n\
             • `/compare` — CSPO and PSPO side by side\n\
             • `/topics` — everything I can answer\n\
             • `/contact` — reach {}, the training provider behind the article\n\
             • `/help` — this message\n\
             • `/faq-admin` — for maintainers: what I could not answer this week\n\n\
             **Answering someone else?** On their message, open *Apps* → \
             *{}*: you see my answer first, and can post it as a reply.",
            k.article.title,
            k.provider.name,
            super::ANSWER_MESSAGE
        );
        Reply::card("How to use this bot", &text)
            .link_button("Read the full article", &k.article.url)
            .ephemeral()
            .within_limits()
    }
}
