//! The knowledge base: what the bot knows, loaded from human-editable TOML
//! files and validated as a whole before anything may use it.
//!
//! The files live in one folder (`KNOWLEDGE_DIR`, `./knowledge` by default):
//! `article.toml`, `provider.toml`, `certifications.toml`, `topics.toml`,
//! `out-of-scope.toml` and `vocabulary.toml`. [`Knowledge::load`] either
//! returns a knowledge base in which every cross-reference holds, or every
//! problem it found.

mod diagnostic;
pub mod export;
mod keys;
mod load;
mod model;
mod suggest;
mod text_rules;

use std::path::Path;

use crate::limits;

pub use diagnostic::{Diagnostic, Diagnostics};

/// The files of a knowledge folder, each read on its own.
pub const FILES: [&str; 6] = [
    "article.toml",
    "provider.toml",
    "certifications.toml",
    "topics.toml",
    "out-of-scope.toml",
    "vocabulary.toml",
];

/// How to point at another knowledge folder, for the one-line errors.
const POINT_ELSEWHERE: &str =
    "run from the project folder, or point at the knowledge folder with --knowledge DIR or KNOWLEDGE_DIR";

/// Why `dir` cannot be the knowledge folder at all, in one line: it is
/// missing, is not a folder, cannot be read, or holds none of the
/// knowledge files (a wrong folder, rather than broken knowledge).
pub fn folder_problem(dir: &Path) -> Option<String> {
    let shown = dir.display();
    let meta = match std::fs::metadata(dir) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Some(format!(
                "there is no knowledge folder at {shown}; {POINT_ELSEWHERE}"
            ))
        }
        Err(e) => {
            return Some(format!(
                "cannot read the knowledge folder {shown} ({e}); {POINT_ELSEWHERE}"
            ))
        }
    };
    if !meta.is_dir() {
        return Some(format!(
            "{shown} is a file, not a knowledge folder; {POINT_ELSEWHERE}"
        ));
    }
    if let Err(e) = std::fs::read_dir(dir) {
        return Some(format!(
            "cannot read the knowledge folder {shown} ({e}); {POINT_ELSEWHERE}"
        ));
    }
    let none_there = FILES.iter().all(|f| {
        std::fs::symlink_metadata(dir.join(f))
            .is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
    });
    if none_there {
        return Some(format!(
            "{shown} has none of the knowledge files ({}), so it is not a knowledge folder; {POINT_ELSEWHERE}",
            FILES.join(", ")
        ));
    }
    None
}

/// The longest answer a topic may have: short enough to read in a chat
/// window, and far inside an embed description's 4096 characters.
pub const MAX_ANSWER_CHARS: usize = 700;

/// A topic question doubles as an autocomplete label and, for a topic's
/// first question, as its description in the `/topics` menu; Discord caps
/// both at 100.
pub const MAX_QUESTION_CHARS: usize = limits::CHOICE_NAME;

/// A title is the label of the button that opens its topic under a
/// related answer (at most 80 characters) and of its option in the
/// `/topics` menu (at most 100): the smaller decides.
pub const MAX_TITLE_CHARS: usize = limits::BUTTON_LABEL;

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
    /// Ways people ask it, worded to be offered as suggestions.
    pub questions: Vec<String>,
    /// More ways people ask it, as they really type them (casual,
    /// misspelt): learned from like the questions, never shown.
    pub examples: Vec<String>,
    pub keywords: Vec<String>,
    pub answer: String,
    pub related: Vec<String>,
    /// What kind of topic it is, shared by the same topic for each
    /// certification ("validity" for both expiry topics): a follow-up that
    /// names the other certification gets that one's topic of this kind.
    pub kind: Option<String>,
    /// The kinds of "how long / when / where / who / how many" question
    /// its answer answers; such a question goes to no topic that lacks it.
    pub gives: Vec<Asks>,
}

/// What a question asks for when it asks for a particular kind of fact
/// ("how long ...?"), rather than a yes or no or an explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Asks {
    HowLong,
    When,
    Where,
    Who,
    HowMany,
}

impl Asks {
    pub const ALL: [Asks; 5] = [
        Asks::HowLong,
        Asks::When,
        Asks::Where,
        Asks::Who,
        Asks::HowMany,
    ];

    /// How the knowledge files write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Asks::HowLong => "how long",
            Asks::When => "when",
            Asks::Where => "where",
            Asks::Who => "who",
            Asks::HowMany => "how many",
        }
    }

    pub fn parse(s: &str) -> Option<Asks> {
        Asks::ALL.into_iter().find(|a| a.as_str() == s.trim())
    }
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
    /// The [`OutOfScope`] category it stands for.
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
    /// Phrase -> the concepts it stands for.
    pub phrases: Vec<(String, Vec<String>)>,
    pub concepts: Vec<WordGroup>,
    pub combinations: Vec<Combination>,
    /// Concepts that make a question about this subject at all.
    pub domain: Vec<String>,
    pub ignore: Vec<String>,
}

/// A kind of question the article cannot answer, which the bot declines.
/// It is matched like a topic, from its example questions, so that a
/// question near one of these lands on "not covered" rather than on the
/// nearest topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutOfScope {
    pub id: String,
    /// Completes "The article I answer from does not cover ...".
    pub explain: String,
    /// Who to ask instead.
    pub ask: AskInstead,
    /// Words that on their own mean the question needs this fact.
    pub words: Vec<String>,
    /// Ways people ask it.
    pub questions: Vec<String>,
}

/// Where the bot sends a question it declines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AskInstead {
    /// The body that issues the certification asked about (both when
    /// neither is named): exams, renewals, accounts, their own lists.
    Issuer,
    /// The training provider that published the article: training and
    /// coaching.
    Provider,
    /// Nobody in particular: the question is outside the bot's subject.
    Nobody,
}

impl AskInstead {
    pub fn parse(s: &str) -> Option<AskInstead> {
        match s {
            "issuer" => Some(AskInstead::Issuer),
            "provider" => Some(AskInstead::Provider),
            "nobody" => Some(AskInstead::Nobody),
            _ => None,
        }
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
    pub out_of_scope: Vec<OutOfScope>,
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

    pub fn out_of_scope(&self, id: &str) -> Option<&OutOfScope> {
        self.out_of_scope.iter().find(|c| c.id == id)
    }
}
