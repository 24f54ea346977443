//! Bad input to the sync endpoint: each a clear 4xx, nothing stored, and
//! the server keeps serving.

use paidan_core::sync::protocol::CONTENT_TYPE;
use paidan_core::{CaseId, Role};
use paidan_tests::{Phone, TestResult, TestServer, healthy};

fn post(url: &str, token: &str, content_type: &str, body: &[u8]) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut resp = agent
        .post(format!("{url}/v1/sync"))
        .header("Content-Type", content_type)
        .header("Authorization", format!("Bearer {token}"))
        .send(body)
        .expect("request");
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    (status, text)
}

#[test]
fn every_kind_of_bad_sync_request_is_a_clear_4xx_and_stores_nothing() -> TestResult {
    let server = TestServer::start();
    let url = server.url();
    let mut phone = Phone::new("pan", Role::Resident, None);
    phone.login(&url)?;
    let token = phone.token();
    let id = phone.report("sanitation.garbage", "垃圾", 0);
    let valid = paidan_core::sync::prepare(&phone.store, true)?.request;
    let valid_bytes = valid.encode()?;

    let mut seed = 7u64;
    let random: Vec<u8> = (0..4096)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as u8
        })
        .collect();
    let mut corrupt = valid.clone();
    let change = &mut corrupt.cases[0].changes[0];
    let mid = change.len() / 2;
    change[mid] ^= 0xff;
    let mut wrong_case = valid.clone();
    wrong_case.cases[0].case = *CaseId::new().0.as_bytes();

    let cases: Vec<(&str, &str, Vec<u8>, u16, &str)> = vec![
        (
            "random bytes",
            CONTENT_TYPE,
            random.clone(),
            400,
            "not a Paidan sync message",
        ),
        (
            "random bytes after the magic",
            CONTENT_TYPE,
            [&b"PDSY\x01\x01"[..], &random].concat(),
            400,
            "damaged",
        ),
        (
            "a truncated message",
            CONTENT_TYPE,
            valid_bytes[..valid_bytes.len() - 40].to_vec(),
            400,
            "damaged or truncated",
        ),
        (
            "a newer protocol version",
            CONTENT_TYPE,
            [&b"PDSY\x09\x01"[..], &valid_bytes[6..]].concat(),
            400,
            "version",
        ),
        (
            "a corrupt Automerge change",
            CONTENT_TYPE,
            corrupt.encode()?,
            400,
            "damaged",
        ),
        (
            "an oversized body",
            CONTENT_TYPE,
            vec![0u8; paidan_server::router::MAX_SYNC_BODY + 1],
            413,
            "",
        ),
        (
            "a wrong content type",
            "application/json",
            valid_bytes.clone(),
            415,
            CONTENT_TYPE,
        ),
        ("an empty body", CONTENT_TYPE, Vec::new(), 400, ""),
    ];
    let (status, text) = post(&url, "pdt_not-a-token", CONTENT_TYPE, &valid_bytes);
    assert_eq!(status, 401, "a made-up token: {text}");
    assert_eq!(server.logged_changes(), 0);
    for (what, ct, body, want, needle) in cases {
        let (status, text) = post(&url, &token, ct, &body);
        assert_eq!(status, want, "{what}: {text}");
        assert!(text.contains(needle), "{what}: {text:?} lacks {needle:?}");
        assert!(!text.contains("panicked"), "{what}");
        assert_eq!(server.logged_changes(), 0, "{what} stored nothing");
        assert!(healthy(&url), "still serving after {what}");
    }

    // A well-formed change filed under another case's id is refused, not stored.
    let (status, _) = post(&url, &token, CONTENT_TYPE, &wrong_case.encode()?);
    assert_eq!(status, 200);
    assert_eq!(
        server.logged_changes(),
        0,
        "a change under the wrong case id is not stored"
    );

    // And the honest request still goes through.
    let s = phone.sync(&url)?;
    assert_eq!(s.acked_changes, 1);
    // The report, and the server's triage of it, answered in the same sync.
    assert_eq!(server.logged_changes(), 1);
    assert!(server.server_changes() >= 1);
    let view = phone.store.load(&id)?.view()?;
    assert_ne!(
        view.status,
        paidan_core::Status::Reported,
        "triaged by the server"
    );
    Ok(())
}
