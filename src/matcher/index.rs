//! What each topic's questions say, as weights over concepts.
//!
//! Built once when the knowledge loads. For every topic, each concept gets
//! a weight in 0..1: how typical it is of the ways people ask that topic
//! (the share of its example questions that contain it, square-rooted so
//! that a word in a few examples still counts), raised for the topic's
//! declared keywords. Each concept also gets an inverse topic frequency: a
//! concept found in one topic says far more than one found in ten.

use super::lexicon::{ConceptId, Lexicon, Reading};
use crate::knowledge::{About, Knowledge};

/// The weight a declared keyword has at least.
const KEYWORD_WEIGHT: f32 = 0.9;

pub struct TopicIndex {
    pub ids: Vec<String>,
    pub about: Vec<TopicAbout>,
    /// `weights[concept * topics + topic]`.
    weights: Vec<f32>,
    idf: Vec<f32>,
    topics: usize,
    /// Per topic: the unknown-fact groups its keywords say it covers.
    pub covers: Vec<Vec<u32>>,
}

/// What a topic is about, as certification bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopicAbout {
    One(u64),
    Both,
    Neither,
}

impl TopicIndex {
    pub fn build(knowledge: &Knowledge, lexicon: &Lexicon) -> TopicIndex {
        let topics = knowledge.topics.len();
        let concepts = lexicon.concept_count();
        let mut weights = vec![0f32; concepts * topics];
        let mut covers = vec![Vec::new(); topics];
        let mut about = Vec::with_capacity(topics);
        for (t, topic) in knowledge.topics.iter().enumerate() {
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
            let examples: Vec<Reading> = topic
                .questions
                .iter()
                .chain(std::iter::once(&topic.title))
                .map(|q| lexicon.read(&super::normalize::normalize(q)))
                .collect();
            let mut counts = vec![0u32; concepts];
            for e in &examples {
                for (c, _) in &e.concepts {
                    counts[*c as usize] += 1;
                }
            }
            for (c, n) in counts.iter().enumerate() {
                if *n > 0 {
                    weights[c * topics + t] = (*n as f32 / examples.len() as f32).sqrt();
                }
            }
            for k in &topic.keywords {
                let reading = match lexicon.concept_id(k) {
                    Some(c) => Reading {
                        concepts: vec![(c, 1.0)],
                        ..Reading::default()
                    },
                    None => lexicon.read(&super::normalize::normalize(k)),
                };
                for (c, _) in reading.concepts {
                    let w = &mut weights[c as usize * topics + t];
                    *w = w.max(KEYWORD_WEIGHT);
                }
                covers[t].extend(reading.unknown);
                if let Some(u) = lexicon.unknown.iter().position(|u| u == k) {
                    covers[t].push(u as u32);
                }
            }
        }
        let n = topics as f32;
        let idf = (0..concepts)
            .map(|c| {
                let df = (0..topics)
                    .filter(|&t| weights[c * topics + t] > 0.0)
                    .count() as f32;
                // A concept no topic uses still says the question is about
                // something else: it counts as much as the rarest one.
                ((n + 1.0) / df.max(1.0)).ln()
            })
            .collect();
        TopicIndex {
            ids: knowledge.topics.iter().map(|t| t.id.clone()).collect(),
            about,
            weights,
            idf,
            topics,
            covers,
        }
    }

    pub fn len(&self) -> usize {
        self.topics
    }

    pub fn is_empty(&self) -> bool {
        self.topics == 0
    }

    #[inline]
    pub fn weight(&self, concept: ConceptId, topic: usize) -> f32 {
        self.weights[concept as usize * self.topics + topic]
    }

    #[inline]
    pub fn idf(&self, concept: ConceptId) -> f32 {
        self.idf[concept as usize]
    }

    pub fn position(&self, id: &str) -> Option<usize> {
        self.ids.iter().position(|t| t == id)
    }
}
