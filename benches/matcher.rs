//! How long a question takes to match and a conversation turn to answer,
//! and the knowledge to load and index. Run with `cargo bench --bench
//! matcher`.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use cspo_pspo_bot::conversation::respond;
use cspo_pspo_bot::Faq;

fn knowledge_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge")
}

/// A realistic mix: the regression questions (plain, paraphrased, misspelt,
/// terse, chatty, out of scope and hostile).
fn questions() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regression/questions.tsv");
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split('\t').next().map(str::to_string))
        .collect()
}

fn bench(c: &mut Criterion) {
    let Ok(faq) = Faq::load(&knowledge_dir()) else {
        eprintln!("the knowledge does not load; run `cspo-pspo-bot check`");
        return;
    };
    let questions = questions();
    let mut i = 0;
    c.bench_function("match one question (mix)", |b| {
        b.iter(|| {
            i = (i + 1) % questions.len().max(1);
            black_box(faq.find(black_box(&questions[i])))
        })
    });
    c.bench_function("match 'does pspo expire?'", |b| {
        b.iter(|| black_box(faq.find(black_box("does pspo expire?"))))
    });
    // A conversation turn costs what a fresh question does: a follow-up
    // is matched once, with the remembered certification as context.
    c.bench_function("reply to 'does cspo expire?' (conversation, fresh)", |b| {
        b.iter(|| black_box(respond(&faq, black_box("does cspo expire?"), None)))
    });
    c.bench_function("reply to 'and for cspo?' after PSPO's expiry", |b| {
        b.iter(|| {
            black_box(respond(
                &faq,
                black_box("and for cspo?"),
                Some("pspo-validity"),
            ))
        })
    });
    c.bench_function("reply to two questions in one message", |b| {
        b.iter(|| {
            black_box(respond(
                &faq,
                black_box("Does PSPO expire, and how much does it cost?"),
                None,
            ))
        })
    });
    c.bench_function("read and validate the knowledge", |b| {
        b.iter(|| {
            black_box(
                cspo_pspo_bot::knowledge::Knowledge::load(black_box(&knowledge_dir())).is_ok(),
            )
        })
    });
    c.bench_function("index the knowledge", |b| {
        b.iter(|| {
            black_box(cspo_pspo_bot::matcher::Matcher::new(black_box(
                &faq.knowledge,
            )))
        })
    });
    c.bench_function("load and index the knowledge", |b| {
        b.iter(|| black_box(Faq::load(black_box(&knowledge_dir())).is_ok()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
