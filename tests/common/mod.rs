//! Helpers every black-box test can use, whatever it drives.

#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The binary on the shipped knowledge, run in `dir` (so no `.env` is
/// picked up, and its logs default to `dir/data/`), with no token and no
/// log lines.
pub fn bot_in(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cspo-pspo-bot"));
    cmd.env(
        "KNOWLEDGE_DIR",
        Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge"),
    )
    .env_remove("DISCORD_TOKEN")
    .env_remove("DISCORD_TOKEN_FILE")
    .env_remove("UNANSWERED_LOG")
    .env_remove("FEEDBACK_LOG")
    .env("RUST_LOG", "off")
    .current_dir(dir);
    cmd
}

/// A private copy of the shipped knowledge, for tests that edit it.
pub fn knowledge_copy() -> tempfile::TempDir {
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let entries = std::fs::read_dir(&shipped).expect("the knowledge folder is readable");
    for entry in entries.map_while(Result::ok) {
        let path = entry.path();
        if path.is_file() {
            std::fs::copy(&path, dir.path().join(entry.file_name())).expect("a copy");
        }
    }
    dir
}

/// Adds a third certification, "APO", to a knowledge folder: a change to
/// `/compare`'s choices, which Discord only shows once the commands are
/// registered again.
pub fn add_a_certification(dir: &Path) {
    let certifications = dir.join("certifications.toml");
    let text = std::fs::read_to_string(&certifications).expect("certifications.toml");
    let start = text
        .find("[[certification]]\nid = \"pspo\"")
        .expect("PSPO is listed");
    let apo = text[start..]
        .replace("id = \"pspo\"", "id = \"apo\"")
        .replace("name = \"PSPO\"", "name = \"APO\"");
    let vocabulary = dir.join("vocabulary.toml");
    let mut words = std::fs::read_to_string(&vocabulary).expect("vocabulary.toml");
    words.push_str(
        "\n[certifications.apo]\nhome = \"what-is-pspo\"\nnames = [\"apo\"]\nissuers = [\"apo institute\"]\n",
    );
    std::fs::write(&vocabulary, words).expect("written");
    std::fs::write(&certifications, format!("{text}\n{apo}")).expect("written");
}

/// The records of a JSON Lines log under `folder/data/`, as the bot
/// wrote them; none if it wrote nothing. A running bot writes its logs
/// from a thread of its own, a moment after answering, so this waits
/// (boundedly) until the file has stopped changing.
pub fn log_lines(folder: &Path, name: &str) -> Vec<serde_json::Value> {
    let path = folder.join("data").join(name);
    let read = || std::fs::read_to_string(&path).unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut text = read();
    loop {
        std::thread::sleep(Duration::from_millis(150));
        let again = read();
        if (again == text && !again.is_empty()) || Instant::now() >= deadline {
            text = again;
            break;
        }
        text = again;
    }
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?} is not JSON: {e}")))
        .collect()
}

/// Two string fields of each record, side by side.
pub fn fields<'a>(records: &'a [serde_json::Value], a: &str, b: &str) -> Vec<(&'a str, &'a str)> {
    records
        .iter()
        .map(|r| {
            (
                r[a].as_str().unwrap_or_default(),
                r[b].as_str().unwrap_or_default(),
            )
        })
        .collect()
}

/// The seconds in a "Try again in N seconds" note, if there is one.
pub fn wait_shown(text: &str) -> Option<u64> {
    let rest = &text[text.find("Try again in ")? + "Try again in ".len()..];
    rest.split_whitespace().next()?.parse().ok()
}

/// The values offered for `/compare`'s first option in a bulk command
/// registration (the body of `PUT .../commands`).
pub fn compare_choices(registration: &serde_json::Value) -> Vec<&str> {
    let compare = registration
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["name"] == "compare");
    compare
        .and_then(|c| c["options"][0]["choices"].as_array())
        .into_iter()
        .flatten()
        .filter_map(|c| c["value"].as_str())
        .collect()
}

/// Runs `cmd` with `input` on its stdin; returns what it printed.
pub fn run_with_stdin(mut cmd: Command, input: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn: {e}"));
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(input)
            .unwrap_or_else(|e| panic!("stdin: {e}"));
    }
    child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("wait: {e}"))
}

/// Text of exactly `chars` characters that starts with `start` and goes
/// on in words, for labels and values longer than the shipped ones.
fn padded(start: &str, chars: usize) -> String {
    let mut text = start.to_string();
    while text.chars().count() < chars {
        text.push_str(" and more words");
    }
    text.chars()
        .take(chars)
        .collect::<String>()
        .trim_end()
        .to_string()
}

/// Replaces the comparison in a knowledge folder with `count` dimensions,
/// each label `label_chars` and each value `value_chars` characters long
/// (the loader allows labels up to 128 and values up to 1024); returns the
/// labels in order.
pub fn write_comparison(
    dir: &Path,
    count: usize,
    label_chars: usize,
    value_chars: usize,
) -> Vec<String> {
    let labels: Vec<String> = (1..=count)
        .map(|i| padded(&format!("Row {i}:"), label_chars))
        .collect();
    let mut toml = String::new();
    for (i, label) in labels.iter().enumerate() {
        toml.push_str(&format!(
            "[[dimension]]\nid = \"row-{}\"\nlabel = \"{label}\"\n\n",
            i + 1
        ));
    }
    for (id, name, url) in [
        ("cspo", "CSPO", "https://www.scrumalliance.org"),
        ("pspo", "PSPO", "https://www.scrum.org"),
    ] {
        toml.push_str(&format!(
            "[[certification]]\nid = \"{id}\"\nname = \"{name}\"\nissuer_url = \"{url}\"\n\n[certification.values]\n"
        ));
        for i in 1..=count {
            let value = padded(&format!("{name} on row {i}:"), value_chars);
            toml.push_str(&format!("row-{i} = \"{value}\"\n"));
        }
        toml.push('\n');
    }
    std::fs::write(dir.join("certifications.toml"), toml).expect("written");
    labels
}

/// Adds topics to a knowledge folder until it holds `total`; returns the
/// ids of all its topics, in order.
pub fn add_topics_up_to(dir: &Path, total: usize) -> Vec<String> {
    let path = dir.join("topics.toml");
    let mut text = std::fs::read_to_string(&path).expect("topics.toml");
    let shipped = text.matches("[[topic]]").count();
    for n in shipped + 1..=total {
        text.push_str(&format!(
            "\n[[topic]]\nid = \"extra-{n}\"\ntitle = \"Extra topic {n}\"\nquestions = [\"what does extra topic number {n} say\"]\nanswer = \"Extra topic {n}.\"\n"
        ));
    }
    std::fs::write(&path, &text).expect("written");
    text.lines()
        .filter_map(|l| l.strip_prefix("id = \""))
        .filter_map(|l| l.strip_suffix('"'))
        .map(str::to_string)
        .collect()
}
