//! `ask`: answers questions from the command line or, one per line, from
//! standard input, as text or as JSON Lines for scripts.
//!
//! Every input line gets exactly one output line in JSON mode, blank lines
//! included, so a script can pair questions and answers by position. A line
//! that is not valid UTF-8 is reported on stderr and skipped.

use std::io::{self, BufRead, Write};

use serde::Serialize;

use crate::commands;
use crate::console;
use crate::Faq;

/// One answer in `ask --json`.
#[derive(Debug, Serialize)]
pub struct AnswerLine<'a> {
    pub question: &'a str,
    pub topic: Option<&'a str>,
    pub confidence: f32,
    pub answer: String,
    pub url: &'a str,
    pub suggestions: &'a [String],
}

/// Answers one question, writing one line (JSON) or one card (text).
pub fn answer(faq: &Faq, question: &str, json: bool, out: &mut dyn Write) -> io::Result<()> {
    let found = if question.trim().is_empty() {
        crate::matcher::Match {
            topic: None,
            confidence: 0.0,
            suggestions: Vec::new(),
            ..Default::default()
        }
    } else {
        faq.find(question)
    };
    if json {
        let answer = match found.topic.as_deref().and_then(|t| faq.topic(t)) {
            Some(topic) => topic.answer.clone(),
            None if question.trim().is_empty() => {
                "Please type a question, for example: does PSPO expire?".to_string()
            }
            None => commands::for_match(faq, &found).description,
        };
        let line = AnswerLine {
            question,
            topic: found.topic.as_deref(),
            confidence: (found.confidence * 1000.0).round() / 1000.0,
            answer,
            url: &faq.knowledge.article.url,
            suggestions: &found.suggestions,
        };
        serde_json::to_writer(&mut *out, &line)?;
        writeln!(out)
    } else if question.trim().is_empty() {
        writeln!(
            out,
            "Please type a question, for example: does PSPO expire?"
        )
    } else {
        let reply = commands::for_match(faq, &found);
        writeln!(out, "{}", console::render(&reply))
    }
}

/// Answers every line of `input`. Returns how many lines were skipped
/// because they were not UTF-8.
pub fn answer_lines(
    faq: &Faq,
    input: &mut dyn BufRead,
    json: bool,
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
            Ok(line) => answer(faq, line, json, out)?,
            Err(_) => {
                skipped += 1;
                writeln!(err, "line {number}: not valid UTF-8, skipped")?;
            }
        }
    }
    out.flush()?;
    Ok(skipped)
}
