//! The real bot binary against a fake Discord on loopback: what it asks
//! the gateway for, what it registers, and what a user would see in reply
//! to commands, clicks and messages.

mod support;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::fake_discord::{
    bot_user, user_json, APP_ID, BOT_ID, BOT_NAME, CHANNEL_ID, DIRECT_MESSAGES, GUILDS, GUILD_ID,
    GUILD_MESSAGES, MESSAGE_CONTENT, TOKEN,
};
use support::people::{alice, bob, ALICE, BOB, CAROL};
use support::reading::{assert_no_pings, components, custom_ids, embed, is_ephemeral};
use support::{Bot, FakeDiscord, Session, TIMEOUT};

/// Discord's interaction deadline.
const DEADLINE: Duration = Duration::from_secs(3);

fn topic_title(s: &Session, id: &str) -> String {
    match s.faq.topic(id) {
        Some(t) => t.title.clone(),
        None => panic!("the knowledge has no topic {id}"),
    }
}

fn mention(content: &str) -> String {
    format!("<@{BOT_ID}> {content}")
}

/// The single `error:` line a failed start printed; fails the test unless
/// there is exactly one.
fn the_one_error_line(out: &str) -> &str {
    let errors: Vec<&str> = out.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "{out}");
    errors[0]
}

/// Posts `content` from `author` in the guild channel, mentioning the bot;
/// returns the message's id.
fn say_to_bot(s: &Session, author: &Value, content: &str) -> u64 {
    let (id, m) = s.fake.message(
        author,
        CHANNEL_ID,
        Some(GUILD_ID),
        &mention(content),
        &[bot_user()],
    );
    s.fake.dispatch("MESSAGE_CREATE", m);
    id
}

#[tokio::test]
async fn connects_with_the_intended_intents_and_registers_the_commands_globally() {
    let s = Session::start(&[]).await;
    let identify = s.fake.wait_identify(TIMEOUT).await;
    assert_eq!(
        identify["intents"],
        json!(GUILDS | GUILD_MESSAGES | DIRECT_MESSAGES),
        "no privileged intent without ANSWER_CHANNELS"
    );
    assert_eq!(identify["shard"], json!([0, 1]));

    let ready = s.bot.wait_line(&["ready as"]).await;
    assert!(
        ready.contains(BOT_NAME) && ready.contains("1 guild") && ready.contains("shard 0 of 1"),
        "{ready}"
    );

    let put = s.fake.wait_global_commands(TIMEOUT).await;
    let names: Vec<&str> = put
        .body
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "ask",
            "topic",
            "compare",
            "contact",
            "topics",
            "help",
            "faq-admin",
            "Answer with CSPO/PSPO bot"
        ]
    );
    let ask = &put.body[0]["options"][0];
    assert_eq!(
        (
            &ask["name"],
            &ask["type"],
            &ask["required"],
            &ask["max_length"],
            &ask["autocomplete"]
        ),
        (
            &json!("question"),
            &json!(3),
            &json!(true),
            &json!(300),
            &json!(true)
        )
    );
    for option in put.body[2]["options"].as_array().into_iter().flatten() {
        let values: Vec<&str> = option["choices"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["value"].as_str())
            .collect();
        assert_eq!(values, ["cspo", "pspo"], "{option}");
        assert_ne!(option["required"], json!(true));
    }

    let calls = s.fake.calls();
    assert!(
        calls.iter().any(|c| c.path == "/api/v10/gateway/bot"),
        "autosharded by default"
    );
    for c in calls
        .iter()
        .filter(|c| c.path != "/api/v10/gateway" && !c.path.contains("/interactions/"))
    {
        assert_eq!(
            c.authorization.as_deref(),
            Some(format!("Bot {TOKEN}").as_str()),
            "{} {}",
            c.method,
            c.path
        );
    }
    assert!(
        !s.bot.output().contains(TOKEN),
        "the token never reaches the logs"
    );
}

#[tokio::test]
async fn answer_channels_add_message_content_and_answer_only_what_the_bot_is_sure_of() {
    let other_channel = 1_100_000_000_000_000_099;
    let s = Session::start(&[
        ("ANSWER_CHANNELS", &CHANNEL_ID.to_string()),
        ("DISCORD_GUILD_ID", &GUILD_ID.to_string()),
    ])
    .await;
    let identify = s.fake.wait_identify(TIMEOUT).await;
    assert_eq!(
        identify["intents"],
        json!(GUILDS | GUILD_MESSAGES | DIRECT_MESSAGES | MESSAGE_CONTENT)
    );
    s.fake
        .wait_call(
            "PUT",
            &format!("/api/v10/applications/{APP_ID}/guilds/{GUILD_ID}/commands"),
            TIMEOUT,
        )
        .await;

    // A clear question, unaddressed, in an answer channel.
    let (asked, m) = s.fake.message(
        &alice(),
        CHANNEL_ID,
        Some(GUILD_ID),
        "does pspo expire?",
        &[],
    );
    s.fake.dispatch("MESSAGE_CREATE", m);
    let reply = s.fake.wait_reply(CHANNEL_ID, asked, TIMEOUT).await;
    assert_eq!(
        embed(&reply.body)["title"],
        json!(topic_title(&s, "pspo-validity"))
    );

    // Chatter there is left alone.
    let (chatter, m) = s.fake.message(
        &bob(),
        CHANNEL_ID,
        Some(GUILD_ID),
        "what is the weather tomorrow",
        &[],
    );
    s.fake.dispatch("MESSAGE_CREATE", m);
    s.bot
        .wait_line(&[&format!("id={chatter}"), "not sure enough"])
        .await;
    assert!(s.fake.reply_to(CHANNEL_ID, chatter).is_none());
    // So is small talk, which the bot answers only when spoken to.
    for text in ["thanks!", "hi all", "lol"] {
        let (talk, m) = s
            .fake
            .message(&bob(), CHANNEL_ID, Some(GUILD_ID), text, &[]);
        s.fake.dispatch("MESSAGE_CREATE", m);
        s.bot
            .wait_line(&[&format!("id={talk}"), "not sure enough"])
            .await;
        assert!(s.fake.reply_to(CHANNEL_ID, talk).is_none(), "{text}");
    }

    // Other channels are not read.
    let (elsewhere, m) = s.fake.message(
        &user_json(CAROL, "carol", false),
        other_channel,
        Some(GUILD_ID),
        "does cspo expire",
        &[],
    );
    s.fake.dispatch("MESSAGE_CREATE", m);
    s.bot
        .wait_line(&[
            &format!("id={elsewhere}"),
            "message ignored",
            "not addressed",
        ])
        .await;
    assert!(s.fake.reply_to(other_channel, elsewhere).is_none());
}

#[tokio::test]
async fn ask_answers_with_the_topic_card_in_time_and_never_pings() {
    let s = Session::start(&[]).await;
    let faq = &s.faq;
    let topic = faq.topic("pspo-validity").expect("the topic exists");
    let article = &faq.knowledge.article;

    let (id, token, d) = s.fake.command(
        "ask",
        json!([{"name": "question", "type": 3, "value": "does pspo expire?"}]),
        ALICE,
    );
    let sent = Instant::now();
    s.fake.dispatch("INTERACTION_CREATE", d);
    let callback = s.fake.wait_callback(id, &token, TIMEOUT).await;
    assert!(
        sent.elapsed() < DEADLINE,
        "answered within Discord's deadline, took {:?}",
        sent.elapsed()
    );
    assert_eq!(callback["type"], json!(4));
    let data = &callback["data"];
    let card = embed(data);
    assert_eq!(card["title"], json!(topic.title));
    assert_eq!(card["description"], json!(topic.answer));
    assert_eq!(card["url"], json!(article.url));
    let footer = card["footer"]["text"].as_str().unwrap_or_default();
    assert!(
        footer.contains(&article.title) && footer.contains("2021"),
        "{footer}"
    );
    let link = components(data)
        .into_iter()
        .find(|c| c["style"] == json!(5))
        .unwrap_or_default();
    assert_eq!(
        (&link["label"], &link["url"]),
        (&json!("Read the full article"), &json!(article.url))
    );
    // "Helpful" / "Not helpful" beside the link, then the related topics,
    // and Remove for the asker on a row of its own, last.
    let expected: Vec<String> = [
        format!("feedback:{}:up", topic.id),
        format!("feedback:{}:down", topic.id),
    ]
    .into_iter()
    .chain(topic.related.iter().take(3).map(|r| format!("topic:{r}")))
    .chain([format!("delete:{ALICE}")])
    .collect();
    assert_eq!(custom_ids(data), expected);
    let rows = data["components"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        rows.last()
            .map(|r| r["components"].as_array().map(Vec::len)),
        Some(Some(1)),
        "Remove is alone on the last row"
    );
    // The card shows what it answers.
    assert_eq!(
        embed(data)["author"]["name"],
        json!("Asked: does pspo expire?")
    );
    assert!(!is_ephemeral(data));
    assert_no_pings(data);

    // Whatever the question holds, nobody is pinged.
    let (id, token, d) = s.fake.command(
        "ask",
        json!([{"name": "question", "type": 3, "value": "@everyone @here <@&123456789012345678> <@234567890123456789> does pspo expire?"}]),
        BOB,
    );
    s.fake.dispatch("INTERACTION_CREATE", d);
    assert_no_pings(&s.fake.wait_callback(id, &token, TIMEOUT).await["data"]);

    // No match: a friendly fallback, for the asker only.
    let (id, token, d) = s.fake.command(
        "ask",
        json!([{"name": "question", "type": 3, "value": "what is the weather tomorrow"}]),
        ALICE,
    );
    s.fake.dispatch("INTERACTION_CREATE", d);
    let data = s.fake.wait_callback(id, &token, TIMEOUT).await["data"].clone();
    assert!(is_ephemeral(&data));
    let text = embed(&data)["description"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        text.contains("/topics") && text.contains("choosing between CSPO and PSPO"),
        "{text}"
    );
}

#[tokio::test]
async fn compare_shows_a_field_per_dimension_and_refuses_the_same_twice() {
    let s = Session::start(&[]).await;
    let k = &s.faq.knowledge;
    let options = |a: &str, b: &str| json!([{"name": "first", "type": 3, "value": a}, {"name": "second", "type": 3, "value": b}]);

    let (id, token, d) = s.fake.command("compare", options("cspo", "pspo"), ALICE);
    s.fake.dispatch("INTERACTION_CREATE", d);
    let data = s.fake.wait_callback(id, &token, TIMEOUT).await["data"].clone();
    assert!(!is_ephemeral(&data));
    let card = embed(&data);
    assert_eq!(card["title"], json!("CSPO vs PSPO"));
    let fields = card["fields"].as_array().cloned().unwrap_or_default();
    assert_eq!(fields.len(), k.dimensions.len(), "one field per dimension");
    for (i, dimension) in k.dimensions.iter().enumerate() {
        let field = fields.iter().find(|f| f["name"] == json!(dimension.label));
        let field = field.unwrap_or_else(|| panic!("no field {} in {fields:#?}", dimension.label));
        let both: Vec<String> = k
            .certifications
            .iter()
            .map(|cert| format!("**{}:** {}", cert.name, cert.values[i]))
            .collect();
        assert_eq!(field["value"], json!(both.join("\n")));
        assert_eq!(field["inline"], json!(false));
    }
    assert_no_pings(&data);

    let (id, token, d) = s.fake.command("compare", options("pspo", "pspo"), ALICE);
    s.fake.dispatch("INTERACTION_CREATE", d);
    assert!(is_ephemeral(
        &s.fake.wait_callback(id, &token, TIMEOUT).await["data"]
    ));

    let (id, token, d) = s.fake.command("compare", json!([]), ALICE);
    s.fake.dispatch("INTERACTION_CREATE", d);
    assert_eq!(
        embed(&s.fake.wait_callback(id, &token, TIMEOUT).await["data"])["title"],
        json!("CSPO vs PSPO")
    );
}

#[tokio::test]
async fn contact_and_help_describe_the_provider_and_the_bot() {
    let s = Session::start(&[]).await;
    let provider = &s.faq.knowledge.provider;

    let (id, token, d) = s.fake.command("contact", json!([]), ALICE);
    s.fake.dispatch("INTERACTION_CREATE", d);
    let data = s.fake.wait_callback(id, &token, TIMEOUT).await["data"].clone();
    let card = embed(&data);
    assert_eq!(card["title"], json!(provider.name));
    assert_eq!(card["description"], json!(provider.about));
    let fields = card["fields"].as_array().cloned().unwrap_or_default();
    assert!(
        fields.iter().any(|f| f["value"] == json!(provider.phone)),
        "{fields:#?}"
    );
    assert!(
        components(&data)
            .iter()
            .any(|c| c["style"] == json!(5) && c["url"] == json!(provider.website)),
        "a link button to the website"
    );
    assert_no_pings(&data);

    let (id, token, d) = s.fake.command("help", json!([]), ALICE);
    s.fake.dispatch("INTERACTION_CREATE", d);
    let data = s.fake.wait_callback(id, &token, TIMEOUT).await["data"].clone();
    let text = embed(&data)["description"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    for command in ["/ask", "/compare", "/topics", "/contact"] {
        assert!(text.contains(command), "{command} in {text}");
    }
}

#[tokio::test]
async fn autocomplete_suggests_questions_within_discord_limits() {
    let s = Session::start(&[]).await;
    for typed in [
        "does ps",
        "",
        &"what is the difference between cspo and pspo ".repeat(7),
    ] {
        let (id, token, d) = s.fake.autocomplete("ask", "question", typed, ALICE);
        s.fake.dispatch("INTERACTION_CREATE", d);
        let callback = s.fake.wait_callback(id, &token, TIMEOUT).await;
        assert_eq!(callback["type"], json!(8));
        let choices = callback["data"]["choices"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(choices.len() <= 25, "{} choices", choices.len());
        if !typed.is_empty() {
            assert!(!choices.is_empty(), "suggestions for {typed:?}");
        }
        for c in &choices {
            for part in ["name", "value"] {
                let len = c[part].as_str().map_or(0, |t| t.chars().count());
                assert!((1..=100).contains(&len), "{part} of {c}");
            }
        }
    }
}

#[tokio::test]
async fn buttons_and_the_topics_menu_open_topics() {
    let s = Session::start(&[]).await;
    let on = s.fake.id();

    let (id, token, d) = s.fake.command("topics", json!([]), ALICE);
    s.fake.dispatch("INTERACTION_CREATE", d);
    let data = s.fake.wait_callback(id, &token, TIMEOUT).await["data"].clone();
    let menu = components(&data)
        .into_iter()
        .find(|c| c["type"] == json!(3))
        .unwrap_or_default();
    assert_eq!(menu["custom_id"], json!("topics"));
    let values: Vec<&str> = menu["options"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| o["value"].as_str())
        .collect();
    let expected: Vec<String> = s
        .faq
        .knowledge
        .topics
        .iter()
        .take(25)
        .map(|t| format!("topic:{}", t.id))
        .collect();
    assert_eq!(values, expected);

    let (id, token, d) = s.fake.button("topic:cspo-validity", ALICE, on);
    s.fake.dispatch("INTERACTION_CREATE", d);
    let callback = s.fake.wait_callback(id, &token, TIMEOUT).await;
    assert_eq!(callback["type"], json!(4));
    assert_eq!(
        embed(&callback["data"])["title"],
        json!(topic_title(&s, "cspo-validity"))
    );

    let (id, token, d) = s.fake.select("topics", &["topic:pspo-validity"], BOB, on);
    s.fake.dispatch("INTERACTION_CREATE", d);
    let callback = s.fake.wait_callback(id, &token, TIMEOUT).await;
    assert_eq!(
        embed(&callback["data"])["title"],
        json!(topic_title(&s, "pspo-validity"))
    );
    assert_no_pings(&callback["data"]);

    let (id, token, d) = s.fake.button("topic:no-such-topic", ALICE, on);
    s.fake.dispatch("INTERACTION_CREATE", d);
    assert!(is_ephemeral(
        &s.fake.wait_callback(id, &token, TIMEOUT).await["data"]
    ));
}

#[tokio::test]
async fn a_mention_is_answered_as_a_reply_that_pings_no_one() {
    let s = Session::start(&[]).await;

    let asked = say_to_bot(
        &s,
        &alice(),
        "does pspo expire? @everyone <@&123456789012345678> @here",
    );
    let reply = s.fake.wait_reply(CHANNEL_ID, asked, TIMEOUT).await.body;
    assert_eq!(
        embed(&reply)["title"],
        json!(topic_title(&s, "pspo-validity"))
    );
    assert_no_pings(&reply);
    assert!(
        custom_ids(&reply).contains(&format!("delete:{ALICE}")),
        "the asker can remove it"
    );

    // A direct message needs no mention.
    let dm_channel = 1_100_000_000_000_000_050;
    let (asked, m) = s
        .fake
        .message(&bob(), dm_channel, None, "does cspo expire", &[]);
    s.fake.dispatch("MESSAGE_CREATE", m);
    let reply = s.fake.wait_reply(dm_channel, asked, TIMEOUT).await.body;
    assert_eq!(
        embed(&reply)["title"],
        json!(topic_title(&s, "cspo-validity"))
    );
    assert_no_pings(&reply);

    // A mention alone gets a nudge.
    let carol = user_json(CAROL, "carol", false);
    let (asked, m) = s.fake.message(
        &carol,
        CHANNEL_ID,
        Some(GUILD_ID),
        &format!("<@{BOT_ID}>"),
        &[bot_user()],
    );
    s.fake.dispatch("MESSAGE_CREATE", m);
    let reply = s.fake.wait_reply(CHANNEL_ID, asked, TIMEOUT).await.body;
    assert!(embed(&reply)["description"]
        .as_str()
        .unwrap_or_default()
        .contains("/ask"));

    // Bots, the bot itself, webhooks and unaddressed messages are ignored.
    let other_bot = user_json(1_300_000_000_000_000_009, "otherbot", true);
    let from_bot = say_to_bot(&s, &other_bot, "does pspo expire?");
    let from_self = say_to_bot(&s, &bot_user(), "does pspo expire?");
    let (from_hook, mut m) = s.fake.message(
        &bob(),
        CHANNEL_ID,
        Some(GUILD_ID),
        &mention("does pspo expire?"),
        &[bot_user()],
    );
    m["webhook_id"] = json!("1300000000000000010");
    s.fake.dispatch("MESSAGE_CREATE", m);
    let (unaddressed, m) =
        s.fake
            .message(&bob(), CHANNEL_ID, Some(GUILD_ID), "does pspo expire?", &[]);
    s.fake.dispatch("MESSAGE_CREATE", m);
    for (id, why) in [
        (from_bot, "from a bot"),
        (from_self, "from a bot"),
        (from_hook, "from a webhook"),
        (unaddressed, "not addressed"),
    ] {
        s.bot
            .wait_line(&[&format!("id={id}"), "message ignored", why])
            .await;
        assert!(s.fake.reply_to(CHANNEL_ID, id).is_none(), "{why}");
    }
}

#[tokio::test]
async fn a_user_cooldown_and_repeat_pointers_keep_a_channel_calm() {
    let s = Session::start(&[]).await;

    let first = say_to_bot(&s, &alice(), "does pspo expire?");
    let answer = s.fake.wait_reply(CHANNEL_ID, first, TIMEOUT).await;
    s.bot
        .wait_line(&[&format!("id={first}"), ": answered"])
        .await;

    // The same user again, at once: the cooldown holds it back.
    let again = say_to_bot(&s, &alice(), "does cspo expire");
    s.bot
        .wait_line(&[&format!("id={again}"), "cooling down"])
        .await;
    assert!(s.fake.reply_to(CHANNEL_ID, again).is_none());

    // Someone else asks the same: pointed to the answer just given.
    let repeat = say_to_bot(&s, &bob(), "does PSPO expire?");
    let pointer = s.fake.wait_reply(CHANNEL_ID, repeat, TIMEOUT).await.body;
    let earlier = answer.created.unwrap_or_default();
    let jump = format!("https://discord.com/channels/{GUILD_ID}/{CHANNEL_ID}/{earlier}");
    assert!(
        components(&pointer).iter().any(|c| c["url"] == json!(jump)),
        "a link to the earlier answer: {pointer:#}"
    );
    assert_ne!(
        embed(&pointer)["title"],
        json!(topic_title(&s, "pspo-validity")),
        "not the answer again"
    );
    assert_no_pings(&pointer);

    // Another topic from another user is answered as usual.
    let carol = user_json(CAROL, "carol", false);
    let other = say_to_bot(&s, &carol, "does cspo expire");
    let reply = s.fake.wait_reply(CHANNEL_ID, other, TIMEOUT).await.body;
    assert_eq!(
        embed(&reply)["title"],
        json!(topic_title(&s, "cspo-validity"))
    );
}

#[tokio::test]
async fn only_the_asker_or_a_moderator_can_remove_an_answer() {
    let s = Session::start(&[("MESSAGE_COOLDOWN_SECONDS", "0")]).await;
    let asked = say_to_bot(&s, &alice(), "does pspo expire?");
    let answer = s.fake.wait_reply(CHANNEL_ID, asked, TIMEOUT).await;
    let answer_id = answer.created.unwrap_or_default();
    let delete = format!("delete:{ALICE}");
    assert!(custom_ids(&answer.body).contains(&delete));

    let (id, token, d) = s.fake.button(&delete, BOB, answer_id);
    s.fake.dispatch("INTERACTION_CREATE", d);
    let refused = s.fake.wait_callback(id, &token, TIMEOUT).await;
    assert!(is_ephemeral(&refused["data"]));
    assert!(embed(&refused["data"])["description"]
        .as_str()
        .unwrap_or_default()
        .contains("Only the person who asked, or a moderator"));

    // The asker: the answer is blanked at once, then deleted.
    let (id, token, d) = s.fake.button(&delete, ALICE, answer_id);
    s.fake.dispatch("INTERACTION_CREATE", d);
    let removed = s.fake.wait_callback(id, &token, TIMEOUT).await;
    assert_eq!(removed["type"], json!(7));
    assert_eq!(embed(&removed["data"])["title"], json!("Removed"));
    assert!(custom_ids(&removed["data"]).is_empty());
    let path = format!("/api/v10/channels/{CHANNEL_ID}/messages/{answer_id}");
    s.fake.wait_call("DELETE", &path, TIMEOUT).await;
    let deletes = s
        .fake
        .calls()
        .into_iter()
        .filter(|c| c.method == "DELETE")
        .count();
    assert_eq!(deletes, 1, "Bob's click removed nothing");

    // A moderator (Manage Messages) may remove anyone's answer.
    let asked = say_to_bot(&s, &alice(), "what is cspo?");
    let answer = s.fake.wait_reply(CHANNEL_ID, asked, TIMEOUT).await;
    let answer_id = answer.created.unwrap_or_default();
    let (id, token, mut d) = s.fake.button(&delete, CAROL, answer_id);
    d["member"]["permissions"] = json!((1u64 << 13).to_string());
    s.fake.dispatch("INTERACTION_CREATE", d);
    assert_eq!(
        s.fake.wait_callback(id, &token, TIMEOUT).await["type"],
        json!(7)
    );
    let path = format!("/api/v10/channels/{CHANNEL_ID}/messages/{answer_id}");
    s.fake.wait_call("DELETE", &path, TIMEOUT).await;
}

#[cfg(unix)]
#[tokio::test]
async fn sigterm_closes_the_shards_and_exits_cleanly_within_five_seconds() {
    // No command at all: with DISCORD_TOKEN set, that runs the bot too.
    let mut s = Session::start_with(&[], &[]).await;
    s.bot.terminate();
    let started = Instant::now();
    let status = s.bot.exit(Duration::from_secs(10)).await;
    assert!(status.success(), "{status:?}\n{}", s.bot.output());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    let closes = s
        .fake
        .wait("the gateway closed", TIMEOUT, |f| {
            Some(f.closes()).filter(|c| !c.is_empty())
        })
        .await;
    assert_eq!(closes, [1000]);
}

#[tokio::test]
async fn a_rejected_or_missing_token_is_one_clear_line_and_a_failure() {
    let fake = FakeDiscord::start().await;
    let wrong = "wrong.secret-token.value";
    let mut bot = Bot::spawn_with(
        &["run"],
        [
            ("DISCORD_TOKEN", wrong),
            ("DISCORD_HTTP_PROXY", fake.rest_url()),
            ("RUST_LOG", "debug"),
        ],
    );
    let status = bot.exit(TIMEOUT).await;
    assert!(!status.success());
    let out = bot.output();
    let error = the_one_error_line(&out);
    assert!(
        error.contains("DISCORD_TOKEN") && error.contains("rejected"),
        "{out}"
    );
    assert!(
        !out.contains("secret-token"),
        "the token never reaches the output:\n{out}"
    );

    let mut bot = Bot::spawn_with(&["run"], []);
    let status = bot.exit(TIMEOUT).await;
    assert!(!status.success());
    assert!(
        bot.output().contains("DISCORD_TOKEN is not set"),
        "{}",
        bot.output()
    );
}

/// A bot run with `setting` set to a channel, against a portal that has
/// not enabled Message Content: it fails, and this is its one error line
/// and its whole output.
async fn refused_message_content(setting: &str) -> (String, String) {
    let fake = FakeDiscord::start_with(MESSAGE_CONTENT).await;
    let channel = CHANNEL_ID.to_string();
    let mut bot = Bot::spawn(&fake, &["run"], &[(setting, &channel)]);
    let status = bot.exit(TIMEOUT).await;
    assert!(!status.success());
    let out = bot.output();
    (the_one_error_line(&out).to_string(), out)
}

#[tokio::test]
async fn a_refused_message_content_intent_is_one_clear_line_and_a_failure() {
    let (error, out) = refused_message_content("ANSWER_CHANNELS").await;
    assert!(
        error.contains("Message Content")
            && error.contains("ANSWER_CHANNELS")
            && !error.contains("FORUM_CHANNELS"),
        "{out}"
    );
}

#[tokio::test]
async fn forums_read_by_title_alone_connect_where_message_content_is_not_enabled() {
    let fake = FakeDiscord::start_with(MESSAGE_CONTENT).await;
    let forum = CHANNEL_ID.to_string();
    let bot = Bot::spawn(
        &fake,
        &["run"],
        &[("FORUM_CHANNELS", &forum), ("FORUM_TITLES_ONLY", "1")],
    );
    let identify = fake.wait_identify(TIMEOUT).await;
    assert_eq!(
        identify["intents"],
        json!(GUILDS | GUILD_MESSAGES | DIRECT_MESSAGES),
        "no privileged intent for forums read by title"
    );
    let ready = bot.wait_line(&["ready as"]).await;
    assert!(ready.contains("shard 0 of 1"), "{ready}");
}

#[tokio::test]
async fn a_refused_message_content_intent_with_only_forums_blames_forum_channels() {
    let (error, out) = refused_message_content("FORUM_CHANNELS").await;
    assert!(
        error.contains("Message Content")
            && error.contains("unset FORUM_CHANNELS")
            && !error.contains("ANSWER_CHANNELS"),
        "{out}"
    );
}

#[tokio::test]
async fn a_refusal_without_answer_channels_does_not_blame_them() {
    // Discord closes with 4014 although nothing privileged was asked for.
    let fake = FakeDiscord::start_with(GUILD_MESSAGES).await;
    let mut bot = Bot::spawn(&fake, &["run"], &[]);
    let status = bot.exit(TIMEOUT).await;
    assert!(!status.success());
    let out = bot.output();
    let error = the_one_error_line(&out);
    assert!(
        !error.contains("ANSWER_CHANNELS") && error.contains("GUILD_MESSAGES"),
        "{out}"
    );
}

#[tokio::test]
async fn a_discord_that_never_answers_at_start_up_is_one_clear_line_after_a_bounded_wait() {
    // A REST endpoint that accepts connections and never says a word.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let url = format!(
        "http://{}",
        silent.local_addr().unwrap_or_else(|e| panic!("{e}"))
    );
    let held = std::thread::spawn(move || {
        let mut open = Vec::new();
        for stream in silent.incoming().take(4).flatten() {
            open.push(stream);
        }
        std::thread::sleep(Duration::from_secs(30));
    });
    let mut bot = Bot::spawn_with(
        &["run"],
        [
            ("DISCORD_TOKEN", TOKEN),
            ("DISCORD_HTTP_PROXY", url.as_str()),
            ("DISCORD_REST_TIMEOUT_SECONDS", "1"),
            ("RUST_LOG", "info"),
        ],
    );
    let status = bot.exit(TIMEOUT).await;
    assert!(!status.success());
    let out = bot.output();
    let error = the_one_error_line(&out);
    assert!(error.contains("did not answer within 1 s"), "{out}");
    drop(held);
}

#[tokio::test]
async fn a_429_or_a_500_from_discord_is_tried_again_where_that_is_safe() {
    // Registering the commands is safe to repeat: a 500 at start-up is
    // tried again.
    let fake = FakeDiscord::start().await;
    fake.fail_next("PUT", "/commands", 500, 1);
    let bot = Bot::spawn(&fake, &["run"], &[]);
    bot.wait_line(&["ready as"]).await;
    let registrations = fake
        .wait("the commands registered after a 500", TIMEOUT, |f| {
            let puts: Vec<_> = f
                .calls()
                .into_iter()
                .filter(|c| c.method == "PUT" && c.path.ends_with("/commands"))
                .collect();
            (puts.len() >= 2).then_some(puts)
        })
        .await;
    assert_eq!(registrations.len(), 2);
    bot.wait_line(&["Discord failed (500)", "trying again"])
        .await;
    bot.wait_line(&["registered the slash commands"]).await;
    drop(bot);

    // A reply to a mention: 429s (Discord's own body) are waited out.
    let s = Session::start(&[]).await;
    let messages = format!("/channels/{CHANNEL_ID}/messages");
    s.fake.fail_next("POST", &messages, 429, 2);
    let asked = say_to_bot(&s, &alice(), "does pspo expire?");
    let replies = s
        .fake
        .wait("a reply after two 429s", TIMEOUT, |f| {
            let calls: Vec<_> = f
                .calls()
                .into_iter()
                .filter(|c| c.body["message_reference"]["message_id"] == json!(asked.to_string()))
                .collect();
            (calls.len() >= 3).then_some(calls)
        })
        .await;
    assert_eq!(replies.len(), 3);
    assert_eq!(
        embed(&replies[2].body)["title"],
        json!(topic_title(&s, "pspo-validity"))
    );
    s.bot.wait_line(&["(429)", "trying again"]).await;

    // A 500 on a reply may come after Discord posted it: not sent twice.
    s.fake.fail_next("POST", &messages, 500, 1);
    let asked = say_to_bot(&s, &bob(), "does cspo expire?");
    s.bot.wait_line(&["could not send the answer", "500"]).await;
    let sent = s
        .fake
        .calls()
        .iter()
        .filter(|c| c.body["message_reference"]["message_id"] == json!(asked.to_string()))
        .count();
    assert_eq!(sent, 1);

    // A 429 that says to wait past the interaction's three seconds: the
    // bot does as Discord says and gives up, rather than trying too early.
    s.fake.rate_limit_next("POST", "/callback", 429, 1, 5.0);
    let (late, token, d) = s.fake.command(
        "ask",
        json!([{"name": "question", "type": 3, "value": "does pspo expire"}]),
        BOB,
    );
    s.fake.dispatch("INTERACTION_CREATE", d);
    s.bot
        .wait_line(&[
            "could not send the answer",
            "after 5s, would be past the deadline",
        ])
        .await;
    let late_path = format!("/interactions/{late}/{token}/callback");
    let tries = s
        .fake
        .calls()
        .iter()
        .filter(|c| c.path.contains(&late_path))
        .count();
    assert_eq!(tries, 1);

    // An interaction's response, within its three seconds, after a 429
    // and a 500 (answering twice is refused by Discord, never shown twice).
    s.fake.fail_next("POST", "/callback", 429, 1);
    s.fake.fail_next("POST", "/callback", 500, 1);
    let (id, token, d) = s.fake.command(
        "ask",
        json!([{"name": "question", "type": 3, "value": "does cspo expire"}]),
        ALICE,
    );
    s.fake.dispatch("INTERACTION_CREATE", d);
    let path = format!("/interactions/{id}/{token}/callback");
    let callbacks = s
        .fake
        .wait("a response after a 429", TIMEOUT, |f| {
            let calls: Vec<_> = f
                .calls()
                .into_iter()
                .filter(|c| c.path.contains(&path))
                .collect();
            (calls.len() >= 3).then_some(calls)
        })
        .await;
    assert_eq!(callbacks.len(), 3);
    assert_eq!(
        embed(&callbacks[2].body["data"])["title"],
        json!(topic_title(&s, "cspo-validity"))
    );
}

#[tokio::test]
async fn a_process_runs_only_its_slice_of_the_shards() {
    let s = Session::start(&[("SHARD_RANGE", "1"), ("SHARD_TOTAL", "2")]).await;
    let identify = s.fake.wait_identify(TIMEOUT).await;
    assert_eq!(identify["shard"], json!([1, 2]));
    s.bot.wait_line(&["ready as", "shard 1 of 2"]).await;
    assert!(
        !s.fake
            .calls()
            .iter()
            .any(|c| c.path == "/api/v10/gateway/bot"),
        "a fixed count asks for no recommendation"
    );
}

#[tokio::test]
async fn json_logs_carry_one_span_per_interaction() {
    let s = Session::start(&[("LOG_FORMAT", "json")]).await;
    let (id, token, d) = s.fake.command(
        "ask",
        json!([{"name": "question", "type": 3, "value": "does pspo expire?"}]),
        ALICE,
    );
    s.fake.dispatch("INTERACTION_CREATE", d);
    s.fake.wait_callback(id, &token, TIMEOUT).await;
    let line = s.bot.wait_line(&["\"answered\"", &id.to_string()]).await;
    let event: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
    let span = &event["span"];
    assert_eq!(span["name"], json!("interaction"), "{event:#}");
    assert_eq!(span["command"], json!("ask"));
    assert_eq!(span["topic"], json!("pspo-validity"));
    assert!(
        span["confidence"].is_number() && span["latency_ms"].is_number(),
        "{event:#}"
    );
    for line in s.bot.output().lines() {
        assert!(
            serde_json::from_str::<Value>(line).is_ok(),
            "not JSON: {line}"
        );
    }
}

#[tokio::test]
async fn register_overwrites_the_commands_without_connecting() {
    let fake = FakeDiscord::start().await;
    let app = APP_ID.to_string();
    let mut bot = Bot::spawn(
        &fake,
        &["register", "--guild", "777"],
        &[("DISCORD_APPLICATION_ID", &app)],
    );
    let status = bot.exit(TIMEOUT).await;
    assert!(status.success(), "{}", bot.output());
    let put = fake
        .wait_call(
            "PUT",
            &format!("/api/v10/applications/{APP_ID}/guilds/777/commands"),
            TIMEOUT,
        )
        .await;
    assert_eq!(put.body.as_array().map(Vec::len), Some(8));
    assert!(
        bot.output().contains("Registered 8 commands in guild 777"),
        "{}",
        bot.output()
    );
    assert!(
        fake.frames().is_empty(),
        "register does not connect to the gateway"
    );

    let mut bot = Bot::spawn(&fake, &["register"], &[]);
    assert!(!bot.exit(TIMEOUT).await.success());
    assert!(
        bot.output().contains("DISCORD_APPLICATION_ID"),
        "{}",
        bot.output()
    );
}
