//! Offline conflicts through the real server: the fold picks one outcome
//! deterministically on every replica, and keeps the other event, shown as
//! superseded with its reason.

use paidan_core::{EventData as D, EventKind, Role, Status};
use paidan_tests::{Phone, TestResult, TestServer};

fn all_agree(phones: &[&Phone], case: &paidan_core::CaseId) -> paidan_core::CaseView {
    let v = phones[0].view(case);
    for p in &phones[1..] {
        assert_eq!(p.view(case), v, "replicas agree");
    }
    v
}

#[test]
fn a_department_completes_while_offline_the_dispatcher_re_dispatches() -> TestResult {
    let server = TestServer::start();
    let url = server.url();
    let mut pan = Phone::new("pan", Role::Resident, None);
    let mut ren = Phone::new("ren", Role::Dispatcher, None);
    let mut urban = Phone::new("urban-1", Role::DeptLiaison, Some("urban_mgmt"));
    let case = pan.report("structure.signboard", "不规范牌匾", 0);
    pan.sync(&url)?;
    ren.sync(&url)?;
    ren.act(
        &case,
        D::Dispatched {
            departments: vec!["urban_mgmt".into()],
            deadline: paidan_core::now_ms() + 86_400_000,
        },
    );
    ren.sync(&url)?;
    urban.sync(&url)?;
    urban.act(&case, D::Accepted);
    urban.sync(&url)?;
    ren.sync(&url)?;

    // Both offline: the department finishes, the dispatcher re-dispatches.
    urban.act(
        &case,
        D::Completed {
            note: "牌匾已拆除".into(),
            photos: vec![],
        },
    );
    ren.act(
        &case,
        D::Dispatched {
            departments: vec!["housing".into()],
            deadline: paidan_core::now_ms() + 86_400_000,
        },
    );
    urban.sync(&url)?;
    ren.sync(&url)?;
    urban.sync(&url)?;
    pan.sync(&url)?;
    let v = all_agree(&[&pan, &ren, &urban], &case);
    assert_eq!(
        v.superseded.len(),
        1,
        "one of the two lost: {:?}",
        v.superseded
    );
    let lost = &v.superseded[0];
    assert!(
        matches!(lost.kind, EventKind::Completed | EventKind::Dispatched),
        "{lost:?}"
    );
    assert!(!lost.reason.is_empty());
    // Whichever won, the state is one of the two outcomes, never a mix.
    match lost.kind {
        EventKind::Completed => {
            assert_eq!(v.assignments[0].dept.as_str(), "housing");
            assert_eq!(v.status, Status::Dispatched);
        }
        _ => assert_eq!(v.status, Status::Completed),
    }
    // Both events are in the timeline, nothing dropped.
    let events = pan.store.load(&case)?.events()?;
    assert!(events.iter().any(|e| e.data.kind() == EventKind::Completed));
    assert_eq!(
        events
            .iter()
            .filter(|e| e.data.kind() == EventKind::Dispatched)
            .count(),
        2
    );
    Ok(())
}

#[test]
fn two_officers_handle_the_same_case_on_site_at_once() -> TestResult {
    let server = TestServer::start();
    let url = server.url();
    let mut pan = Phone::new("pan", Role::Resident, None);
    let mut li = Phone::new("patrol-li", Role::PatrolOfficer, None);
    let mut zhao = Phone::new("patrol-zhao", Role::PatrolOfficer, None);
    let case = pan.report("power.exposed_wire", "楼道电线裸露", 0);
    pan.sync(&url)?;
    li.sync(&url)?;
    zhao.sync(&url)?;
    for (p, note) in [(&mut li, "已包扎"), (&mut zhao, "已断电处理")] {
        p.act(
            &case,
            D::HandledOnSite {
                note: note.into(),
                before: vec![],
                after: vec![],
            },
        );
    }
    zhao.sync(&url)?;
    li.sync(&url)?;
    zhao.sync(&url)?;
    pan.sync(&url)?;
    let v = all_agree(&[&pan, &li, &zhao], &case);
    assert_eq!(v.status, Status::Closed);
    assert!(v.handled_on_site);
    assert_eq!(v.superseded.len(), 1);
    assert_eq!(v.superseded[0].kind, EventKind::HandledOnSite);
    assert!(
        v.superseded[0].reason.contains("no longer waiting"),
        "{}",
        v.superseded[0].reason
    );
    Ok(())
}
