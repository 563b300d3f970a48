//! Answers a Discord interaction with the core's commands. The gateway
//! bot and the HTTP endpoint both call [`handle`], so the same interaction
//! gets the same reply, to the byte, is logged the same way and counts
//! against the same rate limit, whichever way it arrived.

use std::time::{Duration, Instant};

use serenity::all::{
    AuthorizingIntegrationOwner, AutocompleteChoice, CommandDataOption, CommandDataOptionValue,
    CommandInteraction, ComponentInteraction, ComponentInteractionDataKind,
    CreateAutocompleteResponse, CreateInteractionResponse, Interaction, ResolvedTarget,
};

use super::{clicks, messages, render};
use crate::commands::{self, Args, Outcome};
use crate::conversation::Key;
use crate::ops::feedback::Vote;
use crate::ops::{unanswered, Operations, Place, Transport};
use crate::reply::{Reply, COLOR_NOTICE};
use crate::Faq;

/// What an interaction was, for logs and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Ping,
    Command,
    Autocomplete,
    Component,
    Modal,
    Other,
}

impl Kind {
    pub fn of(interaction: &Interaction) -> Kind {
        match interaction {
            Interaction::Ping(_) => Kind::Ping,
            Interaction::Command(_) => Kind::Command,
            Interaction::Autocomplete(_) => Kind::Autocomplete,
            Interaction::Component(_) => Kind::Component,
            Interaction::Modal(_) => Kind::Modal,
            _ => Kind::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Ping => "ping",
            Kind::Command => "command",
            Kind::Autocomplete => "autocomplete",
            Kind::Component => "component",
            Kind::Modal => "modal",
            Kind::Other => "other",
        }
    }
}

/// What an interaction led to: the response to send, and what it was
/// about for logs and metrics.
pub struct Handled {
    pub response: CreateInteractionResponse,
    pub summary: Summary,
    /// What the transport does once the response is sent.
    pub after: Option<After>,
}

/// Work left for the transport after the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    /// Delete the message the clicked button is on (Remove): the response
    /// already blanked it.
    DeleteMessage { channel: u64, message: u64 },
}

/// Answers an interaction: checks the person's rate limit, runs the
/// command or click, and writes what maintainers need to the logs in
/// `ops` (a question answered unsure, a feedback click). `transport` says
/// how it arrived, for those logs.
pub fn handle(
    faq: &Faq,
    ops: &Operations,
    transport: Transport,
    interaction: &Interaction,
) -> Handled {
    let mut summary = Summary::of(interaction);
    if let Some(wait) = throttled(ops, interaction) {
        summary.slowed = Some(wait);
        return Handled {
            response: message(&slow_down(wait)),
            summary,
            after: None,
        };
    }
    let place = place(interaction);
    let mut after = None;
    let response = match interaction {
        Interaction::Ping(_) => CreateInteractionResponse::Pong,
        Interaction::Command(command) => {
            let has_subcommands = command
                .data
                .options
                .iter()
                .any(|o| matches!(o.value, CommandDataOptionValue::SubCommand(_)));
            super::mentions::known().learn(
                &command.data.name,
                command.data.id.get(),
                has_subcommands,
            );
            let key = Key {
                place: command.channel_id.get(),
                person: command.user.id.get(),
            };
            let now = Instant::now();
            let earlier = ops.conversations.recall(key, now);
            let outcome = run_command(faq, ops, command, earlier.as_deref());
            if let Some(topic) = outcome.asked.as_ref().and_then(|a| a.topic_to_remember()) {
                ops.conversations.remember(key, topic, now);
            }
            if let Some(asked) = outcome.asked.as_ref().filter(|a| a.said.is_question()) {
                unanswered::record(
                    ops.unanswered.as_ref(),
                    &asked.question,
                    &asked.found,
                    transport,
                    place,
                );
                summary.confidence = Some(asked.found.confidence);
                summary.answer = Some(shown(faq, asked.found.topic.as_deref()));
            }
            let reply = match outcome.asked.as_ref().filter(|a| a.said.is_question()) {
                Some(asked) => outcome.reply.answering(&asked.question),
                None => outcome.reply,
            };
            message(&public_removable(reply, command.user.id.get()))
        }
        Interaction::Autocomplete(command) => autocomplete(faq, command),
        Interaction::Component(component) => {
            let clicked = clicks::clicked(faq, ops, transport, component, &mut summary);
            after = clicked.after;
            clicked.response
        }
        Interaction::Modal(form) => clicks::submitted(faq, ops, transport, form, &mut summary),
        _ => message(&notice("I can't handle that kind of interaction.")),
    };
    Handled {
        response,
        summary,
        after,
    }
}

/// A public answer with the Remove button for `asker` (and moderators);
/// a private one as it is, since its reader can dismiss it.
pub fn public_removable(reply: Reply, asker: u64) -> Reply {
    if reply.ephemeral {
        reply
    } else {
        messages::with_delete_button(reply, asker)
    }
}

/// The response alone, with no logs and no rate limit.
pub fn respond(faq: &Faq, interaction: &Interaction) -> CreateInteractionResponse {
    handle(faq, &Operations::default(), Transport::Http, interaction).response
}

/// Where an interaction happened: its guild and channel, never its user
/// (nor, in a DM, the channel, which is theirs).
pub fn place(interaction: &Interaction) -> Place {
    let (guild, channel) = match interaction {
        Interaction::Command(c) | Interaction::Autocomplete(c) => (c.guild_id, c.channel_id),
        Interaction::Component(c) => (c.guild_id, c.channel_id),
        Interaction::Modal(m) => (m.guild_id, m.channel_id),
        _ => return Place::default(),
    };
    Place::in_discord(guild.map(|g| g.get()), channel.get())
}

/// How long the person behind `interaction` must wait, if they are over
/// the rate limit. Commands and clicks count; autocomplete does not, since
/// Discord sends it on every keystroke and it has no way to say "wait".
fn throttled(ops: &Operations, interaction: &Interaction) -> Option<Duration> {
    let limit = ops.rate_limit.as_ref()?;
    let user = match interaction {
        Interaction::Command(c) => c.user.id,
        // Remove only ever takes something away, and only the asker's or
        // a moderator's click does: never held back.
        Interaction::Component(c) if messages::delete_owner(&c.data.custom_id).is_some() => {
            return None
        }
        Interaction::Component(c) => c.user.id,
        Interaction::Modal(m) => m.user.id,
        _ => return None,
    };
    limit.check(user.get(), Instant::now()).err()
}

/// The private note for someone over the rate limit.
fn slow_down(wait: Duration) -> Reply {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let mut reply = Reply::card(
        "One moment",
        &format!(
            "You're asking faster than I can keep up with in a busy server. Try again in {} second{}.",
            seconds.max(1),
            if seconds > 1 { "s" } else { "" }
        ),
    )
    .ephemeral();
    reply.color = Some(COLOR_NOTICE);
    reply.within_limits()
}

pub(super) fn shown(faq: &Faq, topic: Option<&str>) -> Shown {
    match topic.filter(|id| faq.topic(id).is_some()) {
        Some(id) => Shown::Topic(id.to_string()),
        None => Shown::Nothing,
    }
}

pub(super) fn message(reply: &Reply) -> CreateInteractionResponse {
    CreateInteractionResponse::Message(render::interaction_message(reply))
}

/// The options a user filled in, as the core's arguments; for a message
/// command, the message it was used on.
pub fn args(command: &CommandInteraction) -> Args {
    if let Some(ResolvedTarget::Message(target)) = command.data.target() {
        return Args::default()
            .with(commands::TARGET_TEXT, &target.content)
            .with(commands::TARGET_ID, &target.id.to_string());
    }
    let mut args = Args::default();
    add_options(&mut args, &command.data.options);
    args
}

/// A command's options as arguments, a subcommand's own among them.
fn add_options(args: &mut Args, options: &[CommandDataOption]) {
    for o in options {
        match &o.value {
            CommandDataOptionValue::String(s) => args.0.push((o.name.clone(), s.clone())),
            CommandDataOptionValue::Autocomplete { value, .. } => {
                args.0.push((o.name.clone(), value.clone()))
            }
            CommandDataOptionValue::User(id) => args.0.push((o.name.clone(), id.to_string())),
            CommandDataOptionValue::SubCommand(inner) => {
                args.0
                    .push((commands::SUBCOMMAND.to_string(), o.name.clone()));
                add_options(args, inner);
            }
            _ => {}
        }
    }
}

/// Whether the bot itself is a member where `interaction` happened, so it
/// can post there: an install to the server it came from. Used from an
/// account install elsewhere, the interaction response is all it has.
pub fn installed_here(interaction: &Interaction) -> bool {
    let (owners, guild) = match interaction {
        Interaction::Command(c) | Interaction::Autocomplete(c) => {
            (&c.authorizing_integration_owners, c.guild_id)
        }
        Interaction::Component(c) => (&c.authorizing_integration_owners, c.guild_id),
        _ => return false,
    };
    owners.0.iter().any(|o| match o {
        AuthorizingIntegrationOwner::GuildInstall(Some(g)) => Some(g) == guild.as_ref(),
        // An install to the server, used in a DM with the bot.
        AuthorizingIntegrationOwner::GuildInstall(None) => guild.is_none(),
        _ => false,
    })
}

fn run_command(
    faq: &Faq,
    ops: &Operations,
    command: &CommandInteraction,
    earlier: Option<&str>,
) -> Outcome {
    let Some(cmd) = commands::find(&command.data.name) else {
        return notice("That command is no longer available. Try `/help`.").into();
    };
    let args = args(command);
    // The maintainers' report is for the servers that installed the bot;
    // a command that shows it answers nobody elsewhere.
    if cmd.server_only() && !installed_here_command(command) {
        return notice("That command works only in a server that added the bot.").into();
    }
    // Discord shows the command only to members with its permissions;
    // the bot checks them too, so a stale client or a changed setting
    // cannot show the report to others.
    if let Some(needed) = cmd.default_permissions() {
        let held = command
            .member
            .as_ref()
            .and_then(|m| m.permissions)
            .map_or(0, |p| p.bits());
        if held & needed != needed {
            return notice("That command is for the people who run this server (Manage Server).")
                .into();
        }
    }
    match cmd.with_report(faq, &args, ops.report.get().as_deref()) {
        Some(reply) => reply.into(),
        None => cmd.outcome_in(faq, &args, earlier),
    }
}

fn installed_here_command(command: &CommandInteraction) -> bool {
    command.guild_id.is_some_and(|guild| {
        command
            .authorizing_integration_owners
            .0
            .iter()
            .any(|o| matches!(o, AuthorizingIntegrationOwner::GuildInstall(Some(g)) if *g == guild))
    })
}

fn autocomplete(faq: &Faq, command: &CommandInteraction) -> CreateInteractionResponse {
    let choices = match (
        commands::find(&command.data.name),
        command.data.autocomplete(),
    ) {
        (Some(cmd), Some(focused)) => cmd.autocomplete(faq, focused.name, focused.value),
        _ => Vec::new(),
    };
    CreateInteractionResponse::Autocomplete(
        CreateAutocompleteResponse::new().set_choices(
            choices
                .into_iter()
                .map(|c| AutocompleteChoice::new(c.name, c.value))
                .collect(),
        ),
    )
}

/// The id a click or menu choice stands for: a menu's chosen value, or
/// the button's own id.
pub fn component_target(component: &ComponentInteraction) -> &str {
    match &component.data.kind {
        ComponentInteractionDataKind::StringSelect { values } => values
            .first()
            .map_or(component.data.custom_id.as_str(), String::as_str),
        _ => component.data.custom_id.as_str(),
    }
}

pub(super) fn notice(text: &str) -> Reply {
    let mut reply = Reply::card("Sorry", text).ephemeral();
    reply.color = Some(COLOR_NOTICE);
    reply.within_limits()
}

/// What an interaction asked and what it led to, for logs and metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub kind: Kind,
    /// The command's name, or the button's or menu choice's id.
    pub name: String,
    /// For a question or a topic button: what was shown.
    pub answer: Option<Shown>,
    /// For a question: how sure the matcher was.
    pub confidence: Option<f32>,
    /// A "Helpful" / "Not helpful" click on a topic the bot knows.
    pub feedback: Option<(String, Vote)>,
    /// Set when the person was asked to wait instead: for how long.
    pub slowed: Option<Duration>,
}

/// The answer to a question or a topic button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    Topic(String),
    /// The bot had no topic to show.
    Nothing,
}

impl Summary {
    fn of(interaction: &Interaction) -> Summary {
        let name = match interaction {
            Interaction::Command(c) | Interaction::Autocomplete(c) => c.data.name.clone(),
            Interaction::Component(c) => component_target(c).to_string(),
            Interaction::Modal(m) => m.data.custom_id.clone(),
            _ => String::new(),
        };
        Summary {
            kind: Kind::of(interaction),
            name,
            answer: None,
            confidence: None,
            feedback: None,
            slowed: None,
        }
    }

    /// The command's name, for commands and their autocomplete.
    pub fn command(&self) -> Option<&str> {
        matches!(self.kind, Kind::Command | Kind::Autocomplete).then_some(self.name.as_str())
    }

    /// The topic shown, if any.
    pub fn topic(&self) -> Option<&str> {
        match &self.answer {
            Some(Shown::Topic(t)) => Some(t),
            _ => None,
        }
    }

    /// Notes the answer on `span`, in its `topic`, `confidence` and
    /// `feedback` fields: what both transports' log lines say of it.
    pub fn record_answer(&self, span: &tracing::Span) {
        if let Some(topic) = self.topic() {
            span.record("topic", topic);
        }
        if let Some(confidence) = self.confidence {
            span.record("confidence", rounded(confidence));
        }
        if let Some((_, vote)) = &self.feedback {
            span.record("feedback", vote.as_str());
        }
    }
}

/// A confidence as logs show it: three decimals, not f32's noise.
pub fn rounded(confidence: f32) -> f64 {
    (f64::from(confidence) * 1000.0).round() / 1000.0
}
