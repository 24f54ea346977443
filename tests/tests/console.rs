//! The web console and the public board, end to end: a real server, a real
//! core client filing the case, and a real browser (Debian's Chromium with
//! playwright-core) doing the desk work. Screenshots go to
//! `tests/output/console/`. Also: every page refused to the roles that
//! must not see it.

use paidan_core::photo::prepare_into;
use paidan_core::testing::{camera_jpeg, new_case};
use paidan_core::{PhotoStage, PrivateContact, Role, Status};
use paidan_tests::{Phone, TestResult, TestServer};
use std::path::PathBuf;
use std::process::Command;

const PHONE: &str = "13800001111";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The screenshots' folder.
fn output() -> anyhow::Result<PathBuf> {
    let out = repo().join("tests/output/console");
    std::fs::create_dir_all(&out)?;
    Ok(out)
}

/// Run a browser script of `tests/console/` with `args`; its output, once
/// it printed `passed`.
fn browser(script: &str, args: &[&std::ffi::OsStr], passed: &str) -> anyhow::Result<String> {
    let playwright = repo().join("tools/node_modules/playwright-core");
    assert!(
        playwright.is_dir(),
        "run bash scripts/test.sh: it installs playwright-core under tools/"
    );
    let run = Command::new("node")
        .arg(repo().join("tests/console").join(script))
        .args(args)
        .env("PLAYWRIGHT_CORE", &playwright)
        .output()?;
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&run.stderr);
    anyhow::ensure!(
        run.status.success() && stdout.contains(passed),
        "{script}: {stdout}\n{stderr}"
    );
    Ok(stdout)
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

/// The origin (scheme and host) of `url`, which a browser sends with a form
/// from that site's pages.
fn origin(url: &str) -> String {
    let uri: ureq::http::Uri = url.parse().expect("a URL");
    format!("http://{}", uri.authority().expect("a host"))
}

/// Log in at the console over plain HTTP; the session cookie, or the status.
fn console_login(url: &str, login: &str, password: &str) -> Result<String, u16> {
    let mut resp = agent()
        .post(format!("{url}/console/login"))
        .header("Origin", origin(url))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send(format!("login={login}&password={password}").as_bytes())
        .expect("request");
    let status = resp.status().as_u16();
    let _ = resp.body_mut().read_to_string();
    if status != 303 {
        return Err(status);
    }
    Ok(session_cookie(&resp).expect("a session cookie"))
}

/// The session cookie a response sets (name=value), if any.
fn session_cookie<B>(resp: &ureq::http::Response<B>) -> Option<String> {
    resp.headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

fn page(url: &str, cookie: Option<&str>) -> (u16, String, String) {
    let mut req = agent().get(url);
    if let Some(c) = cookie {
        req = req.header("Cookie", c);
    }
    let mut resp = req.call().expect("request");
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (
        status,
        location,
        resp.body_mut().read_to_string().unwrap_or_default(),
    )
}

/// Post a form at the console as `cookie`; the status and the page.
fn post_form(url: &str, cookie: &str, body: &str) -> (u16, String) {
    let form = "application/x-www-form-urlencoded";
    post_body(url, cookie, form, body.as_bytes())
}

/// Post `body` of `content_type` from the console's own pages as `cookie`;
/// the status and the page.
fn post_body(url: &str, cookie: &str, content_type: &str, body: &[u8]) -> (u16, String) {
    let mut resp = agent()
        .post(url)
        .header("Origin", origin(url))
        .header("Cookie", cookie)
        .header("Content-Type", content_type)
        .send(body)
        .expect("request");
    let status = resp.status().as_u16();
    (status, resp.body_mut().read_to_string().unwrap_or_default())
}

fn accounts(server: &TestServer) -> TestResult {
    for (id, role, dept, pw) in [
        ("ren", "dispatcher", None, "dispatcher-pw"),
        (
            "urban-1",
            "dept_liaison",
            Some("urban_mgmt"),
            "liaison-pw-1",
        ),
        ("market-1", "dept_liaison", Some("market"), "liaison-pw-2"),
        ("eva", "evaluator", None, "evaluator-pw"),
    ] {
        server.add_account(serde_json::json!({
            "user_id": id, "login": id, "role": role, "dept": dept, "password": pw,
        }))?;
    }
    Ok(())
}

/// A resident's phone files a stall report with a photo and her number.
fn file(url: &str) -> anyhow::Result<(Phone, paidan_core::CaseId)> {
    let mut pan = Phone::new("pan", Role::Resident, None);
    pan.login(url)?;
    let file = pan.dir.path().join("camera.jpg");
    std::fs::write(&file, camera_jpeg(2000, 1500))?;
    let photo = prepare_into(&file, &pan.store.dir().join("photos"), PhotoStage::Report)?;
    let me = pan.store.identity().clone();
    let mut new = new_case(
        me.user.as_str(),
        me.role,
        "street.stall",
        "小区门口流动摊点占道",
        0,
    );
    new.location.address = Some("阜新花园东门".into());
    let contact = PrivateContact {
        name: Some("潘云燕".into()),
        phone: Some(PHONE.into()),
    };
    let id = pan
        .store
        .create_case(&new, Some(&contact), std::slice::from_ref(&photo))?;
    pan.sync(url)?;
    Ok((pan, id))
}

#[test]
fn the_desk_work_of_one_case_in_a_real_browser() -> TestResult {
    let server = TestServer::start();
    let url = server.url();
    accounts(&server)?;
    let (_pan, id) = file(&url)?;
    let out = output()?;
    // The photo the department takes of the finished work.
    let done = tempfile::tempdir()?;
    let photo = done.path().join("done.jpg");
    std::fs::write(&photo, camera_jpeg(1800, 1200))?;
    let case_id = id.to_string();
    let args = [&url, &case_id, out.to_str().unwrap(), PHONE].map(std::ffi::OsStr::new);
    let args = [&args[..], &[photo.as_os_str()]].concat();
    browser("flow.cjs", &args, "CONSOLE FLOW PASSED")?;
    for shot in ["01-queue", "03-inbox", "05-case-closed", "07-board"] {
        assert!(
            out.join(format!("{shot}.png")).metadata()?.len() > 10_000,
            "{shot}"
        );
    }
    // What the browser did is in the case, for every device.
    let mut center = Phone::new("ren", Role::Dispatcher, None);
    paidan_core::sync::http::login(&mut center.store, &url, "ren", "dispatcher-pw", "test")?;
    center.sync(&url)?;
    let view = center.view(&id);
    assert_eq!(view.status, Status::Closed);
    assert_eq!(view.assignments.len(), 1);
    assert_eq!(view.assignments[0].dept.as_str(), "urban_mgmt");
    // The completion photo was prepared like a phone's and is in the case.
    let case = center.case(&id);
    let done: Vec<_> = case
        .photos
        .iter()
        .filter(|p| p.stage == PhotoStage::Done)
        .collect();
    assert_eq!(done.len(), 1, "{:?}", case.photos);
    assert!(done[0].width <= 1600 && done[0].height <= 1600);
    let completed = case
        .events
        .iter()
        .find_map(|e| match &e.data {
            paidan_core::EventData::Completed { photos, .. } => Some(photos.clone()),
            _ => None,
        })
        .expect("completed");
    assert_eq!(completed, vec![done[0].sha256.clone()]);
    Ok(())
}

#[test]
fn every_page_is_refused_to_the_roles_that_must_not_see_it() -> TestResult {
    let server = TestServer::start();
    let url = server.url();
    accounts(&server)?;
    let (_pan, id) = file(&url)?;
    let case = format!("{url}/console/cases/{id}");

    // No session: every console page sends to the login page.
    for path in [
        "/console",
        "/console/inbox",
        "/console/figures",
        "/console/events",
    ] {
        let (status, location, _) = page(&format!("{url}{path}"), None);
        assert_eq!(status, 303, "{path}");
        assert!(
            location.starts_with("/console/login?next="),
            "{path}: {location}"
        );
    }
    let (status, _, _) = page(&case, None);
    assert_eq!(status, 303);
    // Wrong password, or a resident (who uses the app): no session.
    assert_eq!(console_login(&url, "ren", "wrong").unwrap_err(), 401);
    assert_eq!(
        console_login(&url, "pan", paidan_tests::PASSWORD).unwrap_err(),
        401
    );

    let ren = console_login(&url, "ren", "dispatcher-pw").expect("dispatcher");
    let urban = console_login(&url, "urban-1", "liaison-pw-1").expect("liaison");
    let market = console_login(&url, "market-1", "liaison-pw-2").expect("liaison");
    let eva = console_login(&url, "eva", "evaluator-pw").expect("evaluator");
    let expect = |who: &str, cookie: &str, path: &str, want: u16| {
        let (status, _, body) = page(&format!("{url}{path}"), Some(cookie));
        assert_eq!(status, want, "{who} {path}");
        assert!(!body.contains(PHONE), "{who} {path} shows the phone number");
    };
    expect("dispatcher", &ren, "/console", 200);
    expect("dispatcher", &ren, "/console/inbox", 403);
    expect("dispatcher", &ren, &format!("/console/cases/{id}"), 200);
    expect("liaison", &urban, "/console", 403);
    expect("liaison", &urban, "/console/inbox", 200);
    // Not dispatched to any department yet: no department sees it.
    expect("liaison", &urban, &format!("/console/cases/{id}"), 403);
    expect("evaluator", &eva, "/console", 403);
    expect("evaluator", &eva, "/console/inbox", 403);
    expect("evaluator", &eva, "/console/figures", 200);
    // A department may not act on an order that is not its own, even by
    // posting the form by hand.
    let (status, text) = post_form(&format!("{case}/act"), &market, "kind=accepted");
    assert_eq!(status, 403, "{text}");
    // Nor may an evaluator dispatch.
    let (status, _) = post_form(
        &format!("{case}/act"),
        &eva,
        "kind=dispatched&departments=market",
    );
    assert_eq!(status, 403);
    // The dispatcher dispatches to urban_mgmt: now urban sees it, market not.
    let (status, _) = post_form(
        &format!("{case}/act"),
        &ren,
        "kind=dispatched&departments=urban_mgmt&hours=4",
    );
    assert_eq!(status, 303);
    expect("liaison", &urban, &format!("/console/cases/{id}"), 200);
    expect(
        "other liaison",
        &market,
        &format!("/console/cases/{id}"),
        403,
    );
    // Closing an order still at work: the fold does not take it, and says
    // why.
    let (status, _) = post_form(&format!("{case}/act"), &ren, "kind=closed");
    assert_eq!(status, 409, "closing an order at work");
    // The department accepts; a completion whose "photo" is not a photo is
    // refused with the reason, and nothing is written.
    let (status, text) = post_form(&format!("{case}/act"), &urban, "kind=accepted");
    assert_eq!(status, 303, "{text}");
    let boundary = "paidanboundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\ncompleted\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n已清理\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\n\
         Content-Type: image/jpeg\r\n\r\nthis is not a photo\r\n--{boundary}--\r\n"
    );
    let multipart = format!("multipart/form-data; boundary={boundary}");
    let act = format!("{case}/act");
    let (status, text) = post_body(&act, &urban, &multipart, body.as_bytes());
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("photo"), "{text}");
    // A multipart body cut short is refused too.
    let (status, _) = post_body(&act, &urban, &multipart, &body.as_bytes()[..body.len() / 2]);
    assert_eq!(status, 400);
    let (_, _, html) = page(&case, Some(&urban));
    assert!(
        html.contains(r#"data-status="in_progress""#),
        "still at work"
    );
    // The board is for everyone, and shows no personal data.
    let (status, _, body) = page(&format!("{url}/board"), None);
    assert_eq!(status, 200);
    assert!(!body.contains(PHONE) && !body.contains("潘云燕"));
    assert!(
        !body.contains("流动摊点占道"),
        "the reporter's words stay off the board"
    );
    Ok(())
}

#[test]
fn an_admin_makes_a_staff_account_at_the_console() -> TestResult {
    let server = TestServer::start();
    let url = server.url();
    accounts(&server)?;
    server.add_account(serde_json::json!({
        "user_id": "admin-1", "login": "admin-1", "role": "admin", "password": "admin-password",
    }))?;
    let admin = console_login(&url, "admin-1", "admin-password").expect("admin");
    let ren = console_login(&url, "ren", "dispatcher-pw").expect("dispatcher");
    let (status, _, _) = page(&format!("{url}/console/accounts"), Some(&ren));
    assert_eq!(status, 403, "a dispatcher does not manage accounts");
    let accounts_url = format!("{url}/console/accounts");
    let post = |cookie: &str, body: &str| post_form(&accounts_url, cookie, body);
    // A department that does not exist: refused with the reason, nothing made.
    let (status, body) = post(
        &admin,
        "login=garden-1&password=garden-password&role=dept_liaison&dept=nowhere",
    );
    assert_eq!(status, 400);
    assert!(body.contains("nowhere"), "{body}");
    assert_eq!(
        console_login(&url, "garden-1", "garden-password").unwrap_err(),
        401
    );
    // Nor may a dispatcher make one by posting the form by hand.
    let (status, _) = post(
        &ren,
        "login=garden-1&password=garden-password&role=dept_liaison&dept=landscaping",
    );
    assert_eq!(status, 403);
    // The admin makes a liaison of 园林局; she logs in and lands on her inbox.
    let (status, _) = post(
        &admin,
        "login=garden-1&display_name=%E7%8E%8B%E8%8A%B3&password=garden-password&role=dept_liaison&dept=landscaping",
    );
    assert_eq!(status, 303);
    let (status, _, body) = page(&format!("{url}/console/accounts"), Some(&admin));
    assert_eq!(status, 200);
    assert!(
        body.contains("garden-1") && body.contains("王芳") && body.contains("园林局"),
        "{body}"
    );
    assert!(!body.contains("garden-password"));
    let garden =
        console_login(&url, "garden-1", "garden-password").expect("the new liaison logs in");
    let (status, _, body) = page(&format!("{url}/console/inbox"), Some(&garden));
    assert_eq!(status, 200);
    assert!(body.contains("园林局"), "{body}");
    Ok(())
}

#[test]
fn a_form_sent_from_another_site_is_refused_and_changes_nothing() -> TestResult {
    let server = TestServer::start();
    let url = server.url();
    server.add_account(serde_json::json!({
        "user_id": "admin-1", "login": "admin-1", "role": "admin", "password": "admin-password",
    }))?;
    let admin = console_login(&url, "admin-1", "admin-password").expect("admin");
    let accounts_url = format!("{url}/console/accounts");
    let form = "login=garden-1&password=garden-password&role=dept_liaison&dept=landscaping";
    // The admin's browser, on another site's page, is made to send the
    // accounts form with the admin's cookie (a browser that ignores
    // SameSite): from a foreign origin, a sandboxed one, or with neither
    // header. Each is refused, and no account is made.
    for from in [
        Some(("Origin", "http://evil.example".to_owned())),
        Some(("Origin", "null".to_owned())),
        Some(("Referer", "http://evil.example/page".to_owned())),
        None,
    ] {
        let mut req = agent()
            .post(&accounts_url)
            .header("Cookie", &admin)
            .header("Content-Type", "application/x-www-form-urlencoded");
        if let Some((name, value)) = &from {
            req = req.header(*name, value);
        }
        let mut resp = req.send(form.as_bytes())?;
        let text = resp.body_mut().read_to_string()?;
        assert_eq!(resp.status().as_u16(), 403, "{from:?}");
        assert!(text.contains("其他网站"), "the page says why: {text}");
        let (_, _, list) = page(&accounts_url, Some(&admin));
        assert!(!list.contains("garden-1"), "nothing made for {from:?}");
    }
    // Nor may another site log a browser in to the console.
    let resp = agent()
        .post(format!("{url}/console/login"))
        .header("Origin", "http://evil.example")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send("login=admin-1&password=admin-password".as_bytes())?;
    assert_eq!(resp.status().as_u16(), 403);
    assert!(session_cookie(&resp).is_none(), "no session");
    // A browser too old to send Origin sends its page as the Referer: taken.
    let resp = agent()
        .post(&accounts_url)
        .header("Cookie", &admin)
        .header("Referer", format!("{accounts_url}?lang=zh-CN"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send(form.as_bytes())?;
    assert_eq!(resp.status().as_u16(), 303);
    let (_, _, list) = page(&accounts_url, Some(&admin));
    assert!(list.contains("garden-1"));
    Ok(())
}

#[test]
fn the_first_admin_is_made_in_the_browser_with_the_printed_token() -> TestResult {
    let data = tempfile::tempdir()?;
    let bin = paidan_tests::server_binary();
    let (server, token) =
        paidan_tests::ServerProcess::start_for_setup(&bin, data.path(), paidan_tests::free_addr());
    let url = server.url();
    assert!(token.starts_with("pdt_"), "{token}");
    let setup_url = format!("{url}/console/setup");
    // The login page points the first visitor to the setup page.
    let (_, _, login) = page(&format!("{url}/console/login"), None);
    assert!(login.contains(r#"href="/console/setup""#));
    let (status, _, form) = page(&setup_url, None);
    assert_eq!(status, 200);
    assert!(form.contains(r#"name="token""#), "{form}");
    // A wrong token: the form again with why; no admin, no session.
    let body = |token: &str, password: &str| {
        format!(
            "token={token}&login=admin-wang&display_name=%E7%8E%8B%E5%BC%BA&password={password}"
        )
    };
    let wrong = format!("pdt_{}", "0".repeat(64));
    let (status, text) = post_form(&setup_url, "", &body(&wrong, "admin-password"));
    assert_eq!(status, 403);
    assert!(text.contains("初始化令牌无效"), "{text}");
    assert_eq!(
        console_login(&url, "admin-wang", "admin-password").unwrap_err(),
        401
    );
    // A password too short: 400 naming it, and the token still good.
    let (status, text) = post_form(&setup_url, "", &body(&token, "short"));
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("admin-wang"), "the form keeps what was typed");
    // In a real browser, from the login page's link, with the right token:
    // the admin is made, logged in, at the accounts page.
    let out = output()?;
    let args = [&url, &token, out.to_str().unwrap()].map(std::ffi::OsStr::new);
    browser("setup.cjs", &args, "SETUP FLOW PASSED")?;
    assert!(out.join("00-setup.png").metadata()?.len() > 10_000);
    let admin = console_login(&url, "admin-wang", "admin-password").expect("the admin");
    let (status, _, _) = page(&format!("{url}/console/accounts"), Some(&admin));
    assert_eq!(status, 200);
    // The token is used up, here and over the API; the page now points to
    // the login.
    let (status, text) = post_form(&setup_url, "", &body(&token, "another-password"));
    assert_eq!(status, 200);
    assert!(text.contains("已完成初始化"), "{text}");
    let (status, _) = paidan_tests::post_json(
        &format!("{url}/v1/setup"),
        None,
        &serde_json::json!({"token": token, "login": "admin-li", "password": "admin-password"}),
    )?;
    assert_eq!(status, 403);
    assert_eq!(
        console_login(&url, "admin-li", "admin-password").unwrap_err(),
        401
    );
    let (_, _, again) = page(&setup_url, None);
    assert!(again.contains("已完成初始化") && !again.contains(r#"name="token""#));
    Ok(())
}

#[test]
fn the_public_board_pages_through_every_order() -> TestResult {
    let server = TestServer::start();
    let url = server.url();
    let mut pan = Phone::new("pan", Role::Resident, None);
    pan.login(&url)?;
    let me = pan.store.identity().clone();
    let mut ids = Vec::new();
    for n in 0..120 {
        // Far enough apart that none is another's duplicate.
        let new = new_case(
            me.user.as_str(),
            me.role,
            "housing.heating",
            "暖气不热",
            n * 40,
        );
        ids.push(pan.store.create_case(&new, None, &[])?);
    }
    pan.sync(&url)?;
    let (status, _, first) = page(&format!("{url}/board"), None);
    assert_eq!(status, 200);
    assert_eq!(first.matches("<tr class=").count(), 100);
    assert!(
        first.contains("第 1 页，共 2 页") && first.contains(r#"id="older""#),
        "{first}"
    );
    let (_, _, second) = page(&format!("{url}/board?page=2"), None);
    assert_eq!(second.matches("<tr class=").count(), 20);
    assert!(second.contains(r#"id="newer""#) && !second.contains(r#"id="older""#));
    // Every order is on one of the two pages, once.
    for id in &ids {
        let number = id.0.simple().to_string()[24..].to_uppercase();
        let on = |html: &str| html.matches(&format!(r#"data-number="{number}""#)).count();
        assert_eq!(on(&first) + on(&second), 1, "{number}");
    }
    // A page past the end is empty, not an error; a page that is not a
    // number is refused.
    let (status, _, past) = page(&format!("{url}/board?page=9"), None);
    assert_eq!(status, 200);
    assert_eq!(past.matches("<tr class=").count(), 0);
    let (status, _, _) = page(&format!("{url}/board?page=x"), None);
    assert_eq!(status, 400);
    Ok(())
}
