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

use super::lexicon::{ConceptId, Lexicon, Reading};
use super::texts::NormalizedTexts;
use crate::knowledge::{About, Asks, Knowledge};

/// How the lexicon names the concept of a certification's name.
const CERTIFICATION_CONCEPT: &str = "cert:";
/// The weight a declared keyword has at least.
const KEYWORD_WEIGHT: f32 = 0.9;
// The training constants below were chosen by a sweep on a blind question
// set written apart from the knowledge, each value moved up and down until
// accuracy stopped rising, and checked on other blind sets; training itself
// is deterministic, so the same knowledge always gives the same weights.
/// Training passes over the example questions at most (it stops early if
/// no example needs a correction); 4 and 30 scored the same as 12.
const TRAINING_EPOCHS: usize = 12;
/// How far an example's own class must beat the next to need no
/// correction, in shares of its meaning.
const TRAINING_MARGIN: f32 = 0.3;
/// How a concept's share of a class's examples becomes its weight: below
/// one, so a word in a few of many varied examples still counts (a square
/// root under-weighted the words of topics with many examples).
const TYPICAL_POWER: f32 = 0.35;
/// How much one correction moves a weight.
const LEARNING_RATE: f32 = 0.2;
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
        // Every class's examples, kept for training once the concepts'
        // rarity is known.
        let mut all_examples: Vec<(usize, Reading, Option<Asks>)> = Vec::new();
        // Each example is normalized once, for both what it says and what
        // kind of fact it asks for.
        let read_asked =
            |normalized: &String| (lexicon.read(normalized), super::asks::asked(normalized));
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
            let (examples, asked): (Vec<Reading>, Vec<Option<Asks>>) =
                texts.topic_examples[t].iter().map(read_asked).unzip();
            learn_examples(&mut weights, classes, t, &examples);
            all_examples.extend(examples.into_iter().zip(asked).map(|(e, w)| (t, e, w)));
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
            let (examples, asked): (Vec<Reading>, Vec<Option<Asks>>) =
                texts.category_examples[i].iter().map(read_asked).unzip();
            learn_examples(&mut weights, classes, class, &examples);
            all_examples.extend(examples.into_iter().zip(asked).map(|(e, w)| (class, e, w)));
        }
        let n = classes as f32;
        let idf = (0..concepts)
            .map(|c| {
                let df = (0..classes)
                    .filter(|&t| weights[c * classes + t] > 0.0)
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
        let mut index = TopicIndex {
            names,
            ids,
            about,
            topics,
            weights,
            idf,
            classes,
            covers,
            gives,
        };
        index.train(&all_examples);
        index
    }

    /// The share of a question's meaning that each class's concept weights
    /// explain, into `out` (one slot per class), so that training
    /// allocates nothing per example. How well each class fits what the
    /// question names and asks is applied by the caller.
    fn explained_into(&self, reading: &Reading, out: &mut [f32]) {
        out.fill(0.0);
        let norm: f32 = reading.concepts.iter().map(|&(c, w)| self.idf(c) * w).sum();
        if norm <= 0.0 {
            return;
        }
        for &(c, w) in &reading.concepts {
            let a = self.idf(c) * w / norm;
            let row = &self.weights[c as usize * self.classes..(c as usize + 1) * self.classes];
            for (slot, weight) in out.iter_mut().zip(row) {
                *slot += a * weight;
            }
        }
    }

    /// How well each class fits the certifications a question names and
    /// the kind of fact it asks for, one slot per class.
    fn fits(&self, certs: u64, wants: Option<Asks>) -> impl Iterator<Item = f32> + '_ {
        (0..self.classes)
            .map(move |k| certification_fit(self.about[k], certs) * self.gives_fit(k, wants))
    }

    /// Fits the concept weights to the example questions: whenever an
    /// example's own class does not beat every other class by a margin,
    /// the concepts it has count a little more for its class and a little
    /// less for the class that came too close. Weights start from how
    /// typical each concept is of a class, so training only corrects what
    /// counting got wrong: a word every class's examples use stops pulling
    /// a question towards the one that uses it most.
    fn train(&mut self, examples: &[(usize, Reading, Option<Asks>)]) {
        if self.classes == 0 {
            return;
        }
        // An example's fits do not change while the weights do: worked out
        // once, not in every pass.
        let fits: Vec<f32> = examples
            .iter()
            .flat_map(|(_, reading, wants)| self.fits(reading.certifications, *wants))
            .collect();
        let mut shares = vec![0.0f32; self.classes];
        for _ in 0..TRAINING_EPOCHS {
            let mut mistakes = 0;
            for ((class, reading, _), fit) in examples.iter().zip(fits.chunks_exact(self.classes)) {
                self.explained_into(reading, &mut shares);
                for (slot, fit) in shares.iter_mut().zip(fit) {
                    *slot *= fit;
                }
                let own = shares[*class];
                let rival = (0..self.classes)
                    .filter(|k| k != class)
                    .max_by(|&a, &b| shares[a].total_cmp(&shares[b]));
                let Some(rival) = rival else { continue };
                if own >= shares[rival] + TRAINING_MARGIN {
                    continue;
                }
                mistakes += 1;
                let norm: f32 = reading.concepts.iter().map(|&(c, w)| self.idf(c) * w).sum();
                if norm <= 0.0 {
                    continue;
                }
                for &(c, w) in &reading.concepts {
                    let step = LEARNING_RATE * self.idf(c) * w / norm;
                    let at = c as usize * self.classes;
                    let up = &mut self.weights[at + class];
                    *up = (*up + step).min(1.0);
                    let down = &mut self.weights[at + rival];
                    *down = (*down - step).max(0.0);
                }
            }
            if mistakes == 0 {
                break;
            }
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
