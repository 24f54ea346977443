//! `kill -9` of the server process while 8 clients push changes in a loop:
//! after a restart, every change a client saw acknowledged is there.

use paidan_core::store::decode_heads;
use paidan_core::{CaseId, EventData as D, Role};
use paidan_tests::{Phone, ServerProcess, TestResult, free_addr, server_binary};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Every change of `phone` that the server acknowledged: the changes
/// reachable from each case's acknowledged heads.
fn acknowledged(phone: &Phone) -> Vec<(CaseId, automerge::ChangeHash)> {
    let conn = phone.store.conn();
    let mut stmt = conn.prepare("SELECT id, synced_heads FROM cases").unwrap();
    let rows: Vec<(String, Vec<u8>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = Vec::new();
    for (id, heads) in rows {
        let id: CaseId = id.parse().unwrap();
        let heads = decode_heads(&heads).unwrap();
        if heads.is_empty() {
            continue;
        }
        let mut doc = phone.store.load(&id).unwrap();
        let at = doc.fork_at(&heads).unwrap();
        let mut at = at;
        for c in at.changes_since(&[]) {
            out.push((id, c.hash()));
        }
    }
    out
}

#[test]
fn every_acknowledged_change_survives_kill_9_of_the_server() -> TestResult {
    let bin = server_binary();
    let data = tempfile::tempdir()?;
    let addr = free_addr();
    let mut server = ServerProcess::start(&bin, data.path(), addr);
    let url = server.url();
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let url = url.clone();
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut phone = Phone::new(&format!("phone-{w}"), Role::PatrolOfficer, None);
                let mut cases = Vec::new();
                let mut syncs = 0u32;
                for i in 0u32.. {
                    if i % 3 == 0 || cases.is_empty() {
                        cases.push(phone.report(
                            "sanitation.garbage",
                            "巡查发现垃圾",
                            w * 10_000 + i,
                        ));
                    } else {
                        let c = cases[i as usize % cases.len()];
                        phone.act(
                            &c,
                            D::Comment {
                                text: format!("第{i}次巡查"),
                            },
                        );
                    }
                    match phone.sync(&url) {
                        Ok(_) => syncs += 1,
                        Err(_) if stop.load(Ordering::SeqCst) => break,
                        Err(_) => std::thread::sleep(Duration::from_millis(10)),
                    }
                }
                (phone, syncs)
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(3));
    stop.store(true, Ordering::SeqCst);
    server.kill();
    let phones: Vec<(Phone, u32)> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    assert!(
        phones.iter().all(|(_, syncs)| *syncs > 0),
        "every client synced at least once"
    );

    let server = ServerProcess::start(&bin, data.path(), addr);
    let mut reader = Phone::new("auditor", Role::Dispatcher, None);
    reader.sync(&server.url())?;
    let mut checked = 0usize;
    for (phone, _) in &phones {
        for (case, hash) in acknowledged(phone) {
            let mut doc = reader
                .store
                .load(&case)
                .unwrap_or_else(|_| panic!("case {case} lost"));
            assert!(
                doc.automerge().get_change_by_hash(&hash).is_some(),
                "acknowledged change {hash} of case {case} lost"
            );
            checked += 1;
        }
    }
    println!("kill -9: {checked} acknowledged changes from 8 clients, all present after restart");
    assert!(checked > 8);
    Ok(())
}
