//! Settings from the environment (and `.env`), read and checked once at
//! start-up. Every variable is listed, with a comment, in `.env.example`.

use std::fmt;
use std::io::Read;
use std::net::SocketAddr;
use std::num::NonZeroU64;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::conversation::{memory, Conversations};
use crate::http::connections::{self, Limits};

use ed25519_dalek::VerifyingKey;

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
    /// A required variable is unset; `hint` says where its value comes from.
    #[error("{name} is not set; {hint}")]
    Missing {
        name: &'static str,
        hint: &'static str,
    },
    /// A variable whose value must not be echoed (a token pasted into the
    /// wrong variable would end up in logs), so only its shape is described.
    #[error("{name} is not valid: {problem}")]
    Malformed { name: &'static str, problem: String },
    /// A secret given both directly and as a file: which one is meant
    /// cannot be guessed.
    #[error("{name} and {file_name} are both set; set only one: the secret itself, or the path of a file that holds it")]
    Conflict {
        name: &'static str,
        file_name: &'static str,
    },
    /// A secret file (`…_FILE`) that cannot be used. Only its path and
    /// what is wrong with it are told, never what it holds.
    #[error("{name} is {path:?}, which {problem}")]
    SecretFile {
        name: &'static str,
        path: PathBuf,
        problem: String,
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

/// The conversation memory: each person's last answer in each place is
/// remembered for `CONTEXT_MINUTES` (default 10; 0 turns follow-ups off),
/// for at most `CONTEXT_MAX` conversations (default 100,000, about 10 MB),
/// the least recently used forgotten first.
pub fn conversations() -> Result<Conversations, ConfigError> {
    conversations_from(var)
}

fn conversations_from(
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Conversations, ConfigError> {
    let minutes = match lookup("CONTEXT_MINUTES") {
        None => memory::DEFAULT_TTL,
        Some(v) => v
            .parse::<f64>()
            .ok()
            .filter(|m| m.is_finite() && *m >= 0.0 && *m <= 24.0 * 60.0)
            .map(|m| Duration::from_secs_f64(m * 60.0))
            .ok_or(ConfigError::Invalid {
                name: "CONTEXT_MINUTES",
                value: v,
                expected: "a number of minutes from 0 to 1440, such as 10",
            })?,
    };
    let max = match lookup("CONTEXT_MAX") {
        None => memory::DEFAULT_CAPACITY,
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=10_000_000).contains(n))
            .ok_or(ConfigError::Invalid {
                name: "CONTEXT_MAX",
                value: v,
                expected: "a whole number of conversations from 1 to 10000000",
            })?,
    };
    Ok(Conversations::new(max, minutes))
}

/// The per-user rate limit on interactions, as (burst, refill period):
/// `RATE_LIMIT_BURST` requests at once (default 8; 0 turns the limit off),
/// then one more every `RATE_LIMIT_REFILL_SECONDS` (default 2).
pub fn rate_limit() -> Result<Option<(u32, Duration)>, ConfigError> {
    rate_limit_from(var)
}

fn rate_limit_from(
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Option<(u32, Duration)>, ConfigError> {
    let burst = match lookup("RATE_LIMIT_BURST") {
        None => crate::ops::ratelimit::DEFAULT_BURST,
        Some(v) => v.parse::<u32>().map_err(|_| ConfigError::Invalid {
            name: "RATE_LIMIT_BURST",
            value: v,
            expected: "a whole number of requests (0 turns the limit off)",
        })?,
    };
    let refill = match lookup("RATE_LIMIT_REFILL_SECONDS") {
        None => crate::ops::ratelimit::DEFAULT_REFILL,
        Some(v) => v
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s > 0.0 && *s <= 86_400.0)
            .map(Duration::from_secs_f64)
            .ok_or(ConfigError::Invalid {
                name: "RATE_LIMIT_REFILL_SECONDS",
                value: v,
                expected: "a number of seconds above 0, such as 2 or 0.5",
            })?,
    };
    Ok((burst > 0).then_some((burst, refill)))
}

fn log_path(name: &str, default: &str) -> Option<PathBuf> {
    match var(name) {
        Some(v) if v.eq_ignore_ascii_case("off") => None,
        Some(v) => Some(PathBuf::from(v)),
        None => Some(PathBuf::from(default)),
    }
}

/// The bot token, from `DISCORD_TOKEN` or the file `DISCORD_TOKEN_FILE`
/// names: `None` when neither is set, so the bot is not meant to connect;
/// `Some(Err(..))` when one is set but unusable (both set, or a file that
/// cannot be read), which is still a bot that was meant to connect.
pub fn discord_token() -> Option<Result<Secret, ConfigError>> {
    discord_token_from(var)
}

fn discord_token_from(
    lookup: impl Fn(&str) -> Option<String>,
) -> Option<Result<Secret, ConfigError>> {
    secret(
        "DISCORD_TOKEN",
        lookup("DISCORD_TOKEN"),
        "DISCORD_TOKEN_FILE",
        lookup("DISCORD_TOKEN_FILE"),
    )
    .transpose()
}

/// The most a secret file may hold. A token is under 100 characters and a
/// public key 64, so anything far larger is the wrong file, and reading
/// stops there.
pub const SECRET_FILE_MAX_BYTES: u64 = 64 * 1024;

/// A secret given directly (`name`) or as the path of a file that holds
/// it (`file_name`), as container secrets and systemd credentials give
/// them; `None` when neither is set.
fn secret(
    name: &'static str,
    value: Option<String>,
    file_name: &'static str,
    file: Option<String>,
) -> Result<Option<Secret>, ConfigError> {
    match (value, file) {
        (Some(_), Some(_)) => Err(ConfigError::Conflict { name, file_name }),
        (Some(value), None) => Ok(Some(Secret::new(value))),
        (None, Some(path)) => read_secret_file(file_name, Path::new(&path)).map(Some),
        (None, None) => Ok(None),
    }
}

/// Reads the secret in the file at `path` (named by the variable `name`),
/// without the whitespace and line break around it. Only a regular file
/// (or a link to one) is read, so a FIFO or a device is refused rather
/// than waited on, and at most [`SECRET_FILE_MAX_BYTES`] of it. No error
/// quotes the file.
pub fn read_secret_file(name: &'static str, path: &Path) -> Result<Secret, ConfigError> {
    let refuse = |problem: String| ConfigError::SecretFile {
        name,
        path: path.to_path_buf(),
        problem,
    };
    let meta = std::fs::metadata(path).map_err(|e| refuse(io_problem(&e)))?;
    if meta.is_dir() {
        return Err(refuse("is a folder, not a file".to_string()));
    }
    if !meta.is_file() {
        return Err(refuse(
            "is not a regular file (a FIFO or a device?)".to_string(),
        ));
    }
    let too_large = || {
        refuse(format!(
            "is larger than {} KiB; it should hold the secret alone",
            SECRET_FILE_MAX_BYTES / 1024
        ))
    };
    if meta.len() > SECRET_FILE_MAX_BYTES {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(SECRET_FILE_MAX_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| refuse(io_problem(&e)))?;
    if bytes.len() as u64 > SECRET_FILE_MAX_BYTES {
        return Err(too_large());
    }
    let text = String::from_utf8(bytes).map_err(|_| refuse("is not UTF-8 text".to_string()))?;
    let value = text.trim();
    if value.is_empty() {
        return Err(refuse("is empty".to_string()));
    }
    if value.contains(['\n', '\r']) {
        return Err(refuse(
            "holds more than one line; it should hold the secret alone".to_string(),
        ));
    }
    Ok(Secret::new(value.to_string()))
}

/// What went wrong opening or reading a file, in words.
fn io_problem(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "does not exist".to_string(),
        std::io::ErrorKind::PermissionDenied => {
            "cannot be read by this user (permission denied)".to_string()
        }
        _ => format!("cannot be read: {e}"),
    }
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

/// How many of the bot's shards this process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shards {
    /// As many as Discord recommends, all in this process.
    Auto,
    /// Shards `first..=last` of `total`; other processes run the rest.
    Range { first: u32, last: u32, total: u32 },
}

/// How long a user waits between two questions the bot answers in
/// messages, unless `MESSAGE_COOLDOWN_SECONDS` says otherwise.
pub const DEFAULT_COOLDOWN: Duration = Duration::from_secs(5);

/// Everything the Discord bot needs, checked before it connects, so a typo
/// in `.env` is one clear line at start-up rather than a surprise later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscordConfig {
    pub token: Secret,
    /// Needed by `register`, which does not connect and so never learns it
    /// from the gateway.
    pub application_id: Option<NonZeroU64>,
    /// Commands go to this guild only, where they appear at once: for
    /// development.
    pub guild_id: Option<NonZeroU64>,
    /// Channels where the bot reads every message and answers what it is
    /// sure of. Needs the privileged Message Content intent.
    pub answer_channels: Vec<NonZeroU64>,
    /// Forum channels where each new post gets at most one answer, in its
    /// thread, when the bot is sure (`FORUM_CHANNELS`). Reading a post's
    /// first message needs the privileged Message Content intent.
    pub forum_channels: Vec<NonZeroU64>,
    /// Forum posts are read by their titles alone, so forums do not need
    /// the Message Content intent (`FORUM_TITLES_ONLY`).
    pub forum_titles_only: bool,
    /// A REST proxy that every API call goes to instead of Discord, such
    /// as twilight's http-proxy, which shares rate limits among processes.
    pub http_proxy: Option<String>,
    pub shards: Shards,
    pub cooldown: Duration,
    /// Where to serve `/healthz` and `/metrics` (`METRICS_ADDR`); off when
    /// unset.
    pub metrics_addr: Option<SocketAddr>,
    /// How long one REST call to Discord may take
    /// (`DISCORD_REST_TIMEOUT_SECONDS`).
    pub rest_timeout: Duration,
    /// The weekly maintainers' digest, when `DIGEST_CHANNEL` is set.
    pub digest: Option<Digest>,
}

/// When and where the weekly digest is posted: `DIGEST_CHANNEL`,
/// `DIGEST_DAY` (default Monday) and `DIGEST_HOUR` (UTC, default 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Digest {
    pub channel: NonZeroU64,
    pub day: chrono::Weekday,
    pub hour: u32,
}

/// Reads the digest's settings; `None` without `DIGEST_CHANNEL`.
fn digest(lookup: &impl Fn(&str) -> Option<String>) -> Result<Option<Digest>, ConfigError> {
    // The day and hour are checked even without a channel, so a typo is
    // found before the channel is added.
    let day = match lookup("DIGEST_DAY") {
        None => chrono::Weekday::Mon,
        Some(v) => v
            .parse::<chrono::Weekday>()
            .map_err(|_| ConfigError::Invalid {
                name: "DIGEST_DAY",
                value: v,
                expected: "a day of the week, such as mon or monday",
            })?,
    };
    let hour = match lookup("DIGEST_HOUR") {
        None => 9,
        Some(v) => v
            .parse::<u32>()
            .ok()
            .filter(|h| *h < 24)
            .ok_or(ConfigError::Invalid {
                name: "DIGEST_HOUR",
                value: v,
                expected: "an hour from 0 to 23, in UTC",
            })?,
    };
    let Some(channel) = lookup("DIGEST_CHANNEL") else {
        return Ok(None);
    };
    let channel = snowflake("DIGEST_CHANNEL", &channel)?;
    Ok(Some(Digest { channel, day, hour }))
}

/// How long one REST call to Discord may take unless
/// `DISCORD_REST_TIMEOUT_SECONDS` says otherwise: Discord answers in well
/// under a second, and an interaction's reply is useless after three.
pub const DEFAULT_REST_TIMEOUT: Duration = Duration::from_secs(10);

impl DiscordConfig {
    /// Reads the configuration from the environment.
    pub fn from_env() -> Result<DiscordConfig, ConfigError> {
        DiscordConfig::from_lookup(var)
    }

    /// Reads the configuration through `lookup`, which returns a variable's
    /// trimmed, non-empty value.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<DiscordConfig, ConfigError> {
        let token = discord_token_from(&lookup)
            .ok_or(ConfigError::Missing {
                name: "DISCORD_TOKEN",
                hint: "set it to your bot's token from the Discord developer portal (Bot, Reset Token), or DISCORD_TOKEN_FILE to a file that holds it; see .env.example",
            })??;
        let id = |name: &'static str| lookup(name).map(|v| snowflake(name, &v)).transpose();
        let ids = |name: &'static str| match lookup(name) {
            None => Ok(Vec::new()),
            Some(list) => list
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|s| !s.is_empty())
                .map(|s| snowflake(name, s))
                .collect::<Result<Vec<_>, _>>(),
        };
        let answer_channels = ids("ANSWER_CHANNELS")?;
        let forum_channels = ids("FORUM_CHANNELS")?;
        let forum_titles_only = match lookup("FORUM_TITLES_ONLY").as_deref() {
            None | Some("" | "0" | "false" | "no" | "off") => false,
            Some("1" | "true" | "yes" | "on") => true,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "FORUM_TITLES_ONLY",
                    value: other.to_string(),
                    expected: "1 or 0 (true or false)",
                })
            }
        };
        let http_proxy = http_proxy(&lookup)?;
        let cooldown = match lookup("MESSAGE_COOLDOWN_SECONDS") {
            None => DEFAULT_COOLDOWN,
            Some(v) => {
                v.parse::<u64>()
                    .map(Duration::from_secs)
                    .map_err(|_| ConfigError::Invalid {
                        name: "MESSAGE_COOLDOWN_SECONDS",
                        value: v,
                        expected: "a whole number of seconds (0 turns the cooldown off)",
                    })?
            }
        };
        Ok(DiscordConfig {
            token,
            application_id: id("DISCORD_APPLICATION_ID")?,
            guild_id: id("DISCORD_GUILD_ID")?,
            answer_channels,
            forum_channels,
            forum_titles_only,
            http_proxy,
            shards: shards(lookup("SHARD_RANGE"), lookup("SHARD_TOTAL"))?,
            cooldown,
            metrics_addr: lookup("METRICS_ADDR")
                .map(|v| socket_addr("METRICS_ADDR", &v))
                .transpose()?,
            rest_timeout: rest_timeout(&lookup)?,
            digest: digest(&lookup)?,
        })
    }
}

/// Discord's API, where calls go with no REST proxy.
pub const DISCORD_API: &str = crate::discord::webhooks::DISCORD_API;

/// `DISCORD_HTTP_PROXY`: a REST proxy's base URL, if one is set.
fn http_proxy(lookup: &impl Fn(&str) -> Option<String>) -> Result<Option<String>, ConfigError> {
    lookup("DISCORD_HTTP_PROXY")
        .map(|v| {
            if (v.starts_with("http://") || v.starts_with("https://"))
                && !v.contains(char::is_whitespace)
            {
                Ok(v.trim_end_matches('/').to_string())
            } else {
                Err(ConfigError::Invalid {
                    name: "DISCORD_HTTP_PROXY",
                    value: v,
                    expected: "a base URL such as http://127.0.0.1:3000",
                })
            }
        })
        .transpose()
}

/// `DISCORD_REST_TIMEOUT_SECONDS`: how long one REST call may take.
fn rest_timeout(lookup: &impl Fn(&str) -> Option<String>) -> Result<Duration, ConfigError> {
    match lookup("DISCORD_REST_TIMEOUT_SECONDS") {
        None => Ok(DEFAULT_REST_TIMEOUT),
        Some(v) => v
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s > 0.0 && *s <= 300.0)
            .map(Duration::from_secs_f64)
            .ok_or(ConfigError::Invalid {
                name: "DISCORD_REST_TIMEOUT_SECONDS",
                value: v,
                expected: "a number of seconds above 0 and at most 300, such as 10",
            }),
    }
}

/// Where `serve-http` listens when neither `--addr` nor `HTTP_ADDR` says.
pub const DEFAULT_HTTP_ADDR: &str = "127.0.0.1:8080";

/// Settings of the HTTP interactions endpoint, checked once at start-up so
/// a bad value stops the server before it accepts anything.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    pub addr: SocketAddr,
    /// The application's public key; every request must be signed with its
    /// private half, which only Discord holds.
    pub public_key: VerifyingKey,
    /// How long each client may take and how many are served at once.
    pub limits: Limits,
    /// Where calls to Discord go: its API, or the REST proxy
    /// `DISCORD_HTTP_PROXY` names.
    pub api_base: String,
    /// How long one of them may take (`DISCORD_REST_TIMEOUT_SECONDS`).
    pub rest_timeout: Duration,
}

impl HttpConfig {
    /// Reads `DISCORD_PUBLIC_KEY` (or the file `DISCORD_PUBLIC_KEY_FILE`
    /// names) and the limits; `addr` comes from the command line (which
    /// already fell back to `HTTP_ADDR` and the default).
    pub fn from_env(addr: &str) -> Result<HttpConfig, ConfigError> {
        HttpConfig::from_lookup(addr, var)
    }

    /// [`HttpConfig::from_env`] through `lookup`, which returns a
    /// variable's trimmed, non-empty value.
    pub fn from_lookup(
        addr: &str,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<HttpConfig, ConfigError> {
        let file = lookup("DISCORD_PUBLIC_KEY_FILE");
        let key = secret(
            "DISCORD_PUBLIC_KEY",
            lookup("DISCORD_PUBLIC_KEY"),
            "DISCORD_PUBLIC_KEY_FILE",
            file.clone(),
        )?;
        let mut config = match (
            HttpConfig::parse(addr, key.as_ref().map(Secret::expose)),
            file,
        ) {
            // The key came from a file: name the file, not the variable.
            (Err(ConfigError::Malformed { problem, .. }), Some(path)) => {
                return Err(ConfigError::SecretFile {
                    name: "DISCORD_PUBLIC_KEY_FILE",
                    path: PathBuf::from(path),
                    problem: format!("does not hold a valid public key: {problem}"),
                })
            }
            (parsed, _) => parsed?,
        };
        config.api_base = http_proxy(&lookup)?.unwrap_or_else(|| DISCORD_API.to_string());
        config.rest_timeout = rest_timeout(&lookup)?;
        config.limits = http_limits_from(lookup)?;
        Ok(config)
    }

    /// The checks behind [`HttpConfig::from_env`], without the environment
    /// (and with the default limits).
    pub fn parse(addr: &str, public_key: Option<&str>) -> Result<HttpConfig, ConfigError> {
        let addr = socket_addr("HTTP_ADDR", addr)?;
        let public_key = public_key.ok_or(ConfigError::Missing {
            name: "DISCORD_PUBLIC_KEY",
            hint: "copy the application's public key from the General Information page of Discord's developer portal (or set DISCORD_PUBLIC_KEY_FILE to a file that holds it)",
        })?;
        Ok(HttpConfig {
            addr,
            public_key: parse_public_key(public_key)?,
            limits: Limits::default(),
            api_base: DISCORD_API.to_string(),
            rest_timeout: DEFAULT_REST_TIMEOUT,
        })
    }
}

/// The limits on each client of `serve-http` (defaults, and why, in
/// [`connections`]): `HTTP_HEAD_TIMEOUT_SECONDS`,
/// `HTTP_BODY_TIMEOUT_SECONDS`, `HTTP_IDLE_TIMEOUT_SECONDS` and
/// `HTTP_MAX_CONNECTIONS`.
fn http_limits_from(lookup: impl Fn(&str) -> Option<String>) -> Result<Limits, ConfigError> {
    let max_connections = match lookup("HTTP_MAX_CONNECTIONS") {
        None => connections::DEFAULT_MAX_CONNECTIONS,
        Some(v) => v
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=1_000_000).contains(n))
            .ok_or(ConfigError::Invalid {
                name: "HTTP_MAX_CONNECTIONS",
                value: v,
                expected: "a whole number of connections from 1 to 1000000",
            })?,
    };
    Ok(Limits {
        head_timeout: timeout(
            "HTTP_HEAD_TIMEOUT_SECONDS",
            lookup("HTTP_HEAD_TIMEOUT_SECONDS"),
            connections::DEFAULT_HEAD_TIMEOUT,
        )?,
        body_timeout: timeout(
            "HTTP_BODY_TIMEOUT_SECONDS",
            lookup("HTTP_BODY_TIMEOUT_SECONDS"),
            connections::DEFAULT_BODY_TIMEOUT,
        )?,
        idle_timeout: timeout(
            "HTTP_IDLE_TIMEOUT_SECONDS",
            lookup("HTTP_IDLE_TIMEOUT_SECONDS"),
            connections::DEFAULT_IDLE_TIMEOUT,
        )?,
        max_connections,
    })
}

/// A timeout in seconds: above 0 (a connection must get some time) and
/// at most an hour (longer is no bound at all).
fn timeout(
    name: &'static str,
    value: Option<String>,
    default: Duration,
) -> Result<Duration, ConfigError> {
    match value {
        None => Ok(default),
        Some(v) => v
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s >= 0.001 && *s <= 3600.0)
            .map(Duration::from_secs_f64)
            .ok_or(ConfigError::Invalid {
                name,
                value: v,
                expected: "a number of seconds from 0.001 to 3600, such as 5 or 0.5",
            }),
    }
}

/// An address to listen on.
fn socket_addr(name: &'static str, value: &str) -> Result<SocketAddr, ConfigError> {
    value.trim().parse().map_err(|_| ConfigError::Invalid {
        name,
        value: value.to_string(),
        expected: "an IP address and port, such as 127.0.0.1:8080 or 0.0.0.0:8080",
    })
}

/// A Discord id: a positive whole number.
fn snowflake(name: &'static str, value: &str) -> Result<NonZeroU64, ConfigError> {
    value
        .trim()
        .parse::<NonZeroU64>()
        .map_err(|_| ConfigError::Invalid {
            name,
            value: value.to_string(),
            expected: "a Discord id (a positive whole number; copy it with Developer Mode on)",
        })
}

/// `SHARD_TOTAL` alone runs every shard of that total here; with
/// `SHARD_RANGE` (`first-last`, inclusive, or one number) only those.
fn shards(range: Option<String>, total: Option<String>) -> Result<Shards, ConfigError> {
    let total = match total {
        None => {
            return match range {
                None => Ok(Shards::Auto),
                Some(_) => Err(ConfigError::Missing {
                    name: "SHARD_TOTAL",
                    hint: "SHARD_RANGE needs it: set SHARD_TOTAL to the number of shards across all processes",
                }),
            };
        }
        Some(t) => match t.parse::<u32>() {
            Ok(n) if n >= 1 => n,
            _ => {
                return Err(ConfigError::Invalid {
                    name: "SHARD_TOTAL",
                    value: t,
                    expected: "a whole number of shards, at least 1",
                })
            }
        },
    };
    let Some(range) = range else {
        return Ok(Shards::Range {
            first: 0,
            last: total - 1,
            total,
        });
    };
    let parsed = match range.split_once('-') {
        Some((a, b)) => a
            .trim()
            .parse::<u32>()
            .ok()
            .zip(b.trim().parse::<u32>().ok()),
        None => range.parse::<u32>().ok().map(|n| (n, n)),
    };
    match parsed {
        Some((first, last)) if first <= last && last < total => {
            Ok(Shards::Range { first, last, total })
        }
        _ => Err(ConfigError::Invalid {
            name: "SHARD_RANGE",
            value: range,
            expected: "FIRST-LAST (inclusive, counted from 0, below SHARD_TOTAL), such as 0-3",
        }),
    }
}

/// Parses an Ed25519 public key written as 64 hex digits, as the developer
/// portal shows it.
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, ConfigError> {
    let malformed = |problem: String| ConfigError::Malformed {
        name: "DISCORD_PUBLIC_KEY",
        problem,
    };
    let text = text.trim();
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(text, &mut bytes).map_err(|e| {
        malformed(match e {
            hex::FromHexError::InvalidHexCharacter { .. } => {
                "expected 64 hex digits, found a character that is not one".to_string()
            }
            _ => format!(
                "expected 64 hex digits, found {} characters",
                text.chars().count()
            ),
        })
    })?;
    let key = VerifyingKey::from_bytes(&bytes)
        .map_err(|_| malformed("those 64 hex digits are not an Ed25519 public key".to_string()))?;
    // A small-order key would accept signatures anyone can make.
    if key.is_weak() {
        return Err(malformed(
            "that is a weak (small-order) key, which no real application has".to_string(),
        ));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<DiscordConfig, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        DiscordConfig::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn only_the_token_is_required() {
        let c = config(&[("DISCORD_TOKEN", "t")]);
        assert_eq!(
            c.map(|c| (c.shards, c.answer_channels.len(), c.cooldown, c.http_proxy)),
            Ok((Shards::Auto, 0, DEFAULT_COOLDOWN, None))
        );
        assert!(matches!(
            config(&[]),
            Err(ConfigError::Missing {
                name: "DISCORD_TOKEN",
                ..
            })
        ));
    }

    #[test]
    fn lists_ids_and_urls_are_read_and_checked() {
        let c = config(&[
            ("DISCORD_TOKEN", "t"),
            ("ANSWER_CHANNELS", "12, 34 56"),
            ("FORUM_CHANNELS", "78"),
            ("DISCORD_HTTP_PROXY", "http://127.0.0.1:3000/"),
            ("DISCORD_GUILD_ID", "99"),
            ("MESSAGE_COOLDOWN_SECONDS", "0"),
        ]);
        let c = c.as_ref().ok();
        let channels: Vec<u64> = c
            .map(|c| c.answer_channels.iter().map(|n| n.get()).collect())
            .unwrap_or_default();
        assert_eq!(channels, [12, 34, 56]);
        let forums: Vec<u64> = c
            .map(|c| c.forum_channels.iter().map(|n| n.get()).collect())
            .unwrap_or_default();
        assert_eq!(forums, [78]);
        assert_eq!(c.and_then(|c| c.digest), None, "no digest unless asked");
        let weekly = config(&[
            ("DISCORD_TOKEN", "t"),
            ("DIGEST_CHANNEL", "5"),
            ("DIGEST_DAY", "friday"),
            ("DIGEST_HOUR", "16"),
        ]);
        assert_eq!(
            weekly.ok().and_then(|c| c.digest),
            NonZeroU64::new(5).map(|channel| Digest {
                channel,
                day: chrono::Weekday::Fri,
                hour: 16
            })
        );
        assert_eq!(
            c.and_then(|c| c.http_proxy.as_deref()),
            Some("http://127.0.0.1:3000")
        );
        assert_eq!(c.and_then(|c| c.guild_id).map(NonZeroU64::get), Some(99));
        assert_eq!(c.map(|c| c.cooldown), Some(Duration::ZERO));
        for (value, titles_only) in [("1", true), ("true", true), ("0", false), ("", false)] {
            let c = config(&[("DISCORD_TOKEN", "t"), ("FORUM_TITLES_ONLY", value)]);
            assert_eq!(
                c.ok().map(|c| c.forum_titles_only),
                Some(titles_only),
                "{value:?}"
            );
        }

        for (name, bad) in [
            ("ANSWER_CHANNELS", "12,general"),
            ("FORUM_CHANNELS", "help-forum"),
            ("FORUM_TITLES_ONLY", "titles"),
            ("DIGEST_CHANNEL", "digest"),
            ("DIGEST_DAY", "someday"),
            ("DIGEST_HOUR", "24"),
            ("DISCORD_GUILD_ID", "0"),
            ("DISCORD_APPLICATION_ID", "-5"),
            ("DISCORD_HTTP_PROXY", "127.0.0.1:3000"),
            ("MESSAGE_COOLDOWN_SECONDS", "soon"),
        ] {
            assert!(
                matches!(config(&[("DISCORD_TOKEN", "t"), (name, bad)]), Err(ConfigError::Invalid { name: n, .. }) if n == name),
                "{name}={bad}"
            );
        }
    }

    #[test]
    fn shard_slices_are_inclusive_and_within_the_total() {
        let s = |r: Option<&str>, t: Option<&str>| shards(r.map(String::from), t.map(String::from));
        assert_eq!(s(None, None), Ok(Shards::Auto));
        assert_eq!(
            s(None, Some("4")),
            Ok(Shards::Range {
                first: 0,
                last: 3,
                total: 4
            })
        );
        assert_eq!(
            s(Some("2-3"), Some("4")),
            Ok(Shards::Range {
                first: 2,
                last: 3,
                total: 4
            })
        );
        assert_eq!(
            s(Some("1"), Some("2")),
            Ok(Shards::Range {
                first: 1,
                last: 1,
                total: 2
            })
        );
        assert!(s(Some("0-1"), None).is_err());
        assert!(s(Some("3-4"), Some("4")).is_err());
        assert!(s(Some("3-2"), Some("4")).is_err());
        assert!(s(None, Some("0")).is_err());
    }

    #[test]
    fn the_token_never_shows_in_the_config_or_its_errors() {
        let c = config(&[
            ("DISCORD_TOKEN", "abc.def.ghi"),
            ("SHARD_RANGE", "x"),
            ("SHARD_TOTAL", "2"),
        ]);
        assert!(!format!("{c:?}").contains("abc.def"));
        let c = config(&[("DISCORD_TOKEN", "abc.def.ghi")]);
        assert!(!format!("{c:?}").contains("abc.def"));
    }

    /// The public key of RFC 8032's first test vector.
    const RFC_KEY: &str = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

    #[test]
    fn http_config_accepts_an_address_and_a_hex_key() {
        let config = HttpConfig::parse("0.0.0.0:9000", Some(RFC_KEY));
        let config = config
            .as_ref()
            .map(|c| (c.addr.to_string(), hex::encode(c.public_key.as_bytes())));
        assert_eq!(
            config,
            Ok(("0.0.0.0:9000".to_string(), RFC_KEY.to_string()))
        );
        assert!(HttpConfig::parse("127.0.0.1:1", Some(&RFC_KEY.to_uppercase())).is_ok());
    }

    #[test]
    fn http_config_refuses_a_missing_or_malformed_key_without_echoing_it() {
        let missing = HttpConfig::parse("127.0.0.1:8080", None).err();
        assert!(matches!(
            missing,
            Some(ConfigError::Missing {
                name: "DISCORD_PUBLIC_KEY",
                ..
            })
        ));
        for bad in [
            "abc",
            "MTIzNDU2Nzg5MC5hYmNkZWYuZ2hpamts",
            &"zz".repeat(32),
            &"ab".repeat(33),
        ] {
            let err = HttpConfig::parse("127.0.0.1:8080", Some(bad)).err();
            let line = err.as_ref().map(ToString::to_string).unwrap_or_default();
            assert!(
                line.starts_with("DISCORD_PUBLIC_KEY is not valid"),
                "{line}"
            );
            assert!(!line.contains(bad) && !line.contains('\n'), "{line}");
        }
    }

    #[test]
    fn http_config_refuses_a_weak_key() {
        // The identity point: every signature with R = identity, s = 0 verifies.
        let identity = format!("01{}", "00".repeat(31));
        let err = HttpConfig::parse("127.0.0.1:8080", Some(&identity)).err();
        let line = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(line.contains("weak"), "{line}");
    }

    #[test]
    fn http_config_refuses_a_bad_address() {
        let err = HttpConfig::parse("localhost", Some(RFC_KEY)).err();
        assert!(matches!(
            err,
            Some(ConfigError::Invalid {
                name: "HTTP_ADDR",
                ..
            })
        ));
    }

    #[test]
    fn http_limits_have_defaults_can_be_tuned_and_refuse_nonsense() {
        let limits = |vars: &[(&str, &str)]| {
            http_limits_from(|name| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            })
        };
        assert_eq!(limits(&[]), Ok(Limits::default()));
        assert_eq!(
            limits(&[
                ("HTTP_HEAD_TIMEOUT_SECONDS", "0.5"),
                ("HTTP_BODY_TIMEOUT_SECONDS", "2"),
                ("HTTP_IDLE_TIMEOUT_SECONDS", "90"),
                ("HTTP_MAX_CONNECTIONS", "16"),
            ]),
            Ok(Limits {
                head_timeout: Duration::from_millis(500),
                body_timeout: Duration::from_secs(2),
                idle_timeout: Duration::from_secs(90),
                max_connections: 16,
            })
        );
        for (name, value) in [
            ("HTTP_HEAD_TIMEOUT_SECONDS", "0"),
            ("HTTP_BODY_TIMEOUT_SECONDS", "soon"),
            ("HTTP_IDLE_TIMEOUT_SECONDS", "-1"),
            ("HTTP_IDLE_TIMEOUT_SECONDS", "inf"),
            ("HTTP_MAX_CONNECTIONS", "0"),
            ("HTTP_MAX_CONNECTIONS", "lots"),
        ] {
            assert!(
                matches!(limits(&[(name, value)]), Err(ConfigError::Invalid { name: n, .. }) if n == name),
                "{name}={value}"
            );
        }
    }

    #[test]
    fn the_metrics_address_is_optional_and_checked() {
        let off = config(&[("DISCORD_TOKEN", "t")]).map(|c| c.metrics_addr);
        assert_eq!(off, Ok(None));
        let on = config(&[("DISCORD_TOKEN", "t"), ("METRICS_ADDR", "127.0.0.1:9100")])
            .map(|c| c.metrics_addr.map(|a| a.port()));
        assert_eq!(on, Ok(Some(9100)));
        assert!(matches!(
            config(&[("DISCORD_TOKEN", "t"), ("METRICS_ADDR", "localhost")]),
            Err(ConfigError::Invalid {
                name: "METRICS_ADDR",
                ..
            })
        ));
    }

    #[test]
    fn conversation_memory_has_defaults_and_refuses_nonsense() {
        let memory = |vars: &[(&str, &str)]| {
            conversations_from(|name| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            })
        };
        let key = crate::conversation::Key {
            place: 1,
            person: 2,
        };
        let now = std::time::Instant::now();
        let on = memory(&[("CONTEXT_MINUTES", "1"), ("CONTEXT_MAX", "5")])
            .unwrap_or_else(|e| panic!("{e}"));
        on.remember(key, "pspo-validity", now);
        assert!(on.recall(key, now + Duration::from_secs(59)).is_some());
        assert!(on.recall(key, now + Duration::from_secs(61)).is_none());
        let off = memory(&[("CONTEXT_MINUTES", "0")]).unwrap_or_else(|e| panic!("{e}"));
        off.remember(key, "pspo-validity", now);
        assert!(
            off.recall(key, now).is_none(),
            "0 minutes turns follow-ups off"
        );
        assert!(memory(&[]).is_ok());
        for (name, value) in [
            ("CONTEXT_MINUTES", "-1"),
            ("CONTEXT_MINUTES", "soon"),
            ("CONTEXT_MAX", "0"),
            ("CONTEXT_MAX", "many"),
        ] {
            assert!(
                matches!(memory(&[(name, value)]), Err(ConfigError::Invalid { name: n, .. }) if n == name),
                "{name}={value}"
            );
        }
    }

    #[test]
    fn the_rate_limit_has_defaults_can_be_tuned_and_turned_off() {
        let limit = |vars: &[(&str, &str)]| {
            rate_limit_from(|name| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            })
        };
        assert_eq!(limit(&[]), Ok(Some((8, Duration::from_secs(2)))));
        assert_eq!(
            limit(&[
                ("RATE_LIMIT_BURST", "3"),
                ("RATE_LIMIT_REFILL_SECONDS", "0.5")
            ]),
            Ok(Some((3, Duration::from_millis(500))))
        );
        assert_eq!(limit(&[("RATE_LIMIT_BURST", "0")]), Ok(None));
        for (name, value) in [
            ("RATE_LIMIT_BURST", "-1"),
            ("RATE_LIMIT_REFILL_SECONDS", "0"),
            ("RATE_LIMIT_REFILL_SECONDS", "soon"),
        ] {
            assert!(
                matches!(limit(&[(name, value)]), Err(ConfigError::Invalid { name: n, .. }) if n == name),
                "{name}={value}"
            );
        }
    }

    /// The names of the variables the code reads, found in its source:
    /// `var("X")`, `lookup("X")`, `id("X")`, `log_path("X", ..)` and
    /// clap's `env = "X"`.
    fn variables_read(dir: &std::path::Path, out: &mut std::collections::BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                variables_read(&path, out);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for opener in ["var(\"", "lookup(\"", "id(\"", "log_path(\"", "env = \""] {
                for (at, _) in text.match_indices(opener) {
                    let rest = &text[at + opener.len()..];
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_uppercase() || *c == '_')
                        .collect();
                    if name.len() > 2 && rest[name.len()..].starts_with('"') {
                        out.insert(name);
                    }
                }
            }
        }
    }

    #[test]
    fn every_variable_read_is_documented_in_env_example_and_the_readme() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut names = std::collections::BTreeSet::new();
        variables_read(&root.join("src"), &mut names);
        for known in [
            "DISCORD_TOKEN",
            "DISCORD_APPLICATION_ID",
            "KNOWLEDGE_DIR",
            "RATE_LIMIT_BURST",
        ] {
            assert!(names.contains(known), "{known} not found in {names:?}");
        }
        let example = std::fs::read_to_string(root.join(".env.example")).unwrap_or_default();
        let readme = std::fs::read_to_string(root.join("README.md")).unwrap_or_default();
        for name in &names {
            assert!(
                example.lines().any(|l| l.starts_with(&format!("{name}="))),
                "{name} is missing from .env.example"
            );
            assert!(
                readme.contains(&format!("`{name}`")) || readme.contains(&format!("`{name}=")),
                "{name} is missing from the README"
            );
        }
    }

    /// A file holding `content`, in a folder of its own (kept alive by the
    /// returned guard).
    fn secret_file(content: &[u8]) -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("secret");
        std::fs::write(&path, content).unwrap_or_else(|e| panic!("{e}"));
        (dir, path.display().to_string())
    }

    #[test]
    fn the_token_can_come_from_a_file_without_its_line_break() {
        let (_dir, path) = secret_file(b"abc.def.ghi\n");
        let c = config(&[("DISCORD_TOKEN_FILE", &path)]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.token.expose(), "abc.def.ghi");
        assert!(!format!("{c:?}").contains("abc.def"), "{c:?}");
        let (_dir, path) = secret_file(b"  abc.def.ghi \r\n\n");
        let token = discord_token_from(|n| (n == "DISCORD_TOKEN_FILE").then(|| path.clone()));
        assert_eq!(
            token.map(|t| t.map(|s| s.expose().to_string())),
            Some(Ok("abc.def.ghi".to_string()))
        );
        assert!(discord_token_from(|_| None).is_none());
    }

    #[test]
    fn a_token_and_a_token_file_together_are_refused_naming_both() {
        let (_dir, path) = secret_file(b"from.the.file\n");
        let err = config(&[
            ("DISCORD_TOKEN", "from.the.variable"),
            ("DISCORD_TOKEN_FILE", &path),
        ])
        .err();
        assert_eq!(
            err,
            Some(ConfigError::Conflict {
                name: "DISCORD_TOKEN",
                file_name: "DISCORD_TOKEN_FILE"
            })
        );
        let line = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(
            line.contains("DISCORD_TOKEN and DISCORD_TOKEN_FILE are both set"),
            "{line}"
        );
        assert!(
            !line.contains("from.the") && !line.contains(&path),
            "{line}"
        );
        // Still a bot that was meant to connect, not the console.
        let token = discord_token_from(|n| match n {
            "DISCORD_TOKEN" => Some("x".to_string()),
            "DISCORD_TOKEN_FILE" => Some(path.clone()),
            _ => None,
        });
        assert!(matches!(token, Some(Err(ConfigError::Conflict { .. }))));
    }

    #[test]
    fn an_unusable_token_file_is_named_and_never_quoted() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let missing = dir.path().join("nope").display().to_string();
        let (_a, empty) = secret_file(b"");
        let (_b, blank) = secret_file(b" \n\t\n");
        let (_c, two_lines) = secret_file(b"DISCORD_TOKEN=abc.def.ghi\nOTHER=abc.def.ghi\n");
        let (_d, binary) = secret_file(b"abc.def.ghi\xff\xfe");
        let huge_content = vec![b'a'; SECRET_FILE_MAX_BYTES as usize + 1];
        let (_e, huge) = secret_file(&huge_content);
        let folder = dir.path().display().to_string();
        for (path, expected) in [
            (&missing, "does not exist"),
            (&empty, "is empty"),
            (&blank, "is empty"),
            (&two_lines, "more than one line"),
            (&binary, "not UTF-8"),
            (&huge, "larger than 64 KiB"),
            (&folder, "is a folder"),
        ] {
            let err = config(&[("DISCORD_TOKEN_FILE", path)]).err();
            assert!(
                matches!(&err, Some(ConfigError::SecretFile { name: "DISCORD_TOKEN_FILE", path: p, .. }) if p == Path::new(path)),
                "{path}: {err:?}"
            );
            let line = err.as_ref().map(ToString::to_string).unwrap_or_default();
            assert!(
                line.starts_with(&format!("DISCORD_TOKEN_FILE is {path:?}, which ")),
                "{line}"
            );
            assert!(line.contains(expected), "{path}: {line}");
            for shown in [line, format!("{err:?}")] {
                assert!(
                    !shown.contains("abc.def") && !shown.contains("aaaa"),
                    "{shown}"
                );
            }
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_as_the_token_file_is_refused_not_waited_on() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("fifo");
        let c_path = std::ffi::CString::new(path.as_os_str().as_encoded_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        // SAFETY: mkfifo(3) with a valid NUL-terminated path in a folder
        // this test owns.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
        let err = read_secret_file("DISCORD_TOKEN_FILE", &path).err();
        let line = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(line.contains("not a regular file"), "{line}");
    }

    #[test]
    fn the_public_key_can_come_from_a_file() {
        let http = |vars: &[(&str, &str)]| {
            HttpConfig::from_lookup("127.0.0.1:0", |name| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            })
        };
        let (_dir, path) = secret_file(format!("{RFC_KEY}\n").as_bytes());
        let key = http(&[("DISCORD_PUBLIC_KEY_FILE", &path)])
            .map(|c| hex::encode(c.public_key.as_bytes()));
        assert_eq!(key, Ok(RFC_KEY.to_string()));

        assert_eq!(
            http(&[
                ("DISCORD_PUBLIC_KEY", RFC_KEY),
                ("DISCORD_PUBLIC_KEY_FILE", &path)
            ])
            .err(),
            Some(ConfigError::Conflict {
                name: "DISCORD_PUBLIC_KEY",
                file_name: "DISCORD_PUBLIC_KEY_FILE"
            })
        );

        // A token saved where the key should be: the file is named, what
        // it holds is not shown.
        let (_dir, wrong) = secret_file(b"MTIzNDU2Nzg5MC5hYmNkZWYuZ2hpamts\n");
        let err = http(&[("DISCORD_PUBLIC_KEY_FILE", &wrong)]).err();
        let line = err.as_ref().map(ToString::to_string).unwrap_or_default();
        assert!(
            line.starts_with(&format!("DISCORD_PUBLIC_KEY_FILE is {wrong:?}, which does not hold a valid public key: expected 64 hex digits")),
            "{line}"
        );
        assert!(
            !line.contains("MTIz") && !format!("{err:?}").contains("MTIz"),
            "{line}"
        );

        let (_dir, empty) = secret_file(b"\n");
        assert!(matches!(
            http(&[("DISCORD_PUBLIC_KEY_FILE", &empty)]),
            Err(ConfigError::SecretFile {
                name: "DISCORD_PUBLIC_KEY_FILE",
                ..
            })
        ));
        // The limits are still read.
        let limited = http(&[
            ("DISCORD_PUBLIC_KEY_FILE", &path),
            ("HTTP_MAX_CONNECTIONS", "7"),
        ])
        .map(|c| c.limits.max_connections);
        assert_eq!(limited, Ok(7));
    }

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("abc.def.ghi".into());
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(s.expose(), "abc.def.ghi");
    }
}
