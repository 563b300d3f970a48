//! With `DISCORD_HTTP_PROXY`, the two calls that answer people (a reply
//! to a message, an interaction's response) are sent here rather than by
//! serenity: serenity turns a failed response into an error that keeps
//! the status but not the body, so a 429's `retry_after` would be lost,
//! and with a proxy serenity's own rate limiter (which reads it) is off.
//! Here a 429 waits what Discord says, within the call's deadline.

use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;
use tracing::warn;

/// Tries at most this many times in all.
const MAX_ATTEMPTS: u32 = 4;
/// The wait after a 429 whose body and headers say nothing.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);
/// The first wait after a connection that could not be opened, doubled.
const FIRST_BACKOFF: Duration = Duration::from_millis(200);

#[derive(Debug, thiserror::Error)]
pub enum RestError {
    #[error("gave up after {attempts} tries (429, 5xx or no connection): the next, after {next_wait:?}, would be past the deadline or the last")]
    GaveUp { attempts: u32, next_wait: Duration },
    #[error("Discord answered {status}: {message}")]
    Status { status: u16, message: String },
    #[error("the request failed: {0}")]
    Request(#[from] reqwest::Error),
    #[error("Discord's answer is not what it documents: {0}")]
    Unexpected(String),
}

/// Posts to the REST proxy with the bot's token.
pub struct DirectRest {
    client: reqwest::Client,
    base: String,
    authorization: String,
}

impl DirectRest {
    /// A client for the proxy at `base` (such as `http://127.0.0.1:3000`),
    /// each call bounded by `timeout`.
    pub fn new(base: &str, token: &str, timeout: Duration) -> Result<DirectRest, RestError> {
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()?;
        Ok(DirectRest {
            client,
            base: base.trim_end_matches('/').to_string(),
            authorization: format!("Bot {token}"),
        })
    }

    /// Posts a message in `channel`; returns the new message's id.
    pub async fn send_message<B: Serialize>(
        &self,
        channel: u64,
        body: &B,
        deadline: Instant,
    ) -> Result<u64, RestError> {
        let path = format!("/api/v10/channels/{channel}/messages");
        // Posting twice shows twice: a 5xx may come after the post was made.
        let created = self.post(&path, body, true, false, deadline).await?;
        created
            .as_ref()
            .and_then(|m| m["id"].as_str())
            .and_then(|id| id.parse().ok())
            .ok_or_else(|| RestError::Unexpected("a created message without an id".into()))
    }

    /// Answers interaction `id` (authorized by its `token`, not the bot's).
    pub async fn respond<B: Serialize>(
        &self,
        id: u64,
        token: &str,
        body: &B,
        deadline: Instant,
    ) -> Result<(), RestError> {
        let path = format!("/api/v10/interactions/{id}/{token}/callback");
        // Answering twice is refused by Discord, never shown twice, so a
        // 5xx is worth another try.
        self.post(&path, body, false, true, deadline)
            .await
            .map(|_| ())
    }

    /// Posts `body`, waiting out 429s and retrying connections that did
    /// not open, within `deadline`; a 5xx too when `after_5xx` says doing
    /// it twice is harmless.
    async fn post<B: Serialize>(
        &self,
        path: &str,
        body: &B,
        authorized: bool,
        after_5xx: bool,
        deadline: Instant,
    ) -> Result<Option<Value>, RestError> {
        let url = format!("{}{path}", self.base);
        let bytes = serde_json::to_vec(body).map_err(|e| RestError::Unexpected(e.to_string()))?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut request = self
                .client
                .post(&url)
                .header("content-type", "application/json")
                .body(bytes.clone());
            if authorized {
                request = request.header("authorization", &self.authorization);
            }
            let wait = match request.send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    if response.status().is_success() {
                        let text = response.text().await?;
                        return Ok(serde_json::from_str(&text).ok());
                    }
                    let header = retry_after_header(&response);
                    let text = response.text().await.unwrap_or_default();
                    match status {
                        429 => retry_after(&text).or(header).unwrap_or(DEFAULT_RETRY_AFTER),
                        500..=599 if after_5xx => FIRST_BACKOFF * 2u32.saturating_pow(attempt - 1),
                        _ => {
                            return Err(RestError::Status {
                                status,
                                message: discord_message(&text),
                            })
                        }
                    }
                }
                Err(e) if e.is_connect() => FIRST_BACKOFF * 2u32.saturating_pow(attempt - 1),
                Err(e) => return Err(e.into()),
            };
            if attempt >= MAX_ATTEMPTS || Instant::now() + wait >= deadline {
                return Err(RestError::GaveUp {
                    attempts: attempt,
                    next_wait: wait,
                });
            }
            warn!(
                path,
                attempt,
                retry_in_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                "Discord asked to wait (429), failed (5xx) or could not be reached; trying again"
            );
            tokio::time::sleep(wait).await;
        }
    }
}

/// `retry_after` from a 429's body, in seconds as Discord documents it.
fn retry_after(body: &str) -> Option<Duration> {
    let value: Value = serde_json::from_str(body).ok()?;
    seconds(value["retry_after"].as_f64()?)
}

/// A wait of `s` seconds, if it is a sane one (under an hour).
fn seconds(s: f64) -> Option<Duration> {
    (0.0..3_600.0)
        .contains(&s)
        .then(|| Duration::from_secs_f64(s))
}

fn retry_after_header(response: &reqwest::Response) -> Option<Duration> {
    let value: f64 = response
        .headers()
        .get("retry-after")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    seconds(value)
}

/// The `message` of Discord's error body, or the body itself, shortened.
fn discord_message(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v["message"].as_str().map(str::to_string))
        .unwrap_or_else(|| body.chars().take(200).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_read_as_discord_documents_it() {
        let body =
            r#"{"message": "You are being rate limited.", "retry_after": 0.25, "global": false}"#;
        assert_eq!(retry_after(body), Some(Duration::from_millis(250)));
        assert_eq!(retry_after("not json"), None);
        assert_eq!(retry_after(r#"{"retry_after": -1}"#), None);
    }
}
