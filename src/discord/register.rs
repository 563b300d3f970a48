//! The core's command definitions as Discord application commands, and
//! keeping them in step with knowledge that is reloaded while running.

use std::sync::Arc;
use std::time::Duration;

use serenity::all::{
    Command, CommandOptionType, CommandType, CreateCommand, CreateCommandOption, GuildId, Http,
    InstallationContext, InteractionContext, Permissions,
};
use tokio::sync::mpsc;
use tracing::{info, warn};

use crate::commands::{self, CommandKind, CommandSpec, OptionKind, SlashCommand};
use crate::limits::{self, clamp};
use crate::ops::reload::{self, SharedFaq};
use crate::Faq;

/// Pauses before registering changed commands again after a failure.
const REGISTER_RETRIES: [Duration; 3] = [
    Duration::from_secs(5),
    Duration::from_secs(30),
    Duration::from_secs(120),
];

/// Starts reloading the knowledge on change; the receiver hears of every
/// reload that changed the commands, for [`register_on_change`] or
/// [`warn_on_change`].
pub fn watch_commands(
    reloader: reload::Reloader,
    faq: SharedFaq,
) -> (reload::Watching, mpsc::UnboundedReceiver<()>) {
    let (changed_tx, changed) = mpsc::unbounded_channel::<()>();
    let on_reload: reload::OnReload = Box::new(move |old, new| {
        if reload::commands_changed(old, new) {
            let _ = changed_tx.send(());
        }
    });
    (reloader.start(faq, Some(on_reload)), changed)
}

/// Registers the commands again whenever a reload changes them (a new
/// certification among `/compare`'s choices, say), so Discord shows what
/// the bot now answers.
pub async fn register_on_change(
    mut changed: mpsc::UnboundedReceiver<()>,
    faq: SharedFaq,
    http: Arc<Http>,
    guild: Option<GuildId>,
) {
    while changed.recv().await.is_some() {
        for (attempt, pause) in REGISTER_RETRIES.iter().chain([&Duration::ZERO]).enumerate() {
            // Several reloads in a row need one registration, of the latest.
            while changed.try_recv().is_ok() {}
            let current = faq.load_full();
            match set_commands(&http, &current, guild).await {
                Ok(count) => {
                    info!(
                        count,
                        "the commands changed with the knowledge; registered them again"
                    );
                    break;
                }
                Err(e) if attempt < REGISTER_RETRIES.len() => {
                    warn!(error = %e, retry_in_s = pause.as_secs(), "could not register the changed commands; trying again");
                    tokio::time::sleep(*pause).await;
                }
                Err(e) => warn!(
                    error = %e,
                    "the commands changed with the knowledge, but registering them failed; run `cspo-pspo-bot register`"
                ),
            }
        }
    }
}

/// For a process that cannot register commands (no token or application
/// id): says, on every reload that changed them, what to run.
pub async fn warn_on_change(mut changed: mpsc::UnboundedReceiver<()>) {
    while changed.recv().await.is_some() {
        while changed.try_recv().is_ok() {}
        warn!("the commands changed with the knowledge; run `cspo-pspo-bot register` so Discord shows them (or set DISCORD_TOKEN and DISCORD_APPLICATION_ID, and this is done for you)");
    }
}

/// Where every command may be used: installed to a server or to a
/// person's own account, and in servers, DMs with the bot, and group or
/// private chats (only with the account install, where replies go
/// through the interaction response alone).
const INSTALLS: [InstallationContext; 2] = [InstallationContext::Guild, InstallationContext::User];
const CONTEXTS: [InteractionContext; 3] = [
    InteractionContext::Guild,
    InteractionContext::BotDm,
    InteractionContext::PrivateChannel,
];

/// Where a command for the servers that installed the bot is offered.
const SERVER_INSTALL: [InstallationContext; 1] = [InstallationContext::Guild];
const SERVER: [InteractionContext; 1] = [InteractionContext::Guild];

pub fn create_command(command: &dyn SlashCommand, spec: &CommandSpec) -> CreateCommand {
    let kind = command.kind();
    let mut created = CreateCommand::new(spec.name);
    created = if command.server_only() {
        created
            .integration_types(SERVER_INSTALL.to_vec())
            .contexts(SERVER.to_vec())
    } else {
        created
            .integration_types(INSTALLS.to_vec())
            .contexts(CONTEXTS.to_vec())
    };
    if let Some(bits) = command.default_permissions() {
        created = created.default_member_permissions(Permissions::from_bits_truncate(bits));
    }
    let command = created;
    // A menu command has a name only: Discord refuses a description or
    // options on it.
    if kind == CommandKind::OnMessage {
        return command.kind(CommandType::Message);
    }
    let mut command = command
        .kind(CommandType::ChatInput)
        .description(clamp(spec.description, limits::COMMAND_DESCRIPTION));
    for o in &spec.options {
        let kind = match o.kind {
            OptionKind::Text => CommandOptionType::String,
            OptionKind::Person => CommandOptionType::User,
            OptionKind::Subcommand => CommandOptionType::SubCommand,
        };
        if o.kind == OptionKind::Subcommand {
            command = command.add_option(CreateCommandOption::new(
                kind,
                o.name,
                clamp(o.description, limits::COMMAND_DESCRIPTION),
            ));
            continue;
        }
        let mut option = CreateCommandOption::new(
            kind,
            o.name,
            clamp(o.description, limits::COMMAND_DESCRIPTION),
        )
        .required(o.required)
        .set_autocomplete(o.autocomplete);
        if let Some(max) = o.max_length {
            option = option.max_length(max);
        }
        for c in o.choices.iter().take(limits::AUTOCOMPLETE_CHOICES) {
            option = option.add_string_choice(&c.name, &c.value);
        }
        command = command.add_option(option);
    }
    command
}

/// Every command, ready for a bulk overwrite.
pub fn all_commands(faq: &Faq) -> Vec<CreateCommand> {
    commands::ALL
        .iter()
        .map(|c| create_command(*c, &c.spec(faq)))
        .collect()
}

/// Replaces the registered commands with [`all_commands`] in one bulk
/// overwrite: in one guild, where they appear at once (for development),
/// or globally. Returns how many were registered.
pub async fn set_commands(
    http: &Http,
    faq: &Faq,
    guild: Option<GuildId>,
) -> serenity::Result<usize> {
    let commands = all_commands(faq);
    let count = commands.len();
    let registered = match guild {
        Some(guild) => guild.set_commands(http, commands).await?,
        None => Command::set_global_commands(http, commands).await?,
    };
    for c in &registered {
        let has_subcommands = c
            .options
            .iter()
            .any(|o| o.kind == CommandOptionType::SubCommand);
        super::mentions::known().learn(&c.name, c.id.get(), has_subcommands);
    }
    Ok(count)
}
