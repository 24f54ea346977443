//! Photos: prepared on the phone, uploaded by hash, resumable, checked.

use paidan_core::photo::{prepare, sha256_hex};
use paidan_core::sync::http::HttpClient;
use paidan_core::testing::camera_jpeg;
use paidan_core::{PhotoStage, Role};
use paidan_tests::{Phone, TestResult, TestServer};

fn patch(url: &str, token: &str, sha: &str, offset: usize, total: usize, chunk: &[u8]) -> u16 {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    agent
        .patch(format!("{url}/v1/blobs/{sha}"))
        .header("Authorization", format!("Bearer {token}"))
        .header("Upload-Offset", offset.to_string())
        .header("Upload-Length", total.to_string())
        .send(chunk)
        .unwrap()
        .status()
        .as_u16()
}

fn status(url: &str, token: &str) -> u16 {
    paidan_tests::get(url, Some(token)).unwrap().0
}

fn token(url: &str) -> String {
    paidan_tests::token_for(url, "pan", Role::Resident, None)
}

#[test]
fn a_prepared_photo_is_small_upright_and_has_no_exif() {
    let original = camera_jpeg(4000, 3000);
    let p = prepare(&original, PhotoStage::Report).unwrap();
    assert_eq!((p.reference.width, p.reference.height), (1600, 1200));
    assert!(p.jpeg.len() < 400 * 1024, "{} bytes", p.jpeg.len());
    assert_eq!(p.reference.sha256, sha256_hex(&p.jpeg));
    assert!(!p.jpeg.windows(4).any(|w| w == b"Exif"), "no EXIF segment");
}

#[test]
fn an_upload_broken_half_way_resumes_from_the_offset() -> TestResult {
    let server = TestServer::start();
    let url = server.url();
    let p = prepare(&camera_jpeg(2400, 1800), PhotoStage::Report)?;
    let (sha, bytes) = (p.reference.sha256.clone(), p.jpeg.clone());
    let half = bytes.len() / 2;
    let t = token(&url);
    assert_eq!(
        patch(&url, "", &sha, 0, bytes.len(), &bytes[..half]),
        401,
        "no token"
    );
    assert_eq!(patch(&url, &t, &sha, 0, bytes.len(), &bytes[..half]), 204);
    let client = HttpClient::new(&url, Some(t.clone()))?;
    assert_eq!(client.photo_offset(&sha)?, (half as u64, false));
    let mut reported = Vec::new();
    client.upload_photo(&sha, &bytes, &mut |sent, _| reported.push(sent))?;
    assert!(
        reported[0] > half as u64,
        "resumed at {half}, first progress {}",
        reported[0]
    );
    assert_eq!(client.photo_offset(&sha)?, (bytes.len() as u64, true));
    let get = |path: String| -> anyhow::Result<Vec<u8>> {
        Ok(ureq::get(path)
            .header("Authorization", format!("Bearer {t}"))
            .call()?
            .body_mut()
            .read_to_vec()?)
    };
    let back = get(format!("{url}/v1/blobs/{sha}"))?;
    assert_eq!(back, bytes, "the same bytes come back");
    let thumb = get(format!("{url}/v1/blobs/{sha}/thumb"))?;
    let t = image::load_from_memory(&thumb)?;
    assert!(t.width() <= 320 && t.height() <= 320);
    Ok(())
}

#[test]
fn bytes_that_do_not_match_their_hash_are_refused_and_not_kept() -> TestResult {
    let server = TestServer::start();
    let url = server.url();
    let bytes = prepare(&camera_jpeg(800, 600), PhotoStage::Report)?.jpeg;
    let wrong = sha256_hex(b"something else");
    let t = token(&url);
    assert_eq!(patch(&url, &t, &wrong, 0, bytes.len(), &bytes), 422);
    assert_eq!(status(&format!("{url}/v1/blobs/{wrong}"), &t), 404);
    assert_eq!(
        HttpClient::new(&url, Some(t.clone()))?.photo_offset(&wrong)?,
        (0, false)
    );
    // A wrong offset, a chunk past the end, an oversized photo, a bad name.
    let sha = sha256_hex(&bytes);
    assert_eq!(patch(&url, &t, &sha, 10, bytes.len(), &bytes[..10]), 409);
    assert_eq!(patch(&url, &t, &sha, 0, 5, &bytes[..10]), 400);
    assert_eq!(patch(&url, &t, &sha, 0, 1 << 30, &bytes[..10]), 413);
    assert_eq!(patch(&url, &t, "..%2F..%2Fetc%2Fpasswd", 0, 3, b"abc"), 400);
    assert_eq!(status(&format!("{url}/v1/blobs/ABC"), &t), 400);
    Ok(())
}

#[test]
fn a_photo_reported_offline_is_uploaded_at_the_next_sync_and_stored_once() -> TestResult {
    let mut phone = Phone::new("pan", Role::Resident, None);
    let file = phone.dir.path().join("camera.jpg");
    std::fs::write(&file, camera_jpeg(3000, 2000))?;
    let r = paidan_core::photo::prepare_into(
        &file,
        &phone.store.dir().join("photos"),
        PhotoStage::Report,
    )?;
    let me = phone.store.identity().clone();
    let new =
        paidan_core::testing::new_case(me.user.as_str(), me.role, "sanitation.garbage", "垃圾", 0);
    // Two cases with the same photo: one file on the server.
    phone
        .store
        .create_case(&new, None, std::slice::from_ref(&r))?;
    let new2 =
        paidan_core::testing::new_case(me.user.as_str(), me.role, "sanitation.garbage", "垃圾2", 1);
    phone
        .store
        .create_case(&new2, None, std::slice::from_ref(&r))?;
    // Offline: the sync fails, the photo stays queued.
    assert!(phone.sync("http://127.0.0.1:9").is_err());
    assert_eq!(
        paidan_core::sync::http::pending_photos(&phone.store)?.len(),
        1
    );
    let server = TestServer::start();
    phone.sync(&server.url())?;
    assert!(paidan_core::sync::http::pending_photos(&phone.store)?.is_empty());
    let files = walk(&server.data.path().join("blobs"));
    assert_eq!(
        files
            .iter()
            .filter(|f| f.ends_with(".jpg") && !f.contains("thumbs"))
            .count(),
        1,
        "{files:?}"
    );
    assert_eq!(
        status(
            &format!("{}/v1/blobs/{}", server.url(), r.sha256),
            &phone.token()
        ),
        200
    );
    Ok(())
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p.display().to_string());
        }
    }
    out
}
