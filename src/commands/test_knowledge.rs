//! Knowledge for the commands' tests: the shipped one, and variants of it
//! made larger than it is, to show what a user sees when a knowledge base
//! grows past what one Discord message holds.

use std::path::Path;

use crate::knowledge::{Dimension, Knowledge, Topic};
use crate::Faq;

fn shipped_knowledge() -> Knowledge {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
    Knowledge::load(&dir).unwrap_or_else(|e| panic!("{e}"))
}

/// The shipped knowledge.
pub fn shipped() -> Faq {
    Faq::new(shipped_knowledge())
}

/// The shipped knowledge with `count` dimensions in its comparison, each
/// value `value_chars` characters long (the real values are far shorter).
pub fn with_dimensions(count: usize, value_chars: usize) -> Faq {
    with_dimensions_labelled(count, 0, value_chars)
}

/// Like [`with_dimensions`], each label padded to `label_chars`.
pub fn with_dimensions_labelled(count: usize, label_chars: usize, value_chars: usize) -> Faq {
    let mut k = shipped_knowledge();
    k.dimensions = (1..=count)
        .map(|i| {
            let mut label = format!("Row {i} of the comparison");
            if label_chars > 0 {
                while label.chars().count() < label_chars {
                    label.push_str(" and more");
                }
                label = label.chars().take(label_chars).collect();
            }
            Dimension {
                id: format!("row-{i}"),
                label,
            }
        })
        .collect();
    for c in &mut k.certifications {
        let name = c.name.clone();
        c.values = (1..=count)
            .map(|i| {
                let start = format!("{name} row {i}: ");
                let fill = value_chars.saturating_sub(start.chars().count());
                format!("{start}{}", "long value ".repeat(fill / 11 + 1))
                    .chars()
                    .take(value_chars)
                    .collect()
            })
            .collect();
    }
    Faq::new(k)
}

/// The shipped topics followed by generated ones, `count` in all.
pub fn with_topics(count: usize) -> Faq {
    topics_made(count, |i| format!("Generated topic {i}"))
}

/// Like [`with_topics`], every added topic with a 250-character title and
/// a first question of 100 characters that the title does not contain.
pub fn with_long_topics(count: usize) -> Faq {
    topics_made(count, |i| {
        format!(
            "Topic {i} with a long title {}",
            "and more words ".repeat(20)
        )
        .chars()
        .take(250)
        .collect()
    })
}

fn topics_made(count: usize, title: impl Fn(usize) -> String) -> Faq {
    let mut k = shipped_knowledge();
    let model = k.topics[0].clone();
    let shipped = k.topics.len();
    for i in shipped + 1..=count {
        let question: String = format!(
            "Question number {i} asked about something else entirely, {}",
            "in many words ".repeat(10)
        )
        .chars()
        .take(100)
        .collect();
        k.topics.push(Topic {
            id: format!("generated-{i}"),
            title: title(i),
            questions: vec![question.trim_end().to_string()],
            related: Vec::new(),
            kind: None,
            ..model.clone()
        });
    }
    k.topics.truncate(count);
    Faq::new(k)
}
