//! Interactions as Discord sends them to the endpoint, modelled on the
//! examples in Discord's documentation ("Receiving and Responding"): a
//! guild member invoking the application in a text channel.

use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};

pub const APPLICATION_ID: &str = "1234567890123456789";
pub const GUILD_ID: &str = "1111111111111111111";
pub const CHANNEL_ID: &str = "2222222222222222222";
const COMMAND_IDS: &[(&str, &str)] = &[
    ("ask", "1300000000000000001"),
    ("compare", "1300000000000000002"),
    ("contact", "1300000000000000003"),
    ("topics", "1300000000000000004"),
    ("help", "1300000000000000005"),
];

/// A fresh snowflake-like id, so no two interactions look alike.
fn next_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1_400_000_000_000_000_000);
    NEXT.fetch_add(1, Ordering::Relaxed).to_string()
}

/// Someone new: each interaction comes from a different person unless a
/// test says otherwise with [`by`], so the per-user rate limit only
/// applies where a test means it to.
fn user() -> Value {
    json!({
        "id": next_id(),
        "username": "ada",
        "discriminator": "0",
        "global_name": "Ada",
        "avatar": null,
        "avatar_decoration_data": null,
        "public_flags": 0
    })
}

fn member() -> Value {
    json!({
        "user": user(),
        "roles": [],
        "nick": null,
        "avatar": null,
        "joined_at": "2024-03-01T09:30:00.000000+00:00",
        "premium_since": null,
        "deaf": false,
        "mute": false,
        "flags": 0,
        "pending": false,
        "permissions": "2248473465835073",
        "communication_disabled_until": null
    })
}

/// The fields every interaction in a guild channel carries.
fn envelope(kind: u8) -> Value {
    json!({
        "id": next_id(),
        "application_id": APPLICATION_ID,
        "type": kind,
        "token": format!("aW50ZXJhY3Rpb246{}", next_id()),
        "version": 1,
        "guild_id": GUILD_ID,
        "guild": { "id": GUILD_ID, "locale": "en-US", "features": [] },
        "channel_id": CHANNEL_ID,
        "channel": {
            "id": CHANNEL_ID,
            "type": 0,
            "name": "general",
            "guild_id": GUILD_ID,
            "nsfw": false,
            "parent_id": null,
            "permissions": "2248473465835073",
            "position": 0,
            "flags": 0,
            "topic": null,
            "rate_limit_per_user": 0,
            "last_message_id": null
        },
        "member": member(),
        "app_permissions": "2248473465835073",
        "locale": "en-GB",
        "guild_locale": "en-US",
        "entitlements": [],
        "entitlement_sku_ids": [],
        "authorizing_integration_owners": { "0": GUILD_ID },
        "context": 0,
        "attachment_size_limit": 10485760
    })
}

fn merge(mut base: Value, extra: Value) -> Value {
    if let (Some(base), Value::Object(extra)) = (base.as_object_mut(), extra) {
        base.extend(extra);
    }
    base
}

fn command_data(name: &str, options: Value) -> Value {
    let id = COMMAND_IDS
        .iter()
        .find(|(n, _)| *n == name)
        .map_or("1300000000000000099", |(_, id)| id);
    json!({ "id": id, "name": name, "type": 1, "options": options })
}

/// Discord's PING, sent when the endpoint URL is saved in the portal.
pub fn ping() -> Value {
    json!({
        "id": next_id(),
        "application_id": APPLICATION_ID,
        "type": 1,
        "token": format!("aW50ZXJhY3Rpb246{}", next_id()),
        "version": 1,
        "user": user(),
        "entitlements": [],
        "authorizing_integration_owners": {},
        "app_permissions": "562949953601536",
        "attachment_size_limit": 10485760
    })
}

/// A slash command with string options.
pub fn command(name: &str, options: &[(&str, &str)]) -> Value {
    let options: Vec<Value> = options
        .iter()
        .map(|(n, v)| json!({ "name": n, "type": 3, "value": v }))
        .collect();
    merge(
        envelope(2),
        json!({ "data": command_data(name, Value::from(options)) }),
    )
}

/// Autocomplete while `option` is being typed.
pub fn autocomplete(name: &str, option: &str, typed: &str) -> Value {
    let options = json!([{ "name": option, "type": 3, "value": typed, "focused": true }]);
    merge(envelope(4), json!({ "data": command_data(name, options) }))
}

/// A message someone posted in the channel, saying `content`; returns
/// its id and the message object, as a message command resolves it.
pub fn someones_message(content: &str) -> (String, Value) {
    let id = next_id();
    let message = json!({
        "id": id,
        "channel_id": CHANNEL_ID,
        "author": user(),
        "content": content,
        "timestamp": "2025-06-01T09:58:00.000000+00:00",
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": content.contains("@everyone"),
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": false,
        "type": 0,
        "flags": 0,
        "components": []
    });
    (id, message)
}

/// The message command ("Apps" menu) `name` used on `target`.
pub fn message_command(name: &str, target: &Value) -> Value {
    let target_id = target["id"].as_str().unwrap_or_default().to_string();
    merge(
        envelope(2),
        json!({
            "data": {
                "id": "1300000000000000006",
                "name": name,
                "type": 3,
                "target_id": target_id,
                "resolved": { "messages": { target_id.clone(): target } }
            }
        }),
    )
}

/// The message a component was attached to.
fn message() -> Value {
    json!({
        "id": next_id(),
        "channel_id": CHANNEL_ID,
        "author": {
            "id": APPLICATION_ID,
            "username": "CSPO or PSPO",
            "discriminator": "0000",
            "global_name": null,
            "avatar": null,
            "bot": true,
            "public_flags": 0
        },
        "content": "",
        "timestamp": "2025-06-01T10:00:00.000000+00:00",
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": false,
        "type": 20,
        "flags": 0,
        "components": [],
        "application_id": APPLICATION_ID
    })
}

/// A click on a button with `custom_id`.
pub fn button(custom_id: &str) -> Value {
    merge(
        envelope(3),
        json!({
            "data": { "custom_id": custom_id, "component_type": 2 },
            "message": message()
        }),
    )
}

/// A choice in the string select menu `custom_id`.
pub fn select(custom_id: &str, values: &[&str]) -> Value {
    merge(
        envelope(3),
        json!({
            "data": { "custom_id": custom_id, "component_type": 3, "values": values },
            "message": message()
        }),
    )
}

/// The same interaction, sent by the user with this id.
pub fn by(mut interaction: Value, user_id: u64) -> Value {
    let id = Value::from(user_id.to_string());
    if interaction["member"]["user"].is_object() {
        interaction["member"]["user"]["id"] = id.clone();
    }
    if interaction["user"].is_object() {
        interaction["user"]["id"] = id;
    }
    interaction
}
