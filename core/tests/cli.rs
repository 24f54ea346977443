//! The `paidan-field` binary, run as a user would: output and exit codes,
//! including bad input, which must change nothing.

use std::path::Path;
use std::process::{Command, Output};

fn field(store: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_paidan-field"))
        .arg("--store")
        .arg(store)
        .args(args)
        .output()
        .expect("run paidan-field")
}

fn ok(store: &Path, args: &[&str]) -> String {
    let out = field(store, args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn refused(store: &Path, args: &[&str], needle: &str) {
    let out = field(store, args);
    assert_eq!(out.status.code(), Some(2), "{args:?} should fail with 2");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(err.contains(needle), "{err:?} lacks {needle:?}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn categories_prints_the_catalogue_code_first() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(dir.path(), &["categories"]);
    let first = out.lines().next().unwrap();
    assert!(first.starts_with("sanitation.garbage\t暴露垃圾"), "{first}");
    assert!(out.lines().any(|l| l.starts_with("road.manhole\t")));
}

#[test]
fn a_report_is_filed_offline_listed_and_shown() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("photo.png");
    image::RgbImage::from_pixel(64, 48, image::Rgb([200, 100, 50]))
        .save(&png)
        .unwrap();
    let store = dir.path().join("store");
    let id = ok(
        &store,
        &[
            "report",
            "--category",
            "sanitation.garbage",
            "--text",
            "小区后门垃圾成堆",
            "--lat",
            "44.1601",
            "--lon",
            "87.9802",
            "--photo",
            png.to_str().unwrap(),
            "--phone",
            "13900000000",
        ],
    );
    let id = id.trim();
    assert_eq!(id.len(), 36, "a uuid: {id}");
    let list = ok(&store, &["list"]);
    assert!(list.starts_with(id), "{list}");
    assert!(list.contains("reported"));
    let show = ok(&store, &["show", id]);
    assert!(show.contains("小区后门垃圾成堆"));
    assert!(show.contains("照片 photos:    1"));
    assert!(show.contains("待受理"));
    let json = ok(&store, &["show", id, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["view"]["status"], "reported");
    // The phone is private: it is in the private record, not the document.
    assert!(!json.contains("13900000000"));
}

#[test]
fn the_workflow_runs_from_the_command_line_and_refuses_what_the_role_may_not_do() {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path();
    let id = ok(
        s,
        &[
            "report",
            "--category",
            "structure.pigeon_shed",
            "--text",
            "阳台鸽棚",
            "--lat",
            "44.16",
            "--lon",
            "87.98",
        ],
    );
    let id = id.trim();
    refused(s, &["event", id, "accepted"], "only a department");
    ok(s, &["identity", "--user", "ren", "--role", "dispatcher"]);
    assert!(
        ok(
            s,
            &[
                "event",
                id,
                "dispatched",
                "--dept",
                "urban_mgmt",
                "--hours",
                "8"
            ]
        )
        .contains("已派单")
    );
    ok(
        s,
        &[
            "identity",
            "--user",
            "cg1",
            "--role",
            "dept_liaison",
            "--dept",
            "urban_mgmt",
        ],
    );
    assert!(ok(s, &["event", id, "accepted"]).contains("处置中"));
    assert!(ok(s, &["event", id, "completed", "--text", "已拆除"]).contains("已办结"));
    let shown = ok(s, &["show", id]);
    assert!(shown.contains("办结 Completed"), "{shown}");
    // A bad kind and a bad case id are refused with a clear line.
    refused(s, &["event", id, "teleported"], "not one of");
    refused(s, &["event", "not-an-id", "accepted"], "not a case id");
    refused(
        s,
        &["show", "01900000-0000-7000-8000-000000000001"],
        "no case",
    );
}

#[test]
fn bad_input_is_one_line_exit_2_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path();
    refused(
        s,
        &[
            "report",
            "--category",
            "nope",
            "--text",
            "x",
            "--lat",
            "44",
            "--lon",
            "87",
        ],
        "not in the catalogue",
    );
    refused(
        s,
        &[
            "report",
            "--category",
            "sanitation.garbage",
            "--text",
            "x",
            "--lat",
            "200",
            "--lon",
            "87",
        ],
        "latitude",
    );
    refused(
        s,
        &[
            "report",
            "--category",
            "sanitation.garbage",
            "--text",
            "x",
            "--lat",
            "44",
            "--lon",
            "87",
            "--photo",
            "/no/such/file.jpg",
        ],
        "photo",
    );
    let not_a_photo = s.join("notes.txt");
    std::fs::write(&not_a_photo, "hello").unwrap();
    refused(
        s,
        &[
            "report",
            "--category",
            "sanitation.garbage",
            "--text",
            "x",
            "--lat",
            "44",
            "--lon",
            "87",
            "--photo",
            not_a_photo.to_str().unwrap(),
        ],
        "photo",
    );
    refused(
        s,
        &[
            "report",
            "--category",
            "sanitation.garbage",
            "--text",
            "  ",
            "--lat",
            "44",
            "--lon",
            "87",
        ],
        "text",
    );
    refused(s, &["list", "--status", "sleeping"], "not a status");
    refused(
        s,
        &["identity", "--user", "x", "--role", "emperor"],
        "not one of",
    );
    assert_eq!(ok(s, &["list"]), "", "nothing was filed");
}
