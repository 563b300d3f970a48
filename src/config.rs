//! Settings from the environment (and `.env`), read and checked once at
//! start-up. Every variable is listed, with a comment, in `.env.example`.

use std::fmt;
use std::path::PathBuf;

/// A secret that never shows in logs or debug output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Secret {
        Secret(value)
    }

    /// The secret itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("{name} is {value:?}; expected {expected}")]
    Invalid {
        name: &'static str,
        value: String,
        expected: &'static str,
    },
}

/// Reads a variable; empty counts as unset, so `FOO=` in `.env` is harmless.
pub fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

pub fn knowledge_dir() -> PathBuf {
    var("KNOWLEDGE_DIR").map_or_else(|| PathBuf::from("knowledge"), PathBuf::from)
}

/// Where unanswered questions are logged (`UNANSWERED_LOG`); `off`
/// disables the log.
pub fn unanswered_log() -> Option<PathBuf> {
    log_path("UNANSWERED_LOG", "data/unanswered.jsonl")
}

/// Where answer feedback is logged (`FEEDBACK_LOG`); `off` disables it.
pub fn feedback_log() -> Option<PathBuf> {
    log_path("FEEDBACK_LOG", "data/feedback.jsonl")
}

/// The size at which a log file is rotated (`LOG_MAX_BYTES`).
pub fn log_max_bytes() -> Result<u64, ConfigError> {
    match var("LOG_MAX_BYTES") {
        None => Ok(crate::ops::jsonl::DEFAULT_MAX_BYTES),
        Some(v) => v
            .parse::<u64>()
            .ok()
            .filter(|n| *n >= 1024)
            .ok_or(ConfigError::Invalid {
                name: "LOG_MAX_BYTES",
                value: v,
                expected: "a number of bytes, at least 1024",
            }),
    }
}

fn log_path(name: &str, default: &str) -> Option<PathBuf> {
    match var(name) {
        Some(v) if v.eq_ignore_ascii_case("off") => None,
        Some(v) => Some(PathBuf::from(v)),
        None => Some(PathBuf::from(default)),
    }
}

pub fn discord_token() -> Option<Secret> {
    var("DISCORD_TOKEN").map(Secret::new)
}

pub fn log_format() -> Result<LogFormat, ConfigError> {
    match var("LOG_FORMAT")
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("text") => Ok(LogFormat::Text),
        Some("json") => Ok(LogFormat::Json),
        Some(other) => Err(ConfigError::Invalid {
            name: "LOG_FORMAT",
            value: other.to_string(),
            expected: "text or json",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("abc.def.ghi".into());
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(s.expose(), "abc.def.ghi");
    }
}
