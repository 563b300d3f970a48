//! Secrets given as files (`DISCORD_TOKEN_FILE`, `DISCORD_PUBLIC_KEY_FILE`),
//! as container secrets and systemd credentials give them: the real binary,
//! a fake Discord and the HTTP endpoint, all on loopback.

mod http_support;
mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use http_support::{fixtures, now, Keys};
use support::fake_discord::{self, FakeDiscord};
use support::{Bot, TIMEOUT};

/// Writes `content` to `name` in `dir`, as a secret store would.
fn write_secret(dir: &Path, name: &str, content: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap_or_else(|e| panic!("{e}"));
    path
}

fn text(path: &Path) -> &str {
    path.to_str()
        .unwrap_or_else(|| panic!("{path:?} is not UTF-8"))
}

/// Runs the binary with exactly `env` and waits (bounded) for its exit.
async fn exit_of(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut bot = Bot::spawn_with(args, env.iter().copied());
    let status = bot.exit(TIMEOUT).await;
    (status.code(), bot.output())
}

#[tokio::test]
async fn a_token_file_that_cannot_be_used_stops_start_up_with_ex_config_naming_the_file() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let missing = dir.path().join("no-such-token");
    let empty = write_secret(dir.path(), "empty", "\n");
    let pasted = write_secret(
        dir.path(),
        "env-file",
        "DISCORD_TOKEN=MTAw.pasted-token.ZZZZ\nDISCORD_APPLICATION_ID=1\n",
    );
    for (args, path, problem) in [
        (&["run"][..], &missing, "which does not exist"),
        // No command: a token file alone means the bot, not the console.
        (&[][..], &missing, "which does not exist"),
        (&["run"][..], &empty, "which is empty"),
        (&["run"][..], &pasted, "which holds more than one line"),
    ] {
        let (code, output) = exit_of(
            args,
            &[("DISCORD_TOKEN_FILE", text(path)), ("RUST_LOG", "info")],
        )
        .await;
        assert_eq!(code, Some(78), "{args:?} {path:?}: {output}");
        let expected = format!("error: DISCORD_TOKEN_FILE is {path:?}, {problem}");
        assert!(output.contains(&expected), "{args:?}: {output}");
        assert!(!output.contains("pasted-token"), "{output}");
        assert!(!output.contains("local console"), "{output}");
    }
}

#[tokio::test]
async fn a_token_and_a_token_file_together_stop_start_up_naming_both() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = write_secret(dir.path(), "token", "MTAw.from-the-file.ZZZZ\n");
    let (code, output) = exit_of(
        &["run"],
        &[
            ("DISCORD_TOKEN", "MTAw.from-the-variable.ZZZZ"),
            ("DISCORD_TOKEN_FILE", text(&file)),
        ],
    )
    .await;
    assert_eq!(code, Some(78), "{output}");
    assert!(
        output.contains("error: DISCORD_TOKEN and DISCORD_TOKEN_FILE are both set"),
        "{output}"
    );
    assert!(!output.contains("from-the-"), "{output}");
}

#[tokio::test]
async fn the_bot_connects_with_the_token_its_file_holds_and_never_prints_it() {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // As `echo "$TOKEN" > file` leaves it: with a line break.
    let file = write_secret(dir.path(), "token", &format!("{}\n", fake_discord::TOKEN));
    // No command, only the file: the bot runs, not the console.
    let mut bot = Bot::spawn_with(
        &[],
        [
            ("DISCORD_TOKEN_FILE", text(&file)),
            ("DISCORD_HTTP_PROXY", fake.rest_url()),
            ("RUST_LOG", "debug,serenity=warn"),
        ],
    );
    // The fake closes the gateway on any other token and answers REST
    // calls without it with 401, so getting this far needs the very token.
    bot.wait_line(&["ready as"]).await;
    let identify = fake.wait_identify(TIMEOUT).await;
    let sent = identify["token"].as_str().unwrap_or_default();
    assert_eq!(sent.trim_start_matches("Bot "), fake_discord::TOKEN);
    let authorized: Vec<Option<String>> = fake
        .calls()
        .into_iter()
        .filter(|c| !c.path.ends_with("/gateway") && !c.path.contains("/callback"))
        .map(|c| c.authorization)
        .collect();
    assert!(!authorized.is_empty(), "no REST call was made");
    for a in &authorized {
        assert_eq!(a.as_deref(), Some(&*format!("Bot {}", fake_discord::TOKEN)));
    }
    bot.terminate();
    let status = bot.exit(TIMEOUT).await;
    assert!(status.success(), "exited by {status}");
    let output = bot.output();
    assert!(!output.contains("fake-bot-token"), "{output}");
}

/// The address in `serve-http`'s `listening on ADDR; ...` line.
async fn listening_addr(bot: &Bot) -> String {
    let line = bot.wait_line(&["listening on "]).await;
    let rest = &line[line.find("listening on ").unwrap_or(0) + "listening on ".len()..];
    rest.split(|c: char| c == ';' || c.is_whitespace())
        .next()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn serve_http_takes_its_public_key_from_a_file() {
    let keys = Keys::generate();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = write_secret(
        dir.path(),
        "public-key",
        &format!("{}\n", keys.public_hex()),
    );
    let mut bot = Bot::spawn_with(
        &["serve-http", "--addr", "127.0.0.1:0"],
        [("DISCORD_PUBLIC_KEY_FILE", text(&file))],
    );
    let addr = listening_addr(&bot).await;
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let health = client
        .get(format!("http://{addr}/healthz"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(health.status(), 200);

    // A PING signed with the private half of the key in the file is
    // answered; one signed with any other key is refused.
    let body = serde_json::to_vec(&fixtures::ping()).unwrap_or_else(|e| panic!("{e}"));
    let post = |signer: &Keys| {
        let ts = now().to_string();
        client
            .post(format!("http://{addr}/interactions"))
            .header("content-type", "application/json")
            .header("x-signature-ed25519", signer.sign(&ts, &body))
            .header("x-signature-timestamp", ts)
            .body(body.clone())
            .send()
    };
    let pong = post(&keys).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pong.status(), 200);
    let pong: serde_json::Value = pong.json().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pong["type"], 1, "{pong}");
    let refused = post(&Keys::generate())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(refused.status(), 401);

    bot.terminate();
    assert!(bot.exit(TIMEOUT).await.success(), "{}", bot.output());
}

#[tokio::test]
async fn serve_http_refuses_a_key_file_that_does_not_hold_a_key() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let wrong = write_secret(dir.path(), "public-key", "MTAw.a-token-saved-here.ZZZZ\n");
    let missing = dir.path().join("absent");
    for (envs, expected) in [
        (
            vec![("DISCORD_PUBLIC_KEY_FILE", text(&wrong))],
            format!("error: DISCORD_PUBLIC_KEY_FILE is {wrong:?}, which does not hold a valid public key: expected 64 hex digits"),
        ),
        (
            vec![("DISCORD_PUBLIC_KEY_FILE", text(&missing))],
            format!("error: DISCORD_PUBLIC_KEY_FILE is {missing:?}, which does not exist"),
        ),
        (
            vec![
                ("DISCORD_PUBLIC_KEY_FILE", text(&wrong)),
                ("DISCORD_PUBLIC_KEY", &"ab".repeat(32)),
            ],
            "error: DISCORD_PUBLIC_KEY and DISCORD_PUBLIC_KEY_FILE are both set".to_string(),
        ),
    ] {
        let (code, output) = exit_of(&["serve-http", "--addr", "127.0.0.1:0"], &envs).await;
        assert_eq!(code, Some(78), "{envs:?}: {output}");
        let lines: Vec<&str> = output.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "{envs:?}: {output}");
        assert!(lines[0].starts_with(&expected), "{envs:?}: {output}");
        assert!(!output.contains("a-token-saved-here"), "{output}");
    }
}

#[tokio::test]
async fn a_bad_token_file_also_stops_serve_http_which_would_register_with_it() {
    let keys = Keys::generate();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let missing = dir.path().join("token");
    let public = keys.public_hex();
    let (code, output) = exit_of(
        &["serve-http", "--addr", "127.0.0.1:0"],
        &[
            ("DISCORD_PUBLIC_KEY", &public),
            ("DISCORD_TOKEN_FILE", text(&missing)),
            ("DISCORD_APPLICATION_ID", "1234567890123456789"),
        ],
    )
    .await;
    assert_eq!(code, Some(78), "{output}");
    assert!(
        output.contains(&format!(
            "DISCORD_TOKEN_FILE is {missing:?}, which does not exist"
        )),
        "{output}"
    );
}
