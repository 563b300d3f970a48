//! Discord's documented size limits, in one place.
//!
//! Replies are clamped to these when they are built, so nothing is ever left
//! for Discord to reject. Lengths are in characters (Unicode scalar values),
//! which is how Discord counts them.

pub const EMBED_TITLE: usize = 256;
pub const EMBED_DESCRIPTION: usize = 4096;
pub const EMBED_FIELDS: usize = 25;
pub const FIELD_NAME: usize = 256;
pub const FIELD_VALUE: usize = 1024;
pub const EMBED_FOOTER: usize = 2048;
pub const EMBED_AUTHOR: usize = 256;
/// All of an embed's texts together.
pub const EMBED_TOTAL: usize = 6000;
pub const MESSAGE_CONTENT: usize = 2000;
pub const BUTTON_LABEL: usize = 80;
pub const CUSTOM_ID: usize = 100;
pub const BUTTONS_PER_ROW: usize = 5;
pub const ACTION_ROWS: usize = 5;
pub const SELECT_OPTIONS: usize = 25;
pub const SELECT_OPTION_LABEL: usize = 100;
pub const SELECT_OPTION_DESCRIPTION: usize = 100;
pub const SELECT_PLACEHOLDER: usize = 150;
pub const AUTOCOMPLETE_CHOICES: usize = 25;
pub const CHOICE_NAME: usize = 100;
pub const CHOICE_VALUE: usize = 100;
pub const COMMAND_DESCRIPTION: usize = 100;
pub const OPTION_STRING_MAX: usize = 6000;
pub const URL_MAX: usize = 512;
/// The question an answer shows above its card: far inside the embed
/// author's 256, and one line on a phone's screen for most questions.
pub const ASKED: usize = 200;

/// Cuts `text` to at most `max` characters, ending with an ellipsis when
/// anything was cut. Never splits a character.
pub fn clamp(text: &str, max: usize) -> String {
    if max == 0 {
        return String::new();
    }
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some(_) => {
            let keep: String = text.chars().take(max.saturating_sub(1)).collect();
            format!("{}…", keep.trim_end())
        }
    }
}

/// Like [`clamp`], but a blank text becomes `fallback`, because Discord
/// refuses empty field names, labels and choice names.
pub fn clamp_nonempty(text: &str, max: usize, fallback: &str) -> String {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        clamp(fallback, max)
    } else {
        clamp(trimmed, max)
    }
}

pub fn char_len(text: &str) -> usize {
    text.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamp_keeps_short_text_and_cuts_long_text_on_a_character() {
        assert_eq!(clamp("hello", 5), "hello");
        assert_eq!(clamp("hello!", 5), "hell…");
        assert_eq!(char_len(&clamp(&"é".repeat(300), 256)), 256);
        assert_eq!(clamp("abc", 0), "");
    }

    #[test]
    fn clamp_nonempty_never_returns_blank() {
        assert_eq!(clamp_nonempty("   ", 10, "topic"), "topic");
        assert_eq!(clamp_nonempty(" x ", 10, "topic"), "x");
    }
}
