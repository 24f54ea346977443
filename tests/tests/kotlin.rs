//! The mobile library from Kotlin: generate the bindings with the crate's
//! own `uniffi-bindgen`, compile them and a test program with `kotlinc`,
//! and run it on the JVM against the built library and a real server.
//!
//! Tools: `kotlinc` from the npm package `kotlin-compiler` (installed by
//! `scripts/test.sh` under `tools/`, or `KOTLIN_HOME`), JNA from Debian's
//! `libjna-java`.

use paidan_tests::{TestResult, TestServer};
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("repo root")
        .to_path_buf()
}

fn kotlin_home() -> PathBuf {
    std::env::var_os("KOTLIN_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("tools/node_modules/kotlin-compiler"))
}

fn jna() -> PathBuf {
    PathBuf::from(std::env::var_os("JNA_JAR").unwrap_or_else(|| "/usr/share/java/jna.jar".into()))
}

fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{what} failed\nstdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn a_resident_and_an_officer_use_the_library_from_kotlin() -> TestResult {
    let home = kotlin_home();
    let kotlinc = home.join("bin/kotlinc");
    assert!(
        kotlinc.exists(),
        "kotlinc not found at {} (run scripts/test.sh, which installs it)",
        kotlinc.display()
    );
    assert!(
        jna().exists(),
        "JNA not found at {} (apt-get install libjna-java)",
        jna().display()
    );
    let coroutines = home.join("lib/kotlinx-coroutines-core-jvm.jar");
    let stdlib = home.join("lib/kotlin-stdlib.jar");

    // The library and the generator of this build profile.
    let exe = std::env::current_exe()?;
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target dir")
        .to_path_buf();
    let release = profile_dir.file_name().is_some_and(|n| n == "release");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut build = Command::new(&cargo);
    build.args([
        "build",
        "-q",
        "-p",
        "paidan-mobile",
        "--lib",
        "--bin",
        "uniffi-bindgen",
    ]);
    if release {
        build.arg("--release");
    }
    run(&mut build, "cargo build -p paidan-mobile");
    let lib = profile_dir.join("libpaidan_mobile.so");

    let work = tempfile::tempdir()?;
    let gen_dir = work.path().join("generated");
    run(
        Command::new(profile_dir.join("uniffi-bindgen"))
            .args([
                "generate",
                "--no-format",
                "--language",
                "kotlin",
                "--library",
            ])
            .arg(&lib)
            .arg("--out-dir")
            .arg(&gen_dir),
        "uniffi-bindgen generate",
    );
    let classes = work.path().join("classes");
    let cp = format!("{}:{}", jna().display(), coroutines.display());
    run(
        Command::new(&kotlinc)
            .arg(gen_dir.join("uniffi/paidan_mobile/paidan_mobile.kt"))
            .arg(repo().join("tests/kotlin/FieldClientTest.kt"))
            .args(["-nowarn", "-cp", &cp, "-d"])
            .arg(&classes),
        "kotlinc",
    );

    let server = TestServer::start();
    server.add_account(serde_json::json!({
        "user_id": "patrol-1", "login": "patrol-1", "role": "patrol_officer",
        "password": "officer-password",
    }))?;
    let photo = work.path().join("manhole.jpg");
    image::RgbImage::from_fn(2000, 1500, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, 90])
    })
    .save(&photo)?;
    let java_cp = format!("{}:{}:{}", classes.display(), cp, stdlib.display());
    let out = run(
        Command::new("java")
            .arg(format!("-Djna.library.path={}", profile_dir.display()))
            .args(["-cp", &java_cp, "FieldClientTestKt"])
            .arg(server.url())
            .arg(work.path().join("resident"))
            .arg(work.path().join("officer"))
            .arg(&photo)
            .arg("officer-password"),
        "the Kotlin test program",
    );
    print!("{out}");
    assert!(out.contains("KOTLIN TEST PASSED"), "{out}");
    Ok(())
}
