//! `gaps`: the maintainer's to-do list. Reads the unanswered and feedback
//! logs, groups near-identical questions (by the matcher's own reading:
//! normalized words without filler, in any order), and lists the most asked
//! first with the topic that came closest, then the topics people found
//! least helpful.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::feedback::{Feedback, Vote};
use super::jsonl::JsonlLog;
use super::unanswered::Unanswered;
use crate::matcher::Matcher;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    /// The most common wording of the group.
    pub question: String,
    pub count: usize,
    /// The topic that most often came closest.
    pub nearest: Option<String>,
    pub last_seen: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopicVotes {
    pub topic: String,
    pub helpful: usize,
    pub not_helpful: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub unanswered_total: usize,
    pub gaps: Vec<Gap>,
    pub least_helpful: Vec<TopicVotes>,
    /// Lines that could not be read as records.
    pub skipped_lines: usize,
}

/// Reads a log and its rotated predecessor, oldest first, calling `each`
/// for every line that parses as `T`. Returns how many lines did not.
fn read_log<T: serde::de::DeserializeOwned>(
    path: &Path,
    mut each: impl FnMut(T),
) -> io::Result<usize> {
    let mut skipped = 0;
    for p in [JsonlLog::previous_path(path), path.to_path_buf()] {
        let file = match File::open(&p) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        let mut reader = BufReader::new(file);
        let mut line = Vec::new();
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line)? == 0 {
                break;
            }
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match serde_json::from_slice::<T>(&line) {
                Ok(record) => each(record),
                Err(_) => skipped += 1,
            }
        }
    }
    Ok(skipped)
}

fn recent(time: &str, cutoff: Option<DateTime<Utc>>) -> bool {
    match cutoff {
        None => true,
        Some(cutoff) => DateTime::parse_from_rfc3339(time).is_ok_and(|t| t >= cutoff),
    }
}

pub fn build(
    matcher: &Matcher,
    unanswered: &Path,
    feedback: &Path,
    since: Option<Duration>,
    top: usize,
) -> io::Result<Report> {
    let cutoff = since
        .and_then(|d| chrono::Duration::from_std(d).ok())
        .and_then(|d| Utc::now().checked_sub_signed(d));

    struct Group {
        count: usize,
        wordings: HashMap<String, usize>,
        nearest: HashMap<String, usize>,
        last_seen: String,
    }
    let mut groups: HashMap<String, Group> = HashMap::new();
    let mut total = 0;
    let mut skipped = read_log::<Unanswered>(unanswered, |u| {
        if !recent(&u.time, cutoff) {
            return;
        }
        total += 1;
        let key = matcher.gap_key(&u.question);
        let g = groups.entry(key).or_insert_with(|| Group {
            count: 0,
            wordings: HashMap::new(),
            nearest: HashMap::new(),
            last_seen: String::new(),
        });
        g.count += 1;
        *g.wordings.entry(u.question).or_default() += 1;
        if let Some(c) = u.candidate {
            *g.nearest.entry(c).or_default() += 1;
        }
        if u.time > g.last_seen {
            g.last_seen = u.time;
        }
    })?;
    let most = |m: &HashMap<String, usize>| {
        m.iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(k, _)| k.clone())
    };
    let mut gaps: Vec<Gap> = groups
        .into_values()
        .map(|g| Gap {
            question: most(&g.wordings).unwrap_or_default(),
            count: g.count,
            nearest: most(&g.nearest),
            last_seen: g.last_seen,
        })
        .collect();
    gaps.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| b.last_seen.cmp(&a.last_seen))
    });
    gaps.truncate(top);

    let mut votes: HashMap<String, (usize, usize)> = HashMap::new();
    skipped += read_log::<Feedback>(feedback, |f| {
        if recent(&f.time, cutoff) {
            let v = votes.entry(f.topic).or_default();
            match f.vote {
                Vote::Up => v.0 += 1,
                Vote::Down => v.1 += 1,
            }
        }
    })?;
    let mut least_helpful: Vec<TopicVotes> = votes
        .into_iter()
        .filter(|(_, (_, down))| *down > 0)
        .map(|(topic, (helpful, not_helpful))| TopicVotes {
            topic,
            helpful,
            not_helpful,
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
        least_helpful,
        skipped_lines: skipped,
    })
}

/// The report as text for a terminal.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    if report.gaps.is_empty() {
        out.push_str("No unanswered questions logged.\n");
    } else {
        out.push_str(&format!(
            "Most asked questions without a good answer ({} logged):\n",
            report.unanswered_total
        ));
        for g in &report.gaps {
            out.push_str(&format!(
                "{:>6}  {}  (nearest: {}, last {})\n",
                g.count,
                g.question,
                g.nearest.as_deref().unwrap_or("none"),
                g.last_seen
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
        }
    }
    if report.skipped_lines > 0 {
        out.push_str(&format!(
            "\n({} unreadable log lines skipped)\n",
            report.skipped_lines
        ));
    }
    out
}
