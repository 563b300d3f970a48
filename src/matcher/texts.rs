//! The knowledge's example texts, normalized once for everything the
//! matcher builds from them: the lexicon's own words and the index's
//! weights. Normalizing is most of what loading costs.

use super::normalize::normalize;
use crate::knowledge::Knowledge;

pub struct NormalizedTexts {
    /// Per topic: its questions and examples, then its title.
    pub topic_examples: Vec<Vec<String>>,
    /// Per topic: its keywords.
    pub topic_keywords: Vec<Vec<String>>,
    /// Per out-of-scope category: its example questions.
    pub category_examples: Vec<Vec<String>>,
}

impl NormalizedTexts {
    pub fn new(knowledge: &Knowledge) -> NormalizedTexts {
        let all = |texts: &[String]| texts.iter().map(|t| normalize(t)).collect::<Vec<_>>();
        NormalizedTexts {
            topic_examples: knowledge
                .topics
                .iter()
                .map(|t| {
                    let mut v = all(&t.questions);
                    v.extend(all(&t.examples));
                    v.push(normalize(&t.title));
                    v
                })
                .collect(),
            topic_keywords: knowledge.topics.iter().map(|t| all(&t.keywords)).collect(),
            category_examples: knowledge
                .out_of_scope
                .iter()
                .map(|c| all(&c.questions))
                .collect(),
        }
    }

    /// Every text, in no particular order.
    pub fn all(&self) -> impl Iterator<Item = &str> {
        self.topic_examples
            .iter()
            .chain(&self.topic_keywords)
            .chain(&self.category_examples)
            .flatten()
            .map(String::as_str)
    }
}
