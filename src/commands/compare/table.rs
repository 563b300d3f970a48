//! The comparison table as embed fields: one field per dimension, named
//! by its label, holding both certifications' values on a line each.
//!
//! Whatever the knowledge holds, the fields fit Discord's embed limits
//! (25 fields, 256-character names, 1024-character values, 6000
//! characters in all) without relying on [`crate::reply::Reply::within_limits`]
//! to cut them, since that would drop rows from the end without a word.
//! Long values are shortened, each visibly (`…`); when the rows cannot all
//! be shown readably, the first ones are, and a last field names the rest
//! and links to the article.

use crate::knowledge::{Certification, Dimension};
use crate::limits::{self, char_len, clamp, clamp_nonempty};
use crate::reply::Field;

/// Added to the card's text when a value had to be shortened.
pub const SHORTENED_NOTE: &str =
    "\nRows that end in “…” are shortened; the article has them in full.";

/// The least room a row's value is given before rows are folded into the
/// last field instead: about 70 characters per certification, a sentence
/// each. The shipped values are 9 to 140 characters; at this floor 24
/// rows with labels of 40 characters still fit the 6000-character total.
const MIN_ROW_VALUE: usize = 160;

/// The name of the field that lists the rows not shown.
const MORE_ROWS: &str = "More rows";

/// Two certifications over the knowledge's dimensions.
pub struct Table<'k> {
    dimensions: &'k [Dimension],
    first: &'k Certification,
    second: &'k Certification,
    article_url: &'k str,
}

/// The fields to show, and whether any value in them was shortened.
pub struct Laid {
    pub fields: Vec<Field>,
    pub shortened: bool,
}

impl<'k> Table<'k> {
    pub fn new(
        dimensions: &'k [Dimension],
        first: &'k Certification,
        second: &'k Certification,
        article_url: &'k str,
    ) -> Table<'k> {
        Table {
            dimensions,
            first,
            second,
            article_url,
        }
    }

    /// The fields, within `room` characters of names and values together.
    pub fn lay_out(&self, room: usize) -> Laid {
        let total = self.dimensions.len();
        let mut shown = total.min(limits::EMBED_FIELDS);
        loop {
            // Folding takes a field of its own.
            if shown < total {
                shown = shown.min(limits::EMBED_FIELDS - 1);
            }
            let more = (shown < total).then(|| self.more_rows(shown));
            let names: usize = self.dimensions[..shown]
                .iter()
                .map(|d| char_len(&row_name(d)))
                .sum();
            let more_chars = more
                .as_ref()
                .map_or(0, |f| char_len(&f.name) + char_len(&f.value));
            let left = room.saturating_sub(names + more_chars);
            let per_row = (left / shown.max(1)).min(limits::FIELD_VALUE);
            if per_row >= MIN_ROW_VALUE || shown <= 1 {
                return self.rows(shown, per_row, more);
            }
            shown -= 1;
        }
    }

    fn rows(&self, shown: usize, per_row: usize, more: Option<Field>) -> Laid {
        let mut shortened = false;
        let mut fields: Vec<Field> = self.dimensions[..shown]
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let (value, cut) = self.row_value(i, per_row);
                shortened |= cut;
                Field {
                    name: row_name(d),
                    value,
                    inline: false,
                }
            })
            .collect();
        fields.extend(more);
        Laid { fields, shortened }
    }

    /// `**A:** …\n**B:** …` in at most `room` characters, each value
    /// shortened only as much as the other leaves it no room.
    fn row_value(&self, row: usize, room: usize) -> (String, bool) {
        let label_a = format!("**{}:** ", self.first.name);
        let label_b = format!("\n**{}:** ", self.second.name);
        let a = value_of(self.first, row);
        let b = value_of(self.second, row);
        let space = room.saturating_sub(char_len(&label_a) + char_len(&label_b));
        let (fit_a, fit_b) = share(space, char_len(a), char_len(b));
        let cut = fit_a < char_len(a) || fit_b < char_len(b);
        let value = format!("{label_a}{}{label_b}{}", clamp(a, fit_a), clamp(b, fit_b));
        (value, cut)
    }

    /// The field that names the rows from `first_hidden` on and sends the
    /// reader to the article for them.
    fn more_rows(&self, first_hidden: usize) -> Field {
        let hidden = &self.dimensions[first_hidden..];
        let labels: Vec<&str> = hidden.iter().map(|d| d.label.as_str()).collect();
        let link = format!("The article has them all: [read it]({}).", self.article_url);
        let head = format!(
            "{} more row{} than fit here: ",
            hidden.len(),
            if hidden.len() == 1 { "" } else { "s" }
        );
        // The link is what matters; the list of labels gives way first.
        let list_room = limits::FIELD_VALUE.saturating_sub(char_len(&head) + char_len(&link) + 2);
        Field {
            name: MORE_ROWS.to_string(),
            value: format!("{head}{}.\n{link}", clamp(&labels.join(", "), list_room)),
            inline: false,
        }
    }
}

fn row_name(d: &Dimension) -> String {
    clamp_nonempty(&d.label, limits::FIELD_NAME, &d.id)
}

/// A certification's value for a row; a dash where it has none, since
/// Discord refuses an empty line no more than it helps the reader.
fn value_of(c: &Certification, row: usize) -> &str {
    c.values
        .get(row)
        .map(String::as_str)
        .filter(|v| !v.trim().is_empty())
        .unwrap_or("—")
}

/// How many characters each of two values of lengths `a` and `b` may keep
/// in `space`: all of both if they fit; otherwise a short one keeps all of
/// itself and the long one the rest, or both get half.
fn share(space: usize, a: usize, b: usize) -> (usize, usize) {
    let half = space / 2;
    if a + b <= space {
        (a, b)
    } else if a <= half {
        (a, space - a)
    } else if b <= half {
        (space - b, b)
    } else {
        (half, space - half)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_value_keeps_all_of_itself_and_leaves_the_rest_to_the_long_one() {
        assert_eq!(share(100, 30, 50), (30, 50));
        assert_eq!(share(100, 20, 500), (20, 80));
        assert_eq!(share(100, 500, 20), (80, 20));
        assert_eq!(share(100, 500, 500), (50, 50));
        assert_eq!(share(0, 5, 5), (0, 0));
    }
}
