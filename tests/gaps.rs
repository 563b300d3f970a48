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

/// `gaps` with `args` on the logs in `dir`; its exit status and output.
fn gaps(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = bot(dir)
        .arg("gaps")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// An unanswered-log line as the bot writes it.
fn logged(time: &str, question: &str, unknown: Option<&str>) -> String {
    let mut record = serde_json::json!({
        "time": time, "question": question, "transport": "message",
        "guild_id": 1, "channel_id": 2, "candidate": null, "score": 0.0,
    });
    if let Some(u) = unknown {
        record["unknown"] = u.into();
    }
    record.to_string()
}

#[test]
fn gaps_names_the_files_it_read_and_says_why_one_gave_nothing() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let unanswered = dir.path().join("unanswered.jsonl");
    let feedback = dir.path().join("feedback.jsonl");

    // Neither log exists yet.
    let (code, text, _) = gaps(dir.path(), &[]);
    assert_eq!(code, Some(0));
    assert!(
        text.contains(&format!(
            "{} does not exist: nothing has been logged there yet",
            unanswered.display()
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("{} does not exist", feedback.display())),
        "{text}"
    );
    assert!(text.contains("No unanswered questions logged."), "{text}");

    // It exists, and is empty.
    std::fs::write(&unanswered, "").unwrap_or_else(|e| panic!("{e}"));
    let (_, text, _) = gaps(dir.path(), &[]);
    assert!(
        text.contains(&format!("{} is empty", unanswered.display())),
        "{text}"
    );

    // It has questions, none of them in the window.
    std::fs::write(
        &unanswered,
        logged("2020-01-01T00:00:00Z", "how much is pspo", Some("price")) + "\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (_, text, _) = gaps(dir.path(), &["--since", "7d"]);
    assert!(
        text.contains(&format!("{}: 1 message, none since ", unanswered.display())),
        "{text}"
    );
    assert!(
        text.contains("No unanswered questions logged since "),
        "{text}"
    );
    let (_, json, _) = gaps(dir.path(), &["--since", "7d", "--json"]);
    let report: Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report["files"][0]["state"], "read");
    assert_eq!(report["files"][0]["records"], 1);
    assert_eq!(report["files"][0]["in_window"], 0);
    assert_eq!(report["files"][1]["state"], "missing");

    // The rotated file is read too, and named.
    let rotated = dir.path().join("unanswered.jsonl.1");
    std::fs::write(
        &rotated,
        logged("2020-01-01T00:00:00Z", "How much is PSPO?", Some("price")) + "\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (_, text, _) = gaps(dir.path(), &[]);
    assert!(
        text.contains(&format!("{}: 1 message", rotated.display())),
        "{text}"
    );
    assert!(text.contains("     2  "), "{text}");

    // A feedback log turned off is said to be off.
    let out = bot(dir.path())
        .env("FEEDBACK_LOG", "off")
        .arg("gaps")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("the feedback log is off"), "{text}");
}

#[test]
fn messages_with_no_question_are_counted_apart_and_declines_counted_per_category() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let t = "2026-01-01T00:00:00Z";
    let mut lines = vec![
        logged(t, "hi", None),
        logged(t, "help", None),
        logged(t, "who are you", None),
        logged(t, "stupid bot", None),
        logged(t, "Thanks!!", None),
        logged(t, "how much is the pspo exam?", Some("price")),
        logged(t, "pspo exam, how much is it??", Some("price")),
        logged(t, "PSPO exam: how much?", Some("price")),
        logged(t, "what is the pass mark for pspo", Some("pass-mark")),
    ];
    // A line written before `unknown` was logged still reads.
    lines.push(format!(
        r#"{{"time":"{t}","question":"can i take it in spanish","transport":"slash","guild_id":null,"channel_id":null,"candidate":"what-is-pspo","score":0.2}}"#
    ));
    std::fs::write(dir.path().join("unanswered.jsonl"), lines.join("\n"))
        .unwrap_or_else(|e| panic!("{e}"));

    let (code, json, err) = gaps(dir.path(), &["--json"]);
    assert_eq!(code, Some(0), "{err}");
    let report: Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report["unanswered_total"], 10);
    assert_eq!(report["no_question"], 5, "{report}");
    assert_eq!(report["skipped_lines"], 0);
    let rows: Vec<(&str, u64)> = report["gaps"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|g| {
            (
                g["question"].as_str().unwrap_or(""),
                g["count"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    // The three wordings of the exam price share their meaning; the
    // pass mark and the language are questions of their own.
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows[0].1, 3, "{rows:?}");
    assert!(rows[0].0.to_lowercase().contains("pspo exam"), "{rows:?}");
    for (q, _) in &rows {
        assert!(
            !["hi", "help", "who are you", "stupid bot", "Thanks!!"].contains(q),
            "{rows:?}"
        );
    }
    assert_eq!(report["gaps"][0]["declined_as"], "price");
    assert_eq!(
        report["declined"],
        serde_json::json!([
            {"category": "price", "count": 3},
            {"category": "pass-mark", "count": 1},
        ])
    );

    let (_, text, _) = gaps(dir.path(), &[]);
    assert!(
        text.contains("5 messages with no question in them"),
        "{text}"
    );
    assert!(text.contains("  price: asked 3 times\n"), "{text}");
    assert!(text.contains("  pass-mark: asked 1 time\n"), "{text}");
    assert!(!text.contains("  hi  "), "{text}");

    // --top keeps that many rows of each list.
    let (_, json, _) = gaps(dir.path(), &["--json", "--top", "1"]);
    let report: Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report["gaps"].as_array().map(Vec::len), Some(1));
    assert_eq!(report["declined"].as_array().map(Vec::len), Some(1));
}

#[test]
fn a_zero_window_or_zero_rows_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (code, out, err) = gaps(dir.path(), &["--top", "0"]);
    assert_eq!(code, Some(2));
    assert!(out.is_empty());
    assert!(
        err.contains("0 rows would show nothing; give at least 1"),
        "{err}"
    );
    let (code, _, err) = gaps(dir.path(), &["--since", "0s"]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("leave --since out to read everything"),
        "{err}"
    );
    let (code, _, err) = gaps(dir.path(), &["--since", "soon"]);
    assert_eq!(code, Some(2), "{err}");
}

#[test]
fn least_helpful_topics_show_what_was_asked_and_wanted_and_changed_votes_move() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let feedback = [
        // One person: helpful, then changed to not helpful, then a comment.
        r#"{"time":"2026-01-01T00:00:00Z","topic":"pspo-validity","vote":"up","transport":"http","guild_id":1,"channel_id":2,"question":"does pspo expire?"}"#,
        r#"{"time":"2026-01-01T00:00:01Z","topic":"pspo-validity","vote":"down","transport":"http","guild_id":1,"channel_id":2,"question":"does pspo expire?","changed":true}"#,
        r#"{"time":"2026-01-01T00:00:02Z","topic":"pspo-validity","vote":"down","transport":"http","guild_id":1,"channel_id":2,"question":"does pspo expire?","comment":"the renewal fee"}"#,
        r#"{"time":"2026-01-01T00:00:03Z","topic":"pspo-validity","vote":"down","transport":"slash","guild_id":1,"channel_id":2,"question":"is pspo for life"}"#,
    ];
    std::fs::write(dir.path().join("feedback.jsonl"), feedback.join("\n"))
        .unwrap_or_else(|e| panic!("{e}"));
    let out = bot(dir.path())
        .args(["gaps", "--json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    let topic = &report["least_helpful"][0];
    assert_eq!(topic["topic"], "pspo-validity", "{report}");
    assert_eq!(topic["not_helpful"], 2, "a changed vote and a new one");
    assert_eq!(
        topic["helpful"], 0,
        "the changed vote took its helpful back"
    );
    assert_eq!(
        topic["questions"],
        serde_json::json!(["is pspo for life", "does pspo expire?"])
    );
    assert_eq!(topic["comments"], serde_json::json!(["the renewal fee"]));

    let text = bot(dir.path())
        .arg("gaps")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("asked: is pspo for life"), "{text}");
    assert!(text.contains("wanted: the renewal fee"), "{text}");
}
