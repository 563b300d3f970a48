//! A log path that cannot be written without waiting must not stop the
//! bot: `serve-http` with its logs pointed at FIFOs nobody reads keeps
//! answering, keeps its health check prompt and still stops on SIGTERM.

#![cfg(unix)]

mod http_support;

use std::time::{Duration, Instant};

use http_support::{fixtures, Server};

/// Far above what a prompt answer takes, far below a hang.
const PROMPT: Duration = Duration::from_secs(5);

fn fifo(path: &std::path::Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap_or_else(|e| panic!("mkfifo: {e}"));
    assert!(made.success(), "mkfifo {}", path.display());
}

#[tokio::test]
async fn logs_on_fifos_nobody_reads_do_not_stall_answers_health_or_shutdown() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let unanswered = dir.path().join("unanswered.jsonl");
    let feedback = dir.path().join("feedback.jsonl");
    fifo(&unanswered);
    fifo(&feedback);
    let (unanswered, feedback) = (
        unanswered.display().to_string(),
        feedback.display().to_string(),
    );
    let mut server = Server::start_with(&[
        ("UNANSWERED_LOG", unanswered.as_str()),
        ("FEEDBACK_LOG", feedback.as_str()),
    ]);

    for i in 0..20u64 {
        // A different person each time, so the rate limit stays out of it.
        let question = fixtures::by(
            fixtures::command(
                "ask",
                &[("question", &format!("what is the weather on day {i}"))],
            ),
            6_000_000_000_000_000_000 + i,
        );
        let started = Instant::now();
        let (status, body) = server.interact(&question).await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        assert!(
            started.elapsed() < PROMPT,
            "answer {i} took {:?}",
            started.elapsed()
        );
        if i % 5 == 0 {
            let click = fixtures::by(
                fixtures::button("feedback:pspo-validity:up"),
                7_000_000_000_000_000_000 + i,
            );
            assert_eq!(server.interact(&click).await.0, 200);
            let started = Instant::now();
            let health = server.get("/healthz").await;
            assert_eq!(health.status().as_u16(), 200);
            assert!(
                started.elapsed() < PROMPT,
                "healthz took {:?}",
                started.elapsed()
            );
        }
    }

    // Each refused path is said once, not once per line.
    let output = server.output();
    for path in [&unanswered, &feedback] {
        let said = output
            .iter()
            .filter(|l| l.contains("is not a regular file") && l.contains(path.as_str()))
            .count();
        assert_eq!(said, 1, "{path} in {output:#?}");
    }

    // The metric for lost lines is there for an operator to alert on.
    let metrics = server
        .get("/metrics")
        .await
        .text()
        .await
        .unwrap_or_default();
    assert!(
        metrics.contains("cspo_pspo_bot_log_lines_dropped_total "),
        "{metrics}"
    );

    server.signal("TERM");
    let status = server.wait(Duration::from_secs(10));
    assert!(
        status.success(),
        "{status:?}; output: {:#?}",
        server.output()
    );
}

#[tokio::test]
async fn a_deleted_log_file_is_made_again_and_no_line_is_lost() {
    let server = Server::start();
    let ask = |q: &str| fixtures::command("ask", &[("question", q)]);
    let log = server.dir().join("data").join("unanswered.jsonl");
    server
        .interact_ok(&ask("what is the weather on mars?"))
        .await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !log.exists() {
        assert!(
            Instant::now() < deadline,
            "the first line was never written"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // logrotate's `copytruncate`-less rotation, or an operator's `rm`.
    std::fs::remove_file(&log).unwrap_or_else(|e| panic!("{e}"));
    server
        .interact_ok(&ask("how tall is the eiffel tower?"))
        .await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains("eiffel") {
            assert!(!text.contains("mars"), "a new file, not the deleted one");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the line after the deletion was lost"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
