//! Broken knowledge is refused as a whole, with every problem reported as
//! `file:line:col: message`, both by the library and by `check`.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use cspo_pspo_bot::knowledge::Knowledge;

const FILES: [&str; 6] = [
    "article.toml",
    "provider.toml",
    "certifications.toml",
    "topics.toml",
    "vocabulary.toml",
    "out-of-scope.toml",
];

/// A copy of the shipped knowledge that a test may break.
fn copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
    for f in FILES {
        fs::copy(src.join(f), dir.path().join(f)).unwrap_or_else(|e| panic!("copy {f}: {e}"));
    }
    dir
}

fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = fs::read_to_string(&path).unwrap_or_default();
    assert!(text.contains(from), "{file} does not contain {from:?}");
    fs::write(&path, text.replacen(from, to, 1)).unwrap_or_else(|e| panic!("write: {e}"));
}

/// The line (1-based) where `needle` first appears in a file.
fn line_of(dir: &Path, file: &str, needle: &str) -> usize {
    let text = fs::read_to_string(dir.join(file)).unwrap_or_default();
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {file}"));
    text[..offset].matches('\n').count() + 1
}

/// The line (1-based) where `needle` last appears in a file.
fn last_line_of(dir: &Path, file: &str, needle: &str) -> usize {
    let text = fs::read_to_string(dir.join(file)).unwrap_or_default();
    let offset = text
        .rfind(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {file}"));
    text[..offset].matches('\n').count() + 1
}

fn problems(dir: &Path) -> Vec<String> {
    match Knowledge::load(dir) {
        Ok(_) => Vec::new(),
        Err(d) => d.0.iter().map(ToString::to_string).collect(),
    }
}

fn path(dir: &Path, file: &str) -> PathBuf {
    dir.join(file)
}

#[test]
fn the_shipped_knowledge_is_valid() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
    assert_eq!(problems(&dir), Vec::<String>::new());
}

#[test]
fn a_syntax_error_points_at_its_line() {
    let dir = copy();
    edit(
        dir.path(),
        "article.toml",
        "author = \"Sara Patoff\"",
        "author = \"Sara Patoff",
    );
    let line = line_of(dir.path(), "article.toml", "author =");
    let found = problems(dir.path());
    assert_eq!(found.len(), 1, "{found:?}");
    let prefix = format!("{}:{line}:", path(dir.path(), "article.toml").display());
    assert!(
        found[0].starts_with(&prefix),
        "{found:?} should start with {prefix}"
    );
}

#[test]
fn an_unknown_key_is_refused() {
    let dir = copy();
    edit(
        dir.path(),
        "provider.toml",
        "phone = ",
        "fax = \"1\"\nphone = ",
    );
    let found = problems(dir.path());
    let line = line_of(dir.path(), "provider.toml", "fax =");
    assert!(
        found
            .iter()
            .any(|p| p.contains(&format!("provider.toml:{line}:1:"))
                && p.contains("unknown key `fax`")
                && p.contains("`phone`")),
        "{found:?}"
    );
}

#[test]
fn every_semantic_problem_is_reported_at_once() {
    let dir = copy();
    let d = dir.path();
    // A duplicate id, a related link to nothing, an answer that is too
    // long, a non-https URL and a certification without a value for a
    // dimension.
    edit(d, "topics.toml", "id = \"equivalence\"", "id = \"focus\"");
    edit(
        d,
        "topics.toml",
        "related = [\"cspo-vs-pspo\", \"cspo-requirements\", \"pspo-validity\"]",
        "related = [\"no-such-topic\"]",
    );
    let long = "x".repeat(701);
    edit(
        d,
        "topics.toml",
        "answer = \"\"\"\nThe article calls",
        &format!("answer = \"\"\"\n{long} The article calls"),
    );
    edit(d, "article.toml", "url = \"https://", "url = \"http://");
    edit(
        d,
        "certifications.toml",
        "exam = \"An online exam, taken after the course.\"\n",
        "",
    );

    let found = problems(d);
    let topics = path(d, "topics.toml").display().to_string();
    let expect = [
        // The second topic to claim an id is the duplicate.
        (
            format!(
                "{topics}:{}:",
                last_line_of(d, "topics.toml", "id = \"focus\"")
            ),
            "duplicate topic id \"focus\"",
        ),
        (
            format!(
                "{topics}:{}:",
                line_of(d, "topics.toml", "\"no-such-topic\"")
            ),
            "related topic \"no-such-topic\" does not exist",
        ),
        (
            format!(
                "{topics}:{}:",
                line_of(d, "topics.toml", &"x".repeat(10)) - 1
            ),
            "the answer is 972 characters long; at most 700 fit",
        ),
        (
            format!(
                "{}:{}:",
                path(d, "article.toml").display(),
                line_of(d, "article.toml", "url =")
            ),
            "must be an https:// URL",
        ),
        (
            format!("{}:", path(d, "certifications.toml").display()),
            "has no value for dimension \"exam\"",
        ),
    ];
    for (prefix, message) in &expect {
        assert!(
            found
                .iter()
                .any(|p| p.starts_with(prefix.as_str()) && p.contains(message)),
            "expected {prefix} … {message} in:\n{}",
            found.join("\n")
        );
    }
}

#[test]
fn vocabulary_mistakes_are_pinned_to_their_line() {
    let dir = copy();
    let d = dir.path();
    edit(
        d,
        "vocabulary.toml",
        "\"run out\" = \"expiry\"",
        "\"run out\" = \"expirry\"",
    );
    edit(
        d,
        "vocabulary.toml",
        "home = \"what-is-cspo\"",
        "home = \"what-is-csp\"",
    );
    let found = problems(d);
    let vocab = path(d, "vocabulary.toml").display().to_string();
    assert!(
        found.iter().any(|p| p.starts_with(&format!(
            "{vocab}:{}:",
            line_of(d, "vocabulary.toml", "\"run out\"")
        )) && p.contains("\"expirry\" is neither a concept")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|p| p.starts_with(&format!(
            "{vocab}:{}:",
            line_of(d, "vocabulary.toml", "what-is-csp\"")
        )) && p.contains("home topic \"what-is-csp\" does not exist")),
        "{found:?}"
    );
}

#[test]
fn a_missing_file_is_reported_not_panicked_on() {
    let dir = copy();
    fs::remove_file(dir.path().join("provider.toml")).unwrap_or_else(|e| panic!("{e}"));
    let found = problems(dir.path());
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("provider.toml:1:1: cannot read this file"),
        "{found:?}"
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_in_place_of_a_file_is_one_refused_file_not_a_hang() {
    let dir = copy();
    let topics = dir.path().join("topics.toml");
    fs::remove_file(&topics).unwrap_or_else(|e| panic!("{e}"));
    let made = Command::new("mkfifo")
        .arg(&topics)
        .status()
        .unwrap_or_else(|e| panic!("mkfifo: {e}"));
    assert!(made.success());
    // No one ever writes to it: a plain read would wait forever.
    let (tx, rx) = std::sync::mpsc::channel();
    let path = dir.path().to_path_buf();
    std::thread::spawn(move || {
        let _ = tx.send(problems(&path));
    });
    let found = rx
        .recv_timeout(std::time::Duration::from_secs(10))
        .unwrap_or_else(|_| panic!("loading waited on the FIFO"));
    assert!(
        found
            .iter()
            .any(|p| p.contains("topics.toml:1:1: cannot read this file")
                && p.contains("not a regular file")),
        "{found:?}"
    );
}

#[test]
fn check_exits_non_zero_and_prints_every_problem_on_stderr() {
    let dir = copy();
    let d = dir.path();
    edit(d, "topics.toml", "id = \"equivalence\"", "id = \"focus\"");
    edit(d, "article.toml", "url = \"https://", "url = \"http://");
    let out = Command::new(env!("CARGO_BIN_EXE_cspo-pspo-bot"))
        .arg("check")
        .env("KNOWLEDGE_DIR", d)
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    assert!(!out.status.success());
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout for a failed check"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("duplicate topic id \"focus\""), "{err}");
    assert!(err.contains("must be an https:// URL"), "{err}");
    // The renamed topic also leaves two related links dangling (a third
    // is in the duplicate, which is reported as that alone).
    assert_eq!(
        err.matches("related topic \"equivalence\" does not exist")
            .count(),
        2,
        "{err}"
    );
    assert!(err.contains("has 4 problems"), "{err}");
}

#[test]
fn out_of_scope_mistakes_are_pinned_to_their_line() {
    let dir = copy();
    let d = dir.path();
    edit(
        d,
        "out-of-scope.toml",
        "ask = \"issuer\"",
        "ask = \"isuer\"",
    );
    edit(
        d,
        "out-of-scope.toml",
        "id = \"pass-mark\"",
        "id = \"price\"",
    );
    let found = problems(d);
    let file = path(d, "out-of-scope.toml").display().to_string();
    assert!(
        found.iter().any(|p| p.starts_with(&format!(
            "{file}:{}:",
            line_of(d, "out-of-scope.toml", "\"isuer\"")
        )) && p
            .contains("`ask` must be \"issuer\", \"provider\" or \"nobody\"")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|p| p.starts_with(&file) && p.contains("duplicate category id \"price\"")),
        "{found:?}"
    );
}

/// Whether some problem starts at `file:line:` and says all of `says`.
fn reported(found: &[String], dir: &Path, file: &str, line: usize, says: &[&str]) -> bool {
    let prefix = format!("{}:{line}:", path(dir, file).display());
    found
        .iter()
        .any(|p| p.starts_with(&prefix) && says.iter().all(|s| p.contains(s)))
}

#[test]
fn every_unknown_key_in_every_file_is_reported_with_the_key_meant() {
    let dir = copy();
    let d = dir.path();
    edit(d, "provider.toml", "phone = ", "fone = ");
    edit(d, "article.toml", "author = ", "autor = ");
    edit(
        d,
        "topics.toml",
        "title = \"CSPO or PSPO: the key differences\"",
        "titel = \"CSPO or PSPO: the key differences\"",
    );
    edit(d, "topics.toml", "keywords = [", "keywrods = [");
    edit(d, "out-of-scope.toml", "explain = ", "explian = ");
    edit(d, "certifications.toml", "issuer_url = ", "issuer-url = ");
    edit(
        d,
        "certifications.toml",
        "name = \"CSPO\"",
        "label = \"CSPO\"",
    );
    edit(
        d,
        "vocabulary.toml",
        "[related.psm]\nparent = \"pspo\"\nalone = false",
        "[related.psm]\nparent = \"pspo\"\nalone = false\nalways = true",
    );
    let found = problems(d);
    let expect = [
        (
            "provider.toml",
            "fone = ",
            "unknown key `fone`",
            "did you mean `phone`?",
        ),
        (
            "article.toml",
            "autor = ",
            "unknown key `autor`",
            "did you mean `author`?",
        ),
        (
            "topics.toml",
            "titel = ",
            "unknown key `titel`",
            "did you mean `title`?",
        ),
        (
            "topics.toml",
            "keywrods = ",
            "unknown key `keywrods`",
            "did you mean `keywords`?",
        ),
        (
            "out-of-scope.toml",
            "explian = ",
            "unknown key `explian`",
            "did you mean `explain`?",
        ),
        (
            "certifications.toml",
            "issuer-url = ",
            "unknown key `issuer-url`",
            "did you mean `issuer_url`?",
        ),
        (
            "certifications.toml",
            "label = \"CSPO\"",
            "unknown key `label`",
            "`id`, `name`, `issuer_url`, `values`",
        ),
        (
            "vocabulary.toml",
            "always = ",
            "unknown key `always`",
            "`parent`, `alone`, `names`",
        ),
    ];
    for (file, at, key, hint) in expect {
        let line = line_of(d, file, at);
        assert!(
            reported(&found, d, file, line, &[key, hint]),
            "expected {file}:{line}: {key} … {hint} in:\n{}",
            found.join("\n")
        );
    }
    // One problem per misspelt key: the required key it leaves missing
    // is not reported again.
    assert_eq!(found.len(), expect.len(), "{}", found.join("\n"));
}

#[test]
fn every_misspelt_reference_says_what_was_meant() {
    let dir = copy();
    let d = dir.path();
    edit(
        d,
        "topics.toml",
        "related = [\"cspo-vs-pspo\", \"cspo-requirements\", \"pspo-validity\"]",
        "related = [\"cspo-vs-pspo\", \"cspo-requirements\", \"pspo-validty\"]",
    );
    edit(d, "topics.toml", "about = \"pspo\"", "about = \"psp\"");
    edit(
        d,
        "vocabulary.toml",
        "home = \"what-is-cspo\"",
        "home = \"what-is-csp\"",
    );
    edit(
        d,
        "vocabulary.toml",
        "\"run out\" = \"expiry\"",
        "\"run out\" = \"expirry\"",
    );
    edit(
        d,
        "out-of-scope.toml",
        "ask = \"issuer\"",
        "ask = \"isuer\"",
    );
    let found = problems(d);
    let expect = [
        ("topics.toml", "\"pspo-validty\"", "\"pspo-validity\""),
        ("topics.toml", "about = \"psp\"", "\"pspo\""),
        ("vocabulary.toml", "\"what-is-csp\"", "\"what-is-cspo\""),
        ("vocabulary.toml", "\"run out\"", "\"expiry\""),
        ("out-of-scope.toml", "\"isuer\"", "\"issuer\""),
    ];
    for (file, at, meant) in expect {
        let line = line_of(d, file, at);
        let hint = format!("did you mean {meant}?");
        assert!(
            reported(&found, d, file, line, &[&hint]),
            "expected {file}:{line}: … {hint} in:\n{}",
            found.join("\n")
        );
    }
}

#[test]
fn one_question_under_two_topics_or_a_topic_and_a_category_is_refused() {
    let dir = copy();
    let d = dir.path();
    // The same question as the first topic's, in other case and
    // punctuation, under another topic ...
    edit(
        d,
        "topics.toml",
        "  \"Is CSPO better than PSPO?\",",
        "  \"Is CSPO better than PSPO?\", \"what is the DIFFERENCE between cspo and pspo\",",
    );
    // ... and under an out-of-scope category.
    edit(
        d,
        "out-of-scope.toml",
        "questions = [",
        "questions = [\"Compare CSPO and PSPO!\", ",
    );
    let found = problems(d);
    let first = line_of(
        d,
        "topics.toml",
        "What is the difference between CSPO and PSPO?",
    );
    assert!(
        reported(
            &found,
            d,
            "topics.toml",
            line_of(d, "topics.toml", "what is the DIFFERENCE"),
            &[
                "is also a question of topic \"cspo-vs-pspo\"",
                &format!("topics.toml:{first})"),
            ]
        ),
        "{}",
        found.join("\n")
    );
    assert!(
        reported(
            &found,
            d,
            "out-of-scope.toml",
            line_of(d, "out-of-scope.toml", "Compare CSPO and PSPO!"),
            &["is also a question of topic \"cspo-vs-pspo\""]
        ),
        "{}",
        found.join("\n")
    );
    assert_eq!(found.len(), 2, "{}", found.join("\n"));
}

#[test]
fn mentions_are_refused_in_every_text_the_bot_posts() {
    let dir = copy();
    let d = dir.path();
    edit(
        d,
        "topics.toml",
        "Both give you a solid grounding",
        "@everyone Both give you a solid grounding",
    );
    edit(
        d,
        "topics.toml",
        "title = \"CSPO or PSPO: the key differences\"",
        "title = \"CSPO or PSPO <@123>\"",
    );
    edit(
        d,
        "provider.toml",
        "about = \"A certification",
        "about = \"<@&42> A certification",
    );
    edit(
        d,
        "out-of-scope.toml",
        "explain = \"prices",
        "explain = \"@here prices",
    );
    edit(
        d,
        "article.toml",
        "author = \"Sara Patoff\"",
        "author = \"<@!7>\"",
    );
    edit(
        d,
        "certifications.toml",
        "exam = \"An online exam, taken after the course.\"",
        "exam = \"An online exam, taken after the course. @here\"",
    );
    let found = problems(d);
    let expect = [
        (
            "topics.toml",
            "@everyone",
            "the answer contains \"@everyone\"",
        ),
        ("topics.toml", "<@123>", "the title contains \"<@123>\""),
        ("provider.toml", "<@&42>", "`about` contains \"<@&42>\""),
        ("out-of-scope.toml", "@here", "`explain` contains \"@here\""),
        ("article.toml", "<@!7>", "the author contains \"<@!7>\""),
        ("certifications.toml", "course. @here", "contains \"@here\""),
    ];
    for (file, at, says) in expect {
        // A multi-line answer is pinned to the line where it starts.
        let line = line_of(d, file, at) - usize::from(at == "@everyone");
        assert!(
            reported(&found, d, file, line, &[says, "mention"]),
            "expected {file}:{line}: {says} in:\n{}",
            found.join("\n")
        );
    }
    assert_eq!(found.len(), expect.len(), "{}", found.join("\n"));
}

#[test]
fn a_word_in_two_concepts_is_refused() {
    let dir = copy();
    let d = dir.path();
    edit(
        d,
        "vocabulary.toml",
        "hours = [\"hours\", \"hour\"]",
        "hours = [\"hours\", \"hour\", \"Duration\"]",
    );
    let found = problems(d);
    assert!(
        reported(
            &found,
            d,
            "vocabulary.toml",
            line_of(d, "vocabulary.toml", "\"Duration\""),
            &[
                "\"Duration\" is also a word of the concept `duration`",
                &format!("(line {})", line_of(d, "vocabulary.toml", "duration = [")),
            ]
        ),
        "{}",
        found.join("\n")
    );
    assert_eq!(found.len(), 1, "{}", found.join("\n"));
}

#[test]
fn what_the_discord_menus_cannot_show_is_refused() {
    let dir = copy();
    let d = dir.path();
    // A title longer than a button label, and one that is blank.
    let long = "A".repeat(81);
    edit(
        d,
        "topics.toml",
        "title = \"CSPO or PSPO: the key differences\"",
        &format!("title = \"{long}\""),
    );
    let found = problems(d);
    assert!(
        reported(
            &found,
            d,
            "topics.toml",
            line_of(d, "topics.toml", &long),
            &["the title is 81 characters long; at most 80 fit"]
        ),
        "{}",
        found.join("\n")
    );
    edit(
        d,
        "topics.toml",
        &format!("title = \"{long}\""),
        "title = \"  \"",
    );
    let found = problems(d);
    assert!(
        reported(
            &found,
            d,
            "topics.toml",
            line_of(d, "topics.toml", "title = \"  \""),
            &["the title is empty"]
        ),
        "{}",
        found.join("\n")
    );
    // A question longer than an autocomplete choice's name.
    let question = format!("Is {} the difference?", "really ".repeat(14));
    edit(
        d,
        "topics.toml",
        "\"What is the difference between CSPO and PSPO?\"",
        &format!("\"{question}\""),
    );
    let found = problems(d);
    assert!(
        reported(
            &found,
            d,
            "topics.toml",
            line_of(d, "topics.toml", &question),
            &[&format!(
                "a question is {} characters long; at most 100 fit",
                question.chars().count()
            )]
        ),
        "{}",
        found.join("\n")
    );
}

#[test]
fn more_topics_than_one_menu_holds_are_fine_since_topics_pages_them() {
    let dir = copy();
    let d = dir.path();
    let topics = d.join("topics.toml");
    let mut text = fs::read_to_string(&topics).unwrap_or_default();
    for n in 1..=20 {
        text.push_str(&format!(
            "\n[[topic]]\nid = \"extra-{n}\"\ntitle = \"Extra {n}\"\nquestions = [\"extra question number {n}\"]\nanswer = \"Extra.\"\n"
        ));
    }
    fs::write(&topics, text).unwrap_or_else(|e| panic!("{e}"));
    let found = problems(d);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn a_comparison_of_twelve_dimensions_loads_since_compare_folds_what_does_not_fit() {
    let dir = copy();
    let d = dir.path();
    let labels = common::write_comparison(d, 12, 60, 400);
    let found = problems(d);
    assert!(found.is_empty(), "{}", found.join("\n"));
    let k = Knowledge::load(d).unwrap_or_else(|e| panic!("{e}"));
    let loaded: Vec<&str> = k.dimensions.iter().map(|d| d.label.as_str()).collect();
    assert_eq!(loaded, labels);
    assert!(k.certifications.iter().all(|c| c.values.len() == 12));

    let out = Command::new(env!("CARGO_BIN_EXE_cspo-pspo-bot"))
        .arg("check")
        .env("KNOWLEDGE_DIR", d)
        .env_remove("DISCORD_TOKEN")
        .output()
        .unwrap_or_else(|e| panic!("run: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("2 certifications compared on 12 dimensions"),
        "{stdout}"
    );
}

#[test]
fn a_pasted_copy_of_a_topic_is_one_problem_not_a_cascade() {
    let dir = copy();
    let d = dir.path();
    let topics = d.join("topics.toml");
    let text = fs::read_to_string(&topics).unwrap_or_default();
    let start = text.find("[[topic]]").unwrap_or(0);
    let end = start + 1 + text[start + 1..].find("[[topic]]").unwrap_or(0);
    let copy_of_first = text[start..end].to_string();
    fs::write(&topics, format!("{text}\n{copy_of_first}")).unwrap_or_else(|e| panic!("{e}"));
    let found = problems(d);
    assert_eq!(found.len(), 1, "{}", found.join("\n"));
    assert!(
        reported(
            &found,
            d,
            "topics.toml",
            last_line_of(d, "topics.toml", "id = \"cspo-vs-pspo\""),
            &[&format!(
                "duplicate topic id \"cspo-vs-pspo\": line {} has a topic with this id already",
                line_of(d, "topics.toml", "id = \"cspo-vs-pspo\"")
            )]
        ),
        "{}",
        found.join("\n")
    );
}

/// The topics the shipped knowledge answers. Removing or renaming one is a
/// decision (its buttons in old messages stop working, its logs and
/// metrics change name), so it shows up here.
#[test]
fn the_shipped_knowledge_has_these_topics() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge");
    let k = Knowledge::load(&dir).unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<&str> = k.topics.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(
        ids,
        [
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
        ]
    );
}

/// Removes the `[[topic]]` with `id`, and every link to it.
fn remove_topic(dir: &Path, id: &str) {
    let topics = dir.join("topics.toml");
    let text = fs::read_to_string(&topics).unwrap_or_default();
    let at = text
        .find(&format!("[[topic]]\nid = \"{id}\""))
        .unwrap_or_else(|| panic!("no topic {id}"));
    let end = text[at + 1..]
        .find("[[topic]]")
        .map_or(text.len(), |e| at + 1 + e);
    let text = format!("{}{}", &text[..at], &text[end..])
        .replace(&format!(", \"{id}\""), "")
        .replace(&format!("\"{id}\", "), "")
        .replace(&format!("\"{id}\""), "");
    fs::write(&topics, text).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn no_topic_is_required_a_knowledge_base_without_one_loads() {
    let dir = copy();
    let d = dir.path();
    remove_topic(d, "pspo-registry");
    remove_topic(d, "equivalence");
    let k = Knowledge::load(d).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(k.topics.len(), 14);
    assert!(k.topic("pspo-registry").is_none());

    // A topic renamed everywhere it is named, even the one `/compare`
    // links to, is just a topic with another id.
    for file in ["topics.toml", "vocabulary.toml"] {
        let text = fs::read_to_string(d.join(file)).unwrap_or_default();
        fs::write(
            d.join(file),
            text.replace("\"cspo-vs-pspo\"", "\"cspo-or-pspo\""),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
    let k = Knowledge::load(d).unwrap_or_else(|e| panic!("{e}"));
    assert!(k.topic("cspo-or-pspo").is_some() && k.topic("cspo-vs-pspo").is_none());

    // And the bot answers from it, compares without the link, and says
    // nothing is missing.
    let bot = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_cspo-pspo-bot"))
            .args(args)
            .env("KNOWLEDGE_DIR", d)
            .env("UNANSWERED_LOG", "off")
            .env("FEEDBACK_LOG", "off")
            .env_remove("DISCORD_TOKEN")
            .output()
            .unwrap_or_else(|e| panic!("run: {e}"))
    };
    let out = bot(&[
        "ask",
        "--json",
        "what is the difference between cspo and pspo?",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answer: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(answer["topic"], "cspo-or-pspo");
    let out = bot(&["check"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("14 topics"));
    // `/compare` still compares, with no button to a topic that is gone.
    let mut console = Command::new(env!("CARGO_BIN_EXE_cspo-pspo-bot"));
    console
        .arg("console")
        .env("KNOWLEDGE_DIR", d)
        .env("UNANSWERED_LOG", "off")
        .env("FEEDBACK_LOG", "off")
        .env_remove("DISCORD_TOKEN");
    let out = common::run_with_stdin(console, b"/compare\n");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("== CSPO vs PSPO =="), "{shown}");
    assert!(
        shown.contains("[PSPO issuer] https://www.scrum.org"),
        "{shown}"
    );
    assert!(!shown.contains("Which should I choose?"), "{shown}");
    assert!(!shown.contains("/open cspo-vs-pspo"), "{shown}");
}

#[test]
fn a_misspelt_key_does_not_hide_the_other_problems_of_its_file() {
    let dir = copy();
    let d = dir.path();
    edit(
        d,
        "topics.toml",
        "title = \"CSPO or PSPO: the key differences\"",
        "titel = \"CSPO or PSPO: the key differences\"",
    );
    edit(
        d,
        "topics.toml",
        "related = [\"cspo-vs-pspo\", \"cspo-requirements\", \"pspo-validity\"]",
        "related = [\"cspo-vs-pspo\", \"cspo-requirements\", \"pspo-validty\"]",
    );
    let found = problems(d);
    assert!(
        reported(
            &found,
            d,
            "topics.toml",
            line_of(d, "topics.toml", "titel = "),
            &["did you mean `title`?"]
        ),
        "{}",
        found.join("\n")
    );
    assert!(
        reported(
            &found,
            d,
            "topics.toml",
            line_of(d, "topics.toml", "\"pspo-validty\""),
            &["related topic \"pspo-validty\" does not exist; did you mean \"pspo-validity\"?"]
        ),
        "{}",
        found.join("\n")
    );
    assert_eq!(found.len(), 2, "{}", found.join("\n"));
}

#[test]
fn an_example_is_checked_like_a_question() {
    let dir = copy();
    let d = dir.path();
    // An example of one topic that is another topic's question, and one
    // too long to be a question at all.
    let long = "why ".repeat(40);
    edit(
        d,
        "topics.toml",
        "examples = [",
        &format!("examples = [\"Does PSPO expire?\", \"{long}\", "),
    );
    let found = problems(d);
    // The example comes first in the file, so the question of the topic
    // further down is the one reported, naming the example's topic.
    let at = last_line_of(d, "topics.toml", "  \"Does PSPO expire?\",");
    assert!(
        reported(
            &found,
            d,
            "topics.toml",
            at,
            &["is also a question of topic \"cspo-vs-pspo\""]
        ),
        "{}",
        found.join("\n")
    );
    assert!(
        found
            .iter()
            .any(|f| f.contains("a question is 160 characters long; at most 100 fit")),
        "{}",
        found.join("\n")
    );
}
