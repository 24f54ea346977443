//! A sync cut off at several points, on the client side and on the server
//! side, and retried: nothing lost, nothing doubled.

use paidan_core::sync::http::HttpClient;
use paidan_core::sync::{SyncRequest, sync_with};
use paidan_core::{Error, EventData as D, Role};
use paidan_tests::{Phone, TestResult, TestServer};
use std::io::{Read, Write};

/// Events people wrote (the server's own triage left out).
fn events_in(p: &Phone) -> usize {
    p.case_ids()
        .iter()
        .map(|id| {
            let events = p.store.load(id).unwrap().events().unwrap();
            events.iter().filter(|e| e.role != Role::System).count()
        })
        .sum()
}

#[test]
fn a_sync_broken_anywhere_and_retried_loses_and_doubles_nothing() -> TestResult {
    let server = TestServer::start();
    let url = server.url();
    let mut phone = Phone::new("pan", Role::Resident, None);
    phone.login(&url)?;
    let client = HttpClient::new(&url, Some(phone.token()))?;
    let a = phone.report("sanitation.garbage", "后门垃圾", 0);
    phone.act(
        &a,
        D::Comment {
            text: "很臭".into(),
        },
    );
    let b = phone.report("street.stall", "流动摊点", 1);

    // 1. Cut before the request leaves the phone.
    let r = sync_with(&mut phone.store, |_| {
        Err(Error::Transport("no network".into()))
    });
    assert!(r.is_err());
    assert_eq!(server.logged_changes(), 0);

    // 2. Cut in the middle of the request body (server side sees a short body).
    let body = paidan_core::sync::prepare(&phone.store, true)?
        .request
        .encode()?;
    let mut tcp = std::net::TcpStream::connect(server.addr)?;
    write!(
        tcp,
        "POST /v1/sync HTTP/1.1\r\nHost: x\r\nContent-Type: application/vnd.paidan.sync\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )?;
    tcp.write_all(&body[..body.len() / 2])?;
    drop(tcp);
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(server.logged_changes(), 0, "a half request stores nothing");

    // 3. The server merges, but the response is lost on the way back.
    let r = sync_with(&mut phone.store, |body| {
        client.post_sync(body)?;
        Err(Error::Transport("connection reset".into()))
    });
    assert!(r.is_err());
    let logged = server.logged_changes();
    assert_eq!(logged, 3, "the server kept the three changes");

    // 4. The response arrives truncated.
    let r = sync_with(&mut phone.store, |body| {
        let full = client.post_sync(body)?;
        Ok(full[..full.len() / 2].to_vec())
    });
    assert!(r.is_err());

    // Nothing of the broken attempts was taken as sent.
    let body = paidan_core::sync::prepare(&phone.store, true)?
        .request
        .encode()?;
    assert!(
        SyncRequest::decode(&body)?.cases.len() == 2,
        "still unacknowledged"
    );

    // Meanwhile the user keeps working offline.
    phone.act(
        &b,
        D::Comment {
            text: "还在摆".into(),
        },
    );

    // Retry: everything goes, once.
    let s = phone.sync(&url)?;
    assert_eq!(
        s.sent_changes, 4,
        "the three unacknowledged and the new one"
    );
    assert_eq!(server.logged_changes(), 4, "re-sent changes were no-ops");
    assert_eq!(phone.sync(&url)?.sent_changes, 0);

    // A second phone sees exactly what the first wrote.
    let mut other = Phone::new("ren", Role::Dispatcher, None);
    other.sync(&url)?;
    assert_eq!(events_in(&other), events_in(&phone));
    assert_eq!(events_in(&phone), 4, "2 reports + 2 comments, none doubled");
    Ok(())
}

#[test]
fn a_server_that_drops_the_connection_mid_response_leaves_the_phone_able_to_retry() -> TestResult {
    // A fake server that reads the request and hangs up without a word.
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let fake = std::thread::spawn(move || {
        if let Ok((mut s, _)) = listener.accept() {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
        }
    });
    let server = TestServer::start();
    let mut phone = Phone::new("pan", Role::Resident, None);
    phone.login(&server.url())?;
    phone.report("sanitation.garbage", "垃圾", 0);
    assert!(phone.sync(&format!("http://{addr}")).is_err());
    fake.join().unwrap();
    // The real server then gets everything.
    let s = phone.sync(&server.url())?;
    assert_eq!(s.sent_changes, 1);
    assert_eq!(s.acked_changes, 1);
    Ok(())
}
