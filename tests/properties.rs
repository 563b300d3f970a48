//! Whatever text arrives, the matcher and the loader answer or refuse it:
//! they never panic, and a question's cost stays bounded by its length.

use std::path::Path;
use std::sync::OnceLock;

use cspo_pspo_bot::matcher::normalize::normalize;
use cspo_pspo_bot::Faq;
use proptest::prelude::*;

fn faq() -> &'static Faq {
    static FAQ: OnceLock<Faq> = OnceLock::new();
    FAQ.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
        Faq::load(&dir).unwrap_or_else(|e| panic!("{e}"))
    })
}

/// Text made of the pieces real messages are made of, so that the
/// interesting paths (names, mentions, typos, sentence ends) are reached.
fn messagey() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("pspo".to_string()),
        Just("CSPO".to_string()),
        Just("<@123>".to_string()),
        Just("<:e:1>".to_string()),
        Just("scrum.org".to_string()),
        Just("expire".to_string()),
        Just("expier".to_string()),
        Just("?".to_string()),
        Just(". ".to_string()),
        Just("’s".to_string()),
        Just("```".to_string()),
        Just("😂".to_string()),
        Just("https://x.y/z".to_string()),
        Just("and for".to_string()),
        Just("what about the other one".to_string()),
        Just("same for".to_string()),
        Just(", and how".to_string()),
        Just("also".to_string()),
        Just("thanks".to_string()),
        // Letters whose lower case is longer or shorter than they are.
        Just("ẞ".to_string()),
        Just("Ⱥ".to_string()),
        Just("İ".to_string()),
        "[a-z]{1,12}",
        "\\PC{1,8}",
        "[ \\t\\n\\r\\u{0}-\\u{1f}]{1,3}",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_text_gets_a_well_formed_match(text in prop_oneof!["\\PC*", messagey()]) {
        let found = faq().find(&text);
        prop_assert!((0.0..=1.0).contains(&found.confidence));
        prop_assert!(found.suggestions.len() <= 3);
        if let Some(t) = &found.topic {
            prop_assert!(faq().topic(t).is_some());
        }
    }

    /// A conversation turn, whatever was said and whatever came before,
    /// is a well-formed reply and never a panic.
    #[test]
    fn any_message_after_any_answer_gets_a_well_formed_turn(
        text in prop_oneof!["\\PC*", messagey()],
        earlier in prop::option::of(prop::sample::select(faq().knowledge.topics.iter().map(|t| t.id.clone()).collect::<Vec<_>>())),
    ) {
        let turn = cspo_pspo_bot::conversation::respond(faq(), &text, earlier.as_deref());
        prop_assert!((0.0..=1.0).contains(&turn.found.confidence));
        prop_assert!(turn.also.len() < cspo_pspo_bot::conversation::MAX_ANSWERS);
        for t in turn.found.topic.iter().chain(&turn.also) {
            prop_assert!(faq().topic(t).is_some());
        }
        prop_assert!(turn.reply.title.is_some() || !turn.reply.description.is_empty());
    }

    #[test]
    fn any_bytes_read_lossily_get_a_match(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        let text = String::from_utf8_lossy(&bytes);
        let found = faq().find(&text);
        prop_assert!((0.0..=1.0).contains(&found.confidence));
    }

    #[test]
    fn normalizing_twice_changes_nothing(text in prop_oneof!["\\PC*", messagey()]) {
        let once = normalize(&text);
        prop_assert_eq!(normalize(&once), once.clone());
        prop_assert!(!once.starts_with(' ') && !once.ends_with(' ') && !once.contains("  "));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Any bytes in any knowledge file are loaded or refused with
    /// diagnostics, never a panic, and never half-loaded.
    #[test]
    fn any_knowledge_file_content_is_loaded_or_refused(
        file in prop::sample::select(vec!["article.toml", "provider.toml", "certifications.toml", "topics.toml", "vocabulary.toml", "out-of-scope.toml"]),
        bytes in prop::collection::vec(any::<u8>(), 0..600),
    ) {
        let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
        for f in ["article.toml", "provider.toml", "certifications.toml", "topics.toml", "vocabulary.toml", "out-of-scope.toml"] {
            std::fs::copy(src.join(f), dir.path().join(f)).map_err(|e| TestCaseError::fail(e.to_string()))?;
        }
        std::fs::write(dir.path().join(file), &bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
        if let Err(problems) = Faq::load(dir.path()) {
            prop_assert!(!problems.0.is_empty());
            prop_assert!(problems.0.iter().all(|p| p.line >= 1 && p.column >= 1));
        }
    }
}

#[test]
fn a_huge_question_costs_no_more_than_its_bounded_prefix() {
    // 1 MB of words: only the first characters are read, so this returns
    // at once (a linear scan of the whole text would still be fine, but
    // matching must not grow with it).
    let huge = "does pspo expire ".repeat(60_000);
    let found = faq().find(&huge);
    assert_eq!(found.topic.as_deref(), Some("pspo-validity"));
    let one_line = "a".repeat(1 << 20);
    assert_eq!(faq().find(&one_line).topic, None);
}
