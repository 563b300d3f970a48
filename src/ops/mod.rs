//! Running the bot for real: the logs that tell maintainers what it could
//! not answer and what people thought of its answers, the report built
//! from them, and reloading the knowledge while the bot keeps serving.

pub mod feedback;
pub mod gaps;
pub mod jsonl;
pub mod ratelimit;
pub mod reload;
pub mod replay;
pub mod report;
pub mod unanswered;
pub mod votes;

use serde::{Deserialize, Serialize};

use crate::conversation::Conversations;

use crate::config::{self, ConfigError};
use jsonl::JsonlLog;
use ratelimit::RateLimit;

/// What serving people needs beside the knowledge: the logs maintainers
/// read and the per-user rate limit. One is shared by every request of a
/// process, whichever transport brought it.
#[derive(Default)]
pub struct Operations {
    /// Questions answered with no topic or unsure (`UNANSWERED_LOG`).
    pub unanswered: Option<JsonlLog>,
    /// "Helpful" / "Not helpful" clicks (`FEEDBACK_LOG`).
    pub feedback: Option<JsonlLog>,
    /// How fast one person may use the bot; `None` when turned off.
    pub rate_limit: Option<RateLimit>,
    /// The last topic answered to each person in each place, for
    /// follow-ups (`CONTEXT_MINUTES`, `CONTEXT_MAX`).
    pub conversations: Conversations,
    /// Who voted what on which answer, salted and hashed, so each person
    /// counts once per answer.
    pub votes: votes::Votes,
    /// Where the logs above are, for the maintainers' report.
    pub log_paths: report::LogPaths,
    /// The latest maintainers' report, for `/faq-admin` and the digest.
    pub report: report::LatestReport,
}

impl Operations {
    /// The logs and the limit as the environment sets them.
    pub fn from_env() -> Result<Operations, ConfigError> {
        let max_bytes = config::log_max_bytes()?;
        let log_paths = report::LogPaths {
            unanswered: config::unanswered_log(),
            feedback: config::feedback_log(),
        };
        Ok(Operations {
            unanswered: config::unanswered_log().map(|p| JsonlLog::new(p, max_bytes)),
            feedback: config::feedback_log().map(|p| JsonlLog::new(p, max_bytes)),
            rate_limit: config::rate_limit()?.map(|(burst, refill)| RateLimit::new(burst, refill)),
            conversations: config::conversations()?,
            votes: votes::Votes::default(),
            log_paths,
            report: report::LatestReport::default(),
        })
    }
}

impl Drop for Operations {
    /// Gives both logs one bounded wait for their queued lines together,
    /// so a stalled disk delays the exit by [`jsonl::CLOSE_WAIT`] at most.
    fn drop(&mut self) {
        let logs: Vec<&JsonlLog> = [&self.unanswered, &self.feedback]
            .into_iter()
            .flatten()
            .collect();
        if !logs.is_empty() {
            JsonlLog::close_all(&logs, jsonl::CLOSE_WAIT);
        }
    }
}

/// How a question reached the bot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// A slash command through the gateway.
    Slash,
    /// A plain message through the gateway.
    Message,
    /// Discord's HTTP interactions endpoint.
    Http,
    /// The local console or command line.
    Console,
}

/// Where in Discord something happened: ids of places, never of people.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    pub guild_id: Option<u64>,
    pub channel_id: Option<u64>,
}

impl Place {
    /// A place in Discord. Outside a guild the channel is a direct
    /// message, which belongs to one person, so its id is left out.
    pub fn in_discord(guild_id: Option<u64>, channel_id: u64) -> Place {
        Place {
            guild_id,
            channel_id: guild_id.map(|_| channel_id),
        }
    }
}

/// The current time as RFC 3339 in UTC, to the second.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_direct_messages_channel_is_not_recorded() {
        assert_eq!(
            Place::in_discord(Some(1), 2),
            Place {
                guild_id: Some(1),
                channel_id: Some(2)
            }
        );
        assert_eq!(Place::in_discord(None, 2), Place::default());
    }
}
