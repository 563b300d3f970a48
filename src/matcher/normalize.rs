//! Turning what people type into plain lower-case words.
//!
//! Discord messages carry noise that means nothing to the question: user,
//! role and channel mentions (`<@123>`), custom emoji (`<:name:123>`),
//! timestamps, links, markdown and code fences. All of it goes, as does
//! punctuation, so that "PSPO-I", "pspo i" and "PSPO 1" read alike. The
//! knowledge's vocabulary goes through the same function, so both sides of a
//! comparison are always spelled the same way.

/// Lower-cased words separated by single spaces; everything else removed.
/// Runs in one pass, in time linear in the input.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    // What the last written character was, to split "pspo1" into "pspo 1".
    let mut last = Kind::Space;
    // Letters written since the last space, and whether that word was
    // spelled with dots ("c.s.p.o").
    let mut word_len = 0usize;
    let mut dotted = false;
    while let Some((i, c)) = chars.next() {
        if last == Kind::Space {
            word_len = 0;
            dotted = false;
        }
        // Most characters are plain ASCII letters and digits, which none of
        // the rules below changes (but a zero, which may be an "o", and an
        // "h", which may start a link): written at once.
        if c.is_ascii_alphanumeric() && !matches!(c, '0' | 'h' | 'H') {
            let kind = if c.is_ascii_digit() {
                Kind::Digit
            } else {
                Kind::Letter
            };
            if last != Kind::Space && last != kind {
                out.push(' ');
                word_len = 0;
            }
            out.push(c.to_ascii_lowercase());
            word_len += 1;
            last = kind;
            continue;
        }
        // An acronym spelled with dots ("C.S.P.O", "e.g.") is one word.
        if c == '.' && last == Kind::Letter && (word_len == 1 || dotted) {
            let mut ahead = chars.clone();
            let single_letter_next = ahead.next().is_some_and(|(_, n)| n.is_alphabetic())
                && !ahead.peek().is_some_and(|(_, n)| n.is_alphanumeric());
            if single_letter_next {
                dotted = true;
                continue;
            }
        }
        // "A-CSPO" and "A-CSM" (the advanced levels) are one word, not
        // the article "a" before a certification's name.
        if c == '-'
            && last == Kind::Letter
            && word_len == 1
            && out.ends_with('a')
            && chars.peek().is_some_and(|(_, n)| n.is_alphabetic())
        {
            continue;
        }
        // A zero typed for an "o" after letters ("psp0") is the letter,
        // unless it is part of a number ("pspo10").
        let c = if c == '0'
            && last == Kind::Letter
            && !chars.peek().is_some_and(|(_, n)| n.is_ascii_digit())
        {
            'o'
        } else {
            c
        };
        if c == '<' {
            if let Some(len) = discord_markup_len(&text[i..]) {
                skip_bytes(&mut chars, i + len);
                push_space(&mut out, &mut last);
                continue;
            }
        }
        if (c == 'h' || c == 'H') && starts_with_url(&text[i..]) {
            while chars.peek().is_some_and(|(_, c)| !c.is_whitespace()) {
                chars.next();
            }
            push_space(&mut out, &mut last);
            continue;
        }
        if (c == '\'' || c == '’') && last == Kind::Letter {
            // A possessive "'s" goes; any other apostrophe joins ("don't").
            let mut ahead = chars.clone();
            if let Some((_, s)) = ahead.next() {
                if (s == 's' || s == 'S') && !ahead.peek().is_some_and(|(_, n)| n.is_alphanumeric())
                {
                    chars.next();
                }
            }
            continue;
        }
        if let Some(word) = symbol_word(c) {
            push_space(&mut out, &mut last);
            out.push_str(word);
            last = Kind::Letter;
            push_space(&mut out, &mut last);
            continue;
        }
        // ASCII, nearly every character, needs no Unicode case tables.
        let lowered = if c.is_ascii() {
            Lowered::One(c.to_ascii_lowercase())
        } else {
            Lowered::Many(c.to_lowercase())
        };
        for lower in lowered {
            let lower = fold_accent(lower);
            let kind = if lower.is_ascii_digit() {
                Kind::Digit
            } else if lower.is_alphanumeric() {
                Kind::Letter
            } else {
                push_space(&mut out, &mut last);
                continue;
            };
            if last != Kind::Space && last != kind {
                out.push(' ');
                word_len = 0;
            }
            out.push(lower);
            word_len += 1;
            last = kind;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// A character in lower case: itself for ASCII, or Unicode's mapping.
enum Lowered {
    One(char),
    Done,
    Many(std::char::ToLowercase),
}

impl Iterator for Lowered {
    type Item = char;
    fn next(&mut self) -> Option<char> {
        match self {
            Lowered::One(c) => {
                let c = *c;
                *self = Lowered::Done;
                Some(c)
            }
            Lowered::Done => None,
            Lowered::Many(it) => it.next(),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Space,
    Letter,
    Digit,
}

fn push_space(out: &mut String, last: &mut Kind) {
    if *last != Kind::Space {
        out.push(' ');
        *last = Kind::Space;
    }
}

fn skip_bytes(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>, end: usize) {
    while chars.peek().is_some_and(|(j, _)| *j < end) {
        chars.next();
    }
}

/// Read on every "h", so it compares bytes in place rather than
/// lower-casing a copy.
fn starts_with_url(s: &str) -> bool {
    let starts = |prefix: &[u8]| {
        s.as_bytes()
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    starts(b"https://") || starts(b"http://")
}

/// The byte length of a Discord markup token at the start of `s`: a user,
/// role or channel mention, a custom emoji, a timestamp or a slash-command
/// mention. `None` when `s` does not start with one.
fn discord_markup_len(s: &str) -> Option<usize> {
    let end = s.get(..120).map_or(s, |h| h).find('>')?;
    let inner = &s[1..end];
    let body = inner
        .strip_prefix("@!")
        .or_else(|| inner.strip_prefix("@&"))
        .or_else(|| inner.strip_prefix('@'))
        .or_else(|| inner.strip_prefix('#'))
        .or_else(|| inner.strip_prefix("t:"))
        .or_else(|| inner.strip_prefix("a:"))
        .or_else(|| inner.strip_prefix(':'))
        .or_else(|| inner.strip_prefix('/'))?;
    let ok = !body.is_empty()
        && body
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ':' | '_' | '-' | ' '))
        && body.chars().any(|c| c.is_ascii_digit());
    ok.then_some(end + 1)
}

/// Symbols that carry meaning in a question: "what % pass", "$50",
/// "CSPO = PSPO?".
fn symbol_word(c: char) -> Option<&'static str> {
    match c {
        '%' => Some("percent"),
        '$' => Some("dollar"),
        '€' => Some("euro"),
        '£' => Some("pound"),
        '=' => Some("equals"),
        _ => None,
    }
}

/// Folds the accented Latin letters people type by habit ("résumé").
fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ý' | 'ÿ' => 'y',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn lowercases_and_drops_punctuation() {
        assert_eq!(normalize("Does PSPO expire?!"), "does pspo expire");
        assert_eq!(normalize("  CSPO   vs.  PSPO  "), "cspo vs pspo");
    }

    #[test]
    fn dotted_acronyms_and_zeros_for_os_read_as_words() {
        assert_eq!(normalize("wat is C.S.P.O?"), "wat is cspo");
        assert_eq!(normalize("e.g. the PSPO"), "eg the pspo");
        assert_eq!(normalize("psp0 expiry"), "pspo expiry");
        assert_eq!(normalize("PSP0-I"), "pspo i");
        assert_eq!(
            normalize("pspo10 and v2.0 in 2020"),
            "pspo 10 and v 2 0 in 2020"
        );
        assert_eq!(normalize("scrum.org"), "scrum org");
        assert_eq!(normalize("a.b"), "ab");
        assert_eq!(normalize("A-CSPO vs a cspo"), "acspo vs a cspo");
    }

    #[test]
    fn spellings_of_a_level_read_alike() {
        assert_eq!(normalize("PSPO-I"), "pspo i");
        assert_eq!(normalize("PSPO1"), "pspo 1");
        assert_eq!(normalize("pspo 1"), "pspo 1");
        assert_eq!(normalize("Scrum.org"), "scrum org");
        assert_eq!(normalize("2yrs"), "2 yrs");
    }

    #[test]
    fn removes_discord_mentions_emoji_and_links() {
        assert_eq!(
            normalize("<@123456789> <@!42> <@&7> <#99> does <:pog:123456> pspo expire? 😂"),
            "does pspo expire"
        );
        assert_eq!(
            normalize("see https://example.com/x?y=1 please"),
            "see please"
        );
        assert_eq!(normalize("<t:1700000000:R> hi"), "hi");
    }

    #[test]
    fn keeps_ordinary_angle_brackets_as_punctuation() {
        assert_eq!(
            normalize("<img src=x onerror=alert(1)>"),
            "img src equals x onerror equals alert 1"
        );
        assert_eq!(normalize("a < b"), "a b");
    }

    #[test]
    fn strips_markdown_and_code_fences() {
        assert_eq!(normalize("**does** _pspo_ ~~expire~~"), "does pspo expire");
        assert_eq!(normalize("```\ndoes pspo expire\n```"), "does pspo expire");
        assert_eq!(normalize("> quoted ||spoiler||"), "quoted spoiler");
    }

    #[test]
    fn meaningful_symbols_become_words() {
        assert_eq!(normalize("what % pass PSPO"), "what percent pass pspo");
        assert_eq!(normalize("costs $50"), "costs dollar 50");
        assert_eq!(normalize("CSPO = PSPO?"), "cspo equals pspo");
    }

    #[test]
    fn possessives_and_contractions() {
        assert_eq!(normalize("PSPO's exam"), "pspo exam");
        assert_eq!(
            normalize("Scrum Alliance’s membership"),
            "scrum alliance membership"
        );
        assert_eq!(normalize("don't"), "dont");
        assert_eq!(normalize("what's"), "what");
    }

    #[test]
    fn control_characters_and_accents() {
        assert_eq!(normalize("does\u{0}pspo\u{7}\texpire"), "does pspo expire");
        assert_eq!(normalize("résumé"), "resume");
        assert_eq!(normalize(""), "");
        assert_eq!(normalize("?!…"), "");
    }
}
