//! "Helpful" / "Not helpful" on answers. A click is a button with
//! custom_id `feedback:<topic>:up|down`; it is counted once per person and
//! answer ([`super::votes`]), logged as one JSON line in `FEEDBACK_LOG`
//! (`./data/feedback.jsonl` by default) with the question the answer
//! answered, and thanked privately. "Not helpful" also offers a one-field
//! form, whose comment is logged the same way. As with unanswered
//! questions, no person is recorded.

use serde::{Deserialize, Serialize};

use super::jsonl::JsonlLog;
use super::{now_rfc3339, Place, Transport};

pub const PREFIX: &str = "feedback:";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Vote {
    Up,
    Down,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feedback {
    pub time: String,
    pub topic: String,
    pub vote: Vote,
    pub transport: Transport,
    pub guild_id: Option<u64>,
    pub channel_id: Option<u64>,
    /// The question the answer answered, trimmed as the unanswered log
    /// trims it, when the answer shows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// What the person said they were looking for (the form after "Not
    /// helpful"); such a line comments on a vote logged before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// This vote replaces the same person's other vote on that answer.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub changed: bool,
}

/// The longest comment the form takes.
pub const MAX_COMMENT_CHARS: u16 = 300;

/// What one feedback line says beyond its topic and vote.
#[derive(Debug, Clone, Default)]
pub struct Details<'a> {
    pub question: Option<&'a str>,
    pub comment: Option<&'a str>,
    pub changed: bool,
}

impl Vote {
    /// As written in custom_ids, logs and metric labels.
    pub fn as_str(self) -> &'static str {
        match self {
            Vote::Up => "up",
            Vote::Down => "down",
        }
    }
}

/// The custom_id of a feedback button.
pub fn custom_id(topic: &str, vote: Vote) -> String {
    format!("{PREFIX}{topic}:{}", vote.as_str())
}

/// Reads a feedback button's custom_id.
pub fn parse(custom_id: &str) -> Option<(&str, Vote)> {
    let rest = custom_id.strip_prefix(PREFIX)?;
    let (topic, vote) = rest.rsplit_once(':')?;
    let vote = match vote {
        "up" => Vote::Up,
        "down" => Vote::Down,
        _ => return None,
    };
    (!topic.is_empty()).then_some((topic, vote))
}

pub fn record(
    log: Option<&JsonlLog>,
    topic: &str,
    vote: Vote,
    details: &Details<'_>,
    transport: Transport,
    place: Place,
) {
    let Some(log) = log else { return };
    let trimmed = |text: Option<&str>, max: usize| {
        text.map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| crate::limits::clamp(t, max))
    };
    let entry = Feedback {
        time: now_rfc3339(),
        topic: topic.to_string(),
        vote,
        transport,
        guild_id: place.guild_id,
        channel_id: place.channel_id,
        question: trimmed(details.question, super::unanswered::MAX_QUESTION_CHARS),
        comment: trimmed(details.comment, usize::from(MAX_COMMENT_CHARS)),
        changed: details.changed,
    };
    if let Err(e) = log.append(&entry) {
        tracing::warn!(path = %log.path().display(), error = %e, "could not write the feedback log");
    }
}

/// The form "Not helpful" opens: `feedback-form:<topic>`.
pub const FORM_PREFIX: &str = "feedback-form:";
/// The form's one field.
pub const FORM_FIELD: &str = "looking-for";

pub fn form_id(topic: &str) -> String {
    format!("{FORM_PREFIX}{topic}")
}

/// The topic a submitted form is about.
pub fn form_topic(custom_id: &str) -> Option<&str> {
    custom_id
        .strip_prefix(FORM_PREFIX)
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_ids_round_trip_and_junk_is_refused() {
        for vote in [Vote::Up, Vote::Down] {
            let id = custom_id("pspo-validity", vote);
            assert!(id.len() <= 100);
            assert_eq!(parse(&id), Some(("pspo-validity", vote)));
        }
        assert_eq!(parse("feedback:x:sideways"), None);
        assert_eq!(parse("feedback::up"), None);
        assert_eq!(parse("topic:x"), None);
        assert_eq!(form_topic(&form_id("pspo-validity")), Some("pspo-validity"));
        assert_eq!(form_topic("feedback-form:"), None);
    }

    #[test]
    fn old_lines_still_read_and_new_ones_carry_the_question() {
        let old: Feedback = serde_json::from_str(
            r#"{"time":"2026-01-01T00:00:00Z","topic":"t","vote":"down","transport":"http","guild_id":null,"channel_id":null}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (old.question, old.comment, old.changed),
            (None, None, false)
        );
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("feedback.jsonl");
        let log = JsonlLog::new(path.clone(), 1 << 20);
        record(
            Some(&log),
            "pspo-validity",
            Vote::Down,
            &Details {
                question: Some(&format!("  {}  ", "why ".repeat(200))),
                comment: Some("the renewal fee"),
                changed: true,
            },
            Transport::Http,
            Place::default(),
        );
        drop(log);
        let line = std::fs::read_to_string(&path).unwrap_or_default();
        let entry: Feedback =
            serde_json::from_str(line.trim()).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert_eq!(
            entry.question.as_deref().map(|q| q.chars().count()),
            Some(300)
        );
        assert_eq!(entry.comment.as_deref(), Some("the renewal fee"));
        assert!(entry.changed);
        assert!(!line.contains("user"), "{line}");
    }
}
