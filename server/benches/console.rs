//! The console's pages and the public board over a street of 10,000 cases
//! (target: each page built on the server in under 300 ms).
//!
//! The cases are real case documents: 10,000 reports merged and triaged
//! by the dispatch engine (the auto-dispatched categories dispatched), then
//! seven in ten taken through dispatch, acceptance, completion,
//! verification and closing by the people who do them. Each page is built
//! from the database the way its handler builds it (a read connection,
//! queries, whole documents where the page shows one, the askama
//! template), without the HTTP around it.
//!
//! `cargo bench -p paidan-server --bench console`

/// The server binary's allocator (see `src/main.rs`).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{Criterion, criterion_group, criterion_main};
use paidan_core::testing::{event, new_case};
use paidan_core::{CaseDoc, CaseId, EventData, Role};
use paidan_server::auth::Principal;
use paidan_server::clock::SystemClock;
use paidan_server::config::Config;
use paidan_server::console::i18n::Lang;
use paidan_server::console::pages::{self, CaseHtml, Period};
use paidan_server::db::cache::DocCache;
use paidan_server::db::merge::{Incoming, merge_unchecked};
use paidan_server::db::working::Working;
use paidan_server::dispatch::{DispatchHook, Engine};
use std::sync::Arc;

const CASES: u32 = 10_000;

fn principal(user: &str, role: Role, dept: Option<&str>) -> Principal {
    Principal {
        device: "bench".into(),
        user: user.into(),
        role,
        street: "fuxin".into(),
        dept: dept.map(Into::into),
        grids: vec![],
        actor: vec![0; 16],
    }
}

/// A data folder with 10,000 cases; returns the folder and one closed case.
fn street(config: &Arc<Config>) -> (tempfile::TempDir, CaseId) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut conn = paidan_server::db::schema::open(&dir.path().join("paidan.db")).expect("open");
    let cats: Vec<String> = config
        .catalog
        .categories
        .iter()
        .map(|c| c.code.to_string())
        .collect();
    let mut ids = Vec::new();
    let cases = (0..CASES)
        .map(|i| {
            let cat = &cats[(i as usize) % cats.len()];
            let p = i / cats.len() as u32;
            let mut new = new_case("pan", Role::Resident, cat, "小区后门垃圾成堆，脏水结冰", 0);
            new.location.lat = 44.1455 + f64::from(p % 88) * 0.0005;
            new.location.lon = 87.9705 + f64::from(p / 88) * 0.0007;
            ids.push(new.id);
            let mut doc = CaseDoc::create(&new, &automerge::ActorId::random()).expect("create");
            (*new.id.0.as_bytes(), doc.changes_since(&[]))
        })
        .collect();
    let actor = paidan_server::dispatch::server_actor(&conn).expect("actor");
    let mut engine = Engine::new(config.clone(), Arc::new(SystemClock), actor);
    let tx = conn.transaction().expect("tx");
    let mut cache = DocCache::new(1 << 30);
    let mut working = Working::new();
    let out = merge_unchecked(&tx, &mut cache, &mut working, Incoming { cases }).expect("merge");
    engine
        .after_merge(&tx, &mut working, &mut cache, &out.merged)
        .expect("triage");
    let depts = [
        "urban_mgmt",
        "housing",
        "market",
        "environment",
        "landscaping",
    ];
    let mut closed = None;
    for (i, id) in ids.iter().enumerate() {
        if i % 10 >= 7 {
            continue;
        }
        let dept = depts[i % depts.len()];
        let now = chrono::Utc::now().timestamp_millis();
        let view = engine_view(&mut engine, &tx, &mut working, &mut cache, *id);
        let mut events = Vec::new();
        if view.assignments.is_empty() {
            events.push(event(
                "ren",
                Role::Dispatcher,
                None,
                EventData::Dispatched {
                    departments: vec![dept.into()],
                    deadline: now + 86_400_000,
                },
            ));
        }
        let at_work: Vec<String> = if view.assignments.is_empty() {
            vec![dept.to_owned()]
        } else {
            view.assignments
                .iter()
                .map(|a| a.dept.to_string())
                .collect()
        };
        for dept in &at_work {
            let d = Some(dept.as_str());
            events.push(event("liaison", Role::DeptLiaison, d, EventData::Accepted));
            events.push(event(
                "liaison",
                Role::DeptLiaison,
                d,
                EventData::Completed {
                    note: "已清理".into(),
                    photos: vec![],
                },
            ));
        }
        events.push(event(
            "ren",
            Role::Dispatcher,
            None,
            EventData::Verified {
                note: String::new(),
            },
        ));
        events.push(event(
            "ren",
            Role::Dispatcher,
            None,
            EventData::Closed {
                note: String::new(),
            },
        ));
        engine
            .act(&tx, &mut working, &mut cache, *id, vec![], events)
            .expect("act")
            .expect("the fold takes the work");
        closed.get_or_insert(*id);
    }
    tx.commit().expect("commit");
    (dir, closed.expect("a closed case"))
}

fn engine_view(
    engine: &mut Engine,
    tx: &rusqlite::Transaction<'_>,
    working: &mut Working,
    cache: &mut DocCache,
    id: CaseId,
) -> paidan_core::CaseView {
    engine
        .act(tx, working, cache, id, vec![], vec![])
        .expect("read")
        .expect("a view")
}

fn pages(c: &mut Criterion) {
    let config = Arc::new(Config::demo());
    let (dir, closed) = street(&config);
    let conn = rusqlite::Connection::open_with_flags(
        dir.path().join("paidan.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("reader");
    let now = chrono::Utc::now().timestamp_millis();
    let ren = principal("ren", Role::Dispatcher, None);
    let urban = principal("urban-1", Role::DeptLiaison, Some("urban_mgmt"));
    let mut g = c.benchmark_group("console pages, 10,000 cases");
    g.sample_size(20);
    g.bench_function("dispatcher's queue and map", |b| {
        b.iter(|| pages::queue_html(&config, &conn, Lang::Zh, &ren, now).expect("queue"))
    });
    g.bench_function("department inbox", |b| {
        b.iter(|| pages::inbox_html(&config, &conn, Lang::Zh, &urban, now).expect("inbox"))
    });
    g.bench_function("case page (closed, whole timeline)", |b| {
        b.iter(|| {
            match pages::case_html(&config, &conn, Lang::Zh, &ren, &closed, now).expect("case") {
                CaseHtml::Page(html) => html,
                other => panic!("{other:?}"),
            }
        })
    });
    g.bench_function("public board", |b| {
        b.iter(|| pages::board_html(&config, &conn, Lang::Zh, "", 1, now).expect("board"))
    });
    g.bench_function("public board, searched", |b| {
        b.iter(|| pages::board_html(&config, &conn, Lang::Zh, "城市管理", 1, now).expect("board"))
    });
    g.bench_function("figures page (a year, with the chart)", |b| {
        let year = (now - 365 * 86_400_000, now + 86_400_000);
        b.iter(|| {
            pages::figures_html(
                &config,
                &conn,
                Lang::Zh,
                &ren,
                year,
                &Period::default(),
                now,
            )
            .expect("figures")
        })
    });
    g.finish();
}

criterion_group!(benches, pages);
criterion_main!(benches);
