//! Attacks on the permission layer, each tried against a real server by
//! real clients (modified where an attacker would modify them: changes
//! written straight into the document, past the app's own checks).
//! `docs/security-tests.md` lists every attack and its result.

use paidan_core::sync::http::HttpClient;
use paidan_core::sync::protocol::{ByteBuf, CaseChanges, SyncRequest, SyncResponse};
use paidan_core::testing::{event, new_case};
use paidan_core::{CaseDoc, EventData as D, PrivateContact, Role, Status};
use paidan_tests::{ManualClock, Phone, TestResult, TestServer, get, post_json};
use std::sync::Arc;

const DAY: i64 = 86_400_000;

fn refused_reasons(p: &Phone) -> Vec<String> {
    paidan_core::sync::refused(&p.store)
        .unwrap()
        .into_iter()
        .map(|(_, r, _)| r)
        .collect()
}

/// A dispatch of `case` to `dept` by the center.
fn dispatch(center: &mut Phone, url: &str, case: &paidan_core::CaseId, dept: &str) -> TestResult {
    center.sync(url)?;
    center.act(
        case,
        D::Dispatched {
            departments: vec![dept.into()],
            deadline: paidan_core::now_ms() + 3 * DAY,
        },
    );
    let s = center.sync(url)?;
    assert!(s.refused.is_empty(), "{:?}", s.refused);
    Ok(())
}

/// A copy of the center's document of `case` put into `thief`'s store, as
/// if it had leaked: what the thief then writes is its own change.
fn steal(center: &Phone, thief: &mut Phone, case: &paidan_core::CaseId) {
    let mut doc = center.store.load(case).unwrap();
    let bytes = doc.save();
    let mut copy = CaseDoc::load(&bytes, &thief.store.identity().actor).unwrap();
    thief
        .store
        .write(|tx| paidan_core::store::put_case(tx, &mut copy, false))
        .unwrap();
}

#[test]
fn a_resident_cannot_close_reassign_or_forge_and_the_honest_part_still_goes_through() -> TestResult
{
    let server = TestServer::start();
    let url = server.url();
    let mut pan = Phone::new("pan", Role::Resident, None);
    let mut ren = Phone::new("ren", Role::Dispatcher, None);
    let closed = pan.report("sanitation.garbage", "后门垃圾", 0);
    let moved = pan.report("street.stall", "流动摊点", 1);
    let forged = pan.report("road.manhole", "窨井盖", 2);
    pan.sync(&url)?;
    let before = server.logged_changes();

    // Offline, a modified app writes what a resident may not...
    pan.tamper(
        &closed,
        &event(
            "pan",
            Role::Resident,
            None,
            D::Closed {
                note: "我说好了".into(),
            },
        ),
    );
    pan.tamper(
        &moved,
        &event(
            "pan",
            Role::Resident,
            None,
            D::Dispatched {
                departments: vec!["housing".into()],
                deadline: i64::MAX / 4,
            },
        ),
    );
    pan.tamper(
        &forged,
        &event(
            "ren",
            Role::Dispatcher,
            None,
            D::Voided {
                reason: "冒充调度员".into(),
            },
        ),
    );
    // ... and, in the same request, what it may: a comment and a new report.
    pan.act(
        &moved,
        D::Comment {
            text: "摊主每天早上都在".into(),
        },
    );
    let honest = pan.report("sanitation.garbage", "另一处垃圾", 3);
    let s = pan.sync(&url)?;

    // Each forged change is refused with a reason.
    let reasons: Vec<&str> = s.refused.iter().map(|(_, r)| r.as_str()).collect();
    assert_eq!(s.refused.len(), 4, "{reasons:?}");
    assert!(
        reasons.iter().any(|r| r.contains("may not write closed")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("may not write dispatched")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("claims to be by ren as dispatcher")),
        "{reasons:?}"
    );
    // The comment was written after the forged dispatch in the same
    // document: refused for building on it, naming it...
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("builds on refused change")),
        "{reasons:?}"
    );
    // ... and written again by the phone as a new change, which goes up
    // at the next sync.
    assert_eq!(
        server.logged_changes(),
        before + 1,
        "only the new report was merged"
    );
    let again = pan.sync(&url)?;
    assert!(again.refused.is_empty(), "{:?}", again.refused);
    assert_eq!(server.logged_changes(), before + 2, "then the comment");

    // The center's view: nothing of the forgeries.
    ren.sync(&url)?;
    assert_ne!(ren.view(&closed).status, Status::Closed);
    assert!(ren.view(&moved).assignments.is_empty(), "not dispatched");
    assert_ne!(ren.view(&forged).status, Status::Voided);
    assert!(ren.case_ids().contains(&honest));
    let comments = ren
        .store
        .load(&moved)?
        .events()?
        .into_iter()
        .filter(|e| matches!(&e.data, D::Comment { text } if text.contains("摊主")))
        .count();
    assert_eq!(comments, 1, "the honest comment arrived once");

    // The phone keeps the refused changes with their reasons, and its own
    // copies are back in line with the server.
    assert_eq!(refused_reasons(&pan).len(), 4);
    assert_eq!(pan.view(&closed), ren.view(&closed));
    assert_eq!(pan.view(&moved), ren.view(&moved));
    assert_eq!(pan.view(&forged), ren.view(&forged));
    // Every refusal is in the audit log.
    let audit = paidan_server::admin::audit(server.data.path(), Some("refused_change"), 100)?;
    assert_eq!(audit.len(), 4, "{audit:?}");
    assert!(audit.iter().all(|e| e.actor.starts_with("pan (resident")));
    Ok(())
}

#[test]
fn a_resident_cannot_touch_another_residents_case() -> TestResult {
    let server = TestServer::start();
    let url = server.url();
    let mut pan = Phone::new("pan", Role::Resident, None);
    let mut wang = Phone::new("wang", Role::Resident, None);
    let mut ren = Phone::new("ren", Role::Dispatcher, None);
    let case = pan.report("sanitation.garbage", "后门垃圾", 0);
    pan.sync(&url)?;
    wang.sync(&url)?;
    assert!(!wang.case_ids().contains(&case), "not in wang's feed");
    ren.sync(&url)?;
    steal(&ren, &mut wang, &case);
    let before = server.logged_changes();
    wang.tamper(
        &case,
        &event(
            "wang",
            Role::Resident,
            None,
            D::Comment {
                text: "乱写".into(),
            },
        ),
    );
    let s = wang.sync(&url)?;
    assert_eq!(s.refused.len(), 1);
    assert!(s.refused[0].1.contains("not your case"), "{:?}", s.refused);
    assert_eq!(server.logged_changes(), before);
    // A root field rewritten is refused too, even in one's own case.
    Ok(())
}

#[test]
fn a_department_cannot_accept_an_order_dispatched_to_another() -> TestResult {
    let server = TestServer::start();
    let url = server.url();
    let mut pan = Phone::new("pan", Role::Resident, None);
    let mut ren = Phone::new("ren", Role::Dispatcher, None);
    let mut urban = Phone::new("urban-1", Role::DeptLiaison, Some("urban_mgmt"));
    let mut market = Phone::new("market-1", Role::DeptLiaison, Some("market"));
    let case = pan.report("street.stall", "流动摊点", 0);
    pan.sync(&url)?;
    dispatch(&mut ren, &url, &case, "urban_mgmt")?;
    market.sync(&url)?;
    assert!(!market.case_ids().contains(&case), "not in market's inbox");
    steal(&ren, &mut market, &case);
    let before = server.logged_changes();
    market.tamper(
        &case,
        &event("market-1", Role::DeptLiaison, Some("market"), D::Accepted),
    );
    let s = market.sync(&url)?;
    assert_eq!(s.refused.len(), 1, "{:?}", s.refused);
    assert!(s.refused[0].1.contains("not dispatched to your department"));
    assert_eq!(server.logged_changes(), before);
    // The department it was dispatched to accepts.
    urban.sync(&url)?;
    assert!(urban.case_ids().contains(&case), "in urban_mgmt's inbox");
    urban.act(&case, D::Accepted);
    assert!(urban.sync(&url)?.refused.is_empty());
    ren.sync(&url)?;
    assert_eq!(ren.view(&case).status, Status::InProgress);
    Ok(())
}

#[test]
fn a_change_written_with_another_devices_actor_is_refused() -> TestResult {
    let server = TestServer::start();
    let url = server.url();
    let mut pan = Phone::new("pan", Role::Resident, None);
    let mut wang = Phone::new("wang", Role::Resident, None);
    pan.login(&url)?;
    wang.login(&url)?;
    // Wang writes a case of its own, but with pan's actor id.
    let pan_actor = pan.store.identity().actor.clone();
    let new = new_case("wang", Role::Resident, "sanitation.garbage", "垃圾", 0);
    let mut doc = CaseDoc::create(&new, &pan_actor)?;
    let changes = doc.changes_since(&[]);
    let req = SyncRequest {
        cursor: 0,
        cases: vec![CaseChanges {
            case: *new.id.0.as_bytes(),
            changes: changes
                .iter()
                .map(|c| ByteBuf::from(c.raw_bytes().to_vec()))
                .collect(),
        }],
    };
    let client = HttpClient::new(&url, Some(wang.token()))?;
    let resp = SyncResponse::decode(&client.post_sync(req.encode()?)?)?;
    assert_eq!(resp.refused.len(), changes.len());
    assert!(
        resp.refused[0]
            .reason
            .contains("another device's writer id"),
        "{:?}",
        resp.refused
    );
    assert_eq!(server.logged_changes(), 0, "nothing stored");
    Ok(())
}

#[test]
fn no_expired_revoked_or_foreign_token_gets_in() -> TestResult {
    let clock = Arc::new(ManualClock::at(paidan_core::now_ms()));
    let server = TestServer::start_at(tempfile::tempdir()?, clock.clone());
    let url = server.url();
    let mut pan = Phone::new("pan", Role::Resident, None);
    pan.report("sanitation.garbage", "垃圾", 0);
    let sync_with = |token: Option<String>, phone: &mut Phone| {
        let client = HttpClient::new(&url, token).unwrap();
        paidan_core::sync::http::sync(&mut phone.store, &client, &mut |_, _, _, _| {}).map(|s| s.0)
    };
    // No token: 401.
    assert!(matches!(
        sync_with(None, &mut pan),
        Err(paidan_core::Error::Unauthorized)
    ));
    assert_eq!(server.logged_changes(), 0);
    // Revoked by an admin: at once.
    pan.login(&url)?;
    let device = pan.store.meta("device")?.unwrap();
    let admin = paidan_tests::admin_token(&url).unwrap();
    let (status, body) = post_json(
        &format!("{url}/v1/devices/{device}/revoke"),
        Some(&admin),
        &serde_json::json!({}),
    )?;
    assert_eq!(status, 204, "{body}");
    assert!(matches!(
        sync_with(Some(pan.token()), &mut pan),
        Err(paidan_core::Error::Unauthorized)
    ));
    assert_eq!(server.logged_changes(), 0);
    // An account of another street: 403, with a reason.
    pan.login(&url)?;
    let db = rusqlite::Connection::open(server.data.path().join("paidan.db"))?;
    db.execute(
        "UPDATE accounts SET street = 'tianchi' WHERE user_id = 'pan'",
        [],
    )?;
    let err = sync_with(Some(pan.token()), &mut pan)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("403") && err.contains("belongs to street tianchi"),
        "{err}"
    );
    assert_eq!(server.logged_changes(), 0);
    db.execute(
        "UPDATE accounts SET street = 'fuxin' WHERE user_id = 'pan'",
        [],
    )?;
    // Expired: 90 days later the same token no longer works.
    let token = pan.token();
    clock.advance(91 * DAY);
    assert!(matches!(
        sync_with(Some(token), &mut pan),
        Err(paidan_core::Error::Unauthorized)
    ));
    assert_eq!(server.logged_changes(), 0, "nothing stored at any step");
    Ok(())
}

#[test]
fn no_resident_receives_another_residents_phone_number() -> TestResult {
    let server = TestServer::start();
    let url = server.url();
    // Two residents register themselves with their mobile numbers.
    for (phone, name) in [("13800001111", "潘云燕"), ("13900002222", "王师傅")] {
        let (status, body) = post_json(
            &format!("{url}/v1/register"),
            None,
            &serde_json::json!({"phone": phone, "password": "resident-pw-1", "display_name": name}),
        )?;
        assert_eq!(status, 201, "{body}");
        assert!(!body.contains("password"));
    }
    let mut pan = Phone::new("pan", Role::Resident, None);
    let mut wang = Phone::new("wang", Role::Resident, None);
    let a =
        paidan_core::sync::http::login(&mut pan.store, &url, "13800001111", "resident-pw-1", "")?;
    paidan_core::sync::http::login(&mut wang.store, &url, "13900002222", "resident-pw-1", "")?;
    assert!(
        !a.user_id.contains("13800001111"),
        "user ids are opaque: {}",
        a.user_id
    );

    // Pan files with her phone number for the callback; Wang reports the
    // same heap a few metres away and is linked to her case as a follower.
    let me = pan.store.identity().clone();
    let mut new = new_case(
        me.user.as_str(),
        me.role,
        "sanitation.garbage",
        "后门垃圾",
        0,
    );
    let contact = PrivateContact {
        name: Some("潘云燕".into()),
        phone: Some("13800001111".into()),
    };
    let case = pan.store.create_case(&new, Some(&contact), &[])?;
    let client = HttpClient::new(&url, pan.store.meta("token")?)?;
    paidan_core::sync::http::sync(&mut pan.store, &client, &mut |_, _, _, _| {})?;
    let you = wang.store.identity().clone();
    new = new_case(
        you.user.as_str(),
        you.role,
        "sanitation.garbage",
        "垃圾又多了",
        1,
    );
    new.location.lat += 0.00002;
    wang.store.create_case(
        &new,
        Some(&PrivateContact {
            name: None,
            phone: Some("13900002222".into()),
        }),
        &[],
    )?;
    let wang_client = HttpClient::new(&url, wang.store.meta("token")?)?;
    let mut received = Vec::new();
    for _ in 0..2 {
        paidan_core::sync::sync_with(&mut wang.store, |body| {
            let reply = wang_client.post_sync(body)?;
            received.extend_from_slice(&reply);
            Ok(reply)
        })?;
    }
    assert!(wang.case_ids().contains(&case), "wang follows pan's case");
    // Nothing wang holds or received carries pan's number.
    for id in wang.case_ids() {
        let json = serde_json::to_string(&wang.store.load(&id)?.read()?)?;
        assert!(!json.contains("13800001111"), "{json}");
    }
    assert!(!received.windows(11).any(|w| w == b"13800001111"));
    // Only the center reads the contact, for the callback; and the read is audited.
    let (status, _) = get(
        &format!("{url}/v1/cases/{case}/contact"),
        wang.store.meta("token")?.as_deref(),
    )?;
    assert_eq!(status, 403);
    let mut ren = Phone::new("ren", Role::Dispatcher, None);
    ren.login(&url)?;
    let (status, body) = get(
        &format!("{url}/v1/cases/{case}/contact"),
        Some(&ren.token()),
    )?;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("13800001111"));
    assert_eq!(
        paidan_server::admin::audit(server.data.path(), Some("contact_read"), 10)?.len(),
        1
    );
    Ok(())
}

#[test]
fn brute_force_logins_are_slowed_and_logged() -> TestResult {
    let server = TestServer::start();
    let url = server.url();
    server.add_account(serde_json::json!({"login": "zhang.dispatch", "role": "dispatcher", "password": "the-right-one"}))?;
    let try_login = |password: &str| {
        post_json(
            &format!("{url}/v1/login"),
            None,
            &serde_json::json!({"login": "zhang.dispatch", "password": password, "actor": "abcd"}),
        )
        .unwrap()
    };
    let statuses: Vec<u16> = (0..10)
        .map(|i| try_login(&format!("guess-{i}")).0)
        .collect();
    // Five failures are allowed (and one more is answered): then 429.
    assert_eq!(&statuses[..6], &[401; 6], "{statuses:?}");
    assert!(statuses[6..].iter().all(|s| *s == 429), "{statuses:?}");
    // Now even the right password waits.
    let (status, body) = try_login("the-right-one");
    assert_eq!(status, 429, "{body}");
    assert!(body.contains("try again in"), "{body}");
    let failed = paidan_server::admin::audit(server.data.path(), Some("login_failed"), 100)?;
    assert!(failed.len() >= 5, "{failed:?}");
    assert!(
        failed.iter().all(|e| !e.detail.contains("guess")),
        "no password in the log"
    );
    Ok(())
}

#[test]
fn a_path_traversal_hash_and_an_sql_looking_category_are_refused_cleanly() -> TestResult {
    let server = TestServer::start();
    let url = server.url();
    let mut pan = Phone::new("pan", Role::Resident, None);
    pan.login(&url)?;
    let token = pan.token();
    for path in [
        "..%2F..%2Fetc%2Fpasswd",
        "..%2Fpaidan.db",
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    ] {
        let (status, body) = get(&format!("{url}/v1/blobs/{path}"), Some(&token))?;
        assert_eq!(status, 400, "{path}: {body}");
        assert!(!body.contains("root:"), "{path}");
    }
    let me = pan.store.identity().clone();
    let new = new_case(
        me.user.as_str(),
        me.role,
        "x'; DROP TABLE cases;--",
        "注入",
        0,
    );
    let mut doc = CaseDoc::create(&new, &me.actor)?;
    pan.store
        .write(|tx| paidan_core::store::put_case(tx, &mut doc, true))?;
    let s = pan.sync(&url)?;
    assert_eq!(s.refused.len(), 1, "{:?}", s.refused);
    assert!(s.refused[0].1.contains("is not a category code"));
    assert_eq!(server.logged_changes(), 0);
    assert!(
        pan.case_ids().is_empty(),
        "the refused case is gone from the list, kept in refused"
    );
    assert_eq!(refused_reasons(&pan).len(), 1);
    // The tables are all there and the server serves on.
    let n: i64 = paidan_tests::count(
        &server.data.path().join("paidan.db"),
        "SELECT count(*) FROM cases",
    );
    assert_eq!(n, 0);
    assert!(paidan_tests::healthy(&url));
    // Every answer carries the security headers.
    let resp = ureq::get(format!("{url}/healthz")).call()?;
    for h in [
        "x-content-type-options",
        "x-frame-options",
        "content-security-policy",
        "referrer-policy",
    ] {
        assert!(resp.headers().contains_key(h), "{h}");
    }
    Ok(())
}
