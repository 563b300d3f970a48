//! `/compare first: second:` — the two certifications side by side: one
//! field per dimension of the knowledge's comparison table, holding both
//! values, one per line, so it reads the same on a phone as on a desktop.

mod table;

use super::{choices, Args, CommandSpec, OptionKind, OptionSpec, SlashCommand};
use crate::limits;
use crate::reply::{ButtonStyle, Reply, COLOR_NOTICE};
use crate::Faq;

/// The card's text above the table.
const INTRO: &str = "Side by side, as the article describes them. Ask me about any row for more.";

pub struct Compare;

impl Compare {
    fn option(faq: &Faq, name: &'static str, description: &'static str) -> OptionSpec {
        OptionSpec {
            name,
            kind: OptionKind::Text,
            description,
            required: false,
            max_length: None,
            autocomplete: false,
            choices: choices(
                faq.knowledge
                    .certifications
                    .iter()
                    .map(|c| (c.name.as_str(), c.id.as_str())),
            ),
        }
    }
}

impl SlashCommand for Compare {
    fn name(&self) -> &'static str {
        "compare"
    }

    fn spec(&self, faq: &Faq) -> CommandSpec {
        CommandSpec {
            name: "compare",
            description: "Compare two certifications side by side",
            options: vec![
                Self::option(faq, "first", "The first certification (default: CSPO)"),
                Self::option(faq, "second", "The second certification (default: PSPO)"),
            ],
        }
    }

    fn run(&self, faq: &Faq, args: &Args) -> Reply {
        let k = &faq.knowledge;
        let pick = |name: &str, default: usize| {
            let wanted = args.get(name).map(|v| v.trim().to_ascii_lowercase());
            match wanted.as_deref() {
                None | Some("") => k.certifications.get(default).ok_or(String::new()),
                Some(id) => k
                    .certifications
                    .iter()
                    .find(|c| c.id == id || c.name.eq_ignore_ascii_case(id))
                    .ok_or(id.to_string()),
            }
        };
        let (a, b) = match (pick("first", 0), pick("second", 1)) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(bad), _) | (_, Err(bad)) => {
                let known: Vec<&str> = k.certifications.iter().map(|c| c.name.as_str()).collect();
                let mut reply = Reply::card(
                    "Nothing to compare",
                    &format!(
                        "I don't know a certification called `{}`. I can compare {}.",
                        limits::clamp(&bad.replace('`', ""), 40),
                        known.join(" and ")
                    ),
                )
                .ephemeral();
                reply.color = Some(COLOR_NOTICE);
                return reply.within_limits();
            }
        };
        if a.id == b.id {
            let mut reply = Reply::card(
                "Pick two different certifications",
                &format!(
                    "Comparing {} with itself shows nothing. Try `/compare` with two different ones, such as `/compare cspo pspo`.",
                    a.name
                ),
            )
            .ephemeral();
            reply.color = Some(COLOR_NOTICE);
            return reply.within_limits();
        }
        let mut reply = Reply::card(&format!("{} vs {}", a.name, b.name), INTRO);
        reply.url = Some(k.article.url.clone());
        reply.footer = Some(format!("Source: “{}”", k.article.title));
        let table = table::Table::new(&k.dimensions, a, b, &k.article.url);
        // The note is kept room for whether or not it is needed, so adding
        // it never takes the embed over its total.
        let note = limits::char_len(table::SHORTENED_NOTE);
        let room = limits::EMBED_TOTAL.saturating_sub(reply.embed_chars() + note);
        let laid = table.lay_out(room);
        if laid.shortened {
            reply.description.push_str(table::SHORTENED_NOTE);
        }
        reply.fields = laid.fields;
        reply = reply
            .link_button("Read the full article", &k.article.url)
            .link_button(&format!("{} issuer", a.name), &a.issuer_url)
            .link_button(&format!("{} issuer", b.name), &b.issuer_url);
        if k.topic("cspo-vs-pspo").is_some() {
            reply = reply.action_button(
                "Which should I choose?",
                "topic:cspo-vs-pspo",
                ButtonStyle::Secondary,
            );
        }
        reply.within_limits()
    }

    fn console_args(&self, rest: &str) -> Args {
        let mut words = rest.split_whitespace();
        let mut args = Args::default();
        if let Some(first) = words.next() {
            args = args.with("first", first);
        }
        if let Some(second) = words.next() {
            args = args.with("second", second);
        }
        args
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::test_knowledge;
    use crate::limits::char_len;
    use crate::reply::Field;

    fn compare(faq: &Faq) -> Reply {
        Compare.run(faq, &Args::default())
    }

    /// What a reader takes from a field: its name and its lines.
    fn row<'r>(reply: &'r Reply, name: &str) -> Vec<&'r str> {
        reply
            .fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.lines().collect())
            .unwrap_or_else(|| panic!("no row {name} in {:#?}", reply.fields))
    }

    fn assert_within_embed_limits(reply: &Reply) {
        assert!(reply.fields.len() <= limits::EMBED_FIELDS);
        for Field { name, value, .. } in &reply.fields {
            assert!((1..=limits::FIELD_NAME).contains(&char_len(name)), "{name}");
            assert!(
                (1..=limits::FIELD_VALUE).contains(&char_len(value)),
                "{value}"
            );
        }
        assert!(
            reply.embed_chars() <= limits::EMBED_TOTAL,
            "{}",
            reply.embed_chars()
        );
    }

    #[test]
    fn each_dimension_is_one_full_width_field_holding_both_values() {
        let faq = test_knowledge::shipped();
        let reply = compare(&faq);
        let k = &faq.knowledge;
        let names: Vec<&str> = reply.fields.iter().map(|f| f.name.as_str()).collect();
        let labels: Vec<&str> = k.dimensions.iter().map(|d| d.label.as_str()).collect();
        assert_eq!(names, labels, "one field per dimension, no spacers");
        assert!(reply.fields.iter().all(|f| !f.inline));
        assert_eq!(
            row(&reply, "Validity and renewal"),
            [
                "**CSPO:** Comes with a two-year Scrum Alliance membership that you renew.",
                "**PSPO:** Does not expire."
            ]
        );
        assert!(!reply.description.contains('…'), "nothing is shortened");
        assert_within_embed_limits(&reply);
    }

    #[test]
    fn twelve_long_rows_are_all_shown_shortened_visibly_and_within_limits() {
        let faq = test_knowledge::with_dimensions(12, 1000);
        let reply = compare(&faq);
        assert_within_embed_limits(&reply);
        assert_eq!(reply.fields.len(), 12, "{:#?}", reply.fields);
        for (i, field) in reply.fields.iter().enumerate() {
            assert_eq!(field.name, format!("Row {} of the comparison", i + 1));
            let lines: Vec<&str> = field.value.lines().collect();
            assert_eq!(lines.len(), 2, "{}", field.value);
            assert!(lines[0].starts_with(&format!("**CSPO:** CSPO row {}: long", i + 1)));
            assert!(lines[1].starts_with(&format!("**PSPO:** PSPO row {}: long", i + 1)));
            assert!(lines.iter().all(|l| l.ends_with('…')), "{}", field.value);
        }
        assert!(
            reply.description.contains("shortened"),
            "{}",
            reply.description
        );
    }

    #[test]
    fn more_than_25_rows_show_the_first_and_name_the_rest_with_a_link() {
        let faq = test_knowledge::with_dimensions(30, 40);
        let reply = compare(&faq);
        assert_within_embed_limits(&reply);
        assert_eq!(reply.fields.len(), 25);
        let last = reply
            .fields
            .last()
            .map(|f| (f.name.as_str(), f.value.as_str()));
        let (name, value) = last.unwrap_or_default();
        assert_eq!(name, "More rows");
        assert!(
            value.starts_with("6 more rows than fit here: Row 25 of the comparison, "),
            "{value}"
        );
        assert!(value.contains("Row 30 of the comparison."), "{value}");
        assert!(value.contains(&format!("[read it]({})", faq.knowledge.article.url)));
        assert_eq!(reply.fields[23].name, "Row 24 of the comparison");
    }

    #[test]
    fn twenty_five_long_rows_still_fit_but_long_labels_fold_some() {
        let faq = test_knowledge::with_dimensions(25, 1000);
        let reply = compare(&faq);
        assert_within_embed_limits(&reply);
        assert_eq!(reply.fields.len(), 25);
        assert_eq!(reply.fields[24].name, "Row 25 of the comparison");

        let faq = test_knowledge::with_dimensions_labelled(25, 200, 1000);
        let reply = compare(&faq);
        assert_within_embed_limits(&reply);
        let shown = reply.fields.len() - 1;
        assert!((10..25).contains(&shown), "{shown} rows shown");
        let more = reply.fields.last().map_or("", |f| f.value.as_str());
        assert!(
            more.starts_with(&format!("{} more rows", 25 - shown)),
            "{more}"
        );
        let first_hidden = format!("here: Row {} of the comparison", shown + 1);
        assert!(more.contains(&first_hidden), "{more}");
        assert!(more.contains("[read it]("), "{more}");
    }
}
