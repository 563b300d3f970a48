//! A [`Reply`] as serenity builders: an embed, buttons and menus in action
//! rows, and mentions that ping nobody.
//!
//! Limits were enforced when the reply was built; this module only
//! translates, plus one guarantee of its own: `allowed_mentions` is always
//! empty, so no question text can make the bot ping `@everyone`, a role
//! or a user.

use serenity::all::{
    ButtonStyle as SerenityStyle, CreateActionRow, CreateAllowedMentions, CreateButton,
    CreateEmbed, CreateEmbedFooter, CreateInteractionResponseMessage, CreateMessage,
    CreateSelectMenu, CreateSelectMenuKind, CreateSelectMenuOption,
};

use crate::reply::{Button, ButtonStyle, Reply};

/// Mentions that allow no ping at all.
pub fn no_pings() -> CreateAllowedMentions {
    CreateAllowedMentions::new()
        .empty_users()
        .empty_roles()
        .everyone(false)
        .replied_user(false)
}

pub fn embed(reply: &Reply) -> CreateEmbed {
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
    CreateInteractionResponseMessage::new()
        .embed(embed(reply))
        .components(components(reply))
        .ephemeral(reply.ephemeral)
        .allowed_mentions(no_pings())
}

/// The reply as a channel message (ephemeral replies cannot exist there).
pub fn channel_message(reply: &Reply) -> CreateMessage {
    CreateMessage::new()
        .embed(embed(reply))
        .components(components(reply))
        .allowed_mentions(no_pings())
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
