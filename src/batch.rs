//! `ask`: answers questions from the command line or, one per line, from
//! standard input, as text, as text with how each question was read
//! (`--explain`), or as JSON Lines for scripts.
//!
//! Each argument is a question of its own (`ask "does pspo expire?" "what
//! is cspo?"`), answered in turn like lines of stdin; `--join` reads all the
//! words as one question (`ask --join does pspo expire`).
//!
//! Every input line gets exactly one output line in JSON mode, blank lines
//! included, so a script can pair questions and answers by position. A line
//! that is not valid UTF-8 is reported on stderr and answered as unreadable.
//! Lines are independent questions, or, with `--conversation`, one person's
//! successive messages in one place.

use std::io::{self, BufRead, Write};

use serde::Serialize;

use crate::console;
use crate::conversation::{Said, Session, Turn};
use crate::Faq;

/// How `ask` writes each answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The answer card as the console shows it.
    Text,
    /// How the question was read and scored, then the card.
    Explained,
    /// One JSON object a line.
    Json,
}

/// One answer in `ask --json`.
#[derive(Debug, Serialize)]
pub struct AnswerLine<'a> {
    pub question: &'a str,
    pub topic: Option<&'a str>,
    pub confidence: f32,
    pub answer: String,
    pub url: &'a str,
    pub suggestions: &'a [String],
    /// What kind of reply it was: "answer", "clarify", "small-talk",
    /// "help" or "unknown".
    pub reply: &'static str,
    /// Further topics answered in the same message.
    pub also: &'a [String],
    /// The kind of fact the article lacks, when part of the message asked
    /// for one.
    pub unknown: Option<&'a str>,
    /// Why the line could not be read as a question at all (it is not
    /// UTF-8 text); absent for every line that could.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'static str>,
}

/// The questions the command line's arguments ask: one per argument
/// (`each`), or, with `--join`, all the words together as one question.
pub fn questions_of(args: &[String], each: bool) -> Vec<String> {
    if each {
        args.to_vec()
    } else {
        vec![args.join(" ")]
    }
}

/// Answers one question, writing one line (JSON), one card (text), or
/// how the question was read and then its card (explained).
pub fn answer(
    faq: &Faq,
    session: &Session,
    question: &str,
    format: Format,
    out: &mut dyn Write,
) -> io::Result<()> {
    const EMPTY: &str = "Please type a question, for example: does PSPO expire?";
    if question.trim().is_empty() {
        return note(faq, question, EMPTY, None, format, out);
    }
    let turn = session.turn(faq, question);
    match format {
        Format::Json => {}
        Format::Text => return writeln!(out, "{}", console::render(&turn.reply)),
        Format::Explained => {
            write!(out, "{}", faq.matcher.explain(question))?;
            return writeln!(out, "{}", console::render(&turn.reply));
        }
    }
    let answer = answer_text(faq, &turn);
    let line = AnswerLine {
        question,
        topic: turn.found.topic.as_deref(),
        confidence: (turn.found.confidence * 1000.0).round() / 1000.0,
        answer,
        url: &faq.knowledge.article.url,
        suggestions: &turn.found.suggestions,
        reply: turn.said.as_str(),
        also: &turn.also,
        unknown: turn.unknown.as_deref(),
        error: None,
    };
    serde_json::to_writer(&mut *out, &line)?;
    writeln!(out)
}

/// The output line for an input line that is not UTF-8 text.
fn unreadable(faq: &Faq, lossy: &str, format: Format, out: &mut dyn Write) -> io::Result<()> {
    const NOT_TEXT: &str = "This line is not valid UTF-8 text, so it was not read as a question.";
    note(faq, lossy, NOT_TEXT, Some("not valid UTF-8"), format, out)
}

/// A line that answers no question, only says `text` about it (and, when
/// it could not be read, `error`).
fn note(
    faq: &Faq,
    question: &str,
    text: &str,
    error: Option<&'static str>,
    format: Format,
    out: &mut dyn Write,
) -> io::Result<()> {
    if format != Format::Json {
        return writeln!(out, "{text}");
    }
    let line = AnswerLine {
        question,
        topic: None,
        confidence: 0.0,
        answer: text.to_string(),
        url: &faq.knowledge.article.url,
        suggestions: &[],
        reply: Said::Unknown.as_str(),
        also: &[],
        unknown: None,
        error,
    };
    serde_json::to_writer(&mut *out, &line)?;
    writeln!(out)
}

/// The answer's text: a topic's answer as the knowledge has it, each
/// topic's under its title when a message asked several, or the reply's
/// own text.
fn answer_text(faq: &Faq, turn: &Turn) -> String {
    let topic = |id: &str| faq.topic(id);
    match (turn.said, turn.found.topic.as_deref().and_then(topic)) {
        (Said::Answer, Some(first)) if turn.also.is_empty() && turn.unknown.is_none() => {
            first.answer.clone()
        }
        (Said::Answer, Some(first)) => {
            let mut parts: Vec<String> = std::iter::once(first)
                .chain(turn.also.iter().filter_map(|id| topic(id)))
                .map(|t| format!("**{}**\n{}", t.title, t.answer))
                .collect();
            if !turn.reply.description.is_empty() {
                parts.push(turn.reply.description.clone());
            }
            parts.join("\n\n")
        }
        _ => turn.reply.description.clone(),
    }
}

/// Answers every line of `input`. Returns how many lines were not UTF-8:
/// each of those is reported on `err` and still gets its output line (an
/// "unreadable" answer), so output lines keep pairing with input lines.
pub fn answer_lines(
    faq: &Faq,
    session: &Session,
    input: &mut dyn BufRead,
    format: Format,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<usize> {
    let mut skipped = 0;
    let mut buf = Vec::new();
    let mut number = 0usize;
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf)? == 0 {
            break;
        }
        number += 1;
        if buf.last() == Some(&b'\n') {
            buf.pop();
        }
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
        match std::str::from_utf8(&buf) {
            Ok(line) => answer(faq, session, line, format, out)?,
            Err(_) => {
                skipped += 1;
                writeln!(
                    err,
                    "line {number}: not valid UTF-8, not read as a question"
                )?;
                unreadable(faq, &String::from_utf8_lossy(&buf), format, out)?;
            }
        }
    }
    out.flush()?;
    Ok(skipped)
}
