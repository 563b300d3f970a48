//! What the gateway bot does for the people who run it: unanswered
//! questions and feedback logged with nothing about the person, a
//! per-user rate limit on commands and clicks, and commands registered
//! again when a reload changes them.

mod common;
mod support;

use common::{add_a_certification, compare_choices, fields, knowledge_copy, log_lines, wait_shown};
use std::time::Duration;

use serde_json::{json, Value};
use support::fake_discord::{user_json, APP_ID, BOT_ID, CHANNEL_ID, GUILD_ID};
use support::{Session, TIMEOUT};

const ALICE: u64 = 1_500_000_000_000_000_001;
const BOB: u64 = 1_500_000_000_000_000_002;
const CAROL: u64 = 1_500_000_000_000_000_003;
const EPHEMERAL: u64 = 1 << 6;

fn raw_log(s: &Session, name: &str) -> String {
    std::fs::read_to_string(s.bot.dir().join("data").join(name)).unwrap_or_default()
}

fn ask(question: &str) -> Value {
    json!([{"name": "question", "type": 3, "value": question}])
}

fn description(data: &Value) -> &str {
    data["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default()
}

fn is_ephemeral(data: &Value) -> bool {
    data["flags"].as_u64().is_some_and(|f| f & EPHEMERAL != 0)
}

/// Where the bot says it serves `/healthz` and `/metrics` (`METRICS_ADDR`).
async fn monitor_addr(bot: &support::Bot) -> String {
    let line = bot.wait_line(&["GET /metrics on "]).await;
    line.rsplit("GET /metrics on ")
        .next()
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn unanswered_questions_from_commands_and_mentions_are_logged_but_chatter_is_not() {
    let s = Session::start(&[("ANSWER_CHANNELS", &CHANNEL_ID.to_string())]).await;
    let (id, token, d) = s
        .fake
        .command("ask", ask("what is the weather tomorrow"), ALICE);
    s.fake.dispatch("INTERACTION_CREATE", d);
    s.fake.wait_callback(id, &token, TIMEOUT).await;

    let (confident, token, d) = s.fake.command("ask", ask("does pspo expire?"), ALICE);
    s.fake.dispatch("INTERACTION_CREATE", d);
    s.fake.wait_callback(confident, &token, TIMEOUT).await;

    let alice = user_json(ALICE, "alice", false);
    let (asked, m) = s.fake.message(
        &alice,
        CHANNEL_ID,
        Some(GUILD_ID),
        &format!("<@{BOT_ID}> how much is the cspo course?"),
        &[user_json(BOT_ID, "bot", true)],
    );
    s.fake.dispatch("MESSAGE_CREATE", m);
    s.fake.wait_reply(CHANNEL_ID, asked, TIMEOUT).await;

    // Chatter in an answer channel is not a question to the bot.
    let (chatter, m) = s.fake.message(
        &user_json(BOB, "bob", false),
        CHANNEL_ID,
        Some(GUILD_ID),
        "anyone up for lunch tomorrow",
        &[],
    );
    s.fake.dispatch("MESSAGE_CREATE", m);
    s.bot
        .wait_line(&[&format!("id={chatter}"), "not sure enough"])
        .await;

    // A direct message: its channel is the asker's own, so it is not
    // recorded either.
    let dm_channel = 1_500_000_000_000_000_077;
    // (Someone other than Alice, whose message cooldown is running.)
    let carol = user_json(CAROL, "carol", false);
    let (dm, m) = s
        .fake
        .message(&carol, dm_channel, None, "is the cspo exam hard?", &[]);
    s.fake.dispatch("MESSAGE_CREATE", m);
    s.fake.wait_reply(dm_channel, dm, TIMEOUT).await;

    let lines = log_lines(s.bot.dir(), "unanswered.jsonl");
    assert_eq!(
        fields(&lines, "question", "transport"),
        [
            ("what is the weather tomorrow", "slash"),
            ("how much is the cspo course?", "message"),
            ("is the cspo exam hard?", "message"),
        ],
        "chatter, handled before the direct message, is not logged"
    );
    for line in &lines[..2] {
        assert_eq!(line["guild_id"], GUILD_ID, "{line}");
        assert_eq!(line["channel_id"], CHANNEL_ID, "{line}");
    }
    assert_eq!(
        (&lines[2]["guild_id"], &lines[2]["channel_id"]),
        (&Value::Null, &Value::Null)
    );
    assert_eq!(lines[1]["unknown"], "price");
    let raw = raw_log(&s, "unanswered.jsonl");
    for private in [
        ALICE.to_string(),
        "alice".to_string(),
        CAROL.to_string(),
        "carol".to_string(),
        dm_channel.to_string(),
    ] {
        assert!(!raw.contains(&private), "{private} in {raw}");
    }
}

#[tokio::test]
async fn feedback_clicks_are_thanked_privately_and_logged() {
    let s = Session::start(&[]).await;
    // "Not helpful" opens a form instead (see tests/browsing.rs).
    let (id, token, d) = s.fake.button("feedback:cspo-validity:up", ALICE, 1);
    s.fake.dispatch("INTERACTION_CREATE", d);
    let reply = s.fake.wait_callback(id, &token, TIMEOUT).await;
    assert!(is_ephemeral(&reply["data"]), "{reply}");
    assert!(description(&reply["data"]).starts_with("Thanks"), "{reply}");

    let lines = log_lines(s.bot.dir(), "feedback.jsonl");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(
        (
            &lines[0]["topic"],
            &lines[0]["vote"],
            &lines[0]["transport"]
        ),
        (&json!("cspo-validity"), &json!("up"), &json!("slash"))
    );
    assert_eq!(lines[0]["channel_id"], CHANNEL_ID);
    assert!(!raw_log(&s, "feedback.jsonl").contains(&ALICE.to_string()));
}

#[tokio::test]
async fn commands_and_clicks_are_rate_limited_per_user() {
    let s = Session::start(&[
        ("RATE_LIMIT_BURST", "2"),
        ("RATE_LIMIT_REFILL_SECONDS", "3600"),
    ])
    .await;
    let mut replies = Vec::new();
    for _ in 0..2 {
        let (id, token, d) = s.fake.command("contact", json!([]), ALICE);
        s.fake.dispatch("INTERACTION_CREATE", d);
        replies.push(s.fake.wait_callback(id, &token, TIMEOUT).await);
    }
    let (id, token, d) = s.fake.button("topic:provider", ALICE, 1);
    s.fake.dispatch("INTERACTION_CREATE", d);
    replies.push(s.fake.wait_callback(id, &token, TIMEOUT).await);
    let (id, token, d) = s.fake.command("contact", json!([]), BOB);
    s.fake.dispatch("INTERACTION_CREATE", d);
    replies.push(s.fake.wait_callback(id, &token, TIMEOUT).await);

    let titles: Vec<&str> = replies
        .iter()
        .map(|r| r["data"]["embeds"][0]["title"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        titles,
        ["Pan Learn", "Pan Learn", "One moment", "Pan Learn"]
    );
    let slowed = &replies[2]["data"];
    assert!(is_ephemeral(slowed));
    // The whole refill period, less the moment the requests took.
    let wait = wait_shown(description(slowed));
    assert!(
        wait.is_some_and(|w| (3500..=3600).contains(&w)),
        "{wait:?} in {slowed}"
    );
    s.bot.wait_line(&["asked to slow down"]).await;
}

#[tokio::test]
async fn a_reload_that_changes_the_commands_registers_them_again() {
    let knowledge = knowledge_copy();
    let dir = knowledge.path().to_string_lossy().into_owned();
    let s = Session::start(&[("KNOWLEDGE_DIR", dir.as_str())]).await;
    let path = format!("/api/v10/applications/{APP_ID}/commands");
    s.fake.wait_call("PUT", &path, TIMEOUT).await;

    add_a_certification(knowledge.path());
    let again = s
        .fake
        .wait("the commands registered again", TIMEOUT, |f| {
            f.calls()
                .into_iter()
                .filter(|c| c.method == "PUT" && c.path == path)
                .nth(1)
        })
        .await;
    assert_eq!(compare_choices(&again.body), ["cspo", "pspo", "apo"]);
    s.bot.wait_line(&["registered them again"]).await;

    // And the new knowledge answers.
    let (id, token, d) = s.fake.command(
        "compare",
        json!([{"name": "first", "type": 3, "value": "apo"}]),
        ALICE,
    );
    s.fake.dispatch("INTERACTION_CREATE", d);
    let reply = s.fake.wait_callback(id, &token, TIMEOUT).await;
    assert_eq!(reply["data"]["embeds"][0]["title"], "APO vs PSPO");
}

#[tokio::test]
async fn metrics_addr_serves_health_and_counts_for_the_gateway_bot() {
    let s = Session::start(&[("METRICS_ADDR", "127.0.0.1:0")]).await;
    let addr = monitor_addr(&s.bot).await;

    let (id, token, d) = s.fake.command("ask", ask("does pspo expire?"), ALICE);
    s.fake.dispatch("INTERACTION_CREATE", d);
    s.fake.wait_callback(id, &token, TIMEOUT).await;
    let (id, token, d) = s.fake.button("feedback:pspo-validity:up", BOB, 1);
    s.fake.dispatch("INTERACTION_CREATE", d);
    s.fake.wait_callback(id, &token, TIMEOUT).await;

    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a client");
    let health: Value = client
        .get(format!("http://{addr}/healthz"))
        .send()
        .await
        .expect("healthz answers")
        .json()
        .await
        .expect("JSON");
    assert_eq!(health["topics"], s.faq.knowledge.topics.len());
    let wanted = [
        r#"cspo_pspo_bot_gateway_shard_connected{shard="0"} 1"#,
        r#"cspo_pspo_bot_knowledge_reloads_total{result="failed"} 0"#,
        r#"cspo_pspo_bot_interactions_total{type="command",command="ask"} 1"#,
        r#"cspo_pspo_bot_answers_total{topic="pspo-validity"} 1"#,
        r#"cspo_pspo_bot_feedback_total{topic="pspo-validity",vote="up"} 1"#,
        "cspo_pspo_bot_request_duration_seconds_count 2",
    ];
    // The latency is recorded once Discord has taken the reply, a moment
    // after the fake sees it.
    metrics_until(&addr, &format!("all of {wanted:?}"), |metrics| {
        wanted
            .iter()
            .all(|series| metrics.lines().any(|l| l == *series))
            .then_some(())
    })
    .await;
}

/// Runs the gateway bot against a Discord whose REST never answers, so it
/// never gets to connect, with `env` added; returns it and where it
/// serves `/healthz`.
async fn never_connecting(url: &str, env: &[(&str, &str)]) -> (support::Bot, String) {
    let base = [
        ("DISCORD_TOKEN", support::fake_discord::TOKEN),
        ("DISCORD_HTTP_PROXY", url),
        ("DISCORD_REST_TIMEOUT_SECONDS", "10"),
        ("METRICS_ADDR", "127.0.0.1:0"),
        ("RUST_LOG", "info"),
    ];
    let bot = support::Bot::spawn_with(&["run"], base.iter().chain(env).copied());
    let addr = monitor_addr(&bot).await;
    (bot, addr)
}

/// `/healthz` on `addr`: its status and its JSON body.
async fn health(addr: &str) -> (u16, Value) {
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a client");
    let response = client
        .get(format!("http://{addr}/healthz"))
        .send()
        .await
        .expect("healthz answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}

#[tokio::test]
async fn healthz_is_503_while_no_shard_is_connected_and_names_the_shards_that_are_down() {
    // Discord's REST never answers, so the bots never get to connect.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let url = format!("http://{}", silent.local_addr().expect("an address"));
    let _held = std::thread::spawn(move || {
        let open: Vec<_> = silent.incoming().take(4).flatten().collect();
        std::thread::sleep(std::time::Duration::from_secs(20));
        drop(open);
    });

    // Autosharded, shard 0 is the one sure to be run.
    let (_auto, addr) = never_connecting(&url, &[]).await;
    let (status, body) = health(&addr).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "no shard connected", "{body}");
    assert_eq!(body["shards"], json!({"0": "disconnected"}), "{body}");

    // A slice of the shards: each of its own is named, and no other.
    let (_slice, addr) =
        never_connecting(&url, &[("SHARD_TOTAL", "4"), ("SHARD_RANGE", "2-3")]).await;
    let (status, body) = health(&addr).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(
        body["shards"],
        json!({"2": "disconnected", "3": "disconnected"}),
        "{body}"
    );
}

/// `/healthz` on `addr`, polled until its status is `want` or `within`
/// has passed; returns the last status seen (0 for no answer) and body.
async fn health_becomes(addr: &str, want: u16, within: Duration) -> (u16, Value) {
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(2))
        .build()
        .expect("a client");
    let deadline = std::time::Instant::now() + within;
    loop {
        let (status, body) = match client.get(format!("http://{addr}/healthz")).send().await {
            Ok(r) => {
                let status = r.status().as_u16();
                (status, r.json().await.unwrap_or(Value::Null))
            }
            Err(_) => (0, Value::Null),
        };
        if status == want || std::time::Instant::now() > deadline {
            return (status, body);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn healthz_goes_503_when_the_gateway_drops_the_bot_and_200_once_it_is_back() {
    let s = Session::start(&[("METRICS_ADDR", "127.0.0.1:0")]).await;
    let addr = monitor_addr(&s.bot).await;
    let (status, body) = health_becomes(&addr, 200, TIMEOUT).await;
    assert_eq!(status, 200, "connected: {body}");
    assert_eq!(body["shards"], json!({"0": "connected"}), "{body}");
    s.fake.gateway_outage();
    let (status, body) = health_becomes(&addr, 503, TIMEOUT).await;
    assert_eq!(
        status, 503,
        "no shard connected while the gateway is out of reach: {body}"
    );
    assert_eq!(body["status"], "no shard connected", "{body}");
    assert_eq!(
        body["shards"],
        json!({"0": "disconnected"}),
        "the shard that is down is named: {body}"
    );
    s.fake.gateway_back();
    let (status, body) = health_becomes(&addr, 200, Duration::from_secs(60)).await;
    assert_eq!(status, 200, "connected again: {}", s.bot.output());
    assert_eq!(body["shards"], json!({"0": "connected"}), "{body}");
}

/// `/metrics` on `addr`, polled until `find` finds what it looks for in
/// the text; fails the test with `what` and the last text after
/// [`TIMEOUT`].
async fn metrics_until<T>(addr: &str, what: &str, mut find: impl FnMut(&str) -> Option<T>) -> T {
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(TIMEOUT)
        .build()
        .expect("a client");
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    loop {
        let text = client
            .get(format!("http://{addr}/metrics"))
            .send()
            .await
            .expect("metrics answer")
            .text()
            .await
            .unwrap_or_default();
        if let Some(found) = find(&text) {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no {what} in:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until `/metrics` has every line of `wanted` and no series that
/// starts with one of `absent`.
async fn metrics_show(addr: &str, wanted: &[String], absent: &[&str]) {
    let what = format!("{wanted:?} without {absent:?}");
    metrics_until(addr, &what, |text| {
        let has = |line: &String| text.lines().any(|l| l == line.as_str());
        let lacks = |name: &&str| !text.lines().any(|l| l.starts_with(*name));
        (wanted.iter().all(has) && absent.iter().all(lacks)).then_some(())
    })
    .await;
}

const DISCONNECTS: &str = "cspo_pspo_bot_gateway_disconnects_total";
const CONNECTED: &str = r#"cspo_pspo_bot_gateway_shard_connected{shard="0"} 1"#;

#[tokio::test]
async fn every_lost_gateway_connection_is_counted_once_whether_resumed_or_made_again() {
    let s = Session::start(&[("METRICS_ADDR", "127.0.0.1:0")]).await;
    let addr = monitor_addr(&s.bot).await;
    metrics_show(&addr, &[CONNECTED.into(), format!("{DISCONNECTS} 0")], &[]).await;

    // Dropped and at once resumed: the shard never looks down from
    // outside, yet the connection was lost.
    assert!(s.fake.drop_connection(), "the bot was connected");
    s.fake
        .wait("the bot's RESUME", TIMEOUT, |f| {
            f.frames().into_iter().find(|v| v["op"] == 6)
        })
        .await;
    s.bot.wait_line(&["resumed the gateway session"]).await;
    metrics_show(&addr, &[CONNECTED.into(), format!("{DISCONNECTS} 1")], &[]).await;

    // Out of reach for a while, then a new session: one more, not two.
    s.fake.gateway_outage();
    assert_eq!(health_becomes(&addr, 503, TIMEOUT).await.0, 503);
    s.fake.gateway_back();
    assert_eq!(
        health_becomes(&addr, 200, Duration::from_secs(60)).await.0,
        200,
        "{}",
        s.bot.output()
    );
    metrics_show(&addr, &[CONNECTED.into(), format!("{DISCONNECTS} 2")], &[]).await;
}

#[tokio::test]
async fn the_gateway_latency_is_shown_once_a_heartbeat_is_acknowledged() {
    let s = Session::start(&[("METRICS_ADDR", "127.0.0.1:0")]).await;
    let addr = monitor_addr(&s.bot).await;
    let latency = r#"cspo_pspo_bot_gateway_latency_seconds{shard="0"}"#;
    // The fake, like Discord, asks for a heartbeat every 41.25 s: none
    // has been sent yet, so there is no latency to show.
    metrics_show(&addr, &[CONNECTED.into()], &[latency]).await;

    s.fake.request_heartbeat();
    s.fake
        .wait("the bot's heartbeat", TIMEOUT, |f| {
            f.frames().into_iter().find(|v| v["op"] == 1)
        })
        .await;
    let seconds = metrics_until(&addr, latency, |text| {
        text.lines()
            .find_map(|l| l.strip_prefix(latency))
            .and_then(|v| v.trim().parse::<f64>().ok())
    })
    .await;
    assert!(
        (0.0..5.0).contains(&seconds),
        "a loopback round trip: {seconds} s"
    );
}

/// The `knowledge_info` line for the knowledge in `dir`, as `/metrics`
/// should show it: its content's version and its article's date, read
/// from `article.toml` itself.
fn knowledge_info(dir: &std::path::Path) -> String {
    let faq = cspo_pspo_bot::Faq::load(dir).unwrap_or_else(|p| panic!("{p}"));
    let article = std::fs::read_to_string(dir.join("article.toml")).expect("article.toml");
    let updated = article
        .lines()
        .find_map(|l| l.strip_prefix("updated = "))
        .map(|v| v.trim().trim_matches('"').to_string())
        .expect("article.toml says when it was updated");
    format!(
        r#"cspo_pspo_bot_knowledge_info{{version="{}",article_updated="{updated}"}} 1"#,
        faq.version()
    )
}

fn reloads(ok: u64, failed: u64) -> [String; 2] {
    [
        format!(r#"cspo_pspo_bot_knowledge_reloads_total{{result="ok"}} {ok}"#),
        format!(r#"cspo_pspo_bot_knowledge_reloads_total{{result="failed"}} {failed}"#),
    ]
}

#[tokio::test]
async fn reloads_are_counted_by_result_and_the_knowledge_version_follows_what_is_served() {
    let knowledge = knowledge_copy();
    let dir = knowledge.path().to_string_lossy().into_owned();
    let s = Session::start(&[
        ("KNOWLEDGE_DIR", dir.as_str()),
        ("METRICS_ADDR", "127.0.0.1:0"),
    ])
    .await;
    let addr = monitor_addr(&s.bot).await;
    let shipped = knowledge_info(knowledge.path());
    assert!(
        shipped.contains(r#"article_updated="2021-06-28""#),
        "{shipped}"
    );
    let [ok, failed] = reloads(0, 0);
    metrics_show(&addr, &[ok, failed, shipped.clone()], &[]).await;

    // A good edit: served, counted, and the version moves with it.
    let topics = knowledge.path().join("topics.toml");
    let original = std::fs::read_to_string(&topics).expect("topics.toml");
    let edited = original.replace(
        "title = \"Does PSPO expire?\"",
        "title = \"Does PSPO ever expire?\"",
    );
    assert_ne!(edited, original);
    std::fs::write(&topics, &edited).expect("written");
    s.bot.wait_line(&["knowledge reloaded"]).await;
    let newer = knowledge_info(knowledge.path());
    assert_ne!(newer, shipped, "another content, another version");
    let [ok, failed] = reloads(1, 0);
    metrics_show(&addr, &[ok, failed, newer.clone()], &[]).await;

    // A broken edit: refused and counted; the version served stays.
    std::fs::write(&topics, format!("{edited}\n[[topic]\n")).expect("written");
    s.bot.wait_line(&["knowledge not reloaded"]).await;
    let [ok, failed] = reloads(1, 1);
    metrics_show(&addr, &[ok, failed, newer], &[]).await;
}
