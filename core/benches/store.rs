//! Store benchmarks: open a store of 10,000 cases, list the 50 newest,
//! append an event to a case. `cargo bench -p paidan-core --bench store`.
//! The 10,000-case store is built once in a temporary folder (it takes a
//! while: every case is a real Automerge document with its index row).

use criterion::{Criterion, criterion_group, criterion_main};
use paidan_core::store::Query;
use paidan_core::testing::{event, new_case};
use paidan_core::{EventData, Role, Store};
use std::hint::black_box;

const CASES: u32 = 10_000;

fn build(dir: &std::path::Path) -> Vec<paidan_core::CaseId> {
    let mut s = Store::open(dir).expect("open");
    let cats = [
        "sanitation.garbage",
        "structure.pigeon_shed",
        "street.stall",
        "road.manhole",
    ];
    let mut ids = Vec::new();
    // One transaction per 500 cases to build quickly; the benchmarks below
    // use the ordinary one-transaction-per-write path.
    for chunk in 0..(CASES / 500) {
        s.write(|tx| {
            for i in 0..500 {
                let n = chunk * 500 + i;
                let new = new_case(
                    "pan",
                    Role::Resident,
                    cats[(n % 4) as usize],
                    "小区后门垃圾成堆，脏水结冰",
                    n,
                );
                let mut doc =
                    paidan_core::CaseDoc::create(&new, &paidan_core::automerge::ActorId::random())?;
                doc.append_event(&event(
                    "ren",
                    Role::Dispatcher,
                    None,
                    EventData::Dispatched {
                        departments: vec!["urban_mgmt".into()],
                        deadline: new.created.at + 4 * 3_600_000,
                    },
                ))?;
                paidan_core::store::put_case(tx, &mut doc, true)?;
                ids.push(new.id);
            }
            Ok(())
        })
        .expect("build");
    }
    ids
}

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let ids = build(dir.path());
    c.bench_function("open a store of 10,000 cases", |b| {
        b.iter(|| black_box(Store::open(dir.path()).expect("open")))
    });
    let mut store = Store::open(dir.path()).expect("open");
    c.bench_function("list the 50 newest of 10,000", |b| {
        b.iter(|| black_box(store.list(&Query::default()).expect("list")))
    });
    c.bench_function("list open cases near a point of 10,000", |b| {
        b.iter(|| {
            black_box(
                store
                    .list(&Query {
                        near: Some((44.16, 87.98, 200.0)),
                        ..Default::default()
                    })
                    .expect("list"),
            )
        })
    });
    let mut i = 0usize;
    c.bench_function("append an event to a case (durable commit)", |b| {
        b.iter(|| {
            i += 1;
            let id = ids[i % ids.len()];
            store
                .append_event(
                    &id,
                    &event(
                        "pan",
                        Role::Resident,
                        None,
                        EventData::Comment {
                            text: "还没好".into(),
                        },
                    ),
                )
                .expect("append")
        })
    });
}

criterion_group! {
    name = store;
    config = Criterion::default().sample_size(20);
    targets = benches
}
criterion_main!(store);
