//! The local console: the bot in a terminal, with no Discord account.
//!
//! It shows the very replies the Discord commands give, rendered as text:
//! the card, its fields, and its buttons as hints (`/open <topic>` stands
//! in for clicking a topic button). On a terminal it edits lines and
//! keeps their history ([`line_editor`]) and shows markdown as styles
//! unless `NO_COLOR` is set; piped input is read line by line, and piped
//! output is plain text.

mod line_editor;
pub mod markdown;

use std::io::{self, BufRead, IsTerminal, Write};

use crate::commands::{self, TOPIC_PREFIX};
use crate::conversation::Session;
use crate::ops::jsonl::JsonlLog;
use crate::ops::{feedback, unanswered, Place, Transport};
use crate::reply::{Button, Reply};
use crate::Faq;

pub use markdown::Look;
use markdown::Style;

/// A reply as plain terminal text.
pub fn render(reply: &Reply) -> String {
    render_as(reply, Look::Plain)
}

/// A reply as terminal text, styled or not.
pub fn render_as(reply: &Reply, look: Look) -> String {
    let text = |t: &str| markdown::render(t, look);
    let mut out = String::new();
    if let Some(title) = &reply.title {
        let title = format!("== {} ==", markdown::render(title, Look::Plain));
        out.push_str(&markdown::styled(&title, Style::Bold, look));
        out.push('\n');
    }
    if !reply.description.is_empty() {
        out.push_str(&text(&reply.description));
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
        let name = markdown::styled(&markdown::render(&f.name, Look::Plain), Style::Bold, look);
        let value = text(&f.value);
        if value.contains('\n') {
            // A value of several lines (the comparison's rows) goes under
            // its name, indented.
            out.push_str(&format!("  {name}\n"));
            for line in value.lines() {
                out.push_str(&format!("    {line}\n"));
            }
        } else {
            out.push_str(&format!("  {name}: {value}\n"));
        }
    }
    if let Some(select) = &reply.select {
        out.push('\n');
        for o in &select.options {
            let id = o.value.strip_prefix(TOPIC_PREFIX).unwrap_or(&o.value);
            out.push_str(&format!("  /open {id:<20} {}\n", o.label));
        }
    }
    if let Some(footer) = &reply.footer {
        out.push_str(&format!("\n{}\n", text(footer)));
    }
    for b in reply.buttons() {
        if let Some(hint) = button_hint(b) {
            out.push_str(&hint);
            out.push('\n');
        }
    }
    if reply.ephemeral {
        out.push_str(&markdown::styled(
            "(only you can see this)",
            Style::Dim,
            look,
        ));
        out.push('\n');
    }
    out.trim_end().to_string()
}

/// What stands in for a button in a terminal, if anything does.
fn button_hint(button: &Button) -> Option<String> {
    match button {
        Button::Link { label, url } => Some(format!("[{label}] {url}")),
        Button::Action {
            label, custom_id, ..
        } => {
            if let Some(id) = commands::opened_topic(custom_id) {
                return Some(format!("[{label}] /open {id}"));
            }
            // Feedback is for Discord's users; a terminal has no one to
            // count it for.
            if custom_id.starts_with(feedback::PREFIX) {
                return None;
            }
            Some(match command_for(custom_id) {
                Some(command) => format!("[{label}] {command}"),
                None => format!("[{label}]"),
            })
        }
    }
}

/// The console command a button stands for when its id starts with a
/// command's name: `topics:page:2` is `/topics page 2`.
fn command_for(custom_id: &str) -> Option<String> {
    let (name, rest) = custom_id.split_once(':')?;
    commands::find(name)?;
    Some(format!("/{name} {}", rest.replace(':', " ")))
}

/// What the console does with one line of input, in `session` (one person
/// in one place, so follow-ups continue the last answer), as plain text.
/// Questions it could not answer well go to `unanswered`, as they would
/// from Discord; small talk does not.
pub fn respond(
    faq: &Faq,
    session: &Session,
    unanswered: Option<&JsonlLog>,
    line: &str,
) -> Option<String> {
    respond_as(faq, session, unanswered, line, Look::Plain)
}

/// [`respond`], its replies shown in `look`.
pub fn respond_as(
    faq: &Faq,
    session: &Session,
    unanswered: Option<&JsonlLog>,
    line: &str,
    look: Look,
) -> Option<String> {
    let render = |reply: &Reply| render_as(reply, look);
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
                None => markdown::render(
                    &format!("No topic called `{id}`. Type /topics to see them all."),
                    look,
                ),
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

/// Runs the console until end of input or `/quit`. On a terminal (stdin
/// and stdout both) it reads through the line editor, and `input` is
/// left alone; otherwise it reads `input` line by line.
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
    let look = if interactive && colour_wanted() {
        Look::Ansi
    } else {
        Look::Plain
    };
    // Whether to go on after `line`; its answer is written to `out`.
    let answer = |line: &str, out: &mut dyn Write| -> io::Result<bool> {
        if is_quit(line) {
            return Ok(false);
        }
        if let Some(text) = respond_as(faq, &session, unanswered, line, look) {
            writeln!(out, "{text}\n")?;
        }
        Ok(true)
    };
    if interactive {
        if let Some(mut editor) = line_editor::LineEditor::open() {
            while let Some(line) = editor.read(out)? {
                if !answer(&line, out)? {
                    break;
                }
            }
            return out.flush();
        }
    }
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
        if !answer(line.trim(), out)? {
            break;
        }
    }
    out.flush()
}

fn is_quit(line: &str) -> bool {
    matches!(line.trim(), "/quit" | "/exit" | "quit" | "exit")
}

/// Styles are shown unless `NO_COLOR` is set to something
/// (<https://no-color.org>; empty counts as unset, as for every setting).
fn colour_wanted() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::{render_as, respond, Look};
    use crate::commands::{self, Args};
    use crate::conversation::Session;
    use crate::Faq;

    fn faq() -> Faq {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
        Faq::load(&dir).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn an_answer_shows_its_links_but_not_the_feedback_buttons() {
        let faq = faq();
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
    fn plain_text_has_no_markdown_left_in_it() {
        let faq = faq();
        let session = Session::conversation();
        for line in [
            "does pspo expire?",
            "/compare",
            "/topics",
            "/help",
            "/contact",
            "price of pspo?",
        ] {
            let shown = respond(&faq, &session, None, line).unwrap_or_default();
            for mark in ["**", "`", "*", "](", "\x1b["] {
                assert!(!shown.contains(mark), "{mark:?} in {line}:\n{shown}");
            }
        }
    }

    #[test]
    fn the_comparison_shows_each_row_under_its_label() {
        let faq = faq();
        let session = Session::conversation();
        let shown = respond(&faq, &session, None, "/compare").unwrap_or_default();
        assert!(
            shown.contains(
                "  Validity and renewal\n    CSPO: Comes with a two-year Scrum Alliance membership that you renew.\n    PSPO: Does not expire.\n"
            ),
            "{shown}"
        );
    }

    #[test]
    fn page_buttons_read_as_the_command_that_turns_the_page() {
        let faq = crate::commands::test_knowledge::with_topics(30);
        let topics = commands::find("topics").unwrap_or_else(|| panic!("no /topics"));
        let first = render_as(&topics.run(&faq, &Args::default()), Look::Plain);
        assert!(first.contains("[Next ▶] /topics page 2"), "{first}");
        let session = Session::conversation();
        let second = respond(&faq, &session, None, "/topics page 2").unwrap_or_default();
        assert!(second.contains("Page 2 of 2"), "{second}");
        assert!(second.contains("[◀ Previous] /topics page 1"), "{second}");
    }

    #[test]
    fn a_terminal_sees_the_same_reply_styled() {
        let faq = faq();
        let session = Session::conversation();
        let plain = respond(&faq, &session, None, "/help").unwrap_or_default();
        let reply = commands::find("help").map(|c| c.run(&faq, &Args::default()));
        let styled = render_as(&reply.unwrap_or_default(), Look::Ansi);
        assert!(
            styled.starts_with("\x1b[1m== How to use this bot ==\x1b[0m"),
            "{styled}"
        );
        assert!(styled.contains("\x1b[36m/compare\x1b[0m"), "{styled}");
        let without_codes = strip_ansi(&styled);
        assert_eq!(without_codes, plain);
    }

    fn strip_ansi(text: &str) -> String {
        let mut out = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for c in chars.by_ref() {
                    if c == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }
}
