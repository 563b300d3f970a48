//! `/ask question:` — answers a question in plain words.

mod suggest;

use super::{Args, Asked, Choice, CommandSpec, OptionKind, OptionSpec, Outcome, SlashCommand};
use crate::conversation;
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

    /// What was typed, then the known questions that fit it, best first
    /// (see [`suggest`]); the chosen one is sent as the question.
    fn autocomplete(&self, faq: &Faq, _option: &str, typed: &str) -> Vec<Choice> {
        suggest::suggestions(faq, typed)
    }

    fn console_args(&self, rest: &str) -> Args {
        Args::default().with("question", rest)
    }
}
