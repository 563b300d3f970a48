//! `/contact` — how to reach the training provider.

use super::{Args, CommandSpec, SlashCommand};
use crate::reply::Reply;
use crate::Faq;

pub struct Contact;

impl SlashCommand for Contact {
    fn name(&self) -> &'static str {
        "contact"
    }

    fn spec(&self, _faq: &Faq) -> CommandSpec {
        CommandSpec {
            name: "contact",
            description: "How to reach the training provider behind these answers",
            options: Vec::new(),
        }
    }

    fn run(&self, faq: &Faq, _args: &Args) -> Reply {
        let p = &faq.knowledge.provider;
        let mut reply = Reply::card(&p.name, &p.about)
            .field("Phone", &p.phone, true)
            .field("Website", &p.website, true)
            .link_button(&format!("Visit {}", p.name), &p.website);
        reply.url = Some(p.website.clone());
        reply.within_limits()
    }
}
