//! Black-box tests of `serve-http`: the real binary on a loopback port,
//! requests signed with a real Ed25519 key, replies checked against
//! Discord's documented shapes and limits.

mod common;
mod http_support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use serenity::all::Interaction;

use cspo_pspo_bot::discord::interactions::respond;
use http_support::{command, faq, fixtures, now, shapes, Keys, Server, START_TIMEOUT};

/// Discord's PONG: type 1 and no data (serenity writes `"data": null`,
/// which Discord accepts, as serenity's own endpoint example relies on).
fn assert_pong(v: &Value) {
    assert_eq!(v["type"], 1, "{v}");
    assert!(v["data"].is_null(), "{v}");
    assert!(
        v.as_object()
            .is_some_and(|o| o.keys().all(|k| k == "type" || k == "data")),
        "{v}"
    );
}

fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).expect("fixtures serialize")
}

fn title(data: &Value) -> &str {
    data["embeds"][0]["title"].as_str().unwrap_or_default()
}

/// The `custom_id`s of all buttons in a message.
fn custom_ids(data: &Value) -> Vec<String> {
    data["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["custom_id"].as_str().map(str::to_string))
        .collect()
}

/// The value of a metric series in `/metrics` text.
fn metric(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn a_signed_ping_gets_a_pong() {
    let server = Server::start();
    let response = server.post_signed(&bytes(&fixtures::ping())).await;
    assert_eq!(response.status(), 200);
    let content_type = response.headers().get("content-type").cloned();
    assert_eq!(
        content_type.as_ref().and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    let body: Value = response.json().await.expect("JSON");
    assert_pong(&body);
}

#[tokio::test]
async fn unsigned_wrong_key_and_tampered_requests_are_refused() {
    let server = Server::start();
    let body = bytes(&fixtures::ping());
    let t = now();
    let ts = t.to_string();
    let good = server.keys.sign(&ts, &body);
    let header = |sig: &str, ts: &str| {
        vec![
            ("x-signature-ed25519", sig.to_string()),
            ("x-signature-timestamp", ts.to_string()),
        ]
    };

    let unsigned = server.post_raw(body.clone(), &[]).await;
    assert_eq!(unsigned.status(), 401, "no signature headers");
    let no_timestamp = server
        .post_raw(body.clone(), &[("x-signature-ed25519", good.clone())])
        .await;
    assert_eq!(no_timestamp.status(), 401, "no timestamp header");

    let other = Keys::generate().sign(&ts, &body);
    assert_eq!(
        server
            .post_raw(body.clone(), &header(&other, &ts))
            .await
            .status(),
        401,
        "wrong key"
    );

    let mut tampered = body.clone();
    let at = tampered.len() / 2;
    tampered[at] ^= 0x01;
    assert_eq!(
        server
            .post_raw(tampered, &header(&good, &ts))
            .await
            .status(),
        401,
        "tampered body"
    );
    let other_ts = (t - 1).to_string();
    assert_eq!(
        server
            .post_raw(body.clone(), &header(&good, &other_ts))
            .await
            .status(),
        401,
        "tampered timestamp"
    );

    for sig in [
        "zz".repeat(64),
        good[..126].to_string(),
        format!("{good}00"),
        String::new(),
    ] {
        assert_eq!(
            server
                .post_raw(body.clone(), &header(&sig, &ts))
                .await
                .status(),
            401,
            "signature {sig:?}"
        );
    }

    // The same request, properly signed, still goes through.
    assert_eq!(
        server
            .post_raw(body.clone(), &header(&good, &ts))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn stale_and_future_timestamps_are_refused_even_when_signed() {
    let server = Server::start();
    let body = bytes(&fixtures::ping());
    for ts in [now() - 301, now() + 301, now() - 3600, 0] {
        let ts = ts.to_string();
        let sig = server.keys.sign(&ts, &body);
        let response = server
            .post_raw(
                body.clone(),
                &[
                    ("x-signature-ed25519", sig),
                    ("x-signature-timestamp", ts.clone()),
                ],
            )
            .await;
        assert_eq!(response.status(), 401, "timestamp {ts}");
    }
    // A minute of clock skew is fine.
    let ts = (now() - 60).to_string();
    let sig = server.keys.sign(&ts, &body);
    let response = server
        .post_raw(
            body,
            &[("x-signature-ed25519", sig), ("x-signature-timestamp", ts)],
        )
        .await;
    assert_eq!(response.status(), 200);

    let metrics = server.get("/metrics").await.text().await.expect("text");
    assert_eq!(
        metric(
            &metrics,
            r#"cspo_pspo_bot_signature_failures_total{reason="stale"}"#
        ),
        Some(4.0)
    );
}

#[tokio::test]
async fn oversized_bodies_are_refused_and_the_server_keeps_answering() {
    let server = Server::start();
    let mut big = bytes(&fixtures::command(
        "ask",
        &[("question", "does pspo expire?")],
    ));
    big.resize(64 * 1024 + 1, b' ');
    let response = server.post_signed(&big).await;
    assert_eq!(response.status(), 413);

    // Exactly at the limit is read, and refused only because it is no
    // interaction.
    let mut at_limit = b"{\"type\":1}".to_vec();
    at_limit.resize(64 * 1024, b'x');
    assert_eq!(server.post_signed(&at_limit).await.status(), 400);

    assert_pong(&server.interact_ok(&fixtures::ping()).await);
}

#[tokio::test]
async fn malformed_or_unknown_interactions_are_refused_and_the_server_keeps_answering() {
    let server = Server::start();
    let bodies: Vec<Vec<u8>> = vec![
        b"not json".to_vec(),
        b"".to_vec(),
        b"[1,2,3]".to_vec(),
        b"{\"type\":1".to_vec(),
        bytes(&json!({ "type": 99, "id": "1", "application_id": "2", "token": "t", "version": 1 })),
        bytes(&json!({ "type": 2 })),
        bytes(&json!({ "type": "ping" })),
        vec![0xff, 0xfe, 0x00],
    ];
    for body in &bodies {
        let response = server.post_signed(body).await;
        assert_eq!(
            response.status(),
            400,
            "body {:?}",
            String::from_utf8_lossy(body)
        );
    }
    let answer = server
        .interact_ok(&fixtures::command(
            "ask",
            &[("question", "does pspo expire?")],
        ))
        .await;
    shapes::message_response(&answer);

    let metrics = server.get("/metrics").await.text().await.expect("text");
    let malformed = metric(
        &metrics,
        r#"cspo_pspo_bot_rejected_requests_total{reason="malformed"}"#,
    );
    assert_eq!(malformed, Some(bodies.len() as f64));
}

#[tokio::test]
async fn ask_answers_a_known_question_with_its_topic() {
    let faq = faq();
    let topic = faq
        .topic("pspo-validity")
        .expect("the knowledge has pspo-validity");
    let server = Server::start();
    let response = server
        .interact_ok(&fixtures::command(
            "ask",
            &[("question", "does pspo expire?")],
        ))
        .await;
    let data = shapes::message_response(&response);
    assert_eq!(title(data), topic.title);
    assert!(!shapes::is_ephemeral(data), "answers are public");
    assert_eq!(data["embeds"][0]["url"], faq.knowledge.article.url.as_str());
    let ids = custom_ids(data);
    // "Helpful" / "Not helpful", then the related topics, then Remove.
    assert_eq!(
        ids[..2],
        [
            format!("feedback:{}:up", topic.id),
            format!("feedback:{}:down", topic.id)
        ]
    );
    assert!(
        ids.last().is_some_and(|id| id.starts_with("delete:")),
        "{ids:?}"
    );
    let related = &ids[2..ids.len() - 1];
    assert!(
        !related.is_empty() && related.iter().all(|id| id.starts_with("topic:")),
        "{ids:?}"
    );
    for id in related {
        assert!(
            faq.topic(&id["topic:".len()..]).is_some(),
            "button {id} opens no topic"
        );
    }
}

/// The texts of a message that Discord renders with markdown and
/// mentions: the content, and the embed's title, description, fields and
/// footer. (An embed's author line renders neither.)
fn rendered_texts(data: &Value) -> Vec<String> {
    let embed = &data["embeds"][0];
    let mut texts = vec![
        data["content"].as_str().unwrap_or_default().to_string(),
        embed["title"].as_str().unwrap_or_default().to_string(),
        embed["description"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        embed["footer"]["text"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    ];
    for field in embed["fields"].as_array().into_iter().flatten() {
        for part in ["name", "value"] {
            texts.push(field[part].as_str().unwrap_or_default().to_string());
        }
    }
    texts
}

#[tokio::test]
async fn a_question_with_markdown_and_mentions_is_shown_as_plain_text_pinging_nobody() {
    let faq = faq();
    let question = "**bold** <@123456789012345678> @everyone does pspo expire?";
    let server = Server::start();
    let response = server
        .interact_ok(&fixtures::command("ask", &[("question", question)]))
        .await;
    let data = shapes::message_response(&response);
    assert_eq!(
        Some(title(data)),
        faq.topic("pspo-validity").map(|t| t.title.as_str())
    );
    assert!(!shapes::is_ephemeral(data));
    // The question is shown where Discord renders it as typed, as plain
    // text: no bold, no mention, no @everyone.
    assert_eq!(
        data["embeds"][0]["author"]["name"],
        format!("Asked: {question}").as_str()
    );
    for text in rendered_texts(data) {
        for raw in ["**bold**", "<@", "@everyone", "123456789012345678"] {
            assert!(!text.contains(raw), "{raw:?} would render in {text:?}");
        }
    }
    let mentions = &data["allowed_mentions"];
    assert_eq!(mentions["parse"], json!([]), "{mentions}");
    assert_eq!(mentions["users"], json!([]), "{mentions}");
    assert_eq!(mentions["roles"], json!([]), "{mentions}");
    assert_eq!(mentions["replied_user"], json!(false), "{mentions}");

    // The longest question Discord lets through (the option's 300
    // characters) is shown clamped, with a mark that it was.
    let long = format!("does pspo expire {}", "or does it last forever ".repeat(12))
        .chars()
        .take(300)
        .collect::<String>();
    let response = server
        .interact_ok(&fixtures::command("ask", &[("question", &long)]))
        .await;
    let data = shapes::message_response(&response);
    let shown = data["embeds"][0]["author"]["name"]
        .as_str()
        .unwrap_or_default();
    let asked = shown.strip_prefix("Asked: ").unwrap_or_default();
    assert!((150..=200).contains(&asked.chars().count()), "{shown}");
    let kept = asked
        .strip_suffix('…')
        .unwrap_or_else(|| panic!("no mark of the cut: {shown}"));
    assert!(long.starts_with(kept), "{shown}");
}

#[tokio::test]
async fn ask_follows_up_on_the_last_answer_to_the_same_person_in_the_same_channel() {
    let faq = faq();
    let server = Server::start();
    // One person: the fixtures give every interaction a new user.
    let ask = |q: &str| {
        let mut body = fixtures::command("ask", &[("question", q)]);
        body["member"]["user"]["id"] = serde_json::json!("1700000000000000001");
        body
    };
    let first = server.interact_ok(&ask("does pspo expire?")).await;
    assert_eq!(
        title(shapes::message_response(&first)),
        faq.topic("pspo-validity")
            .map(|t| t.title.as_str())
            .unwrap_or_default()
    );
    let follow_up = server.interact_ok(&ask("and for cspo?")).await;
    assert_eq!(
        title(shapes::message_response(&follow_up)),
        faq.topic("cspo-validity")
            .map(|t| t.title.as_str())
            .unwrap_or_default()
    );
    // Small talk gets a reply in kind, not "I don't know".
    let hello = server.interact_ok(&ask("hi")).await;
    assert_eq!(title(shapes::message_response(&hello)), "Hello!");
}

#[tokio::test]
async fn ask_says_so_when_it_has_no_answer() {
    let faq = faq();
    let question = "what is the weather tomorrow";
    assert_eq!(
        faq.find(question).topic,
        None,
        "precondition: the matcher has no topic for it"
    );
    let server = Server::start();
    let response = server
        .interact_ok(&fixtures::command("ask", &[("question", question)]))
        .await;
    let data = shapes::message_response(&response);
    assert!(
        shapes::is_ephemeral(data),
        "only the asker sees 'I don't know'"
    );
    assert!(faq.knowledge.topics.iter().all(|t| t.title != title(data)));
    let links = data["components"][0]["components"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for c in &faq.knowledge.certifications {
        assert!(
            links.iter().any(|b| b["url"] == c.issuer_url.as_str()),
            "offers {}'s issuer: {links:?}",
            c.name
        );
    }

    let metrics = server.get("/metrics").await.text().await.expect("text");
    assert_eq!(
        metric(&metrics, "cspo_pspo_bot_unanswered_total"),
        Some(1.0)
    );
}

#[tokio::test]
async fn compare_shows_the_certifications_side_by_side() {
    let faq = faq();
    let k = &faq.knowledge;
    let server = Server::start();

    let response = server.interact_ok(&fixtures::command("compare", &[])).await;
    let data = shapes::message_response(&response);
    let expected = format!(
        "{} vs {}",
        k.certifications[0].name, k.certifications[1].name
    );
    assert_eq!(title(data), expected);
    let fields = data["embeds"][0]["fields"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(fields.len(), k.dimensions.len().min(25));
    assert!(fields.iter().all(|f| f["inline"] == false));
    assert!(!shapes::is_ephemeral(data));

    let swapped = server
        .interact_ok(&fixtures::command(
            "compare",
            &[
                ("first", &k.certifications[1].id),
                ("second", &k.certifications[0].id),
            ],
        ))
        .await;
    let expected = format!(
        "{} vs {}",
        k.certifications[1].name, k.certifications[0].name
    );
    assert_eq!(title(shapes::message_response(&swapped)), expected);
}

#[tokio::test]
async fn compare_on_twelve_long_dimensions_is_one_embed_within_every_limit() {
    let knowledge = common::knowledge_copy();
    // The longest labels and values the loader accepts.
    let labels = common::write_comparison(knowledge.path(), 12, 128, 1024);
    let dir = knowledge.path().to_str().unwrap_or_default();
    let server = Server::start_with(&[("KNOWLEDGE_DIR", dir)]);

    let response = server.interact_ok(&fixtures::command("compare", &[])).await;
    let data = shapes::message_response(&response);
    let embeds = data["embeds"].as_array().cloned().unwrap_or_default();
    assert_eq!(embeds.len(), 1, "{data}");
    let embed = &embeds[0];
    assert_eq!(embed["title"], "CSPO vs PSPO");
    let fields = embed["fields"].as_array().cloned().unwrap_or_default();
    assert!(fields.len() <= 25, "{} fields", fields.len());
    let names: Vec<&str> = fields.iter().filter_map(|f| f["name"].as_str()).collect();
    assert_eq!(names, labels, "one field per row, in order, none folded");
    for field in &fields {
        let name = field["name"].as_str().unwrap_or_default();
        let value = field["value"].as_str().unwrap_or_default();
        assert!((1..=256).contains(&name.chars().count()), "{name}");
        assert!((1..=1024).contains(&value.chars().count()), "{value}");
        // No spacer: every field shows a row's two values.
        assert_eq!(field["inline"], false, "{field}");
        let lines: Vec<&str> = value.lines().collect();
        assert_eq!(lines.len(), 2, "{value}");
        assert!(lines[0].starts_with("**CSPO:** CSPO on row "), "{value}");
        assert!(lines[1].starts_with("**PSPO:** PSPO on row "), "{value}");
        assert!(lines.iter().all(|l| l.ends_with('…')), "{value}");
    }
    let total = shapes::check_embed(embed);
    assert!(total <= 6000, "the embed's texts total {total} characters");
    let description = embed["description"].as_str().unwrap_or_default();
    assert!(description.contains("shortened"), "{description}");
}

#[tokio::test]
async fn contact_topics_and_help_answer_in_discord_shapes() {
    let faq = faq();
    let k = &faq.knowledge;
    let server = Server::start();

    let contact = server.interact_ok(&fixtures::command("contact", &[])).await;
    let data = shapes::message_response(&contact);
    assert_eq!(title(data), k.provider.name);
    assert_eq!(data["embeds"][0]["url"], k.provider.website.as_str());
    let names: Vec<&str> = data["embeds"][0]["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert_eq!(names, ["Phone", "Website"]);

    let topics = server.interact_ok(&fixtures::command("topics", &[])).await;
    let data = shapes::message_response(&topics);
    let menu = &data["components"][0]["components"][0];
    assert_eq!(menu["type"], 3, "the first row holds the topic menu");
    let options = menu["options"].as_array().cloned().unwrap_or_default();
    assert_eq!(options.len(), k.topics.len().min(25));
    for (option, topic) in options.iter().zip(&k.topics) {
        assert_eq!(option["value"], format!("topic:{}", topic.id));
    }

    let help = server.interact_ok(&fixtures::command("help", &[])).await;
    let data = shapes::message_response(&help);
    assert!(shapes::is_ephemeral(data), "help is for the asker only");
    let text = data["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default();
    assert!(text.contains(cspo_pspo_bot::commands::ANSWER_MESSAGE));
    for command in cspo_pspo_bot::commands::slash_commands() {
        assert!(
            text.contains(&format!("/{}", command.name())),
            "help mentions /{}",
            command.name()
        );
    }
}

#[tokio::test]
async fn autocomplete_offers_choices_within_discords_limits() {
    let server = Server::start();
    let response = server
        .interact_ok(&fixtures::autocomplete("ask", "question", "does pspo exp"))
        .await;
    let choices = shapes::autocomplete_response(&response);
    assert!(choices.len() > 1, "suggests known questions: {response}");
    assert_eq!(
        choices[0]["value"], "does pspo exp",
        "the typed text is always a choice"
    );

    let long = "why ".repeat(60);
    let response = server
        .interact_ok(&fixtures::autocomplete("ask", "question", &long))
        .await;
    shapes::autocomplete_response(&response);

    let empty = server
        .interact_ok(&fixtures::autocomplete("contact", "nothing", "x"))
        .await;
    assert!(shapes::autocomplete_response(&empty).is_empty());
}

/// The topic ids `/topic` autocomplete offers for `typed`, in order,
/// checked against Discord's limits (at most 25 choices, each value at
/// most 100 characters).
async fn topics_offered(server: &Server, typed: &str) -> Vec<String> {
    let response = server
        .interact_ok(&fixtures::autocomplete("topic", "name", typed))
        .await;
    shapes::autocomplete_response(&response)
        .iter()
        .map(|c| c["value"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn topic_autocomplete_puts_the_meant_topic_first_despite_slips_and_offers_nothing_unrelated()
{
    let server = Server::start();
    let faq = faq();
    let all = topics_offered(&server, "").await;
    assert_eq!(all.len(), faq.knowledge.topics.len().min(25), "{all:?}");

    // What a person meant, however they typed it, and the topics that
    // have nothing to do with it (the other certification's included).
    let cases: [(&str, &str, &[&str]); 4] = [
        (
            "pspo expir",
            "pspo-validity",
            &[
                "cspo-validity",
                "cspo-career-path",
                "provider",
                "article",
                "focus",
            ],
        ),
        (
            "pspo expiry",
            "pspo-validity",
            &["cspo-validity", "what-is-cspo", "provider", "preparation"],
        ),
        (
            "cspo carrer",
            "cspo-career-path",
            &[
                "pspo-career-path",
                "pspo-validity",
                "pspo-registry",
                "provider",
                "article",
            ],
        ),
        (
            "regstry",
            "pspo-registry",
            &[
                "cspo-validity",
                "cspo-career-path",
                "provider",
                "learning-content",
            ],
        ),
    ];
    for (typed, meant, unrelated) in cases {
        let offered = topics_offered(&server, typed).await;
        assert_eq!(
            offered.first().map(String::as_str),
            Some(meant),
            "{typed:?} offers {offered:?}"
        );
        for other in unrelated {
            assert!(
                !offered.iter().any(|o| o == other),
                "{typed:?} offers the unrelated {other}: {offered:?}"
            );
        }
    }
    assert!(topics_offered(&server, "zzzzqqq").await.is_empty());
}

#[tokio::test]
async fn post_from_the_apps_menu_shares_the_answer_with_a_link_to_the_question_and_pings_nobody() {
    let server = Server::start();
    let (asked, target) =
        fixtures::someones_message("@everyone hey, does the pspo cert ever expire?");
    let private = server
        .interact_ok(&fixtures::message_command(
            "Answer with CSPO/PSPO bot",
            &target,
        ))
        .await;
    let private = shapes::message_response(&private);
    assert!(
        shapes::is_ephemeral(private),
        "only the clicker sees it first"
    );
    let post = custom_ids(private)
        .into_iter()
        .find(|id| id.starts_with("post:"))
        .unwrap_or_else(|| panic!("no Post button: {private}"));

    // The endpoint cannot reply to the message, so the interaction's
    // response is the public answer, pointing at the message it answers.
    let shared = server.interact_ok(&fixtures::button(&post)).await;
    let data = shapes::message_response(&shared);
    assert!(!shapes::is_ephemeral(data), "{data}");
    assert_eq!(title(data), "Does PSPO expire?");
    let link = format!(
        "https://discord.com/channels/{}/{}/{asked}",
        fixtures::GUILD_ID,
        fixtures::CHANNEL_ID
    );
    let description = data["embeds"][0]["description"]
        .as_str()
        .unwrap_or_default();
    assert!(
        description.contains(&format!("]({link})")),
        "the answer links to the question: {description}"
    );
    let mentions = &data["allowed_mentions"];
    assert_eq!(
        mentions,
        &json!({"parse": [], "users": [], "roles": [], "replied_user": false}),
        "nobody may be pinged, not even by the @everyone it quotes: {data}"
    );
    assert!(
        !custom_ids(data).iter().any(|id| id.starts_with("post:")),
        "the public answer has no Post button: {data}"
    );
}

#[tokio::test]
async fn autocomplete_offers_the_typed_text_then_only_what_matches_best_first() {
    let faq = faq();
    let validity = faq
        .knowledge
        .topics
        .iter()
        .find(|t| {
            t.kind.as_deref() == Some("validity")
                && t.about == cspo_pspo_bot::knowledge::About::One("cspo".into())
        })
        .expect("the knowledge has CSPO's validity topic");
    let server = Server::start();
    let response = server
        .interact_ok(&fixtures::autocomplete("ask", "question", "cspo exp"))
        .await;
    let choices = shapes::autocomplete_response(&response);
    assert_eq!(
        (&choices[0]["name"], &choices[0]["value"]),
        (&json!("cspo exp"), &json!("cspo exp")),
        "what was typed comes first"
    );
    let offered: Vec<&str> = choices[1..]
        .iter()
        .filter_map(|c| c["value"].as_str())
        .collect();
    assert!(!offered.is_empty(), "{response}");
    for question in &offered {
        assert!(
            validity.questions.iter().any(|q| q == question),
            "{question:?} is not one of {}'s questions: {offered:?}",
            validity.id
        );
        assert!(!question.to_lowercase().contains("pspo"), "{question:?}");
    }
    // Every question of that topic with "cspo" then a word starting "exp".
    let matching: Vec<&str> = validity
        .questions
        .iter()
        .map(String::as_str)
        .filter(|q| {
            let lower = q.to_lowercase();
            let words: Vec<&str> = lower
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect();
            words
                .iter()
                .position(|w| *w == "cspo")
                .is_some_and(|at| words[at + 1..].iter().any(|w| w.starts_with("exp")))
        })
        .collect();
    let mut sorted = offered.clone();
    sorted.sort_unstable();
    let mut expected = matching.clone();
    expected.sort_unstable();
    assert_eq!(sorted, expected, "all that match and nothing else");
    // Best first: the questions written out as sentences before the
    // chatty ones.
    assert_eq!(offered[0], validity.questions[0], "{offered:?}");
    let written_out: Vec<bool> = offered
        .iter()
        .map(|q| q.starts_with(char::is_uppercase))
        .collect();
    assert!(written_out.windows(2).all(|w| w[0] >= w[1]), "{offered:?}");
}

#[tokio::test]
async fn buttons_and_the_topic_menu_open_topics() {
    let faq = faq();
    let server = Server::start();

    let clicked = server
        .interact_ok(&fixtures::button("topic:pspo-validity"))
        .await;
    let data = shapes::message_response(&clicked);
    assert_eq!(
        Some(title(data)),
        faq.topic("pspo-validity").map(|t| t.title.as_str())
    );

    let chosen = server
        .interact_ok(&fixtures::select("topics", &["topic:cspo-validity"]))
        .await;
    let data = shapes::message_response(&chosen);
    assert_eq!(
        Some(title(data)),
        faq.topic("cspo-validity").map(|t| t.title.as_str())
    );

    let stale = server
        .interact_ok(&fixtures::button("topic:no-such-topic"))
        .await;
    let data = shapes::message_response(&stale);
    assert!(
        shapes::is_ephemeral(data),
        "an out-of-date button gets a private notice"
    );

    let metrics = server.get("/metrics").await.text().await.expect("text");
    assert_eq!(
        metric(
            &metrics,
            r#"cspo_pspo_bot_answers_total{topic="pspo-validity"}"#
        ),
        Some(1.0)
    );
    assert_eq!(
        metric(
            &metrics,
            r#"cspo_pspo_bot_answers_total{topic="cspo-validity"}"#
        ),
        Some(1.0)
    );
    assert_eq!(
        metric(
            &metrics,
            r#"cspo_pspo_bot_interactions_total{type="component",command="none"}"#
        ),
        Some(3.0)
    );
}

/// The seam both transports share: whatever arrives, the endpoint's reply
/// is byte for byte what `respond` builds for the same interaction, which
/// is what the gateway bot sends.
#[tokio::test]
async fn replies_are_byte_for_byte_what_the_shared_respond_builds() {
    let faq = faq();
    let server = Server::start();
    let interactions = [
        fixtures::ping(),
        fixtures::command("ask", &[("question", "does pspo expire?")]),
        fixtures::command("ask", &[("question", "what is the weather tomorrow")]),
        fixtures::command("ask", &[("question", "cspo or pspo for a beginner?")]),
        fixtures::command("ask", &[("question", "  ")]),
        fixtures::command("compare", &[]),
        fixtures::command("compare", &[("first", "pspo"), ("second", "nonsense")]),
        fixtures::command("contact", &[]),
        fixtures::command("topics", &[]),
        fixtures::command("help", &[]),
        fixtures::command("retired-command", &[]),
        fixtures::autocomplete("ask", "question", "how long is cspo val"),
        fixtures::autocomplete("ask", "question", ""),
        fixtures::button("topic:cspo-vs-pspo"),
        fixtures::button("topic:gone"),
        fixtures::select("topics", &["topic:provider"]),
    ];
    for interaction in &interactions {
        let body = bytes(interaction);
        let parsed: Interaction = serde_json::from_slice(&body).expect("fixtures are interactions");
        let expected = serde_json::to_vec(&respond(&faq, &parsed)).expect("responses serialize");
        let (status, got) = server.interact(interaction).await;
        assert_eq!(status, 200);
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&expected),
            "for {}",
            interaction["data"]
        );
    }
}

#[tokio::test]
async fn healthz_and_metrics_report_the_knowledge_and_the_traffic() {
    let faq = faq();
    let server = Server::start();
    let health = server.get("/healthz").await;
    assert_eq!(health.status(), 200);
    let health: Value = health.json().await.expect("JSON");
    assert_eq!(health["topics"], faq.knowledge.topics.len());
    assert_eq!(health["status"], "ok");

    server.interact_ok(&fixtures::ping()).await;
    server
        .interact_ok(&fixtures::command(
            "ask",
            &[("question", "does pspo expire?")],
        ))
        .await;
    server
        .interact_ok(&fixtures::autocomplete("ask", "question", "pspo"))
        .await;
    let unsigned = server.post_raw(bytes(&fixtures::ping()), &[]).await;
    assert_eq!(unsigned.status(), 401);

    let response = server.get("/metrics").await;
    assert_eq!(response.status(), 200);
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    assert_eq!(
        content_type.as_deref(),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let text = response.text().await.expect("text");
    let m = |series: &str| metric(&text, series);
    assert_eq!(
        m(r#"cspo_pspo_bot_interactions_total{type="ping",command="none"}"#),
        Some(1.0)
    );
    assert_eq!(
        m(r#"cspo_pspo_bot_interactions_total{type="command",command="ask"}"#),
        Some(1.0)
    );
    assert_eq!(
        m(r#"cspo_pspo_bot_interactions_total{type="autocomplete",command="ask"}"#),
        Some(1.0)
    );
    assert_eq!(
        m(r#"cspo_pspo_bot_answers_total{topic="pspo-validity"}"#),
        Some(1.0)
    );
    assert_eq!(m("cspo_pspo_bot_unanswered_total"), Some(0.0));
    assert_eq!(
        m(r#"cspo_pspo_bot_signature_failures_total{reason="missing"}"#),
        Some(1.0)
    );
    assert_eq!(m("cspo_pspo_bot_request_duration_seconds_count"), Some(4.0));
    assert_eq!(
        m(r#"cspo_pspo_bot_request_duration_seconds_bucket{le="+Inf"}"#),
        Some(4.0)
    );
    assert_eq!(
        m("cspo_pspo_bot_topics"),
        Some(faq.knowledge.topics.len() as f64)
    );

    assert_eq!(server.get("/nowhere").await.status(), 404);
    let get_interactions = server.get("/interactions").await;
    assert_eq!(get_interactions.status(), 405);
}

#[tokio::test]
async fn json_logs_carry_one_line_per_request_with_what_it_was() {
    let server = Server::start_with(&[("LOG_FORMAT", "json")]);
    server
        .interact_ok(&fixtures::command(
            "ask",
            &[("question", "does pspo expire?")],
        ))
        .await;
    let deadline = Instant::now() + START_TIMEOUT;
    let line = loop {
        let found = server.output().into_iter().find_map(|l| {
            let v: Value = serde_json::from_str(&l).ok()?;
            (v["span"]["command"] == "ask").then_some(v)
        });
        if let Some(line) = found {
            break line;
        }
        assert!(
            Instant::now() < deadline,
            "no log line for the request: {:?}",
            server.output()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let span = &line["span"];
    assert_eq!(line["level"], "INFO", "{line}");
    assert_eq!(span["name"], "interaction");
    assert_eq!(span["kind"], "command");
    assert_eq!(span["topic"], "pspo-validity");
    assert_eq!(span["status"], 200);
    assert!(
        span["confidence"]
            .as_f64()
            .is_some_and(|c| (0.0..=1.0).contains(&c)),
        "{line}"
    );
    assert!(span["latency_us"].as_u64().is_some(), "{line}");

    // A refused request says why.
    let unsigned = server.post_raw(bytes(&fixtures::ping()), &[]).await;
    assert_eq!(unsigned.status(), 401);
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        let refused = server.output().into_iter().any(|l| {
            serde_json::from_str::<Value>(&l)
                .is_ok_and(|v| v["span"]["status"] == 401 && v["span"]["reason"] == "missing")
        });
        if refused {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no log line for the refusal: {:?}",
            server.output()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Runs the binary to its exit (bounded); returns its status and stderr.
fn run_to_exit(envs: &[(&str, &str)]) -> (std::process::ExitStatus, String, String) {
    let mut child = command(envs).spawn().expect("the binary starts");
    let deadline = Instant::now() + START_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server started without a valid key");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut out = String::new();
    let mut err = String::new();
    if let Some(mut s) = child.stdout.take() {
        let _ = s.read_to_string(&mut out);
    }
    if let Some(mut s) = child.stderr.take() {
        let _ = s.read_to_string(&mut err);
    }
    (status, out, err)
}

#[test]
fn a_missing_or_malformed_public_key_stops_start_up_with_one_clear_line() {
    let not_a_point = "02".repeat(32);
    let cases: [&[(&str, &str)]; 5] = [
        &[],
        &[("DISCORD_PUBLIC_KEY", "")],
        &[("DISCORD_PUBLIC_KEY", "not-a-key")],
        &[(
            "DISCORD_PUBLIC_KEY",
            "MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.some-bot-token-pasted-here",
        )],
        &[("DISCORD_PUBLIC_KEY", &not_a_point)],
    ];
    for envs in cases {
        let (status, out, err) = run_to_exit(envs);
        assert!(!status.success(), "{envs:?} started");
        assert_eq!(
            status.code(),
            Some(78),
            "{envs:?}: exited by {status}, not with a configuration error"
        );
        let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "{envs:?}: {err}");
        assert!(
            lines[0].starts_with("error: DISCORD_PUBLIC_KEY"),
            "{envs:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
        assert!(
            !err.contains("some-bot-token"),
            "the value is never echoed: {err}"
        );
        assert!(!out.contains("listening"), "{out}");
    }
}

/// Reads an HTTP/1.1 response (status line, headers, body) from `stream`.
fn read_response(stream: &mut TcpStream) -> (u16, String) {
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[cfg(unix)]
#[test]
fn sigterm_stops_accepting_finishes_requests_in_flight_and_exits_zero() {
    let mut server = Server::start();
    let body = bytes(&fixtures::ping());
    let ts = now().to_string();
    let sig = server.keys.sign(&ts, &body);

    // A request in flight: headers sent, the server asked for the body
    // (100 Continue), and the body not sent yet.
    let mut stream = TcpStream::connect(server.addr).expect("connects");
    stream
        .set_read_timeout(Some(START_TIMEOUT))
        .expect("timeout");
    let head = format!(
        "POST /interactions HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nExpect: 100-continue\r\nX-Signature-Ed25519: {sig}\r\n\
         X-Signature-Timestamp: {ts}\r\n\r\n",
        server.addr,
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("writes");
    let mut continued = [0u8; 25];
    stream.read_exact(&mut continued).expect("100 Continue");
    assert!(
        continued.starts_with(b"HTTP/1.1 100 Continue"),
        "{}",
        String::from_utf8_lossy(&continued)
    );

    let sent = std::process::Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let deadline = Instant::now() + START_TIMEOUT;
    while !server.output().iter().any(|l| l.contains("shutting down")) {
        assert!(
            Instant::now() < deadline,
            "no shutdown line: {:?}",
            server.output()
        );
        std::thread::sleep(Duration::from_millis(20));
    }

    // New connections are no longer accepted.
    loop {
        match TcpStream::connect_timeout(&server.addr, Duration::from_secs(1)) {
            Err(_) => break,
            Ok(_) => {
                assert!(
                    Instant::now() < deadline,
                    "still accepting connections after SIGTERM"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }

    // The request in flight is still answered.
    stream.write_all(&body).expect("writes the body");
    let (status, reply) = read_response(&mut stream);
    assert_eq!(status, 200, "{reply}");
    assert_pong(&serde_json::from_str(&reply).expect("JSON"));

    let exit = server.wait(START_TIMEOUT);
    assert_eq!(exit.code(), Some(0), "{exit}");
    assert!(server.output().iter().any(|l| l.contains("stopped")));
}
