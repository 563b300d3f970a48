//! The binary as a newcomer and a script use it: `ask`, batch answers on
//! stdin, `check`, and the console driven through stdin.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

mod common;

/// The binary, away from the repository and with its logs turned off, so
/// that no run leaves files behind.
fn bot() -> Command {
    let mut cmd = common::bot_in(&std::env::temp_dir());
    cmd.env("UNANSWERED_LOG", "off").env("FEEDBACK_LOG", "off");
    cmd
}

fn ask_json_with_stdin(input: &[u8]) -> Output {
    let mut cmd = bot();
    cmd.args(["ask", "--json"]);
    common::run_with_stdin(cmd, input)
}

fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

const ARTICLE: &str =
    "https://www.panlearn.com/articles/project-management/wondering-to-choose-cspo-or-pspo/";

#[test]
fn ask_json_prints_the_documented_shape() {
    let out = bot()
        .args(["ask", "--json", "does PSPO expire?"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success());
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1);
    let a = &lines[0];
    assert_eq!(a["question"], "does PSPO expire?");
    assert_eq!(a["topic"], "pspo-validity");
    let confidence = a["confidence"].as_f64().unwrap_or(-1.0);
    assert!((0.0..=1.0).contains(&confidence));
    assert!(a["answer"]
        .as_str()
        .is_some_and(|s| s.contains("does not expire")));
    assert_eq!(a["url"], ARTICLE);
    assert!(a["suggestions"].is_array());
}

#[test]
fn ask_json_answers_each_argument_as_a_question_of_its_own() {
    let out = bot()
        .args(["ask", "--json", "does cspo expire?", "what is PSPO?", ""])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success());
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 3, "one line per argument, in order");
    assert_eq!(lines[0]["question"], "does cspo expire?");
    assert_eq!(lines[0]["topic"], "cspo-validity");
    assert_eq!(lines[1]["question"], "what is PSPO?");
    assert_eq!(lines[1]["topic"], "what-is-pspo");
    // An empty argument is answered like a blank line of stdin.
    assert_eq!(lines[2]["topic"], Value::Null);
    assert!(lines[2]["answer"]
        .as_str()
        .is_some_and(|s| s.contains("type a question")));
}

#[test]
fn ask_answers_each_argument_and_join_reads_them_as_one_question() {
    let out = bot()
        .args(["ask", "does pspo expire?", "what is cspo?"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.matches("== ").count(), 2, "{text}");
    assert!(text.contains("== Does PSPO expire? =="), "{text}");
    assert!(text.contains("== What is CSPO? =="), "{text}");

    let joined = bot()
        .args(["ask", "--join", "does", "pspo", "expire?"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&joined.stdout);
    assert_eq!(text.matches("== ").count(), 1, "{text}");
    assert!(text.contains("== Does PSPO expire? =="), "{text}");
}

#[test]
fn batch_answers_one_line_per_input_line_in_order() {
    let input =
        "does cspo expire\n\nwhat is the weather tomorrow?\nhow much is the PSPO exam fee\r\n";
    let out = ask_json_with_stdin(input.as_bytes());
    assert!(out.status.success());
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["topic"], "cspo-validity");
    // A blank line gets a clear answer, not silence.
    assert_eq!(lines[1]["topic"], Value::Null);
    assert!(lines[1]["answer"]
        .as_str()
        .is_some_and(|s| s.contains("type a question")));
    // Out of scope: no topic, and the fallback names /topics and where to
    // ask instead: for a price, the issuer of the certification named.
    for l in &lines[2..] {
        assert_eq!(l["topic"], Value::Null);
        let answer = l["answer"].as_str().unwrap_or("");
        assert!(answer.contains("/topics"), "{answer}");
    }
    let price = lines[3]["answer"].as_str().unwrap_or("");
    assert!(
        price.contains("prices") && price.contains("https://www.scrum.org"),
        "{price}"
    );
    assert_eq!(lines[3]["question"], "how much is the PSPO exam fee");
}

#[test]
fn invalid_utf8_is_reported_and_the_rest_answered() {
    let mut input = b"does pspo expire\n".to_vec();
    input.extend_from_slice(b"\xff\xfe broken\n");
    input.extend_from_slice(b"does cspo expire\n");
    let out = ask_json_with_stdin(&input);
    assert!(out.status.success());
    let lines = json_lines(&out);
    // Still one output line per input line, so they pair by position.
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["topic"], "pspo-validity");
    assert_eq!(lines[1]["topic"], Value::Null);
    assert!(lines[1]["answer"]
        .as_str()
        .is_some_and(|a| a.contains("not valid UTF-8")));
    assert_eq!(lines[1]["error"], "not valid UTF-8");
    assert!(lines[0].get("error").is_none() && lines[2].get("error").is_none());
    assert_eq!(lines[2]["topic"], "cspo-validity");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 2: not valid UTF-8"), "{err}");
}

#[test]
fn huge_lines_and_control_characters_are_answered() {
    let mut input = String::from("does pspo expire? ");
    input.push_str(&"blah ".repeat(20_000));
    input.push('\n');
    input.push_str("does\u{1}\u{7} cspo\u{0} expire\n");
    let out = ask_json_with_stdin(input.as_bytes());
    assert!(out.status.success());
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["topic"], "pspo-validity");
    assert_eq!(lines[1]["topic"], "cspo-validity");
}

#[test]
fn ask_without_json_prints_a_readable_card() {
    let out = bot()
        .args(["ask", "what comes after cspo"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("== What comes after CSPO? =="), "{text}");
    assert!(text.contains("[Read the full article]"), "{text}");
    assert!(
        !text.contains("**"),
        "markdown is rendered as plain text: {text}"
    );
}

#[test]
fn check_summarises_and_check_json_exports_the_knowledge() {
    let out = bot()
        .arg("check")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("ok") && text.contains("16 topics"), "{text}");

    let out = bot()
        .args(["check", "--json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(out.status.success());
    let k: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(k["article"]["url"], ARTICLE);
    assert_eq!(k["provider"]["phone"], "408-878-3078");
    assert_eq!(k["certifications"].as_array().map(Vec::len), Some(2));
    let topics = k["topics"].as_array().cloned().unwrap_or_default();
    assert!(topics.len() >= 16);
    for t in &topics {
        assert!(t["id"].is_string() && t["title"].is_string() && t["answer"].is_string());
        assert!(t["questions"].as_array().is_some_and(|q| !q.is_empty()));
    }
}

#[test]
fn the_console_shows_the_discord_replies_as_text() {
    let input = "does pspo expire?\n/compare\n/compare pspo pspo\n/contact\n/topics\n/open provider\n/help\n/nope\n/quit\nnot reached\n";
    let out = common::run_with_stdin(
        {
            let mut c = bot();
            c.arg("console");
            c
        },
        input.as_bytes(),
    );
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "== Does PSPO expire? ==",
        "== CSPO vs PSPO ==",
        "  Validity and renewal\n    CSPO: Comes with",
        "== Pick two different certifications ==",
        "(only you can see this)",
        "Phone: 408-878-3078",
        "/open cspo-vs-pspo",
        "== Pan Learn, the training provider ==",
        "== How to use this bot ==",
        "Unknown command /nope",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(!text.contains("not reached"));
}

#[test]
fn with_no_token_and_no_command_it_starts_the_console_with_a_notice() {
    let out = common::run_with_stdin(bot(), b"does cspo expire\n");
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("DISCORD_TOKEN is not set"), "{err}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("== Does CSPO expire? =="), "{text}");
}

#[test]
fn a_missing_knowledge_folder_is_one_clear_error() {
    let out = bot()
        .args(["ask", "hi"])
        .env("KNOWLEDGE_DIR", "/nonexistent/knowledge")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("no knowledge folder at /nonexistent/knowledge")
            && err.contains("KNOWLEDGE_DIR"),
        "{err}"
    );
}

#[test]
fn a_knowledge_folder_that_is_not_one_is_one_line_saying_how_to_point_elsewhere() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("knowledge.toml");
    std::fs::write(&file, "").unwrap_or_else(|e| panic!("{e}"));
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap_or_else(|e| panic!("{e}"));
    let missing = dir.path().join("missing");
    let cases = [
        (
            missing.clone(),
            format!("there is no knowledge folder at {}", missing.display()),
        ),
        (
            file.clone(),
            format!("{} is a file, not a knowledge folder", file.display()),
        ),
        (
            empty.clone(),
            format!(
                "{} has none of the knowledge files (article.toml",
                empty.display()
            ),
        ),
    ];
    for (folder, says) in cases {
        for by_flag in [true, false] {
            let mut cmd = bot();
            cmd.arg("check");
            if by_flag {
                cmd.arg("--knowledge").arg(&folder);
            } else {
                cmd.env("KNOWLEDGE_DIR", &folder);
            }
            let out = cmd.output().unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(out.status.code(), Some(1));
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(err.lines().count(), 1, "{err}");
            assert!(err.contains(&says), "{err}");
            assert!(err.contains("--knowledge DIR or KNOWLEDGE_DIR"), "{err}");
        }
    }
}

#[test]
fn a_configuration_error_exits_with_ex_config_so_a_supervisor_does_not_loop() {
    let out = bot()
        .args(["console"])
        .env("RATE_LIMIT_BURST", "lots")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        out.status.code(),
        Some(78),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let broken = common::knowledge_copy();
    std::fs::write(broken.path().join("topics.toml"), "[[topic]]\nid = 3\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let out = bot()
        .args(["serve-http"])
        .env("KNOWLEDGE_DIR", broken.path())
        .env("DISCORD_PUBLIC_KEY", "00".repeat(32))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        out.status.code(),
        Some(78),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // `check` reports what it found with an ordinary failure.
    let out = bot()
        .args(["check"])
        .env("KNOWLEDGE_DIR", broken.path())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(1));
}

/// Runs the bot with `args`, writing `input` to its stdin, and closes its
/// stdout after reading `keep` bytes: `bot ARGS < input | head -c keep`.
fn with_a_reader_that_stops_after(args: &[&str], input: String, keep: usize) -> Output {
    use std::io::Read;
    let mut child = bot()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn: {e}"));
    if let Some(mut stdin) = child.stdin.take() {
        std::thread::spawn(move || {
            let _ = stdin.write_all(input.as_bytes());
        });
    }
    if let Some(mut stdout) = child.stdout.take() {
        let mut first = vec![0u8; keep];
        let _ = stdout.read_exact(&mut first);
    }
    child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("wait: {e}"))
}

fn assert_ends_quietly(out: &Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?} {stderr}", out.status);
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    // Megabytes of answers, far more than a pipe holds, so the bot is
    // still writing when the reader goes.
    let many = "does pspo expire?\n".repeat(5_000);
    // `ask --json < questions | head -c 10`
    assert_ends_quietly(&with_a_reader_that_stops_after(
        &["ask", "--json"],
        many.clone(),
        10,
    ));
    // `ask --explain < questions | head`
    assert_ends_quietly(&with_a_reader_that_stops_after(
        &["ask", "--explain"],
        many,
        10,
    ));
    // `check --json | head -c 0`: the pipe is closed before the export,
    // tens of kilobytes written in pieces, has been written.
    assert_ends_quietly(&with_a_reader_that_stops_after(
        &["check", "--json"],
        String::new(),
        0,
    ));
}

#[test]
fn ask_explain_shows_how_each_question_was_read_before_its_answer() {
    let out = bot()
        .args(["ask", "--explain", "does pspo expire", "what is cspo"])
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle:?} missing from\n{text}"))
    };
    let first_read = at(r#"sentence: "does pspo expire""#);
    let first_card = at("== Does PSPO expire? ==");
    let second_read = at(r#"sentence: "what is cspo""#);
    let second_card = at("== What is CSPO? ==");
    assert!(first_read < first_card, "{text}");
    assert!(first_card < second_read, "{text}");
    assert!(second_read < second_card, "{text}");
    // The same from stdin, a line each.
    let out = common::run_with_stdin(
        {
            let mut cmd = bot();
            cmd.args(["ask", "--explain"]);
            cmd
        },
        b"does pspo expire\nwhat is cspo\n",
    );
    let piped = String::from_utf8_lossy(&out.stdout);
    assert_eq!(piped, text);
}
