//! What a click on one of the bot's buttons or menus does, and the
//! feedback form's submission. Shared by both transports through
//! [`super::interactions::handle`].
//!
//! Browsing is private: a topic opened from a button or a menu is shown
//! only to the person who clicked, with **Share** to post it; a click on
//! their own private message replaces that message in place, so browsing
//! never fills the channel. Public answers carry **Remove**, for the asker
//! and moderators.

use std::time::Instant;

use serenity::all::{
    ActionRowComponent, ComponentInteraction, CreateActionRow, CreateInputText,
    CreateInteractionResponse, CreateModal, InputTextStyle, Message, MessageFlags,
    ModalInteraction,
};

use super::interactions::{
    component_target, message, notice, public_removable, shown, After, Summary,
};
use super::{messages, render};
use crate::commands::{self, Post};
use crate::conversation::Key;
use crate::ops::feedback::{self, Details, Vote};
use crate::ops::votes::Cast;
use crate::ops::{Operations, Place, Transport};
use crate::reply::{Button, ButtonStyle, Reply, COLOR_NOTICE};
use crate::Faq;

/// The button that posts a privately opened topic: `share:<topic id>`.
pub const SHARE_PREFIX: &str = "share:";

/// A click's response, and what is left to do after it.
pub struct Clicked {
    pub response: CreateInteractionResponse,
    pub after: Option<After>,
}

impl From<CreateInteractionResponse> for Clicked {
    fn from(response: CreateInteractionResponse) -> Clicked {
        Clicked {
            response,
            after: None,
        }
    }
}

pub fn clicked(
    faq: &Faq,
    ops: &Operations,
    transport: Transport,
    component: &ComponentInteraction,
    summary: &mut Summary,
) -> Clicked {
    let target = component_target(component);
    let clicker = component.user.id.get();
    if let Some(owner) = messages::delete_owner(target) {
        return remove(component, owner);
    }
    if let Some((topic, vote)) = feedback::parse(target) {
        return vote_on(faq, ops, transport, component, topic, vote, summary).into();
    }
    if let Some(id) = target.strip_prefix(SHARE_PREFIX) {
        let Some(topic) = faq.topic(id) else {
            return message(&stale()).into();
        };
        summary.answer = Some(shown(faq, Some(id)));
        let reply = commands::topic_reply(&faq.knowledge, topic);
        return message(&public_removable(reply, clicker)).into();
    }
    if target.starts_with(commands::POST_PREFIX) {
        return match commands::post(faq, target) {
            Some(post) => {
                summary.answer = Some(shown(faq, post.topics.first().map(String::as_str)));
                message(&public_removable(
                    posted_with_link(faq, component, &post),
                    clicker,
                ))
                .into()
            }
            None => message(&notice(
                "That answer is out of date. Use the menu command again.",
            ))
            .into(),
        };
    }
    let Some(reply) = commands::component(faq, target) else {
        return message(&stale()).into();
    };
    // In place of the clicker's own private message: a page of /topics
    // turned, or the topic picked among "Did you mean" under their private
    // fallback. Any other pick opens beside it, so a list stays to pick from.
    let in_place = target.starts_with(commands::SUGGESTED_PREFIX) || reply.select.is_some();
    let reply = match commands::opened_topic(target) {
        Some(id) => {
            summary.answer = Some(shown(faq, Some(id)));
            // A topic opened by a click is what a follow-up continues.
            let key = Key {
                place: component.channel_id.get(),
                person: clicker,
            };
            ops.conversations.remember(key, id, Instant::now());
            shareable(reply, id)
        }
        None => reply,
    };
    browse(component, reply, in_place).into()
}

/// A topic for the clicker's eyes, with the button that posts it.
fn shareable(reply: Reply, topic: &str) -> Reply {
    let mut reply = reply.ephemeral();
    let share = Button::Action {
        label: "Share in the channel".to_string(),
        custom_id: format!("{SHARE_PREFIX}{topic}"),
        style: ButtonStyle::Primary,
    };
    // Beside "Read the full article" and the votes: the first row.
    match reply.rows.first_mut() {
        Some(row) => row.insert(0, share),
        None => reply.rows.push(vec![share]),
    }
    reply.within_limits()
}

/// A private reply to a click: in place of the clicked message when
/// `in_place` and that was the clicker's own private one, as a new
/// private message otherwise.
fn browse(
    component: &ComponentInteraction,
    reply: Reply,
    in_place: bool,
) -> CreateInteractionResponse {
    if in_place && reply.ephemeral && is_private(&component.message) {
        CreateInteractionResponse::UpdateMessage(render::update_message(&reply))
    } else {
        message(&reply)
    }
}

fn is_private(message: &Message) -> bool {
    message
        .flags
        .is_some_and(|f| f.contains(MessageFlags::EPHEMERAL))
}

/// Remove: the asker's or a moderator's click blanks the answer at once
/// and leaves its deletion to the transport; anyone else is told why not.
fn remove(component: &ComponentInteraction, owner: u64) -> Clicked {
    let moderator = component
        .member
        .as_ref()
        .and_then(|m| m.permissions)
        .is_some_and(|p| p.manage_messages());
    if component.user.id.get() != owner && !moderator {
        return message(&notice(
            "Only the person who asked, or a moderator, can remove this answer.",
        ))
        .into();
    }
    Clicked {
        response: CreateInteractionResponse::UpdateMessage(render::update_message(
            &messages::removed(),
        )),
        after: Some(After::DeleteMessage {
            channel: component.channel_id.get(),
            message: component.message.id.get(),
        }),
    }
}

/// A vote: counted once per person and answer, logged with the question
/// the answer shows; "Not helpful" opens the form asking what was missing.
fn vote_on(
    faq: &Faq,
    ops: &Operations,
    transport: Transport,
    component: &ComponentInteraction,
    topic: &str,
    vote: Vote,
    summary: &mut Summary,
) -> CreateInteractionResponse {
    // Only topics the bot knows: the log and the metric labels never take
    // a name from a request.
    if faq.topic(topic).is_none() {
        return message(&stale());
    }
    let cast = ops
        .votes
        .cast(component.user.id.get(), component.message.id.get(), vote);
    if cast != Cast::Repeated {
        let question = question_of(&component.message);
        let details = Details {
            question: question.as_deref(),
            comment: None,
            changed: cast == Cast::Changed,
        };
        feedback::record(
            ops.feedback.as_ref(),
            topic,
            vote,
            &details,
            transport,
            place_of(component),
        );
        summary.feedback = Some((topic.to_string(), vote));
    }
    match (vote, cast) {
        (Vote::Down, _) => CreateInteractionResponse::Modal(form(faq, topic)),
        (Vote::Up, Cast::Repeated) => message(&already_counted()),
        (Vote::Up, _) => match commands::component(faq, &feedback::custom_id(topic, vote)) {
            Some(thanks) => message(&thanks),
            None => message(&stale()),
        },
    }
}

/// The one-field form after "Not helpful".
fn form(faq: &Faq, topic: &str) -> CreateModal {
    let title = faq.topic(topic).map_or("Not helpful".to_string(), |t| {
        format!("Not helpful: {}", t.title)
    });
    let field = CreateInputText::new(
        InputTextStyle::Paragraph,
        "What were you looking for?",
        feedback::FORM_FIELD,
    )
    .required(false)
    .max_length(feedback::MAX_COMMENT_CHARS)
    .placeholder("Optional. Nothing you write names you.");
    CreateModal::new(
        feedback::form_id(topic),
        crate::limits::clamp(&title, MODAL_TITLE),
    )
    .components(vec![CreateActionRow::InputText(field)])
}

/// Discord's limit on a form's title.
const MODAL_TITLE: usize = 45;

/// The form sent back: its comment is logged against the vote.
pub fn submitted(
    faq: &Faq,
    ops: &Operations,
    transport: Transport,
    form: &ModalInteraction,
    summary: &mut Summary,
) -> CreateInteractionResponse {
    let Some(topic) = feedback::form_topic(&form.data.custom_id).filter(|t| faq.topic(t).is_some())
    else {
        return message(&stale());
    };
    let comment = form
        .data
        .components
        .iter()
        .flat_map(|row| &row.components)
        .find_map(|c| match c {
            ActionRowComponent::InputText(t) if t.custom_id == feedback::FORM_FIELD => {
                t.value.clone()
            }
            _ => None,
        })
        .filter(|c| !c.trim().is_empty());
    if let Some(comment) = &comment {
        let question = form.message.as_deref().and_then(question_of);
        let details = Details {
            question: question.as_deref(),
            comment: Some(comment),
            changed: false,
        };
        let place = Place::in_discord(form.guild_id.map(|g| g.get()), form.channel_id.get());
        feedback::record(
            ops.feedback.as_ref(),
            topic,
            Vote::Down,
            &details,
            transport,
            place,
        );
    }
    summary.feedback = None;
    match commands::component(faq, &feedback::custom_id(topic, Vote::Down)) {
        Some(thanks) => message(&thanks),
        None => message(&stale()),
    }
}

/// The question the answer a button is on answers: the one it shows, or,
/// for a reply to a message, that message's text.
fn question_of(message: &Message) -> Option<String> {
    let shown = message
        .embeds
        .first()
        .and_then(|e| e.author.as_ref())
        .and_then(|a| render::asked_in(&a.name))
        .map(str::to_string);
    shown.or_else(|| {
        message
            .referenced_message
            .as_deref()
            .map(|m| m.content.trim().to_string())
            .filter(|c| !c.is_empty())
    })
}

fn place_of(component: &ComponentInteraction) -> Place {
    Place::in_discord(
        component.guild_id.map(|g| g.get()),
        component.channel_id.get(),
    )
}

/// The public answer a Post click shares, as an interaction response: it
/// cannot be a reply to the message, so it links to it.
fn posted_with_link(faq: &Faq, component: &ComponentInteraction, post: &Post) -> Reply {
    let link = messages::jump_link(
        component.guild_id.map(|g| g.get()),
        component.channel_id.get(),
        post.message,
    );
    post.reply(faq, Some(&link))
}

fn already_counted() -> Reply {
    let mut reply = Reply::card(
        "Already counted",
        "You already said this answer helped; each person counts once.",
    )
    .ephemeral();
    reply.color = Some(COLOR_NOTICE);
    reply.within_limits()
}

fn stale() -> Reply {
    notice("That button is out of date: the topic it opened no longer exists. Try `/topics`.")
}
