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
