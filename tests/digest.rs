//! The weekly digest as the maintainers' channel receives it: posted
//! through Discord's REST API (the fake Discord) at its hour, naming no
//! person and pinging nobody.

mod support;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use cspo_pspo_bot::config::Digest;
use cspo_pspo_bot::discord::digest::post_weekly_by;
use cspo_pspo_bot::ops::gaps::{Declined, Gap, Report};
use cspo_pspo_bot::ops::reload;
use cspo_pspo_bot::ops::report::{Built, LatestReport};
use support::{fake_discord, FakeDiscord, TIMEOUT};

const CHANNEL: u64 = 1_100_000_000_000_000_042;

#[tokio::test]
async fn the_digest_is_posted_to_its_channel_at_its_hour_and_names_nobody() {
    let fake = FakeDiscord::start().await;
    let http = serenity::http::HttpBuilder::new(fake_discord::TOKEN)
        .proxy(fake.rest_url())
        .ratelimiter_disabled(true)
        .build();
    let latest = LatestReport::default();
    latest.set(Built {
        report: Report {
            unanswered_total: 9,
            gaps: vec![Gap {
                question: "how long is the pspo exam <@1100000000000000007>".to_string(),
                count: 5,
                nearest: Some("pspo-requirements".to_string()),
                declined_as: Some("exam-format".to_string()),
                last_seen: "2026-12-06T10:00:00Z".to_string(),
            }],
            no_question: 4,
            declined: vec![Declined {
                category: "exam-format".to_string(),
                count: 5,
            }],
            least_helpful: Vec::new(),
            skipped_lines: 0,
            since: None,
            files: Vec::new(),
            feedback_off: false,
        },
        at: parse("2026-12-07T08:55:00Z"),
    });
    // Loaded before the clock starts: loading must not eat into the
    // moment before the due time.
    let faq = reload::shared(support::faq());
    // A Monday, a moment before the digest's 09:00, moving in real time.
    let start = parse("2026-12-07T08:59:59.700Z");
    let started = std::time::Instant::now();
    let now = move || start + chrono::Duration::from_std(started.elapsed()).unwrap_or_default();
    let digest = Digest {
        channel: std::num::NonZeroU64::new(CHANNEL).unwrap_or(std::num::NonZeroU64::MIN),
        day: chrono::Weekday::Mon,
        hour: 9,
    };
    let posting = tokio::spawn(post_weekly_by(digest, latest, faq, Arc::new(http), now));

    let path = format!("/api/v10/channels/{CHANNEL}/messages");
    let post = fake.wait_call("POST", &path, TIMEOUT).await;
    let embed = &post.body["embeds"][0];
    let title = embed["title"].as_str().unwrap_or_default();
    assert!(title.starts_with("This week's questions"), "{title}");
    let shown = embed.to_string();
    assert!(shown.contains("how long is the pspo exam"), "{shown}");
    assert!(shown.contains("exam-format"), "{shown}");
    // Nobody is named or pinged, whatever the logged questions said.
    assert!(!shown.contains("<@1100000000000000007>"), "{shown}");
    assert_eq!(
        post.body["allowed_mentions"]["parse"],
        serde_json::json!([]),
        "{}",
        post.body
    );
    // Once: the next one is a week away.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let posts = fake
        .calls()
        .into_iter()
        .filter(|c| c.method == "POST" && c.path == path)
        .count();
    assert_eq!(posts, 1);
    posting.abort();
}

fn parse(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|e| panic!("{e}"))
}
