//! The bot on Discord's gateway: serenity's client, the event handler that
//! answers interactions and messages, and a shutdown that leaves nothing
//! half-open.
//!
//! Interactions are answered by [`interactions::respond`], the same code
//! the HTTP endpoint uses. Messages go through [`messages`], which decides
//! what to answer; this module only does the I/O and the logging.

use std::num::NonZeroU64;
use std::sync::Arc;
use std::time::Duration;

use serenity::all::{
    Client, ClientBuilder, ConnectionStage, GatewayError, GatewayIntents, GuildId, Http,
    HttpBuilder, HttpError, ShardManager,
};
use tracing::{debug, info, warn};

use super::handler::Handler;
use super::{register, render};
use crate::config::{DiscordConfig, Shards};
use crate::http::gateway_health::ShardHealth;
use crate::http::metrics::Metrics;
use crate::http::monitor::{self, Monitor};
use crate::ops::reload::{self, SharedFaq};
use crate::ops::report;
use crate::ops::Operations;
use crate::Faq;

/// How long shards get to close cleanly on shutdown; the process exits
/// within a second of it whatever happens.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// Why the bot could not run; each says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("Discord rejected DISCORD_TOKEN; set it to your bot's current token from the developer portal (Bot, Reset Token)")]
    TokenRejected,
    /// `settings` are the ones that made the bot ask for the intent; empty
    /// until [`RunError::naming`] fills them in.
    #[error("{}", message_content_refused(settings))]
    IntentRefused { settings: Vec<&'static str> },
    /// Refused although the bot asked for no privileged intent: nothing a
    /// setting of ours changes.
    #[error("Discord refused the gateway intents the bot asked for ({asked}), none of which is privileged; check the application in the developer portal (Bot) and Discord's status")]
    IntentsRefused { asked: String },
    #[error("Discord did not answer within {} s at start-up (GET /users/@me); check the network, DISCORD_HTTP_PROXY if it is set, and https://discordstatus.com", waited.as_secs_f64())]
    Silent { waited: Duration },
    #[error("DISCORD_APPLICATION_ID is not set; `register` needs it: copy the Application ID from the developer portal (General Information)")]
    NoApplicationId,
    /// Anything else from serenity, its causes spelled out once.
    #[error("talking to Discord failed: {0}")]
    Discord(String),
    #[error("could not listen for shutdown signals: {0}")]
    Signals(std::io::Error),
    #[error("cannot serve metrics on METRICS_ADDR {addr}: {source}")]
    Metrics {
        addr: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

impl From<serenity::Error> for RunError {
    fn from(e: serenity::Error) -> RunError {
        match &e {
            serenity::Error::Http(HttpError::UnsuccessfulRequest(r))
                if r.status_code.as_u16() == 401 =>
            {
                RunError::TokenRejected
            }
            serenity::Error::Gateway(GatewayError::InvalidAuthentication) => {
                RunError::TokenRejected
            }
            serenity::Error::Gateway(
                GatewayError::DisallowedGatewayIntents | GatewayError::InvalidGatewayIntents,
            ) => RunError::IntentRefused {
                settings: Vec::new(),
            },
            _ => RunError::Discord(causes(&e)),
        }
    }
}

impl RunError {
    /// Says which intent was refused: the Message Content intent only when
    /// the bot asked for it, and then which settings made it ask.
    fn naming(self, config: &DiscordConfig) -> RunError {
        let asked = intents(config);
        match self {
            RunError::IntentRefused { .. } if !asked.contains(GatewayIntents::MESSAGE_CONTENT) => {
                RunError::IntentsRefused {
                    asked: asked
                        .iter_names()
                        .map(|(name, _)| name)
                        .collect::<Vec<_>>()
                        .join(", "),
                }
            }
            RunError::IntentRefused { .. } => RunError::IntentRefused {
                settings: content_settings(config),
            },
            other => other,
        }
    }
}

/// The line for a refused Message Content intent, blaming the settings
/// that asked for it (both, when it is not known which).
fn message_content_refused(settings: &[&'static str]) -> String {
    let settings: &[&str] = if settings.is_empty() {
        &CONTENT_SETTINGS
    } else {
        settings
    };
    let named = settings.join(" and ");
    let need = if settings.len() == 1 { "needs" } else { "need" };
    format!("Discord refused the Message Content intent, which {named} {need}; enable it in the developer portal (Bot, Privileged Gateway Intents) or unset {named}")
}

/// An error and its sources in one line, without the repeats that
/// wrapped errors tend to have.
fn causes(e: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(e);
    while let Some(err) = next {
        let text = err.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = err.source();
    }
    parts.join(": ")
}

/// The gateway events the bot needs, and no more: a privileged intent the
/// portal has not enabled closes the connection (4014).
/// - GUILDS: threads as they are created, changed and synced, so messages
///   in threads under answer channels and new forum posts are recognised
///   without a lookup each.
/// - GUILD_MESSAGES and DIRECT_MESSAGES: the messages themselves.
/// - MESSAGE_CONTENT (privileged): only with answer channels or forums
///   (unless forums are read by title alone, `FORUM_TITLES_ONLY`).
///   Messages that mention the bot and DMs carry their text without it;
///   reading every message of a channel, and a forum post's first
///   message (where the question usually is, under a title such as "quick
///   question"), needs it.
pub fn intents(config: &DiscordConfig) -> GatewayIntents {
    let mut intents =
        GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGES | GatewayIntents::DIRECT_MESSAGES;
    if !content_settings(config).is_empty() {
        intents |= GatewayIntents::MESSAGE_CONTENT;
    }
    intents
}

/// Every setting that makes the bot read messages not addressed to it.
const CONTENT_SETTINGS: [&str; 2] = ["ANSWER_CHANNELS", "FORUM_CHANNELS"];

/// Those of [`CONTENT_SETTINGS`] that are set.
fn content_settings(config: &DiscordConfig) -> Vec<&'static str> {
    let set = [
        !config.answer_channels.is_empty(),
        !config.forum_channels.is_empty() && !config.forum_titles_only,
    ];
    CONTENT_SETTINGS
        .into_iter()
        .zip(set)
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
}

/// The REST client. With a proxy, every call goes there and the proxy
/// does the rate limiting (serenity honours the proxy only with its own
/// rate limiter off); without one, serenity limits itself. Either way,
/// nothing the bot sends can ping anyone unless it says so.
pub fn http(config: &DiscordConfig) -> Http {
    let mut builder =
        HttpBuilder::new(config.token.expose()).default_allowed_mentions(render::no_pings());
    // Every call has a deadline: serenity's own client has none, so a REST
    // endpoint that never answers would hold a reply (or the start-up)
    // forever.
    match reqwest::Client::builder()
        .use_rustls_tls()
        .timeout(config.rest_timeout)
        .connect_timeout(config.rest_timeout)
        .build()
    {
        Ok(client) => builder = builder.client(client),
        Err(e) => {
            warn!(error = %e, "cannot build a REST client with a timeout; using serenity's own")
        }
    }
    if let Some(proxy) = &config.http_proxy {
        builder = builder.proxy(proxy.as_str()).ratelimiter_disabled(true);
    }
    if let Some(id) = config.application_id {
        builder = builder.application_id(id.into());
    }
    builder.build()
}

/// Registers every command (a bulk overwrite) for `register`, which does
/// not connect to the gateway.
pub async fn register_only(
    config: &DiscordConfig,
    faq: &Faq,
    guild: Option<NonZeroU64>,
) -> Result<usize, RunError> {
    if config.application_id.is_none() {
        return Err(RunError::NoApplicationId);
    }
    let http = http(config);
    Ok(register::set_commands(&http, faq, guild.map(GuildId::from)).await?)
}

/// Connects, serves until SIGINT or SIGTERM, then closes every shard.
/// Meanwhile `reloader` reloads the knowledge whenever it changes (see
/// [`reload`]), and the commands are registered again when a reload
/// changes them.
pub async fn run(
    config: DiscordConfig,
    faq: SharedFaq,
    ops: Operations,
    reloader: reload::Reloader,
) -> Result<(), RunError> {
    // Listen first, so a signal during start-up is a clean exit (or, for
    // SIGHUP, a reload) too.
    let mut stop = Stop::listen().map_err(RunError::Signals)?;
    let (reloads, commands_changed) = register::watch_commands(reloader, faq.clone());
    let metrics = Arc::new(Metrics::new(
        faq.load().knowledge.topics.iter().map(|t| t.id.clone()),
    ));
    // Unhealthy until a shard connects, each shard this process will run
    // listed as down meanwhile. Autosharded, only shard 0 is sure to be
    // among them before Discord says how many to run.
    metrics.gateway.start(match config.shards {
        Shards::Auto => 0..=0,
        Shards::Range { first, last, .. } => first..=last,
    });
    let _monitor = match config.metrics_addr {
        Some(addr) => Some(serve_monitor(addr, faq.clone(), Arc::clone(&metrics)).await?),
        None => None,
    };
    let metrics_for_shards = Arc::clone(&metrics);
    let reports = tokio::spawn(report::refresh(
        faq.clone(),
        ops.log_paths.clone(),
        ops.report.clone(),
    ));
    let digest = match (config.digest, registers(&config)) {
        // One process posts it: the one that registers the commands.
        (Some(digest), true) => Some((digest, ops.report.clone())),
        _ => None,
    };
    let mut client = tokio::select! {
        client = connect(&config, faq.clone(), ops, metrics) => client?,
        signal = stop.recv() => {
            info!(signal, "stopped before connecting");
            return Ok(());
        }
    };
    // Dropped (and so stopped) when `run` returns.
    let mut reloads = reloads.also(reports);
    if let Some((digest, latest)) = digest {
        reloads = reloads.also(tokio::spawn(super::digest::post_weekly(
            digest,
            latest,
            faq.clone(),
            Arc::clone(&client.http),
        )));
    }
    let _reloads = if registers(&config) {
        let guild = config.guild_id.map(GuildId::from);
        reloads.also(tokio::spawn(register::register_on_change(
            commands_changed,
            faq,
            Arc::clone(&client.http),
            guild,
        )))
    } else {
        reloads
    };
    let manager = Arc::clone(&client.shard_manager);
    let _watch_shards = AbortOnDrop(tokio::spawn(watch_shards(
        Arc::clone(&manager),
        Arc::clone(&metrics_for_shards),
    )));
    let shards = config.shards;
    let serve = async move {
        match shards {
            Shards::Auto => client.start_autosharded().await,
            // serenity reads the range's end as the last shard, inclusive.
            Shards::Range { first, last, total } => {
                client.start_shard_range(first..last, total).await
            }
        }
    };
    tokio::pin!(serve);
    tokio::select! {
        result = &mut serve => result.map_err(|e| RunError::from(e).naming(&config)),
        signal = stop.recv() => {
            info!(signal, "shutting down");
            shut_down(&manager).await;
            // Let the client notice; it has nothing left to wait for.
            let _ = tokio::time::timeout(Duration::from_millis(500), serve).await;
            info!("stopped");
            Ok(())
        }
    }
}

/// How often the shards' state is read for `/healthz` and `/metrics`.
const SHARD_WATCH: Duration = Duration::from_secs(1);

/// Keeps `metrics` up to date with the shards' connection and latency.
async fn watch_shards(manager: Arc<ShardManager>, metrics: Arc<Metrics>) {
    let mut tick = tokio::time::interval(SHARD_WATCH);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let runners = manager.runners.lock().await;
        for (id, info) in runners.iter() {
            metrics.gateway.seen(
                id.0,
                ShardHealth {
                    connected: info.stage == ConnectionStage::Connected,
                    latency: info.latency,
                },
            );
        }
        // A shard being restarted is taken out of the runners until it has
        // a connection again: it is down meanwhile, not as it last was.
        for id in metrics.gateway.shards().into_keys() {
            if !runners.keys().any(|r| r.0 == id) {
                metrics.gateway.seen(
                    id,
                    ShardHealth {
                        connected: false,
                        latency: None,
                    },
                );
            }
        }
    }
}

/// Serves `/healthz` and `/metrics` on `addr` until the returned guard is
/// dropped.
async fn serve_monitor(
    addr: std::net::SocketAddr,
    faq: SharedFaq,
    metrics: Arc<Metrics>,
) -> Result<AbortOnDrop, RunError> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| RunError::Metrics { addr, source })?;
    let bound = listener
        .local_addr()
        .map_err(|source| RunError::Metrics { addr, source })?;
    info!("serving GET /healthz and GET /metrics on {bound}");
    let monitor = Arc::new(Monitor { faq, metrics });
    Ok(AbortOnDrop(tokio::spawn(async move {
        if let Err(e) = monitor::serve(listener, monitor, std::future::pending()).await {
            warn!(error = %e, "the metrics server stopped");
        }
    })))
}

/// A background task that ends with its owner.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Whether this process registers the commands: only the one that runs
/// shard 0, so a deployment of many processes does it once.
fn registers(config: &DiscordConfig) -> bool {
    match config.shards {
        Shards::Auto => true,
        Shards::Range { first, .. } => first == 0,
    }
}

async fn shut_down(manager: &ShardManager) {
    if tokio::time::timeout(SHUTDOWN_GRACE, manager.shutdown_all())
        .await
        .is_err()
    {
        warn!("shards did not close within {SHUTDOWN_GRACE:?}; exiting anyway");
    }
}

/// Checks the token (a clear error now beats a gateway close later) and
/// learns the bot's own id before any event can arrive, then builds the
/// client.
async fn connect(
    config: &DiscordConfig,
    faq: SharedFaq,
    ops: Operations,
    metrics: Arc<Metrics>,
) -> Result<Client, RunError> {
    let http = http(config);
    let me = http.get_current_user().await.map_err(|e| match &e {
        serenity::Error::Http(HttpError::Request(r)) if r.is_timeout() => RunError::Silent {
            waited: config.rest_timeout,
        },
        _ => RunError::from(e),
    })?;
    debug!(bot = %me.name, id = %me.id, "token accepted");
    let handler = Handler::new(config, me.id.get(), registers(config), faq, ops, metrics);
    Ok(ClientBuilder::new_with_http(http, intents(config))
        .event_handler(handler)
        .await?)
}

/// SIGINT and SIGTERM, installed up front.
struct Stop {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Stop {
    fn listen() -> std::io::Result<Stop> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(Stop {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Stop {})
    }

    async fn recv(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => "SIGINT",
                _ = self.terminate.recv() => "SIGTERM",
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            "Ctrl-C"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    fn config(answer_channels: Vec<NonZeroU64>) -> DiscordConfig {
        DiscordConfig {
            token: Secret::new("t".into()),
            application_id: None,
            guild_id: None,
            answer_channels,
            forum_channels: Vec::new(),
            forum_titles_only: false,
            http_proxy: None,
            shards: Shards::Auto,
            cooldown: Duration::ZERO,
            metrics_addr: None,
            rest_timeout: Duration::from_secs(1),
            digest: None,
        }
    }

    fn forums(forum_channels: Vec<NonZeroU64>, answer_channels: Vec<NonZeroU64>) -> DiscordConfig {
        DiscordConfig {
            forum_channels,
            ..config(answer_channels)
        }
    }

    #[test]
    fn message_content_is_requested_for_answer_channels_and_forums_only() {
        let plain = intents(&config(Vec::new()));
        assert!(!plain.contains(GatewayIntents::MESSAGE_CONTENT));
        assert!(plain.contains(
            GatewayIntents::GUILDS
                | GatewayIntents::GUILD_MESSAGES
                | GatewayIntents::DIRECT_MESSAGES
        ));
        let forum = NonZeroU64::new(9).into_iter().collect::<Vec<_>>();
        assert!(
            intents(&forums(forum.clone(), Vec::new())).contains(GatewayIntents::MESSAGE_CONTENT),
            "a forum post's first message is read"
        );
        let titles_only = DiscordConfig {
            forum_titles_only: true,
            ..forums(forum, Vec::new())
        };
        assert!(
            !intents(&titles_only).contains(GatewayIntents::MESSAGE_CONTENT),
            "forums read by title need no privileged intent"
        );
        let reading = intents(&config(NonZeroU64::new(5).into_iter().collect()));
        assert!(reading.contains(GatewayIntents::MESSAGE_CONTENT));
    }

    #[test]
    fn gateway_refusals_become_advice() {
        let e = |g| RunError::from(serenity::Error::Gateway(g));
        assert!(matches!(
            e(GatewayError::InvalidAuthentication),
            RunError::TokenRejected
        ));
        assert!(matches!(
            e(GatewayError::DisallowedGatewayIntents),
            RunError::IntentRefused { .. }
        ));
        assert!(matches!(
            e(GatewayError::OverloadedShard),
            RunError::Discord(_)
        ));
    }

    #[test]
    fn a_refusal_names_the_message_content_intent_and_its_settings_only_when_asked_for() {
        let refused = |config: &DiscordConfig| {
            RunError::from(serenity::Error::Gateway(
                GatewayError::DisallowedGatewayIntents,
            ))
            .naming(config)
            .to_string()
        };
        let text = refused(&config(Vec::new()));
        assert!(
            !text.contains("ANSWER_CHANNELS")
                && !text.contains("FORUM_CHANNELS")
                && !text.contains("Message Content"),
            "{text}"
        );
        assert!(
            text.contains("GUILD_MESSAGES") && text.contains("DIRECT_MESSAGES"),
            "{text}"
        );
        let channel = || NonZeroU64::new(5).into_iter().collect::<Vec<_>>();
        let text = refused(&config(channel()));
        assert!(
            text.contains("Message Content")
                && text.contains("which ANSWER_CHANNELS needs")
                && !text.contains("FORUM_CHANNELS"),
            "{text}"
        );
        let text = refused(&forums(channel(), Vec::new()));
        assert!(
            text.contains("which FORUM_CHANNELS needs")
                && text.contains("unset FORUM_CHANNELS")
                && !text.contains("ANSWER_CHANNELS"),
            "{text}"
        );
        let text = refused(&forums(channel(), channel()));
        assert!(
            text.contains("which ANSWER_CHANNELS and FORUM_CHANNELS need;")
                && text.contains("unset ANSWER_CHANNELS and FORUM_CHANNELS"),
            "{text}"
        );
    }

    #[test]
    fn causes_are_spelled_out_once() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "request failed: {}", self.0)
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let e = Outer(std::io::Error::other("connection refused"));
        assert_eq!(causes(&e), "request failed: connection refused");
    }
}
