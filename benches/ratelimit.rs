//! The per-user rate limit under many distinct users: a check costs the
//! same whether 1,000 or 200,000 people come and go. Run with
//! `cargo bench --bench ratelimit`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use cspo_pspo_bot::ops::ratelimit::RateLimit;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("rate limit check");
    for users in [1_000u64, 100_000, 200_000] {
        let limit = RateLimit::new(8, Duration::from_secs(2));
        let now = Instant::now();
        // Fill the table first, so every run measures a full one.
        for u in 0..users {
            let _ = limit.check(u, now);
        }
        let mut next = 0u64;
        group.bench_with_input(BenchmarkId::from_parameter(users), &users, |b, &users| {
            b.iter(|| {
                next = (next + 7_919) % users;
                black_box(limit.check(black_box(next), now).is_ok())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
