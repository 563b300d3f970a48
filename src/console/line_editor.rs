//! Reading the console's lines on a terminal: editing (arrows, Home/End,
//! Ctrl-W, …) and a history that Up and Down walk, kept for the session
//! only, since questions are nobody's business once it ends.

use std::io::{self, Write};

use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::{Config, Editor};

/// What the console shows when it waits for a line.
const PROMPT: &str = "> ";

/// Lines remembered for Up and Down: a long session's worth, and a few
/// hundred kilobytes at most.
const HISTORY_LINES: usize = 1000;

/// Terminals that cannot move the cursor, where rustyline falls back to
/// reading stdin itself, which the console already holds; the console
/// reads them line by line instead (rustyline's own list).
const UNSUPPORTED_TERMS: [&str; 3] = ["dumb", "cons25", "emacs"];

pub struct LineEditor {
    editor: Editor<(), DefaultHistory>,
}

impl LineEditor {
    /// The editor, or `None` where the terminal does not support one.
    pub fn open() -> Option<LineEditor> {
        let term = std::env::var_os("TERM").unwrap_or_default();
        let term = term.to_string_lossy();
        if UNSUPPORTED_TERMS
            .iter()
            .any(|t| t.eq_ignore_ascii_case(&term))
        {
            return None;
        }
        let config = Config::builder()
            .max_history_size(HISTORY_LINES)
            .ok()?
            .history_ignore_dups(true)
            .ok()?
            .history_ignore_space(true)
            .auto_add_history(true)
            .build();
        let editor = Editor::with_config(config).ok()?;
        Some(LineEditor { editor })
    }

    /// The next line, or `None` at the end (Ctrl-D). Ctrl-C drops the
    /// line being typed and asks again, as shells do. Whatever was
    /// written to `out` is flushed first, so it shows above the prompt.
    pub fn read(&mut self, out: &mut dyn Write) -> io::Result<Option<String>> {
        loop {
            out.flush()?;
            match self.editor.readline(PROMPT) {
                Ok(line) => return Ok(Some(line)),
                Err(ReadlineError::Interrupted) => {
                    writeln!(out, "(Ctrl-D or /quit leaves)")?;
                }
                Err(ReadlineError::Eof) => return Ok(None),
                Err(ReadlineError::Io(e)) => return Err(e),
                Err(e) => return Err(io::Error::other(e)),
            }
        }
    }
}
