//! What `serve-http` does for the people who run it: the questions it
//! could not answer and the feedback it got, written to their logs with
//! nothing about the person, feedback counted in `/metrics`, and one
//! person's flood slowed without slowing anyone else.

mod common;
mod http_support;

use serde_json::Value;

use common::{fields, log_lines, wait_shown};
use http_support::{fixtures, shapes, Server};

const GUILD_ID: u64 = 1_111_111_111_111_111_111;
const CHANNEL_ID: u64 = 2_222_222_222_222_222_222;
const ADA: u64 = 5_555_555_555_555_555_555;

fn metric(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

async fn metrics(server: &Server) -> String {
    server
        .get("/metrics")
        .await
        .text()
        .await
        .unwrap_or_default()
}

fn description(data: &Value) -> &str {
    data["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default()
}

#[tokio::test]
async fn unanswered_questions_are_logged_with_the_place_and_never_the_person() {
    let server = Server::start();
    let unknown = "what is the weather tomorrow";
    let ask = |q: &str| fixtures::by(fixtures::command("ask", &[("question", q)]), ADA);
    server.interact_ok(&ask(unknown)).await;
    server.interact_ok(&ask("does pspo expire?")).await;
    server
        .interact_ok(&ask("how much does the pspo exam cost?"))
        .await;

    let lines = log_lines(server.dir(), "unanswered.jsonl");
    let questions: Vec<&str> = lines
        .iter()
        .filter_map(|l| l["question"].as_str())
        .collect();
    assert_eq!(
        questions,
        [unknown, "how much does the pspo exam cost?"],
        "a question answered with confidence is not logged"
    );
    let first = &lines[0];
    assert_eq!(first["transport"], "http");
    assert_eq!(first["guild_id"], GUILD_ID);
    assert_eq!(first["channel_id"], CHANNEL_ID);
    assert!(first["score"].is_number(), "{first}");
    assert!(first["time"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert_eq!(lines[1]["unknown"], "price", "{}", lines[1]);

    let raw =
        std::fs::read_to_string(server.dir().join("data/unanswered.jsonl")).unwrap_or_default();
    assert!(!raw.contains(&ADA.to_string()), "no user id: {raw}");
    assert!(!raw.to_lowercase().contains("ada"), "no user name: {raw}");
}

#[tokio::test]
async fn feedback_is_thanked_privately_logged_and_counted() {
    let server = Server::start();
    let answer = server
        .interact_ok(&fixtures::command(
            "ask",
            &[("question", "does pspo expire?")],
        ))
        .await;
    let data = shapes::message_response(&answer);
    let ids: Vec<String> = data["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["custom_id"].as_str().map(str::to_string))
        .collect();
    assert!(
        ids.iter().any(|id| id == "feedback:pspo-validity:down"),
        "the answer carries the feedback buttons: {ids:?}"
    );

    // "Not helpful" is counted and asks, in a form, what was missing.
    let form = server
        .interact_ok(&fixtures::by(
            fixtures::button("feedback:pspo-validity:down"),
            ADA,
        ))
        .await;
    assert_eq!(form["type"], 9, "{form}");
    let thanks = server
        .interact_ok(&fixtures::button("feedback:pspo-validity:up"))
        .await;
    let thanks = shapes::message_response(&thanks);
    assert!(shapes::is_ephemeral(thanks), "only the clicker sees it");
    assert!(description(thanks).starts_with("Thanks"), "{thanks}");
    // A button for a topic that does not exist is neither logged nor
    // counted: labels and log lines never come from a request.
    server
        .interact_ok(&fixtures::button("feedback:made-up:up"))
        .await;

    let lines = log_lines(server.dir(), "feedback.jsonl");
    assert_eq!(
        fields(&lines, "topic", "vote"),
        [("pspo-validity", "down"), ("pspo-validity", "up")]
    );
    assert_eq!(lines[0]["transport"], "http");
    assert_eq!(lines[0]["channel_id"], CHANNEL_ID);
    let raw = std::fs::read_to_string(server.dir().join("data/feedback.jsonl")).unwrap_or_default();
    assert!(!raw.contains(&ADA.to_string()), "{raw}");

    let text = metrics(&server).await;
    let votes = |vote: &str| {
        metric(
            &text,
            &format!(r#"cspo_pspo_bot_feedback_total{{topic="pspo-validity",vote="{vote}"}}"#),
        )
    };
    assert_eq!(votes("down"), Some(1.0), "{text}");
    assert_eq!(votes("up"), Some(1.0), "{text}");
    assert!(!text.contains("made-up"));
}

#[tokio::test]
async fn one_persons_flood_is_slowed_and_nobody_else_is() {
    let server = Server::start_with(&[
        ("RATE_LIMIT_BURST", "3"),
        ("RATE_LIMIT_REFILL_SECONDS", "3600"),
    ]);
    let contact = || fixtures::by(fixtures::command("contact", &[]), ADA);
    for _ in 0..3 {
        let reply = server.interact_ok(&contact()).await;
        assert_eq!(
            shapes::message_response(&reply)["embeds"][0]["title"],
            "Pan Learn"
        );
    }

    let slowed = server.interact_ok(&contact()).await;
    let data = shapes::message_response(&slowed);
    assert!(shapes::is_ephemeral(data), "only the flooder sees it");
    // The whole refill period, less the moment the requests took.
    let wait = wait_shown(description(data));
    assert!(
        wait.is_some_and(|w| (3500..=3600).contains(&w)),
        "{wait:?} in {data}"
    );
    // Clicks count too.
    let click = server
        .interact_ok(&fixtures::by(fixtures::button("topic:provider"), ADA))
        .await;
    assert!(description(shapes::message_response(&click)).contains("Try again"));

    // Typing is never slowed: autocomplete has no way to say "wait".
    let typed = server
        .interact_ok(&fixtures::by(
            fixtures::autocomplete("ask", "question", "expire"),
            ADA,
        ))
        .await;
    assert!(!shapes::autocomplete_response(&typed).is_empty());

    // Someone else in the same channel is answered as usual.
    let other = server.interact_ok(&fixtures::command("contact", &[])).await;
    assert_eq!(
        shapes::message_response(&other)["embeds"][0]["title"],
        "Pan Learn"
    );

    let text = metrics(&server).await;
    assert_eq!(
        metric(&text, "cspo_pspo_bot_rate_limited_total"),
        Some(2.0),
        "{text}"
    );
}

#[tokio::test]
async fn logs_can_be_turned_off() {
    let server = Server::start_with(&[("UNANSWERED_LOG", "off"), ("FEEDBACK_LOG", "off")]);
    server
        .interact_ok(&fixtures::command(
            "ask",
            &[("question", "what is the weather tomorrow")],
        ))
        .await;
    server
        .interact_ok(&fixtures::button("feedback:pspo-validity:up"))
        .await;
    assert!(!server.dir().join("data").exists());
}

#[tokio::test]
async fn a_replayed_request_gets_the_same_response_and_has_no_second_effect() {
    // A burst of 2, so a replay that took a token would soon be slowed.
    let server = Server::start_with(&[
        ("RATE_LIMIT_BURST", "2"),
        ("RATE_LIMIT_REFILL_SECONDS", "60"),
    ]);
    let click = fixtures::button("feedback:pspo-validity:up");
    let body = serde_json::to_vec(&click).unwrap_or_default();
    let ts = http_support::now().to_string();
    let signature = server.keys.sign(&ts, &body);
    let headers = [
        ("x-signature-ed25519", signature),
        ("x-signature-timestamp", ts),
    ];
    let mut first: Option<Vec<u8>> = None;
    for _ in 0..1_000 {
        let response = server.post_raw(body.clone(), &headers).await;
        assert_eq!(response.status().as_u16(), 200);
        let bytes = response
            .bytes()
            .await
            .map(|b| b.to_vec())
            .unwrap_or_default();
        match &first {
            None => first = Some(bytes),
            Some(f) => assert_eq!(&bytes, f, "a replay gets the very same response"),
        }
    }
    // Copies sent at the same moment on separate connections.
    let other = fixtures::button("feedback:cspo-validity:down");
    let body = serde_json::to_vec(&other).unwrap_or_default();
    let ts = http_support::now().to_string();
    let signature = server.keys.sign(&ts, &body);
    let headers = [
        ("x-signature-ed25519", signature),
        ("x-signature-timestamp", ts),
    ];
    let copies = (0..50).map(|_| server.post_raw(body.clone(), &headers));
    let statuses: Vec<u16> = futures_util::future::join_all(copies)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 409),
        "{statuses:?}"
    );

    let lines = log_lines(server.dir(), "feedback.jsonl");
    assert_eq!(lines.len(), 2, "two clicks, two votes: {lines:?}");
    let text = metrics(&server).await;
    assert_eq!(
        metric(
            &text,
            "cspo_pspo_bot_feedback_total{topic=\"pspo-validity\",vote=\"up\"}"
        ),
        Some(1.0),
        "{text}"
    );
}

#[tokio::test]
async fn healthcheck_exits_0_for_a_healthy_bot_and_1_otherwise() {
    let server = Server::start();
    let url = server.url("/healthz");
    let probe = |url: String| {
        std::process::Command::new(env!("CARGO_BIN_EXE_cspo-pspo-bot"))
            .args(["healthcheck", &url])
            .env_clear()
            .output()
            .expect("the probe runs")
    };
    let healthy = tokio::task::spawn_blocking({
        let url = url.clone();
        move || probe(url)
    })
    .await
    .expect("joined");
    assert_eq!(healthy.status.code(), Some(0), "{healthy:?}");
    assert!(String::from_utf8_lossy(&healthy.stdout).contains("\"status\":\"ok\""));

    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port");
    let down = tokio::task::spawn_blocking(move || probe(format!("http://{free}/healthz")))
        .await
        .expect("joined");
    assert_eq!(down.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&down.stderr).starts_with("unhealthy:"));
}

#[test]
fn an_empty_rust_log_counts_as_unset_and_a_broken_one_stops_with_ex_config() {
    // Start-up waits for the "listening on" line (and fails without it):
    // an empty RUST_LOG must not silence it.
    let _server = Server::start_with(&[("RUST_LOG", "")]);
    let key = http_support::Keys::generate().public_hex();
    let out = http_support::command(&[("RUST_LOG", "[[["), ("DISCORD_PUBLIC_KEY", &key)])
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(78));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("error: RUST_LOG"), "{stderr}");
}
