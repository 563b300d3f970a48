//! Running the bot for real: the logs that tell maintainers what it could
//! not answer and what people thought of its answers, the report built
//! from them, and reloading the knowledge while the bot keeps serving.

pub mod feedback;
pub mod gaps;
pub mod jsonl;
pub mod ratelimit;
pub mod reload;
pub mod unanswered;

use serde::{Deserialize, Serialize};

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

/// The current time as RFC 3339 in UTC, to the second.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
