//! The maintainers' report (the same as `gaps`) kept ready for Discord:
//! `/faq-admin` and the weekly digest show it without reading the logs
//! while someone waits. A task rebuilds it on a blocking thread every few
//! minutes; answering reads the latest one.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwapOption;
use chrono::{DateTime, Utc};

use super::gaps::{self, Report};
use super::reload::SharedFaq;

/// How often the report is rebuilt. Reading two logs of at most 10 MB
/// each takes well under a second; every five minutes keeps it fresh
/// enough for a maintainer and costs nothing worth counting.
pub const REFRESH: Duration = Duration::from_secs(300);

/// The window the report covers: the week the digest is about.
pub const WINDOW: Duration = Duration::from_secs(7 * 24 * 3600);

/// Rows of each list it keeps: what fits a Discord card.
pub const ROWS: usize = 10;

/// A report, and when it was built.
#[derive(Debug, Clone)]
pub struct Built {
    pub report: Report,
    pub at: DateTime<Utc>,
}

/// Where the logs are, as the bot writes them.
#[derive(Debug, Clone, Default)]
pub struct LogPaths {
    pub unanswered: Option<PathBuf>,
    pub feedback: Option<PathBuf>,
}

/// The latest report, shared by whoever shows it.
#[derive(Clone, Default)]
pub struct LatestReport {
    latest: Arc<ArcSwapOption<Built>>,
}

impl LatestReport {
    pub fn get(&self) -> Option<Arc<Built>> {
        self.latest.load_full()
    }

    pub fn set(&self, built: Built) {
        self.latest.store(Some(Arc::new(built)));
    }
}

/// Builds the report now (reading the logs: call it off the async
/// workers). `None` when there is no unanswered log to read.
pub fn build(faq: &SharedFaq, paths: &LogPaths) -> Option<Result<Built, gaps::GapsError>> {
    let unanswered = paths.unanswered.as_deref()?;
    let faq = faq.load();
    Some(
        gaps::build(
            &faq,
            unanswered,
            paths.feedback.as_deref(),
            Some(WINDOW),
            ROWS,
        )
        .map(|report| Built {
            report,
            at: Utc::now(),
        }),
    )
}

/// Keeps `latest` fresh until the task is dropped: builds at once, then
/// every [`REFRESH`].
pub async fn refresh(faq: SharedFaq, paths: LogPaths, latest: LatestReport) {
    let mut tick = tokio::time::interval(REFRESH);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let (faq, paths) = (faq.clone(), paths.clone());
        match tokio::task::spawn_blocking(move || build(&faq, &paths)).await {
            Ok(Some(Ok(built))) => latest.set(built),
            Ok(Some(Err(e))) => {
                tracing::warn!(error = %e, "could not build the maintainers' report")
            }
            Ok(None) => return,
            Err(e) => tracing::warn!(error = %e, "building the maintainers' report failed"),
        }
    }
}
