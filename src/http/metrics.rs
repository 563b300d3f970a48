//! Counters and a latency histogram for `/metrics`, in Prometheus' text
//! format.
//!
//! Every series is a plain atomic counter, so recording costs one relaxed
//! increment. A label never comes from user input: the interaction kinds
//! and command names are fixed at start-up (an unknown command is counted
//! as `unknown`, not under the name someone sent), and topic labels come
//! from the knowledge. Topics can arrive with a reload, so their series
//! sit behind a read-write lock that is only written when a topic is seen
//! for the first time.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{PoisonError, RwLock};
use std::time::Duration;

use super::connections::{OverLimit, Stage};
use super::gateway_health::GatewayHealth;
use super::verify::VerifyError;
use crate::commands;
use crate::discord::interactions::{Kind, Shown, Summary};
use crate::ops::feedback::Vote;

/// Prefix of every metric name.
const NS: &str = "cspo_pspo_bot";

/// Most series of a labelled counter; a backstop, since topics only come
/// from the knowledge. Beyond it, new labels are not counted.
const MAX_SERIES: usize = 2000;

/// Upper bounds of the latency buckets, in seconds. A verified `/ask`
/// takes well under a millisecond, so the fine buckets are at the bottom.
pub const LATENCY_BUCKETS: [f64; 12] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
];

const KINDS: [Kind; 6] = [
    Kind::Ping,
    Kind::Command,
    Kind::Autocomplete,
    Kind::Component,
    Kind::Modal,
    Kind::Other,
];

/// Requests refused before they reached the bot, other than by signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// The body was over the size limit.
    TooLarge,
    /// Signed, but not an interaction we can read.
    Malformed,
    /// The body did not arrive within the body timeout.
    TooSlow,
}

impl Rejection {
    const ALL: [Rejection; 3] = [
        Rejection::TooLarge,
        Rejection::Malformed,
        Rejection::TooSlow,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Rejection::TooLarge => "too_large",
            Rejection::Malformed => "malformed",
            Rejection::TooSlow => "too_slow",
        }
    }
}

/// What the loaded knowledge is, as `/metrics` reports it.
#[derive(Debug, Clone, Copy)]
pub struct Served<'a> {
    pub topics: usize,
    pub version: &'a str,
    /// The article's last update, `YYYY-MM-DD`.
    pub updated: &'a str,
}

impl Served<'_> {
    pub fn of(faq: &crate::Faq) -> Served<'_> {
        Served {
            topics: faq.knowledge.topics.len(),
            version: faq.version(),
            updated: &faq.knowledge.article.updated,
        }
    }
}

pub struct Metrics {
    /// Command labels: every command's name, then `none` (interactions
    /// that are not a command) and `unknown`.
    commands: Vec<&'static str>,
    /// Indexed by kind, then command label.
    interactions: Vec<AtomicU64>,
    /// Answers shown, by topic.
    answers: Labelled<String>,
    /// Feedback clicks, by topic and vote.
    feedback: Labelled<(String, Vote)>,
    unanswered: AtomicU64,
    rate_limited: AtomicU64,
    signature_failures: [AtomicU64; VerifyError::ALL.len()],
    rejections: [AtomicU64; Rejection::ALL.len()],
    latency: Histogram,
    connections: Connections,
    /// The gateway bot's shards; off for `serve-http`.
    pub gateway: GatewayHealth,
}

/// The HTTP endpoint's connections; shown only once `serve-http` has set
/// the limit (the gateway bot's monitor has no such limit).
#[derive(Default)]
struct Connections {
    limit: AtomicU64,
    open: AtomicU64,
    over_limit: [AtomicU64; OverLimit::ALL.len()],
    accept_errors: AtomicU64,
    timeouts: [AtomicU64; Stage::ALL.len()],
}

impl Metrics {
    /// Metrics for a bot that knows these topic ids.
    pub fn new<I, S>(topic_ids: I) -> Metrics
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut commands: Vec<&'static str> = commands::ALL.iter().map(|c| c.name()).collect();
        commands.extend(["none", "unknown"]);
        let answers = Labelled::default();
        for id in topic_ids {
            let id: String = id.into();
            answers.inc_by(&id, 0);
        }
        Metrics {
            interactions: counters(KINDS.len() * commands.len()),
            commands,
            answers,
            feedback: Labelled::default(),
            unanswered: AtomicU64::new(0),
            rate_limited: AtomicU64::new(0),
            signature_failures: Default::default(),
            rejections: Default::default(),
            gateway: GatewayHealth::default(),
            latency: Histogram::default(),
            connections: Connections::default(),
        }
    }

    /// Everything an answered interaction counts towards.
    pub fn record(&self, seen: &Summary) {
        self.interaction(seen.kind, seen.command());
        match &seen.answer {
            Some(Shown::Topic(topic)) => self.answer(topic),
            Some(Shown::Nothing) => self.unanswered(),
            None => {}
        }
        if let Some((topic, vote)) = &seen.feedback {
            self.feedback(topic, *vote);
        }
        if seen.slowed.is_some() {
            self.rate_limited();
        }
    }

    /// One interaction of `kind`, for the command named `command` (if it
    /// is a command or its autocomplete).
    pub fn interaction(&self, kind: Kind, command: Option<&str>) {
        let k = KINDS
            .iter()
            .position(|x| *x == kind)
            .unwrap_or(KINDS.len() - 1);
        let label = match command {
            None => "none",
            Some(name) if self.commands.contains(&name) => name,
            Some(_) => "unknown",
        };
        let c = self
            .commands
            .iter()
            .position(|x| *x == label)
            .unwrap_or(self.commands.len() - 1);
        inc(&self.interactions[k * self.commands.len() + c]);
    }

    /// A topic of the loaded knowledge was shown: asked for, or opened
    /// with a button or menu.
    pub fn answer(&self, topic: &str) {
        self.answers.inc_by(topic, 1);
    }

    /// A "Helpful" / "Not helpful" click on a topic of the loaded knowledge.
    pub fn feedback(&self, topic: &str, vote: Vote) {
        self.feedback.inc_by(&(topic.to_string(), vote), 1);
    }

    /// Someone was asked to slow down instead of being answered.
    pub fn rate_limited(&self) {
        inc(&self.rate_limited);
    }

    /// A question the bot had no topic for (or a button whose topic is gone).
    pub fn unanswered(&self) {
        inc(&self.unanswered);
    }

    pub fn signature_failure(&self, why: VerifyError) {
        if let Some(i) = VerifyError::ALL.iter().position(|x| *x == why) {
            inc(&self.signature_failures[i]);
        }
    }

    pub fn rejection(&self, why: Rejection) {
        if let Some(i) = Rejection::ALL.iter().position(|x| *x == why) {
            inc(&self.rejections[i]);
        }
    }

    /// How long one request to the interactions endpoint took.
    pub fn latency(&self, took: Duration) {
        self.latency.observe(took);
    }

    /// The most connections the HTTP endpoint serves at once.
    pub fn set_connection_limit(&self, limit: u32) {
        self.connections.limit.store(u64::from(limit), Relaxed);
    }

    /// A connection within the limit was accepted.
    pub fn connection_opened(&self) {
        inc(&self.connections.open);
    }

    /// A connection counted by [`Metrics::connection_opened`] closed.
    pub fn connection_closed(&self) {
        // Never below zero, whatever the order of updates.
        let _ = self
            .connections
            .open
            .fetch_update(Relaxed, Relaxed, |n| n.checked_sub(1));
    }

    /// A connection arrived with the limit reached.
    pub fn over_limit(&self, outcome: OverLimit) {
        if let Some(i) = OverLimit::ALL.iter().position(|x| *x == outcome) {
            inc(&self.connections.over_limit[i]);
        }
    }

    /// Accepting a connection failed.
    pub fn accept_error(&self) {
        inc(&self.connections.accept_errors);
    }

    /// A connection was closed for overrunning `stage`'s deadline.
    pub fn timed_out(&self, stage: Stage) {
        if let Some(i) = Stage::ALL.iter().position(|x| *x == stage) {
            inc(&self.connections.timeouts[i]);
        }
    }

    /// Everything, in Prometheus' text exposition format (version 0.0.4),
    /// for a bot now serving the knowledge `served` describes.
    pub fn render(&self, served: &Served<'_>) -> String {
        let mut out = String::with_capacity(4096);
        // Writing to a String cannot fail, so the results are ignored.
        let _ = self.render_into(&mut out, served);
        out
    }

    fn render_into(&self, out: &mut String, served: &Served<'_>) -> std::fmt::Result {
        header(
            out,
            "interactions_total",
            "counter",
            "Verified interactions, by type and command.",
        )?;
        for (k, kind) in KINDS.iter().enumerate() {
            for (c, command) in self.commands.iter().enumerate() {
                let n = get(&self.interactions[k * self.commands.len() + c]);
                // Only combinations that happened: most (a ping for /ask)
                // never can.
                if n > 0 {
                    writeln!(
                        out,
                        "{NS}_interactions_total{{type=\"{}\",command=\"{command}\"}} {n}",
                        kind.as_str()
                    )?;
                }
            }
        }

        header(out, "answers_total", "counter", "Answers shown, by topic.")?;
        for (topic, n) in self.answers.snapshot() {
            writeln!(
                out,
                "{NS}_answers_total{{topic=\"{}\"}} {n}",
                escape(&topic)
            )?;
        }

        header(
            out,
            "feedback_total",
            "counter",
            "\"Helpful\" (up) and \"Not helpful\" (down) clicks, by topic.",
        )?;
        for ((topic, vote), n) in self.feedback.snapshot() {
            writeln!(
                out,
                "{NS}_feedback_total{{topic=\"{}\",vote=\"{}\"}} {n}",
                escape(&topic),
                vote.as_str()
            )?;
        }

        header(
            out,
            "rate_limited_total",
            "counter",
            "Interactions answered with \"slow down\" under the per-user rate limit.",
        )?;
        writeln!(out, "{NS}_rate_limited_total {}", get(&self.rate_limited))?;

        header(
            out,
            "unanswered_total",
            "counter",
            "Questions the bot had no answer for.",
        )?;
        writeln!(out, "{NS}_unanswered_total {}", get(&self.unanswered))?;

        header(
            out,
            "signature_failures_total",
            "counter",
            "Requests refused with 401, by reason.",
        )?;
        for (why, n) in VerifyError::ALL.iter().zip(&self.signature_failures) {
            writeln!(
                out,
                "{NS}_signature_failures_total{{reason=\"{}\"}} {}",
                why.as_str(),
                get(n)
            )?;
        }

        header(
            out,
            "rejected_requests_total",
            "counter",
            "Requests refused as too large (413), too slow to send their body (408), or signed but unreadable (400).",
        )?;
        for (why, n) in Rejection::ALL.iter().zip(&self.rejections) {
            writeln!(
                out,
                "{NS}_rejected_requests_total{{reason=\"{}\"}} {}",
                why.as_str(),
                get(n)
            )?;
        }

        header(
            out,
            "request_duration_seconds",
            "histogram",
            "Time to answer an interaction: request to response on the HTTP endpoint, event to reply sent on the gateway.",
        )?;
        self.latency
            .render_into(out, &format!("{NS}_request_duration_seconds"))?;

        self.render_connections(out)?;

        self.gateway.render_into(out, NS)?;

        let (reloaded, refused) = crate::ops::reload::reload_counts();
        header(
            out,
            "knowledge_reloads_total",
            "counter",
            "Reloads of the knowledge since start, by result (a refused one keeps the previous version serving).",
        )?;
        writeln!(
            out,
            "{NS}_knowledge_reloads_total{{result=\"ok\"}} {reloaded}"
        )?;
        writeln!(
            out,
            "{NS}_knowledge_reloads_total{{result=\"failed\"}} {refused}"
        )?;

        header(
            out,
            "log_lines_dropped_total",
            "counter",
            "Lines of the unanswered and feedback logs lost to a full queue, a stalled or failing disk, or shutdown.",
        )?;
        writeln!(
            out,
            "{NS}_log_lines_dropped_total {}",
            crate::ops::jsonl::dropped_lines()
        )?;

        header(
            out,
            "knowledge_info",
            "gauge",
            "The loaded knowledge: its version (a fingerprint of its content) and its article's date; always 1.",
        )?;
        writeln!(
            out,
            "{NS}_knowledge_info{{version=\"{}\",article_updated=\"{}\"}} 1",
            escape(served.version),
            escape(served.updated)
        )?;

        header(out, "topics", "gauge", "Topics in the loaded knowledge.")?;
        writeln!(out, "{NS}_topics {}", served.topics)
    }

    fn render_connections(&self, out: &mut String) -> std::fmt::Result {
        let c = &self.connections;
        let limit = get(&c.limit);
        if limit == 0 {
            return Ok(());
        }
        header(
            out,
            "http_connections_open",
            "gauge",
            "Client connections open now, within the limit.",
        )?;
        writeln!(out, "{NS}_http_connections_open {}", get(&c.open))?;
        header(
            out,
            "http_connection_limit",
            "gauge",
            "Most client connections served at once (HTTP_MAX_CONNECTIONS).",
        )?;
        writeln!(out, "{NS}_http_connection_limit {limit}")?;
        header(
            out,
            "http_connections_over_limit_total",
            "counter",
            "Connections that arrived with the limit reached: answered on the monitor routes only, or closed at once.",
        )?;
        for (outcome, n) in OverLimit::ALL.iter().zip(&c.over_limit) {
            writeln!(
                out,
                "{NS}_http_connections_over_limit_total{{outcome=\"{}\"}} {}",
                outcome.as_str(),
                get(n)
            )?;
        }
        header(
            out,
            "http_accept_errors_total",
            "counter",
            "Failures to accept a connection (such as running out of file descriptors).",
        )?;
        writeln!(
            out,
            "{NS}_http_accept_errors_total {}",
            get(&c.accept_errors)
        )?;
        header(
            out,
            "http_timeouts_total",
            "counter",
            "Connections closed for taking too long: to send a request head, to send the body and be answered, or idle between requests.",
        )?;
        for (stage, n) in Stage::ALL.iter().zip(&c.timeouts) {
            writeln!(
                out,
                "{NS}_http_timeouts_total{{stage=\"{}\"}} {}",
                stage.as_str(),
                get(n)
            )?;
        }
        Ok(())
    }
}

/// Counters by a label that is learnt while running, in the order first
/// seen.
struct Labelled<K> {
    series: RwLock<Vec<(K, AtomicU64)>>,
}

impl<K> Default for Labelled<K> {
    fn default() -> Labelled<K> {
        Labelled {
            series: RwLock::new(Vec::new()),
        }
    }
}

impl<K: PartialEq + Clone> Labelled<K> {
    /// Adds `n` to `key`'s counter, creating it if there is room.
    fn inc_by<Q>(&self, key: &Q, n: u64)
    where
        K: PartialEq<Q>,
        Q: ToOwned<Owned = K> + ?Sized,
    {
        {
            let series = self.series.read().unwrap_or_else(PoisonError::into_inner);
            if let Some((_, c)) = series.iter().find(|(k, _)| k == key) {
                c.fetch_add(n, Relaxed);
                return;
            }
        }
        let mut series = self.series.write().unwrap_or_else(PoisonError::into_inner);
        // Someone may have added it between the two locks.
        if let Some((_, c)) = series.iter().find(|(k, _)| k == key) {
            c.fetch_add(n, Relaxed);
            return;
        }
        if series.len() < MAX_SERIES {
            series.push((key.to_owned(), AtomicU64::new(n)));
        }
    }

    fn snapshot(&self) -> Vec<(K, u64)> {
        self.series
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(k, c)| (k.clone(), get(c)))
            .collect()
    }
}

/// A histogram with fixed buckets; counts are kept per bucket and summed
/// into Prometheus' cumulative buckets when rendered.
struct Histogram {
    /// One per bound in [`LATENCY_BUCKETS`], plus one for anything larger.
    buckets: [AtomicU64; LATENCY_BUCKETS.len() + 1],
    sum_nanos: AtomicU64,
    count: AtomicU64,
}

impl Default for Histogram {
    fn default() -> Histogram {
        Histogram {
            buckets: Default::default(),
            sum_nanos: AtomicU64::new(0),
            count: AtomicU64::new(0),
        }
    }
}

impl Histogram {
    fn observe(&self, took: Duration) {
        let secs = took.as_secs_f64();
        let i = LATENCY_BUCKETS
            .iter()
            .position(|bound| secs <= *bound)
            .unwrap_or(LATENCY_BUCKETS.len());
        inc(&self.buckets[i]);
        let nanos = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(nanos, Relaxed);
        inc(&self.count);
    }

    fn render_into(&self, out: &mut String, name: &str) -> std::fmt::Result {
        let mut cumulative = 0;
        for (bound, n) in LATENCY_BUCKETS.iter().zip(&self.buckets) {
            cumulative += get(n);
            writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {cumulative}")?;
        }
        cumulative += get(&self.buckets[LATENCY_BUCKETS.len()]);
        writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {cumulative}")?;
        // Precision is lost only after 2^53 ns (about 104 days of latency).
        #[allow(clippy::cast_precision_loss)]
        let sum = get(&self.sum_nanos) as f64 / 1e9;
        writeln!(out, "{name}_sum {sum}")?;
        writeln!(out, "{name}_count {}", get(&self.count))
    }
}

fn counters(n: usize) -> Vec<AtomicU64> {
    (0..n).map(|_| AtomicU64::new(0)).collect()
}

fn inc(counter: &AtomicU64) {
    counter.fetch_add(1, Relaxed);
}

fn get(counter: &AtomicU64) -> u64 {
    counter.load(Relaxed)
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) -> std::fmt::Result {
    writeln!(out, "# HELP {NS}_{name} {help}")?;
    writeln!(out, "# TYPE {NS}_{name} {kind}")
}

/// A label value as the text format requires: backslash, quote and
/// newline escaped.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metrics() -> Metrics {
        Metrics::new(["pspo-validity", "odd\"id"])
    }

    fn served(topics: usize) -> Served<'static> {
        Served {
            topics,
            version: "0123456789abcdef",
            updated: "2021-06-28",
        }
    }

    #[test]
    fn the_loaded_knowledge_is_named_by_its_version() {
        let text = metrics().render(&served(16));
        assert!(text.contains(
            "cspo_pspo_bot_knowledge_info{version=\"0123456789abcdef\",article_updated=\"2021-06-28\"} 1"
        ));
        assert_eq!(value(&text, "cspo_pspo_bot_topics"), Some(16.0));
    }

    /// The value of the series whose line starts with `series `.
    fn value(text: &str, series: &str) -> Option<f64> {
        text.lines()
            .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
    }

    #[test]
    fn interactions_are_counted_by_type_and_command() {
        let m = metrics();
        m.interaction(Kind::Command, Some("ask"));
        m.interaction(Kind::Command, Some("ask"));
        m.interaction(Kind::Autocomplete, Some("ask"));
        m.interaction(Kind::Ping, None);
        m.interaction(Kind::Command, Some("no-such-command\"}"));
        let text = m.render(&served(2));
        let series = |labels: &str| {
            value(
                &text,
                &format!("cspo_pspo_bot_interactions_total{{{labels}}}"),
            )
        };
        assert_eq!(series(r#"type="command",command="ask""#), Some(2.0));
        assert_eq!(series(r#"type="autocomplete",command="ask""#), Some(1.0));
        assert_eq!(series(r#"type="ping",command="none""#), Some(1.0));
        assert_eq!(series(r#"type="command",command="unknown""#), Some(1.0));
        assert!(!text.contains("no-such-command"));
        assert_eq!(series(r#"type="component",command="none""#), None);
    }

    #[test]
    fn answers_unanswered_and_failures_are_counted() {
        let m = metrics();
        m.answer("pspo-validity");
        m.unanswered();
        m.signature_failure(VerifyError::Stale);
        m.rejection(Rejection::TooLarge);
        let text = m.render(&served(2));
        assert_eq!(
            value(
                &text,
                r#"cspo_pspo_bot_answers_total{topic="pspo-validity"}"#
            ),
            Some(1.0)
        );
        assert_eq!(
            value(&text, r#"cspo_pspo_bot_answers_total{topic="odd\"id"}"#),
            Some(0.0)
        );
        assert_eq!(value(&text, "cspo_pspo_bot_unanswered_total"), Some(1.0));
        assert_eq!(
            value(
                &text,
                r#"cspo_pspo_bot_signature_failures_total{reason="stale"}"#
            ),
            Some(1.0)
        );
        assert_eq!(
            value(
                &text,
                r#"cspo_pspo_bot_signature_failures_total{reason="invalid"}"#
            ),
            Some(0.0)
        );
        assert_eq!(
            value(
                &text,
                r#"cspo_pspo_bot_rejected_requests_total{reason="too_large"}"#
            ),
            Some(1.0)
        );
        assert_eq!(value(&text, "cspo_pspo_bot_topics"), Some(2.0));
    }

    #[test]
    fn topics_from_a_reload_feedback_and_slow_downs_are_counted() {
        let m = metrics();
        m.answer("added-by-reload");
        m.answer("added-by-reload");
        m.feedback("pspo-validity", Vote::Up);
        m.feedback("pspo-validity", Vote::Down);
        m.feedback("pspo-validity", Vote::Down);
        m.rate_limited();
        let text = m.render(&served(3));
        let at = |series: &str| value(&text, series);
        assert_eq!(
            at(r#"cspo_pspo_bot_answers_total{topic="added-by-reload"}"#),
            Some(2.0)
        );
        assert_eq!(
            at(r#"cspo_pspo_bot_feedback_total{topic="pspo-validity",vote="up"}"#),
            Some(1.0)
        );
        assert_eq!(
            at(r#"cspo_pspo_bot_feedback_total{topic="pspo-validity",vote="down"}"#),
            Some(2.0)
        );
        assert_eq!(at("cspo_pspo_bot_rate_limited_total"), Some(1.0));
        assert_eq!(at("cspo_pspo_bot_topics"), Some(3.0));
    }

    #[test]
    fn topic_series_are_capped() {
        let m = Metrics::new(Vec::<String>::new());
        for i in 0..MAX_SERIES + 5 {
            m.answer(&format!("t{i}"));
        }
        let text = m.render(&served(0));
        assert_eq!(
            text.matches("cspo_pspo_bot_answers_total{").count(),
            MAX_SERIES
        );
        assert_eq!(value(&text, "cspo_pspo_bot_unanswered_total"), Some(0.0));
    }

    #[test]
    fn the_histogram_is_cumulative_with_sum_and_count() {
        let m = metrics();
        m.latency(Duration::from_micros(50));
        m.latency(Duration::from_micros(400));
        m.latency(Duration::from_secs(3));
        let text = m.render(&served(2));
        let bucket = |le: &str| {
            value(
                &text,
                &format!("cspo_pspo_bot_request_duration_seconds_bucket{{le=\"{le}\"}}"),
            )
        };
        assert_eq!(bucket("0.0001"), Some(1.0));
        assert_eq!(bucket("0.00025"), Some(1.0));
        assert_eq!(bucket("0.0005"), Some(2.0));
        assert_eq!(bucket("1"), Some(2.0));
        assert_eq!(bucket("+Inf"), Some(3.0));
        assert_eq!(
            value(&text, "cspo_pspo_bot_request_duration_seconds_count"),
            Some(3.0)
        );
        let sum = value(&text, "cspo_pspo_bot_request_duration_seconds_sum").unwrap_or_default();
        assert!((sum - 3.00045).abs() < 1e-9, "{sum}");
    }

    #[test]
    fn connection_series_show_once_serve_http_sets_the_limit() {
        let m = metrics();
        m.connection_opened();
        assert!(
            !m.render(&served(2)).contains("http_"),
            "the gateway has no limit"
        );
        m.set_connection_limit(8);
        m.connection_opened();
        m.connection_closed();
        m.over_limit(OverLimit::Closed);
        m.accept_error();
        m.timed_out(Stage::Head);
        m.timed_out(Stage::Head);
        let text = m.render(&served(2));
        let at = |series: &str| value(&text, series);
        assert_eq!(at("cspo_pspo_bot_http_connections_open"), Some(1.0));
        assert_eq!(at("cspo_pspo_bot_http_connection_limit"), Some(8.0));
        assert_eq!(
            at(r#"cspo_pspo_bot_http_connections_over_limit_total{outcome="closed"}"#),
            Some(1.0)
        );
        assert_eq!(
            at(r#"cspo_pspo_bot_http_connections_over_limit_total{outcome="monitor_only"}"#),
            Some(0.0)
        );
        assert_eq!(at("cspo_pspo_bot_http_accept_errors_total"), Some(1.0));
        assert_eq!(
            at(r#"cspo_pspo_bot_http_timeouts_total{stage="head"}"#),
            Some(2.0)
        );
        m.connection_closed();
        m.connection_closed();
        assert_eq!(
            value(&m.render(&served(2)), "cspo_pspo_bot_http_connections_open"),
            Some(0.0),
            "never below zero"
        );
    }

    #[test]
    fn every_metric_has_help_and_type_and_every_line_is_well_formed() {
        let m = metrics();
        m.interaction(Kind::Component, None);
        m.set_connection_limit(8);
        let text = m.render(&served(2));
        assert!(text.ends_with('\n'));
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# ") {
                assert!(
                    rest.starts_with("HELP cspo_pspo_bot_")
                        || rest.starts_with("TYPE cspo_pspo_bot_"),
                    "{line}"
                );
                continue;
            }
            let (series, number) = line.rsplit_once(' ').unwrap_or_default();
            assert!(series.starts_with("cspo_pspo_bot_"), "{line}");
            assert!(number.parse::<f64>().is_ok(), "{line}");
            let name = series.split('{').next().unwrap_or_default();
            let family = ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|s| name.strip_suffix(s).filter(|f| f.ends_with("_seconds")))
                .unwrap_or(name);
            assert!(text.contains(&format!("# TYPE {family} ")), "{line}");
        }
    }
}
