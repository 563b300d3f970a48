//! Conversations as people have them: follow-ups that swap the
//! certification or name only the kind, asking back, several questions in
//! one message and small talk, through `ask --json --conversation`, the
//! console on stdin, and the real bot against the fake Discord (mentions,
//! replies to the bot's own answers, DMs and `/ask`).

mod common;
mod support;

use serde_json::{json, Value};
use support::fake_discord::{bot_user, user_json, BOT_ID, CHANNEL_ID, GUILD_ID};
use support::{Session, TIMEOUT};

const ALICE: u64 = 1_600_000_000_000_000_001;
const BOB: u64 = 1_600_000_000_000_000_002;
const CAROL: u64 = 1_600_000_000_000_000_003;

/// One person's messages through `ask --json` (`--conversation` when
/// `conversation`), one object per message.
fn dialogue(messages: &[&str], conversation: bool) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut cmd = common::bot_in(dir.path());
    cmd.args(["ask", "--json"]);
    if conversation {
        cmd.arg("--conversation");
    }
    let out = common::run_with_stdin(cmd, (messages.join("\n") + "\n").as_bytes());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert_eq!(lines.len(), messages.len());
    lines
}

fn topics(lines: &[Value]) -> Vec<Option<&str>> {
    lines.iter().map(|l| l["topic"].as_str()).collect()
}

#[test]
fn follow_ups_swap_the_certification_or_name_only_the_kind() {
    let lines = dialogue(
        &[
            "does pspo expire?",
            "and for cspo?",
            "what about the other one?",
            "how do I get it?",
            "what comes next?",
            "same for cspo?",
            "does pspo expire?",
            "does cspo expire?",
        ],
        true,
    );
    assert_eq!(
        topics(&lines),
        [
            Some("pspo-validity"),
            Some("cspo-validity"),
            Some("pspo-validity"),
            Some("pspo-requirements"),
            Some("pspo-career-path"),
            Some("cspo-career-path"),
            // A certification named outright is never overridden by what
            // was remembered.
            Some("pspo-validity"),
            Some("cspo-validity"),
        ]
    );
    for l in &lines {
        assert_eq!(l["reply"], "answer", "{l}");
        assert_eq!(l["also"], json!([]), "{l}");
        assert_eq!(l["unknown"], Value::Null, "{l}");
        // Today's fields are all still there.
        for key in [
            "question",
            "topic",
            "confidence",
            "answer",
            "url",
            "suggestions",
        ] {
            assert!(l.get(key).is_some(), "{key} missing from {l}");
        }
    }
    assert!(lines[1]["answer"]
        .as_str()
        .is_some_and(|a| a.contains("two-year")));
}

#[test]
fn without_a_conversation_every_line_stands_alone_and_a_kind_alone_is_asked_back() {
    let lines = dialogue(&["does pspo expire?", "does it expire?"], false);
    assert_eq!(lines[1]["reply"], "clarify");
    let answer = lines[1]["answer"].as_str().unwrap_or_default();
    assert!(answer.contains("CSPO or PSPO"), "{answer}");
    // The likelier of the two is the topic; the other is suggested.
    let pair = [
        lines[1]["topic"].as_str(),
        lines[1]["suggestions"][0].as_str(),
    ];
    assert!(pair.contains(&Some("cspo-validity")) && pair.contains(&Some("pspo-validity")));
}

#[test]
fn several_questions_in_one_message_are_answered_together() {
    let lines = dialogue(
        &[
            "Does PSPO expire, and how much does it cost?",
            "does pspo expire? also whats the cspo pass mark",
            "What is CSPO? And what is PSPO?",
            "Hi all, I'm new to Scrum and my manager asked me to pick a product owner certification, and honestly I'm lost: what are the main differences between CSPO and PSPO?",
        ],
        false,
    );
    assert_eq!(lines[0]["topic"], "pspo-validity");
    assert_eq!(lines[0]["unknown"], "price");
    let price = lines[0]["answer"].as_str().unwrap_or_default();
    assert!(
        price.contains("does not cover prices") && price.contains("www.scrum.org"),
        "{price}"
    );

    assert_eq!(lines[1]["topic"], "pspo-validity");
    assert_eq!(lines[1]["unknown"], "pass-mark");
    let pass = lines[1]["answer"].as_str().unwrap_or_default();
    assert!(
        pass.contains("scrumalliance"),
        "the CSPO pass mark is Scrum Alliance's: {pass}"
    );

    assert_eq!(lines[2]["topic"], "what-is-cspo");
    assert_eq!(lines[2]["also"], json!(["what-is-pspo"]));

    // One long question is one answer.
    assert_eq!(lines[3]["also"], json!([]));
    assert_eq!(lines[3]["topic"], "cspo-vs-pspo");
}

#[test]
fn small_talk_gets_a_reply_in_kind_and_is_never_logged_as_unanswered() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut cmd = common::bot_in(dir.path());
    cmd.arg("console");
    let out = common::run_with_stdin(
        cmd,
        "hi\nthanks!\nhelp\nwho are you\nlol\n🙏\nstupid bot\n/quit\n".as_bytes(),
    );
    assert!(out.status.success());
    let shown = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "== Hello! ==",
        "== You're welcome! ==",
        "== How to use this bot ==",
        "== Who I am ==",
        "== Sorry about that ==",
    ] {
        assert!(
            shown.contains(expected),
            "{expected} missing from:\n{shown}"
        );
    }
    assert!(!shown.contains("I don't know that one"), "{shown}");
    let log = dir.path().join("data").join("unanswered.jsonl");
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(logged.is_empty(), "small talk was logged: {logged}");

    let lines = dialogue(&["hi", "help", "thanks", "lol"], true);
    let said: Vec<&str> = lines.iter().filter_map(|l| l["reply"].as_str()).collect();
    assert_eq!(said, ["small-talk", "help", "small-talk", "small-talk"]);
    assert!(lines.iter().all(|l| l["topic"].is_null()));
}

#[test]
fn the_console_follows_up_and_its_ask_back_buttons_open_the_topics() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let mut cmd = common::bot_in(dir.path());
    cmd.arg("console");
    let out = common::run_with_stdin(
        cmd,
        b"does it expire?\n/open cspo-validity\nand for pspo?\n/quit\n",
    );
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("[CSPO] /open cspo-validity"), "{shown}");
    assert!(shown.contains("[PSPO] /open pspo-validity"), "{shown}");
    // After opening CSPO's expiry, "and for pspo?" is PSPO's.
    let last = shown.rsplit("== ").next().unwrap_or_default();
    assert!(last.starts_with("Does PSPO expire? =="), "{shown}");
}

/// Posts `content` from `author` in `channel`, mentioning the bot.
fn say(s: &Session, author: u64, channel: u64, guild: Option<u64>, content: &str) -> u64 {
    let user = user_json(author, &format!("user{author}"), false);
    let (id, m) = s.fake.message(
        &user,
        channel,
        guild,
        &format!("<@{BOT_ID}> {content}"),
        &[bot_user()],
    );
    s.fake.dispatch("MESSAGE_CREATE", m);
    id
}

async fn title_of_reply(s: &Session, channel: u64, id: u64) -> String {
    let reply = s.fake.wait_reply(channel, id, TIMEOUT).await.body;
    reply["embeds"][0]["title"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn title(s: &Session, id: &str) -> String {
    s.faq
        .topic(id)
        .map(|t| t.title.clone())
        .unwrap_or_else(|| panic!("no topic {id}"))
}

#[tokio::test]
async fn in_discord_context_is_per_person_and_place_and_slash_ask_shares_it() {
    let s = Session::start(&[("MESSAGE_COOLDOWN_SECONDS", "0")]).await;

    let asked = say(&s, ALICE, CHANNEL_ID, Some(GUILD_ID), "does pspo expire?");
    assert_eq!(
        title_of_reply(&s, CHANNEL_ID, asked).await,
        title(&s, "pspo-validity")
    );
    let asked = say(&s, ALICE, CHANNEL_ID, Some(GUILD_ID), "and for cspo?");
    assert_eq!(
        title_of_reply(&s, CHANNEL_ID, asked).await,
        title(&s, "cspo-validity")
    );

    // Bob, in the same channel, has said nothing yet: no context leaks.
    let asked = say(&s, BOB, CHANNEL_ID, Some(GUILD_ID), "how do I get it?");
    let bobs = title_of_reply(&s, CHANNEL_ID, asked).await;
    assert_ne!(bobs, title(&s, "cspo-requirements"));

    // Alice in a DM is another place.
    let dm = 1_100_000_000_000_000_077;
    let (asked, m) = s.fake.message(
        &user_json(ALICE, "alice", false),
        dm,
        None,
        "how do I get it?",
        &[],
    );
    s.fake.dispatch("MESSAGE_CREATE", m);
    assert_ne!(
        title_of_reply(&s, dm, asked).await,
        title(&s, "cspo-requirements")
    );

    // /ask in the channel continues Alice's conversation there.
    let (id, token, d) = s.fake.command(
        "ask",
        json!([{"name": "question", "type": 3, "value": "how do I get it?"}]),
        ALICE,
    );
    s.fake.dispatch("INTERACTION_CREATE", d);
    let data = s.fake.wait_callback(id, &token, TIMEOUT).await["data"].clone();
    assert_eq!(
        data["embeds"][0]["title"],
        json!(title(&s, "cspo-requirements"))
    );
}

#[tokio::test]
async fn a_reply_to_the_bots_answer_carries_its_topic_with_no_memory_at_all() {
    let s = Session::start(&[("CONTEXT_MINUTES", "0"), ("MESSAGE_COOLDOWN_SECONDS", "0")]).await;
    let asked = say(&s, CAROL, CHANNEL_ID, Some(GUILD_ID), "does pspo expire?");
    let answer = s.fake.wait_reply(CHANNEL_ID, asked, TIMEOUT).await.body;

    // With memory off, a plain follow-up has nothing to go on...
    let plain = say(&s, CAROL, CHANNEL_ID, Some(GUILD_ID), "and for cspo?");
    assert_ne!(
        title_of_reply(&s, CHANNEL_ID, plain).await,
        title(&s, "cspo-validity")
    );

    // ...but a reply to the bot's answer carries the answer's topic.
    let (answer_id, mut bots) = s
        .fake
        .message(&bot_user(), CHANNEL_ID, Some(GUILD_ID), "", &[]);
    bots["components"] = answer["components"].clone();
    let (asked, mut m) = s.fake.message(
        &user_json(CAROL, "carol", false),
        CHANNEL_ID,
        Some(GUILD_ID),
        "and for cspo?",
        &[bot_user()],
    );
    m["type"] = json!(19);
    m["message_reference"] = json!({
        "type": 0,
        "message_id": answer_id.to_string(),
        "channel_id": CHANNEL_ID.to_string(),
        "guild_id": GUILD_ID.to_string(),
    });
    m["referenced_message"] = bots;
    s.fake.dispatch("MESSAGE_CREATE", m);
    assert_eq!(
        title_of_reply(&s, CHANNEL_ID, asked).await,
        title(&s, "cspo-validity")
    );
}

#[tokio::test]
async fn in_discord_a_question_asked_back_is_answered_by_the_next_message() {
    let s = Session::start(&[("MESSAGE_COOLDOWN_SECONDS", "0")]).await;
    let asked = say(&s, CAROL, CHANNEL_ID, Some(GUILD_ID), "does it expire?");
    assert_eq!(title_of_reply(&s, CHANNEL_ID, asked).await, "CSPO or PSPO?");
    // The question asked back claimed no topic: the answer is not
    // "answered just now".
    let asked = say(&s, CAROL, CHANNEL_ID, Some(GUILD_ID), "pspo");
    assert_eq!(
        title_of_reply(&s, CHANNEL_ID, asked).await,
        title(&s, "pspo-validity")
    );
}
