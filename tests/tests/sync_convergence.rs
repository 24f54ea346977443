//! Two phones and the server: both file cases and events offline, sync in
//! different orders, and end with identical documents and CaseViews.

use paidan_core::{EventData as D, Role};
use paidan_tests::{Phone, TestResult, TestServer};

fn same_everything(a: &Phone, b: &Phone) {
    assert_eq!(a.case_ids(), b.case_ids(), "same cases");
    same_where_held(a, b);
}

/// Every case `a` holds, `b` holds the same.
fn same_where_held(a: &Phone, b: &Phone) {
    for id in a.case_ids() {
        let mut da = a.store.load(&id).unwrap();
        let mut db = b.store.load(&id).unwrap();
        let (mut ha, mut hb) = (da.heads(), db.heads());
        ha.sort();
        hb.sort();
        assert_eq!(ha, hb, "same heads of {id}");
        assert_eq!(da.read().unwrap(), db.read().unwrap(), "same document {id}");
        assert_eq!(da.view().unwrap(), db.view().unwrap(), "same view {id}");
    }
}

#[test]
fn two_phones_offline_converge_whatever_the_order_and_a_second_sync_sends_nothing() -> TestResult {
    let server = TestServer::start();
    let url = server.url();
    let mut pan = Phone::new("pan", Role::Resident, None);
    let mut officer = Phone::new("patrol-1", Role::PatrolOfficer, None);
    let mut center = Phone::new("ren", Role::Dispatcher, None);

    // Offline: the resident files two cases, the officer one.
    let garbage = pan.report("sanitation.garbage", "小区后门垃圾成堆", 0);
    let pigeons = pan.report("structure.pigeon_shed", "阳台鸽棚", 1);
    let manhole = officer.report("road.manhole", "窨井盖缺失", 2);
    officer.act(
        &manhole,
        D::HandledOnSite {
            note: "已盖好".into(),
            before: vec![],
            after: vec![],
        },
    );

    // The officer syncs first, then the resident.
    let s = officer.sync(&url)?;
    assert_eq!(s.round_trips, 1);
    assert_eq!(s.acked_changes, s.sent_changes);
    pan.sync(&url)?;
    center.sync(&url)?;
    assert_eq!(center.case_ids().len(), 3);

    // The center dispatches while, offline, the resident comments.
    center.act(
        &garbage,
        D::Dispatched {
            departments: vec!["urban_mgmt".into()],
            deadline: i64::MAX / 4,
        },
    );
    pan.act(
        &garbage,
        D::Comment {
            text: "脏水结冰了".into(),
        },
    );
    officer.sync(&url)?;
    officer.act(
        &garbage,
        D::Comment {
            text: "已通知城管".into(),
        },
    );
    // This time the resident syncs first.
    pan.sync(&url)?;
    center.sync(&url)?;
    officer.sync(&url)?;
    pan.sync(&url)?;
    center.sync(&url)?;
    for p in [&pan, &center] {
        let v = p.store.load(&pigeons)?.view()?;
        assert_eq!(
            v.status,
            paidan_core::Status::Triaged,
            "triaged by the server"
        );
    }
    // The resident holds only its own two cases, as the center has them.
    let mut own = vec![garbage, pigeons];
    own.sort();
    assert_eq!(pan.case_ids(), own);
    same_where_held(&pan, &center);
    officer.sync(&url)?;
    same_everything(&center, &officer);
    let garbage_view = pan.store.load(&garbage)?.view()?;
    assert_eq!(garbage_view.status, paidan_core::Status::Dispatched);

    // Syncing again sends nothing and receives nothing.
    for p in [&mut pan, &mut officer, &mut center] {
        let again = p.sync(&url)?;
        assert_eq!(again.sent_changes, 0, "nothing to send");
        assert_eq!(again.received_changes, 0, "nothing new");
    }
    Ok(())
}

#[test]
fn a_phone_that_comes_back_after_a_restart_of_the_server_gets_everything() -> TestResult {
    let server = TestServer::start();
    let mut a = Phone::new("a", Role::Resident, None);
    for i in 0..20 {
        a.report("sanitation.garbage", "垃圾", i);
    }
    a.sync(&server.url())?;
    let data = server.stop();
    let server = TestServer::start_on(data);
    let mut b = Phone::new("b", Role::Dispatcher, None);
    let s = b.sync(&server.url())?;
    assert_eq!(s.round_trips, 1);
    assert_eq!(b.case_ids(), a.case_ids());
    same_everything(&a, &b);
    Ok(())
}
