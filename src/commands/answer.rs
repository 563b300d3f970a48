//! The replies that show a topic, or say that the bot does not know.
//! Shared by `/ask`, plain-text questions, and the buttons that open a
//! topic, so an answer looks the same however it was reached.

use crate::knowledge::{Knowledge, Topic};
use crate::matcher::Match;
use crate::ops::feedback::{self, Vote};
use crate::reply::{Button, ButtonStyle, Reply, COLOR_NOTICE};
use crate::Faq;

/// Buttons and menu values that open a topic: `topic:<id>`.
pub const TOPIC_PREFIX: &str = "topic:";

/// A topic's answer card: the article link and the feedback buttons on
/// the first row, related topics on the second.
pub fn topic_reply(knowledge: &Knowledge, topic: &Topic) -> Reply {
    let mut reply = Reply::card(&topic.title, &topic.answer);
    reply.url = Some(knowledge.article.url.clone());
    reply.footer = Some(source_line(knowledge));
    reply = reply
        .link_button("Read the full article", &knowledge.article.url)
        .action_button(
            "Helpful",
            &feedback::custom_id(&topic.id, Vote::Up),
            ButtonStyle::Success,
        )
        .action_button(
            "Not helpful",
            &feedback::custom_id(&topic.id, Vote::Down),
            ButtonStyle::Secondary,
        )
        .new_row();
    reply = related_row(reply, knowledge, &topic.related);
    reply.within_limits()
}

fn related_row(mut reply: Reply, knowledge: &Knowledge, related: &[String]) -> Reply {
    for id in related {
        if let Some(related) = knowledge.topic(id) {
            reply = reply.action_button(
                &related.title,
                &format!("{TOPIC_PREFIX}{id}"),
                ButtonStyle::Secondary,
            );
        }
    }
    reply
}

/// The reply for what the matcher found: the answer, the answer with
/// "Did you mean" buttons when unsure, or the fallback.
pub fn for_match(faq: &Faq, found: &Match) -> Reply {
    let knowledge = &faq.knowledge;
    let Some(topic) = found.topic.as_deref().and_then(|id| knowledge.topic(id)) else {
        return fallback(faq, found);
    };
    let mut reply = topic_reply(knowledge, topic);
    if !found.is_confident() && !found.suggestions.is_empty() {
        // Replace the related topics by the likelier alternatives.
        let related: Vec<String> = topic
            .related
            .iter()
            .map(|r| format!("{TOPIC_PREFIX}{r}"))
            .collect();
        reply = reply
            .retain_buttons(
                |b| !matches!(b, Button::Action { custom_id, .. } if related.contains(custom_id)),
            )
            .new_row();
        for id in &found.suggestions {
            if let Some(t) = knowledge.topic(id) {
                reply = reply.action_button(
                    &format!("Did you mean: {}", t.title),
                    &format!("{TOPIC_PREFIX}{id}"),
                    ButtonStyle::Primary,
                );
            }
        }
        reply.description = format!(
            "{}\n\n*Not what you asked? One of the buttons below may fit better.*",
            reply.description
        );
    }
    reply.within_limits()
}

/// "I don't know", with what the bot can do instead.
fn fallback(faq: &Faq, found: &Match) -> Reply {
    let k = &faq.knowledge;
    let p = &k.provider;
    let why = match found
        .unknown
        .as_deref()
        .and_then(|kind| k.out_of_scope(kind))
        .map(|c| c.explain.as_str())
    {
        Some("that") | None => "I could not match that to anything the article covers.".to_string(),
        Some(what) => format!("The article I answer from does not cover {what}."),
    };
    let text = format!(
        "{why} I only answer questions about choosing between CSPO and PSPO.\n\n\
         • Use `/topics` to see everything I can answer.\n\
         • For anything else, ask **{name}**: {site} or call {phone}.",
        name = p.name,
        site = p.website,
        phone = p.phone,
    );
    let mut reply = Reply::card("I don't know that one", &text);
    reply.color = Some(COLOR_NOTICE);
    reply.footer = Some(source_line(k));
    reply.ephemeral = true;
    reply = reply.link_button(&format!("Contact {}", p.name), &p.website);
    reply = reply.link_button("Read the full article", &k.article.url);
    for id in &found.suggestions {
        if let Some(t) = k.topic(id) {
            reply = reply.action_button(
                &format!("Did you mean: {}", t.title),
                &format!("{TOPIC_PREFIX}{id}"),
                ButtonStyle::Primary,
            );
        }
    }
    reply.within_limits()
}

/// The footer that credits the article.
fn source_line(k: &Knowledge) -> String {
    format!(
        "Source: “{}” by {}, {} (updated {})",
        k.article.title,
        k.article.author,
        k.provider.name,
        human_date(&k.article.updated)
    )
}

/// `2021-06-28` as `28 Jun 2021`.
pub fn human_date(iso: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut parts = iso.split('-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return iso.to_string();
    };
    match (m.parse::<usize>(), d.parse::<u32>()) {
        (Ok(m @ 1..=12), Ok(d)) => format!("{d} {} {y}", MONTHS[m - 1]),
        _ => iso.to_string(),
    }
}

/// The reply to a button or menu choice, by its `custom_id` (or the
/// chosen value): `topic:<id>` opens that topic.
pub fn component(faq: &Faq, id: &str) -> Option<Reply> {
    if let Some((topic, vote)) = feedback::parse(id) {
        return Some(thanks(faq, topic, vote));
    }
    let topic = id.strip_prefix(TOPIC_PREFIX)?;
    faq.topic(topic).map(|t| topic_reply(&faq.knowledge, t))
}

/// The private thank-you for a "Helpful" / "Not helpful" click.
fn thanks(faq: &Faq, topic: &str, vote: Vote) -> Reply {
    let text = match vote {
        Vote::Up => "Thanks! Glad it helped.".to_string(),
        Vote::Down => format!(
            "Thanks for telling us; the maintainers review answers marked not helpful. \
             Try `/topics`, or ask **{}** directly: {}.",
            faq.knowledge.provider.name, faq.knowledge.provider.website
        ),
    };
    let title = faq.topic(topic).map_or("Feedback".to_string(), |t| {
        format!("Feedback on “{}”", t.title)
    });
    Reply::card(&title, &text).ephemeral().within_limits()
}

#[cfg(test)]
mod tests {
    use super::human_date;

    #[test]
    fn dates_read_like_dates() {
        assert_eq!(human_date("2021-06-28"), "28 Jun 2021");
        assert_eq!(human_date("nonsense"), "nonsense");
    }
}
