//! How much memory the conversation memory takes when full: fills it with
//! 100,000 conversations (the default `CONTEXT_MAX`) and prints the growth
//! of the process's resident memory. Linux only (it reads /proc).
//!
//!     cargo run --release --example conversation_memory

use std::time::{Duration, Instant};

use cspo_pspo_bot::conversation::{Conversations, Key};

fn resident_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn main() {
    const CONVERSATIONS: u64 = 100_000;
    let before = resident_kb().unwrap_or(0);
    let memory = Conversations::new(CONVERSATIONS as usize, Duration::from_secs(600));
    let now = Instant::now();
    // Real topic ids, so each entry holds what a real one does.
    let topics = [
        "pspo-validity",
        "cspo-requirements",
        "cspo-vs-pspo",
        "pspo-career-path",
    ];
    for i in 0..CONVERSATIONS {
        let key = Key {
            place: 1_100_000_000_000_000_000 + i % 5_000,
            person: 1_300_000_000_000_000_000 + i,
        };
        memory.remember(key, topics[(i % 4) as usize], now);
    }
    let after = resident_kb().unwrap_or(0);
    let grown = after.saturating_sub(before);
    println!(
        "{} conversations remembered: resident memory grew by {:.1} MB ({} bytes each)",
        memory.len(),
        grown as f64 / 1024.0,
        grown * 1024 / CONVERSATIONS
    );
}
