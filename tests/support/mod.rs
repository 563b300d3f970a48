//! Test support: a fake Discord, and the real bot binary run against it.

#![allow(dead_code)]

pub mod fake_discord;
pub mod people;
pub mod reading;

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use fake_discord::FakeDiscord;

/// Long enough for a loaded two-core machine; a healthy run takes a
/// fraction of it.
pub const TIMEOUT: Duration = Duration::from_secs(20);

pub fn knowledge_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("knowledge")
}

pub fn faq() -> cspo_pspo_bot::Faq {
    match cspo_pspo_bot::Faq::load(&knowledge_dir()) {
        Ok(faq) => faq,
        Err(problems) => panic!("the repo's knowledge does not load: {problems}"),
    }
}

/// The bot binary, running with only the environment a test gives it, in
/// an empty folder so no `.env` is picked up.
pub struct Bot {
    child: Child,
    output: Arc<Mutex<String>>,
    dir: tempfile::TempDir,
}

impl Bot {
    /// Runs `cspo-pspo-bot ARGS` pointed at `fake`, with the fake's token
    /// and the repo's knowledge, plus `env`.
    pub fn spawn(fake: &FakeDiscord, args: &[&str], env: &[(&str, &str)]) -> Bot {
        let base = [
            ("DISCORD_TOKEN", fake_discord::TOKEN),
            ("DISCORD_HTTP_PROXY", fake.rest_url()),
            ("RUST_LOG", "info,cspo_pspo_bot=debug,serenity=warn"),
        ];
        Bot::spawn_with(args, base.iter().chain(env.iter()).copied())
    }

    /// Runs the binary with exactly this environment (and the knowledge).
    pub fn spawn_with<'a>(args: &[&str], env: impl IntoIterator<Item = (&'a str, &'a str)>) -> Bot {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let mut command = Command::new(env!("CARGO_BIN_EXE_cspo-pspo-bot"));
        command
            .args(args)
            .current_dir(dir.path())
            .env_clear()
            .env("KNOWLEDGE_DIR", knowledge_dir())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("the bot binary starts");
        let output = Arc::new(Mutex::new(String::new()));
        if let Some(stdout) = child.stdout.take() {
            collect(stdout, Arc::clone(&output));
        }
        if let Some(stderr) = child.stderr.take() {
            collect(stderr, Arc::clone(&output));
        }
        Bot { child, output, dir }
    }

    /// The folder the bot runs in; its logs are under `data/`.
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// Everything the bot printed so far, stdout and stderr.
    pub fn output(&self) -> String {
        self.output
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Waits for a printed line that contains every one of `needles`.
    pub async fn wait_line(&self, needles: &[&str]) -> String {
        let deadline = tokio::time::Instant::now() + TIMEOUT;
        loop {
            let out = self.output();
            if let Some(line) = out.lines().find(|l| needles.iter().all(|n| l.contains(n))) {
                return line.to_string();
            }
            if tokio::time::Instant::now() >= deadline {
                panic!("timed out waiting for a line with {needles:?}; the bot printed:\n{out}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Sends SIGTERM, as a service manager would.
    #[cfg(unix)]
    pub fn terminate(&self) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("a pid");
        // SAFETY: kill(2) with a pid this test started and still owns.
        let rc = unsafe { libc::kill(pid, libc::SIGTERM) };
        assert_eq!(rc, 0, "SIGTERM delivered");
    }

    /// Waits for the bot to exit, failing the test after `timeout`.
    pub async fn exit(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    // Let the readers drain what was printed last.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    return status;
                }
                Ok(None) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Ok(None) => panic!(
                    "the bot did not exit within {timeout:?}; it printed:\n{}",
                    self.output()
                ),
                Err(e) => panic!("waiting for the bot: {e}"),
            }
        }
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn collect(stream: impl Read + Send + 'static, into: Arc<Mutex<String>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            let mut out = into
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            out.push_str(&line);
            out.push('\n');
        }
    });
}

/// A running bot, connected to its own fake Discord and past READY.
pub struct Session {
    pub fake: FakeDiscord,
    pub bot: Bot,
    pub faq: cspo_pspo_bot::Faq,
}

impl Session {
    pub async fn start(env: &[(&str, &str)]) -> Session {
        Session::start_with(&["run"], env).await
    }

    /// Starts the bot with these arguments.
    pub async fn start_with(args: &[&str], env: &[(&str, &str)]) -> Session {
        let fake = FakeDiscord::start().await;
        let bot = Bot::spawn(&fake, args, env);
        bot.wait_line(&["ready as"]).await;
        Session {
            fake,
            bot,
            faq: faq(),
        }
    }
}
