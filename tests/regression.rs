//! The matcher against questions written in other words than the
//! knowledge's own examples: plain, paraphrased, misspelt, terse and chatty
//! questions, and questions it must decline. Accuracy is asserted per kind,
//! so a change that helps one kind by breaking another shows up here.

use std::collections::BTreeMap;
use std::path::Path;

use cspo_pspo_bot::Faq;

struct Case {
    line: usize,
    question: String,
    accepted: Vec<String>,
    kind: String,
}

fn cases() -> Vec<Case> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regression/questions.tsv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(i, l)| {
            let parts: Vec<&str> = l.split('\t').collect();
            assert_eq!(
                parts.len(),
                3,
                "line {}: expected 3 tab-separated fields",
                i + 1
            );
            Case {
                line: i + 1,
                question: parts[0].to_string(),
                accepted: parts[1].split(',').map(|s| s.trim().to_string()).collect(),
                kind: parts[2].trim().to_string(),
            }
        })
        .collect()
}

fn faq() -> Faq {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
    match Faq::load(&dir) {
        Ok(faq) => faq,
        Err(e) => panic!("shipped knowledge does not load:\n{e}"),
    }
}

/// The least accuracy each kind of question must keep.
fn bar(kind: &str) -> f64 {
    match kind {
        "plain" | "typo" | "terse" => 0.95,
        "paraphrase" => 0.88,
        // Long chatty messages carry words of several out-of-scope
        // categories; declining more of the article's gaps cost a few of
        // them, a trade measured on held-out sets.
        "chatty" => 0.78,
        "oos-near" | "oos-far" | "adversarial" => 0.93,
        other => panic!("unknown kind {other:?} in the regression set"),
    }
}

#[test]
fn accuracy_per_kind_stays_above_its_bar() {
    let faq = faq();
    let cases = cases();
    assert!(
        cases.len() >= 150,
        "the regression set needs at least 150 questions"
    );
    let out_of_scope = cases
        .iter()
        .filter(|c| c.accepted.iter().any(|a| a == "none"))
        .count();
    assert!(
        out_of_scope >= 40,
        "the regression set needs at least 40 out-of-scope questions"
    );

    let mut by_kind: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut misses = Vec::new();
    for c in &cases {
        let found = faq.find(&c.question);
        let ok = match &found.topic {
            None => c.accepted.iter().any(|a| a == "none"),
            Some(t) => c.accepted.contains(t),
        };
        let entry = by_kind.entry(c.kind.as_str()).or_default();
        entry.1 += 1;
        if ok {
            entry.0 += 1;
        } else {
            misses.push(format!(
                "  line {}: {:?} expected {} got {:?} ({:.2})",
                c.line,
                c.question,
                c.accepted.join(","),
                found.topic,
                found.confidence
            ));
        }
    }
    let mut failures = Vec::new();
    for (kind, (hit, n)) in &by_kind {
        let accuracy = *hit as f64 / *n as f64;
        println!("{kind:<12} {hit:>3}/{n:<3} {accuracy:.3}");
        if accuracy < bar(kind) {
            failures.push(format!("{kind}: {accuracy:.3} < {:.2}", bar(kind)));
        }
    }
    assert!(
        failures.is_empty(),
        "accuracy fell below the bar: {}\nmisses:\n{}",
        failures.join("; "),
        misses.join("\n")
    );
}

#[test]
fn cspo_and_pspo_are_never_confused_for_each_other() {
    let faq = faq();
    let pairs = [
        ("does cspo expire", "cspo-validity"),
        ("does pspo expire", "pspo-validity"),
        ("Does CSPO expire?", "cspo-validity"),
        ("Does PSPO expire?", "pspo-validity"),
        ("dose cspo expier", "cspo-validity"),
        ("dose pspo expier", "pspo-validity"),
        ("do I need a course for cspo", "cspo-requirements"),
        ("do I need a course for pspo", "pspo-requirements"),
        ("what comes after cspo", "cspo-career-path"),
        ("what comes after pspo", "pspo-career-path"),
        ("does Scrum Alliance certification expire", "cspo-validity"),
        ("does the Scrum.org certification expire", "pspo-validity"),
        (
            "does Professional Scrum Product Owner expire",
            "pspo-validity",
        ),
        ("does PSPO-I expire", "pspo-validity"),
        ("does pspo1 expire", "pspo-validity"),
    ];
    for (question, topic) in pairs {
        assert_eq!(
            faq.find(question).topic.as_deref(),
            Some(topic),
            "{question}"
        );
    }
}

#[test]
fn a_bare_certification_name_opens_what_it_is() {
    let faq = faq();
    assert_eq!(faq.find("cspo?").topic.as_deref(), Some("what-is-cspo"));
    assert_eq!(faq.find("PSPO").topic.as_deref(), Some("what-is-pspo"));
    assert_eq!(
        faq.find("cspo vs pspo").topic.as_deref(),
        Some("cspo-vs-pspo")
    );
}

#[test]
fn facts_the_article_lacks_are_declined_with_the_reason() {
    let faq = faq();
    for (question, reason) in [
        ("how much does the PSPO exam cost?", "price"),
        ("what is the passing score for CSPO", "pass-mark"),
        ("what does CSM cover?", "other-certification"),
        ("should I take PSM I?", "other-certification"),
        (
            "how many questions are on the PSPO I assessment",
            "exam-format",
        ),
    ] {
        let found = faq.find(question);
        assert_eq!(found.topic, None, "{question}");
        assert_eq!(found.unknown.as_deref(), Some(reason), "{question}");
    }
    // PSM together with PSPO is the trainer path the article describes.
    assert_eq!(
        faq.find("can PSPO plus PSM make me a trainer?")
            .topic
            .as_deref(),
        Some("pspo-career-path")
    );
}

#[test]
fn discord_noise_and_chatter_around_a_question_do_not_hide_it() {
    let faq = faq();
    for q in [
        "<@123456789> does **PSPO** expire? 🙏",
        "hey all! new here 👋 I work at a bank. anyway... does pspo expire?",
        "```does pspo expire```",
        "@everyone does pspo expire",
    ] {
        assert_eq!(faq.find(q).topic.as_deref(), Some("pspo-validity"), "{q}");
    }
}

#[test]
fn confidence_is_a_number_in_range_and_suggestions_are_few() {
    let faq = faq();
    for c in cases() {
        let found = faq.find(&c.question);
        assert!((0.0..=1.0).contains(&found.confidence), "{}", c.question);
        assert!(found.suggestions.len() <= 3);
        if let Some(t) = &found.topic {
            assert!(
                !found.suggestions.contains(t),
                "a suggestion repeats the answer: {}",
                c.question
            );
        }
    }
}
