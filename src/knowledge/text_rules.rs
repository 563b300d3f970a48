//! Rules for the texts the bot posts as they are written in the knowledge.

/// The first Discord mention in `text`, if any: `@everyone`, `@here`, a
/// user (`<@123>`, `<@!123>`) or a role (`<@&123>`). Replies are sent
/// with mentions turned off, but a knowledge file is no place for one:
/// the text would read as a ping to everyone who sees it, and any other
/// way of posting it would ping for real.
pub fn mention(text: &str) -> Option<&str> {
    let lower = text.to_ascii_lowercase();
    for word in ["@everyone", "@here"] {
        // "@hereford.example" in an address is no mention.
        let found = lower.match_indices(word).find(|(at, _)| {
            !lower[at + word.len()..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric)
        });
        if let Some((at, _)) = found {
            return text.get(at..at + word.len());
        }
    }
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(offset) = text.get(from..).and_then(|rest| rest.find("<@")) {
        let start = from + offset;
        let mut i = start + 2;
        if matches!(bytes.get(i), Some(b'!' | b'&')) {
            i += 1;
        }
        let digits = bytes.get(i..).map_or(0, |rest| {
            rest.iter().take_while(|b| b.is_ascii_digit()).count()
        });
        if digits > 0 && bytes.get(i + digits) == Some(&b'>') {
            return text.get(start..=i + digits);
        }
        from = start + 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_mention_is_found_and_plain_text_is_not() {
        assert_eq!(mention("Hello @everyone!"), Some("@everyone"));
        assert_eq!(mention("ask @Here now"), Some("@Here"));
        assert_eq!(mention("ping <@123> please"), Some("<@123>"));
        assert_eq!(mention("ping <@!123>"), Some("<@!123>"));
        assert_eq!(mention("the <@&42> role"), Some("<@&42>"));
        assert_eq!(mention("a <@ not> then <@7>"), Some("<@7>"));
        assert_eq!(mention("mail info@panlearn.com"), None);
        assert_eq!(mention("mail a@hereford.example"), None);
        assert_eq!(mention("<@> and <@&> and <@12"), None);
        assert_eq!(mention("CSPO <> PSPO"), None);
    }
}
