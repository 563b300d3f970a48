//! The local console: the bot in a terminal, with no Discord account.
//!
//! It shows the very replies the Discord commands give, rendered as text:
//! the card, its fields, and its buttons as hints (`/open <topic>` stands
//! in for clicking a topic button).

use std::io::{self, BufRead, IsTerminal, Write};

use crate::commands::{self, TOPIC_PREFIX};
use crate::conversation::Session;
use crate::ops::jsonl::JsonlLog;
use crate::ops::{feedback, unanswered, Place, Transport};
use crate::reply::{Button, Reply};
use crate::Faq;

/// A reply as terminal text.
pub fn render(reply: &Reply) -> String {
    let mut out = String::new();
    if let Some(title) = &reply.title {
        out.push_str(&format!("== {} ==\n", plain(title)));
    }
    if !reply.description.is_empty() {
        out.push_str(&plain(&reply.description));
        out.push('\n');
    }
    let mut fields = reply
        .fields
        .iter()
        .filter(|f| f.name != "\u{200b}")
        .peekable();
    if fields.peek().is_some() {
        out.push('\n');
    }
    for f in fields {
        out.push_str(&format!("  {}: {}\n", plain(&f.name), plain(&f.value)));
    }
    if let Some(select) = &reply.select {
        out.push('\n');
        for o in &select.options {
            let id = o.value.strip_prefix(TOPIC_PREFIX).unwrap_or(&o.value);
            out.push_str(&format!("  /open {id:<20} {}\n", o.label));
        }
    }
    if let Some(footer) = &reply.footer {
        out.push_str(&format!("\n{footer}\n"));
    }
    for b in reply.buttons() {
        match b {
            Button::Link { label, url } => out.push_str(&format!("[{label}] {url}\n")),
            Button::Action {
                label, custom_id, ..
            } => match custom_id.strip_prefix(TOPIC_PREFIX) {
                Some(id) => out.push_str(&format!("[{label}] /open {id}\n")),
                // Feedback is for Discord's users; a terminal has no one to
                // count it for.
                None if custom_id.starts_with(feedback::PREFIX) => {}
                None => out.push_str(&format!("[{label}]\n")),
            },
        }
    }
    if reply.ephemeral {
        out.push_str("(only you can see this)\n");
    }
    out.trim_end().to_string()
}

/// Discord markdown made readable as plain text.
fn plain(text: &str) -> String {
    let text = text.replace("**", "").replace("\u{200b}", "");
    // [label](url) -> label (url)
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(start) = rest.find('[') {
        let Some(mid) = rest[start..].find("](").map(|m| start + m) else {
            break;
        };
        let Some(end) = rest[mid..].find(')').map(|e| mid + e) else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push_str(&rest[start + 1..mid]);
        out.push_str(" (");
        out.push_str(&rest[mid + 2..end]);
        out.push(')');
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// What the console does with one line of input, in `session` (one person
/// in one place, so follow-ups continue the last answer). Questions it
/// could not answer well go to `unanswered`, as they would from Discord;
/// small talk does not.
pub fn respond(
    faq: &Faq,
    session: &Session,
    unanswered: Option<&JsonlLog>,
    line: &str,
) -> Option<String> {
    let line = line.trim();
    if line.is_empty() {
        return None;
    }
    let (question, command) = match line.strip_prefix('/') {
        None => (line, None),
        Some(command) => match command.strip_prefix("ask ") {
            Some(q) => (q.trim(), None),
            None => ("", Some(command)),
        },
    };
    let Some(command) = command else {
        let turn = session.turn(faq, question);
        if turn.said.is_question() {
            unanswered::record(
                unanswered,
                question,
                &turn.found,
                Transport::Console,
                Place::default(),
            );
        }
        return Some(render(&turn.reply));
    };
    let (name, rest) = command
        .split_once(char::is_whitespace)
        .unwrap_or((command, ""));
    let name = name.to_ascii_lowercase();
    if name == "open" {
        let id = rest.trim();
        return Some(
            match commands::component(faq, &format!("{TOPIC_PREFIX}{id}")) {
                Some(reply) => {
                    session.opened(id);
                    render(&reply)
                }
                None => format!("No topic called `{id}`. Type /topics to see them all."),
            },
        );
    }
    Some(match commands::find(&name) {
        Some(cmd) => render(&cmd.run(faq, &cmd.console_args(rest.trim()))),
        None => format!(
            "Unknown command /{name}. Commands: {}, /open <topic>, /quit.",
            commands::slash_commands()
                .map(|c| format!("/{}", c.name()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })
}

/// Runs the console until end of input or `/quit`.
pub fn run(
    faq: &Faq,
    unanswered: Option<&JsonlLog>,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> io::Result<()> {
    let interactive = io::stdin().is_terminal() && io::stdout().is_terminal();
    writeln!(
        out,
        "CSPO/PSPO bot, local console: {} topics from “{}”.\n\
         Ask a question in plain words, or try /compare, /topics, /contact, /help. /quit leaves.",
        faq.knowledge.topics.len(),
        faq.knowledge.article.title
    )?;
    let session = Session::conversation();
    let mut buf = Vec::new();
    loop {
        if interactive {
            write!(out, "\n> ")?;
            out.flush()?;
        }
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        let line = String::from_utf8_lossy(&buf);
        let line = line.trim();
        if matches!(line, "/quit" | "/exit" | "quit" | "exit") {
            break;
        }
        if let Some(text) = respond(faq, &session, unanswered, line) {
            writeln!(out, "{text}\n")?;
        }
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::{plain, respond};
    use crate::conversation::Session;
    use crate::Faq;

    #[test]
    fn an_answer_shows_its_links_but_not_the_feedback_buttons() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
        let faq = Faq::load(&dir).unwrap_or_else(|e| panic!("{e}"));
        let session = Session::conversation();
        let shown = respond(&faq, &session, None, "does pspo expire?").unwrap_or_default();
        assert!(shown.starts_with("== Does PSPO expire? =="), "{shown}");
        assert!(
            shown.contains("[Read the full article] https://"),
            "{shown}"
        );
        assert!(shown.contains("/open cspo-validity"), "{shown}");
        assert!(!shown.contains("Helpful"), "{shown}");
    }

    #[test]
    fn markdown_links_and_bold_read_as_plain_text() {
        assert_eq!(
            plain("**CSPO** from the [Scrum Alliance](https://www.scrumalliance.org)."),
            "CSPO from the Scrum Alliance (https://www.scrumalliance.org)."
        );
    }
}
