//! Dispatch and figures.
//!
//! - 10,000 new reports arrive in one sync from a patrol officer's phone:
//!   each change permission-checked and merged, then each triaged (grid
//!   by polygon, duplicate and recurrence lookups) and, for the
//!   auto-dispatched categories, dispatched with a deadline on the working
//!   calendar — all in the one transaction of the request (target: < 2 s).
//! - The figures of a year over 100,000 closed cases (target: < 200 ms).
//!
//! `cargo bench -p paidan-server --bench dispatch`

mod common;

use automerge::Change;

/// The server binary's allocator (see `src/main.rs`).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{Criterion, criterion_group, criterion_main};
use paidan_core::testing::new_case;
use paidan_core::{CaseDoc, CaseId, Role, Satisfaction};
use paidan_server::clock::SystemClock;
use paidan_server::config::Config;
use paidan_server::db::cache::DocCache;
use paidan_server::db::feed;
use paidan_server::db::merge::{Incoming, merge};
use paidan_server::db::working::Working;
use paidan_server::dispatch::{DispatchHook, Engine};
use paidan_server::figures::facts::{self, Fact};
use std::sync::Arc;

/// 10,000 reports by one officer's phone, spread over the street: the
/// categories in turn, each at its own place on a lattice of about 55 m
/// (so duplicates are rare but looked for every time).
fn reports(n: u32, actor: &automerge::ActorId) -> Vec<([u8; 16], Vec<Change>)> {
    let config = Config::demo();
    let cats: Vec<_> = config
        .catalog
        .categories
        .iter()
        .map(|c| c.code.to_string())
        .collect();
    (0..n)
        .map(|i| {
            let cat = &cats[(i as usize) % cats.len()];
            let p = i / cats.len() as u32;
            let mut new = new_case("patrol-1", Role::PatrolOfficer, cat, "小区后门垃圾成堆", 0);
            new.location.lat = 44.1455 + f64::from(p % 88) * 0.0005;
            new.location.lon = 87.9705 + f64::from(p / 88) * 0.0007;
            let mut doc = CaseDoc::create(&new, actor).expect("create");
            (*new.id.0.as_bytes(), doc.changes_since(&[]))
        })
        .collect()
}

fn dispatch(c: &mut Criterion) {
    let (actor, officer) = common::officer();
    let cases = reports(10_000, &actor);
    let config = Arc::new(Config::demo());
    let mut g = c.benchmark_group("dispatch");
    g.sample_size(10);
    g.bench_function(
        "10,000 new reports in one sync: checked merge + triage + dispatch",
        |b| {
            b.iter_batched(
                || {
                    let dir = tempfile::tempdir().expect("tempdir");
                    let conn = paidan_server::db::schema::open(&dir.path().join("paidan.db"))
                        .expect("open");
                    (dir, conn, cases.clone())
                },
                |(dir, mut conn, cases)| {
                    // What the writer does with one sync request: merge and
                    // dispatch in one transaction, commit, the documents to
                    // its cache, then the response (the device's heads and
                    // its feed, the server's triage and dispatch included)
                    // encoded for the wire.
                    let actor = paidan_server::dispatch::server_actor(&conn).expect("actor");
                    let mut engine = Engine::new(config.clone(), Arc::new(SystemClock), actor);
                    let tx = conn.transaction().expect("tx");
                    let mut cache = DocCache::new(1 << 30);
                    let mut working = Working::new();
                    let out = merge(
                        &tx,
                        &mut cache,
                        &mut working,
                        &officer,
                        0,
                        Incoming { cases },
                    )
                    .expect("merge");
                    assert!(out.refused.is_empty(), "{:?}", out.refused.first());
                    engine
                        .after_merge(&tx, &mut working, &mut cache, &out.merged)
                        .expect("dispatch");
                    tx.commit().expect("commit");
                    working.into_cache(&mut cache);
                    let response = feed::respond(&conn, &officer, 0, out).expect("respond");
                    assert_eq!(response.heads.len(), 10_000, "every report acknowledged");
                    let sent: usize = response.changes.iter().map(|c| c.changes.len()).sum();
                    // The first page of it (8 MiB); the phone asks for the rest at once.
                    assert!(
                        sent > 5_000 && response.more,
                        "{sent} changes, more: {}",
                        response.more
                    );
                    let response = response.encode().expect("encode");
                    let untriaged: i64 = conn
                        .query_row(
                            "SELECT count(*) FROM cases WHERE status = 'reported'",
                            [],
                            |r| r.get(0),
                        )
                        .expect("count");
                    assert_eq!(untriaged, 0, "every report triaged in the request");
                    // Dropped after the measurement (criterion keeps the
                    // outputs): a server keeps its cache and its database.
                    (dir, conn, cache, response)
                },
                criterion::BatchSize::PerIteration,
            )
        },
    );
    g.finish();
}

fn figures(c: &mut Criterion) {
    let config = Config::demo();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut conn = paidan_server::db::schema::open(&dir.path().join("paidan.db")).expect("open");
    let depts: Vec<_> = config
        .catalog
        .departments
        .iter()
        .map(|d| d.code.to_string())
        .collect();
    let grids: Vec<_> = config
        .area
        .grids
        .iter()
        .map(|g| g.code.to_string())
        .collect();
    // 2026 Beijing time, a case every ~5 minutes.
    let year = 1_767_196_800_000i64;
    let tx = conn.transaction().expect("tx");
    for i in 0..100_000i64 {
        let reported = year + i * 315_000;
        let dept = depts[(i as usize) % depts.len()].clone();
        let on_time = i % 7 != 0;
        let base = Fact {
            case_id: CaseId::new(),
            dept: String::new(),
            category: "sanitation.garbage".into(),
            grid: Some(grids[(i as usize) % grids.len()].clone()),
            state: "closed".into(),
            reported_at: reported,
            dispatched_at: Some(reported + 600_000),
            deadline: Some(reported + 86_400_000),
            accepted_at: Some(reported + 1_800_000),
            responded_on_time: Some(i % 11 != 0),
            completed_at: Some(reported + if on_time { 36_000_000 } else { 90_000_000 }),
            completed_on_time: Some(on_time),
            closed_at: Some(reported + 100_000_000),
            returns: u32::from(i % 23 == 0),
            reopens: 0,
            holds: 0,
            recurrence: i % 31 == 0,
            on_site: false,
            satisfaction: Some(if i % 19 == 0 {
                Satisfaction::Unsatisfied
            } else {
                Satisfaction::Satisfied
            }),
        };
        let part = Fact {
            dept,
            state: "completed".into(),
            ..base.clone()
        };
        facts::write(&tx, &[base, part], &[]).expect("facts");
    }
    tx.commit().expect("commit");
    let now = year + 400 * 86_400_000;
    let mut g = c.benchmark_group("figures");
    g.sample_size(20);
    g.bench_function("a year of 100,000 closed cases", |b| {
        b.iter(|| {
            let f =
                paidan_server::figures::query(&conn, &config, year, year + 366 * 86_400_000, now)
                    .expect("figures");
            assert_eq!(f.street.counts.received, 100_000);
            f
        })
    });
    g.finish();
}

criterion_group!(benches, dispatch, figures);
criterion_main!(benches);
