//! Reading the knowledge folder and checking it as a whole.
//!
//! Loading never stops at the first problem: a maintainer who broke three
//! things wants to see all three at once. Each file is parsed on its own,
//! then every rule that can be checked on what parsed is checked, and the
//! knowledge is returned only when nothing at all was found.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use toml::Spanned;

use super::diagnostic::{Diagnostic, Diagnostics, SourceFile};
use super::model::*;
use super::suggest::did_you_mean;
use super::*;
use super::{keys, text_rules};
use crate::limits;
use crate::matcher::normalize;

/// A parsed file with its text kept for positions.
struct Parsed<T> {
    path: PathBuf,
    text: String,
    value: T,
}

impl<T> Parsed<T> {
    fn source(&self) -> SourceFile<'_> {
        SourceFile {
            path: &self.path,
            text: &self.text,
        }
    }
}

/// Most a knowledge file may hold; the shipped ones are a few dozen KB.
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// A file's text, if it is a regular file (a symlink to one is fine) of a
/// sane size: a FIFO or a device in the folder would block a read forever,
/// and must be one refused file instead.
fn read_regular_file(path: &Path) -> std::io::Result<String> {
    use std::io::{Error, ErrorKind, Read};
    let mut options = fs::OpenOptions::new();
    options.read(true);
    // Opening a FIFO for reading waits for a writer; non-blocking, it
    // returns at once and the check below refuses it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    // Checked on the open file, so it cannot be swapped in between.
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "it is not a regular file (a FIFO, a device or a folder)",
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(Error::new(
            ErrorKind::InvalidData,
            format!(
                "it is {} bytes, more than the {MAX_FILE_BYTES} a knowledge file may be",
                meta.len()
            ),
        ));
    }
    let mut text = String::new();
    file.take(MAX_FILE_BYTES + 1).read_to_string(&mut text)?;
    Ok(text)
}

/// A TOML error at its position, on one line.
fn toml_error(file: &SourceFile<'_>, e: &toml::de::Error) -> Diagnostic {
    let span = e.span().unwrap_or(0..0);
    let message = e.message().trim().replace('\n', " ");
    file.at(span, message)
}

/// Whether `e` is a key missing from a table where an unknown key is,
/// which is most likely that key, misspelt.
fn is_misspelt(e: &toml::de::Error, unknown: &[keys::UnknownKey], len: usize) -> bool {
    let table = e.span().unwrap_or(0..len);
    e.message().starts_with("missing field")
        && unknown
            .iter()
            .any(|k| table.start <= k.span.start && k.span.end <= table.end)
}

/// Collects problems, then decides.
struct Checker {
    found: Vec<Diagnostic>,
}

/// `text` as a `T`, if it parses and every key in it is one `T` knows.
fn read_clean<T: DeserializeOwned>(text: &str) -> Option<T> {
    let mut unknown = false;
    let value = serde_ignored::deserialize(toml::Deserializer::new(text), |_| unknown = true);
    value.ok().filter(|_| !unknown)
}

impl Checker {
    fn read<T: DeserializeOwned>(&mut self, dir: &Path, name: &str) -> Option<Parsed<T>> {
        let path = dir.join(name);
        let text = match read_regular_file(&path) {
            Ok(text) => text,
            Err(e) => {
                self.found.push(Diagnostic {
                    file: path,
                    line: 1,
                    column: 1,
                    message: format!("cannot read this file: {e}"),
                });
                return None;
            }
        };
        // The usual case, a file with no mistake, is read once: as what it
        // means, noting any key the types do not know. Only a file with a
        // mistake is read again, slowly, to report every mistake with its
        // place.
        if let Some(value) = read_clean::<T>(&text) {
            return Some(Parsed { path, text, value });
        }
        let file = SourceFile {
            path: &path,
            text: &text,
        };
        // First as a plain tree, for the syntax and every unknown key ...
        let tree = match toml::from_str::<keys::Node>(&text) {
            Ok(tree) => tree,
            Err(e) => {
                self.found.push(toml_error(&file, &e));
                return None;
            }
        };
        let unknown = keys::unknown_keys(&file, &tree, &keys::shape_of(name), &mut self.found);
        // ... then as what it means. A key misspelt is also a key missing
        // from its table; the misspelling was reported, with the keys the
        // table may have, so the missing key is not reported again, and
        // the rest of the file is checked as if it were spelt right.
        let e = match toml::from_str::<T>(&text) {
            Ok(value) => return Some(Parsed { path, text, value }),
            Err(e) => e,
        };
        if !is_misspelt(&e, &unknown, text.len()) {
            self.found.push(toml_error(&file, &e));
            return None;
        }
        let fixed = keys::with_keys_meant(&text, &unknown)?;
        match toml::from_str::<T>(&fixed) {
            Ok(value) => Some(Parsed {
                path,
                text: fixed,
                value,
            }),
            Err(e) => {
                // A key written as meant that the table has already says
                // nothing the unknown key did not.
                let said =
                    is_misspelt(&e, &unknown, text.len()) || e.message().contains("duplicate key");
                if !said {
                    let file = SourceFile {
                        path: &path,
                        text: &fixed,
                    };
                    self.found.push(toml_error(&file, &e));
                }
                None
            }
        }
    }

    /// A required, non-blank text of at most `max` characters that the bot
    /// shows as it is: no Discord mention in it.
    fn shown_text(
        &mut self,
        file: &SourceFile<'_>,
        what: &str,
        value: &Spanned<String>,
        max: usize,
    ) {
        self.text(file, what, value, max);
        if let Some(mention) = text_rules::mention(value.get_ref()) {
            self.push(
                file,
                value,
                format!(
                    "{what} contains {mention:?}, which Discord reads as a mention that pings people; write it without the @ or the <@…>"
                ),
            );
        }
    }

    fn push(&mut self, file: &SourceFile<'_>, value: &Spanned<String>, message: String) {
        self.found.push(file.at(value.span(), message));
    }

    /// A required, non-blank text of at most `max` characters.
    fn text(&mut self, file: &SourceFile<'_>, what: &str, value: &Spanned<String>, max: usize) {
        let text = value.get_ref();
        if text.trim().is_empty() {
            self.push(file, value, format!("{what} is empty"));
        } else if text.chars().count() > max {
            self.push(
                file,
                value,
                format!(
                    "{what} is {} characters long; at most {max} fit",
                    text.chars().count()
                ),
            );
        }
    }

    fn https(&mut self, file: &SourceFile<'_>, what: &str, value: &Spanned<String>) {
        let url = value.get_ref();
        let rest = url.strip_prefix("https://").unwrap_or("");
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        if host.is_empty() || !host.contains('.') || url.chars().any(char::is_whitespace) {
            self.push(
                file,
                value,
                format!("{what} must be an https:// URL, not {url:?}"),
            );
        } else if url.len() > limits::URL_MAX {
            self.push(
                file,
                value,
                format!("{what} is longer than {} characters", limits::URL_MAX),
            );
        }
    }
}

pub fn load(dir: &Path) -> Result<Knowledge, Diagnostics> {
    let mut check = Checker { found: Vec::new() };
    let article = check.read::<ArticleFile>(dir, "article.toml");
    let provider = check.read::<ProviderFile>(dir, "provider.toml");
    let certs = check.read::<CertificationsFile>(dir, "certifications.toml");
    let topics_file = check.read::<TopicsFile>(dir, "topics.toml");
    let out_of_scope_file = check.read::<OutOfScopeFile>(dir, "out-of-scope.toml");
    let vocab = check.read::<VocabularyFile>(dir, "vocabulary.toml");

    let article = article.map(|a| check_article(&mut check, &a));
    let provider = provider.map(|p| check_provider(&mut check, &p));
    let (dimensions, certifications) = match &certs {
        Some(c) => check_certifications(&mut check, c),
        None => (Vec::new(), Vec::new()),
    };
    let cert_ids: Option<HashSet<String>> = certs
        .as_ref()
        .map(|_| certifications.iter().map(|c| c.id.clone()).collect());
    let topics = topics_file
        .as_ref()
        .map(|t| check_topics(&mut check, t, cert_ids.as_ref()));
    let out_of_scope = out_of_scope_file
        .as_ref()
        .map(|o| check_out_of_scope(&mut check, o));
    check_duplicate_questions(&mut check, topics_file.as_ref(), out_of_scope_file.as_ref());
    let vocabulary = vocab.map(|v| {
        let ids = topics
            .as_ref()
            .map(|t| t.iter().map(|t| t.topic.id.clone()).collect::<HashSet<_>>());
        check_vocabulary(
            &mut check,
            &v,
            ids.as_ref(),
            cert_ids.as_ref(),
            out_of_scope.as_deref(),
        )
    });
    if let (Some(file), Some(topics), Some(vocabulary), Some(out_of_scope)) =
        (&topics_file, &topics, &vocabulary, &out_of_scope)
    {
        check_keywords(&mut check, &file.source(), topics, vocabulary, out_of_scope);
    }

    match (article, provider, topics, out_of_scope, vocabulary) {
        (Some(article), Some(provider), Some(topics), Some(out_of_scope), Some(vocabulary))
            if check.found.is_empty() =>
        {
            Ok(Knowledge {
                article,
                provider,
                dimensions,
                certifications,
                topics: topics.into_iter().map(|t| t.topic).collect(),
                out_of_scope,
                vocabulary,
            })
        }
        _ => Err(Diagnostics(in_reading_order(check.found))),
    }
}

/// Problems file by file (in the order the files were read), and top to
/// bottom within each, however the checks found them.
fn in_reading_order(mut found: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut files: Vec<PathBuf> = Vec::new();
    for d in &found {
        if !files.contains(&d.file) {
            files.push(d.file.clone());
        }
    }
    found.sort_by_key(|d| {
        let file = files.iter().position(|f| *f == d.file);
        (file, d.line, d.column)
    });
    found
}

fn check_out_of_scope(check: &mut Checker, parsed: &Parsed<OutOfScopeFile>) -> Vec<OutOfScope> {
    let file = parsed.source();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for c in &parsed.value.categories {
        let id = c.id.get_ref();
        if !seen.insert(id.as_str()) {
            check.push(
                &file,
                &c.id,
                format!("duplicate category id {id:?}; give this one an id of its own"),
            );
            continue;
        }
        if !is_slug(id) {
            check.push(
                &file,
                &c.id,
                format!("category id {id:?} must be lower-case letters, digits and dashes"),
            );
        }
        check.shown_text(&file, "`explain`", &c.explain, 200);
        let ask = AskInstead::parse(c.ask.get_ref()).unwrap_or_else(|| {
            check.push(
                &file,
                &c.ask,
                format!(
                    "`ask` must be \"issuer\", \"provider\" or \"nobody\", not {:?}{}",
                    c.ask.get_ref(),
                    did_you_mean(c.ask.get_ref(), ["issuer", "provider", "nobody"])
                ),
            );
            AskInstead::Nobody
        });
        if c.words.is_empty() && c.questions.is_empty() {
            check.push(
                &file,
                &c.id,
                format!("category {id:?} needs `words` or `questions` to be recognised by"),
            );
        }
        for q in &c.questions {
            check.shown_text(&file, "a question", q, MAX_QUESTION_CHARS);
        }
        let mut words = Vec::new();
        for w in &c.words {
            let norm = normalize::normalize(w.get_ref());
            if norm.is_empty() {
                check.push(
                    &file,
                    w,
                    format!("{:?} has no letters or digits", w.get_ref()),
                );
            } else {
                words.push(norm);
            }
        }
        out.push(OutOfScope {
            id: id.clone(),
            explain: c.explain.get_ref().trim().to_string(),
            ask,
            words,
            questions: c
                .questions
                .iter()
                .map(|q| q.get_ref().trim().to_string())
                .collect(),
        });
    }
    out
}

/// One example question leads to one place: the same question (as the
/// matcher reads it, so case, spacing and punctuation aside) under two
/// topics, or under a topic and an out-of-scope category, would be
/// answered by whichever the matcher happened to weigh higher.
fn check_duplicate_questions(
    check: &mut Checker,
    topics: Option<&Parsed<TopicsFile>>,
    categories: Option<&Parsed<OutOfScopeFile>>,
) {
    struct Owner<'f> {
        what: String,
        file: SourceFile<'f>,
        /// Where in its file the question starts. Turned into a line only
        /// when a duplicate is reported: counting lines for every question
        /// would cost as much as the rest of the loading together.
        at: usize,
    }
    fn claim<'f>(
        check: &mut Checker,
        first: &mut HashMap<String, Owner<'f>>,
        file: &SourceFile<'f>,
        what: String,
        question: &Spanned<String>,
    ) {
        let norm = normalize::normalize(question.get_ref());
        if norm.is_empty() {
            return;
        }
        match first.get(&norm) {
            Some(owner) if owner.what != what => {
                let line = owner.file.position(owner.at).0;
                check.push(
                    file,
                    question,
                    format!(
                        "{:?} is also a question of {} ({}:{line}); a question can lead to one place only, so keep it in one",
                        question.get_ref().trim(),
                        owner.what,
                        owner.file.path.display(),
                    ),
                )
            }
            Some(_) => {}
            None => {
                let owner = Owner {
                    what,
                    file: SourceFile {
                        path: file.path,
                        text: file.text,
                    },
                    at: question.span().start,
                };
                first.insert(norm, owner);
            }
        }
    }
    let mut first: HashMap<String, Owner<'_>> = HashMap::new();
    if let Some(parsed) = topics {
        let file = parsed.source();
        let mut ids = HashSet::new();
        // A topic with a duplicate id is reported as that, once.
        for t in parsed
            .value
            .topics
            .iter()
            .filter(|t| ids.insert(t.id.get_ref()))
        {
            for q in t.questions.get_ref().iter().chain(&t.examples) {
                claim(
                    check,
                    &mut first,
                    &file,
                    format!("topic {:?}", t.id.get_ref()),
                    q,
                );
            }
        }
    }
    if let Some(parsed) = categories {
        let file = parsed.source();
        let mut ids = HashSet::new();
        for c in parsed
            .value
            .categories
            .iter()
            .filter(|c| ids.insert(c.id.get_ref()))
        {
            for q in &c.questions {
                claim(
                    check,
                    &mut first,
                    &file,
                    format!("out-of-scope category {:?}", c.id.get_ref()),
                    q,
                );
            }
        }
    }
}

fn check_article(check: &mut Checker, parsed: &Parsed<ArticleFile>) -> Article {
    let file = parsed.source();
    let a = &parsed.value;
    check.shown_text(&file, "the article's title", &a.title, limits::EMBED_TITLE);
    check.shown_text(&file, "the author", &a.author, limits::EMBED_FOOTER / 4);
    check.shown_text(&file, "the category", &a.category, limits::EMBED_FOOTER / 4);
    check.https(&file, "the article's url", &a.url);
    if !is_iso_date(a.updated.get_ref()) {
        check.push(
            &file,
            &a.updated,
            format!(
                "`updated` must be a date written YYYY-MM-DD, not {:?}",
                a.updated.get_ref()
            ),
        );
    }
    Article {
        title: a.title.get_ref().trim().to_string(),
        author: a.author.get_ref().trim().to_string(),
        category: a.category.get_ref().trim().to_string(),
        updated: a.updated.get_ref().clone(),
        url: a.url.get_ref().clone(),
    }
}

fn is_iso_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let ok_num = |p: &str, len: usize, max: u32| {
        p.len() == len
            && p.chars().all(|c| c.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| n >= 1 && n <= max)
    };
    parts.len() == 3
        && ok_num(parts[0], 4, 9999)
        && ok_num(parts[1], 2, 12)
        && ok_num(parts[2], 2, 31)
}

fn check_provider(check: &mut Checker, parsed: &Parsed<ProviderFile>) -> Provider {
    let file = parsed.source();
    let p = &parsed.value;
    check.shown_text(&file, "the provider's name", &p.name, limits::EMBED_TITLE);
    check.shown_text(&file, "the phone number", &p.phone, limits::FIELD_VALUE);
    check.shown_text(&file, "`about`", &p.about, MAX_ANSWER_CHARS);
    check.https(&file, "the website", &p.website);
    Provider {
        name: p.name.get_ref().trim().to_string(),
        website: p.website.get_ref().clone(),
        phone: p.phone.get_ref().trim().to_string(),
        about: p.about.get_ref().trim().to_string(),
    }
}

fn check_certifications(
    check: &mut Checker,
    parsed: &Parsed<CertificationsFile>,
) -> (Vec<Dimension>, Vec<Certification>) {
    let file = parsed.source();
    let c = &parsed.value;
    let mut dims = Vec::new();
    let mut seen = HashSet::new();
    for d in &c.dimensions {
        if !seen.insert(d.id.get_ref().clone()) {
            check.push(
                &file,
                &d.id,
                format!("duplicate dimension id {:?}", d.id.get_ref()),
            );
        }
        check.shown_text(&file, "a dimension label", &d.label, limits::FIELD_NAME / 2);
        dims.push(Dimension {
            id: d.id.get_ref().clone(),
            label: d.label.get_ref().trim().to_string(),
        });
    }
    // No cap on how many dimensions there are: `/compare` gives each one
    // field, shortens values to share the embed's 6000 characters, and
    // folds the rows that do not fit (more than 25, or too long together) into
    // one last field that names them and links to the article, so any
    // number stays within Discord's limits.
    if dims.is_empty() {
        check
            .found
            .push(file.at(0..0, "no [[dimension]]: the comparison would be empty"));
    }

    let mut certs = Vec::new();
    let mut cert_ids = HashSet::new();
    for cert in &c.certifications {
        let id = cert.id.get_ref();
        if !cert_ids.insert(id.clone()) {
            check.push(
                &file,
                &cert.id,
                format!("duplicate certification id {id:?}"),
            );
        }
        if !is_slug(id) {
            check.push(
                &file,
                &cert.id,
                format!("certification id {id:?} must be lower-case letters, digits and dashes"),
            );
        }
        check.shown_text(&file, "a certification name", &cert.name, 50);
        check.https(&file, "the issuer's url", &cert.issuer_url);
        let mut by_dim: HashMap<&str, &Spanned<String>> = HashMap::new();
        for (key, value) in cert.values.get_ref() {
            if !seen.contains(key.get_ref()) {
                check.push(
                    &file,
                    key,
                    format!(
                        "{:?} is not a dimension listed in [[dimension]]{}",
                        key.get_ref(),
                        did_you_mean(
                            key.get_ref(),
                            c.dimensions.iter().map(|d| d.id.get_ref().as_str())
                        )
                    ),
                );
            }
            check.shown_text(&file, "a comparison value", value, limits::FIELD_VALUE);
            by_dim.insert(key.get_ref().as_str(), value);
        }
        let mut values = Vec::new();
        for d in &dims {
            match by_dim.get(d.id.as_str()) {
                Some(v) => values.push(v.get_ref().trim().to_string()),
                None => {
                    check.found.push(file.at(
                        cert.values.span(),
                        format!("certification {id:?} has no value for dimension {:?}", d.id),
                    ));
                    values.push(String::new());
                }
            }
        }
        certs.push(Certification {
            id: id.clone(),
            name: cert.name.get_ref().trim().to_string(),
            issuer_url: cert.issuer_url.get_ref().clone(),
            values,
        });
    }
    if certs.len() < 2 {
        check
            .found
            .push(file.at(0..0, "at least two [[certification]] are needed to compare"));
    }
    (dims, certs)
}

/// Known ids in a stable order, for suggestions.
fn sorted(ids: Option<&HashSet<String>>) -> impl Iterator<Item = &str> {
    let mut list: Vec<&str> = ids.into_iter().flatten().map(String::as_str).collect();
    list.sort_unstable();
    list.into_iter()
}

fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// A topic with the positions of its keywords, for the checks that look
/// at all topics together.
struct CheckedTopic {
    topic: Topic,
    keywords: Vec<Spanned<String>>,
}

fn check_topics(
    check: &mut Checker,
    parsed: &Parsed<TopicsFile>,
    cert_ids: Option<&HashSet<String>>,
) -> Vec<CheckedTopic> {
    let file = parsed.source();
    let entries = &parsed.value.topics;
    let ids: Vec<&str> = entries.iter().map(|t| t.id.get_ref().as_str()).collect();
    let id_set: HashSet<&str> = ids.iter().copied().collect();
    // The first topic to claim an id keeps it; a later one is reported
    // once, and nothing else of it is checked (a pasted copy would
    // otherwise repeat every question and link of the first).
    // Where each id was first seen, as an offset: its line is counted only
    // when a duplicate is reported.
    let mut first_at: HashMap<&str, usize> = HashMap::new();
    let mut out = Vec::new();
    for t in entries {
        let id = t.id.get_ref();
        if let Some(&at) = first_at.get(id.as_str()) {
            let line = file.position(at).0;
            check.push(
                &file,
                &t.id,
                format!("duplicate topic id {id:?}: line {line} has a topic with this id already; give this one an id of its own"),
            );
            continue;
        }
        first_at.insert(id.as_str(), t.id.span().start);
        if !is_slug(id) {
            check.push(
                &file,
                &t.id,
                format!("topic id {id:?} must be lower-case letters, digits and dashes"),
            );
        }
        check.shown_text(&file, "the title", &t.title, MAX_TITLE_CHARS);
        check.shown_text(&file, "the answer", &t.answer, MAX_ANSWER_CHARS);
        if t.questions.get_ref().is_empty() {
            check.found.push(file.at(
                t.questions.span(),
                format!("topic {id:?} needs at least one question"),
            ));
        }
        for q in t.questions.get_ref().iter().chain(&t.examples) {
            check.shown_text(&file, "a question", q, MAX_QUESTION_CHARS);
        }
        if t.related.len() > MAX_RELATED {
            check.push(
                &file,
                &t.related[MAX_RELATED],
                format!("at most {MAX_RELATED} related topics fit as buttons"),
            );
        }
        for r in &t.related {
            if r.get_ref() == id {
                check.push(&file, r, format!("topic {id:?} lists itself as related"));
            } else if !id_set.contains(r.get_ref().as_str()) {
                check.push(
                    &file,
                    r,
                    format!(
                        "related topic {:?} does not exist{}",
                        r.get_ref(),
                        did_you_mean(r.get_ref(), ids.iter().copied())
                    ),
                );
            }
        }
        let about = match &t.about {
            None => About::Neither,
            Some(a) if a.get_ref() == "both" => About::Both,
            Some(a) => {
                if let Some(certs) = cert_ids.filter(|ids| !ids.contains(a.get_ref())) {
                    let mut known: Vec<&str> = certs.iter().map(String::as_str).collect();
                    known.sort_unstable();
                    known.push("both");
                    check.push(
                        &file,
                        a,
                        format!(
                            "`about` must be a certification id or \"both\", not {:?}{}",
                            a.get_ref(),
                            did_you_mean(a.get_ref(), known)
                        ),
                    );
                }
                About::One(a.get_ref().clone())
            }
        };
        let mut gives = Vec::new();
        for g in &t.gives {
            match Asks::parse(g.get_ref()) {
                Some(a) => gives.push(a),
                None => check.push(
                    &file,
                    g,
                    format!(
                        "`gives` lists kinds of question: {}; not {:?}{}",
                        Asks::ALL.map(|a| format!("{:?}", a.as_str())).join(", "),
                        g.get_ref(),
                        did_you_mean(g.get_ref(), Asks::ALL.map(Asks::as_str))
                    ),
                ),
            }
        }
        if let Some(kind) = &t.kind {
            if !is_slug(kind.get_ref()) {
                check.push(
                    &file,
                    kind,
                    format!(
                        "`kind` {:?} must be lower-case letters, digits and dashes",
                        kind.get_ref()
                    ),
                );
            }
        }
        out.push(CheckedTopic {
            topic: Topic {
                id: id.clone(),
                title: t.title.get_ref().trim().to_string(),
                about,
                questions: t
                    .questions
                    .get_ref()
                    .iter()
                    .map(|q| q.get_ref().trim().to_string())
                    .collect(),
                examples: t
                    .examples
                    .iter()
                    .map(|q| q.get_ref().trim().to_string())
                    .collect(),
                keywords: t.keywords.iter().map(|k| k.get_ref().clone()).collect(),
                answer: t.answer.get_ref().trim().to_string(),
                related: t.related.iter().map(|r| r.get_ref().clone()).collect(),
                kind: t.kind.as_ref().map(|k| k.get_ref().clone()),
                gives,
            },
            keywords: t.keywords.clone(),
        });
    }
    out
}

fn check_vocabulary(
    check: &mut Checker,
    parsed: &Parsed<VocabularyFile>,
    topic_ids: Option<&HashSet<String>>,
    cert_ids: Option<&HashSet<String>>,
    out_of_scope: Option<&[OutOfScope]>,
) -> Vocabulary {
    let file = parsed.source();
    let v = &parsed.value;
    let mut vocab = Vocabulary::default();
    // Who claimed each name first, to report a name given two meanings.
    let mut names: HashMap<String, String> = HashMap::new();
    // The out-of-scope categories' words are theirs; the vocabulary may
    // not give them a second meaning.
    for c in out_of_scope.unwrap_or_default() {
        for w in &c.words {
            names
                .entry(w.clone())
                .or_insert_with(|| format!("the out-of-scope category {:?}", c.id));
        }
    }
    let mut claim = |check: &mut Checker, owner: &str, name: &Spanned<String>| -> String {
        let norm = normalize::normalize(name.get_ref());
        if norm.is_empty() {
            check.push(
                &file,
                name,
                format!("{:?} has no letters or digits", name.get_ref()),
            );
        } else if let Some(first) = names.get(&norm) {
            if first != owner {
                check.push(
                    &file,
                    name,
                    format!("{:?} is already listed under {first}", name.get_ref()),
                );
            }
        } else {
            names.insert(norm.clone(), owner.to_string());
        }
        norm
    };

    for (id, entry) in &v.certifications {
        let id_ref = id.get_ref();
        if id_ref != "both" && cert_ids.is_some_and(|ids| !ids.contains(id_ref)) {
            check.push(
                &file,
                id,
                format!(
                    "{id_ref:?} is not a certification in certifications.toml (or \"both\"){}",
                    did_you_mean(id_ref, sorted(cert_ids).chain(["both"]))
                ),
            );
        }
        if topic_ids.is_some_and(|ids| !ids.contains(entry.home.get_ref())) {
            check.push(
                &file,
                &entry.home,
                format!(
                    "home topic {:?} does not exist{}",
                    entry.home.get_ref(),
                    did_you_mean(entry.home.get_ref(), sorted(topic_ids))
                ),
            );
        }
        let owner = format!("certifications.{id_ref}");
        let names = entry
            .names
            .iter()
            .map(|n| claim(check, &owner, n))
            .collect();
        let issuers = entry
            .issuers
            .iter()
            .map(|n| claim(check, &owner, n))
            .collect();
        vocab.certifications.push(EntityNames {
            id: id_ref.clone(),
            home: entry.home.get_ref().clone(),
            names,
            issuers,
        });
    }
    if let Some(ids) = cert_ids {
        for id in ids {
            if !vocab.certifications.iter().any(|c| &c.id == id) {
                check.found.push(file.at(
                    0..0,
                    format!("certification {id:?} has no [certifications.{id}] names"),
                ));
            }
        }
    }
    for (id, entry) in &v.related {
        if cert_ids.is_some_and(|ids| !ids.contains(entry.parent.get_ref())) {
            check.push(
                &file,
                &entry.parent,
                format!(
                    "parent {:?} is not a certification{}",
                    entry.parent.get_ref(),
                    did_you_mean(entry.parent.get_ref(), sorted(cert_ids))
                ),
            );
        }
        let owner = format!("related.{}", id.get_ref());
        let names = entry
            .names
            .iter()
            .map(|n| claim(check, &owner, n))
            .collect();
        vocab.related.push(RelatedNames {
            id: id.get_ref().clone(),
            parent: entry.parent.get_ref().clone(),
            alone: entry.alone,
            names,
        });
    }
    let category_ids: HashSet<&str> = out_of_scope
        .unwrap_or_default()
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    let concept_ids: HashSet<&str> = v
        .concepts
        .keys()
        .map(|k| k.get_ref().as_str())
        .chain(category_ids.iter().copied())
        .collect();
    // In file order, for the suggestions.
    let concept_list: Vec<&str> = v.concepts.keys().map(|k| k.get_ref().as_str()).collect();
    let category_list: Vec<&str> = out_of_scope
        .unwrap_or_default()
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    let near_concept =
        |name: &str| did_you_mean(name, concept_list.iter().chain(&category_list).copied());
    for (phrase, meaning) in &v.phrases {
        let norm = claim(check, "phrases", phrase);
        let mut concepts = Vec::new();
        for part in meaning.get_ref().split('+').map(str::trim) {
            if !concept_ids.contains(part) {
                check.push(
                    &file,
                    meaning,
                    format!(
                        "{part:?} is neither a concept listed under [concepts] nor an out-of-scope category{}",
                        near_concept(part)
                    ),
                );
            }
            concepts.push(part.to_string());
        }
        vocab.phrases.push((norm, concepts));
    }
    let ignored: HashSet<String> = v
        .ignore
        .words
        .iter()
        .map(|w| normalize::normalize(w.get_ref()))
        .collect();
    // Which concept each word went to first, and where (a byte offset,
    // made a line only for a report: counting lines for every word would
    // cost more than all the rest of the checks).
    let mut concept_of: HashMap<String, (&str, usize)> = HashMap::new();
    for (id, words) in &v.concepts {
        let mut group = Vec::new();
        for w in words {
            let norm = normalize::normalize(w.get_ref());
            match concept_of.get(&norm) {
                Some((first, at)) if *first != id.get_ref().as_str() => {
                    let line = file.position(*at).0;
                    check.push(
                        &file,
                        w,
                        format!(
                            "{:?} is also a word of the concept `{first}` (line {line}); a word means one concept: keep it in the one where it means most",
                            w.get_ref()
                        ),
                    )
                }
                Some(_) => {}
                None => {
                    concept_of.insert(norm.clone(), (id.get_ref().as_str(), w.span().start));
                }
            }
            if ignored.contains(&norm) {
                check.push(
                    &file,
                    w,
                    format!(
                        "{:?} is listed under [ignore] too; a word is either ignored or means something",
                        w.get_ref()
                    ),
                );
            } else if let Some(owner) = names.get(&norm) {
                if owner != "phrases" {
                    check.push(
                        &file,
                        w,
                        format!("{:?} is already listed under {owner}", w.get_ref()),
                    );
                }
            }
            if norm.is_empty() {
                check.push(
                    &file,
                    w,
                    format!("{:?} has no letters or digits", w.get_ref()),
                );
            }
            group.push(norm);
        }
        vocab.concepts.push(WordGroup {
            id: id.get_ref().clone(),
            words: group,
        });
    }
    for combo in &v.combinations {
        for c in combo.all.iter().chain(&combo.none) {
            if !concept_ids.contains(c.get_ref().as_str()) {
                check.push(
                    &file,
                    c,
                    format!(
                        "{:?} is not a concept listed under [concepts]{}",
                        c.get_ref(),
                        near_concept(c.get_ref())
                    ),
                );
            }
        }
        if out_of_scope.is_some() && !category_ids.contains(combo.unknown.get_ref().as_str()) {
            check.push(
                &file,
                &combo.unknown,
                format!(
                    "{:?} is not a category in out-of-scope.toml{}",
                    combo.unknown.get_ref(),
                    did_you_mean(combo.unknown.get_ref(), category_list.iter().copied())
                ),
            );
        }
        vocab.combinations.push(Combination {
            all: combo.all.iter().map(|c| c.get_ref().clone()).collect(),
            none: combo.none.iter().map(|c| c.get_ref().clone()).collect(),
            unknown: combo.unknown.get_ref().clone(),
        });
    }
    for c in &v.domain.concepts {
        if !concept_ids.contains(c.get_ref().as_str()) {
            check.push(
                &file,
                c,
                format!(
                    "{:?} is not a concept listed under [concepts]{}",
                    c.get_ref(),
                    near_concept(c.get_ref())
                ),
            );
        }
        vocab.domain.push(c.get_ref().clone());
    }
    vocab.ignore = ignored.into_iter().collect();
    vocab.ignore.sort();
    vocab
}

/// A keyword must mean something to the matcher: a concept's name, or words
/// the vocabulary or the topic's own questions know.
fn check_keywords(
    check: &mut Checker,
    file: &SourceFile<'_>,
    topics: &[CheckedTopic],
    vocab: &Vocabulary,
    out_of_scope: &[OutOfScope],
) {
    let texts = vocab
        .concepts
        .iter()
        .flat_map(|g| &g.words)
        .chain(out_of_scope.iter().flat_map(|c| &c.words))
        .chain(vocab.phrases.iter().map(|(p, _)| p))
        .chain(vocab.related.iter().flat_map(|r| &r.names))
        .chain(
            vocab
                .certifications
                .iter()
                .flat_map(|c| c.names.iter().chain(&c.issuers)),
        );
    let known: HashSet<&str> = texts.flat_map(|t| t.split(' ')).collect();
    let concept_ids: HashSet<&str> = vocab
        .concepts
        .iter()
        .map(|g| g.id.as_str())
        .chain(out_of_scope.iter().map(|c| c.id.as_str()))
        .collect();
    for t in topics {
        // The words of this topic's own questions, read only for a keyword
        // the vocabulary does not explain (which is rare): reading every
        // topic's questions here cost a sixth of loading.
        let mut own: Option<HashSet<String>> = None;
        for k in &t.keywords {
            let norm = normalize::normalize(k.get_ref());
            let mut in_own = |w: &str| {
                own.get_or_insert_with(|| {
                    t.topic
                        .questions
                        .iter()
                        .flat_map(|q| {
                            normalize::normalize(q)
                                .split(' ')
                                .map(str::to_string)
                                .collect::<Vec<_>>()
                        })
                        .collect()
                })
                .contains(w)
            };
            let meaningful = concept_ids.contains(k.get_ref().as_str())
                || (!norm.is_empty() && norm.split(' ').all(|w| known.contains(w) || in_own(w)));
            if !meaningful {
                check.push(
                    file,
                    k,
                    format!(
                        "keyword {:?} is neither a concept nor a word the vocabulary or this topic's questions know",
                        k.get_ref()
                    ),
                );
            }
        }
    }
}
