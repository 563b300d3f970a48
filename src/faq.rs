//! The knowledge together with the matcher built from it: everything a
//! command needs to answer, loaded and indexed once.

use std::path::Path;
use std::sync::OnceLock;

use crate::knowledge::{Diagnostics, Knowledge, Topic};
use crate::matcher::{Match, Matcher};

pub struct Faq {
    pub knowledge: Knowledge,
    pub matcher: Matcher,
    /// See [`Faq::version`]; worked out when first asked for, so loading
    /// pays nothing for it.
    version: OnceLock<String>,
}

impl Faq {
    /// Loads, validates and indexes the knowledge in `dir`.
    pub fn load(dir: &Path) -> Result<Faq, Diagnostics> {
        Ok(Faq::new(Knowledge::load(dir)?))
    }

    pub fn new(knowledge: Knowledge) -> Faq {
        let matcher = Matcher::new(&knowledge);
        Faq {
            knowledge,
            matcher,
            version: OnceLock::new(),
        }
    }

    /// A short fingerprint of what the knowledge says (16 hex digits), so
    /// an operator can tell which knowledge each process serves: it
    /// changes with any edit of content, not with comments or layout.
    /// Comparable between processes running the same build.
    pub fn version(&self) -> &str {
        self.version.get_or_init(|| {
            // FNV-1a, 64 bits: tiny, stable and plenty for telling
            // versions apart (it is no defence against forgery).
            let text = format!("{:?}", self.knowledge);
            let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
            });
            format!("{hash:016x}")
        })
    }

    pub fn find(&self, question: &str) -> Match {
        self.matcher.find(question)
    }

    pub fn topic(&self, id: &str) -> Option<&Topic> {
        self.knowledge.topic(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_follows_the_content() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
        let faq = Faq::load(&dir).unwrap_or_else(|e| panic!("{e}"));
        let version = faq.version().to_string();
        assert_eq!(version.len(), 16);
        assert!(version.chars().all(|c| c.is_ascii_hexdigit()));
        let again = Faq::load(&dir).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            again.version(),
            version,
            "the same content, the same version"
        );
        let mut edited = again.knowledge.clone();
        edited.topics[0].answer.push_str(" One more sentence.");
        assert_ne!(Faq::new(edited).version(), version);
    }
}
