//! Reading what the bot sent as a Discord client would: the embed, the
//! components, the flags and who may be pinged.

use serde_json::{json, Value};

/// The EPHEMERAL message flag.
pub const EPHEMERAL: u64 = 1 << 6;

pub fn embed(data: &Value) -> &Value {
    &data["embeds"][0]
}

/// Every component of every action row.
pub fn components(data: &Value) -> Vec<Value> {
    data["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .collect()
}

pub fn custom_ids(data: &Value) -> Vec<String> {
    components(data)
        .iter()
        .filter_map(|c| c["custom_id"].as_str().map(str::to_string))
        .collect()
}

pub fn is_ephemeral(data: &Value) -> bool {
    data["flags"].as_u64().is_some_and(|f| f & EPHEMERAL != 0)
}

/// `allowed_mentions` that let nothing ping.
pub fn assert_no_pings(data: &Value) {
    let m = &data["allowed_mentions"];
    assert_eq!(
        m["parse"],
        json!([]),
        "no @everyone, @here, role or user pings: {m}"
    );
    assert_eq!(m["users"], json!([]), "{m}");
    assert_eq!(m["roles"], json!([]), "{m}");
    assert_eq!(m["replied_user"], json!(false), "{m}");
}

/// Remove, for `owner`, alone on the message's last action row, and on
/// no other row: where it cannot be taken for a topic button.
pub fn assert_remove_alone_last(data: &Value, owner: u64) {
    let rows = data["components"].as_array().cloned().unwrap_or_default();
    let last = rows
        .last()
        .and_then(|r| r["components"].as_array().cloned())
        .unwrap_or_default();
    assert_eq!(last.len(), 1, "Remove is alone on the last row: {rows:?}");
    assert_eq!(last[0]["type"], 2, "{rows:?}");
    assert_eq!(last[0]["label"], "Remove", "{rows:?}");
    assert_eq!(
        last[0]["custom_id"],
        json!(format!("delete:{owner}")),
        "{rows:?}"
    );
    let removes = components(data)
        .iter()
        .filter(|c| {
            c["custom_id"]
                .as_str()
                .is_some_and(|i| i.starts_with("delete:"))
        })
        .count();
    assert_eq!(removes, 1, "one Remove: {rows:?}");
}
