//! The scheduler on a clock the test drives, across restarts of the
//! server: exactly the expected reminders (催办) and escalation (督办), none
//! repeated, none missed while the server was down.

use paidan_core::{ReminderStage, Role, Status};
use paidan_server::clock::Clock;
use paidan_tests::{ManualClock, Phone, TestResult, TestServer};
use std::sync::Arc;
use std::time::{Duration, Instant};

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
/// Tuesday 2026-12-01, 10:00 in Fukang (UTC+8).
const T0: i64 = 1_796_090_400_000;

/// Sync until the case shows `want` reminders, then give the scheduler
/// many more ticks and check nothing else came.
fn settle(
    phone: &mut Phone,
    url: &str,
    case: &paidan_core::CaseId,
    want: (u32, u32),
) -> TestResult {
    let start = Instant::now();
    loop {
        phone.sync(url)?;
        let v = phone.view(case);
        if (v.reminders, v.escalations) == want {
            break;
        }
        anyhow::ensure!(
            start.elapsed() < Duration::from_secs(10),
            "expected (reminders, escalations) = {want:?}, have ({}, {})",
            v.reminders,
            v.escalations
        );
        std::thread::sleep(Duration::from_millis(25));
    }
    // 20 more ticks.
    std::thread::sleep(Duration::from_millis(500));
    phone.sync(url)?;
    let v = phone.view(case);
    assert_eq!((v.reminders, v.escalations), want, "nothing more");
    Ok(())
}

#[test]
fn reminders_and_escalation_come_once_each_across_restarts() -> TestResult {
    let clock = Arc::new(ManualClock::at(T0));
    let mut server = TestServer::start_at(tempfile::tempdir()?, clock.clone());
    let mut ren = Phone::new("ren", Role::Dispatcher, None);
    let mut pan = Phone::new("pan", Role::Resident, None);

    // Exposed garbage at 10:00: dispatched at once, 4 working hours, due
    // at 14:00; the "before" reminder at 13:00 (a quarter left);
    // escalation 8 hours after the deadline, at 22:00.
    let case = pan.report_at("sanitation.garbage", "垃圾成堆", 44.16, 87.98, T0);
    pan.sync(&server.url())?;
    let v = pan.view(&case);
    assert_eq!(v.status, Status::Dispatched);
    assert_eq!(v.deadline(), Some(T0 + 4 * HOUR));

    clock.set(T0 + 2 * HOUR);
    settle(&mut ren, &server.url(), &case, (0, 0))?;

    clock.set(T0 + 3 * HOUR + 5 * MINUTE);
    settle(&mut ren, &server.url(), &case, (1, 0))?;
    assert_eq!(ren.view(&case).reminder_stages, vec![ReminderStage::Before]);

    // A restart does not repeat it.
    server = TestServer::start_at(server.stop(), clock.clone());
    settle(&mut ren, &server.url(), &case, (1, 0))?;

    // The deadline passes while the server is down: the first tick after
    // the restart sends the "due" reminder.
    let data = server.stop();
    clock.set(T0 + 4 * HOUR + 30 * MINUTE);
    server = TestServer::start_at(data, clock.clone());
    settle(&mut ren, &server.url(), &case, (2, 0))?;

    // Eight hours overdue: the overdue reminder and the escalation.
    clock.set(T0 + 12 * HOUR + MINUTE);
    settle(&mut ren, &server.url(), &case, (3, 1))?;
    server = TestServer::start_at(server.stop(), clock.clone());
    clock.advance(24 * HOUR);
    settle(&mut ren, &server.url(), &case, (3, 1))?;
    let v = ren.view(&case);
    assert_eq!(
        v.reminder_stages,
        vec![
            ReminderStage::Before,
            ReminderStage::Due,
            ReminderStage::Overdue
        ]
    );
    assert!(v.is_overdue(clock.now_ms()));
    assert!(v.superseded.is_empty());
    Ok(())
}

#[test]
fn a_granted_extension_starts_the_reminders_again() -> TestResult {
    use paidan_core::EventData as D;
    let clock = Arc::new(ManualClock::at(T0));
    let server = TestServer::start_at(tempfile::tempdir()?, clock.clone());
    let url = server.url();
    let mut pan = Phone::new("pan", Role::Resident, None);
    let mut ren = Phone::new("ren", Role::Dispatcher, None);
    let mut urban = Phone::new("urban-1", Role::DeptLiaison, Some("urban_mgmt"));
    let case = pan.report_at("sanitation.garbage", "垃圾成堆", 44.16, 87.98, T0);
    pan.sync(&url)?;
    urban.sync(&url)?;
    urban.act_at(&case, D::Accepted, T0 + MINUTE);
    urban.act_at(
        &case,
        D::ExtensionRequested {
            until: T0 + 30 * HOUR,
            reason: "垃圾量大，需调车".into(),
        },
        T0 + 2 * MINUTE,
    );
    urban.sync(&url)?;
    clock.set(T0 + 5 * HOUR);
    settle(&mut ren, &url, &case, (1, 0))?;
    ren.act_at(
        &case,
        D::ExtensionGranted {
            department: "urban_mgmt".into(),
            until: T0 + 30 * HOUR,
        },
        T0 + 5 * HOUR,
    );
    ren.sync(&url)?;
    // Nothing due now under the new deadline.
    settle(&mut ren, &url, &case, (1, 0))?;
    clock.set(T0 + 30 * HOUR + MINUTE);
    settle(&mut ren, &url, &case, (2, 0))?;
    Ok(())
}
