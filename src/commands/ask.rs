//! `/ask question:` — answers a question in plain words.

use super::{
    choices, Args, Asked, Choice, CommandSpec, OptionKind, OptionSpec, Outcome, SlashCommand,
};
use crate::conversation;
use crate::limits;
use crate::reply::Reply;
use crate::Faq;

/// Longest question `/ask` accepts; Discord enforces it on the client.
pub const MAX_QUESTION: u16 = 300;

pub struct Ask;

impl SlashCommand for Ask {
    fn name(&self) -> &'static str {
        "ask"
    }

    fn spec(&self, _faq: &Faq) -> CommandSpec {
        CommandSpec {
            name: "ask",
            description: "Ask anything about CSPO or PSPO, in your own words",
            options: vec![OptionSpec {
                name: "question",
                kind: OptionKind::Text,
                description: "For example: does PSPO expire?",
                required: true,
                max_length: Some(MAX_QUESTION),
                autocomplete: true,
                choices: Vec::new(),
            }],
        }
    }

    fn run(&self, faq: &Faq, args: &Args) -> Reply {
        self.outcome(faq, args).reply
    }

    fn outcome(&self, faq: &Faq, args: &Args) -> Outcome {
        self.outcome_in(faq, args, None)
    }

    fn outcome_in(&self, faq: &Faq, args: &Args, earlier: Option<&str>) -> Outcome {
        let question = args.get("question").unwrap_or("").trim();
        if question.is_empty() {
            return Reply::card(
                "Ask me a question",
                "Type a question after `/ask`, for example `/ask does PSPO expire?`.",
            )
            .ephemeral()
            .within_limits()
            .into();
        }
        let turn = conversation::respond(faq, question, earlier);
        Outcome {
            reply: turn.reply,
            asked: Some(Asked {
                question: question.to_string(),
                found: turn.found,
                said: turn.said,
            }),
        }
    }

    /// Suggests known questions that fit what has been typed so far; the
    /// chosen one is sent as the question.
    fn autocomplete(&self, faq: &Faq, _option: &str, typed: &str) -> Vec<Choice> {
        let found = faq.matcher.complete(typed, limits::AUTOCOMPLETE_CHOICES);
        let mut out = choices(found.into_iter().map(|(_, q)| (q, q)));
        // What the user typed is always a choice too, so autocomplete
        // never stops them sending their own words.
        let typed = typed.trim();
        if !typed.is_empty() && !out.iter().any(|c| c.value == typed) {
            let own = choices([(typed, limits::clamp(typed, limits::CHOICE_VALUE))]);
            out.splice(0..0, own);
            out.truncate(limits::AUTOCOMPLETE_CHOICES);
        }
        out
    }

    fn console_args(&self, rest: &str) -> Args {
        Args::default().with("question", rest)
    }
}
