//! The slash commands, one file each: its definition (name, options,
//! choices) beside its handler. Every transport registers the commands
//! listed in [`ALL`] and runs them the same way, so adding a command is one
//! new file plus one line there.

mod answer;
mod answer_message;
mod ask;
mod compare;
mod contact;
mod faq_admin;
mod help;
#[cfg(test)]
pub(crate) mod test_knowledge;
mod topic;
mod topics;

pub use answer::{
    answers_card, component, decline_text, for_match, opened_topic, source_line, topic_reply,
    SUGGESTED_PREFIX, TOPIC_PREFIX,
};
pub use answer_message::{post, Post, ANSWER_MESSAGE, POST_PREFIX};
pub use faq_admin::report_cards as faq_admin_report;

use crate::conversation::Said;
use crate::matcher::Match;
use crate::ops::report::Built;
use crate::reply::Reply;
use crate::Faq;

/// Every command, in the order `/help` lists them (a message command
/// appears in a message's Apps menu, not after a slash).
pub const ALL: &[&dyn SlashCommand] = &[
    &ask::Ask,
    &topic::Topic,
    &compare::Compare,
    &contact::Contact,
    &topics::Topics,
    &help::Help,
    &faq_admin::FaqAdmin,
    &answer_message::AnswerMessage,
];

/// The commands typed after a slash, in `/help`'s order.
pub fn slash_commands() -> impl Iterator<Item = &'static dyn SlashCommand> {
    ALL.iter()
        .copied()
        .filter(|c| c.kind() == CommandKind::Slash)
}

/// Finds a command by name.
pub fn find(name: &str) -> Option<&'static dyn SlashCommand> {
    ALL.iter().copied().find(|c| c.name() == name)
}

/// A command's definition, as Discord registers it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CommandSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub options: Vec<OptionSpec>,
}

/// Where a command is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum CommandKind {
    /// Typed after a slash, with options.
    Slash,
    /// In a message's Apps menu; it takes no options, and is run with the
    /// message as [`TARGET_TEXT`] and [`TARGET_ID`].
    OnMessage,
}

/// The argument a message command gets the message's text in.
pub const TARGET_TEXT: &str = "message";
/// The argument a message command gets the message's id in.
pub const TARGET_ID: &str = "message_id";

/// What an option takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum OptionKind {
    Text,
    /// A member of the server, given to the command as their id.
    Person,
    /// A subcommand (`/faq-admin gaps`), given to the command as
    /// [`SUBCOMMAND`].
    Subcommand,
}

/// The argument a command gets its chosen subcommand's name in.
pub const SUBCOMMAND: &str = "subcommand";

/// An option of a command.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OptionSpec {
    pub name: &'static str,
    pub kind: OptionKind,
    pub description: &'static str,
    pub required: bool,
    pub max_length: Option<u16>,
    pub autocomplete: bool,
    pub choices: Vec<Choice>,
}

/// A choice offered for an option, fixed or by autocomplete.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Choice {
    pub name: String,
    pub value: String,
}

/// The options a user gave, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Args(pub Vec<(String, String)>);

impl Args {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn with(mut self, name: &str, value: &str) -> Args {
        self.0.push((name.to_string(), value.to_string()));
        self
    }
}

/// What running a command led to: the reply, and, when it was asked a
/// question, what the matcher made of it. Transports log and count from
/// this, so a question is matched once however many things want to know.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub reply: Reply,
    pub asked: Option<Asked>,
}

/// A question put to the matcher, and its match.
#[derive(Debug, Clone)]
pub struct Asked {
    pub question: String,
    pub found: Match,
    /// What kind of reply it got; small talk is not a question the
    /// knowledge failed to answer.
    pub said: Said,
}

impl Asked {
    /// The topic a follow-up continues from, if any.
    pub fn topic_to_remember(&self) -> Option<&str> {
        match self.said {
            Said::Answer | Said::Clarify => self.found.topic.as_deref(),
            _ => None,
        }
    }
}

impl From<Reply> for Outcome {
    fn from(reply: Reply) -> Outcome {
        Outcome { reply, asked: None }
    }
}

pub trait SlashCommand: Sync {
    fn name(&self) -> &'static str;
    /// Where Discord shows the command.
    fn kind(&self) -> CommandKind {
        CommandKind::Slash
    }
    /// The permissions (Discord's bit set) a member needs to see the
    /// command until a server's admins say otherwise; `None`: everyone.
    fn default_permissions(&self) -> Option<u64> {
        None
    }
    /// Whether only servers that installed the bot offer it (not a
    /// person's own install, nor DMs).
    fn server_only(&self) -> bool {
        false
    }
    /// The reply of a command that shows the maintainers' report, given
    /// the latest one (`None` while there is none); `None` for the others.
    fn with_report(&self, faq: &Faq, args: &Args, report: Option<&Built>) -> Option<Reply> {
        let _ = (faq, args, report);
        None
    }
    /// The definition; it may depend on the knowledge (the certifications
    /// offered as choices come from it).
    fn spec(&self, faq: &Faq) -> CommandSpec;
    fn run(&self, faq: &Faq, args: &Args) -> Reply;
    /// The reply with what led to it. Commands that match a question
    /// override this (and build `run` on it); the others need not.
    fn outcome(&self, faq: &Faq, args: &Args) -> Outcome {
        self.run(faq, args).into()
    }
    /// [`SlashCommand::outcome`] in a conversation whose last answer was
    /// on `earlier` (a topic id). Commands that take a question follow up
    /// on it; the others need not override this.
    fn outcome_in(&self, faq: &Faq, args: &Args, earlier: Option<&str>) -> Outcome {
        let _ = earlier;
        self.outcome(faq, args)
    }
    /// Choices for the option being typed.
    fn autocomplete(&self, _faq: &Faq, _option: &str, _typed: &str) -> Vec<Choice> {
        Vec::new()
    }
    /// How the console spreads words typed after the command over its
    /// options.
    fn console_args(&self, rest: &str) -> Args {
        let _ = rest;
        Args::default()
    }
}

/// Builds choices from `(name, value)` pairs within Discord's limits:
/// at most 25, names and values 1 to 100 characters.
pub fn choices<I, N, V>(pairs: I) -> Vec<Choice>
where
    I: IntoIterator<Item = (N, V)>,
    N: AsRef<str>,
    V: AsRef<str>,
{
    use crate::limits;
    pairs
        .into_iter()
        .filter(|(_, v)| {
            let len = limits::char_len(v.as_ref());
            (1..=limits::CHOICE_VALUE).contains(&len)
        })
        .map(|(n, v)| Choice {
            name: limits::clamp_nonempty(n.as_ref(), limits::CHOICE_NAME, v.as_ref()),
            value: v.as_ref().to_string(),
        })
        .take(limits::AUTOCOMPLETE_CHOICES)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::char_len;

    fn faq() -> Faq {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
        Faq::load(&dir).unwrap_or_else(|e| panic!("{e}"))
    }

    fn run(name: &str, args: Args) -> Reply {
        let faq = faq();
        let cmd = find(name).unwrap_or_else(|| panic!("no /{name}"));
        cmd.run(&faq, &args)
    }

    #[test]
    fn ask_answers_with_the_topic_card_and_article_link() {
        let reply = run("ask", Args::default().with("question", "does pspo expire?"));
        assert_eq!(reply.title.as_deref(), Some("Does PSPO expire?"));
        assert!(reply
            .footer
            .as_deref()
            .is_some_and(|f| f.contains("28 Jun 2021")));
        assert!(
            matches!(reply.buttons().next(), Some(crate::reply::Button::Link { label, .. }) if label == "Read the full article")
        );
        assert!(!reply.ephemeral);
    }

    #[test]
    fn ask_without_a_match_is_an_ephemeral_fallback() {
        let reply = run(
            "ask",
            Args::default().with("question", "what is the weather tomorrow"),
        );
        assert!(reply.ephemeral);
        assert!(
            reply.description.contains("/topics"),
            "{}",
            reply.description
        );
        assert!(
            reply.description.contains("choosing between CSPO and PSPO"),
            "{}",
            reply.description
        );
    }

    #[test]
    fn autocomplete_offers_at_most_25_valid_choices() {
        let faq = faq();
        let ask = find("ask").unwrap_or_else(|| panic!("no /ask"));
        for typed in ["", "exp", "does pspo", &"x".repeat(300)] {
            let choices = ask.autocomplete(&faq, "question", typed);
            assert!(!choices.is_empty() && choices.len() <= 25, "{typed}");
            assert!(choices
                .iter()
                .all(|c| (1..=100).contains(&char_len(&c.name))
                    && (1..=100).contains(&char_len(&c.value))));
        }
        let choices = ask.autocomplete(&faq, "question", "expire");
        assert!(
            choices.iter().any(|c| c.value == "Does PSPO expire?"),
            "{choices:?}"
        );
    }

    #[test]
    fn compare_shows_a_row_per_dimension_and_refuses_the_same_twice() {
        let faq = faq();
        let reply = run("compare", Args::default());
        assert_eq!(reply.title.as_deref(), Some("CSPO vs PSPO"));
        let names: Vec<&str> = reply.fields.iter().map(|f| f.name.as_str()).collect();
        let labels: Vec<&str> = faq
            .knowledge
            .dimensions
            .iter()
            .map(|d| d.label.as_str())
            .collect();
        assert_eq!(names, labels);
        assert!(reply.fields.iter().all(|f| !f.inline
            && f.value.starts_with("**CSPO:** ")
            && f.value.contains("\n**PSPO:** ")));
        let same = run(
            "compare",
            Args::default().with("first", "pspo").with("second", "pspo"),
        );
        assert!(same.ephemeral);
        assert!(same.fields.is_empty());
        let swapped = run(
            "compare",
            Args::default().with("first", "pspo").with("second", "cspo"),
        );
        assert_eq!(swapped.title.as_deref(), Some("PSPO vs CSPO"));
    }

    #[test]
    fn topics_lists_every_topic_in_a_menu_that_opens_it() {
        let faq = faq();
        let reply = run("topics", Args::default());
        let menu = reply.select.unwrap_or_else(|| panic!("no menu"));
        assert_eq!(menu.options.len(), faq.knowledge.topics.len().min(25));
        for o in &menu.options {
            let opened =
                component(&faq, &o.value).unwrap_or_else(|| panic!("{} opens nothing", o.value));
            assert_eq!(opened.title.as_deref(), Some(o.label.as_str()));
        }
        assert!(component(&faq, "topic:nope").is_none());
    }

    #[test]
    fn contact_and_help_name_the_provider() {
        let contact = run("contact", Args::default());
        assert_eq!(contact.title.as_deref(), Some("Pan Learn"));
        assert!(contact.fields.iter().any(|f| f.value == "408-878-3078"));
        let help = run("help", Args::default());
        assert!(slash_commands().all(|c| help.description.contains(&format!("/{}", c.name()))));
        assert!(help.description.contains(ANSWER_MESSAGE));
    }

    #[test]
    fn command_names_are_unique_and_short_and_slash_names_lowercase() {
        let mut names: Vec<&str> = ALL.iter().map(|c| c.name()).collect();
        assert!(names.iter().all(|n| (1..=32).contains(&n.chars().count())));
        assert!(
            slash_commands().all(|c| c.name().chars().all(|c| c.is_ascii_lowercase() || c == '-'))
        );
        assert_eq!(
            ALL.iter()
                .filter(|c| c.kind() == CommandKind::OnMessage)
                .count(),
            1
        );
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
    }

    #[test]
    fn choices_stay_within_discord_limits() {
        let long = "x".repeat(150);
        let pairs: Vec<(String, String)> = (0..40)
            .map(|i| (format!("{long}{i}"), format!("v{i}")))
            .chain([
                ("name".to_string(), long.clone()),
                ("".to_string(), "ok".to_string()),
            ])
            .collect();
        let out = choices(pairs);
        assert_eq!(out.len(), 25);
        assert!(out
            .iter()
            .all(|c| (1..=100).contains(&c.name.chars().count())
                && (1..=100).contains(&c.value.chars().count())));
    }
}
