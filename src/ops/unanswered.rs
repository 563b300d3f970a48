//! The questions the bot could not answer, or answered unsure: the
//! maintainers' to-do list. Each is one JSON line in `UNANSWERED_LOG`
//! (`./data/unanswered.jsonl` by default). Nothing that identifies a person
//! is written: no user ids, no names, nothing from the environment.

use serde::{Deserialize, Serialize};

use super::jsonl::JsonlLog;
use super::{now_rfc3339, Place, Transport};
use crate::limits::clamp;
use crate::matcher::Match;

/// How much of a question is kept.
pub const MAX_QUESTION_CHARS: usize = 300;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unanswered {
    pub time: String,
    pub question: String,
    pub transport: Transport,
    pub guild_id: Option<u64>,
    pub channel_id: Option<u64>,
    /// The topic that came closest, and its score.
    pub candidate: Option<String>,
    pub score: f32,
    /// The kind of fact the article lacks, when that was the reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown: Option<String>,
}

/// Whether a match belongs in the log: no topic, or not a confident one.
pub fn is_unanswered(found: &Match) -> bool {
    !found.is_confident()
}

impl Unanswered {
    pub fn new(question: &str, found: &Match, transport: Transport, place: Place) -> Unanswered {
        Unanswered {
            time: now_rfc3339(),
            question: clamp(question.trim(), MAX_QUESTION_CHARS),
            transport,
            guild_id: place.guild_id,
            channel_id: place.channel_id,
            candidate: found
                .topic
                .clone()
                .or_else(|| found.suggestions.first().cloned()),
            score: (found.confidence * 1000.0).round() / 1000.0,
            unknown: found.unknown.clone(),
        }
    }
}

/// Logs `question` when it went unanswered. Logging failures are reported
/// in the log, never to the person asking.
pub fn record(
    log: Option<&JsonlLog>,
    question: &str,
    found: &Match,
    transport: Transport,
    place: Place,
) {
    let Some(log) = log else { return };
    if question.trim().is_empty() || !is_unanswered(found) {
        return;
    }
    if let Err(e) = log.append(&Unanswered::new(question, found, transport, place)) {
        tracing::warn!(path = %log.path().display(), error = %e, "could not write the unanswered log");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_questions_are_trimmed_and_no_person_is_recorded() {
        let found = Match {
            topic: None,
            confidence: 0.123456,
            suggestions: vec!["provider".into()],
            unknown: Some("price".into()),
            ..Match::default()
        };
        let record = Unanswered::new(
            &"how much ".repeat(100),
            &found,
            Transport::Slash,
            Place {
                guild_id: Some(1),
                channel_id: Some(2),
            },
        );
        assert_eq!(record.question.chars().count(), MAX_QUESTION_CHARS);
        assert_eq!(record.candidate.as_deref(), Some("provider"));
        assert_eq!(record.score, 0.123);
        let json = serde_json::to_value(&record).unwrap_or_default();
        let keys: Vec<&str> = json
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        assert_eq!(
            keys,
            [
                "candidate",
                "channel_id",
                "guild_id",
                "question",
                "score",
                "time",
                "transport",
                "unknown"
            ]
        );
        assert_eq!(json["transport"], "slash");
    }
}
