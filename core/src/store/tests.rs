use super::*;
use crate::testing::{event, new_case};
use crate::{EventData as D, PhotoStage, Status};
use proptest::prelude::*;

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    (dir, s)
}

#[test]
fn a_case_round_trips_through_the_store_with_its_private_contact_apart() {
    let (dir, mut s) = store();
    let new = new_case(
        "pan",
        Role::Resident,
        "sanitation.garbage",
        "小区后门垃圾成堆",
        0,
    );
    let contact = PrivateContact {
        name: Some("潘云燕".into()),
        phone: Some("13800000000".into()),
    };
    let id = s.create_case(&new, Some(&contact), &[]).unwrap();
    drop(s);
    let s = Store::open(dir.path()).unwrap();
    let case = s.load(&id).unwrap().read().unwrap();
    assert_eq!(case.id, id);
    assert_eq!(case.description, "小区后门垃圾成堆");
    assert_eq!(case.category.as_str(), "sanitation.garbage");
    assert_eq!(case.location, new.location);
    assert_eq!(s.contact(&id).unwrap(), Some(contact));
    // The phone number is nowhere in the shared document.
    let bytes = s.load(&id).unwrap().save();
    assert!(!bytes.windows(11).any(|w| w == b"13800000000"));
    let listed = s.list(&Query::default()).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].status, Status::Reported);
}

#[test]
fn the_identity_is_made_once_and_kept() {
    let (dir, s) = store();
    let first = s.identity().clone();
    drop(s);
    let s = Store::open(dir.path()).unwrap();
    assert_eq!(s.identity(), &first);
    assert_eq!(first.role, Role::Resident);
}

#[test]
fn queries_filter_by_status_category_mine_and_place() {
    let (_dir, mut s) = store();
    let me = s.identity().user.0.clone();
    let a = s
        .create_case(
            &new_case(&me, Role::Resident, "sanitation.garbage", "垃圾", 0),
            None,
            &[],
        )
        .unwrap();
    let far = {
        let mut n = new_case("other", Role::Resident, "structure.pigeon_shed", "鸽棚", 0);
        n.location.lat += 0.1;
        n
    };
    let b = s.create_case(&far, None, &[]).unwrap();
    s.append_event(
        &b,
        &event(
            "ren",
            Role::Dispatcher,
            None,
            D::Voided {
                reason: "非本辖区".into(),
            },
        ),
    )
    .unwrap();
    let ids = |q: Query| {
        s.list(&q)
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(Query::default()), vec![b, a], "newest first");
    assert_eq!(
        ids(Query {
            status: Some(Status::Voided),
            ..Default::default()
        }),
        vec![b]
    );
    assert_eq!(
        ids(Query {
            category: Some("sanitation.garbage".into()),
            ..Default::default()
        }),
        vec![a]
    );
    assert_eq!(
        ids(Query {
            mine: true,
            ..Default::default()
        }),
        vec![a]
    );
    assert_eq!(
        ids(Query {
            near: Some((44.16, 87.98, 500.0)),
            ..Default::default()
        }),
        vec![a]
    );
    assert_eq!(
        ids(Query {
            limit: Some(1),
            ..Default::default()
        }),
        vec![b]
    );
}

#[test]
fn a_failed_write_changes_nothing() {
    let (_dir, mut s) = store();
    let id = s
        .create_case(
            &new_case("pan", Role::Resident, "sanitation.garbage", "垃圾", 0),
            None,
            &[],
        )
        .unwrap();
    let before = s.load(&id).unwrap().save();
    let err = s.edit(&id, |doc| {
        doc.edit_description("changed")?;
        Err::<(), _>(Error::invalid("test", "abandon"))
    });
    assert!(err.is_err());
    assert_eq!(s.load(&id).unwrap().save(), before);
}

#[test]
fn a_photo_path_refuses_anything_but_a_hash() {
    let (_dir, s) = store();
    assert!(s.photo_path("../../etc/passwd").is_err());
    assert!(s.photo_path(&"a".repeat(64)).is_ok());
}

/// Child half of the crash test: begins a write and aborts the process
/// before the commit. Runs only when the parent test sets the variable.
#[test]
#[ignore = "run by a_write_interrupted_before_commit_leaves_the_previous_state"]
fn crash_child() {
    let Ok(dir) = std::env::var("PAIDAN_CRASH_DIR") else {
        return;
    };
    let mut s = Store::open(&dir).unwrap();
    let id: CaseId = std::env::var("PAIDAN_CRASH_CASE").unwrap().parse().unwrap();
    let _ = s.edit(&id, |doc| {
        doc.edit_description("half-written")?;
        Ok(())
    });
    let _ = s.write(|tx| {
        let mut doc = load_doc(tx, &id, &crate::automerge::ActorId::random())?;
        doc.edit_description("never committed")?;
        put_case(tx, &mut doc, true)?;
        tx.execute("DELETE FROM case_followers", [])?;
        std::process::abort();
        #[allow(unreachable_code)]
        Ok(())
    });
}

#[test]
fn a_write_interrupted_before_commit_leaves_the_previous_state() {
    let (dir, mut s) = store();
    let id = s
        .create_case(
            &new_case("pan", Role::Resident, "sanitation.garbage", "垃圾", 0),
            None,
            &[],
        )
        .unwrap();
    drop(s);
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "store::tests::crash_child",
            "--ignored",
            "--nocapture",
        ])
        .env("PAIDAN_CRASH_DIR", dir.path())
        .env("PAIDAN_CRASH_CASE", id.to_string())
        .status()
        .unwrap();
    assert!(!status.success(), "the child should have aborted");
    let s = Store::open(dir.path()).unwrap();
    let case = s.load(&id).unwrap().read().unwrap();
    // The committed edit is there; the aborted one is not, in the document
    // and in the index alike.
    assert_eq!(case.description, "half-written");
    assert_eq!(
        s.list(&Query {
            mine: false,
            ..Default::default()
        })
        .unwrap()
        .len(),
        1
    );
    let followers: i64 = s
        .conn()
        .query_row("SELECT count(*) FROM case_followers", [], |r| r.get(0))
        .unwrap();
    assert_eq!(followers, 1);
    let check: String = s
        .conn()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}

#[test]
fn an_upgraded_database_has_the_same_schema_as_a_fresh_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        // A store at schema 1, as an older version left it.
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        let tx = conn.transaction().unwrap();
        tx.execute_batch(schema::MIGRATIONS[0]).unwrap();
        tx.pragma_update(None, "user_version", 1).unwrap();
        tx.commit().unwrap();
        schema::migrate(&mut conn).unwrap();
    }
    let fresh = tempfile::tempdir().unwrap();
    let _ = Store::open(fresh.path()).unwrap();
    let dump = |p: &std::path::Path| {
        let conn = rusqlite::Connection::open(p).unwrap();
        let mut st = conn
            .prepare("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
            .unwrap();
        st.query_map([], |r| {
            Ok(format!(
                "{:?}",
                (
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?
                )
            ))
        })
        .unwrap()
        .map(|r| r.unwrap())
        .collect::<Vec<_>>()
    };
    assert_eq!(dump(&path), dump(&fresh.path().join("paidan.db")));
}

#[test]
fn a_prepared_photo_is_stored_once_and_referenced() {
    let (dir, mut s) = store();
    let png = tiny_png();
    let src = dir.path().join("in.png");
    std::fs::write(&src, png).unwrap();
    let r = crate::photo::prepare_into(&src, &s.dir().join("photos"), PhotoStage::Report).unwrap();
    let id = s
        .create_case(
            &new_case("pan", Role::Resident, "sanitation.garbage", "垃圾", 0),
            None,
            std::slice::from_ref(&r),
        )
        .unwrap();
    let case = s.load(&id).unwrap().read().unwrap();
    assert_eq!(case.photos, vec![r.clone()]);
    let bytes = std::fs::read(s.photo_path(&r.sha256).unwrap()).unwrap();
    assert_eq!(crate::photo::sha256_hex(&bytes), r.sha256);
}

fn tiny_png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(40, 30, |x, y| image::Rgb([x as u8 * 6, y as u8 * 8, 128]));
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

#[derive(Clone, Debug)]
enum Op {
    Create(u8, u8),
    Event(u8, u8),
    Describe(u8, String),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u8..4, 0u8..8).prop_map(|(c, n)| Op::Create(c, n)),
        (any::<u8>(), 0u8..8).prop_map(|(i, k)| Op::Event(i, k)),
        (any::<u8>(), "[a-z 垃圾鸽棚]{0,12}").prop_map(|(i, t)| Op::Describe(i, t)),
    ]
}

fn event_for(k: u8) -> Event {
    let um = Some("urban_mgmt");
    match k {
        0 => event(
            "ren",
            Role::Dispatcher,
            None,
            D::Dispatched {
                departments: vec!["urban_mgmt".into()],
                deadline: i64::MAX / 2,
            },
        ),
        1 => event("u1", Role::DeptLiaison, um, D::Accepted),
        2 => event(
            "u1",
            Role::DeptStaff,
            um,
            D::Completed {
                note: "done".into(),
                photos: vec![],
            },
        ),
        3 => event(
            "ren",
            Role::Dispatcher,
            None,
            D::Verified {
                note: String::new(),
            },
        ),
        4 => event(
            "ren",
            Role::Dispatcher,
            None,
            D::Closed {
                note: String::new(),
            },
        ),
        5 => event(
            "u1",
            Role::DeptLiaison,
            um,
            D::Returned {
                reason: "not ours".into(),
            },
        ),
        6 => event(
            "ren",
            Role::Dispatcher,
            None,
            D::Voided {
                reason: "no".into(),
            },
        ),
        _ => event(
            "pan",
            Role::Resident,
            None,
            D::Comment {
                text: "还没好".into(),
            },
        ),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn the_index_stays_in_step_with_the_documents_after_random_operations(ops in proptest::collection::vec(op(), 1..30)) {
        let (_dir, mut s) = store();
        let cats = ["sanitation.garbage", "structure.pigeon_shed", "road.manhole", "street.stall"];
        let mut ids = Vec::new();
        for o in ops {
            match o {
                Op::Create(c, n) => ids.push(
                    s.create_case(&new_case("pan", Role::Resident, cats[c as usize], "问题", u32::from(n)), None, &[]).unwrap(),
                ),
                Op::Event(i, k) if !ids.is_empty() => {
                    let id = ids[i as usize % ids.len()];
                    s.append_event(&id, &event_for(k)).unwrap();
                }
                Op::Describe(i, t) if !ids.is_empty() => {
                    let id = ids[i as usize % ids.len()];
                    s.edit(&id, |d| d.edit_description(&t)).unwrap();
                }
                _ => {}
            }
        }
        let listed = s.list(&Query { limit: Some(1000), ..Default::default() }).unwrap();
        prop_assert_eq!(listed.len(), ids.len());
        for row in listed {
            let case = s.load(&row.id).unwrap().read().unwrap();
            let view = case.view();
            prop_assert_eq!(row.status, view.status);
            prop_assert_eq!(&row.category, case.category.as_str());
            prop_assert_eq!(row.deadline, view.deadline());
            prop_assert_eq!(row.updated_at, view.updated_at.max(case.created.at));
        }
    }
}
