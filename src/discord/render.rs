//! A [`Reply`] as serenity builders: an embed, buttons and menus in action
//! rows, and mentions that ping nobody.
//!
//! Limits were enforced when the reply was built; this module only
//! translates, plus one guarantee of its own: `allowed_mentions` names
//! nobody but the one person a reply is addressed to (whom the asker chose),
//! so no question text can make the bot ping `@everyone`, a role or a user.

use serenity::all::{
    ButtonStyle as SerenityStyle, CreateActionRow, CreateAllowedMentions, CreateButton,
    CreateEmbed, CreateEmbedAuthor, CreateEmbedFooter, CreateInteractionResponseMessage,
    CreateMessage, CreateSelectMenu, CreateSelectMenuKind, CreateSelectMenuOption, UserId,
};

use crate::reply::{Button, ButtonStyle, Reply, ASKED_LABEL};

/// Mentions that allow no ping at all.
pub fn no_pings() -> CreateAllowedMentions {
    CreateAllowedMentions::new()
        .empty_users()
        .empty_roles()
        .everyone(false)
        .replied_user(false)
}

/// The mentions a reply may make: none, or only the person it is
/// addressed to.
fn pings(reply: &Reply) -> CreateAllowedMentions {
    match reply.addressed_to {
        Some(person) => no_pings().users([UserId::new(person.max(1))]),
        None => no_pings(),
    }
}

/// The question an answer shows, read back from the message it was sent
/// as (for instance, when someone votes on it).
pub fn asked_in(embed_author: &str) -> Option<&str> {
    embed_author
        .strip_prefix(ASKED_LABEL)
        .filter(|q| !q.is_empty())
}

/// The line above the card that addresses its person, if it has one.
/// Mentions live in the content: one inside an embed notifies nobody.
fn addressing(reply: &Reply) -> Option<String> {
    reply
        .addressed_to
        .map(|person| format!("<@{person}>, have a look at this:"))
}

pub fn embed(reply: &Reply) -> CreateEmbed {
    // Command names become clickable where their ids are known.
    let reply = &super::mentions::known().clickable(reply.clone());
    let mut embed = CreateEmbed::new().description(&reply.description);
    if let Some(title) = &reply.title {
        embed = embed.title(title);
    }
    if let Some(url) = &reply.url {
        embed = embed.url(url);
    }
    if let Some(color) = reply.color {
        embed = embed.colour(color);
    }
    if let Some(footer) = &reply.footer {
        embed = embed.footer(CreateEmbedFooter::new(footer));
    }
    // An embed's author line renders neither markdown nor mentions, so
    // the question shows exactly as typed and can ping nobody.
    if let Some(asked) = &reply.asked {
        embed = embed.author(CreateEmbedAuthor::new(format!("{ASKED_LABEL}{asked}")));
    }
    embed.fields(
        reply
            .fields
            .iter()
            .map(|f| (f.name.clone(), f.value.clone(), f.inline)),
    )
}

pub fn components(reply: &Reply) -> Vec<CreateActionRow> {
    let mut rows: Vec<CreateActionRow> = Vec::new();
    if let Some(select) = &reply.select {
        let options = select
            .options
            .iter()
            .map(|o| {
                let option = CreateSelectMenuOption::new(&o.label, &o.value);
                match &o.description {
                    Some(d) => option.description(d),
                    None => option,
                }
            })
            .collect();
        rows.push(CreateActionRow::SelectMenu(
            CreateSelectMenu::new(&select.custom_id, CreateSelectMenuKind::String { options })
                .placeholder(&select.placeholder),
        ));
    }
    // Rows come clamped from `within_limits`; chunking again costs
    // nothing and keeps an unclamped reply valid too.
    for row in reply.button_rows_iter() {
        for chunk in row.chunks(crate::limits::BUTTONS_PER_ROW) {
            rows.push(CreateActionRow::Buttons(chunk.iter().map(button).collect()));
        }
    }
    rows
}

fn button(b: &Button) -> CreateButton {
    match b {
        Button::Link { label, url } => CreateButton::new_link(url).label(label),
        Button::Action {
            label,
            custom_id,
            style,
        } => CreateButton::new(custom_id)
            .label(label)
            .style(match style {
                ButtonStyle::Primary => SerenityStyle::Primary,
                ButtonStyle::Secondary => SerenityStyle::Secondary,
                ButtonStyle::Success => SerenityStyle::Success,
                ButtonStyle::Danger => SerenityStyle::Danger,
            }),
    }
}

/// The reply as an interaction response message.
pub fn interaction_message(reply: &Reply) -> CreateInteractionResponseMessage {
    let message = CreateInteractionResponseMessage::new()
        .embed(embed(reply))
        .components(components(reply))
        .ephemeral(reply.ephemeral)
        .allowed_mentions(pings(reply));
    match addressing(reply) {
        Some(line) => message.content(line),
        None => message,
    }
}

/// The reply replacing the message a button is on (whoever could see it
/// still can: an update keeps the message's visibility).
pub fn update_message(reply: &Reply) -> CreateInteractionResponseMessage {
    CreateInteractionResponseMessage::new()
        .embed(embed(reply))
        .components(components(reply))
        .allowed_mentions(pings(reply))
}

/// The reply as a channel message (ephemeral replies cannot exist there).
pub fn channel_message(reply: &Reply) -> CreateMessage {
    let message = CreateMessage::new()
        .embed(embed(reply))
        .components(components(reply))
        .allowed_mentions(pings(reply));
    match addressing(reply) {
        Some(line) => message.content(line),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::{Select, SelectOption};

    #[test]
    fn messages_never_allow_pings() {
        let reply = Reply::card("@everyone", "<@&1> <@2> @here");
        let json = serde_json::to_value(interaction_message(&reply)).unwrap_or_default();
        let mentions = &json["allowed_mentions"];
        assert_eq!(mentions["parse"], serde_json::json!([]));
        assert_eq!(mentions["users"], serde_json::json!([]));
        assert_eq!(mentions["roles"], serde_json::json!([]));
        assert_eq!(mentions["replied_user"], serde_json::json!(false));
    }

    #[test]
    fn an_addressed_reply_may_ping_its_person_and_nobody_else() {
        let reply = Reply::card("t", "<@9> @everyone").addressed_to(42);
        for json in [
            serde_json::to_value(interaction_message(&reply)).unwrap_or_default(),
            serde_json::to_value(channel_message(&reply)).unwrap_or_default(),
        ] {
            assert_eq!(json["content"], "<@42>, have a look at this:");
            let mentions = &json["allowed_mentions"];
            assert_eq!(mentions["users"], serde_json::json!(["42"]));
            assert_eq!(mentions["roles"], serde_json::json!([]));
            assert_eq!(mentions["parse"], serde_json::json!([]));
            assert_eq!(mentions["replied_user"], serde_json::json!(false));
        }
    }

    #[test]
    fn a_select_menu_comes_first_and_buttons_follow_in_rows_of_five() {
        let mut reply = Reply::card("t", "d");
        for i in 0..7 {
            reply = reply.action_button("b", &format!("topic:{i}"), ButtonStyle::Secondary);
        }
        reply.select = Some(Select {
            custom_id: "topics".into(),
            placeholder: "p".into(),
            options: vec![SelectOption {
                label: "l".into(),
                value: "topic:x".into(),
                description: None,
            }],
        });
        let json = serde_json::to_value(components(&reply)).unwrap_or_default();
        let rows = json.as_array().cloned().unwrap_or_default();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0]["components"][0]["type"], 3);
        assert_eq!(rows[1]["components"].as_array().map(Vec::len), Some(5));
        assert_eq!(rows[2]["components"].as_array().map(Vec::len), Some(2));
    }
}
