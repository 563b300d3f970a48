//! The knowledge base: what the bot knows, loaded from human-editable TOML
//! files and validated as a whole before anything may use it.
//!
//! The files live in one folder (`KNOWLEDGE_DIR`, `./knowledge` by default):
//! `article.toml`, `provider.toml`, `certifications.toml`, `topics.toml` and
//! `vocabulary.toml`. [`Knowledge::load`] either returns a knowledge base in
//! which every cross-reference holds, or every problem it found.

mod diagnostic;
pub mod export;
mod load;
mod model;

use std::path::Path;

pub use diagnostic::{Diagnostic, Diagnostics};

/// Topic ids other parts of the product rely on; a knowledge base without
/// any of them is refused.
pub const REQUIRED_TOPICS: [&str; 16] = [
    "cspo-vs-pspo",
    "equivalence",
    "what-is-cspo",
    "what-is-pspo",
    "cspo-requirements",
    "pspo-requirements",
    "cspo-validity",
    "pspo-validity",
    "cspo-career-path",
    "pspo-career-path",
    "pspo-registry",
    "focus",
    "learning-content",
    "preparation",
    "provider",
    "article",
];

/// The longest answer a topic may have: short enough to read in a chat
/// window, and far inside an embed description's 4096 characters.
pub const MAX_ANSWER_CHARS: usize = 700;

/// A topic question doubles as an autocomplete label, which Discord caps.
pub const MAX_QUESTION_CHARS: usize = 100;

/// How many related topics a topic may offer as buttons.
pub const MAX_RELATED: usize = 3;

/// The source article; every answer links to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    pub title: String,
    pub author: String,
    pub category: String,
    /// The date it was last updated, `YYYY-MM-DD`.
    pub updated: String,
    pub url: String,
}

/// The training provider that published the article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    pub name: String,
    pub website: String,
    pub phone: String,
    pub about: String,
}

/// One row of the side-by-side comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dimension {
    pub id: String,
    pub label: String,
}

/// A certification with one value per [`Dimension`], in dimension order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certification {
    pub id: String,
    pub name: String,
    pub issuer_url: String,
    pub values: Vec<String>,
}

/// What a topic is about, which decides whether it may answer a question
/// that names one certification or the other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum About {
    /// One certification, by id.
    One(String),
    /// Both certifications at once (comparisons).
    Both,
    /// Neither (the provider, the article, studying in general).
    Neither,
}

/// One FAQ entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    pub id: String,
    pub title: String,
    pub about: About,
    pub questions: Vec<String>,
    pub keywords: Vec<String>,
    pub answer: String,
    pub related: Vec<String>,
}

/// A certification's names for the matcher, and the topic a bare mention of
/// it opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityNames {
    /// A certification id, or `both`.
    pub id: String,
    pub home: String,
    pub names: Vec<String>,
    /// The issuer's names: the certification when it is not named itself.
    pub issuers: Vec<String>,
}

/// Concepts that together ask for a fact the article lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Combination {
    pub all: Vec<String>,
    pub none: Vec<String>,
    /// The [`UnknownFacts`] group it stands for.
    pub unknown: String,
}

/// A certification the article names as a next step after one of ours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelatedNames {
    pub id: String,
    pub parent: String,
    /// Whether a question naming it without its parent is still ours.
    pub alone: bool,
    pub names: Vec<String>,
}

/// A named group of words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordGroup {
    pub id: String,
    pub words: Vec<String>,
}

/// The matcher's vocabulary, as data.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Vocabulary {
    pub certifications: Vec<EntityNames>,
    pub related: Vec<RelatedNames>,
    /// Facts the article lacks.
    pub unknown: Vec<UnknownFacts>,
    /// Phrase -> the concepts it stands for.
    pub phrases: Vec<(String, Vec<String>)>,
    pub concepts: Vec<WordGroup>,
    pub combinations: Vec<Combination>,
    /// Concepts that make a question about this subject at all.
    pub domain: Vec<String>,
    pub ignore: Vec<String>,
}

/// A kind of fact the article does not give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFacts {
    pub id: String,
    /// Completes "The article I answer from does not cover ...".
    pub explain: String,
    pub words: Vec<String>,
}

impl Vocabulary {
    /// How to say that the article lacks a kind of fact.
    pub fn explain_unknown(&self, id: &str) -> Option<&str> {
        self.unknown
            .iter()
            .find(|u| u.id == id)
            .map(|u| u.explain.as_str())
    }
}

/// A validated knowledge base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Knowledge {
    pub article: Article,
    pub provider: Provider,
    pub dimensions: Vec<Dimension>,
    pub certifications: Vec<Certification>,
    pub topics: Vec<Topic>,
    pub vocabulary: Vocabulary,
}

impl Knowledge {
    /// Reads and validates the knowledge folder. On failure, returns every
    /// problem found, each as `file:line:col: message`.
    pub fn load(dir: &Path) -> Result<Knowledge, Diagnostics> {
        load::load(dir)
    }

    pub fn topic(&self, id: &str) -> Option<&Topic> {
        self.topics.iter().find(|t| t.id == id)
    }

    pub fn certification(&self, id: &str) -> Option<&Certification> {
        self.certifications.iter().find(|c| c.id == id)
    }
}
