//! Browsing, sharing, removing and voting, through the HTTP endpoint's
//! exact JSON: what a Discord client would render, and what the feedback
//! log keeps.

mod common;
mod http_support;
mod support;

use std::time::Duration;

use http_support::{fixtures, Server};
use serde_json::{json, Value};
use support::reading::{
    assert_remove_alone_last, components, custom_ids, embed, is_ephemeral, EPHEMERAL,
};
use support::{FakeDiscord, TIMEOUT};

const ALICE: u64 = 1_500_000_000_000_000_001;
const BOB: u64 = 1_500_000_000_000_000_002;
/// Discord's MANAGE_MESSAGES permission bit.
const MANAGE_MESSAGES: u64 = 1 << 13;

/// `interaction` as clicked by `user`, who holds no special permission.
fn by(interaction: Value, user: u64) -> Value {
    let mut interaction = fixtures::by(interaction, user);
    interaction["member"]["permissions"] = json!("3072");
    interaction
}

/// A click on a button that sits on a message the bot sent: private or
/// public, showing `asked` when it answers a question.
fn click(custom_id: &str, user: u64, private: bool, asked: Option<&str>) -> Value {
    let mut c = by(fixtures::button(custom_id), user);
    if private {
        c["message"]["flags"] = json!(EPHEMERAL);
    }
    if let Some(q) = asked {
        c["message"]["embeds"] =
            json!([{"title": "Does PSPO expire?", "author": {"name": format!("Asked: {q}")}}]);
    }
    c
}

fn feedback_lines(server: &Server) -> Vec<Value> {
    std::fs::read_to_string(server.dir().join("data/feedback.jsonl"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// Waits until the feedback log holds `n` lines (it is written by a
/// thread of its own).
async fn wait_lines(server: &Server, n: usize) -> Vec<Value> {
    let start = std::time::Instant::now();
    loop {
        let lines = feedback_lines(server);
        if lines.len() >= n || start.elapsed() > TIMEOUT {
            return lines;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn browsing_is_private_and_share_posts_the_same_answer() {
    let server = Server::start();

    let topics = server
        .interact_ok(&by(fixtures::command("topics", &[]), ALICE))
        .await;
    assert_eq!(topics["type"], 4);
    assert!(is_ephemeral(&topics["data"]), "/topics is for the asker");

    // A pick in that private menu: a private topic beside the list.
    let mut pick = by(fixtures::select("topics", &["topic:pspo-validity"]), ALICE);
    pick["message"]["flags"] = json!(EPHEMERAL);
    let picked = server.interact_ok(&pick).await;
    assert_eq!(picked["type"], 4, "a new message: the list stays");
    assert!(is_ephemeral(&picked["data"]));
    assert_eq!(embed(&picked["data"])["title"], "Does PSPO expire?");
    assert!(custom_ids(&picked["data"]).contains(&"share:pspo-validity".to_string()));

    // A related-topic button on someone's public answer: private too.
    let related = server
        .interact_ok(&click("topic:cspo-validity", BOB, false, None))
        .await;
    assert_eq!(related["type"], 4);
    assert!(is_ephemeral(&related["data"]));
    assert!(custom_ids(&related["data"]).contains(&"share:cspo-validity".to_string()));

    // Share: the same card, public, removable by the sharer.
    let shared = server
        .interact_ok(&click("share:cspo-validity", BOB, true, None))
        .await;
    assert_eq!(shared["type"], 4);
    assert!(!is_ephemeral(&shared["data"]));
    assert_eq!(
        embed(&shared["data"])["description"],
        embed(&related["data"])["description"]
    );
    assert_remove_alone_last(&shared["data"], BOB);
    let ids = custom_ids(&shared["data"]);
    assert!(!ids.iter().any(|i| i.starts_with("share:")));
}

#[tokio::test]
async fn a_post_through_the_endpoint_links_the_message_and_has_remove_alone_last() {
    let server = Server::start();
    // Post on the private answer to Bob's message 1600000000000000009.
    let posted = server
        .interact_ok(&click(
            "post:1600000000000000009:pspo-validity",
            ALICE,
            true,
            None,
        ))
        .await;
    assert_eq!(posted["type"], 4);
    assert!(!is_ephemeral(&posted["data"]), "{posted}");
    assert_eq!(embed(&posted["data"])["title"], "Does PSPO expire?");
    let text = embed(&posted["data"])["description"]
        .as_str()
        .unwrap_or_default();
    assert!(
        text.contains("/1600000000000000009)"),
        "links the message it answers: {text}"
    );
    assert_remove_alone_last(&posted["data"], ALICE);
}

/// The topic ids a page of `/topics` offers in its menu, in order.
fn menu_topics(data: &Value) -> Vec<String> {
    components(data)
        .iter()
        .filter(|c| c["type"] == 3)
        .flat_map(|menu| menu["options"].as_array().cloned().unwrap_or_default())
        .filter_map(|o| {
            o["value"]
                .as_str()?
                .strip_prefix("topic:")
                .map(str::to_string)
        })
        .collect()
}

/// The ids of a message's page-turning buttons.
fn page_buttons(data: &Value) -> Vec<String> {
    custom_ids(data)
        .into_iter()
        .filter(|i| i.starts_with("topics:page:"))
        .collect()
}

#[tokio::test]
async fn thirty_topics_are_paged_privately_and_none_is_missing() {
    let knowledge = common::knowledge_copy();
    let ids = common::add_topics_up_to(knowledge.path(), 30);
    assert_eq!(ids.len(), 30);
    let faq = cspo_pspo_bot::Faq::load(knowledge.path())
        .unwrap_or_else(|problems| panic!("the copy does not load: {problems}"));
    let dir = knowledge.path().to_str().unwrap_or_default();
    let server = Server::start_with(&[("KNOWLEDGE_DIR", dir)]);

    let first = server
        .interact_ok(&by(fixtures::command("topics", &[]), ALICE))
        .await;
    assert_eq!(first["type"], 4);
    assert_eq!(
        first["data"]["flags"], EPHEMERAL,
        "/topics is for the asker"
    );
    let on_first = menu_topics(&first["data"]);
    assert!(
        !on_first.is_empty() && on_first.len() <= 25,
        "{} topics on the first page",
        on_first.len()
    );
    assert_eq!(page_buttons(&first["data"]), ["topics:page:2"]);

    let second = server
        .interact_ok(&click_on("topics:page:2", ALICE, &first))
        .await;
    assert_eq!(second["type"], 7, "the page turns in place: {second}");
    let on_second = menu_topics(&second["data"]);
    assert_eq!(page_buttons(&second["data"]), ["topics:page:1"]);

    let mut listed = on_first.clone();
    listed.extend(on_second.iter().cloned());
    assert_eq!(listed, ids, "every topic once, in order, across the pages");
    // Each page's text lists the topics its menu opens, and only those.
    for (page, on_it) in [(&first, &on_first), (&second, &on_second)] {
        let text = embed(&page["data"])["description"]
            .as_str()
            .unwrap_or_default();
        for topic in &faq.knowledge.topics {
            let line = format!("• **{}**", topic.title);
            let shown = text.lines().any(|l| l.starts_with(&line));
            assert_eq!(
                shown,
                on_it.contains(&topic.id),
                "{} on this page: {text}",
                topic.id
            );
        }
    }
}

/// A click on a button of a message the bot sent, as Discord delivers
/// it: the message as it was sent (its embeds, components and flags).
fn click_on(custom_id: &str, user: u64, sent: &Value) -> Value {
    let mut c = by(fixtures::button(custom_id), user);
    let data = &sent["data"];
    c["message"]["embeds"] = data["embeds"].clone();
    c["message"]["components"] = data["components"].clone();
    c["message"]["flags"] = json!(data["flags"].as_u64().unwrap_or(0));
    c
}

/// The topics a message's "Did you mean" buttons open, in order.
fn suggested(data: &Value) -> Vec<String> {
    custom_ids(data)
        .into_iter()
        .filter_map(|i| i.strip_prefix("suggested:").map(str::to_string))
        .collect()
}

#[tokio::test]
async fn did_you_mean_on_the_askers_private_fallback_replaces_it() {
    let faq = support::faq();
    let question = "the two day one";
    let found = faq.find(question);
    assert_eq!(
        found.topic, None,
        "precondition: {question:?} gets the fallback"
    );
    assert!(
        !found.suggestions.is_empty(),
        "precondition: {question:?} has topics it may mean"
    );
    let server = Server::start();
    let fallback = server
        .interact_ok(&by(
            fixtures::command("ask", &[("question", question)]),
            ALICE,
        ))
        .await;
    assert_eq!(fallback["type"], 4);
    assert_eq!(
        fallback["data"]["flags"], EPHEMERAL,
        "only the asker sees the fallback"
    );
    assert_eq!(embed(&fallback["data"])["title"], "I don't know that one");
    assert_eq!(suggested(&fallback["data"]), found.suggestions);

    // The asker picks one: the answer takes the fallback's place.
    let pick = &found.suggestions[0];
    let topic = faq.topic(pick).unwrap_or_else(|| panic!("no topic {pick}"));
    let replaced = server
        .interact_ok(&click_on(&format!("suggested:{pick}"), ALICE, &fallback))
        .await;
    assert_eq!(replaced["type"], 7, "in place of the fallback: {replaced}");
    let card = embed(&replaced["data"]);
    assert_eq!(card["title"], topic.title.as_str());
    assert_eq!(card["description"], topic.answer.as_str());
    assert!(custom_ids(&replaced["data"]).contains(&format!("share:{pick}")));
    assert_eq!(replaced["data"]["allowed_mentions"]["parse"], json!([]));
}

#[tokio::test]
async fn remove_is_for_the_asker_and_moderators_and_deletes_through_the_token() {
    let fake = FakeDiscord::start().await;
    let server = Server::start_with(&[("DISCORD_HTTP_PROXY", fake.rest_url())]);
    let delete = format!("delete:{ALICE}");

    let stranger = server.interact_ok(&click(&delete, BOB, false, None)).await;
    assert_eq!(stranger["type"], 4);
    assert!(is_ephemeral(&stranger["data"]));
    assert!(embed(&stranger["data"])["description"]
        .as_str()
        .unwrap_or_default()
        .contains("Only the person who asked, or a moderator"));

    let asker = click(&delete, ALICE, false, None);
    let token = asker["token"].as_str().unwrap_or_default().to_string();
    let removed = server.interact_ok(&asker).await;
    assert_eq!(removed["type"], 7);
    assert_eq!(embed(&removed["data"])["title"], "Removed");
    assert!(custom_ids(&removed["data"]).is_empty());
    let path = format!(
        "/api/v10/webhooks/{}/{token}/messages/@original",
        fixtures::APPLICATION_ID
    );
    fake.wait_call("DELETE", &path, TIMEOUT).await;

    let mut moderator = click(&delete, BOB, false, None);
    moderator["member"]["permissions"] = json!(MANAGE_MESSAGES.to_string());
    assert_eq!(server.interact_ok(&moderator).await["type"], 7);
    let deletes = fake
        .wait("two deletions", TIMEOUT, |f| {
            let n = f.calls().iter().filter(|c| c.method == "DELETE").count();
            (n == 2).then_some(n)
        })
        .await;
    assert_eq!(deletes, 2, "the stranger's click deleted nothing");
}

#[tokio::test]
async fn one_vote_per_person_per_answer_and_not_helpful_asks_what_was_missing() {
    let server = Server::start();
    let asked = Some("does pspo expire?");
    let up = "feedback:pspo-validity:up";
    let down = "feedback:pspo-validity:down";
    // Every click on the same answer: one message id for all of them.
    let on_answer = |custom_id: &str, user: u64| {
        let mut c = click(custom_id, user, false, asked);
        c["message"]["id"] = json!("1600000000000000001");
        c
    };

    let first = server.interact_ok(&on_answer(up, ALICE)).await;
    assert_eq!(first["type"], 4);
    assert!(is_ephemeral(&first["data"]));
    let again = server.interact_ok(&on_answer(up, ALICE)).await;
    assert_eq!(embed(&again["data"])["title"], "Already counted");

    // Changing her mind: the form, and the vote replaced.
    let form = server.interact_ok(&on_answer(down, ALICE)).await;
    assert_eq!(form["type"], 9, "a modal");
    let field = &form["data"]["components"][0]["components"][0];
    assert_eq!(field["type"], 4);
    assert_eq!(field["max_length"], 300);
    assert_eq!(field["required"], false);

    // Someone else's vote counts on its own.
    server.interact_ok(&on_answer(up, BOB)).await;

    let lines = wait_lines(&server, 3).await;
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0]["vote"], "up");
    assert_eq!(lines[0]["question"], "does pspo expire?");
    assert_eq!(lines[1]["vote"], "down");
    assert_eq!(lines[1]["changed"], true);
    assert_eq!(lines[2]["vote"], "up");
    assert!(lines[2].get("changed").is_none());
    for line in &lines {
        let text = line.to_string();
        assert!(
            !text.contains(&ALICE.to_string()) && !text.contains(&BOB.to_string()),
            "no person in the log: {text}"
        );
    }

    // The form sent back: its comment is logged with the question.
    let mut submit = by(fixtures::button("unused"), ALICE);
    submit["type"] = json!(5);
    submit["data"] = json!({
        "custom_id": "feedback-form:pspo-validity",
        "components": [{"type": 1, "components": [
            {"type": 4, "custom_id": "looking-for", "value": "how much the renewal costs"}
        ]}]
    });
    submit["message"]["embeds"] =
        json!([{"title": "Does PSPO expire?", "author": {"name": "Asked: does pspo expire?"}}]);
    let thanked = server.interact_ok(&submit).await;
    assert_eq!(thanked["type"], 4);
    assert!(is_ephemeral(&thanked["data"]));
    let lines = wait_lines(&server, 4).await;
    let comment = lines.last().cloned().unwrap_or_default();
    assert_eq!(comment["comment"], "how much the renewal costs");
    assert_eq!(comment["question"], "does pspo expire?");
    assert_eq!(comment["vote"], "down");
}

#[tokio::test]
async fn faq_admin_shows_the_weeks_gaps_and_feedback_privately() {
    let logs = tempfile::tempdir().expect("a folder");
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let unanswered = logs.path().join("unanswered.jsonl");
    let feedback = logs.path().join("feedback.jsonl");
    let lines: Vec<String> = (0..3)
        .map(|_| format!(r#"{{"time":"{now}","question":"how much does pspo cost","transport":"http","guild_id":1,"channel_id":2,"candidate":null,"score":0.1,"unknown":"price"}}"#))
        .collect();
    std::fs::write(&unanswered, lines.join("\n")).expect("written");
    std::fs::write(
        &feedback,
        format!(r#"{{"time":"{now}","topic":"pspo-validity","vote":"down","transport":"http","guild_id":1,"channel_id":2,"question":"does pspo expire?","comment":"the renewal fee"}}"#),
    )
    .expect("written");
    let server = Server::start_with(&[
        ("UNANSWERED_LOG", unanswered.to_str().unwrap_or_default()),
        ("FEEDBACK_LOG", feedback.to_str().unwrap_or_default()),
    ]);
    let ask = |sub: &str| {
        let mut c = by(fixtures::command("faq-admin", &[]), ALICE);
        c["data"]["options"] = json!([{"name": sub, "type": 1, "options": []}]);
        // Manage Server.
        c["member"]["permissions"] = json!((1u64 << 5).to_string());
        c
    };
    // The report is built as the server starts; wait for it, boundedly.
    let mut gaps = Value::Null;
    for _ in 0..100 {
        gaps = server.interact_ok(&ask("gaps")).await;
        if embed(&gaps["data"])["title"] != "No report yet" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(is_ephemeral(&gaps["data"]), "for the maintainer only");
    assert_eq!(embed(&gaps["data"])["title"], "Unanswered: 3 messages");
    let text = embed(&gaps["data"])["description"]
        .as_str()
        .unwrap_or_default();
    assert!(text.contains("**3×** “how much does pspo cost”"), "{text}");
    assert_eq!(embed(&gaps["data"])["fields"][0]["value"], "price: 3 times");

    let votes = server.interact_ok(&ask("feedback")).await;
    let field = &embed(&votes["data"])["fields"][0];
    assert_eq!(field["name"], "Does PSPO expire?");
    assert!(field["value"]
        .as_str()
        .unwrap_or_default()
        .contains("wanted: “the renewal fee”"));

    // From a person's own install, outside a server that added the bot: refused.
    let mut elsewhere = ask("gaps");
    elsewhere["authorizing_integration_owners"] = json!({"1": ALICE.to_string()});
    let refused = server.interact_ok(&elsewhere).await;
    assert!(embed(&refused["data"])["description"]
        .as_str()
        .unwrap_or_default()
        .contains("only in a server that added the bot"));
}

#[tokio::test]
async fn command_names_become_clickable_once_their_ids_are_known() {
    let server = Server::start();
    let help = || by(fixtures::command("help", &[]), ALICE);
    let before = server.interact_ok(&help()).await;
    let text = embed(&before["data"])["description"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(text.contains("`/ask question:`"), "{text}");
    // Each command interaction carries its command's id (the fixtures'
    // ids are Discord-shaped snowflakes).
    server
        .interact_ok(&by(
            fixtures::command("ask", &[("question", "does pspo expire?")]),
            BOB,
        ))
        .await;
    let after = server.interact_ok(&help()).await;
    let text = embed(&after["data"])["description"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        text.contains("</ask:1300000000000000001> `question:`"),
        "{text}"
    );
    assert!(text.contains("</help:1300000000000000005>"), "{text}");
}
