//! The server binary's configuration check and local admin commands:
//! `demo` fills a data folder through the real sync path, `figures` reads
//! it back as CSV, JSON or XLSX; bad input is one line and a non-zero exit.

use paidan_tests::{TestResult, server_binary};
use std::process::Command;

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(server_binary())
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run paidan-server");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_bad_configuration_stops_the_server_at_start_with_file_line_and_reason() -> TestResult {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("street.toml");
    let text = paidan_core::catalog::FUKANG_DEMO_TOML.replace(
        "departments = [\"landscaping\"]",
        "departments = [\"parks\"]",
    );
    std::fs::write(&file, &text)?;
    let data = dir.path().join("data");
    let (ok, _, err) = run(&[
        "--config",
        file.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert!(!ok, "the server refused to start");
    let line = err
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_default();
    assert!(line.contains("street.toml:"), "{err}");
    assert!(line.contains("parks"), "{err}");
    assert!(!data.join("paidan.db").exists(), "nothing was created");
    Ok(())
}

#[test]
fn the_demo_fills_a_data_folder_and_the_figures_read_it_back() -> TestResult {
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let data_s = data.to_str().unwrap();
    let (ok, out, err) = run(&["demo", "--data", data_s, "--cases", "40", "--days", "8"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("阜新街道") && out.contains("40 received"),
        "{out}"
    );

    let (ok, json, err) = run(&["figures", "--data", data_s, "--format", "json"]);
    assert!(ok, "{err}");
    let f: serde_json::Value = serde_json::from_str(&json)?;
    assert_eq!(f["street"]["counts"]["received"], 40);
    let closed = f["street"]["counts"]["closed"].as_u64().unwrap();
    assert!(closed > 0 && closed <= 40, "{closed}");
    let scored = f["departments"].as_array().unwrap();
    assert_eq!(scored.len(), 6);
    assert!(scored.iter().all(|d| {
        d["score"]
            .as_f64()
            .is_some_and(|s| (0.0..=20.0).contains(&s))
    }));

    let (ok, csv, _) = run(&["figures", "--data", data_s, "--format", "csv"]);
    assert!(ok);
    let header = csv.lines().next().unwrap_or_default();
    assert!(
        header.contains("受理数 received") && header.contains("满意率 satisfaction_rate"),
        "{header}"
    );
    assert_eq!(
        csv.lines().filter(|l| l.starts_with("department,")).count(),
        6
    );

    let xlsx = dir.path().join("figures.xlsx");
    let (ok, _, err) = run(&[
        "figures",
        "--data",
        data_s,
        "--format",
        "xlsx",
        "--out",
        xlsx.to_str().unwrap(),
        "--from",
        "2020-01-01",
    ]);
    assert!(ok, "{err}");
    assert_eq!(&std::fs::read(&xlsx)?[..2], b"PK");
    Ok(())
}

#[test]
fn the_demo_outlasts_a_device_token_and_files_every_case() -> TestResult {
    // 100 simulated days: the phones' 90-day tokens expire on the demo's
    // clock, and few cases make its phones sync many times a second.
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let data_s = data.to_str().unwrap();
    let (ok, out, err) = run(&["demo", "--data", data_s, "--cases", "10", "--days", "100"]);
    assert!(ok, "{err}");
    assert!(out.contains("10 received"), "{out}");
    let (ok, json, err) = run(&[
        "figures",
        "--data",
        data_s,
        "--from",
        "2000-01-01",
        "--format",
        "json",
    ]);
    assert!(ok, "{err}");
    let f: serde_json::Value = serde_json::from_str(&json)?;
    assert_eq!(f["street"]["counts"]["received"], 10);
    Ok(())
}

#[test]
fn figures_refuse_a_bad_date_and_a_folder_without_data() -> TestResult {
    let dir = tempfile::tempdir()?;
    let d = dir.path().to_str().unwrap();
    let (ok, _, err) = run(&["figures", "--data", d, "--from", "2026-13-01"]);
    assert!(!ok);
    assert!(err.contains("2026-13-01"), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    let (ok, _, err) = run(&["figures", "--data", d]);
    assert!(!ok);
    assert!(err.contains("holds no Paidan database"), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    Ok(())
}
