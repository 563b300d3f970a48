//! A softmax classifier learned from the example questions.
//!
//! The concept weights of [`super::index`] say how typical each concept is
//! of a class; they cannot tell "do I need to renew CSPO?" (whether it
//! expires) from "how do I renew CSPO?" (the renewal steps, which the
//! article does not give), because the two say the same concepts. This
//! model also reads the small words the concepts leave out ("how", "do",
//! "need") and learns, from every class's examples at once, how much each
//! feature speaks for each class against all the others (multinomial
//! logistic regression). Its probabilities are blended with the concept
//! scores by the matcher.
//!
//! Training is plain stochastic gradient descent in a fixed order, so the
//! same knowledge always gives the same model; it runs once at load.

/// A feature and its value in one question.
pub type Feature = (u32, f32);

// The training constants were chosen by a sweep over blind question sets
// written apart from the knowledge (each moved up and down until accuracy
// stopped rising on the tuning set, then checked on the held-out ones).
/// How much naming a certification counts as a feature of its own.
pub const CERTIFICATION_FEATURE: f32 = 1.0;
/// How much a pair of neighbouring words counts, against a single word's
/// 1: pairs tell "how do i renew" from "do i need to renew", but a pair
/// seen in one example is weak evidence (1.0 did better on the tuning set
/// and worse on a held-out one; 0.5 did well on both).
pub const PAIR_FEATURE: f32 = 0.5;
/// Passes over the examples: 4 did as well as 20 on every blind set, at a
/// fifth of the cost of loading.
const EPOCHS: usize = 4;
/// The first pass's step size; later passes take smaller steps.
const LEARNING_RATE: f32 = 1.5;
/// How strongly weights are pulled back towards zero (L2), so that a word
/// seen in one example does not decide a class alone.
const L2: f32 = 1e-4;

pub struct SoftmaxModel {
    classes: usize,
    /// `weights[feature * classes + class]`.
    weights: Vec<f32>,
    bias: Vec<f32>,
    /// Per feature: how rare it is across the examples (its inverse
    /// document frequency), so common words count for less.
    idf: Vec<f32>,
}

impl SoftmaxModel {
    /// Learns from `examples`: each a class and its raw features (feature
    /// ids below `features`, values in 0..1).
    pub fn train(classes: usize, features: usize, examples: &[(usize, Vec<Feature>)]) -> Self {
        let mut df = vec![0u32; features];
        for (_, x) in examples {
            for &(f, _) in x {
                if let Some(slot) = df.get_mut(f as usize) {
                    *slot += 1;
                }
            }
        }
        let n = examples.len().max(1) as f32;
        let idf = df
            .iter()
            .map(|&d| ((n + 1.0) / (d as f32 + 1.0)).ln() + 1.0)
            .collect();
        let mut model = SoftmaxModel {
            classes,
            weights: vec![0.0; features * classes],
            bias: vec![0.0; classes],
            idf,
        };
        if classes == 0 || examples.is_empty() {
            return model;
        }
        let inputs: Vec<(usize, Vec<Feature>)> =
            examples.iter().map(|(c, x)| (*c, model.weigh(x))).collect();
        // A fixed interleaving of the examples (a stride coprime with their
        // count), so that one class's examples do not come all together.
        let order: Vec<usize> = {
            let len = inputs.len();
            let mut stride = (len as f64 * 0.618) as usize | 1;
            while gcd(stride, len) != 1 {
                stride += 2;
            }
            (0..len).map(|i| (i * stride) % len).collect()
        };
        let mut p = vec![0.0f32; classes];
        for epoch in 0..EPOCHS {
            let rate = LEARNING_RATE / (1.0 + epoch as f32 * 0.3);
            for &i in &order {
                let (class, x) = &inputs[i];
                model.probabilities_into(x, &mut p);
                p[*class] -= 1.0;
                for (b, g) in model.bias.iter_mut().zip(&p) {
                    *b -= rate * g;
                }
                for &(f, v) in x {
                    let row = &mut model.weights[f as usize * classes..(f as usize + 1) * classes];
                    for (w, g) in row.iter_mut().zip(&p) {
                        *w -= rate * (g * v + L2 * *w);
                    }
                }
            }
        }
        model
    }

    /// Raw features weighted by rarity and scaled to unit length.
    fn weigh(&self, raw: &[Feature]) -> Vec<Feature> {
        let mut x: Vec<Feature> = raw
            .iter()
            .filter(|(f, _)| (*f as usize) < self.idf.len())
            .map(|&(f, v)| (f, v * self.idf[f as usize]))
            .collect();
        let norm = x.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            x.iter_mut().for_each(|(_, v)| *v /= norm);
        }
        x
    }

    fn probabilities_into(&self, x: &[Feature], out: &mut [f32]) {
        out.copy_from_slice(&self.bias);
        for &(f, v) in x {
            let row = &self.weights[f as usize * self.classes..(f as usize + 1) * self.classes];
            for (o, w) in out.iter_mut().zip(row) {
                *o += v * w;
            }
        }
        let max = out.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
        let mut sum = 0.0;
        for o in out.iter_mut() {
            *o = (*o - max).exp();
            sum += *o;
        }
        if sum > 0.0 {
            out.iter_mut().for_each(|o| *o /= sum);
        }
    }

    /// Each class's probability for a question of these raw features.
    pub fn probabilities(&self, raw: &[Feature]) -> Vec<f32> {
        let mut out = vec![0.0; self.classes];
        if self.classes > 0 {
            self.probabilities_into(&self.weigh(raw), &mut out);
        }
        out
    }
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two classes told apart only by a small word: feature 0 ("renew")
    /// is in both, feature 1 ("how") only in the second.
    fn renew_examples() -> Vec<(usize, Vec<Feature>)> {
        let mut examples = Vec::new();
        for _ in 0..10 {
            examples.push((0, vec![(0, 1.0), (2, 1.0)]));
            examples.push((1, vec![(0, 1.0), (1, 1.0)]));
        }
        examples
    }

    #[test]
    fn a_word_both_classes_share_does_not_decide_but_the_one_that_differs_does() {
        let model = SoftmaxModel::train(2, 3, &renew_examples());
        let how = model.probabilities(&[(0, 1.0), (1, 1.0)]);
        let other = model.probabilities(&[(0, 1.0), (2, 1.0)]);
        assert!(how[1] > 0.8, "{how:?}");
        assert!(other[0] > 0.8, "{other:?}");
        let shared = model.probabilities(&[(0, 1.0)]);
        assert!((shared[0] - shared[1]).abs() < 0.2, "{shared:?}");
    }

    #[test]
    fn probabilities_sum_to_one_and_training_is_repeatable() {
        let a = SoftmaxModel::train(2, 3, &renew_examples());
        let b = SoftmaxModel::train(2, 3, &renew_examples());
        let p = a.probabilities(&[(1, 1.0)]);
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-4);
        assert_eq!(p, b.probabilities(&[(1, 1.0)]));
    }

    #[test]
    fn unknown_features_and_no_classes_are_harmless() {
        let model = SoftmaxModel::train(2, 3, &renew_examples());
        let p = model.probabilities(&[(99, 1.0)]);
        assert_eq!(p.len(), 2);
        assert!(SoftmaxModel::train(0, 3, &[])
            .probabilities(&[(0, 1.0)])
            .is_empty());
    }
}
