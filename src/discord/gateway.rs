//! The bot on Discord's gateway: serenity's client, the event handler that
//! answers interactions and messages, and a shutdown that leaves nothing
//! half-open.
//!
//! Interactions are answered by [`interactions::respond`], the same code
//! the HTTP endpoint uses. Messages go through [`messages`], which decides
//! what to answer; this module only does the I/O and the logging.

use std::num::NonZeroU64;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serenity::all::{
    Client, ClientBuilder, ComponentInteraction, Context, CreateInteractionResponse, EventHandler,
    GatewayError, GatewayIntents, GuildId, Http, HttpBuilder, HttpError, Interaction, Message,
    MessageReference, MessageType, Ready, ShardManager,
};
use tracing::field::Empty;
use tracing::{debug, info, info_span, warn, Instrument, Span};

use super::messages::{self, Addressing, Claim, Cooldowns, Incoming, RecentAnswers};
use super::{interactions, register, render};
use crate::config::{DiscordConfig, Shards};
use crate::http::metrics::Metrics;
use crate::http::monitor::{self, Monitor};
use crate::matcher::UNPROMPTED_THRESHOLD;
use crate::ops::reload::{self, SharedFaq};
use crate::ops::{unanswered, Operations, Place, Transport};
use crate::reply::{Reply, COLOR_NOTICE};
use crate::Faq;

/// How long shards get to close cleanly on shutdown; the process exits
/// within a second of it whatever happens.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);
/// Discord drops an interaction not answered within 3 seconds; answers
/// slower than this are logged as a warning long before that happens.
const SLOW_ANSWER: Duration = Duration::from_millis(1500);

/// Why the bot could not run; each says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("Discord rejected DISCORD_TOKEN; set it to your bot's current token from the developer portal (Bot, Reset Token)")]
    TokenRejected,
    #[error("Discord refused the Message Content intent, which ANSWER_CHANNELS needs; enable it in the developer portal (Bot, Privileged Gateway Intents) or unset ANSWER_CHANNELS")]
    IntentRefused,
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
            ) => RunError::IntentRefused,
            _ => RunError::Discord(causes(&e)),
        }
    }
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
/// portal has not enabled closes the connection (4014). Messages that
/// mention the bot and DMs carry their text without Message Content; only
/// reading every message of an answer channel needs it.
pub fn intents(config: &DiscordConfig) -> GatewayIntents {
    let mut intents = GatewayIntents::GUILD_MESSAGES | GatewayIntents::DIRECT_MESSAGES;
    if !config.answer_channels.is_empty() {
        intents |= GatewayIntents::MESSAGE_CONTENT;
    }
    intents
}

/// The REST client. With a proxy, every call goes there and the proxy
/// does the rate limiting (serenity honours the proxy only with its own
/// rate limiter off); without one, serenity limits itself. Either way,
/// nothing the bot sends can ping anyone unless it says so.
pub fn http(config: &DiscordConfig) -> Http {
    let mut builder =
        HttpBuilder::new(config.token.expose()).default_allowed_mentions(render::no_pings());
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
    let _monitor = match config.metrics_addr {
        Some(addr) => Some(serve_monitor(addr, faq.clone(), Arc::clone(&metrics)).await?),
        None => None,
    };
    let mut client = tokio::select! {
        client = connect(&config, faq.clone(), ops, metrics) => client?,
        signal = stop.recv() => {
            info!(signal, "stopped before connecting");
            return Ok(());
        }
    };
    // Dropped (and so stopped) when `run` returns.
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
        result = &mut serve => result.map_err(RunError::from),
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
    let me = http.get_current_user().await?;
    debug!(bot = %me.name, id = %me.id, "token accepted");
    let handler = Handler {
        faq,
        ops,
        metrics,
        me: me.id.get(),
        answer_channels: config.answer_channels.iter().map(|c| c.get()).collect(),
        guild: config.guild_id.map(GuildId::from),
        registers: registers(config),
        registered: AtomicBool::new(false),
        calm: Mutex::new(Calm {
            cooldowns: Cooldowns::new(config.cooldown),
            recent: RecentAnswers::new(messages::REPEAT_WINDOW),
        }),
    };
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

/// What keeps a busy channel calm.
struct Calm {
    cooldowns: Cooldowns,
    recent: RecentAnswers,
}

struct Handler {
    /// The current knowledge; each event loads it once and keeps that
    /// version to the end, whatever a reload does meanwhile.
    faq: SharedFaq,
    ops: Operations,
    /// Served on `METRICS_ADDR` when it is set; counted either way.
    metrics: Arc<Metrics>,
    me: u64,
    answer_channels: Vec<u64>,
    guild: Option<GuildId>,
    /// Only the process that runs shard 0 registers the commands, so a
    /// deployment of many processes does it once.
    registers: bool,
    registered: AtomicBool,
    calm: Mutex<Calm>,
}

#[serenity::async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        let (shard, total) = ready.shard.map_or((0, 1), |s| (s.id.0, s.total));
        info!(
            bot = %ready.user.name,
            guilds = ready.guilds.len(),
            shard,
            shards = total,
            "ready as {} in {} guild{}, shard {shard} of {total}",
            ready.user.name,
            ready.guilds.len(),
            if ready.guilds.len() == 1 { "" } else { "s" },
        );
        if self.registers && shard == 0 && !self.registered.swap(true, Ordering::SeqCst) {
            let faq = self.faq.load_full();
            match register::set_commands(&ctx.http, &faq, self.guild).await {
                Ok(count) => match self.guild {
                    Some(g) => {
                        info!(count, guild = %g, "registered the slash commands in the guild")
                    }
                    None => info!(count, "registered the slash commands globally"),
                },
                Err(e) => {
                    // Try again at the next READY.
                    self.registered.store(false, Ordering::SeqCst);
                    warn!(error = %e, "could not register the slash commands");
                }
            }
        }
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let started = Instant::now();
        let span = info_span!(
            "interaction",
            id = %interaction.id(),
            kind = interactions::Kind::of(&interaction).as_str(),
            command = Empty,
            topic = Empty,
            confidence = Empty,
            feedback = Empty,
            latency_ms = Empty,
        );
        async {
            let (result, done) = match &interaction {
                // "Remove" on a reply is not limited: it only ever takes
                // something away, and only the asker's click does.
                Interaction::Component(c) => match messages::delete_owner(&c.data.custom_id) {
                    Some(owner) => (self.delete_clicked(&ctx, c, owner).await, "answered"),
                    None => self.handle(&ctx, &interaction).await,
                },
                _ => self.handle(&ctx, &interaction).await,
            };
            self.metrics.latency(started.elapsed());
            finish(&Span::current(), started, result.err(), done);
        }
        .instrument(span)
        .await;
    }

    async fn message(&self, ctx: Context, msg: Message) {
        let started = Instant::now();
        let incoming = Incoming {
            author: msg.author.id.get(),
            author_is_bot: msg.author.bot,
            from_webhook: msg.webhook_id.is_some(),
            ordinary: matches!(msg.kind, MessageType::Regular | MessageType::InlineReply),
            in_dm: msg.guild_id.is_none(),
            channel: msg.channel_id.get(),
            content: &msg.content,
            mentions_bot: msg.mentions.iter().any(|u| u.id.get() == self.me),
        };
        let (question, direct) = match messages::address(&incoming, self.me, &self.answer_channels)
        {
            Addressing::Ignore(why) => {
                debug!(id = %msg.id, channel = %msg.channel_id, why = why.as_str(), "message ignored");
                return;
            }
            Addressing::Direct(q) => (q, true),
            Addressing::Overheard(q) => (q, false),
        };
        let span = info_span!(
            "message",
            id = %msg.id,
            channel = %msg.channel_id,
            direct,
            topic = Empty,
            confidence = Empty,
            outcome = Empty,
            latency_ms = Empty,
        );
        let faq = self.faq.load_full();
        self.answer_message(&ctx, &faq, &msg, &question, direct, started)
            .instrument(span)
            .await;
    }
}

/// Sends the response [`interactions::handle`] built.
async fn send(
    ctx: &Context,
    interaction: &Interaction,
    response: CreateInteractionResponse,
) -> serenity::Result<()> {
    match interaction {
        Interaction::Command(c) | Interaction::Autocomplete(c) => {
            c.create_response(&ctx.http, response).await
        }
        Interaction::Component(c) => c.create_response(&ctx.http, response).await,
        Interaction::Modal(m) => m.create_response(&ctx.http, response).await,
        _ => Ok(()),
    }
}

/// Records the latency and logs the one line that closes a span.
fn finish(span: &Span, started: Instant, error: Option<serenity::Error>, done: &str) {
    let latency = started.elapsed();
    span.record(
        "latency_ms",
        u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
    );
    match error {
        None if latency > SLOW_ANSWER => warn!("{done}, slowly"),
        None => info!("{done}"),
        Some(e) => warn!(error = %e, "could not send the answer"),
    }
}

/// A confidence as logs show it: three decimals, not f32's noise.
fn rounded(confidence: f32) -> f64 {
    (f64::from(confidence) * 1000.0).round() / 1000.0
}

/// What to do with a question in a message, decided under the lock.
enum Plan {
    CoolingDown(Duration),
    Answer,
    Point(Option<u64>),
}

impl Handler {
    /// Answers an interaction with [`interactions::handle`] on the current
    /// knowledge, counts it and notes it in the current span.
    async fn handle(
        &self,
        ctx: &Context,
        interaction: &Interaction,
    ) -> (serenity::Result<()>, &'static str) {
        let handled = {
            let faq = self.faq.load();
            interactions::handle(&faq, &self.ops, Transport::Slash, interaction)
        };
        let summary = &handled.summary;
        self.metrics.record(summary);
        let span = Span::current();
        span.record("command", summary.name.as_str());
        if let Some(topic) = summary.topic() {
            span.record("topic", topic);
        }
        if let Some(confidence) = summary.confidence {
            span.record("confidence", rounded(confidence));
        }
        if let Some((_, vote)) = &summary.feedback {
            span.record("feedback", vote.as_str());
        }
        let done = match summary.slowed {
            Some(_) => "asked to slow down",
            None => "answered",
        };
        (send(ctx, interaction, handled.response).await, done)
    }

    fn calm(&self) -> std::sync::MutexGuard<'_, Calm> {
        self.calm.lock().unwrap_or_else(PoisonError::into_inner)
    }

    async fn answer_message(
        &self,
        ctx: &Context,
        faq: &Faq,
        msg: &Message,
        question: &str,
        direct: bool,
        started: Instant,
    ) {
        let span = Span::current();
        let found = (!question.is_empty()).then(|| faq.find(question));
        if let Some(found) = &found {
            if let Some(topic) = &found.topic {
                span.record("topic", topic.as_str());
            }
            span.record("confidence", rounded(found.confidence));
        }
        let sure = found
            .as_ref()
            .is_some_and(|f| f.topic.is_some() && f.confidence >= UNPROMPTED_THRESHOLD);
        if !direct && !sure {
            // Ordinary chatter in an answer channel: stay out of it, and
            // out of the unanswered log, which is for questions put to
            // the bot.
            span.record("outcome", "silent");
            debug!("not sure enough to answer unasked");
            return;
        }

        let topic = found.as_ref().and_then(|f| f.topic.clone());
        let now = Instant::now();
        let plan = {
            let mut calm = self.calm();
            match calm.cooldowns.take(msg.author.id.get(), now) {
                Err(wait) => Plan::CoolingDown(wait),
                Ok(()) => match &topic {
                    Some(t) => match calm.recent.claim(msg.channel_id.get(), t, now) {
                        Claim::Fresh => Plan::Answer,
                        Claim::Repeat { message } => Plan::Point(message),
                    },
                    None => Plan::Answer,
                },
            }
        };
        let (reply, outcome) = match plan {
            Plan::CoolingDown(wait) => {
                span.record("outcome", "cooldown");
                info!(
                    wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                    "cooling down; not answered"
                );
                return;
            }
            Plan::Point(earlier) => {
                let title = topic
                    .as_deref()
                    .and_then(|t| faq.topic(t))
                    .map_or("that", |t| t.title.as_str());
                let link = earlier.map(|m| {
                    messages::jump_link(msg.guild_id.map(GuildId::get), msg.channel_id.get(), m)
                });
                (
                    messages::pointer(title, link.as_deref()),
                    "pointed to the earlier answer",
                )
            }
            Plan::Answer => match &found {
                None => (messages::nudge(), "nudged"),
                Some(found) if found.topic.is_some() => {
                    (crate::commands::for_match(faq, found), "answered")
                }
                Some(found) => (crate::commands::for_match(faq, found), "did not know"),
            },
        };
        span.record("outcome", outcome);
        match (&plan, &topic) {
            (Plan::Answer, Some(t)) => self.metrics.answer(t),
            (Plan::Answer, None) if found.is_some() => self.metrics.unanswered(),
            _ => {}
        }
        if let Some(found) = &found {
            let place = Place::in_discord(msg.guild_id.map(GuildId::get), msg.channel_id.get());
            unanswered::record(
                self.ops.unanswered.as_ref(),
                question,
                found,
                Transport::Message,
                place,
            );
        }
        let fresh = matches!(plan, Plan::Answer);
        let sent = self.reply_to(ctx, msg, reply).await;
        if let (true, Some(t)) = (fresh, &topic) {
            let mut calm = self.calm();
            match &sent {
                Ok(m) => calm.recent.sent(msg.channel_id.get(), t, m.id.get()),
                Err(_) => calm.recent.forget(msg.channel_id.get(), t),
            }
        }
        finish(&span, started, sent.err(), outcome);
    }

    /// Replies to `msg` without pinging its author, with a button that lets
    /// the author remove the reply.
    async fn reply_to(
        &self,
        ctx: &Context,
        msg: &Message,
        reply: Reply,
    ) -> serenity::Result<Message> {
        let reply = messages::with_delete_button(reply, msg.author.id.get());
        let reference = MessageReference::from(msg).fail_if_not_exists(false);
        let builder = render::channel_message(&reply).reference_message(reference);
        msg.channel_id.send_message(&ctx.http, builder).await
    }

    /// A click on "Remove": the asker's removes the reply, anyone else's
    /// is told, privately, that it is not theirs to remove.
    async fn delete_clicked(
        &self,
        ctx: &Context,
        c: &ComponentInteraction,
        owner: u64,
    ) -> serenity::Result<()> {
        if c.user.id.get() != owner {
            let mut reply = Reply::card(
                "Not yours to remove",
                "Only the person who asked can remove this answer.",
            )
            .ephemeral();
            reply.color = Some(COLOR_NOTICE);
            let response = CreateInteractionResponse::Message(render::interaction_message(
                &reply.within_limits(),
            ));
            return c.create_response(&ctx.http, response).await;
        }
        // Acknowledge first: the deadline counts, the deletion can follow.
        c.create_response(&ctx.http, CreateInteractionResponse::Acknowledge)
            .await?;
        ctx.http
            .delete_message(c.channel_id, c.message.id, None)
            .await
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
            http_proxy: None,
            shards: Shards::Auto,
            cooldown: Duration::ZERO,
            metrics_addr: None,
        }
    }

    #[test]
    fn message_content_is_requested_only_for_answer_channels() {
        let plain = intents(&config(Vec::new()));
        assert!(!plain.contains(GatewayIntents::MESSAGE_CONTENT));
        assert!(plain.contains(GatewayIntents::GUILD_MESSAGES | GatewayIntents::DIRECT_MESSAGES));
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
            RunError::IntentRefused
        ));
        assert!(matches!(
            e(GatewayError::OverloadedShard),
            RunError::Discord(_)
        ));
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
