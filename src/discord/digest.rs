//! The weekly digest: once a week, at the day and hour set (UTC), the
//! maintainers' report is posted to `DIGEST_CHANNEL`, the same summary
//! `/faq-admin` shows. It names no person.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Datelike, Days, TimeZone, Utc};
use serenity::all::{ChannelId, Http};
use tracing::{info, warn};

use super::render;
use crate::commands::faq_admin_report;
use crate::config::Digest;
use crate::ops::reload::SharedFaq;
use crate::ops::report::LatestReport;
use crate::reply::Reply;

/// The longest single sleep before the time is read again: a clock that
/// jumps (a suspended machine, a corrected clock) is noticed within it.
const LOOK_AGAIN: Duration = Duration::from_secs(3600);

/// The first moment after `now` that falls on `day` at `hour`:00 UTC.
pub fn next_after(now: DateTime<Utc>, day: chrono::Weekday, hour: u32) -> DateTime<Utc> {
    let today = now.date_naive();
    for ahead in 0..=7u64 {
        let Some(date) = today.checked_add_days(Days::new(ahead)) else {
            break;
        };
        if date.weekday() != day {
            continue;
        }
        let at = date
            .and_hms_opt(hour, 0, 0)
            .map(|t| Utc.from_utc_datetime(&t));
        if let Some(at) = at.filter(|at| *at > now) {
            return at;
        }
    }
    // Today at that hour has passed: the same weekday next week.
    now + chrono::Duration::days(7)
}

/// The digest's message: the week's gaps, then the least helpful answers.
pub fn digest_reply(faq: &crate::Faq, latest: &crate::ops::report::Built) -> Reply {
    let (gaps, feedback) = faq_admin_report(faq, latest);
    let mut reply = gaps;
    reply.title = Some(format!(
        "This week's questions: {}",
        reply.title.unwrap_or_default()
    ));
    for f in feedback.fields {
        reply.fields.push(f);
    }
    reply.ephemeral = false;
    reply.within_limits()
}

/// Posts the digest to its channel every week until dropped.
pub async fn post_weekly(digest: Digest, latest: LatestReport, faq: SharedFaq, http: Arc<Http>) {
    post_weekly_by(digest, latest, faq, http, Utc::now).await;
}

/// [`post_weekly`] on the clock `now`, so a test can start just before a
/// due time and see the real post.
#[doc(hidden)]
pub async fn post_weekly_by(
    digest: Digest,
    latest: LatestReport,
    faq: SharedFaq,
    http: Arc<Http>,
    now: impl Fn() -> DateTime<Utc>,
) {
    let channel = ChannelId::new(digest.channel.get());
    let post = |reply: Reply| {
        let http = Arc::clone(&http);
        async move {
            let message = render::channel_message(&reply);
            match tokio::time::timeout(POST_TIMEOUT, channel.send_message(&http, message)).await {
                Ok(Ok(_)) => info!(channel = %channel, "posted the maintainers' digest"),
                Ok(Err(e)) => {
                    warn!(error = %super::retry::describe(&e), "could not post the maintainers' digest")
                }
                Err(_) => warn!("posting the maintainers' digest timed out"),
            }
        }
    };
    run_weekly(digest, &latest, &faq, now, post).await;
}

/// How long posting the digest may take.
const POST_TIMEOUT: Duration = Duration::from_secs(30);

/// Hands the digest to `post` at each due time, reading the time from
/// `now` (a fake clock in tests), until dropped.
pub async fn run_weekly<P, F>(
    digest: Digest,
    latest: &LatestReport,
    faq: &SharedFaq,
    now: impl Fn() -> DateTime<Utc>,
    mut post: P,
) where
    P: FnMut(Reply) -> F,
    F: std::future::Future<Output = ()>,
{
    loop {
        let due = next_after(now(), digest.day, digest.hour);
        info!(%due, "next maintainers' digest");
        loop {
            let left = (due - now()).to_std().unwrap_or(Duration::ZERO);
            if left.is_zero() {
                break;
            }
            tokio::time::sleep(left.min(LOOK_AGAIN)).await;
        }
        match latest.get() {
            Some(built) => post(digest_reply(&faq.load(), &built)).await,
            None => warn!("no maintainers' report to post this week (is the unanswered log off?)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Weekday;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[tokio::test(start_paused = true)]
    async fn the_digest_is_posted_at_its_hour_on_a_fake_clock_once_a_week() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
        let faq =
            crate::ops::reload::shared(crate::Faq::load(&dir).unwrap_or_else(|e| panic!("{e}")));
        let latest = LatestReport::default();
        latest.set(crate::ops::report::Built {
            report: crate::ops::gaps::Report {
                unanswered_total: 4,
                gaps: Vec::new(),
                no_question: 4,
                declined: Vec::new(),
                least_helpful: Vec::new(),
                skipped_lines: 0,
                since: None,
                files: Vec::new(),
                feedback_off: false,
            },
            at: at("2026-12-04T12:00:00Z"),
        });
        // A Friday noon, moving with tokio's (paused, self-advancing) time.
        let start = at("2026-12-04T12:00:00Z");
        let t0 = tokio::time::Instant::now();
        let now = move || start + chrono::Duration::from_std(t0.elapsed()).unwrap_or_default();
        let digest = Digest {
            channel: std::num::NonZeroU64::MIN,
            day: Weekday::Mon,
            hour: 9,
        };
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let posting = tokio::spawn(async move {
            run_weekly(digest, &latest, &faq, now, |reply| {
                let _ = tx.send((now(), reply));
                async {}
            })
            .await;
        });
        let (first_at, reply) = rx.recv().await.unwrap_or_else(|| panic!("no digest"));
        assert_eq!(first_at, at("2026-12-07T09:00:00Z"));
        assert_eq!(
            reply.title.as_deref(),
            Some("This week's questions: Unanswered: 4 messages")
        );
        assert!(!reply.ephemeral);
        let (second_at, _) = rx
            .recv()
            .await
            .unwrap_or_else(|| panic!("no second digest"));
        assert_eq!(second_at, at("2026-12-14T09:00:00Z"), "a week later, once");
        posting.abort();
    }

    #[test]
    fn the_next_digest_is_the_next_such_day_and_hour() {
        // 2026-12-04 is a Friday.
        let friday_noon = at("2026-12-04T12:00:00Z");
        assert_eq!(
            next_after(friday_noon, Weekday::Mon, 9),
            at("2026-12-07T09:00:00Z")
        );
        assert_eq!(
            next_after(friday_noon, Weekday::Fri, 16),
            at("2026-12-04T16:00:00Z"),
            "later today"
        );
        assert_eq!(
            next_after(friday_noon, Weekday::Fri, 9),
            at("2026-12-11T09:00:00Z"),
            "today's has passed"
        );
        assert_eq!(
            next_after(at("2026-12-04T16:00:00Z"), Weekday::Fri, 16),
            at("2026-12-11T16:00:00Z"),
            "not the same moment twice"
        );
    }
}
