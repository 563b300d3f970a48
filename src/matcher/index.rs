//! What each topic's questions say, as weights over concepts.
//!
//! Built once when the knowledge loads. The index has one *class* per
//! topic and one per out-of-scope category, so that a question the
//! article cannot answer competes with the topics and can win: declining
//! is matching too. For every class, each concept gets a weight in 0..1:
//! how typical it is of the ways people ask it (the share of its example
//! questions that contain it, flattened so that a word in a few
//! examples still counts), raised for a topic's declared keywords. Each
//! concept also gets an inverse class frequency: a concept found in one
//! class says far more than one found in ten.

use super::learned::{Feature, SoftmaxModel};
use super::lexicon::{ConceptId, Lexicon, Reading};
use super::texts::NormalizedTexts;
use crate::knowledge::{About, Asks, Knowledge};

/// How the lexicon names the concept of a certification's name.
const CERTIFICATION_CONCEPT: &str = "cert:";
/// The weight a declared keyword has at least.
const KEYWORD_WEIGHT: f32 = 0.9;
/// How a concept's share of a class's examples becomes its weight: below
/// one, so a word in a few of many varied examples still counts (a square
/// root under-weighted the words of topics with many examples); chosen by
/// a sweep over blind question sets.
const TYPICAL_POWER: f32 = 0.35;
/// A class counts as using a concept, for the concept's rarity, only when
/// the concept's weight there is above this: a word in one or two of a
/// class's sixty examples is incidental, and counting it made every
/// common word look ordinary ("expire" is in a few examples about
/// assessment passwords). 0.3 (about one example in thirty) was chosen by
/// a sweep from 0 to 0.5 over blind question sets.
const IDF_MIN_WEIGHT: f32 = 0.3;
/// How much a topic keeps of its score when the question asks for a kind
/// of fact ("how long", "who") that its answer does not give.
const NOT_GIVEN: f32 = 0.3;

pub struct TopicIndex {
    /// Every class's id: the topics first, then the out-of-scope
    /// categories.
    pub ids: Vec<String>,
    pub about: Vec<TopicAbout>,
    /// How many of the classes are topics.
    topics: usize,
    /// `weights[concept * classes + class]`.
    weights: Vec<f32>,
    idf: Vec<f32>,
    classes: usize,
    /// Per class: the out-of-scope categories its keywords say it covers.
    pub covers: Vec<Vec<u32>>,
    /// Per class: the kinds of "how long / who ..." question it answers.
    pub gives: Vec<Vec<Asks>>,
    /// Per concept: whether it is the name of a higher credential ("PSPO
    /// II", "CSP").
    names: Vec<bool>,
    /// The classifier learned from the same examples, concepts and frame
    /// words together.
    pub learned: SoftmaxModel,
}

/// What a class is about, as certification bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopicAbout {
    One(u64),
    Both,
    Neither,
    /// An out-of-scope category, whatever is named.
    Any,
}

impl TopicIndex {
    pub fn build(knowledge: &Knowledge, lexicon: &Lexicon, texts: &NormalizedTexts) -> TopicIndex {
        let topics = knowledge.topics.len();
        let classes = topics + knowledge.out_of_scope.len();
        let concepts = lexicon.concept_count();
        let mut weights = vec![0f32; concepts * classes];
        let mut covers = vec![Vec::new(); classes];
        let mut gives = vec![Vec::new(); classes];
        let mut about = Vec::with_capacity(classes);
        let mut ids = Vec::with_capacity(classes);
        let read = |q: &String| lexicon.read(&super::normalize::normalize(q));
        // Every class's examples, as the learned model's features.
        let mut learned_examples: Vec<(usize, Vec<Feature>)> = Vec::new();
        for (t, topic) in knowledge.topics.iter().enumerate() {
            ids.push(topic.id.clone());
            about.push(match &topic.about {
                About::Both => TopicAbout::Both,
                About::Neither => TopicAbout::Neither,
                About::One(id) => TopicAbout::One(
                    lexicon
                        .certification_ids
                        .iter()
                        .position(|c| c == id)
                        .map_or(0, |i| 1u64 << i.min(63)),
                ),
            });
            gives[t] = topic.gives.clone();
            let examples: Vec<Reading> = texts.topic_examples[t]
                .iter()
                .map(|e| lexicon.read(e))
                .collect();
            learn_examples(&mut weights, classes, t, &examples);
            learned_examples.extend(examples.iter().map(|e| (t, lexicon.features(e))));
            for k in &topic.keywords {
                let reading = match lexicon.concept_id(k) {
                    Some(c) => Reading {
                        concepts: vec![(c, 1.0)],
                        ..Reading::default()
                    },
                    None => read(k),
                };
                for (c, _) in reading.concepts {
                    let w = &mut weights[c as usize * classes + t];
                    *w = w.max(KEYWORD_WEIGHT);
                }
                covers[t].extend(reading.unknown);
                if let Some(u) = lexicon.unknown.iter().position(|u| u == k) {
                    covers[t].push(u as u32);
                }
            }
        }
        for (i, category) in knowledge.out_of_scope.iter().enumerate() {
            let class = topics + i;
            ids.push(category.id.clone());
            about.push(TopicAbout::Any);
            covers[class].push(i as u32);
            let examples: Vec<Reading> = texts.category_examples[i]
                .iter()
                .map(|e| lexicon.read(e))
                .collect();
            learn_examples(&mut weights, classes, class, &examples);
            learned_examples.extend(examples.iter().map(|e| (class, lexicon.features(e))));
        }
        let n = classes as f32;
        let idf = (0..concepts)
            .map(|c| {
                let df = (0..classes)
                    .filter(|&t| weights[c * classes + t] > IDF_MIN_WEIGHT)
                    .count() as f32;
                // A concept no class uses still says the question is about
                // something else: it counts as much as the rarest one.
                ((n + 1.0) / df.max(1.0)).ln()
            })
            .collect::<Vec<f32>>();
        let names = lexicon
            .concept_names
            .iter()
            .map(|name| name.starts_with(CERTIFICATION_CONCEPT))
            .collect();
        let learned = SoftmaxModel::train(classes, lexicon.feature_count(), &learned_examples);
        TopicIndex {
            learned,
            names,
            ids,
            about,
            topics,
            weights,
            idf,
            classes,
            covers,
            gives,
        }
    }

    /// How many classes there are: topics and out-of-scope categories.
    pub fn len(&self) -> usize {
        self.classes
    }

    pub fn is_empty(&self) -> bool {
        self.classes == 0
    }

    pub fn is_topic(&self, class: usize) -> bool {
        class < self.topics
    }

    #[inline]
    pub fn weight(&self, concept: ConceptId, class: usize) -> f32 {
        self.weights[concept as usize * self.classes + class]
    }

    /// Whether a question of these concepts says only names. A category
    /// is the kind of fact asked for, so such a question is none: "pspo
    /// ii" is not a question about the PSPO II exam, though "what is on the
    /// PSPO II exam" is, and the name counts towards it there.
    pub fn names_only(&self, concepts: &[(ConceptId, f32)]) -> bool {
        concepts
            .iter()
            .all(|&(c, _)| self.names.get(c as usize).copied().unwrap_or(false))
    }

    #[inline]
    pub fn idf(&self, concept: ConceptId) -> f32 {
        self.idf[concept as usize]
    }

    /// How much of its score a class keeps for a question that asks for
    /// `wants`: all of it when its answer gives that kind of fact.
    pub fn gives_fit(&self, class: usize, wants: Option<Asks>) -> f32 {
        match wants {
            Some(w) if self.is_topic(class) && !self.gives[class].contains(&w) => NOT_GIVEN,
            _ => 1.0,
        }
    }

    /// The class of a topic or category id.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.ids.iter().position(|t| t == id)
    }
}

/// Sets a class's weights from its example questions.
fn learn_examples(weights: &mut [f32], classes: usize, class: usize, examples: &[Reading]) {
    if examples.is_empty() {
        return;
    }
    let concepts = weights.len() / classes.max(1);
    let mut counts = vec![0u32; concepts];
    for e in examples {
        for (c, _) in &e.concepts {
            counts[*c as usize] += 1;
        }
    }
    for (c, n) in counts.iter().enumerate() {
        if *n > 0 {
            weights[c * classes + class] = (*n as f32 / examples.len() as f32).powf(TYPICAL_POWER);
        }
    }
}

/// How well a topic fits the certifications a question names.
pub fn certification_fit(about: TopicAbout, named: u64) -> f32 {
    let count = named.count_ones();
    match about {
        TopicAbout::One(bit) => match (named & bit != 0, count) {
            (_, 0) => 0.8,
            (true, 1) => 1.0,
            (true, _) => 0.8,
            (false, _) => 0.1,
        },
        TopicAbout::Both => match count {
            0 => 0.9,
            1 => 0.85,
            _ => 1.0,
        },
        TopicAbout::Neither => {
            if count == 0 {
                1.0
            } else {
                0.85
            }
        }
        TopicAbout::Any => 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certification_fit_keeps_one_certification_from_answering_the_other() {
        let cspo = 1;
        let pspo = 2;
        assert!(certification_fit(TopicAbout::One(cspo), cspo) > 0.9);
        assert!(certification_fit(TopicAbout::One(cspo), pspo) < 0.2);
        assert!(certification_fit(TopicAbout::Both, cspo | pspo) > 0.9);
    }
}
