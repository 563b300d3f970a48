//! The knowledge together with the matcher built from it: everything a
//! command needs to answer, loaded and indexed once.

use std::path::Path;

use crate::knowledge::{Diagnostics, Knowledge, Topic};
use crate::matcher::{Match, Matcher};

pub struct Faq {
    pub knowledge: Knowledge,
    pub matcher: Matcher,
}

impl Faq {
    /// Loads, validates and indexes the knowledge in `dir`.
    pub fn load(dir: &Path) -> Result<Faq, Diagnostics> {
        Ok(Faq::new(Knowledge::load(dir)?))
    }

    pub fn new(knowledge: Knowledge) -> Faq {
        let matcher = Matcher::new(&knowledge);
        Faq { knowledge, matcher }
    }

    pub fn find(&self, question: &str) -> Match {
        self.matcher.find(question)
    }

    pub fn topic(&self, id: &str) -> Option<&Topic> {
        self.knowledge.topic(id)
    }
}
