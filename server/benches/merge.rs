//! Server bulk merge: one sync request of 1,000 cases with 11 changes each
//! merged into the store in one transaction (what the writer thread does).
//! `cargo bench -p paidan-server --bench merge`; the figure is changes/s =
//! 11,000 / time. Run with and without the permission check: their ratio
//! is what validation costs.

/// The server binary's allocator (see `src/main.rs`).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod common;

use automerge::Change;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use paidan_core::testing::{event, new_case};
use paidan_core::{CaseDoc, EventData, Role};
use paidan_server::db::cache::DocCache;
use paidan_server::db::merge::{Incoming, merge, merge_unchecked};
use paidan_server::db::working::Working;

fn request(cases: u32, per_case: u32, actor: &automerge::ActorId) -> Vec<([u8; 16], Vec<Change>)> {
    (0..cases)
        .map(|i| {
            let new = new_case(
                "patrol-1",
                Role::PatrolOfficer,
                "sanitation.garbage",
                "巡查发现：小区后门垃圾成堆",
                i,
            );
            let mut doc = CaseDoc::create(&new, actor).expect("create");
            for j in 1..per_case {
                doc.append_event(&event(
                    "patrol-1",
                    Role::PatrolOfficer,
                    None,
                    EventData::Comment {
                        text: format!("补充{j}"),
                    },
                ))
                .expect("event");
            }
            (*new.id.0.as_bytes(), doc.changes_since(&[]))
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let (actor, officer) = common::officer();
    let cases = request(1000, 11, &actor);
    let n: usize = cases.iter().map(|(_, c)| c.len()).sum();
    let mut g = c.benchmark_group("bulk merge");
    g.throughput(Throughput::Elements(n as u64));
    g.sample_size(10);
    for checked in [true, false] {
        let name = if checked {
            "1,000 cases x 11 changes, one transaction, permission-checked"
        } else {
            "1,000 cases x 11 changes, one transaction, unchecked"
        };
        g.bench_function(name, |b| {
            b.iter_batched(
                || {
                    let dir = tempfile::tempdir().expect("tempdir");
                    let conn = paidan_server::db::schema::open(&dir.path().join("paidan.db"))
                        .expect("open");
                    (dir, conn, cases.clone())
                },
                |(dir, mut conn, cases)| {
                    let tx = conn.transaction().expect("tx");
                    let mut cache = DocCache::new(1 << 30);
                    let mut working = Working::new();
                    let incoming = Incoming { cases };
                    let out = if checked {
                        merge(&tx, &mut cache, &mut working, &officer, 0, incoming)
                    } else {
                        merge_unchecked(&tx, &mut cache, &mut working, incoming)
                    }
                    .expect("merge");
                    assert!(out.refused.is_empty(), "{:?}", out.refused.first());
                    tx.commit().expect("commit");
                    drop(dir);
                },
                criterion::BatchSize::PerIteration,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
