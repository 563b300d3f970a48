//! The core's command definitions as Discord application commands.

use serenity::all::{
    Command, CommandOptionType, CreateCommand, CreateCommandOption, GuildId, Http,
};

use crate::commands::{self, CommandSpec};
use crate::limits::{self, clamp};
use crate::Faq;

pub fn create_command(spec: &CommandSpec) -> CreateCommand {
    let mut command = CreateCommand::new(spec.name)
        .description(clamp(spec.description, limits::COMMAND_DESCRIPTION));
    for o in &spec.options {
        let mut option = CreateCommandOption::new(
            CommandOptionType::String,
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
        .map(|c| create_command(&c.spec(faq)))
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
    match guild {
        Some(guild) => guild.set_commands(http, commands).await?,
        None => Command::set_global_commands(http, commands).await?,
    };
    Ok(count)
}
