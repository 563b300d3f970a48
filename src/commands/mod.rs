//! The slash commands, one file each: its definition (name, options,
//! choices) beside its handler. Every transport registers the commands
//! listed in [`ALL`] and runs them the same way, so adding a command is one
//! new file plus one line there.

mod answer;
mod ask;
mod compare;
mod contact;
mod help;
mod topics;

pub use answer::{component, for_match, topic_reply, TOPIC_PREFIX};

use crate::reply::Reply;
use crate::Faq;

/// Every slash command, in the order `/help` lists them.
pub const ALL: &[&dyn SlashCommand] = &[
    &ask::Ask,
    &compare::Compare,
    &contact::Contact,
    &topics::Topics,
    &help::Help,
];

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

/// A string option of a command.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OptionSpec {
    pub name: &'static str,
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

pub trait SlashCommand: Sync {
    fn name(&self) -> &'static str;
    /// The definition; it may depend on the knowledge (the certifications
    /// offered as choices come from it).
    fn spec(&self, faq: &Faq) -> CommandSpec;
    fn run(&self, faq: &Faq, args: &Args) -> Reply;
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

    #[test]
    fn command_names_are_unique_lowercase_and_short() {
        let mut names: Vec<&str> = ALL.iter().map(|c| c.name()).collect();
        assert!(names
            .iter()
            .all(|n| (1..=32).contains(&n.len()) && n.chars().all(|c| c.is_ascii_lowercase())));
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
