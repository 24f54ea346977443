//! `paidan-load`: a load generator that drives the real HTTP sync endpoint
//! with real core clients, each on its own store folder.
//!
//! ```text
//! paidan-load bulk  [--cases 1000] [--changes 11]   one phone back online
//! paidan-load many  [--devices 64] [--seconds 10]   many small syncs at once
//! ```
//! Without `--server URL` it starts a server in this process on a fresh
//! data folder (and makes its devices' accounts as its admin); with one,
//! give an admin's token in `PAIDAN_ADMIN_TOKEN`. Build with `--release`
//! for figures worth recording.

/// The server binary's allocator (see `server/src/main.rs`), so that the
/// server started in this process allocates as the real one does.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};
use paidan_core::{EventData as D, Role};
use paidan_tests::{Phone, TestServer};
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
struct Cli {
    /// A running server; default: one started in this process.
    #[arg(long, global = true)]
    server: Option<String>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// One phone with many changed cases syncs once.
    Bulk {
        #[arg(long, default_value_t = 1000)]
        cases: u32,
        /// Changes per case (the report plus events).
        #[arg(long, default_value_t = 11)]
        changes: u32,
    },
    /// Many devices sync small changes at once.
    Many {
        #[arg(long, default_value_t = 64)]
        devices: u32,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Each device a full client with its SQLite store, applying all it
        /// receives (on one machine the 64 clients then compete with the
        /// server for the CPU). Default: each device keeps its cases as
        /// in-memory core documents and only decodes what it receives.
        #[arg(long)]
        full: bool,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let local = cli.server.is_none().then(TestServer::start);
    let url = cli
        .server
        .clone()
        .unwrap_or_else(|| local.as_ref().map(TestServer::url).unwrap_or_default());
    match cli.cmd {
        Cmd::Bulk { cases, changes } => bulk(&url, cases, changes),
        Cmd::Many {
            devices,
            seconds,
            full: true,
        } => many(&url, devices, Duration::from_secs(seconds)),
        Cmd::Many {
            devices,
            seconds,
            full: false,
        } => many_light(&url, devices, Duration::from_secs(seconds)),
    }
}

fn bulk(url: &str, cases: u32, changes: u32) -> anyhow::Result<()> {
    let mut phone = Phone::new("patrol-1", Role::PatrolOfficer, None);
    let t = Instant::now();
    for i in 0..cases {
        let id = phone.report(
            "sanitation.garbage",
            "巡查发现：小区后门垃圾成堆，脏水结冰",
            i,
        );
        for j in 1..changes {
            phone.act(
                &id,
                D::Comment {
                    text: format!("第{j}次补充说明"),
                },
            );
        }
    }
    println!(
        "prepared {cases} cases x {changes} changes offline in {:.1?}",
        t.elapsed()
    );
    let t = Instant::now();
    let s = phone.sync(url)?;
    let took = t.elapsed();
    println!("round trips: {}", s.round_trips);
    println!(
        "changes sent: {} (acknowledged {})",
        s.sent_changes, s.acked_changes
    );
    println!(
        "bytes: changes {} / on the wire up {} down {} -> ratio (up+down)/changes {:.3}",
        s.sent_change_bytes,
        s.sent_wire_bytes,
        s.received_wire_bytes,
        (s.sent_wire_bytes + s.received_wire_bytes) as f64 / s.sent_change_bytes as f64
    );
    println!(
        "sync took {:.1?}: {:.0} changes/s end to end (encode, HTTP, merge, commit, apply acks)",
        took,
        s.sent_changes as f64 / took.as_secs_f64()
    );
    // The server's own share: post the same bytes again to a fresh server
    // is not possible from here, so time a second phone's identical batch.
    let mut phone2 = Phone::new("patrol-2", Role::PatrolOfficer, None);
    for i in 0..cases {
        let id = phone2.report("street.stall", "流动摊点占道经营", i);
        for j in 1..changes {
            phone2.act(
                &id,
                D::Comment {
                    text: format!("补充{j}"),
                },
            );
        }
    }
    let out = paidan_core::sync::prepare(&phone2.store, true)?;
    let body = out.request.encode()?;
    phone2.login(url)?;
    let client = paidan_core::sync::http::HttpClient::new(url, Some(phone2.token()))?;
    let t = Instant::now();
    let reply = client.post_sync(body)?;
    let took = t.elapsed();
    let resp = paidan_core::sync::SyncResponse::decode(&reply)?;
    println!(
        "server bulk merge: {} changes in one request in {:.1?} = {:.0} changes/s ({} refused)",
        out.change_count,
        took,
        out.change_count as f64 / took.as_secs_f64(),
        resp.refused.len()
    );
    Ok(())
}

fn many(url: &str, devices: u32, run: Duration) -> anyhow::Result<()> {
    let start = std::sync::Arc::new(std::sync::Barrier::new(devices as usize));
    let workers: Vec<_> = (0..devices)
        .map(|d| {
            let url = url.to_owned();
            let start = start.clone();
            std::thread::spawn(move || -> anyhow::Result<Vec<Duration>> {
                // Each simulated phone would have its own flash storage; on
                // one machine 64 of them would fight over one disk, so their
                // stores live in memory (tmpfs) and the disk is the server's.
                let dir = tempfile::tempdir_in(phone_dir()).expect("tempdir");
                let mut phone =
                    Phone::new_in(dir, &format!("device-{d}"), Role::PatrolOfficer, None);
                let mut id = phone.report("sanitation.garbage", "巡查", d);
                phone.sync(&url)?;
                start.wait();
                let mut lat = Vec::new();
                let client = paidan_core::sync::http::HttpClient::new(&url, Some(phone.token()))?;
                let t0 = Instant::now();
                let mut i = 0;
                while t0.elapsed() < run {
                    i += 1;
                    // A case takes about ten events in its life; then the
                    // officer moves on to the next one.
                    if i % 10 == 0 {
                        id = phone.report("sanitation.garbage", "巡查", d * 100_000 + i);
                    } else {
                        phone.act(
                            &id,
                            D::Comment {
                                text: format!("巡查记录 {i}"),
                            },
                        );
                    }
                    // The whole client sync, with the HTTP round trip timed
                    // on its own: that is the server's latency.
                    let mut summary = paidan_core::sync::SyncSummary::default();
                    let out = paidan_core::sync::prepare(&phone.store, true)?;
                    let body = out.request.encode()?;
                    let t = Instant::now();
                    let reply = client.post_sync(body)?;
                    lat.push(t.elapsed());
                    let resp = paidan_core::sync::SyncResponse::decode(&reply)?;
                    paidan_core::sync::apply(&mut phone.store, &out, &resp, &mut summary)?;
                }
                Ok(lat)
            })
        })
        .collect();
    report(devices, run, workers)
}

fn phone_dir() -> std::path::PathBuf {
    let shm = std::path::Path::new("/dev/shm");
    if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

/// The server's share of many small syncs: each device writes real case
/// documents with the core (a new case every ten events, as an officer
/// moves on) and sends each change in its own real sync request with its
/// cursor; it decodes the response but keeps no store, so the clients do
/// not take the server's CPU.
fn many_light(url: &str, devices: u32, run: Duration) -> anyhow::Result<()> {
    use paidan_core::sync::protocol::{CaseChanges, SyncRequest, SyncResponse};
    use paidan_core::testing::{event, new_case};
    let start = std::sync::Arc::new(std::sync::Barrier::new(devices as usize));
    let workers: Vec<_> = (0..devices)
        .map(|d| {
            let url = url.to_owned();
            let start = start.clone();
            std::thread::spawn(move || -> anyhow::Result<Vec<Duration>> {
                let actor = automerge::ActorId::random();
                let user = format!("device-{d}");
                paidan_tests::add_account(
                    &url,
                    serde_json::json!({"user_id": user, "login": user, "role": "patrol_officer"}),
                )?;
                let token = paidan_tests::login_token(
                    &url,
                    &user,
                    paidan_tests::PASSWORD,
                    &actor.to_hex_string(),
                )?;
                let client = paidan_core::sync::http::HttpClient::new(&url, Some(token))?;
                let mut cursor = 0u64;
                let mut lat = Vec::new();
                let mut current: Option<(paidan_core::CaseId, paidan_core::CaseDoc)> = None;
                let mut acked: Vec<automerge::ChangeHash> = Vec::new();
                start.wait();
                let t0 = Instant::now();
                let mut i = 0u32;
                while t0.elapsed() < run {
                    match current.as_mut() {
                        Some((_, doc)) if !i.is_multiple_of(10) => doc.append_event(&event(
                            &user,
                            Role::PatrolOfficer,
                            None,
                            D::Comment {
                                text: format!("巡查记录 {i}"),
                            },
                        ))?,
                        _ => {
                            let new = new_case(
                                &user,
                                Role::PatrolOfficer,
                                "sanitation.garbage",
                                "巡查发现垃圾",
                                d * 10_000 + i,
                            );
                            current = Some((new.id, paidan_core::CaseDoc::create(&new, &actor)?));
                            acked.clear();
                        }
                    }
                    i += 1;
                    let (case, doc) = current.as_mut().expect("a case");
                    let changes = doc
                        .changes_since(&acked)
                        .into_iter()
                        .map(|c| paidan_core::sync::protocol::ByteBuf::from(c.raw_bytes().to_vec()))
                        .collect();
                    let body = SyncRequest {
                        cursor,
                        cases: vec![CaseChanges {
                            case: *case.0.as_bytes(),
                            changes,
                        }],
                    }
                    .encode()?;
                    let t = Instant::now();
                    let reply = client.post_sync(body)?;
                    lat.push(t.elapsed());
                    let resp = SyncResponse::decode(&reply)?;
                    anyhow::ensure!(resp.refused.is_empty(), "refused: {:?}", resp.refused);
                    cursor = resp.cursor;
                    acked = doc.heads();
                }
                Ok(lat)
            })
        })
        .collect();
    report(devices, run, workers)
}

fn report(
    devices: u32,
    run: Duration,
    workers: Vec<std::thread::JoinHandle<anyhow::Result<Vec<Duration>>>>,
) -> anyhow::Result<()> {
    let mut all = Vec::new();
    for w in workers {
        all.extend(
            w.join()
                .map_err(|_| anyhow::anyhow!("a device thread panicked"))??,
        );
    }
    all.sort();
    let n = all.len();
    anyhow::ensure!(n > 0, "no sync completed");
    let pct = |p: f64| all[((n as f64 * p) as usize).min(n - 1)];
    println!("devices: {devices}, syncs: {n} in {run:?}");
    println!("requests/s: {:.0}", n as f64 / run.as_secs_f64());
    println!(
        "latency p50 {:.1?} p99 {:.1?} max {:.1?}",
        pct(0.50),
        pct(0.99),
        all[n - 1]
    );
    Ok(())
}
