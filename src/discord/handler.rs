//! What the gateway bot does with each event: interactions are answered
//! by [`interactions::handle`], the same code the HTTP endpoint uses;
//! messages go through [`messages`], which decides what to answer. This
//! module does the I/O, the counting and the logging around them.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serenity::all::{
    ActionRowComponent, Button, ButtonKind, Channel, ChannelId, ComponentInteraction, Context,
    CreateInteractionResponse, EventHandler, GuildChannel, GuildId, HttpError, Interaction,
    Message, MessageId, MessageReference, MessageType, PartialGuildChannel, Ready, ResumedEvent,
    ThreadListSyncEvent,
};
use tracing::field::Empty;
use tracing::{debug, info, info_span, warn, Instrument, Span};

use super::direct_rest::DirectRest;
use super::interactions::{self, rounded, After};
use super::messages::{self, Addressing, Claim, Cooldowns, Incoming, Listening, RecentAnswers};
use super::threads::{ThreadInfo, Threads};
use super::{register, render, retry};
use crate::commands;
use crate::config::DiscordConfig;
use crate::conversation::{self, Key, Said};
use crate::http::metrics::Metrics;
use crate::matcher::UNPROMPTED_THRESHOLD;
use crate::ops::reload::SharedFaq;
use crate::ops::{unanswered, Operations, Place, Transport};
use crate::reply::Reply;
use crate::Faq;

/// Discord drops an interaction not answered within 3 seconds; answers
/// slower than this are logged as a warning long before that happens.
const SLOW_ANSWER: Duration = Duration::from_millis(1500);

/// How long after an interaction arrives its response may still be sent.
const INTERACTION_DEADLINE: Duration = Duration::from_millis(2_800);
/// How long posting a shared answer may take, so that the interaction
/// can still be answered in time (by its own response if posting failed).
const POST_DEADLINE: Duration = Duration::from_millis(1_500);
/// How long a reply to a message keeps being retried; later, the asker has
/// moved on.
const REPLY_DEADLINE: Duration = Duration::from_secs(10);
/// How long registering the commands at start-up keeps being retried
/// before waiting for the next READY.
const REGISTER_DEADLINE: Duration = Duration::from_secs(30);

/// What keeps a busy channel calm.
struct Calm {
    cooldowns: Cooldowns,
    recent: RecentAnswers,
}

pub struct Handler {
    /// The current knowledge; each event loads it once and keeps that
    /// version to the end, whatever a reload does meanwhile.
    faq: SharedFaq,
    ops: Operations,
    /// Served on `METRICS_ADDR` when it is set; counted either way.
    metrics: Arc<Metrics>,
    me: u64,
    listening: Listening,
    /// Which channels are threads, for answering under answer channels
    /// and in forums.
    threads: Threads,
    rest_timeout: Duration,
    guild: Option<GuildId>,
    /// Only the process that runs shard 0 registers the commands, so a
    /// deployment of many processes does it once.
    registers: bool,
    registered: AtomicBool,
    calm: Mutex<Calm>,
    /// With a REST proxy, replies and interaction responses go out here,
    /// so a 429's `retry_after` is honoured.
    direct: Option<DirectRest>,
}

#[serenity::async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        let (shard, total) = ready.shard.map_or((0, 1), |s| (s.id.0, s.total));
        self.metrics.gateway.connection_made(shard);
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
            let deadline = Instant::now() + REGISTER_DEADLINE;
            let registered = retry::retried(
                "command registration",
                retry::Repeat::Safe,
                deadline,
                || register::set_commands(&ctx.http, &faq, self.guild),
            )
            .await;
            match registered {
                Ok(count) => match self.guild {
                    Some(g) => {
                        info!(count, guild = %g, "registered the slash commands in the guild")
                    }
                    None => info!(count, "registered the slash commands globally"),
                },
                Err(e) => {
                    // Try again at the next READY.
                    self.registered.store(false, Ordering::SeqCst);
                    warn!(error = %retry::describe(&e), "could not register the slash commands");
                }
            }
        }
    }

    async fn resume(&self, ctx: Context, _resumed: ResumedEvent) {
        info!(shard = ctx.shard_id.0, "resumed the gateway session");
        self.metrics.gateway.connection_made(ctx.shard_id.0);
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
                // Post is not limited: it shares an answer the limited
                // command already gave.
                Interaction::Component(c)
                    if c.data.custom_id.starts_with(commands::POST_PREFIX)
                        && interactions::installed_here(&interaction) =>
                {
                    self.post_clicked(&ctx, c, &interaction, started).await
                }
                _ => self.handle(&ctx, &interaction, started).await,
            };
            self.metrics.latency(started.elapsed());
            finish(&Span::current(), started, result.err(), done);
        }
        .instrument(span)
        .await;
    }

    async fn thread_create(&self, _ctx: Context, thread: GuildChannel) {
        self.threads.learn(&thread);
    }

    async fn thread_update(&self, _ctx: Context, _old: Option<GuildChannel>, new: GuildChannel) {
        self.threads.learn(&new);
    }

    async fn thread_delete(
        &self,
        _ctx: Context,
        thread: PartialGuildChannel,
        _full: Option<GuildChannel>,
    ) {
        self.threads.forget(thread.id.get());
    }

    async fn thread_list_sync(&self, _ctx: Context, sync: ThreadListSyncEvent) {
        for thread in &sync.threads {
            self.threads.learn(thread);
        }
    }

    async fn message(&self, ctx: Context, msg: Message) {
        let started = Instant::now();
        let mentions_bot = msg.mentions.iter().any(|u| u.id.get() == self.me);
        // Only a message the bot would otherwise not read needs to know
        // whether it is in a thread, and of what.
        let thread = match msg.guild_id {
            Some(_)
                if !mentions_bot
                    && !msg.author.bot
                    && self.listening.needs_thread(msg.channel_id.get()) =>
            {
                self.thread_of(&ctx, msg.channel_id).await
            }
            _ => None,
        };
        let incoming = Incoming {
            id: msg.id.get(),
            author: msg.author.id.get(),
            author_is_bot: msg.author.bot,
            from_webhook: msg.webhook_id.is_some(),
            ordinary: matches!(msg.kind, MessageType::Regular | MessageType::InlineReply),
            in_dm: msg.guild_id.is_none(),
            channel: msg.channel_id.get(),
            thread: thread.as_ref().map(|t| messages::Thread {
                parent: t.parent,
                title: &t.title,
            }),
            content: &msg.content,
            mentions_bot,
        };
        let (question, direct) = match messages::address(&incoming, self.me, &self.listening) {
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

/// The ids of a message's buttons.
fn button_ids(message: &Message) -> impl Iterator<Item = &str> {
    message
        .components
        .iter()
        .flat_map(|row| &row.components)
        .filter_map(|c| match c {
            ActionRowComponent::Button(Button {
                data: ButtonKind::NonLink { custom_id, .. },
                ..
            }) => Some(custom_id.as_str()),
            _ => None,
        })
}

/// The token an interaction's response is sent with.
fn interaction_token(interaction: &Interaction) -> Option<&str> {
    match interaction {
        Interaction::Command(c) | Interaction::Autocomplete(c) => Some(&c.token),
        Interaction::Component(c) => Some(&c.token),
        Interaction::Modal(m) => Some(&m.token),
        _ => None,
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
fn finish(span: &Span, started: Instant, error: Option<String>, done: &str) {
    let latency = started.elapsed();
    span.record(
        "latency_ms",
        u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
    );
    match error {
        None if latency > SLOW_ANSWER => warn!("{done}, slowly"),
        None => info!("{done}"),
        Some(e) => warn!(error = %e, "could not send the answer; it was lost ({done})"),
    }
}

/// What to do with a question in a message, decided under the lock.
enum Plan {
    CoolingDown(Duration),
    Answer,
    Point(Option<u64>),
}

impl Handler {
    /// A handler for the bot whose user id is `me`. `registers` says
    /// whether this process registers the commands at READY.
    pub fn new(
        config: &DiscordConfig,
        me: u64,
        registers: bool,
        faq: SharedFaq,
        ops: Operations,
        metrics: Arc<Metrics>,
    ) -> Handler {
        Handler {
            faq,
            ops,
            metrics,
            me,
            listening: Listening {
                answer_channels: config.answer_channels.iter().map(|c| c.get()).collect(),
                forums: config.forum_channels.iter().map(|c| c.get()).collect(),
            },
            threads: Threads::default(),
            rest_timeout: config.rest_timeout,
            guild: config.guild_id.map(GuildId::from),
            registers,
            registered: AtomicBool::new(false),
            calm: Mutex::new(Calm {
                cooldowns: Cooldowns::new(config.cooldown),
                recent: RecentAnswers::new(messages::REPEAT_WINDOW),
            }),
            direct: config.http_proxy.as_deref().and_then(|proxy| {
                DirectRest::new(proxy, config.token.expose(), config.rest_timeout)
                    .map_err(|e| warn!(error = %e, "cannot build the REST client for the proxy; serenity sends instead"))
                    .ok()
            }),
        }
    }

    /// Answers an interaction with [`interactions::handle`] on the current
    /// knowledge, counts it and notes it in the current span.
    async fn handle(
        &self,
        ctx: &Context,
        interaction: &Interaction,
        started: Instant,
    ) -> (Result<(), String>, &'static str) {
        let handled = {
            let faq = self.faq.load();
            interactions::handle(&faq, &self.ops, Transport::Slash, interaction)
        };
        let summary = &handled.summary;
        self.metrics.record(summary);
        let span = Span::current();
        span.record("command", summary.name.as_str());
        summary.record_answer(&span);
        let done = match summary.slowed {
            Some(_) => "asked to slow down",
            None => "answered",
        };
        let sent = self
            .respond(ctx, interaction, handled.response, started)
            .await;
        if let (Ok(()), Some(after)) = (&sent, handled.after) {
            self.finish_after(ctx, interaction, after).await;
        }
        (sent, done)
    }

    /// Does what a response left to do. Removing deletes the message as
    /// the bot where it is a member (it may always delete its own), and
    /// through the interaction's token where only an account install
    /// brought it.
    async fn finish_after(&self, ctx: &Context, interaction: &Interaction, after: After) {
        match after {
            After::DeleteMessage { channel, message } => {
                let deleted = if interactions::installed_here(interaction) {
                    tokio::time::timeout(
                        self.rest_timeout,
                        ctx.http.delete_message(
                            ChannelId::new(channel),
                            MessageId::new(message),
                            None,
                        ),
                    )
                    .await
                } else {
                    let token = interaction_token(interaction).unwrap_or_default();
                    tokio::time::timeout(
                        self.rest_timeout,
                        ctx.http.delete_original_interaction_response(token),
                    )
                    .await
                };
                match deleted {
                    Ok(Ok(())) => debug!(message, "removed an answer"),
                    Ok(Err(e)) => {
                        warn!(error = %retry::describe(&e), message, "could not delete a removed answer; it stays blanked")
                    }
                    Err(_) => warn!(
                        message,
                        "deleting a removed answer timed out; it stays blanked"
                    ),
                }
            }
        }
    }

    /// Sends an interaction's response, through the proxy's client when
    /// there is one.
    async fn respond(
        &self,
        ctx: &Context,
        interaction: &Interaction,
        response: CreateInteractionResponse,
        started: Instant,
    ) -> Result<(), String> {
        // Discord drops an interaction not answered within three seconds
        // of its arrival; retries stop before that.
        let deadline = started + INTERACTION_DEADLINE;
        match (&self.direct, interaction_token(interaction)) {
            (Some(direct), Some(token)) => direct
                .respond(interaction.id().get(), token, &response, deadline)
                .await
                .map_err(|e| e.to_string()),
            _ => retry::retried(
                "interaction response",
                retry::Repeat::Once,
                deadline,
                || send(ctx, interaction, response.clone()),
            )
            .await
            .map_err(|e| retry::describe(&e)),
        }
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
        // The conversation: a reply to one of the bot's own answers carries
        // its topic; otherwise what was last answered to this person here.
        let key = Key {
            place: msg.channel_id.get(),
            person: msg.author.id.get(),
        };
        let replied_to = msg
            .referenced_message
            .as_deref()
            .filter(|m| m.author.id.get() == self.me)
            .and_then(|m| messages::answered_topic(button_ids(m)));
        let now = Instant::now();
        let turn = (!question.is_empty()).then(|| {
            let earlier = replied_to.or_else(|| self.ops.conversations.recall(key, now));
            conversation::respond(faq, question, earlier.as_deref())
        });
        let found = turn.as_ref().map(|t| t.found.clone());
        if let Some(found) = &found {
            if let Some(topic) = &found.topic {
                span.record("topic", topic.as_str());
            }
            span.record("confidence", rounded(found.confidence));
        }
        let sure = turn.as_ref().is_some_and(|t| {
            t.said == Said::Answer
                && t.found.topic.is_some()
                && t.found.confidence >= UNPROMPTED_THRESHOLD
        });
        if !direct && !sure {
            // Ordinary chatter in an answer channel: stay out of it, and
            // out of the unanswered log, which is for questions put to
            // the bot.
            span.record("outcome", "silent");
            debug!("not sure enough to answer unasked");
            return;
        }

        // The topic an answer shows; a "CSPO or PSPO?" question shows none
        // yet, so it neither claims the topic in the channel nor counts.
        let topic = turn
            .as_ref()
            .filter(|t| t.said == Said::Answer)
            .and_then(|t| t.found.topic.clone());
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
            Plan::Answer => match &turn {
                None => (messages::nudge(), "nudged"),
                Some(t) => (
                    t.reply.clone(),
                    match t.said {
                        Said::Answer => "answered",
                        Said::Clarify => "asked which certification",
                        Said::SmallTalk | Said::Help => "small talk",
                        Said::Unknown => "did not know",
                    },
                ),
            },
        };
        span.record("outcome", outcome);
        match (&plan, &topic) {
            (Plan::Answer, Some(t)) => self.metrics.answer(t),
            (Plan::Answer, None) if turn.as_ref().is_some_and(|t| t.said == Said::Unknown) => {
                self.metrics.unanswered()
            }
            _ => {}
        }
        if let (Plan::Answer, Some(t)) = (&plan, &turn) {
            if let Some(topic) = t.topic() {
                self.ops.conversations.remember(key, topic, now);
            }
        }
        if let Some(found) = turn
            .as_ref()
            .filter(|t| t.said.is_question())
            .map(|t| &t.found)
        {
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
                Ok(id) => calm.recent.sent(msg.channel_id.get(), t, *id),
                Err(_) => calm.recent.forget(msg.channel_id.get(), t),
            }
        }
        finish(&span, started, sent.err(), outcome);
    }

    /// Replies to `msg` without pinging its author, with a button that lets
    /// the author remove the reply.
    async fn reply_to(&self, ctx: &Context, msg: &Message, reply: Reply) -> Result<u64, String> {
        let reply = messages::with_delete_button(reply, msg.author.id.get());
        let reference = MessageReference::from(msg).fail_if_not_exists(false);
        let builder = render::channel_message(&reply).reference_message(reference);
        let deadline = Instant::now() + REPLY_DEADLINE;
        if let Some(direct) = &self.direct {
            return direct
                .send_message(msg.channel_id.get(), &builder, deadline)
                .await
                .map_err(|e| e.to_string());
        }
        retry::retried("reply", retry::Repeat::Once, deadline, || {
            msg.channel_id.send_message(&ctx.http, builder.clone())
        })
        .await
        .map(|m| m.id.get())
        .map_err(|e| retry::describe(&e))
    }

    /// The thread `channel` is, if it is one: from what Discord reported,
    /// or looked up once. A failed lookup is not remembered, so the next
    /// message tries again.
    async fn thread_of(&self, ctx: &Context, channel: ChannelId) -> Option<ThreadInfo> {
        if let Some(known) = self.threads.get(channel.get()) {
            return known;
        }
        match tokio::time::timeout(self.rest_timeout, ctx.http.get_channel(channel)).await {
            Ok(Ok(Channel::Guild(c))) => {
                self.threads.learn(&c);
                ThreadInfo::of(&c)
            }
            Ok(Ok(_)) => {
                self.threads.remember(channel.get(), None);
                None
            }
            // The bot cannot see it (or it is gone): not one to answer in.
            Ok(Err(serenity::Error::Http(HttpError::UnsuccessfulRequest(e))))
                if matches!(e.status_code.as_u16(), 403 | 404) =>
            {
                self.threads.remember(channel.get(), None);
                None
            }
            Ok(Err(e)) => {
                debug!(error = %retry::describe(&e), %channel, "could not look the channel up");
                None
            }
            Err(_) => {
                debug!(%channel, "looking the channel up timed out");
                None
            }
        }
    }

    /// A click on Post under a private answer to someone's message: the
    /// answer is posted as a reply to that message, and the private one
    /// says where. Where the bot cannot post (no permission there), the
    /// interaction's own response carries it instead, with a link to the
    /// message, as on the HTTP endpoint.
    async fn post_clicked(
        &self,
        ctx: &Context,
        c: &ComponentInteraction,
        interaction: &Interaction,
        started: Instant,
    ) -> (Result<(), String>, &'static str) {
        let faq = self.faq.load_full();
        let Some(post) = commands::post(&faq, &c.data.custom_id) else {
            return self.handle(ctx, interaction, started).await;
        };
        Span::current().record("command", "post");
        if let Some(topic) = post.topics.first() {
            Span::current().record("topic", topic.as_str());
        }
        let reply = messages::with_delete_button(post.reply(&faq, None), c.user.id.get());
        let reference = MessageReference::from((c.channel_id, MessageId::new(post.message)))
            .fail_if_not_exists(false);
        let builder = render::channel_message(&reply).reference_message(reference);
        let deadline = started + POST_DEADLINE;
        let sent = match &self.direct {
            Some(direct) => direct
                .send_message(c.channel_id.get(), &builder, deadline)
                .await
                .map_err(|e| e.to_string()),
            None => retry::retried("post", retry::Repeat::Once, deadline, || {
                c.channel_id.send_message(&ctx.http, builder.clone())
            })
            .await
            .map(|m| m.id.get())
            .map_err(|e| retry::describe(&e)),
        };
        match sent {
            Ok(id) => {
                let link =
                    messages::jump_link(c.guild_id.map(GuildId::get), c.channel_id.get(), id);
                let done = CreateInteractionResponse::UpdateMessage(render::update_message(
                    &messages::posted(&link),
                ));
                let responded = self.respond(ctx, interaction, done, started).await;
                (responded, "posted as a reply")
            }
            Err(e) => {
                info!(error = %e, "could not post the answer as a reply; answering in the interaction instead");
                self.handle(ctx, interaction, started).await
            }
        }
    }
}
