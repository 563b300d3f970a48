//! A fake Discord on loopback: the REST API (what the bot calls) and the
//! gateway (what the bot listens to), enough of both for serenity to run
//! against it as if it were the real thing.
//!
//! REST is served by axum on one port; serenity reaches it through its
//! proxy setting, so every call arrives with its `/api/v10/...` path. The
//! gateway is a plain `ws://` server on another port, speaking JSON text
//! frames: HELLO, IDENTIFY, READY, RESUME and RESUMED, heartbeats (asked
//! for and acknowledged) and the dispatches a test pushes. Every request
//! and every frame the bot sends is recorded, so a test asserts what a user
//! would see.
//!
//! serenity drops a dispatch it cannot parse without a word, so each one
//! is parsed here first with serenity's own types: a payload that is not
//! complete fails the test loudly instead.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message as Frame;

/// The token the fake accepts.
pub const TOKEN: &str = "MTAw.fake-bot-token.ZZZZ";
pub const BOT_ID: u64 = 1_100_000_000_000_000_001;
pub const BOT_NAME: &str = "CertBot";
pub const APP_ID: u64 = 1_100_000_000_000_000_002;
pub const GUILD_ID: u64 = 1_100_000_000_000_000_003;
pub const CHANNEL_ID: u64 = 1_100_000_000_000_000_004;

/// The session every READY starts, and the one a RESUME must name.
const SESSION_ID: &str = "fake-session";

/// Gateway intents, as Discord numbers them.
pub const GUILDS: u64 = 1;
pub const GUILD_MESSAGES: u64 = 1 << 9;
pub const DIRECT_MESSAGES: u64 = 1 << 12;
pub const MESSAGE_CONTENT: u64 = 1 << 15;

/// One REST call the bot made.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub body: Value,
    /// The id of the message the call created, if it created one.
    pub created: Option<u64>,
}

/// A failure to answer instead: method, a part of the path, status, how
/// many times more, and a 429's `retry_after` in seconds.
type Fault = (String, String, u16, usize, f64);

#[derive(Default)]
struct Shared {
    rest: String,
    gateway: String,
    shards: u32,
    /// Privileged intents the "developer portal" has not enabled: asking
    /// for them closes the gateway with 4014.
    disabled_intents: u64,
    calls: Mutex<Vec<Call>>,
    /// Frames the bot sent on the gateway, parsed.
    frames: Mutex<Vec<Value>>,
    /// Close codes the bot sent.
    closes: Mutex<Vec<u16>>,
    /// The connection that identified last.
    live: Mutex<Option<mpsc::UnboundedSender<Frame>>>,
    seq: AtomicU64,
    ids: AtomicU64,
    /// Failures to answer instead of the real thing: (method, a part of
    /// the path, status, how many times more).
    faults: Mutex<Vec<Fault>>,
    /// Channels `GET /channels/{id}` knows, by id.
    channels: Mutex<Vec<Value>>,
    /// The intents of the last IDENTIFY.
    intents: AtomicU64,
    /// While set, gateway connections are dropped as soon as they open,
    /// as when Discord's gateway is out of reach.
    gateway_down: std::sync::atomic::AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Shared {
    fn id(&self) -> u64 {
        1_200_000_000_000_000_000 + self.ids.fetch_add(1, Ordering::SeqCst)
    }
}

pub struct FakeDiscord {
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for FakeDiscord {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl FakeDiscord {
    /// Starts both servers on free loopback ports.
    pub async fn start() -> FakeDiscord {
        FakeDiscord::start_with(0).await
    }

    /// Starts a fake whose portal has not enabled `disabled_intents`.
    pub async fn start_with(disabled_intents: u64) -> FakeDiscord {
        let rest = TcpListener::bind("127.0.0.1:0").await.expect("bind REST");
        let gateway = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind gateway");
        let rest_addr: SocketAddr = rest.local_addr().expect("REST address");
        let gateway_addr: SocketAddr = gateway.local_addr().expect("gateway address");
        let shared = Arc::new(Shared {
            rest: format!("http://{rest_addr}"),
            gateway: format!("ws://{gateway_addr}"),
            shards: 1,
            disabled_intents,
            ..Shared::default()
        });
        let app = Router::new()
            .fallback(rest_api)
            .with_state(Arc::clone(&shared));
        let rest_task = tokio::spawn(async move {
            let _ = axum::serve(rest, app).await;
        });
        let gw_shared = Arc::clone(&shared);
        let gateway_task = tokio::spawn(async move {
            while let Ok((stream, _)) = gateway.accept().await {
                if gw_shared.gateway_down.load(Ordering::SeqCst) {
                    drop(stream);
                    continue;
                }
                tokio::spawn(serve_gateway(stream, Arc::clone(&gw_shared)));
            }
        });
        FakeDiscord {
            shared,
            tasks: vec![rest_task, gateway_task],
        }
    }

    /// The base URL for `DISCORD_HTTP_PROXY`.
    /// Answers the next `times` calls of `method` whose path contains
    /// `path_part` with `status` (429 with Discord's documented body and
    /// headers; a 5xx with its error body) instead.
    pub fn fail_next(&self, method: &str, path_part: &str, status: u16, times: usize) {
        self.rate_limit_next(method, path_part, status, times, 0.25);
    }

    /// Like [`FakeDiscord::fail_next`], a 429 saying to wait `retry_after`
    /// seconds.
    pub fn rate_limit_next(
        &self,
        method: &str,
        path_part: &str,
        status: u16,
        times: usize,
        retry_after: f64,
    ) {
        lock(&self.shared.faults).push((
            method.into(),
            path_part.into(),
            status,
            times,
            retry_after,
        ));
    }

    pub fn rest_url(&self) -> &str {
        &self.shared.rest
    }

    pub fn calls(&self) -> Vec<Call> {
        lock(&self.shared.calls).clone()
    }

    pub fn frames(&self) -> Vec<Value> {
        lock(&self.shared.frames).clone()
    }

    pub fn closes(&self) -> Vec<u16> {
        lock(&self.shared.closes).clone()
    }

    /// A fresh snowflake.
    pub fn id(&self) -> u64 {
        self.shared.id()
    }

    /// Sends a dispatch (op 0) on the live connection, after checking that
    /// serenity can parse it. A message reaches a bot that did not ask for
    /// the Message Content intent as Discord sends it then: without its
    /// content, unless it is a DM or mentions the bot.
    pub fn dispatch(&self, event: &str, mut d: Value) {
        let intents = self.shared.intents.load(Ordering::SeqCst);
        if event == "MESSAGE_CREATE" && intents & MESSAGE_CONTENT == 0 {
            hide_content(&mut d);
        }
        check_parses(event, &d);
        let seq = self.shared.seq.fetch_add(1, Ordering::SeqCst) + 1;
        let frame = json!({"op": 0, "t": event, "s": seq, "d": d});
        let live = lock(&self.shared.live);
        let sent = live
            .as_ref()
            .map(|tx| tx.send(Frame::Text(frame.to_string())).is_ok());
        assert_eq!(
            sent,
            Some(true),
            "no live gateway connection to dispatch {event} on"
        );
    }

    /// Drops the bot's gateway connection (closing it with 4000, "unknown
    /// error", after which a bot reconnects) and refuses new ones until
    /// [`FakeDiscord::gateway_back`].
    pub fn gateway_outage(&self) {
        self.shared.gateway_down.store(true, Ordering::SeqCst);
        self.drop_connection();
    }

    /// Drops the bot's gateway connection, closing it with 4000 ("unknown
    /// error"), after which a bot reconnects and may resume its session.
    /// Returns whether there was a connection to drop.
    pub fn drop_connection(&self) -> bool {
        let Some(live) = lock(&self.shared.live).take() else {
            return false;
        };
        let close = CloseFrame {
            code: CloseCode::from(4000),
            reason: "Unknown error.".into(),
        };
        live.send(Frame::Close(Some(close))).is_ok()
    }

    /// Asks the bot for a heartbeat at once (op 1), as Discord may at any
    /// time; the bot sends one and the fake acknowledges it (op 11).
    pub fn request_heartbeat(&self) {
        let live = lock(&self.shared.live);
        let sent = live.as_ref().map(|tx| {
            tx.send(Frame::Text(json!({"op": 1, "d": null}).to_string()))
                .is_ok()
        });
        assert_eq!(sent, Some(true), "no live gateway connection to ask on");
    }

    /// Lets the bot connect to the gateway again.
    pub fn gateway_back(&self) {
        self.shared.gateway_down.store(false, Ordering::SeqCst);
    }

    /// Makes `GET /channels/{id}` answer with `channel` (a channel object).
    pub fn add_channel(&self, channel: Value) {
        lock(&self.shared.channels).push(channel);
    }

    /// Opens a thread, as Discord knows it from then on (`GET
    /// /channels/{id}` finds it); returns the THREAD_CREATE payload, to
    /// dispatch when the bot should be told.
    pub fn open_thread(&self, id: u64, parent: u64, name: &str) -> Value {
        let thread = self.thread_json(id, parent, name);
        self.add_channel(thread.clone());
        thread
    }

    /// A thread object, as THREAD_CREATE and `GET /channels/{id}` send it:
    /// a public thread (type 11) titled `name`, opened in `parent`.
    pub fn thread_json(&self, id: u64, parent: u64, name: &str) -> Value {
        json!({
            "id": id.to_string(),
            "type": 11,
            "guild_id": GUILD_ID.to_string(),
            "parent_id": parent.to_string(),
            "owner_id": "1300000000000000001",
            "name": name,
            "last_message_id": null,
            "message_count": 0,
            "member_count": 1,
            "rate_limit_per_user": 0,
            "flags": 0,
            "total_message_sent": 0,
            "thread_metadata": {
                "archived": false,
                "auto_archive_duration": 4320,
                "archive_timestamp": "2024-05-01T12:00:00.000000+00:00",
                "locked": false,
                "create_timestamp": "2024-05-01T12:00:00.000000+00:00",
            },
            "newly_created": true,
        })
    }

    /// A message command ("Apps" menu) used on `target` (a message
    /// object); returns its id, token and payload.
    pub fn message_command(&self, name: &str, target: &Value, user: u64) -> (u64, String, Value) {
        let target_id = target["id"].as_str().unwrap_or_default().to_string();
        self.interaction(
            2,
            json!({
                "id": self.id().to_string(),
                "name": name,
                "type": 3,
                "target_id": target_id,
                "resolved": {"messages": {target_id.clone(): target}},
            }),
            user,
            None,
        )
    }

    /// A message object as the bot would receive it (not dispatched).
    pub fn message_object(&self, author: &Value, channel: u64, content: &str) -> (u64, Value) {
        let id = self.id();
        (
            id,
            self.message_json(id, channel, Some(GUILD_ID), author, content, &[]),
        )
    }

    /// A click on a button on `message` (a message object, such as the
    /// private answer a message command got).
    pub fn button_on(&self, custom_id: &str, user: u64, message: Value) -> (u64, String, Value) {
        self.interaction(
            3,
            json!({"custom_id": custom_id, "component_type": 2}),
            user,
            Some(message),
        )
    }

    /// A slash command interaction; returns its id, token and payload.
    pub fn command(&self, name: &str, options: Value, user: u64) -> (u64, String, Value) {
        self.interaction(
            2,
            json!({"id": self.id().to_string(), "name": name, "type": 1, "options": options}),
            user,
            None,
        )
    }

    /// An autocomplete interaction for `option` of `command`, typed so far.
    pub fn autocomplete(
        &self,
        command: &str,
        option: &str,
        typed: &str,
        user: u64,
    ) -> (u64, String, Value) {
        let options = json!([{"name": option, "type": 3, "value": typed, "focused": true}]);
        self.interaction(
            4,
            json!({"id": self.id().to_string(), "name": command, "type": 1, "options": options}),
            user,
            None,
        )
    }

    /// A click on a button, on a message sent by the bot.
    pub fn button(&self, custom_id: &str, user: u64, on_message: u64) -> (u64, String, Value) {
        let message =
            self.message_json(on_message, CHANNEL_ID, Some(GUILD_ID), &bot_user(), "", &[]);
        self.interaction(
            3,
            json!({"custom_id": custom_id, "component_type": 2}),
            user,
            Some(message),
        )
    }

    /// A choice in a string select menu.
    pub fn select(
        &self,
        custom_id: &str,
        values: &[&str],
        user: u64,
        on_message: u64,
    ) -> (u64, String, Value) {
        let message =
            self.message_json(on_message, CHANNEL_ID, Some(GUILD_ID), &bot_user(), "", &[]);
        self.interaction(
            3,
            json!({"custom_id": custom_id, "component_type": 3, "values": values}),
            user,
            Some(message),
        )
    }

    fn interaction(
        &self,
        kind: u8,
        data: Value,
        user: u64,
        message: Option<Value>,
    ) -> (u64, String, Value) {
        let id = self.id();
        let token = format!("itoken-{id}");
        let mut d = json!({
            "id": id.to_string(),
            "application_id": APP_ID.to_string(),
            "type": kind,
            "data": data,
            "guild_id": GUILD_ID.to_string(),
            "channel_id": CHANNEL_ID.to_string(),
            // In a guild, Discord sends the member, with the user inside.
            "member": {
                "user": user_json(user, &format!("user{user}"), false),
                "roles": [],
                "joined_at": "2024-01-01T00:00:00.000000+00:00",
                "deaf": false,
                "mute": false,
                "flags": 0,
            },
            "token": token,
            "version": 1,
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": GUILD_ID.to_string()},
            "context": 0,
            "attachment_size_limit": 26_214_400,
        });
        if let Some(m) = message {
            d["message"] = m;
        }
        (id, token, d)
    }

    /// A MESSAGE_CREATE payload from `author` in `channel` (a DM when
    /// `guild` is `None`).
    pub fn message(
        &self,
        author: &Value,
        channel: u64,
        guild: Option<u64>,
        content: &str,
        mentions: &[Value],
    ) -> (u64, Value) {
        let id = self.id();
        (
            id,
            self.message_json(id, channel, guild, author, content, mentions),
        )
    }

    fn message_json(
        &self,
        id: u64,
        channel: u64,
        guild: Option<u64>,
        author: &Value,
        content: &str,
        mentions: &[Value],
    ) -> Value {
        let mut m = json!({
            "id": id.to_string(),
            "channel_id": channel.to_string(),
            "author": author,
            "content": content,
            "timestamp": "2024-05-01T12:00:00.000000+00:00",
            "edited_timestamp": null,
            "tts": false,
            "mention_everyone": content.contains("@everyone") || content.contains("@here"),
            "mentions": mentions,
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "components": [],
            "pinned": false,
            "type": 0,
            "flags": 0,
        });
        if let Some(g) = guild {
            m["guild_id"] = json!(g.to_string());
        }
        m
    }

    /// Waits until `find` returns something, or fails the test after
    /// `timeout` with `what` it was waiting for and what it saw.
    pub async fn wait<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut find: impl FnMut(&FakeDiscord) -> Option<T>,
    ) -> T {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(found) = find(self) {
                return found;
            }
            if tokio::time::Instant::now() >= deadline {
                panic!(
                    "timed out after {timeout:?} waiting for {what}\nREST calls: {:#?}\ngateway frames: {:?}",
                    self.calls(),
                    self.frames()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits for a REST call to `path` with `method`.
    pub async fn wait_call(&self, method: &str, path: &str, timeout: Duration) -> Call {
        self.wait(&format!("{method} {path}"), timeout, |f| {
            f.calls()
                .into_iter()
                .find(|c| c.method == method && c.path == path)
        })
        .await
    }

    /// Waits for the answer to an interaction.
    pub async fn wait_callback(&self, id: u64, token: &str, timeout: Duration) -> Value {
        self.wait_call(
            "POST",
            &format!("/api/v10/interactions/{id}/{token}/callback"),
            timeout,
        )
        .await
        .body
    }

    /// Waits for the bot's IDENTIFY.
    pub async fn wait_identify(&self, timeout: Duration) -> Value {
        self.wait("IDENTIFY", timeout, |f| {
            f.frames()
                .into_iter()
                .find(|v| v["op"] == 2)
                .map(|v| v["d"].clone())
        })
        .await
    }

    /// The messages the bot posted in `channel`.
    pub fn posted(&self, channel: u64) -> Vec<Call> {
        let path = format!("/api/v10/channels/{channel}/messages");
        self.calls()
            .into_iter()
            .filter(|c| c.method == "POST" && c.path == path)
            .collect()
    }

    /// The bot's reply to message `id` in `channel`, if it sent one.
    pub fn reply_to(&self, channel: u64, id: u64) -> Option<Call> {
        self.posted(channel)
            .into_iter()
            .find(|c| c.body["message_reference"]["message_id"] == json!(id.to_string()))
    }

    /// Waits for the bot to register its commands globally; returns the
    /// call, whose body is the commands.
    pub async fn wait_global_commands(&self, timeout: Duration) -> Call {
        self.wait_call(
            "PUT",
            &format!("/api/v10/applications/{APP_ID}/commands"),
            timeout,
        )
        .await
    }

    /// Waits for the bot's reply to message `id` in `channel`.
    pub async fn wait_reply(&self, channel: u64, id: u64, timeout: Duration) -> Call {
        self.wait(&format!("a reply to message {id}"), timeout, |f| {
            f.reply_to(channel, id)
        })
        .await
    }
}

/// A user object; `bot` marks bot accounts.
pub fn user_json(id: u64, name: &str, bot: bool) -> Value {
    json!({
        "id": id.to_string(),
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": null,
        "bot": bot,
    })
}

pub fn bot_user() -> Value {
    user_json(BOT_ID, BOT_NAME, true)
}

/// Blanks what the Message Content intent covers in a message, where
/// Discord would: a message in a server that does not mention the bot
/// and is not the bot's own
/// (https://discord.com/developers/docs/events/gateway#message-content-intent).
fn hide_content(message: &mut Value) {
    let bot = BOT_ID.to_string();
    let exempt = message.get("guild_id").is_none()
        || message["author"]["id"] == json!(bot)
        || message["mentions"]
            .as_array()
            .is_some_and(|m| m.iter().any(|u| u["id"] == json!(bot)));
    if exempt {
        return;
    }
    message["content"] = json!("");
    for field in ["embeds", "attachments", "components"] {
        message[field] = json!([]);
    }
}

/// Fails the test if serenity could not parse the dispatch.
fn check_parses(event: &str, d: &Value) {
    use serenity::all::{GuildChannel, Interaction, Message, Ready};
    let parsed = match event {
        "THREAD_CREATE" => serde_json::from_value::<GuildChannel>(d.clone()).map(drop),
        "INTERACTION_CREATE" => serde_json::from_value::<Interaction>(d.clone()).map(drop),
        "MESSAGE_CREATE" => serde_json::from_value::<Message>(d.clone()).map(drop),
        "READY" => serde_json::from_value::<Ready>(d.clone()).map(drop),
        _ => Ok(()),
    };
    if let Err(e) = parsed {
        panic!("serenity would drop this {event}: {e}\n{d:#}");
    }
}

fn authorized(headers: &HeaderMap) -> bool {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Bot {TOKEN}"))
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"message": message, "code": 0}))).into_response()
}

/// Every REST route the bot uses.
async fn rest_api(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let body_json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let creates = method == Method::POST
        && path.starts_with("/api/v10/channels/")
        && path.ends_with("/messages");
    let created = creates.then(|| shared.id());
    lock(&shared.calls).push(Call {
        method: method.to_string(),
        path: path.clone(),
        authorization: headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        body: body_json.clone(),
        created,
    });
    if let Some((status, retry_after)) = take_fault(&shared, method.as_str(), &path) {
        return fault(status, retry_after);
    }
    let Some(route) = path.strip_prefix("/api/v10/") else {
        return error(StatusCode::NOT_FOUND, "404: Not Found");
    };
    let parts: Vec<&str> = route.split('/').collect();
    // Interaction callbacks are authorized by their token, not the bot's.
    if let ("POST", ["interactions", _, _, "callback"]) = (method.as_str(), parts.as_slice()) {
        return StatusCode::NO_CONTENT.into_response();
    }
    // So are the webhook routes of an interaction's token.
    if let ("DELETE", ["webhooks", _, _, "messages", "@original"]) =
        (method.as_str(), parts.as_slice())
    {
        return StatusCode::NO_CONTENT.into_response();
    }
    if route == "gateway" {
        return Json(json!({"url": shared.gateway})).into_response();
    }
    if !authorized(&headers) {
        return error(StatusCode::UNAUTHORIZED, "401: Unauthorized");
    }
    match (method.as_str(), parts.as_slice()) {
        ("GET", ["gateway", "bot"]) => Json(json!({
            "url": shared.gateway,
            "shards": shared.shards,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1},
        }))
        .into_response(),
        ("GET", ["users", "@me"]) => Json(bot_user()).into_response(),
        ("PUT", ["applications", _, "commands"]) | ("PUT", ["applications", _, "guilds", _, "commands"]) => {
            Json(json!([])).into_response()
        }
        ("POST", ["channels", channel, "messages"]) => {
            let id = created.unwrap_or_else(|| shared.id());
            let mut m = json!({
                "id": id.to_string(),
                "channel_id": channel,
                "author": bot_user(),
                "content": body_json.get("content").cloned().unwrap_or(json!("")),
                "timestamp": "2024-05-01T12:00:01.000000+00:00",
                "edited_timestamp": null,
                "tts": false,
                "mention_everyone": false,
                "mentions": [],
                "mention_roles": [],
                "attachments": [],
                "embeds": [],
                "components": [],
                "pinned": false,
                "type": if body_json.get("message_reference").is_some() { 19 } else { 0 },
            });
            if let Some(reference) = body_json.get("message_reference") {
                m["message_reference"] = reference.clone();
            }
            Json(m).into_response()
        }
        ("DELETE", ["channels", _, "messages", _]) => StatusCode::NO_CONTENT.into_response(),
        ("GET", ["channels", channel]) => {
            let known = lock(&shared.channels)
                .iter()
                .find(|c| c["id"].as_str() == Some(*channel))
                .cloned();
            match known {
                Some(c) => Json(c).into_response(),
                None => (
                    StatusCode::NOT_FOUND,
                    Json(json!({"message": "Unknown Channel", "code": 10003})),
                )
                    .into_response(),
            }
        }
        _ => error(StatusCode::NOT_FOUND, "404: Not Found"),
    }
}

fn take_fault(shared: &Shared, method: &str, path: &str) -> Option<(u16, f64)> {
    let mut faults = lock(&shared.faults);
    let hit = faults
        .iter_mut()
        .find(|(m, part, _, left, _)| m == method && path.contains(part.as_str()) && *left > 0)?;
    hit.3 -= 1;
    Some((hit.2, hit.4))
}

/// A failure as Discord sends it. A 429's body has no `code`
/// (https://discord.com/developers/docs/topics/rate-limits).
fn fault(status: u16, retry_after: f64) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status == 429 {
        let body = json!({"message": "You are being rate limited.", "retry_after": retry_after, "global": false});
        return (
            code,
            [
                ("retry-after", "1"),
                ("x-ratelimit-limit", "5"),
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset-after", "0.250"),
                ("x-ratelimit-bucket", "fake-bucket"),
                ("x-ratelimit-scope", "user"),
            ],
            Json(body),
        )
            .into_response();
    }
    error(code, "500: Internal Server Error")
}

/// One gateway connection: HELLO, then IDENTIFY is answered with READY (or
/// closed with 4004 for a wrong token), a RESUME of the session with
/// RESUMED, heartbeats are acknowledged, and the test's dispatches are
/// forwarded.
async fn serve_gateway(stream: TcpStream, shared: Arc<Shared>) {
    let Ok(ws) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let (mut sink, mut source) = ws.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Frame>();
    let hello = json!({"op": 10, "d": {"heartbeat_interval": 41250}});
    if sink.send(Frame::Text(hello.to_string())).await.is_err() {
        return;
    }
    loop {
        let reply = tokio::select! {
            incoming = source.next() => match incoming {
                Some(Ok(Frame::Text(text))) => answer(&shared, &tx, &text),
                Some(Ok(Frame::Close(frame))) => {
                    lock(&shared.closes).push(frame.map_or(1005, |f| u16::from(f.code)));
                    // Completes the closing handshake, as Discord does.
                    let _ = sink.close().await;
                    return;
                }
                Some(Ok(_)) => Vec::new(),
                Some(Err(_)) | None => return,
            },
            outgoing = rx.recv() => outgoing.into_iter().collect(),
        };
        for frame in reply {
            let closing = matches!(frame, Frame::Close(_));
            if sink.send(frame).await.is_err() || closing {
                return;
            }
        }
    }
}

/// The fake's answer to one frame from the bot.
fn answer(shared: &Shared, live: &mpsc::UnboundedSender<Frame>, text: &str) -> Vec<Frame> {
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return Vec::new();
    };
    lock(&shared.frames).push(v.clone());
    let op = |value: Value| vec![Frame::Text(value.to_string())];
    match v["op"].as_u64() {
        Some(2) => {
            let token = v["d"]["token"].as_str().unwrap_or_default();
            if token.trim_start_matches("Bot ") != TOKEN {
                let close = CloseFrame {
                    code: CloseCode::from(4004),
                    reason: "Authentication failed.".into(),
                };
                return vec![Frame::Close(Some(close))];
            }
            if v["d"]["intents"].as_u64().unwrap_or(0) & shared.disabled_intents != 0 {
                let close = CloseFrame {
                    code: CloseCode::from(4014),
                    reason: "Disallowed intent(s).".into(),
                };
                return vec![Frame::Close(Some(close))];
            }
            shared
                .intents
                .store(v["d"]["intents"].as_u64().unwrap_or(0), Ordering::SeqCst);
            *lock(&shared.live) = Some(live.clone());
            let ready = json!({
                "v": 10,
                "user": bot_user(),
                "guilds": [{"id": GUILD_ID.to_string(), "unavailable": true}],
                "session_id": SESSION_ID,
                "resume_gateway_url": shared.gateway,
                "shard": v["d"]["shard"],
                "application": {"id": APP_ID.to_string(), "flags": 0},
            });
            check_parses("READY", &ready);
            let seq = shared.seq.fetch_add(1, Ordering::SeqCst) + 1;
            op(json!({"op": 0, "t": "READY", "s": seq, "d": ready}))
        }
        Some(1) => op(json!({"op": 11})),
        // A resume of the session READY started: nothing was missed, so
        // RESUMED alone. Any other is refused, and the bot identifies
        // afresh (op 9, not resumable).
        Some(6) => {
            let token = v["d"]["token"].as_str().unwrap_or_default();
            if token.trim_start_matches("Bot ") != TOKEN || v["d"]["session_id"] != SESSION_ID {
                return op(json!({"op": 9, "d": false}));
            }
            *lock(&shared.live) = Some(live.clone());
            let seq = shared.seq.fetch_add(1, Ordering::SeqCst) + 1;
            op(json!({"op": 0, "t": "RESUMED", "s": seq, "d": {}}))
        }
        _ => Vec::new(),
    }
}
