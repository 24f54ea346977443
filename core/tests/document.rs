//! The case document's typed API: create, append, attach, edit, read back;
//! fields of a newer schema survive; untrusted bytes give errors.

use automerge::{ActorId, ROOT, ReadDoc, transaction::Transactable};
use paidan_core::testing::{event, new_case};
use paidan_core::{CaseDoc, EventData as D, EventKind, PhotoRef, PhotoStage, Role};

#[test]
fn a_case_reads_back_what_was_written() {
    let new = new_case(
        "pan",
        Role::Resident,
        "structure.pigeon_shed",
        "阳台鸽棚",
        3,
    );
    let mut doc = CaseDoc::create(&new, &ActorId::random()).unwrap();
    let photo = PhotoRef {
        sha256: "ab".repeat(32),
        mime: "image/jpeg".into(),
        bytes: 1234,
        width: 1600,
        height: 1200,
        taken_at: None,
        stage: PhotoStage::Report,
    };
    doc.attach_photo(&photo).unwrap();
    doc.edit_description("阳台鸽棚，鸽子毛飞进窗户").unwrap();
    doc.append_event(&event(
        "pan",
        Role::Resident,
        None,
        D::Comment {
            text: "还在".into(),
        },
    ))
    .unwrap();
    let case = doc.read().unwrap();
    assert_eq!(case.id, new.id);
    assert_eq!(case.created, new.created);
    assert_eq!(case.description, "阳台鸽棚，鸽子毛飞进窗户");
    assert_eq!(case.photos, vec![photo]);
    let kinds: Vec<_> = case.events.iter().map(|e| e.data.kind()).collect();
    assert_eq!(kinds, [EventKind::Reported, EventKind::Comment]);
    let saved = doc.save();
    let again = CaseDoc::load(&saved, &ActorId::random())
        .unwrap()
        .read()
        .unwrap();
    assert_eq!(again, case);
}

#[test]
fn fields_and_events_of_a_newer_schema_are_kept_through_an_edit() {
    let new = new_case("pan", Role::Resident, "sanitation.garbage", "垃圾", 0);
    let mut doc = CaseDoc::create(&new, &ActorId::random()).unwrap();
    // A newer client adds a root field and an event kind we do not know.
    {
        let am = doc.automerge();
        am.put(ROOT, "priority_v2", "high").unwrap();
        let events = match am.get(ROOT, "events").unwrap() {
            Some((_, id)) => id,
            None => unreachable!(),
        };
        let n = am.length(&events);
        let e = am
            .insert_object(&events, n, automerge::ObjType::Map)
            .unwrap();
        am.put(&e, "id", uuid::Uuid::now_v7().to_string()).unwrap();
        am.put(&e, "kind", "drone_inspected").unwrap();
        am.put(&e, "at", 5i64).unwrap();
        am.put(&e, "by", "x").unwrap();
        am.put(&e, "role", "dispatcher").unwrap();
        am.commit();
    }
    // An older client edits the case.
    doc.edit_description("垃圾很多").unwrap();
    doc.append_event(&event(
        "ren",
        Role::Dispatcher,
        None,
        D::Comment {
            text: "已知".into(),
        },
    ))
    .unwrap();
    let saved = doc.save();
    let mut back = CaseDoc::load(&saved, &ActorId::random()).unwrap();
    let value = back
        .automerge()
        .get(ROOT, "priority_v2")
        .unwrap()
        .map(|(v, _)| v.to_string());
    assert_eq!(value.as_deref(), Some("\"high\""));
    let case = back.read().unwrap();
    assert_eq!(case.events.len(), 3);
    assert!(matches!(&case.events[1].data, D::Unknown { kind, .. } if kind == "drone_inspected"));
    let view = case.view();
    assert_eq!(view.superseded.len(), 1);
    assert_eq!(view.superseded[0].kind, EventKind::Unknown);
}

#[test]
fn untrusted_bytes_are_an_error_not_a_panic() {
    for bytes in [&b""[..], b"garbage", &[0x85, 0x6f, 0x4a, 0x83, 1, 2, 3][..]] {
        let loaded = CaseDoc::load(bytes, &ActorId::random());
        if let Ok(doc) = loaded {
            assert!(doc.read().is_err(), "an empty document is not a case");
        }
    }
}

#[test]
fn event_wire_format_is_stable() {
    let e = paidan_core::Event {
        id: "01900000-0000-7000-8000-000000000001".parse().unwrap(),
        at: 1_700_000_000_000,
        by: "ren".into(),
        role: Role::Dispatcher,
        dept: None,
        data: D::Dispatched {
            departments: vec!["urban_mgmt".into(), "environment".into()],
            deadline: 1_700_014_400_000,
        },
    };
    let json = serde_json::to_string(&e.to_json()).unwrap();
    assert_eq!(
        json,
        r#"{"at":1700000000000,"by":"ren","data":{"deadline":1700014400000,"departments":["urban_mgmt","environment"]},"id":"01900000-0000-7000-8000-000000000001","kind":"dispatched","role":"dispatcher"}"#
    );
    let accepted = paidan_core::Event {
        data: D::Accepted,
        dept: Some("urban_mgmt".into()),
        ..e.clone()
    };
    let back = paidan_core::Event::from_json(&accepted.to_json()).unwrap();
    assert_eq!(back, accepted);
}
