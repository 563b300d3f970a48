//! Discord markdown as terminal text: `**bold**`, `*italics*` and
//! `_italics_`, `__underline__`, `` `code` ``, and `[text](url)` links,
//! which become `text (url)`. In [`Look::Plain`] the markers are dropped;
//! in [`Look::Ansi`] they become the terminal's own styles. A marker with
//! no partner is text, as Discord shows it, and so is an underscore inside
//! a word (`snake_case`). A backslash keeps the next mark as it is.

/// How text is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Look {
    /// No styling at all: pipes, files, `NO_COLOR`.
    Plain,
    /// ANSI escape sequences, for a terminal.
    Ansi,
}

/// One kind of styled span, as the ANSI code that turns it on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Bold,
    Italic,
    Underline,
    Code,
    Dim,
}

impl Style {
    fn code(self) -> &'static str {
        match self {
            Style::Bold => "\x1b[1m",
            Style::Italic => "\x1b[3m",
            Style::Underline => "\x1b[4m",
            // Cyan: stands out without the reverse video some terminals
            // render badly over several lines.
            Style::Code => "\x1b[36m",
            Style::Dim => "\x1b[2m",
        }
    }
}

const RESET: &str = "\x1b[0m";

/// `markdown` as terminal text.
pub fn render(markdown: &str, look: Look) -> String {
    let text = markdown.replace('\u{200b}', "");
    let mut out = Writer {
        out: String::with_capacity(text.len()),
        look,
        active: Vec::new(),
    };
    out.inline(&text);
    out.out
}

/// `text` in one style, with no markdown read inside it.
pub fn styled(text: &str, style: Style, look: Look) -> String {
    match look {
        Look::Plain => text.to_string(),
        Look::Ansi => format!("{}{text}{RESET}", style.code()),
    }
}

struct Writer {
    out: String,
    look: Look,
    /// The styles open around the current position, outermost first.
    active: Vec<Style>,
}

impl Writer {
    /// Writes `text`, reading its markdown.
    fn inline(&mut self, text: &str) {
        let mut rest = text;
        // The character before `rest` in the source, for `_`, which opens
        // italics only at the start of a word.
        let mut before: Option<char> = None;
        while let Some(c) = rest.chars().next() {
            let consumed = match c {
                '\\' => self.escaped(rest),
                '`' => self.code(rest),
                '*' if rest.starts_with("**") => self.pair(rest, "**", Style::Bold),
                '_' if rest.starts_with("__") => self.pair(rest, "__", Style::Underline),
                '*' => self.pair(rest, "*", Style::Italic),
                '_' if !before.is_some_and(char::is_alphanumeric) => {
                    self.pair(rest, "_", Style::Italic)
                }
                '[' => self.link(rest),
                _ => None,
            };
            let used = consumed.unwrap_or_else(|| {
                self.out.push(c);
                c.len_utf8()
            });
            before = rest[..used].chars().last();
            rest = &rest[used..];
        }
    }

    /// `\*` as a literal `*`: the bytes used, if the escape applies.
    fn escaped(&mut self, text: &str) -> Option<usize> {
        let next = text[1..]
            .chars()
            .next()
            .filter(char::is_ascii_punctuation)?;
        self.out.push(next);
        Some(1 + next.len_utf8())
    }

    fn code(&mut self, text: &str) -> Option<usize> {
        let end = 1 + text[1..].find('`')?;
        let inner = &text[1..end];
        if inner.is_empty() {
            return None;
        }
        self.open(Style::Code);
        self.out.push_str(inner);
        self.close();
        Some(end + 1)
    }

    /// A span between two `marker`s: the bytes used, if it is one.
    fn pair(&mut self, text: &str, marker: &str, style: Style) -> Option<usize> {
        let end = closing(text, marker)?;
        self.open(style);
        self.inline(&text[marker.len()..end]);
        self.close();
        Some(end + marker.len())
    }

    fn link(&mut self, text: &str) -> Option<usize> {
        let mid = text.find("](")?;
        let end = mid + text[mid..].find(')')?;
        let label = &text[1..mid];
        let url = &text[mid + 2..end];
        if label.contains('\n') || url.is_empty() || url.contains(char::is_whitespace) {
            return None;
        }
        self.inline(label);
        self.out.push_str(" (");
        self.open(Style::Underline);
        self.out.push_str(url);
        self.close();
        self.out.push(')');
        Some(end + 1)
    }

    fn open(&mut self, style: Style) {
        self.active.push(style);
        if self.look == Look::Ansi {
            self.out.push_str(style.code());
        }
    }

    /// Ends the innermost style; the outer ones go on.
    fn close(&mut self) {
        self.active.pop();
        if self.look == Look::Ansi {
            self.out.push_str(RESET);
            for style in &self.active {
                self.out.push_str(style.code());
            }
        }
    }
}

/// Where the `marker` that closes the one `text` starts with is, if
/// there is one: the span is not empty, does not start or end with a
/// space, and does not run past its line. A closing `_` ends a word.
fn closing(text: &str, marker: &str) -> Option<usize> {
    let body = &text[marker.len()..];
    if body.starts_with(char::is_whitespace) {
        return None;
    }
    let line_end = body.find('\n').unwrap_or(body.len());
    let mut from = 0;
    while let Some(found) = body[from..line_end].find(marker) {
        let at = from + found;
        let after = &body[at + marker.len()..];
        let ends_a_word = at > 0 && !body[..at].ends_with(char::is_whitespace);
        // A single `*` is not half of a `**`.
        let half_of_two = marker.len() == 1 && after.starts_with(marker);
        let inside_a_word = marker == "_" && after.starts_with(char::is_alphanumeric);
        let fits = ends_a_word && !half_of_two && !inside_a_word;
        if fits {
            return Some(marker.len() + at);
        }
        from = at + marker.len();
        // Skip a whole `**` when looking for a single `*`.
        if marker.len() == 1 && body[from..].starts_with(marker) {
            from += marker.len();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> String {
        render(text, Look::Plain)
    }

    #[test]
    fn markers_are_dropped_in_plain_text() {
        assert_eq!(
            plain("**CSPO** from the [Scrum Alliance](https://www.scrumalliance.org)."),
            "CSPO from the Scrum Alliance (https://www.scrumalliance.org)."
        );
        assert_eq!(
            plain("*Not what you asked?* Try `/topics`."),
            "Not what you asked? Try /topics."
        );
        assert_eq!(plain("_maybe_ and __underlined__"), "maybe and underlined");
        assert_eq!(
            plain("**bold with *italics* inside**"),
            "bold with italics inside"
        );
        assert_eq!(
            plain("[**Read** it](https://x.org)"),
            "Read it (https://x.org)"
        );
    }

    #[test]
    fn what_is_not_markdown_stays_as_written() {
        assert_eq!(plain("snake_case_name"), "snake_case_name");
        assert_eq!(plain("2 * 3 * 4"), "2 * 3 * 4");
        assert_eq!(plain("a lone ** here"), "a lone ** here");
        assert_eq!(plain("it's `unclosed"), "it's `unclosed");
        assert_eq!(plain("[not a link] (x)"), "[not a link] (x)");
        assert_eq!(plain("\\*kept\\*"), "*kept*");
        assert_eq!(plain("*one line\nnot two*"), "*one line\nnot two*");
        assert_eq!(plain("• **PSPO** — *é* ✓"), "• PSPO — é ✓");
        assert_eq!(plain("zero\u{200b}width"), "zerowidth");
    }

    #[test]
    fn a_terminal_gets_styles_that_nest() {
        assert_eq!(
            render("**a *b* c**", Look::Ansi),
            "\x1b[1ma \x1b[3mb\x1b[0m\x1b[1m c\x1b[0m"
        );
        assert_eq!(render("`x`", Look::Ansi), "\x1b[36mx\x1b[0m");
        assert_eq!(
            render("[t](https://u.org)", Look::Ansi),
            "t (\x1b[4mhttps://u.org\x1b[0m)"
        );
        assert_eq!(styled("T", Style::Bold, Look::Plain), "T");
    }
}
