//! "Helpful" / "Not helpful" on answers. A click is a button with
//! custom_id `feedback:<topic>:up|down`; it is counted, logged as one JSON
//! line in `FEEDBACK_LOG` (`./data/feedback.jsonl` by default) and thanked
//! privately. As with unanswered questions, no person is recorded.

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

pub fn record(log: Option<&JsonlLog>, topic: &str, vote: Vote, transport: Transport, place: Place) {
    let Some(log) = log else { return };
    let entry = Feedback {
        time: now_rfc3339(),
        topic: topic.to_string(),
        vote,
        transport,
        guild_id: place.guild_id,
        channel_id: place.channel_id,
    };
    if let Err(e) = log.append(&entry) {
        tracing::warn!(path = %log.path().display(), error = %e, "could not write the feedback log");
    }
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
    }
}
