//! `/compare first: second:` — the two certifications side by side, one
//! row per dimension of the knowledge's comparison table.

use super::{choices, Args, CommandSpec, OptionKind, OptionSpec, SlashCommand};
use crate::reply::{ButtonStyle, Reply, COLOR_NOTICE};
use crate::Faq;

pub struct Compare;

impl Compare {
    fn option(faq: &Faq, name: &'static str, description: &'static str) -> OptionSpec {
        OptionSpec {
            name,
            kind: OptionKind::Text,
            description,
            required: false,
            max_length: None,
            autocomplete: false,
            choices: choices(
                faq.knowledge
                    .certifications
                    .iter()
                    .map(|c| (c.name.as_str(), c.id.as_str())),
            ),
        }
    }
}

impl SlashCommand for Compare {
    fn name(&self) -> &'static str {
        "compare"
    }

    fn spec(&self, faq: &Faq) -> CommandSpec {
        CommandSpec {
            name: "compare",
            description: "Compare two certifications side by side",
            options: vec![
                Self::option(faq, "first", "The first certification (default: CSPO)"),
                Self::option(faq, "second", "The second certification (default: PSPO)"),
            ],
        }
    }

    fn run(&self, faq: &Faq, args: &Args) -> Reply {
        let k = &faq.knowledge;
        let pick = |name: &str, default: usize| {
            let wanted = args.get(name).map(|v| v.trim().to_ascii_lowercase());
            match wanted.as_deref() {
                None | Some("") => k.certifications.get(default).ok_or(String::new()),
                Some(id) => k
                    .certifications
                    .iter()
                    .find(|c| c.id == id || c.name.eq_ignore_ascii_case(id))
                    .ok_or(id.to_string()),
            }
        };
        let (a, b) = match (pick("first", 0), pick("second", 1)) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(bad), _) | (_, Err(bad)) => {
                let known: Vec<&str> = k.certifications.iter().map(|c| c.name.as_str()).collect();
                let mut reply = Reply::card(
                    "Nothing to compare",
                    &format!(
                        "I don't know a certification called `{}`. I can compare {}.",
                        crate::limits::clamp(&bad.replace('`', ""), 40),
                        known.join(" and ")
                    ),
                )
                .ephemeral();
                reply.color = Some(COLOR_NOTICE);
                return reply.within_limits();
            }
        };
        if a.id == b.id {
            let mut reply = Reply::card(
                "Pick two different certifications",
                &format!(
                    "Comparing {} with itself shows nothing. Try `/compare` with two different ones, such as `/compare cspo pspo`.",
                    a.name
                ),
            )
            .ephemeral();
            reply.color = Some(COLOR_NOTICE);
            return reply.within_limits();
        }
        let mut reply = Reply::card(
            &format!("{} vs {}", a.name, b.name),
            "Side by side, as the article describes them. Ask me about any row for more.",
        );
        reply.url = Some(k.article.url.clone());
        for (i, d) in k.dimensions.iter().enumerate() {
            let value =
                |c: &crate::knowledge::Certification| c.values.get(i).cloned().unwrap_or_default();
            reply = reply
                .field(&format!("{} · {}", d.label, a.name), &value(a), true)
                .field(&format!("{} · {}", d.label, b.name), &value(b), true)
                .field("\u{200b}", "\u{200b}", true);
        }
        reply.footer = Some(format!("Source: “{}”", k.article.title));
        reply = reply
            .link_button("Read the full article", &k.article.url)
            .link_button(&format!("{} issuer", a.name), &a.issuer_url)
            .link_button(&format!("{} issuer", b.name), &b.issuer_url);
        if k.topic("cspo-vs-pspo").is_some() {
            reply = reply.action_button(
                "Which should I choose?",
                "topic:cspo-vs-pspo",
                ButtonStyle::Secondary,
            );
        }
        reply.within_limits()
    }

    fn console_args(&self, rest: &str) -> Args {
        let mut words = rest.split_whitespace();
        let mut args = Args::default();
        if let Some(first) = words.next() {
            args = args.with("first", first);
        }
        if let Some(second) = words.next() {
            args = args.with("second", second);
        }
        args
    }
}
