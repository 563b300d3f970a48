//! Where people ask, against the fake Discord: a message's Apps menu and
//! its Post button, `/topic` for someone, threads under answer channels,
//! forum posts, and an install to a person's own account.

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::fake_discord::{bot_user, BOT_ID, CHANNEL_ID, GUILD_ID};
use support::people::{alice, bob, ALICE, BOB};
use support::reading::{
    assert_no_pings, assert_remove_alone_last, custom_ids, embed, is_ephemeral,
};
use support::{Session, TIMEOUT};

const ANSWER_MESSAGE: &str = "Answer with CSPO/PSPO bot";

const FORUM: u64 = 1_100_000_000_000_000_050;

fn title(data: &Value) -> &str {
    embed(data)["title"].as_str().unwrap_or_default()
}

fn post_id(data: &Value) -> Option<String> {
    custom_ids(data)
        .into_iter()
        .find(|id| id.starts_with("post:"))
}

/// Opens a thread under `parent` and tells the bot, as Discord does;
/// returns its id.
fn announce_thread(s: &Session, parent: u64, title: &str) -> u64 {
    let id = s.fake.id();
    s.fake
        .dispatch("THREAD_CREATE", s.fake.open_thread(id, parent, title));
    id
}

/// A forum post's first message, saying `text` (empty for a post that is
/// only its title and an image): it has the thread's own id.
fn post_starter(s: &Session, post: u64, text: &str) {
    let mut starter = s.fake.message(&alice(), post, Some(GUILD_ID), text, &[]).1;
    starter["id"] = json!(post.to_string());
    s.fake.dispatch("MESSAGE_CREATE", starter);
}

/// Each option's name and type, as registered.
fn names_and_types(options: &Value) -> Vec<(&str, u64)> {
    options
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| {
            (
                o["name"].as_str().unwrap_or_default(),
                o["type"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

/// How long to wait before concluding that something did not happen:
/// the bot answers in milliseconds, so a message it would answer has been
/// answered well within this.
const QUIET: Duration = Duration::from_millis(700);

#[tokio::test]
async fn every_command_is_registered_for_servers_and_accounts_with_the_message_command() {
    let s = Session::start(&[]).await;
    let put = s.fake.wait_global_commands(TIMEOUT).await;
    let commands = put.body.as_array().cloned().unwrap_or_default();
    assert!(!commands.is_empty());
    for c in commands.iter().filter(|c| c["name"] != "faq-admin") {
        assert_eq!(c["integration_types"], json!([0, 1]), "{c}");
        assert_eq!(c["contexts"], json!([0, 1, 2]), "{c}");
        assert!(c["default_member_permissions"].is_null(), "{c}");
    }
    // The maintainers' command: servers that installed the bot only, for
    // members who may manage the server, with its two subcommands.
    let admin = commands
        .iter()
        .find(|c| c["name"] == "faq-admin")
        .unwrap_or_else(|| panic!("no /faq-admin"));
    assert_eq!(admin["integration_types"], json!([0]));
    assert_eq!(admin["contexts"], json!([0]));
    assert_eq!(admin["default_member_permissions"], json!("32"));
    let subcommands = names_and_types(&admin["options"]);
    assert_eq!(subcommands, [("gaps", 1), ("feedback", 1)]);
    let menu = commands
        .iter()
        .find(|c| c["name"] == ANSWER_MESSAGE)
        .unwrap_or_else(|| panic!("no message command in {commands:?}"));
    assert_eq!(menu["type"], json!(3));
    assert!(
        menu.get("options").is_none_or(|o| o == &json!([])),
        "{menu}"
    );
    assert!(
        menu.get("description").is_none_or(|d| d == &json!("")),
        "{menu}"
    );
    let topic = commands
        .iter()
        .find(|c| c["name"] == "topic")
        .unwrap_or_else(|| panic!("no /topic"));
    assert_eq!(topic["type"], json!(1));
    let kinds = names_and_types(&topic["options"]);
    assert_eq!(kinds, [("name", 3), ("for", 6)]);
}

#[tokio::test]
async fn a_message_is_answered_privately_and_post_replies_to_it_without_pings() {
    let s = Session::start(&[]).await;
    let (asked, target) = s.fake.message_object(
        &bob(),
        CHANNEL_ID,
        "hey does the pspo cert ever expire? @everyone",
    );
    let (id, token, d) = s.fake.message_command(ANSWER_MESSAGE, &target, ALICE);
    s.fake.dispatch("INTERACTION_CREATE", d);
    let callback = s.fake.wait_callback(id, &token, TIMEOUT).await;
    assert_eq!(callback["type"], json!(4));
    let private = callback["data"].clone();
    assert!(is_ephemeral(&private), "only the clicker sees it first");
    assert_eq!(title(&private), "Does PSPO expire?");
    let post = post_id(&private).unwrap_or_else(|| panic!("no Post button: {private}"));
    assert!(
        s.fake.posted(CHANNEL_ID).is_empty(),
        "nothing public before Post"
    );

    // Post: the same answer, public, as a reply to Bob's message.
    // The click arrives on the private message, as Discord sends it.
    let mut on = s.fake.message_object(&bot_user(), CHANNEL_ID, "").1;
    on["embeds"] = private["embeds"].clone();
    on["components"] = private["components"].clone();
    on["flags"] = json!(64);
    let (click, click_token, d) = s.fake.button_on(&post, ALICE, on);
    s.fake.dispatch("INTERACTION_CREATE", d);
    let reply = s.fake.wait_reply(CHANNEL_ID, asked, TIMEOUT).await;
    assert_eq!(
        embed(&reply.body)["title"],
        json!("Does PSPO expire?"),
        "{}",
        reply.body
    );
    assert_eq!(
        embed(&reply.body)["description"],
        embed(&private)["description"]
    );
    assert!(!is_ephemeral(&reply.body));
    assert_no_pings(&reply.body);
    assert!(
        post_id(&reply.body).is_none(),
        "the public answer has no Post button"
    );
    let done = s.fake.wait_callback(click, &click_token, TIMEOUT).await;
    assert_eq!(done["type"], json!(7), "the private answer is updated");
    assert_eq!(title(&done["data"]), "Posted");

    // A message the article cannot answer: the private fallback, no Post.
    let (_, weather) = s
        .fake
        .message_object(&bob(), CHANNEL_ID, "anyone know a good pizza place?");
    let (id, token, d) = s.fake.message_command(ANSWER_MESSAGE, &weather, ALICE);
    s.fake.dispatch("INTERACTION_CREATE", d);
    let fallback = s.fake.wait_callback(id, &token, TIMEOUT).await["data"].clone();
    assert!(is_ephemeral(&fallback));
    assert_eq!(post_id(&fallback), None, "{fallback}");
}

#[tokio::test]
async fn remove_is_alone_on_the_last_row_of_a_mention_reply_a_post_and_a_share() {
    let s = Session::start(&[]).await;

    // A reply to a message that mentions the bot.
    let (asked, m) = s.fake.message(
        &alice(),
        CHANNEL_ID,
        Some(GUILD_ID),
        &format!("<@{BOT_ID}> does pspo expire?"),
        &[bot_user()],
    );
    s.fake.dispatch("MESSAGE_CREATE", m);
    let reply = s.fake.wait_reply(CHANNEL_ID, asked, TIMEOUT).await.body;
    assert_eq!(title(&reply), "Does PSPO expire?", "{reply}");
    assert_remove_alone_last(&reply, ALICE);

    // Post: Alice shares her private answer to Bob's message, as a reply
    // to it; the Remove is hers.
    let (asked, target) = s
        .fake
        .message_object(&bob(), CHANNEL_ID, "does cspo expire?");
    let (id, token, d) = s.fake.message_command(ANSWER_MESSAGE, &target, ALICE);
    s.fake.dispatch("INTERACTION_CREATE", d);
    let private = s.fake.wait_callback(id, &token, TIMEOUT).await["data"].clone();
    let post = post_id(&private).unwrap_or_else(|| panic!("no Post button: {private}"));
    let mut on = s.fake.message_object(&bot_user(), CHANNEL_ID, "").1;
    on["embeds"] = private["embeds"].clone();
    on["components"] = private["components"].clone();
    on["flags"] = json!(64);
    let (_, _, d) = s.fake.button_on(&post, ALICE, on);
    s.fake.dispatch("INTERACTION_CREATE", d);
    let posted = s.fake.wait_reply(CHANNEL_ID, asked, TIMEOUT).await.body;
    assert_eq!(title(&posted), "Does CSPO expire?", "{posted}");
    assert_remove_alone_last(&posted, ALICE);

    // Share: Bob posts a topic he opened privately; the Remove is his.
    let mut on = s.fake.message_object(&bot_user(), CHANNEL_ID, "").1;
    on["flags"] = json!(64);
    let (id, token, d) = s.fake.button_on("share:cspo-vs-pspo", BOB, on);
    s.fake.dispatch("INTERACTION_CREATE", d);
    let shared = s.fake.wait_callback(id, &token, TIMEOUT).await;
    assert_eq!(shared["type"], json!(4));
    assert!(!is_ephemeral(&shared["data"]));
    assert_remove_alone_last(&shared["data"], BOB);
}

#[tokio::test]
async fn topic_for_someone_addresses_and_may_ping_only_them() {
    let s = Session::start(&[]).await;
    let (id, token, d) = s.fake.command(
        "topic",
        json!([{"name": "name", "type": 3, "value": "pspo-validity"}]),
        ALICE,
    );
    s.fake.dispatch("INTERACTION_CREATE", d);
    let plain = s.fake.wait_callback(id, &token, TIMEOUT).await["data"].clone();
    assert_eq!(title(&plain), "Does PSPO expire?");
    assert!(!is_ephemeral(&plain));
    assert_no_pings(&plain);
    assert!(plain.get("content").is_none_or(|c| c == &json!("")));

    let (id, token, mut d) = s.fake.command(
        "topic",
        json!([
            {"name": "name", "type": 3, "value": "pspo-validity"},
            {"name": "for", "type": 6, "value": BOB.to_string()},
        ]),
        ALICE,
    );
    // Discord resolves a user option's user alongside it.
    d["data"]["resolved"] = json!({"users": {BOB.to_string(): bob()}});
    s.fake.dispatch("INTERACTION_CREATE", d);
    let addressed = s.fake.wait_callback(id, &token, TIMEOUT).await["data"].clone();
    assert_eq!(title(&addressed), "Does PSPO expire?");
    assert!(!is_ephemeral(&addressed));
    let content = addressed["content"].as_str().unwrap_or_default();
    assert!(content.starts_with(&format!("<@{BOB}>")), "{content}");
    let m = &addressed["allowed_mentions"];
    assert_eq!(m["users"], json!([BOB.to_string()]), "only Bob: {m}");
    assert_eq!(m["parse"], json!([]), "{m}");
    assert_eq!(m["roles"], json!([]), "{m}");
    assert_eq!(m["replied_user"], json!(false), "{m}");

    // A name that is no topic: a private "did you mean".
    let (id, token, d) = s.fake.command(
        "topic",
        json!([{"name": "name", "type": 3, "value": "pspo regstry"}]),
        ALICE,
    );
    s.fake.dispatch("INTERACTION_CREATE", d);
    let miss = s.fake.wait_callback(id, &token, TIMEOUT).await["data"].clone();
    assert!(is_ephemeral(&miss));
    assert!(
        custom_ids(&miss).contains(&"suggested:pspo-registry".to_string()),
        "{miss}"
    );
}

#[tokio::test]
async fn a_thread_under_an_answer_channel_is_answered_like_the_channel() {
    let s = Session::start(&[
        ("ANSWER_CHANNELS", &CHANNEL_ID.to_string()),
        ("MESSAGE_COOLDOWN_SECONDS", "0"),
    ])
    .await;
    // A thread Discord announced. (Events are handled concurrently, so
    // the message may still be read before the announcement: the lookup
    // covers that.)
    let announced = announce_thread(&s, CHANNEL_ID, "cert chat");
    let (asked, m) = s.fake.message(
        &alice(),
        announced,
        Some(GUILD_ID),
        "does pspo expire?",
        &[],
    );
    s.fake.dispatch("MESSAGE_CREATE", m);
    let reply = s.fake.wait_reply(announced, asked, TIMEOUT).await;
    assert_eq!(embed(&reply.body)["title"], json!("Does PSPO expire?"));

    // A thread from before the bot connected: looked up once.
    let older = s.fake.id();
    s.fake.open_thread(older, CHANNEL_ID, "older thread");
    for question in ["does cspo expire?", "what is pspo?"] {
        let (asked, m) = s
            .fake
            .message(&alice(), older, Some(GUILD_ID), question, &[]);
        s.fake.dispatch("MESSAGE_CREATE", m);
        s.fake.wait_reply(older, asked, TIMEOUT).await;
    }
    let lookups = s
        .fake
        .calls()
        .iter()
        .filter(|c| c.method == "GET" && c.path == format!("/api/v10/channels/{older}"))
        .count();
    assert_eq!(lookups, 1, "what a channel is, is looked up once");

    // A thread under some other channel is not read.
    let elsewhere = announce_thread(&s, 1_100_000_000_000_000_077, "off topic");
    let (_, m) = s.fake.message(
        &alice(),
        elsewhere,
        Some(GUILD_ID),
        "does pspo expire?",
        &[],
    );
    s.fake.dispatch("MESSAGE_CREATE", m);
    tokio::time::sleep(QUIET).await;
    assert!(s.fake.posted(elsewhere).is_empty());
}

#[tokio::test]
async fn a_new_forum_post_gets_one_answer_in_its_thread_and_follow_ups_need_a_mention() {
    let s = Session::start(&[
        ("FORUM_CHANNELS", &FORUM.to_string()),
        ("MESSAGE_COOLDOWN_SECONDS", "0"),
    ])
    .await;
    let post = announce_thread(&s, FORUM, "Does the PSPO certification ever expire?");
    post_starter(&s, post, "");
    let answer = s.fake.wait_reply(post, post, TIMEOUT).await;
    assert_eq!(embed(&answer.body)["title"], json!("Does PSPO expire?"));
    assert_no_pings(&answer.body);

    // Another message in the thread, not addressed to the bot: no answer.
    let (unasked, m) = s
        .fake
        .message(&bob(), post, Some(GUILD_ID), "what is cspo then?", &[]);
    s.fake.dispatch("MESSAGE_CREATE", m);
    // The author follows up by mentioning the bot: the conversation goes on.
    let (asked, m) = s.fake.message(
        &alice(),
        post,
        Some(GUILD_ID),
        &format!("<@{BOT_ID}> and for cspo?"),
        &[bot_user()],
    );
    s.fake.dispatch("MESSAGE_CREATE", m);
    let follow_up = s.fake.wait_reply(post, asked, TIMEOUT).await;
    assert_eq!(embed(&follow_up.body)["title"], json!("Does CSPO expire?"));
    tokio::time::sleep(QUIET).await;
    assert!(s.fake.reply_to(post, unasked).is_none());
    assert_eq!(s.fake.posted(post).len(), 2, "one answer, one follow-up");

    // A forum post the bot is not sure about is left alone.
    let vague = announce_thread(&s, FORUM, "hello all");
    post_starter(&s, vague, "");
    tokio::time::sleep(QUIET).await;
    assert!(s.fake.posted(vague).is_empty());
}

#[tokio::test]
async fn a_forum_post_asking_only_in_its_first_message_is_answered_from_that_message() {
    let s = Session::start(&[("FORUM_CHANNELS", &FORUM.to_string())]).await;
    // Reading a post's first message takes the Message Content intent:
    // without it, Discord sends that message with no text.
    let identify = s.fake.wait_identify(TIMEOUT).await;
    let intents = identify["intents"].as_u64().unwrap_or_default();
    assert_ne!(
        intents & support::fake_discord::MESSAGE_CONTENT,
        0,
        "{identify}"
    );

    // A title that says nothing; the question is in the message.
    let post = announce_thread(&s, FORUM, "quick question");
    post_starter(
        &s,
        post,
        "I got my PSPO last year. Does it expire at some point, or do I have to renew it?",
    );
    let answer = s.fake.wait_reply(post, post, TIMEOUT).await;
    assert_eq!(
        embed(&answer.body)["title"],
        json!("Does PSPO expire?"),
        "{}",
        answer.body
    );
    assert_no_pings(&answer.body);
    tokio::time::sleep(QUIET).await;
    assert_eq!(s.fake.posted(post).len(), 1, "one answer to the post");
}

/// Where the bot is installed to Alice's account only: a group DM, with
/// no guild and no member, authorized by her.
fn from_her_account(d: &mut Value, channel: u64) {
    let Some(obj) = d.as_object_mut() else {
        panic!("an interaction is an object")
    };
    obj.remove("member");
    obj.remove("guild_id");
    obj.remove("guild_locale");
    obj.insert("user".into(), alice());
    obj.insert("channel_id".into(), json!(channel.to_string()));
    obj.insert(
        "channel".into(),
        json!({"id": channel.to_string(), "type": 3}),
    );
    obj.insert("context".into(), json!(2));
    obj.insert(
        "authorizing_integration_owners".into(),
        json!({"1": ALICE.to_string()}),
    );
}

#[tokio::test]
async fn from_a_personal_install_everything_goes_through_the_interaction_response() {
    let s = Session::start(&[]).await;
    let group = s.fake.id();
    let (id, token, mut d) = s.fake.command(
        "ask",
        json!([{"name": "question", "type": 3, "value": "does pspo expire?"}]),
        ALICE,
    );
    from_her_account(&mut d, group);
    s.fake.dispatch("INTERACTION_CREATE", d);
    let callback = s.fake.wait_callback(id, &token, TIMEOUT).await;
    assert_eq!(callback["type"], json!(4));
    assert_eq!(title(&callback["data"]), "Does PSPO expire?");

    // Post from there: the bot cannot send to that channel, so the
    // interaction's response is the public answer, linking the message.
    let (asked, mut target) = s.fake.message_object(&bob(), group, "does pspo expire?");
    target.as_object_mut().map(|m| m.remove("guild_id"));
    let (id, token, mut d) = s.fake.message_command(ANSWER_MESSAGE, &target, ALICE);
    from_her_account(&mut d, group);
    s.fake.dispatch("INTERACTION_CREATE", d);
    let private = s.fake.wait_callback(id, &token, TIMEOUT).await["data"].clone();
    let post = post_id(&private).unwrap_or_else(|| panic!("no Post: {private}"));
    let (click, click_token, mut d) = s.fake.button_on(
        &post,
        ALICE,
        s.fake.message_object(&bot_user(), group, "").1,
    );
    from_her_account(&mut d, group);
    s.fake.dispatch("INTERACTION_CREATE", d);
    let shared = s.fake.wait_callback(click, &click_token, TIMEOUT).await;
    assert_eq!(shared["type"], json!(4));
    assert!(!is_ephemeral(&shared["data"]));
    let text = embed(&shared["data"])["description"]
        .as_str()
        .unwrap_or_default();
    assert!(
        text.contains(&format!("https://discord.com/channels/@me/{group}/{asked}")),
        "{text}"
    );
    assert_no_pings(&shared["data"]);
    assert!(
        s.fake
            .calls()
            .iter()
            .all(|c| !c.path.starts_with("/api/v10/channels/")),
        "no channel call where the bot is no member"
    );
}

#[tokio::test]
async fn faq_admin_is_for_members_who_may_manage_the_server() {
    let s = Session::start(&[]).await;
    let gaps = json!([{"name": "gaps", "type": 1, "options": []}]);
    let (id, token, mut d) = s.fake.command("faq-admin", gaps.clone(), ALICE);
    d["member"]["permissions"] = json!("3072");
    s.fake.dispatch("INTERACTION_CREATE", d);
    let refused = s.fake.wait_callback(id, &token, TIMEOUT).await["data"].clone();
    assert!(is_ephemeral(&refused));
    assert!(
        embed(&refused)["description"]
            .as_str()
            .unwrap_or_default()
            .contains("Manage Server"),
        "{refused}"
    );

    let (id, token, mut d) = s.fake.command("faq-admin", gaps, BOB);
    d["member"]["permissions"] = json!((1u64 << 5).to_string());
    s.fake.dispatch("INTERACTION_CREATE", d);
    let shown = s.fake.wait_callback(id, &token, TIMEOUT).await["data"].clone();
    assert!(is_ephemeral(&shown));
    let title = title(&shown).to_string();
    assert!(
        title.starts_with("Unanswered") || title == "No report yet",
        "{shown}"
    );
}
