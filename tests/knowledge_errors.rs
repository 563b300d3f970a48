//! Broken knowledge is refused as a whole, with every problem reported as
//! `file:line:col: message`, both by the library and by `check`.

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
                && p.contains("unknown field `fax`")),
        "{found:?}"
    );
}

#[test]
fn every_semantic_problem_is_reported_at_once() {
    let dir = copy();
    let d = dir.path();
    // A duplicate id, a related link to nothing, an answer that is too
    // long, a non-https URL, a missing required topic and a certification
    // without a value for a dimension.
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
            format!("{topics}:1:1:"),
            "required topic \"equivalence\" is missing",
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
    // The renamed topic also leaves three related links dangling.
    assert!(
        err.contains("related topic \"equivalence\" does not exist"),
        "{err}"
    );
    assert!(err.contains("has 6 problems"), "{err}");
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
