//! Knowledge edited while `serve-http` is busy: every request gets a whole
//! answer from one version of the knowledge, a broken edit leaves the old
//! knowledge serving (and says what is wrong, with file and line), a good
//! edit is picked up without a restart, and so is SIGHUP. Commands a
//! reload changes are registered again when the endpoint has the token.

mod common;
mod http_support;
mod support;

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use common::{add_a_certification, compare_choices, knowledge_copy};
use http_support::{fixtures, shapes, Server};

/// How long a reload may take on a loaded machine; a healthy one takes
/// the 300 ms debounce and a few milliseconds more.
const RELOAD_TIMEOUT: Duration = Duration::from_secs(20);

const TITLE: &str = "title = \"Does PSPO expire?\"";
const VERDICT: &str = "**No, PSPO does not expire.**";
const RELATED: &str = r#"related = ["cspo-validity", "pspo-registry", "cspo-vs-pspo"]"#;

/// `topics.toml` with the PSPO validity topic marked as edit `n`, in both
/// its title and its answer.
fn edition(original: &str, n: usize) -> String {
    original
        .replace(TITLE, &format!("title = \"Does PSPO expire? (v{n})\""))
        .replace(VERDICT, &format!("**No, PSPO does not expire (v{n}).**"))
}

/// The version marker in `text`, if any: `v3` in "... (v3)".
fn marker(text: &str) -> Option<&str> {
    let start = text.find("(v")? + 1;
    let end = start + text[start..].find(')')?;
    Some(&text[start..end])
}

fn start(dir: &Path) -> Server {
    let dir = dir.to_string_lossy().into_owned();
    Server::start_with(&[("KNOWLEDGE_DIR", dir.as_str()), ("RATE_LIMIT_BURST", "0")])
}

fn ask() -> Value {
    fixtures::command("ask", &[("question", "does pspo expire?")])
}

/// Title and description of the answer to "does pspo expire?", checked
/// to be a whole answer from a single version of the knowledge.
fn whole_answer(response: &Value) -> (String, String) {
    let data = shapes::message_response(response);
    let embed = &data["embeds"][0];
    let title = embed["title"].as_str().unwrap_or_default().to_string();
    let description = embed["description"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(title.starts_with("Does PSPO expire?"), "{data}");
    assert!(description.contains("PSPO does not expire"), "{data}");
    assert_eq!(
        marker(&title),
        marker(&description),
        "title and answer come from one version: {data}"
    );
    assert!(
        embed["footer"]["text"]
            .as_str()
            .is_some_and(|f| !f.is_empty()),
        "{data}"
    );
    let links: Vec<&str> = data["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().into_iter().flatten())
        .filter_map(|c| c["url"].as_str())
        .collect();
    assert!(
        links.iter().any(|u| u.contains("panlearn.com")),
        "the article link is there: {data}"
    );
    (title, description)
}

/// Asks until the answer's title carries `marker` (or none for `None`).
async fn wait_for_version(server: &Server, want: Option<&str>) {
    let deadline = Instant::now() + RELOAD_TIMEOUT;
    loop {
        let (title, _) = whole_answer(&server.interact_ok(&ask()).await);
        if marker(&title) == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "still answering {title:?}, not version {want:?}; output: {:#?}",
            server.output()
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn count_lines(server: &Server, needle: &str) -> usize {
    server
        .output()
        .iter()
        .filter(|l| l.contains(needle))
        .count()
}

/// Waits until the server has printed `needle` more than `seen` times.
async fn wait_for_line(server: &Server, needle: &str, seen: usize) {
    let deadline = Instant::now() + RELOAD_TIMEOUT;
    while count_lines(server, needle) <= seen {
        assert!(
            Instant::now() < deadline,
            "no new {needle:?} line; output: {:#?}",
            server.output()
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn requests_during_many_reloads_all_get_whole_answers_and_broken_edits_keep_the_old() {
    let knowledge = knowledge_copy();
    let topics = knowledge.path().join("topics.toml");
    let original = std::fs::read_to_string(&topics).expect("topics.toml");
    assert!(original.contains(TITLE) && original.contains(VERDICT) && original.contains(RELATED));
    let server = Arc::new(start(knowledge.path()));

    // Clients asking the whole time, checking every answer.
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..4)
        .map(|_| {
            let (server, stop, answered) = (server.clone(), stop.clone(), answered.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    whole_answer(&server.interact_ok(&ask()).await);
                    answered.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();

    for n in 1..=5 {
        let good = edition(&original, n);
        std::fs::write(&topics, &good).expect("a good edit is written");
        let version = format!("v{n}");
        wait_for_version(&server, Some(&version)).await;

        // An empty title and a link to a topic that does not exist (named
        // for this round, so its refusal is told apart from the last one's)
        // are refused: the previous edit keeps serving.
        let missing = format!("no-such-topic-{n}");
        let broken = good
            .replace(&format!("Does PSPO expire? (v{n})\""), "\"")
            .replace(RELATED, &format!("related = [\"{missing}\"]"));
        assert_ne!(broken, good);
        std::fs::write(&topics, broken).expect("a broken edit is written");
        wait_for_line(&server, &missing, 0).await;
        wait_for_line(&server, "knowledge not reloaded", n - 1).await;
        let (title, _) = whole_answer(&server.interact_ok(&ask()).await);
        assert_eq!(marker(&title), Some(version.as_str()));
    }

    stop.store(true, Ordering::Relaxed);
    for client in clients {
        client.await.expect("every answer was whole");
    }
    assert!(answered.load(Ordering::Relaxed) > 0);

    // The refusal says where the problem is.
    let output = server.output();
    assert!(
        output
            .iter()
            .any(|l| l.contains("topics.toml:") && l.contains("the title is empty")),
        "{output:#?}"
    );
    let health: Value = server.get("/healthz").await.json().await.expect("JSON");
    assert_eq!(health["status"], "ok");
}

#[tokio::test]
async fn a_new_topic_is_served_and_counted_after_a_reload() {
    let knowledge = knowledge_copy();
    let server = start(knowledge.path());
    let before: Value = server.get("/healthz").await.json().await.expect("JSON");
    let topics = knowledge.path().join("topics.toml");
    let mut text = std::fs::read_to_string(&topics).expect("topics.toml");
    text.push_str(
        r#"
[[topic]]
id = "study-group"
title = "Is there a study group?"
about = "both"
questions = ["Is there a study group for product owners?"]
keywords = ["study group"]
answer = "Not that the article mentions."
"#,
    );
    std::fs::write(&topics, text).expect("written");
    let deadline = Instant::now() + RELOAD_TIMEOUT;
    loop {
        let health: Value = server.get("/healthz").await.json().await.expect("JSON");
        if health["topics"].as_u64() == before["topics"].as_u64().map(|n| n + 1) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not reloaded: {health}; output: {:#?}",
            server.output()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let opened = server
        .interact_ok(&fixtures::button("topic:study-group"))
        .await;
    assert_eq!(
        shapes::message_response(&opened)["embeds"][0]["title"],
        "Is there a study group?"
    );
    let metrics = server
        .get("/metrics")
        .await
        .text()
        .await
        .unwrap_or_default();
    assert!(
        metrics.contains(r#"cspo_pspo_bot_answers_total{topic="study-group"} 1"#),
        "{metrics}"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn sighup_reloads_and_a_changed_command_says_to_register_again() {
    let knowledge = knowledge_copy();
    let server = start(knowledge.path());
    let reloaded = count_lines(&server, "knowledge reloaded");
    server.signal("HUP");
    wait_for_line(&server, "knowledge reloaded", reloaded).await;
    assert!(
        server
            .output()
            .iter()
            .any(|l| l.contains("knowledge reloaded") && l.contains("SIGHUP")),
        "{:#?}",
        server.output()
    );

    // This endpoint cannot register commands itself, so it says what to run.
    let warned = count_lines(&server, "cspo-pspo-bot register");
    add_a_certification(knowledge.path());
    wait_for_line(&server, "cspo-pspo-bot register", warned).await;
    let compared = server
        .interact_ok(&fixtures::command(
            "compare",
            &[("first", "apo"), ("second", "cspo")],
        ))
        .await;
    assert_eq!(
        shapes::message_response(&compared)["embeds"][0]["title"],
        "APO vs CSPO"
    );
}

#[tokio::test]
async fn with_the_token_a_reload_that_changes_the_commands_registers_them() {
    use support::fake_discord::{FakeDiscord, APP_ID, TOKEN};
    let fake = FakeDiscord::start().await;
    let knowledge = knowledge_copy();
    let dir = knowledge.path().to_string_lossy().into_owned();
    let app_id = APP_ID.to_string();
    let server = Server::start_with(&[
        ("KNOWLEDGE_DIR", dir.as_str()),
        ("DISCORD_TOKEN", TOKEN),
        ("DISCORD_APPLICATION_ID", app_id.as_str()),
        ("DISCORD_HTTP_PROXY", fake.rest_url()),
    ]);
    add_a_certification(knowledge.path());
    let put = fake
        .wait_call(
            "PUT",
            &format!("/api/v10/applications/{APP_ID}/commands"),
            RELOAD_TIMEOUT,
        )
        .await;
    assert_eq!(compare_choices(&put.body), ["cspo", "pspo", "apo"]);
    wait_for_line(&server, "registered them again", 0).await;
    assert_eq!(count_lines(&server, "cspo-pspo-bot register"), 0);
    assert!(
        !server.output().iter().any(|l| l.contains(TOKEN)),
        "the token never reaches the logs"
    );
}

/// A folder holding a copy of the knowledge with edition `n`.
fn edition_folder(parent: &Path, name: &str, n: usize) -> std::path::PathBuf {
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
    let folder = parent.join(name);
    std::fs::create_dir_all(&folder).unwrap_or_else(|e| panic!("{e}"));
    for entry in std::fs::read_dir(&shipped)
        .into_iter()
        .flatten()
        .map_while(Result::ok)
    {
        let _ = std::fs::copy(entry.path(), folder.join(entry.file_name()));
    }
    let topics = folder.join("topics.toml");
    let text = std::fs::read_to_string(&topics).unwrap_or_default();
    std::fs::write(&topics, edition(&text, n)).unwrap_or_else(|e| panic!("{e}"));
    folder
}

#[cfg(unix)]
#[tokio::test]
async fn a_replaced_folder_a_moved_symlink_and_a_configmap_swap_are_all_picked_up() {
    use std::os::unix::fs::symlink;
    let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let r = root.path();

    // Kubernetes mounts a ConfigMap as `..data -> ..2024_v1/` with each
    // file a link through `..data`, and swaps `..data` atomically.
    let mount = r.join("mount");
    std::fs::create_dir_all(&mount).unwrap_or_else(|e| panic!("{e}"));
    edition_folder(&mount, "..v1", 1);
    symlink("..v1", mount.join("..data")).unwrap_or_else(|e| panic!("{e}"));
    for entry in std::fs::read_dir(mount.join("..v1"))
        .into_iter()
        .flatten()
        .map_while(Result::ok)
    {
        let name = entry.file_name();
        symlink(Path::new("..data").join(&name), mount.join(&name))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let server = start(&mount);
    wait_for_version(&server, Some("v1")).await;
    edition_folder(&mount, "..v2", 2);
    symlink("..v2", mount.join("..data_tmp")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::rename(mount.join("..data_tmp"), mount.join("..data"))
        .unwrap_or_else(|e| panic!("{e}"));
    wait_for_version(&server, Some("v2")).await;

    // KNOWLEDGE_DIR itself a symlink, moved to another folder.
    let link = r.join("current");
    edition_folder(r, "a", 3);
    symlink(r.join("a"), &link).unwrap_or_else(|e| panic!("{e}"));
    let second = start(&link);
    wait_for_version(&second, Some("v3")).await;
    edition_folder(r, "b", 4);
    symlink(r.join("b"), r.join("next")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::rename(r.join("next"), &link).unwrap_or_else(|e| panic!("{e}"));
    wait_for_version(&second, Some("v4")).await;

    // The folder deleted and made again.
    let plain = edition_folder(r, "plain", 5);
    let third = start(&plain);
    wait_for_version(&third, Some("v5")).await;
    std::fs::remove_dir_all(&plain).unwrap_or_else(|e| panic!("{e}"));
    tokio::time::sleep(Duration::from_millis(500)).await;
    edition_folder(r, "plain", 6);
    wait_for_version(&third, Some("v6")).await;
}
