//! Answers a Discord interaction with the core's commands. The gateway
//! bot and the HTTP endpoint both call [`respond`], so the same interaction
//! gets the same reply, to the byte, whichever way it arrived.

use serenity::all::{
    AutocompleteChoice, CommandDataOptionValue, CommandInteraction, ComponentInteraction,
    ComponentInteractionDataKind, CreateAutocompleteResponse, CreateInteractionResponse,
    Interaction,
};

use super::render;
use crate::commands::{self, Args};
use crate::reply::{Reply, COLOR_NOTICE};
use crate::Faq;

/// What an interaction was, for logs and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Ping,
    Command,
    Autocomplete,
    Component,
    Other,
}

impl Kind {
    pub fn of(interaction: &Interaction) -> Kind {
        match interaction {
            Interaction::Ping(_) => Kind::Ping,
            Interaction::Command(_) => Kind::Command,
            Interaction::Autocomplete(_) => Kind::Autocomplete,
            Interaction::Component(_) => Kind::Component,
            _ => Kind::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Ping => "ping",
            Kind::Command => "command",
            Kind::Autocomplete => "autocomplete",
            Kind::Component => "component",
            Kind::Other => "other",
        }
    }
}

/// The response to an interaction.
pub fn respond(faq: &Faq, interaction: &Interaction) -> CreateInteractionResponse {
    match interaction {
        Interaction::Ping(_) => CreateInteractionResponse::Pong,
        Interaction::Command(command) => message(&run_command(faq, command)),
        Interaction::Autocomplete(command) => autocomplete(faq, command),
        Interaction::Component(component) => message(&run_component(faq, component)),
        _ => message(&notice("I can't handle that kind of interaction.")),
    }
}

fn message(reply: &Reply) -> CreateInteractionResponse {
    CreateInteractionResponse::Message(render::interaction_message(reply))
}

/// The options a user filled in, as the core's arguments.
pub fn args(command: &CommandInteraction) -> Args {
    Args(
        command
            .data
            .options
            .iter()
            .filter_map(|o| match &o.value {
                CommandDataOptionValue::String(s) => Some((o.name.clone(), s.clone())),
                CommandDataOptionValue::Autocomplete { value, .. } => {
                    Some((o.name.clone(), value.clone()))
                }
                _ => None,
            })
            .collect(),
    )
}

fn run_command(faq: &Faq, command: &CommandInteraction) -> Reply {
    match commands::find(&command.data.name) {
        Some(cmd) => cmd.run(faq, &args(command)),
        None => notice("That command is no longer available. Try `/help`."),
    }
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

fn run_component(faq: &Faq, component: &ComponentInteraction) -> Reply {
    match commands::component(faq, component_target(component)) {
        Some(reply) => reply,
        None => notice(
            "That button is out of date: the topic it opened no longer exists. Try `/topics`.",
        ),
    }
}

fn notice(text: &str) -> Reply {
    let mut reply = Reply::card("Sorry", text).ephemeral();
    reply.color = Some(COLOR_NOTICE);
    reply.within_limits()
}

/// What an interaction asked and what it led to, for logs: the command or
/// button, and for a question, the topic found and how sure the matcher was.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub kind: Kind,
    /// The command's name, or the button's or menu choice's id.
    pub name: String,
    pub topic: Option<String>,
    pub confidence: Option<f32>,
}

/// Describes an interaction without answering it.
pub fn summarize(faq: &Faq, interaction: &Interaction) -> Summary {
    let kind = Kind::of(interaction);
    let (name, topic, confidence) = match interaction {
        Interaction::Command(command) => {
            let name = command.data.name.clone();
            match args(command).get("question").filter(|_| name == "ask") {
                Some(question) => {
                    let found = faq.find(question);
                    (name, found.topic, Some(found.confidence))
                }
                None => (name, None, None),
            }
        }
        Interaction::Autocomplete(command) => (command.data.name.clone(), None, None),
        Interaction::Component(component) => {
            let target = component_target(component);
            let topic = target
                .strip_prefix(commands::TOPIC_PREFIX)
                .filter(|id| faq.topic(id).is_some())
                .map(str::to_string);
            (target.to_string(), topic, None)
        }
        _ => (String::new(), None, None),
    };
    Summary {
        kind,
        name,
        topic,
        confidence,
    }
}
