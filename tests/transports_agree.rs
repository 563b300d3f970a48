//! The same interaction, delivered once through the gateway (the real bot
//! against the fake Discord) and once to the HTTP endpoint (the real
//! `serve-http`, signed), gets byte-for-byte the same reply.

mod http_support;
mod support;

use serde_json::{json, Value};
use support::{Session, TIMEOUT};

const ALICE: u64 = 300_000_000_000_000_001;

/// The reply the gateway bot sends for `d` (an INTERACTION_CREATE
/// payload), as the JSON body of its callback.
async fn through_gateway(s: &Session, id: u64, token: &str, d: Value) -> Value {
    s.fake.dispatch("INTERACTION_CREATE", d);
    s.fake.wait_callback(id, token, TIMEOUT).await
}

#[tokio::test]
async fn gateway_and_http_endpoint_reply_identically() {
    let s = Session::start(&[]).await;
    let server = http_support::Server::start();

    let (asked, target) = s.fake.message_object(
        &support::fake_discord::user_json(ALICE + 20, "bob", false),
        support::fake_discord::CHANNEL_ID,
        "does the pspo ever expire?",
    );
    let mut topic_for = s.fake.command(
        "topic",
        json!([
            {"name": "name", "type": 3, "value": "pspo-validity"},
            {"name": "for", "type": 6, "value": (ALICE + 20).to_string()},
        ]),
        ALICE + 10,
    );
    topic_for.2["data"]["resolved"] = json!({"users": {(ALICE + 20).to_string(): support::fake_discord::user_json(ALICE + 20, "bob", false)}});
    // Post from where the bot is installed to the clicker's account only:
    // the gateway too answers it with the interaction's response.
    let mut post = s
        .fake
        .button(&format!("post:{asked}:pspo-validity"), ALICE + 11, 1);
    post.2["authorizing_integration_owners"] = json!({"1": (ALICE + 11).to_string()});

    // Each from someone else, so no case meets the per-user rate limit.
    let cases = [
        s.fake
            .message_command("Answer with CSPO/PSPO bot", &target, ALICE + 9),
        topic_for,
        post,
        s.fake.command(
            "ask",
            json!([{"name": "question", "type": 3, "value": "does pspo expire?"}]),
            ALICE,
        ),
        s.fake.command(
            "ask",
            json!([{"name": "question", "type": 3, "value": "what is the weather tomorrow"}]),
            ALICE + 1,
        ),
        s.fake.command("compare", json!([]), ALICE + 2),
        s.fake.command(
            "compare",
            json!([{"name": "first", "type": 3, "value": "pspo"}, {"name": "second", "type": 3, "value": "pspo"}]),
            ALICE + 3,
        ),
        s.fake.command("contact", json!([]), ALICE + 4),
        s.fake.command("topics", json!([]), ALICE + 5),
        s.fake.command("help", json!([]), ALICE + 6),
        s.fake.button("topic:cspo-validity", ALICE + 7, 1),
        s.fake.button("feedback:cspo-validity:up", ALICE + 8, 1),
    ];
    for (id, token, d) in cases {
        let via_gateway = through_gateway(&s, id, &token, d.clone()).await;
        let via_http = server.interact_ok(&d).await;
        assert_eq!(via_gateway, via_http, "interaction {d}");
        assert_eq!(via_http["type"], json!(4));
    }
}
