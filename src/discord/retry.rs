//! Discord's REST errors, retried the way Discord documents: a 429 means
//! wait and send again, a 5xx or a dropped connection is worth a few more
//! tries with backoff (for calls that are safe to repeat), anything else
//! (a 4xx) will fail the same way again.
//!
//! serenity reads a failed response's body into its own error type, which
//! keeps the status but not `retry_after` (Discord's 429 body has no
//! `code`, so serenity cannot decode it), so a 429 waits a fixed short
//! while; with `DISCORD_HTTP_PROXY` unset, serenity's own rate limiter
//! already waits out 429s before they reach here.

use std::future::Future;
use std::time::{Duration, Instant};

use serenity::http::HttpError;
use tracing::warn;

/// Tries at most this many times in all.
pub const MAX_ATTEMPTS: u32 = 4;
/// The wait after a 429: Discord's per-route limits reset within a second
/// or two, and an interaction cannot wait longer anyway.
const RATE_LIMITED_WAIT: Duration = Duration::from_millis(750);
/// The first wait after a 5xx or a lost connection, doubled each time.
const FIRST_BACKOFF: Duration = Duration::from_millis(200);

/// What a failed call was, for the log.
pub fn describe(e: &serenity::Error) -> String {
    match e {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => {
            let status = r.status_code.as_u16();
            match status {
                429 => "rate limited by Discord (429)".to_string(),
                500..=599 => format!("Discord failed ({status})"),
                _ => format!("Discord refused it ({status}): {}", r.error.message),
            }
        }
        other => other.to_string(),
    }
}

/// Whether sending a call twice is harmless.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// Doing it twice is the same as once (registering the commands).
    Safe,
    /// Doing it twice shows twice (posting a message) or is refused
    /// (answering an interaction): tried again only when Discord surely
    /// did not act on it, a 429 or a connection that never opened, not
    /// after a 5xx or a timeout, which may come after it did.
    Once,
}

/// How long to wait before trying `e`'s call again, if it is worth it.
fn wait_before_retry(e: &serenity::Error, attempt: u32, repeat: Repeat) -> Option<Duration> {
    let backoff = FIRST_BACKOFF * 2u32.saturating_pow(attempt);
    match e {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => match r.status_code.as_u16() {
            429 => Some(RATE_LIMITED_WAIT),
            500..=599 if repeat == Repeat::Safe => Some(backoff),
            _ => None,
        },
        serenity::Error::Http(HttpError::Request(r)) if r.is_connect() => Some(backoff),
        serenity::Error::Http(HttpError::Request(r))
            if r.is_timeout() && repeat == Repeat::Safe =>
        {
            Some(backoff)
        }
        _ => None,
    }
}

/// Runs `call` until it succeeds, fails for good, or the next try could
/// not start before `deadline` (an interaction's three seconds, say).
/// Each retry is logged with what went wrong.
pub async fn retried<T, F, Fut>(
    what: &str,
    repeat: Repeat,
    deadline: Instant,
    mut call: F,
) -> serenity::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = serenity::Result<T>>,
{
    let mut attempt = 0;
    loop {
        let error = match call().await {
            Ok(value) => return Ok(value),
            Err(e) => e,
        };
        attempt += 1;
        let Some(wait) = wait_before_retry(&error, attempt - 1, repeat) else {
            return Err(error);
        };
        if attempt >= MAX_ATTEMPTS || Instant::now() + wait >= deadline {
            return Err(error);
        }
        warn!(
            what,
            attempt,
            retry_in_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
            "{}; trying again",
            describe(&error)
        );
        tokio::time::sleep(wait).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// A failed response as serenity reports it, built from a real one.
    async fn failure(code: u16) -> serenity::Error {
        let body = serde_json::json!({"message": "boom", "code": 0}).to_string();
        let raw = axum::http::Response::builder()
            .status(code)
            .body(body)
            .unwrap_or_else(|e| panic!("{e}"));
        let response = serenity::http::ErrorResponse::from_response(
            reqwest::Response::from(raw),
            reqwest::Method::POST,
        )
        .await;
        serenity::Error::Http(HttpError::UnsuccessfulRequest(response))
    }

    #[tokio::test]
    async fn a_5xx_is_tried_again_and_a_4xx_is_not() {
        let calls = AtomicU32::new(0);
        let deadline = Instant::now() + Duration::from_secs(10);
        let result = retried("test", Repeat::Safe, deadline, || async {
            match calls.fetch_add(1, Ordering::SeqCst) {
                0 => Err(failure(500).await),
                1 => Err(failure(429).await),
                _ => Ok(7),
            }
        })
        .await;
        assert_eq!(result.ok(), Some(7));
        assert_eq!(calls.load(Ordering::SeqCst), 3);

        let calls = AtomicU32::new(0);
        let result: serenity::Result<()> = retried("test", Repeat::Safe, deadline, || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(failure(403).await)
        })
        .await;
        assert!(result.is_err());
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "a 4xx fails the same way again"
        );
    }

    #[tokio::test]
    async fn a_post_is_not_repeated_after_a_5xx_that_may_have_posted_it() {
        let calls = AtomicU32::new(0);
        let deadline = Instant::now() + Duration::from_secs(10);
        let result: serenity::Result<()> = retried("test", Repeat::Once, deadline, || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(failure(502).await)
        })
        .await;
        assert!(result.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        let calls = AtomicU32::new(0);
        let result = retried("test", Repeat::Once, deadline, || async {
            match calls.fetch_add(1, Ordering::SeqCst) {
                0 => Err(failure(429).await),
                _ => Ok(()),
            }
        })
        .await;
        assert!(
            result.is_ok(),
            "a 429 was not acted on, so it is sent again"
        );
    }

    #[tokio::test]
    async fn retries_stop_at_the_deadline_and_at_the_attempt_limit() {
        let calls = AtomicU32::new(0);
        let soon = Instant::now() + Duration::from_millis(100);
        let result: serenity::Result<()> = retried("test", Repeat::Safe, soon, || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(failure(429).await)
        })
        .await;
        assert!(result.is_err());
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "no time left for a second try"
        );

        let calls = AtomicU32::new(0);
        let later = Instant::now() + Duration::from_secs(60);
        let result: serenity::Result<()> = retried("test", Repeat::Safe, later, || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(failure(503).await)
        })
        .await;
        assert!(result.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), MAX_ATTEMPTS);
    }
}
