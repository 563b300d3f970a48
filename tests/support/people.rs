//! The people in the fake Discord's tests, each with a user object as
//! Discord sends it.

use serde_json::Value;

use super::fake_discord::user_json;

pub const ALICE: u64 = 1_300_000_000_000_000_001;
pub const BOB: u64 = 1_300_000_000_000_000_002;
pub const CAROL: u64 = 1_300_000_000_000_000_003;

pub fn alice() -> Value {
    user_json(ALICE, "alice", false)
}

pub fn bob() -> Value {
    user_json(BOB, "bob", false)
}
