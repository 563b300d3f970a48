//! The transport-neutral reply every command produces.
//!
//! A reply is what a user sees: a card (title, text, fields, footer, link),
//! buttons, perhaps a select menu, and whether only the asker sees it. The
//! console prints it, the Discord adapters turn it into an embed and
//! components. [`Reply::within_limits`] clamps every part to Discord's
//! limits, and every constructor path ends in it, so an adapter can send
//! any reply as it is.

use serde::Serialize;

use crate::limits::{self, clamp, clamp_nonempty};

/// What precedes the question an answer shows ([`Reply::asked`]).
pub const ASKED_LABEL: &str = "Asked: ";

/// The accent colour of answer cards.
pub const COLOR_ANSWER: u32 = 0x2F6FEB;
/// The accent colour of "I don't know" and error cards.
pub const COLOR_NOTICE: u32 = 0xD29922;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Reply {
    pub title: Option<String>,
    /// Where the title links to.
    pub url: Option<String>,
    pub description: String,
    pub fields: Vec<Field>,
    pub footer: Option<String>,
    pub color: Option<u32>,
    /// Buttons, row by row (Discord's action rows).
    pub rows: Vec<Vec<Button>>,
    pub select: Option<Select>,
    /// Seen only by the person who asked.
    pub ephemeral: bool,
    /// The one person a public answer is for, chosen by the asker: the
    /// answer opens by addressing them, and they are the only one it may
    /// notify. Nobody else is ever pinged.
    pub addressed_to: Option<u64>,
    /// The question this answers, as asked: shown above the card, so
    /// others in the channel see what it answers (one line, clamped).
    pub asked: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    pub name: String,
    pub value: String,
    pub inline: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ButtonStyle {
    Primary,
    Secondary,
    Success,
    Danger,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Button {
    /// Opens a web page.
    Link { label: String, url: String },
    /// Sends `custom_id` back to the bot when clicked.
    Action {
        label: String,
        custom_id: String,
        style: ButtonStyle,
    },
}

impl Button {
    pub fn label(&self) -> &str {
        match self {
            Button::Link { label, .. } | Button::Action { label, .. } => label,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Select {
    pub custom_id: String,
    pub placeholder: String,
    pub options: Vec<SelectOption>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SelectOption {
    pub label: String,
    pub value: String,
    pub description: Option<String>,
}

impl Reply {
    /// A card with a title and text.
    pub fn card(title: &str, description: &str) -> Reply {
        Reply {
            title: Some(title.to_string()),
            description: description.to_string(),
            color: Some(COLOR_ANSWER),
            ..Reply::default()
        }
    }

    pub fn field(mut self, name: &str, value: &str, inline: bool) -> Reply {
        self.fields.push(Field {
            name: name.to_string(),
            value: value.to_string(),
            inline,
        });
        self
    }

    pub fn link_button(self, label: &str, url: &str) -> Reply {
        self.button(Button::Link {
            label: label.to_string(),
            url: url.to_string(),
        })
    }

    pub fn action_button(self, label: &str, custom_id: &str, style: ButtonStyle) -> Reply {
        self.button(Button::Action {
            label: label.to_string(),
            custom_id: custom_id.to_string(),
            style,
        })
    }

    /// Adds a button to the current row.
    pub fn button(mut self, button: Button) -> Reply {
        match self.rows.last_mut() {
            Some(row) => row.push(button),
            None => self.rows.push(vec![button]),
        }
        self
    }

    /// Starts a new row of buttons.
    pub fn new_row(mut self) -> Reply {
        if self.rows.last().is_some_and(|r| !r.is_empty()) {
            self.rows.push(Vec::new());
        }
        self
    }

    /// Adds `button` on a row of its own, after every other: the one row
    /// that always survives [`Reply::within_limits`], which drops the rows
    /// before it if there are too many.
    pub fn last_row(mut self, button: Button) -> Reply {
        self.rows.retain(|r| !r.is_empty());
        let room = limits::ACTION_ROWS - usize::from(self.select.is_some()) - 1;
        let mut kept: Vec<Vec<Button>> = Vec::new();
        for row in std::mem::take(&mut self.rows) {
            for chunk in row.chunks(limits::BUTTONS_PER_ROW) {
                kept.push(chunk.to_vec());
            }
        }
        kept.truncate(room);
        kept.push(vec![button]);
        self.rows = kept;
        self
    }

    /// Every button, row after row.
    pub fn buttons(&self) -> impl Iterator<Item = &Button> {
        self.rows.iter().flatten()
    }

    /// Keeps only the buttons `keep` accepts.
    pub fn retain_buttons(mut self, keep: impl Fn(&Button) -> bool) -> Reply {
        for row in &mut self.rows {
            row.retain(&keep);
        }
        self.rows.retain(|r| !r.is_empty());
        self
    }

    pub fn ephemeral(mut self) -> Reply {
        self.ephemeral = true;
        self
    }

    /// The same reply, showing the question it answers: on one line,
    /// with no control characters, at most [`limits::ASKED`] characters.
    pub fn answering(mut self, question: &str) -> Reply {
        let line = question
            .split(|c: char| c.is_whitespace() || c.is_control())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        self.asked = (!line.is_empty()).then(|| clamp(&line, limits::ASKED));
        self
    }

    /// The same reply, addressed to `person` (see [`Reply::addressed_to`]).
    pub fn addressed_to(mut self, person: u64) -> Reply {
        self.addressed_to = Some(person);
        self
    }

    /// How many action rows the buttons take.
    pub fn button_rows(&self) -> usize {
        self.rows.len()
    }

    /// The rows of buttons, as Discord's action rows.
    pub fn button_rows_iter(&self) -> impl Iterator<Item = &[Button]> {
        self.rows.iter().map(Vec::as_slice)
    }

    /// The same reply with every part inside Discord's limits: texts cut,
    /// surplus fields, buttons and options dropped, custom ids that would
    /// not fit removed, and the embed's total size kept under its cap.
    pub fn within_limits(mut self) -> Reply {
        self.title = self
            .title
            .map(|t| clamp_nonempty(&t, limits::EMBED_TITLE, "Answer"));
        self.url = self.url.filter(|u| is_link(u));
        self.description = clamp(&self.description, limits::EMBED_DESCRIPTION);
        self.footer = self.footer.map(|f| clamp(&f, limits::EMBED_FOOTER));
        self.asked = self.asked.map(|a| clamp(&a, limits::ASKED));
        self.fields.truncate(limits::EMBED_FIELDS);
        for f in &mut self.fields {
            f.name = clamp_nonempty(&f.name, limits::FIELD_NAME, "\u{200b}");
            f.value = clamp_nonempty(&f.value, limits::FIELD_VALUE, "\u{200b}");
        }
        self.fit_embed_total();

        let mut rows: Vec<Vec<Button>> = Vec::new();
        for row in std::mem::take(&mut self.rows) {
            let valid: Vec<Button> = row
                .into_iter()
                .filter(|b| match b {
                    Button::Link { url, .. } => is_link(url),
                    Button::Action { custom_id, .. } => {
                        !custom_id.is_empty() && custom_id.chars().count() <= limits::CUSTOM_ID
                    }
                })
                .map(|mut b| {
                    match &mut b {
                        Button::Link { label, .. } | Button::Action { label, .. } => {
                            *label = clamp_nonempty(label, limits::BUTTON_LABEL, "Open");
                        }
                    }
                    b
                })
                .collect();
            // A row holds five buttons; more spill into the next row.
            rows.extend(
                valid
                    .chunks(limits::BUTTONS_PER_ROW)
                    .map(<[Button]>::to_vec),
            );
        }
        let select_rows = usize::from(self.select.is_some());
        rows.truncate(limits::ACTION_ROWS - select_rows);
        self.rows = rows;
        if let Some(select) = &mut self.select {
            select.placeholder = clamp(&select.placeholder, limits::SELECT_PLACEHOLDER);
            select.options.truncate(limits::SELECT_OPTIONS);
            select
                .options
                .retain(|o| !o.value.is_empty() && o.value.chars().count() <= limits::CUSTOM_ID);
            for o in &mut select.options {
                o.label = clamp_nonempty(&o.label, limits::SELECT_OPTION_LABEL, &o.value);
                o.description = o
                    .description
                    .as_deref()
                    .map(|d| clamp(d, limits::SELECT_OPTION_DESCRIPTION))
                    .filter(|d| !d.trim().is_empty());
            }
        }
        if self.select.as_ref().is_some_and(|s| {
            s.options.is_empty() || s.custom_id.chars().count() > limits::CUSTOM_ID
        }) {
            self.select = None;
        }
        self
    }

    /// All of the embed's texts, counted as Discord counts them.
    pub fn embed_chars(&self) -> usize {
        let len = limits::char_len;
        self.title.as_deref().map_or(0, len)
            + self
                .asked
                .as_deref()
                .map_or(0, |a| len(a) + ASKED_LABEL.len())
            + len(&self.description)
            + self.footer.as_deref().map_or(0, len)
            + self
                .fields
                .iter()
                .map(|f| len(&f.name) + len(&f.value))
                .sum::<usize>()
    }

    /// Keeps the embed's total under Discord's cap by dropping fields from
    /// the end, then shortening the description.
    fn fit_embed_total(&mut self) {
        while self.embed_chars() > limits::EMBED_TOTAL && !self.fields.is_empty() {
            self.fields.pop();
        }
        let over = self.embed_chars().saturating_sub(limits::EMBED_TOTAL);
        if over > 0 {
            let keep = limits::char_len(&self.description).saturating_sub(over);
            self.description = clamp(&self.description, keep);
        }
    }
}

fn is_link(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() <= limits::URL_MAX
        && !url.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_parts_are_cut_to_discord_limits() {
        let mut reply = Reply::card(&"t".repeat(300), &"d".repeat(5000));
        for i in 0..30 {
            reply = reply.field(&"n".repeat(300), &format!("{i}{}", "v".repeat(2000)), true);
        }
        for i in 0..30 {
            reply = reply.action_button(
                &"l".repeat(100),
                &format!("topic:{i}"),
                ButtonStyle::Secondary,
            );
        }
        let reply = reply.within_limits();
        assert_eq!(reply.title.as_deref().map(limits::char_len), Some(256));
        assert!(limits::char_len(&reply.description) <= 4096);
        assert!(reply.fields.len() <= 25);
        assert!(reply
            .fields
            .iter()
            .all(|f| limits::char_len(&f.name) <= 256 && limits::char_len(&f.value) <= 1024));
        assert!(reply.embed_chars() <= 6000);
        assert_eq!(reply.buttons().count(), 25);
        assert!(reply.buttons().all(|b| limits::char_len(b.label()) <= 80));
        assert!(reply.button_rows_iter().all(|r| r.len() <= 5));
        assert!(reply.button_rows() <= 5);
    }

    #[test]
    fn a_select_menu_takes_a_row_from_the_buttons() {
        let mut reply = Reply::card("t", "d");
        for i in 0..30 {
            reply = reply.action_button("b", &format!("topic:{i}"), ButtonStyle::Secondary);
        }
        reply.select = Some(Select {
            custom_id: "topic".into(),
            placeholder: "Pick".into(),
            options: (0..40)
                .map(|i| SelectOption {
                    label: format!("option {i}"),
                    value: format!("topic:{i}"),
                    description: None,
                })
                .collect(),
        });
        let reply = reply.within_limits();
        assert_eq!(reply.buttons().count(), 20);
        assert_eq!(reply.select.map(|s| s.options.len()), Some(25));
    }

    #[test]
    fn custom_ids_and_urls_that_discord_would_refuse_are_dropped() {
        let reply = Reply::card("t", "d")
            .action_button("ok", "topic:a", ButtonStyle::Primary)
            .action_button("too long", &"x".repeat(101), ButtonStyle::Primary)
            .link_button("bad", "javascript:alert(1)")
            .link_button("", "https://example.com")
            .within_limits();
        let labels: Vec<&str> = reply.buttons().map(Button::label).collect();
        assert_eq!(labels, ["ok", "Open"]);
    }

    #[test]
    fn the_question_shown_is_one_clamped_line() {
        let reply = Reply::card("t", "d").answering("  does pspo\n\n expire?\u{7}  ");
        assert_eq!(reply.asked.as_deref(), Some("does pspo expire?"));
        let long = Reply::card("t", "d")
            .answering(&"word ".repeat(100))
            .within_limits();
        assert_eq!(
            long.asked.as_deref().map(limits::char_len),
            Some(limits::ASKED)
        );
        assert_eq!(Reply::card("t", "d").answering(" \n ").asked, None);
    }

    #[test]
    fn the_last_row_survives_however_many_rows_came_before() {
        let mut reply = Reply::card("t", "d");
        for i in 0..30 {
            reply = reply.action_button("b", &format!("topic:{i}"), ButtonStyle::Secondary);
        }
        let reply = reply
            .last_row(Button::Action {
                label: "Remove".into(),
                custom_id: "delete:1".into(),
                style: ButtonStyle::Secondary,
            })
            .within_limits();
        assert_eq!(reply.button_rows(), 5);
        let last: Vec<&str> = reply
            .button_rows_iter()
            .last()
            .map(|r| r.iter().map(Button::label).collect())
            .unwrap_or_default();
        assert_eq!(last, ["Remove"]);
    }

    #[test]
    fn rows_keep_their_shape_within_five_buttons_each() {
        let reply = Reply::card("t", "d")
            .link_button("a", "https://example.com")
            .action_button("b", "x:1", ButtonStyle::Primary)
            .new_row()
            .action_button("c", "x:2", ButtonStyle::Primary)
            .within_limits();
        let rows: Vec<usize> = reply.button_rows_iter().map(<[Button]>::len).collect();
        assert_eq!(rows, [2, 1]);
        let empty = Reply::card("t", "d").new_row().new_row().within_limits();
        assert_eq!(empty.button_rows(), 0);
    }
}
