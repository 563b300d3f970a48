//! The maintainer's loop: unanswered questions are logged without anything
//! that identifies a person, and `gaps` turns the logs into a to-do list.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

mod common;

fn bot(logs: &Path) -> Command {
    let mut cmd = common::bot_in(logs);
    cmd.env("UNANSWERED_LOG", logs.join("unanswered.jsonl"))
        .env("FEEDBACK_LOG", logs.join("feedback.jsonl"));
    cmd
}

#[test]
fn console_questions_it_cannot_answer_are_logged_and_reported_by_gaps() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut child = bot(dir.path())
        .arg("console")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    if let Some(mut stdin) = child.stdin.take() {
        let input = "How much is PSPO?\npspo how much is\nhow much is pspo??\ndoes pspo expire?\n/ask what does CSM cover\n/topics\n";
        stdin
            .write_all(input.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    assert!(child.wait().is_ok_and(|s| s.success()));

    let log = std::fs::read_to_string(dir.path().join("unanswered.jsonl")).unwrap_or_default();
    let records: Vec<Value> = log
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    // Three price questions and the CSM one; the answered question and the
    // command are not logged.
    assert_eq!(records.len(), 4, "{log}");
    for r in &records {
        assert_eq!(r["transport"], "console");
        assert!(r["time"].as_str().is_some_and(|t| t.ends_with('Z')));
        let keys: Vec<&str> = r
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        assert!(
            keys.iter().all(|k| [
                "time",
                "question",
                "transport",
                "guild_id",
                "channel_id",
                "candidate",
                "score",
                "unknown"
            ]
            .contains(k)),
            "{keys:?}"
        );
    }

    // Feedback written as the Discord transports write it.
    let feedback = [
        r#"{"time":"2026-01-01T00:00:00Z","topic":"focus","vote":"down","transport":"slash","guild_id":1,"channel_id":2}"#,
        r#"{"time":"2026-01-01T00:00:00Z","topic":"focus","vote":"down","transport":"http","guild_id":1,"channel_id":2}"#,
        r#"{"time":"2026-01-01T00:00:00Z","topic":"focus","vote":"up","transport":"http","guild_id":1,"channel_id":2}"#,
        r#"{"time":"2026-01-01T00:00:00Z","topic":"article","vote":"down","transport":"message","guild_id":null,"channel_id":3}"#,
        "not json",
    ];
    std::fs::write(dir.path().join("feedback.jsonl"), feedback.join("\n"))
        .unwrap_or_else(|e| panic!("{e}"));

    let out = bot(dir.path())
        .args(["gaps", "--json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report["unanswered_total"], 4);
    assert_eq!(report["gaps"][0]["count"], 3, "{report}");
    assert_eq!(report["gaps"][1]["count"], 1);
    assert_eq!(report["least_helpful"][0]["topic"], "focus");
    assert_eq!(report["least_helpful"][0]["not_helpful"], 2);
    assert_eq!(report["least_helpful"][0]["helpful"], 1);
    assert_eq!(report["skipped_lines"], 1);

    let text = bot(dir.path())
        .arg("gaps")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("Most asked questions"), "{text}");
    assert!(text.contains("     3  "), "{text}");

    // A one-hour window keeps the questions logged just now and drops the
    // feedback dated long ago.
    let recent = bot(dir.path())
        .args(["gaps", "--json", "--since", "1h"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let recent: Value = serde_json::from_slice(&recent.stdout).unwrap_or_default();
    assert_eq!(recent["unanswered_total"], 4);
    assert_eq!(recent["least_helpful"], serde_json::json!([]));
}

#[test]
fn gaps_with_no_logs_says_so() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = bot(dir.path())
        .arg("gaps")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("No unanswered questions logged."));
}
