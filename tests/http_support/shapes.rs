//! Checks responses against the shapes and limits Discord documents for
//! interaction responses, field by field, so a reply Discord would refuse
//! fails here first.

use serde_json::Value;
use std::collections::HashSet;

fn chars(v: &Value) -> usize {
    v.as_str().map_or(0, |s| s.chars().count())
}

fn text(v: &Value, what: &str, min: usize, max: usize) -> usize {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("{what} is not a string: {v}"));
    let n = s.chars().count();
    assert!(
        (min..=max).contains(&n),
        "{what} has {n} characters, allowed {min}..={max}: {s:?}"
    );
    n
}

fn array<'a>(v: &'a Value, what: &str, max: usize) -> &'a [Value] {
    let a = v.as_array().map_or(&[][..], Vec::as_slice);
    assert!(v.is_null() || v.is_array(), "{what} is not an array: {v}");
    assert!(
        a.len() <= max,
        "{what} has {} items, at most {max} allowed",
        a.len()
    );
    a
}

/// A CHANNEL_MESSAGE_WITH_SOURCE (type 4) response; returns its `data`.
pub fn message_response(response: &Value) -> &Value {
    assert_eq!(response["type"], 4, "not a message response: {response}");
    let data = &response["data"];
    assert!(
        data.is_object(),
        "a message response needs data: {response}"
    );
    if !data["content"].is_null() {
        text(&data["content"], "content", 0, 2000);
    }
    let flags = data["flags"].as_u64().unwrap_or(0);
    // Only EPHEMERAL, SUPPRESS_EMBEDS and SUPPRESS_NOTIFICATIONS may be set.
    assert_eq!(
        flags & !(64 | 4 | 4096),
        0,
        "flags {flags} not allowed in a response"
    );

    let embeds = array(&data["embeds"], "embeds", 10);
    for embed in embeds {
        check_embed(embed);
    }
    assert!(
        !embeds.is_empty() || chars(&data["content"]) > 0,
        "an empty message"
    );

    let mentions = &data["allowed_mentions"];
    assert_eq!(
        mentions["parse"],
        serde_json::json!([]),
        "mentions may ping: {mentions}"
    );

    let rows = array(&data["components"], "action rows", 5);
    let mut ids = HashSet::new();
    for row in rows {
        assert_eq!(
            row["type"], 1,
            "top-level components must be action rows: {row}"
        );
        let items = array(&row["components"], "row components", 5);
        assert!(!items.is_empty(), "an empty action row");
        let selects = items.iter().filter(|c| c["type"] != 2).count();
        assert!(
            selects == 0 || items.len() == 1,
            "a select menu must be alone in its row"
        );
        for item in items {
            check_component(item, &mut ids);
        }
    }
    data
}

pub fn is_ephemeral(data: &Value) -> bool {
    data["flags"].as_u64().unwrap_or(0) & 64 != 0
}

/// Checks one embed against Discord's limits; returns how many
/// characters its texts hold, which Discord caps at 6000 in all.
pub fn check_embed(embed: &Value) -> usize {
    let mut total = 0;
    if !embed["title"].is_null() {
        total += text(&embed["title"], "embed title", 1, 256);
    }
    total += text(&embed["description"], "embed description", 1, 4096);
    if !embed["url"].is_null() {
        let url = embed["url"].as_str().unwrap_or_default();
        assert!(
            url.starts_with("https://") || url.starts_with("http://"),
            "embed url {url}"
        );
    }
    if !embed["color"].is_null() {
        let color = embed["color"].as_u64().unwrap_or(u64::MAX);
        assert!(color <= 0xFF_FF_FF, "embed color {color}");
    }
    if !embed["footer"].is_null() {
        total += text(&embed["footer"]["text"], "footer", 1, 2048);
    }
    if !embed["author"].is_null() {
        total += text(&embed["author"]["name"], "author name", 1, 256);
    }
    for field in array(&embed["fields"], "embed fields", 25) {
        total += text(&field["name"], "field name", 1, 256);
        total += text(&field["value"], "field value", 1, 1024);
        assert!(
            field["inline"].is_boolean() || field["inline"].is_null(),
            "field inline: {field}"
        );
    }
    assert!(
        total <= 6000,
        "embed texts total {total} characters, at most 6000"
    );
    total
}

fn check_component(item: &Value, ids: &mut HashSet<String>) {
    let mut custom_id = |v: &Value| {
        text(v, "custom_id", 1, 100);
        let id = v.as_str().unwrap_or_default().to_string();
        assert!(
            ids.insert(id.clone()),
            "custom_id {id} is not unique in the message"
        );
    };
    match item["type"].as_u64() {
        Some(2) => {
            let style = item["style"].as_u64().unwrap_or(0);
            assert!((1..=5).contains(&style), "button style {style}");
            if !item["label"].is_null() {
                text(&item["label"], "button label", 1, 80);
            }
            if style == 5 {
                let url = item["url"].as_str().unwrap_or_default();
                assert!(
                    url.starts_with("https://") || url.starts_with("http://"),
                    "link button url {url:?}"
                );
                assert!(
                    item["custom_id"].is_null(),
                    "a link button cannot have a custom_id"
                );
            } else {
                custom_id(&item["custom_id"]);
                assert!(item["url"].is_null(), "only link buttons have a url");
            }
        }
        Some(3) => {
            custom_id(&item["custom_id"]);
            if !item["placeholder"].is_null() {
                text(&item["placeholder"], "placeholder", 0, 150);
            }
            let options = array(&item["options"], "select options", 25);
            assert!(!options.is_empty(), "a select menu needs options");
            let mut values = HashSet::new();
            for o in options {
                text(&o["label"], "option label", 1, 100);
                text(&o["value"], "option value", 1, 100);
                assert!(
                    values.insert(o["value"].clone()),
                    "duplicate option value {}",
                    o["value"]
                );
                if !o["description"].is_null() {
                    text(&o["description"], "option description", 1, 100);
                }
            }
        }
        other => panic!("unexpected component type {other:?}: {item}"),
    }
}

/// An APPLICATION_COMMAND_AUTOCOMPLETE_RESULT (type 8); returns the choices.
pub fn autocomplete_response(response: &Value) -> &[Value] {
    assert_eq!(
        response["type"], 8,
        "not an autocomplete result: {response}"
    );
    let choices = array(&response["data"]["choices"], "choices", 25);
    for c in choices {
        text(&c["name"], "choice name", 1, 100);
        text(&c["value"], "choice value", 1, 100);
    }
    choices
}
