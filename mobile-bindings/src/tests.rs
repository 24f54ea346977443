//! The boundary: conversions, error mapping, and two clients on one folder.
//! The workflow itself is the core's and is tested there.

use super::*;

fn client(dir: &std::path::Path) -> Arc<FieldClient> {
    FieldClient::open(dir.to_string_lossy().into(), "http://127.0.0.1:9".into()).unwrap()
}

fn report(category: &str, lat: f64) -> NewReport {
    NewReport {
        category: category.into(),
        text: "小区后门垃圾成堆".into(),
        lat,
        lon: 87.98,
        address: Some("后门".into()),
        photos: vec![],
        contact_name: None,
        contact_phone: Some("13800000000".into()),
    }
}

#[test]
fn core_errors_map_to_the_typed_errors_a_ui_shows() {
    let e: FieldError = paidan_core::Error::invalid("lat", "out of range").into();
    assert!(matches!(e, FieldError::InvalidInput { ref field, .. } if field == "lat"));
    let e: FieldError = paidan_core::Error::Transport("refused".into()).into();
    assert!(matches!(e, FieldError::Offline { .. }));
    let e: FieldError = paidan_core::Error::Unauthorized.into();
    assert!(matches!(e, FieldError::Unauthorized));
    let e: FieldError = paidan_core::Error::NoSuchCase("x".into()).into();
    assert!(matches!(e, FieldError::NotFound { ref id } if id == "x"));
    let e: FieldError = paidan_core::Error::Photo("bad".into()).into();
    assert!(matches!(e, FieldError::InvalidInput { ref field, .. } if field == "photo"));
}

#[test]
fn a_bad_server_url_and_bad_inputs_are_invalid_input() {
    let dir = tempfile::tempdir().unwrap();
    let err = FieldClient::open(dir.path().to_string_lossy().into(), "ftp://x".into()).unwrap_err();
    assert!(matches!(err, FieldError::InvalidInput { ref field, .. } if field == "server"));
    let c = client(dir.path());
    assert!(
        matches!(c.file_case(report("nope", 44.16)), Err(FieldError::InvalidInput { field, .. }) if field == "category")
    );
    assert!(
        matches!(c.file_case(report("road.manhole", 95.0)), Err(FieldError::InvalidInput { field, .. }) if field == "lat")
    );
    assert!(matches!(
        c.get_case("zzz".into()),
        Err(FieldError::InvalidInput { .. })
    ));
    assert!(
        matches!(c.list_cases(false, Some("asleep".into()), None, 5), Err(FieldError::InvalidInput { field, .. }) if field == "status")
    );
    assert!(matches!(
        c.set_identity(" ".into(), Role::Resident, None),
        Err(FieldError::InvalidInput { .. })
    ));
    let photo = NewReport {
        photos: vec![Photo::Bytes {
            bytes: b"not a photo".to_vec(),
        }],
        ..report("road.manhole", 44.16)
    };
    assert!(
        matches!(c.file_case(photo), Err(FieldError::InvalidInput { field, .. }) if field == "photo")
    );
    assert!(
        c.list_cases(false, None, None, 10).unwrap().is_empty(),
        "nothing was filed"
    );
}

#[test]
fn records_carry_what_the_core_holds() {
    let dir = tempfile::tempdir().unwrap();
    let c = client(dir.path());
    c.set_identity("patrol-1".into(), Role::PatrolOfficer, None)
        .unwrap();
    let mut png = Vec::new();
    image::RgbImage::from_pixel(32, 24, image::Rgb([10, 20, 30]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let id = c
        .file_case(NewReport {
            photos: vec![Photo::Bytes { bytes: png.clone() }],
            ..report("road.manhole", 44.16)
        })
        .unwrap();
    let d = c.get_case(id.clone()).unwrap();
    assert_eq!(d.summary.status, CaseStatus::Reported);
    assert_eq!(d.summary.status_label, "待受理 Reported");
    assert_eq!(d.summary.category, "road.manhole");
    assert_eq!(d.address.as_deref(), Some("后门"));
    assert_eq!(d.photos.len(), 1);
    assert_eq!(d.timeline[0].kind, "reported");
    assert_eq!(d.timeline[0].label, "上报 Reported");
    assert!(d.allowed_actions.contains(&"handled_on_site".to_string()));
    let status = c
        .act(
            id.clone(),
            Action::HandledOnSite {
                note: "盖好".into(),
                before: vec![],
                after: vec![Photo::Bytes { bytes: png }],
            },
        )
        .unwrap();
    assert_eq!(status, CaseStatus::Closed);
    assert_eq!(c.pending_photos().unwrap(), 1, "one photo, stored once");
    let refused = c
        .act(
            id,
            Action::Verify {
                note: String::new(),
            },
        )
        .unwrap_err();
    assert!(
        matches!(refused, FieldError::InvalidInput { ref field, .. } if field == "action"),
        "{refused}"
    );
}

#[test]
fn the_library_opened_twice_on_one_folder_does_not_corrupt_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let a = client(dir.path());
    let b = client(dir.path());
    let threads: Vec<_> = [a.clone(), b.clone()]
        .into_iter()
        .map(|c| {
            std::thread::spawn(move || {
                (0..25)
                    .map(|i| {
                        c.file_case(report("sanitation.garbage", 44.16 + f64::from(i) * 1e-4))
                            .unwrap()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut ids: Vec<String> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    ids.sort();
    let mut seen_a: Vec<String> = a
        .list_cases(false, None, None, 100)
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    let mut seen_b: Vec<String> = b
        .list_cases(false, None, None, 100)
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    seen_a.sort();
    seen_b.sort();
    assert_eq!(seen_a, ids);
    assert_eq!(seen_b, ids);
    for id in &ids {
        a.get_case(id.clone()).unwrap();
    }
    drop((a, b));
    assert_eq!(
        paidan_core::store::integrity_check(dir.path()).unwrap(),
        "ok"
    );
}
