//! The replies that show a topic, or say that the bot does not know.
//! Shared by `/ask`, plain-text questions, and the buttons that open a
//! topic, so an answer looks the same however it was reached.

use crate::knowledge::{AskInstead, Certification, Knowledge, Topic};
use crate::matcher::Match;
use crate::ops::feedback::{self, Vote};
use crate::reply::{Button, ButtonStyle, Reply, COLOR_NOTICE};
use crate::Faq;

/// Buttons and menu values that open a topic: `topic:<id>`.
pub const TOPIC_PREFIX: &str = "topic:";
/// "Did you mean" buttons, which open a topic the bot guessed at:
/// `suggested:<id>`. On the asker's own private reply, the topic takes
/// its place.
pub const SUGGESTED_PREFIX: &str = "suggested:";

/// The topic a topic button or a "Did you mean" button opens.
pub fn opened_topic(custom_id: &str) -> Option<&str> {
    custom_id
        .strip_prefix(TOPIC_PREFIX)
        .or_else(|| custom_id.strip_prefix(SUGGESTED_PREFIX))
}

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

/// Several topics' answers in one card, each under its title, after
/// `description` (which may be empty).
pub fn answers_card(knowledge: &Knowledge, topics: &[&Topic], description: &str) -> Reply {
    let title = match topics {
        [one] => one.title.as_str(),
        _ => "Your questions",
    };
    let mut reply = Reply::card(title, description);
    for t in topics {
        reply = reply.field(&t.title, &t.answer, false);
    }
    reply.url = Some(knowledge.article.url.clone());
    reply.footer = Some(source_line(knowledge));
    reply
        .link_button("Read the full article", &knowledge.article.url)
        .within_limits()
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
                    &format!("{SUGGESTED_PREFIX}{id}"),
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

/// "I don't know": what the article does not cover, and who can answer
/// instead (the certification's issuer, the training provider, or nobody
/// in particular), with what the bot can do.
/// Why the bot declines `found` and who can answer instead, in one or
/// two sentences.
pub fn decline_text(faq: &Faq, found: &Match) -> String {
    let k = &faq.knowledge;
    let p = &k.provider;
    let category = found.unknown.as_deref().and_then(|id| k.out_of_scope(id));
    let why = match category.map(|c| c.explain.as_str()) {
        Some("that") | None => "I could not match that to anything the article covers.".to_string(),
        Some(what) => format!("The article I answer from does not cover {what}."),
    };
    let issuers = issuers_for(k, found);
    let issuer_list = issuers
        .iter()
        .map(|c| {
            format!(
                "**{}** ({}) for {}",
                issuer_name(k, c),
                c.issuer_url,
                c.name
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let ask = category.map(|c| c.ask);
    let instead = match ask {
        Some(AskInstead::Issuer) => format!("Ask the issuer: {issuer_list}."),
        Some(AskInstead::Provider) => format!(
            "For training and coaching, ask **{}**: {} or call {}.",
            p.name, p.website, p.phone
        ),
        Some(AskInstead::Nobody) => {
            "That is outside what I answer: choosing between CSPO and PSPO.".to_string()
        }
        None => format!(
            "I only answer questions about choosing between CSPO and PSPO. \
             For anything about a certification itself, ask its issuer: {issuer_list}."
        ),
    };
    format!("{why} {instead}")
}

/// The issuers of the certifications a question names, or of all of them.
fn issuers_for<'a>(k: &'a Knowledge, found: &Match) -> Vec<&'a Certification> {
    let named: Vec<&Certification> = k
        .certifications
        .iter()
        .filter(|c| found.named.contains(&c.id))
        .collect();
    if named.is_empty() {
        k.certifications.iter().collect()
    } else {
        named
    }
}

fn fallback(faq: &Faq, found: &Match) -> Reply {
    let k = &faq.knowledge;
    let p = &k.provider;
    let category = found.unknown.as_deref().and_then(|id| k.out_of_scope(id));
    let ask = category.map(|c| c.ask);
    let issuers = issuers_for(k, found);
    let text = format!(
        "{}\n\n• Use `/topics` to see everything I can answer.",
        decline_text(faq, found)
    );
    let mut reply = Reply::card("I don't know that one", &text);
    reply.color = Some(COLOR_NOTICE);
    reply.footer = Some(source_line(k));
    reply.ephemeral = true;
    match ask {
        Some(AskInstead::Issuer) | None => {
            for c in &issuers {
                reply = reply.link_button(&issuer_name(k, c), &c.issuer_url);
            }
        }
        Some(AskInstead::Provider) => {
            reply = reply.link_button(&format!("Contact {}", p.name), &p.website);
        }
        Some(AskInstead::Nobody) => {}
    }
    reply = reply.link_button("Read the full article", &k.article.url);
    for id in &found.suggestions {
        if let Some(t) = k.topic(id) {
            reply = reply.action_button(
                &format!("Did you mean: {}", t.title),
                &format!("{SUGGESTED_PREFIX}{id}"),
                ButtonStyle::Primary,
            );
        }
    }
    reply.within_limits()
}

/// A certification's issuer by name, from the comparison's "issuer" row;
/// the certification's own name when the knowledge has no such row.
fn issuer_name(k: &Knowledge, c: &Certification) -> String {
    k.dimensions
        .iter()
        .position(|d| d.id == "issuer")
        .and_then(|i| c.values.get(i))
        .cloned()
        .unwrap_or_else(|| format!("{}'s issuer", c.name))
}

/// The footer that credits the article.
pub fn source_line(k: &Knowledge) -> String {
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
/// chosen value): `topic:<id>` opens that topic, `topics:page:<n>` shows
/// that page of `/topics` to the one who clicked.
pub fn component(faq: &Faq, id: &str) -> Option<Reply> {
    if let Some((topic, vote)) = feedback::parse(id) {
        return Some(thanks(faq, topic, vote));
    }
    if let Some(page) = super::topics::page_asked(id) {
        return Some(super::topics::page(faq, page).ephemeral());
    }
    let topic = opened_topic(id)?;
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
    use super::*;

    fn faq() -> Faq {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
        Faq::load(&dir).unwrap_or_else(|e| panic!("{e}"))
    }

    fn declined(faq: &Faq, question: &str) -> Reply {
        let found = faq.find(question);
        assert_eq!(found.topic, None, "{question} should be declined");
        for_match(faq, &found)
    }

    #[test]
    fn a_declined_question_is_sent_to_the_issuer_of_the_certification_it_names() {
        let faq = faq();
        let pspo = declined(&faq, "how much does the pspo exam cost?");
        assert!(
            pspo.description.contains("does not cover prices"),
            "{}",
            pspo.description
        );
        assert!(
            pspo.description.contains("https://www.scrum.org"),
            "{}",
            pspo.description
        );
        assert!(
            !pspo.description.contains("scrumalliance"),
            "{}",
            pspo.description
        );

        let cspo = declined(&faq, "what is the cspo pass mark?");
        assert!(
            cspo.description.contains("https://www.scrumalliance.org"),
            "{}",
            cspo.description
        );
        assert!(
            !cspo.description.contains("www.scrum.org"),
            "{}",
            cspo.description
        );

        let neither = declined(&faq, "what is the passing score?");
        assert!(neither
            .description
            .contains("https://www.scrumalliance.org"));
        assert!(neither.description.contains("https://www.scrum.org"));
    }

    #[test]
    fn course_logistics_go_to_the_provider_and_the_role_itself_to_nobody() {
        let faq = faq();
        let dates = declined(&faq, "when is the next cspo class in berlin?");
        assert!(
            dates.description.contains("course dates"),
            "{}",
            dates.description
        );
        assert!(
            dates.description.contains("Pan Learn"),
            "{}",
            dates.description
        );

        let role = declined(&faq, "what does a product owner do all day?");
        assert!(
            role.description.contains("product owner role"),
            "{}",
            role.description
        );
        assert!(
            !role.description.contains("Pan Learn"),
            "{}",
            role.description
        );
        assert!(
            !role.description.contains("anything"),
            "{}",
            role.description
        );
    }

    #[test]
    fn dates_read_like_dates() {
        assert_eq!(human_date("2021-06-28"), "28 Jun 2021");
        assert_eq!(human_date("nonsense"), "nonsense");
    }
}
