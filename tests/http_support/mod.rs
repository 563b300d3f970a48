//! Runs the real binary's `serve-http` on a loopback port and talks to it
//! as Discord would: requests signed with an Ed25519 key made for the test.

#![allow(dead_code)]

pub mod fixtures;
pub mod shapes;

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ed25519_dalek::{Signer, SigningKey};

pub const KNOWLEDGE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/knowledge");
pub const BIN: &str = env!("CARGO_BIN_EXE_cspo-pspo-bot");
/// Generous: the machine may be busy compiling.
pub const START_TIMEOUT: Duration = Duration::from_secs(30);
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

pub fn faq() -> cspo_pspo_bot::Faq {
    cspo_pspo_bot::Faq::load(std::path::Path::new(KNOWLEDGE))
        .unwrap_or_else(|problems| panic!("the knowledge does not load: {problems}"))
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A key pair, as Discord holds for an application.
pub struct Keys(SigningKey);

impl Keys {
    pub fn generate() -> Keys {
        Keys(SigningKey::generate(&mut rand::rngs::OsRng))
    }

    pub fn verifying_key(&self) -> ed25519_dalek::VerifyingKey {
        self.0.verifying_key()
    }

    pub fn public_hex(&self) -> String {
        hex::encode(self.0.verifying_key().as_bytes())
    }

    /// `X-Signature-Ed25519` for this timestamp and body.
    pub fn sign(&self, timestamp: &str, body: &[u8]) -> String {
        let mut message = timestamp.as_bytes().to_vec();
        message.extend_from_slice(body);
        hex::encode(self.0.sign(&message).to_bytes())
    }
}

/// Starts the binary with these extra variables; the caller decides what
/// to expect.
pub fn command(envs: &[(&str, &str)]) -> Command {
    command_in(&std::env::temp_dir(), envs)
}

/// As [`command`], running in `dir`, where its logs go by default.
pub fn command_in(dir: &std::path::Path, envs: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.arg("serve-http")
        .arg("--addr")
        .arg("127.0.0.1:0")
        // Away from any .env in the repository.
        .current_dir(dir)
        .env("KNOWLEDGE_DIR", KNOWLEDGE)
        .env("RUST_LOG", "info")
        .env_remove("DISCORD_PUBLIC_KEY")
        .env_remove("DISCORD_PUBLIC_KEY_FILE")
        .env_remove("DISCORD_TOKEN_FILE")
        .env_remove("HTTP_ADDR")
        .env_remove("LOG_FORMAT")
        .env_remove("NO_COLOR")
        .env_remove("UNANSWERED_LOG")
        .env_remove("FEEDBACK_LOG")
        .env_remove("LOG_MAX_BYTES")
        .env_remove("RATE_LIMIT_BURST")
        .env_remove("RATE_LIMIT_REFILL_SECONDS")
        .env_remove("DISCORD_TOKEN")
        .env_remove("DISCORD_APPLICATION_ID")
        .env_remove("DISCORD_GUILD_ID")
        .env_remove("DISCORD_HTTP_PROXY")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd
}

/// The running server; killed when dropped.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    pub keys: Keys,
    lines: Arc<Mutex<Vec<String>>>,
    client: reqwest::Client,
    dir: tempfile::TempDir,
}

impl Server {
    pub fn start() -> Server {
        Server::start_with(&[])
    }

    pub fn start_with(envs: &[(&str, &str)]) -> Server {
        let keys = Keys::generate();
        let public = keys.public_hex();
        let mut all = vec![("DISCORD_PUBLIC_KEY", public.as_str())];
        all.extend_from_slice(envs);
        let dir = tempfile::tempdir().expect("a temporary folder");
        let mut child = command_in(dir.path(), &all)
            .spawn()
            .expect("the binary starts");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        // Keep reading the output for the server's whole life, so a full
        // pipe never blocks it.
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let lines = Arc::clone(&lines);
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = tx.send(line.clone());
                    if let Ok(mut all) = lines.lock() {
                        all.push(line);
                    }
                }
            });
        }
        let deadline = Instant::now() + START_TIMEOUT;
        let addr = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(addr) = listening_addr(&line) {
                        break addr;
                    }
                }
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("the server did not report its address within {START_TIMEOUT:?}; output: {:?}", lines.lock().map(|l| l.clone()));
                }
            }
        };
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .expect("an HTTP client");
        Server {
            child,
            addr,
            keys,
            lines,
            client,
            dir,
        }
    }

    /// The folder the server runs in; its logs are under `data/`.
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the server printed so far.
    pub fn output(&self) -> Vec<String> {
        self.lines.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// POSTs `body` with the given headers (name, value).
    pub async fn post_raw(&self, body: Vec<u8>, headers: &[(&str, String)]) -> reqwest::Response {
        self.try_post_raw(body, headers)
            .await
            .expect("the server answers")
    }

    async fn try_post_raw(
        &self,
        body: Vec<u8>,
        headers: &[(&str, String)],
    ) -> reqwest::Result<reqwest::Response> {
        let mut request = self
            .client
            .post(self.url("/interactions"))
            .header("content-type", "application/json")
            .header(
                "user-agent",
                "Discord-Interactions/1.0 (+https://discord.com)",
            );
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        request.body(body).send().await
    }

    /// POSTs `body` signed now with the server's key.
    pub async fn post_signed(&self, body: &[u8]) -> reqwest::Response {
        self.try_post_signed(body)
            .await
            .expect("the server answers")
    }

    async fn try_post_signed(&self, body: &[u8]) -> reqwest::Result<reqwest::Response> {
        let ts = now().to_string();
        let signature = self.keys.sign(&ts, body);
        self.try_post_raw(
            body.to_vec(),
            &[
                ("x-signature-ed25519", signature),
                ("x-signature-timestamp", ts),
            ],
        )
        .await
    }

    /// Sends a signed interaction; returns the status and the raw body.
    pub async fn interact(&self, interaction: &serde_json::Value) -> (u16, Vec<u8>) {
        let body = serde_json::to_vec(interaction).expect("fixtures serialize");
        let response = self.post_signed(&body).await;
        let status = response.status().as_u16();
        (status, response.bytes().await.expect("a body").to_vec())
    }

    /// Like [`Server::interact`], but a connection the server closes
    /// before answering (as it does over its connection cap) is `None`
    /// instead of a panic.
    pub async fn try_interact(&self, interaction: &serde_json::Value) -> Option<(u16, Vec<u8>)> {
        let body = serde_json::to_vec(interaction).expect("fixtures serialize");
        let response = self.try_post_signed(&body).await.ok()?;
        let status = response.status().as_u16();
        Some((status, response.bytes().await.ok()?.to_vec()))
    }

    /// Sends a signed interaction that must succeed; returns its JSON.
    pub async fn interact_ok(&self, interaction: &serde_json::Value) -> serde_json::Value {
        let (status, body) = self.interact(interaction).await;
        assert_eq!(status, 200, "body: {}", String::from_utf8_lossy(&body));
        serde_json::from_slice(&body).expect("the response is JSON")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("the server answers")
    }

    /// Sends a signal by name (`HUP`, `TERM`, ...).
    pub fn signal(&self, name: &str) {
        let sent = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("kill runs");
        assert!(sent.success(), "kill -{name} failed");
    }

    /// Sends SIGTERM and waits (bounded) for the exit.
    pub fn terminate(&mut self) -> ExitStatus {
        let sent = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status()
            .expect("kill runs");
        assert!(sent.success(), "kill -TERM failed");
        self.wait(START_TIMEOUT)
    }

    /// Waits at most `timeout` for the process to exit.
    pub fn wait(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not exit within {timeout:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The address in the server's `listening on ADDR` line.
fn listening_addr(line: &str) -> Option<SocketAddr> {
    let rest = &line[line.find("listening on ")? + "listening on ".len()..];
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '[' | ']')))
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}
