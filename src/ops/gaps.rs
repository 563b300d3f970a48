//! `gaps`: the maintainer's to-do list. Reads the unanswered and feedback
//! logs and lists, most asked first, the questions that went unanswered,
//! grouped by meaning (the matcher's own reading: normalized words without
//! filler, in any order); how often each out-of-scope category declined
//! one; and the topics people found least helpful.
//!
//! Messages with nothing to answer in them ("hi", "help", "who are you",
//! "stupid bot", logged by older versions or typed where every message is
//! logged) are only counted: a row named after one of them would hide the
//! others and is nothing to add to the knowledge.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use super::feedback::{Feedback, Vote};
use super::jsonl::JsonlLog;
use super::unanswered::Unanswered;
use crate::Faq;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    /// The most common wording of the group.
    pub question: String,
    pub count: usize,
    /// The topic that most often came closest.
    pub nearest: Option<String>,
    /// The out-of-scope category that most often declined it, if any did.
    pub declined_as: Option<String>,
    pub last_seen: String,
}

impl Gap {
    /// What the bot made of it: "nearest: X" and, if one did, the
    /// category that declined it.
    pub fn reading(&self) -> String {
        let declined = self
            .declined_as
            .as_deref()
            .map(|c| format!(", declined as {c}"))
            .unwrap_or_default();
        format!(
            "nearest: {}{declined}",
            self.nearest.as_deref().unwrap_or("none")
        )
    }
}

/// How often one out-of-scope category declined a question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Declined {
    pub category: String,
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopicVotes {
    pub topic: String,
    pub helpful: usize,
    pub not_helpful: usize,
    /// The questions the answer was marked not helpful for, latest first.
    pub questions: Vec<String>,
    /// What people said they were looking for, latest first.
    pub comments: Vec<String>,
}

/// How many questions and comments each least helpful topic shows.
const SHOWN_PER_TOPIC: usize = 3;

/// The votes on one topic while the log is read.
#[derive(Default)]
struct Tally {
    helpful: usize,
    not_helpful: usize,
    questions: Vec<String>,
    comments: Vec<String>,
}

impl Tally {
    fn add(&mut self, f: Feedback) {
        // A form's comment remarks on a vote logged before it.
        if let Some(comment) = f.comment {
            remember(&mut self.comments, comment);
            return;
        }
        // A changed vote takes back the person's other one.
        let (this, other) = match f.vote {
            Vote::Up => (&mut self.helpful, &mut self.not_helpful),
            Vote::Down => (&mut self.not_helpful, &mut self.helpful),
        };
        *this += 1;
        if f.changed {
            *other = other.saturating_sub(1);
        }
        if let (Vote::Down, Some(q)) = (f.vote, f.question) {
            remember(&mut self.questions, q);
        }
    }
}

/// Keeps `text` first among the latest few, once.
fn remember(latest: &mut Vec<String>, text: String) {
    latest.retain(|t| *t != text);
    latest.insert(0, text);
    latest.truncate(SHOWN_PER_TOPIC);
}

/// What became of one log file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileState {
    /// It does not exist (nothing was logged there yet).
    Missing,
    /// It exists and holds no lines.
    Empty,
    /// It was read.
    Read,
}

/// One log file the report read, or looked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogFile {
    /// `unanswered` or `feedback`.
    pub log: &'static str,
    pub path: String,
    pub state: FileState,
    /// Records read from it.
    pub records: usize,
    /// Of those, the ones inside the window (all of them without one).
    pub in_window: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Unanswered messages logged in the window, with or without a question.
    pub unanswered_total: usize,
    pub gaps: Vec<Gap>,
    /// Messages with no question in them, counted and not listed.
    pub no_question: usize,
    /// Out-of-scope categories by how many questions they declined.
    pub declined: Vec<Declined>,
    pub least_helpful: Vec<TopicVotes>,
    /// Lines that could not be read as records.
    pub skipped_lines: usize,
    /// The start of the window, when there is one.
    pub since: Option<String>,
    /// Every file read or looked for, oldest first per log.
    pub files: Vec<LogFile>,
    /// Whether the feedback log is turned off (`FEEDBACK_LOG=off`).
    pub feedback_off: bool,
}

/// A log that exists but cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {}: {source}", path.display())]
pub struct GapsError {
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

/// Reads a log and its rotated predecessor, oldest first, calling `each`
/// for every line that parses as `T`; `each` says whether the record was
/// inside the window. Returns what was found of each file, and how many
/// lines did not parse.
fn read_log<T: serde::de::DeserializeOwned>(
    log: &'static str,
    path: &Path,
    mut each: impl FnMut(T) -> bool,
) -> Result<(Vec<LogFile>, usize), GapsError> {
    let mut skipped = 0;
    let mut files = Vec::new();
    let rotated = JsonlLog::previous_path(path);
    for p in [rotated.as_path(), path] {
        let failed = |source| GapsError {
            path: p.to_path_buf(),
            source,
        };
        let mut file = LogFile {
            log,
            path: p.display().to_string(),
            state: FileState::Read,
            records: 0,
            in_window: 0,
        };
        // Only a regular file is read: opening a FIFO would wait for a
        // writer that may never come (the log is written, not read, there).
        if let Ok(meta) = std::fs::metadata(p) {
            if !meta.is_file() {
                return Err(failed(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "not a regular file",
                )));
            }
        }
        let opened = match File::open(p) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                // A rotated file that is not there is the usual case.
                if p == path {
                    file.state = FileState::Missing;
                    files.push(file);
                }
                continue;
            }
            Err(e) => return Err(failed(e)),
        };
        let mut reader = BufReader::new(opened);
        let mut line = Vec::new();
        let mut lines = 0;
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line).map_err(failed)? == 0 {
                break;
            }
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            lines += 1;
            match serde_json::from_slice::<T>(&line) {
                Ok(record) => {
                    file.records += 1;
                    if each(record) {
                        file.in_window += 1;
                    }
                }
                Err(_) => skipped += 1,
            }
        }
        if lines == 0 {
            file.state = FileState::Empty;
        }
        files.push(file);
    }
    Ok((files, skipped))
}

fn recent(time: &str, cutoff: Option<DateTime<Utc>>) -> bool {
    match cutoff {
        None => true,
        Some(cutoff) => DateTime::parse_from_rfc3339(time).is_ok_and(|t| t >= cutoff),
    }
}

/// Unanswered messages that share a meaning.
#[derive(Default)]
struct Group {
    count: usize,
    wordings: HashMap<String, usize>,
    nearest: HashMap<String, usize>,
    declined_as: HashMap<String, usize>,
    last_seen: String,
}

/// The most frequent key of a count, ties to the first in order.
fn most(counts: &HashMap<String, usize>) -> Option<String> {
    counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(k, _)| k.clone())
}

/// Whether a message has nothing in it to answer: no word that means
/// anything once filler is gone, or nothing but small talk, which the
/// bot answers in kind.
struct NoQuestion<'f> {
    faq: &'f Faq,
    known: HashMap<String, bool>,
}

impl NoQuestion<'_> {
    fn check(&mut self, message: &str, key: &str) -> bool {
        if key.is_empty() {
            return true;
        }
        if let Some(&known) = self.known.get(message) {
            return known;
        }
        let said = crate::conversation::respond(self.faq, message, None).said;
        let none = !said.is_question();
        self.known.insert(message.to_string(), none);
        none
    }
}

/// Builds the report from the unanswered log and, unless it is off
/// (`None`), the feedback log, keeping what was logged within `since` and
/// at most `top` rows of each list.
pub fn build(
    faq: &Faq,
    unanswered: &Path,
    feedback: Option<&Path>,
    since: Option<Duration>,
    top: usize,
) -> Result<Report, GapsError> {
    let cutoff = since
        .and_then(|d| chrono::Duration::from_std(d).ok())
        .and_then(|d| Utc::now().checked_sub_signed(d));

    let mut groups: HashMap<String, Group> = HashMap::new();
    let mut declined: HashMap<String, usize> = HashMap::new();
    let mut no_question = NoQuestion {
        faq,
        known: HashMap::new(),
    };
    let mut empty_messages = 0;
    let mut total = 0;
    let (mut files, mut skipped) = read_log::<Unanswered>("unanswered", unanswered, |u| {
        if !recent(&u.time, cutoff) {
            return false;
        }
        total += 1;
        if let Some(category) = &u.unknown {
            *declined.entry(category.clone()).or_default() += 1;
        }
        let key = faq.matcher.gap_key(&u.question);
        if no_question.check(&u.question, &key) {
            empty_messages += 1;
            return true;
        }
        let g = groups.entry(key).or_default();
        g.count += 1;
        *g.wordings.entry(u.question).or_default() += 1;
        if let Some(c) = u.candidate {
            *g.nearest.entry(c).or_default() += 1;
        }
        if let Some(category) = u.unknown {
            *g.declined_as.entry(category).or_default() += 1;
        }
        if u.time > g.last_seen {
            g.last_seen = u.time;
        }
        true
    })?;
    let mut gaps: Vec<Gap> = groups
        .into_values()
        .map(|g| Gap {
            question: most(&g.wordings).unwrap_or_default(),
            count: g.count,
            nearest: most(&g.nearest),
            declined_as: most(&g.declined_as),
            last_seen: g.last_seen,
        })
        .collect();
    gaps.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| b.last_seen.cmp(&a.last_seen))
            .then_with(|| a.question.cmp(&b.question))
    });
    gaps.truncate(top);
    let mut declined: Vec<Declined> = declined
        .into_iter()
        .map(|(category, count)| Declined { category, count })
        .collect();
    declined.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.category.cmp(&b.category))
    });
    declined.truncate(top);

    let mut votes: HashMap<String, Tally> = HashMap::new();
    if let Some(feedback) = feedback {
        let (read, bad) = read_log::<Feedback>("feedback", feedback, |f| {
            if !recent(&f.time, cutoff) {
                return false;
            }
            votes.entry(f.topic.clone()).or_default().add(f);
            true
        })?;
        files.extend(read);
        skipped += bad;
    }
    let mut least_helpful: Vec<TopicVotes> = votes
        .into_iter()
        .filter(|(_, t)| t.not_helpful > 0 || !t.comments.is_empty())
        .map(|(topic, t)| TopicVotes {
            topic,
            helpful: t.helpful,
            not_helpful: t.not_helpful,
            questions: t.questions,
            comments: t.comments,
        })
        .collect();
    least_helpful.sort_by(|a, b| {
        b.not_helpful
            .cmp(&a.not_helpful)
            .then_with(|| a.helpful.cmp(&b.helpful))
            .then_with(|| a.topic.cmp(&b.topic))
    });
    least_helpful.truncate(top);

    Ok(Report {
        unanswered_total: total,
        gaps,
        no_question: empty_messages,
        declined,
        least_helpful,
        skipped_lines: skipped,
        since: cutoff.map(|c| c.to_rfc3339_opts(SecondsFormat::Secs, true)),
        files,
        feedback_off: feedback.is_none(),
    })
}

/// "1 question", "3 questions".
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// One line per log file: what was read, or why nothing was.
fn describe(file: &LogFile, since: Option<&str>) -> String {
    let (one, many) = match file.log {
        "feedback" => ("vote", "votes"),
        _ => ("message", "messages"),
    };
    match file.state {
        FileState::Missing => format!(
            "{} does not exist: nothing has been logged there yet",
            file.path
        ),
        FileState::Empty => format!("{} is empty: nothing has been logged there yet", file.path),
        FileState::Read => match since {
            Some(since) if file.in_window == 0 => format!(
                "{}: {}, none since {since}",
                file.path,
                count(file.records, one, many)
            ),
            Some(since) => format!(
                "{}: {}, {} since {since}",
                file.path,
                count(file.records, one, many),
                file.in_window
            ),
            None => format!("{}: {}", file.path, count(file.records, one, many)),
        },
    }
}

/// The report as text for a terminal.
pub fn render(report: &Report) -> String {
    let mut out = String::from("Read:\n");
    for f in &report.files {
        out.push_str(&format!("  {}\n", describe(f, report.since.as_deref())));
    }
    if report.feedback_off {
        out.push_str("  the feedback log is off (FEEDBACK_LOG=off)\n");
    }
    out.push('\n');
    if report.unanswered_total == 0 {
        out.push_str("No unanswered questions logged");
        if let Some(since) = &report.since {
            out.push_str(&format!(" since {since}"));
        }
        out.push_str(".\n");
    } else if report.gaps.is_empty() {
        out.push_str("No unanswered questions, only messages with no question in them.\n");
    } else {
        out.push_str(&format!(
            "Most asked questions without a good answer ({} logged):\n",
            report.unanswered_total
        ));
        for g in &report.gaps {
            out.push_str(&format!(
                "{:>6}  {}  ({}, last {})\n",
                g.count,
                g.question,
                g.reading(),
                g.last_seen
            ));
        }
    }
    if report.no_question > 0 {
        out.push_str(&format!(
            "{} with no question in them (greetings, thanks, \"help\" and the like), not listed.\n",
            count(report.no_question, "message", "messages")
        ));
    }
    if !report.declined.is_empty() {
        out.push_str("\nDeclined, by what the article does not cover:\n");
        for d in &report.declined {
            out.push_str(&format!(
                "  {}: asked {}\n",
                d.category,
                count(d.count, "time", "times")
            ));
        }
    }
    if !report.least_helpful.is_empty() {
        out.push_str("\nTopics marked not helpful:\n");
        for t in &report.least_helpful {
            out.push_str(&format!(
                "{:>6} not helpful, {:>4} helpful  {}\n",
                t.not_helpful, t.helpful, t.topic
            ));
            for q in &t.questions {
                out.push_str(&format!("          asked: {q}\n"));
            }
            for c in &t.comments {
                out.push_str(&format!("          wanted: {c}\n"));
            }
        }
    }
    if report.skipped_lines > 0 {
        out.push_str(&format!(
            "\n({} skipped: not log records)\n",
            count(report.skipped_lines, "unreadable line", "unreadable lines")
        ));
    }
    out
}
