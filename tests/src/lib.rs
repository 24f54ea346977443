//! Support for Paidan's end-to-end tests: a real server (in this process on
//! an ephemeral port, or as its own process), and phones, each a real core
//! client on its own store folder.

use paidan_core::store::Query;
use paidan_core::sync::http::HttpClient;
use paidan_core::testing::new_case;
use paidan_core::{CaseId, Event, EventData, Role, Store};
use paidan_server::background::Background;
pub use paidan_server::clock::ManualClock;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Tests return this so they can use `?`.
pub type TestResult = anyhow::Result<()>;

/// A server running inside the test process on 127.0.0.1:0.
#[derive(Debug)]
pub struct TestServer {
    // Declared first, so it stops before its data folder is removed.
    server: Option<Background>,
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its data folder (removed on drop).
    pub data: tempfile::TempDir,
}

impl TestServer {
    /// Start a server on a fresh data folder.
    pub fn start() -> TestServer {
        let data = tempfile::tempdir().expect("tempdir");
        Self::start_on(data)
    }

    /// Start a server on `data`.
    pub fn start_on(data: tempfile::TempDir) -> TestServer {
        Self::start_with(data, paidan_server::Settings::default())
    }

    /// Start a server on `data` whose clock the test drives, with the
    /// scheduler ticking every 25 ms.
    pub fn start_at(data: tempfile::TempDir, clock: Arc<ManualClock>) -> TestServer {
        Self::start_with(
            data,
            paidan_server::Settings {
                clock,
                tick: Some(Duration::from_millis(25)),
                ..Default::default()
            },
        )
    }

    /// Start a server on `data` with `settings` (its listen address and
    /// data folder are replaced).
    pub fn start_with(data: tempfile::TempDir, settings: paidan_server::Settings) -> TestServer {
        let settings = paidan_server::Settings {
            listen: "127.0.0.1:0".parse().expect("addr"),
            data: data.path().to_path_buf(),
            cache_bytes: 64 * 1024 * 1024,
            ..settings
        };
        let config = settings.config.clone();
        let server = Background::start(settings).expect("server starts");
        let t = TestServer {
            addr: server.addr,
            data,
            server: Some(server),
        };
        provision_admin(&t.url(), t.data.path(), &config);
        t
    }

    /// Make an account through the admin API (as the test's admin).
    pub fn add_account(&self, account: serde_json::Value) -> anyhow::Result<serde_json::Value> {
        add_account(&self.url(), account)
    }

    /// Its base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Changes from devices in the log (read beside the running server;
    /// the server's own triage and reminders are not counted).
    pub fn logged_changes(&self) -> i64 {
        count(
            &self.data.path().join("paidan.db"),
            "SELECT count(*) FROM changes WHERE by_server = 0",
        )
    }

    /// Changes the server wrote itself (dispatch engine, scheduler).
    pub fn server_changes(&self) -> i64 {
        count(
            &self.data.path().join("paidan.db"),
            "SELECT count(*) FROM changes WHERE by_server = 1",
        )
    }

    /// Stop it gracefully, keeping its data folder.
    pub fn stop(mut self) -> tempfile::TempDir {
        if let Some(s) = self.server.take() {
            s.stop().expect("server stops cleanly");
        }
        std::mem::replace(&mut self.data, tempfile::tempdir().expect("tempdir"))
    }
}

/// The password of every account the tests make.
pub const PASSWORD: &str = "test-password-1";

static ADMINS: std::sync::Mutex<Vec<(String, String)>> = std::sync::Mutex::new(Vec::new());

/// Make the admin account of the server at `url` (on its data folder, as
/// `paidan-server user add` does) and log it in; later calls for the same
/// data folder reuse the account.
pub fn provision_admin(url: &str, data: &Path, config: &paidan_server::config::Config) {
    let new = paidan_server::auth::accounts::NewAccount {
        user_id: Some("admin".into()),
        login: "admin".into(),
        password: PASSWORD.into(),
        role: Role::Admin,
        dept: None,
        grids: vec![],
        display_name: "管理员".into(),
    };
    match paidan_server::admin::add_user(data, config, new) {
        Ok(_) => {}
        Err(e) if e.to_string().contains("taken") => {}
        Err(e) => panic!("cannot make the admin: {e:#}"),
    }
    let token = login_token(url, "admin", PASSWORD, &"ad".repeat(16)).expect("the admin logs in");
    let mut admins = ADMINS.lock().unwrap_or_else(|e| e.into_inner());
    admins.retain(|(u, _)| u != url);
    admins.push((url.to_owned(), token));
}

/// The admin token of the server at `url` (or `PAIDAN_ADMIN_TOKEN`, for a
/// server the tests did not start).
pub fn admin_token(url: &str) -> Option<String> {
    let admins = ADMINS.lock().unwrap_or_else(|e| e.into_inner());
    admins
        .iter()
        .find(|(u, _)| u == url)
        .map(|(_, t)| t.clone())
        .or_else(|| std::env::var("PAIDAN_ADMIN_TOKEN").ok())
}

/// POST a JSON body; (status, body).
pub fn post_json(
    url: &str,
    token: Option<&str>,
    body: &serde_json::Value,
) -> anyhow::Result<(u16, String)> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut req = agent.post(url).header("Content-Type", "application/json");
    if let Some(t) = token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    let mut resp = req.send(serde_json::to_vec(body)?.as_slice())?;
    let status = resp.status().as_u16();
    Ok((status, resp.body_mut().read_to_string()?))
}

/// GET with an optional bearer token; (status, body).
pub fn get(url: &str, token: Option<&str>) -> anyhow::Result<(u16, String)> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut req = agent.get(url);
    if let Some(t) = token {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    let mut resp = req.call()?;
    let status = resp.status().as_u16();
    let body = resp.body_mut().read_to_vec()?;
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

/// Log in over HTTP and return the token.
pub fn login_token(
    url: &str,
    login: &str,
    password: &str,
    actor_hex: &str,
) -> anyhow::Result<String> {
    let (status, body) = post_json(
        &format!("{url}/v1/login"),
        None,
        &serde_json::json!({"login": login, "password": password, "actor": actor_hex}),
    )?;
    anyhow::ensure!(status == 200, "login answered {status}: {body}");
    let v: serde_json::Value = serde_json::from_str(&body)?;
    Ok(v["token"].as_str().unwrap_or_default().to_owned())
}

/// A fresh device token of the server at `url`, for a user `user` in `role`.
pub fn token_for(url: &str, user: &str, role: Role, dept: Option<&str>) -> String {
    let mut phone = Phone::new(user, role, dept);
    phone.login(url).expect("the phone logs in");
    // The store goes with `phone`; the login stays valid.
    phone.token()
}

/// Make an account on the server at `url` as its admin; one that exists
/// already (409) is fine.
pub fn add_account(url: &str, account: serde_json::Value) -> anyhow::Result<serde_json::Value> {
    let token = admin_token(url).ok_or_else(|| anyhow::anyhow!("no admin for {url}"))?;
    let mut account = account;
    if account.get("password").is_none() {
        account["password"] = PASSWORD.into();
    }
    let (status, body) = post_json(&format!("{url}/v1/accounts"), Some(&token), &account)?;
    anyhow::ensure!(
        status == 201 || status == 409,
        "account answered {status}: {body}"
    );
    Ok(serde_json::from_str(&body).unwrap_or(serde_json::Value::Null))
}

/// `SELECT count(*)`-style query on a database file.
pub fn count(db: &Path, sql: &str) -> i64 {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open db");
    conn.query_row(sql, [], |r| r.get(0)).expect("count")
}

/// The `paidan-server` binary of this build profile, built if needed.
pub fn server_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    // target/<profile>/deps/<test> -> target/<profile>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target dir")
        .to_path_buf();
    let bin = profile_dir.join("paidan-server");
    let release = profile_dir.file_name().is_some_and(|n| n == "release");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args([
        "build",
        "-q",
        "-p",
        "paidan-server",
        "--bin",
        "paidan-server",
    ]);
    if release {
        cmd.arg("--release");
    }
    let status = cmd.status().expect("run cargo build");
    assert!(status.success(), "building paidan-server failed");
    bin
}

/// A server as its own process.
#[derive(Debug)]
pub struct ServerProcess {
    /// The process.
    pub child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl ServerProcess {
    /// Start `paidan-server` on `data`, listening on `addr`, wait until
    /// it answers `/healthz`, and make (or reuse) its admin.
    pub fn start(bin: &Path, data: &Path, addr: SocketAddr) -> ServerProcess {
        let p = Self::start_bare(bin, data, addr);
        provision_admin(&p.url(), data, &paidan_server::config::Config::demo());
        p
    }

    /// Start it without making an admin.
    pub fn start_bare(bin: &Path, data: &Path, addr: SocketAddr) -> ServerProcess {
        let child = Self::command(bin, data, addr)
            .spawn()
            .expect("start paidan-server");
        ServerProcess { child, addr }.up()
    }

    /// Start it on a data folder with no admin; with the one-time setup
    /// token it prints (read from its standard output, as a person reads
    /// it from the terminal).
    pub fn start_for_setup(bin: &Path, data: &Path, addr: SocketAddr) -> (ServerProcess, String) {
        use std::io::BufRead;
        let mut child = Self::command(bin, data, addr)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("start paidan-server");
        let mut out = std::io::BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        let token = loop {
            line.clear();
            let n = out.read_line(&mut line).expect("read the server's output");
            assert!(n > 0, "the server printed no setup token");
            if line.contains("setup token:") {
                break line
                    .split_whitespace()
                    .last()
                    .unwrap_or_default()
                    .to_owned();
            }
        };
        // Keep reading, so the server never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        (ServerProcess { child, addr }.up(), token)
    }

    fn command(bin: &Path, data: &Path, addr: SocketAddr) -> Command {
        let mut cmd = Command::new(bin);
        cmd.arg("--listen")
            .arg(addr.to_string())
            .arg("--data")
            .arg(data)
            .env("RUST_LOG", "warn");
        cmd
    }

    /// Wait until it answers `/healthz`.
    fn up(self) -> ServerProcess {
        let p = self;
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if healthy(&p.url()) {
                return p;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("paidan-server did not come up");
    }

    /// Its base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `kill -9`.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A free port on 127.0.0.1.
pub fn free_addr() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr")
}

/// Does `/healthz` answer?
pub fn healthy(url: &str) -> bool {
    ureq::get(format!("{url}/healthz"))
        .call()
        .map(|r| r.status() == 200)
        .unwrap_or(false)
}

/// A phone: a real core client with its own store folder.
#[derive(Debug)]
pub struct Phone {
    /// Its store.
    pub store: Store,
    /// The folder (removed on drop).
    pub dir: tempfile::TempDir,
}

impl Phone {
    /// A new phone whose user is `user` acting as `role`.
    pub fn new(user: &str, role: Role, dept: Option<&str>) -> Phone {
        Self::new_in(tempfile::tempdir().expect("tempdir"), user, role, dept)
    }

    /// A new phone with its store in `dir`.
    pub fn new_in(dir: tempfile::TempDir, user: &str, role: Role, dept: Option<&str>) -> Phone {
        let mut store = Store::open(dir.path()).expect("store");
        store
            .set_identity(user.into(), role, dept.map(Into::into))
            .expect("identity");
        Phone { store, dir }
    }

    /// File a report offline.
    pub fn report(&mut self, category: &str, text: &str, n: u32) -> CaseId {
        let me = self.store.identity().clone();
        let new = new_case(me.user.as_str(), me.role, category, text, n);
        self.store.create_case(&new, None, &[]).expect("report")
    }

    /// File a report at a place and time (for tests on a manual clock).
    pub fn report_at(&mut self, category: &str, text: &str, lat: f64, lon: f64, at: i64) -> CaseId {
        let me = self.store.identity().clone();
        let mut new = new_case(me.user.as_str(), me.role, category, text, 0);
        new.location.lat = lat;
        new.location.lon = lon;
        new.created.at = at;
        self.store.create_case(&new, None, &[]).expect("report")
    }

    /// Add an event as this phone's user at `at` (ms).
    pub fn act_at(&mut self, case: &CaseId, data: EventData, at: i64) -> paidan_core::CaseView {
        let me = self.store.identity().clone();
        let mut e = Event::new(me.user, me.role, me.dept, data);
        e.at = at;
        self.store.append_event(case, &e).expect("event")
    }

    /// Write `event` into the case as a modified app would: straight into
    /// the document, past the fold's checks, to be sent at the next sync.
    pub fn tamper(&mut self, case: &CaseId, event: &Event) {
        let mut doc = self.store.load(case).expect("the phone has the case");
        doc.append_event(event).expect("append");
        self.store
            .write(|tx| paidan_core::store::put_case(tx, &mut doc, true))
            .expect("store");
    }

    /// The case's state as this phone sees it.
    pub fn view(&self, case: &CaseId) -> paidan_core::CaseView {
        self.store
            .load(case)
            .and_then(|d| d.view())
            .expect("the phone has the case")
    }

    /// The whole case as this phone holds it.
    pub fn case(&self, case: &CaseId) -> paidan_core::Case {
        self.store
            .load(case)
            .and_then(|d| d.read())
            .expect("the phone has the case")
    }

    /// Add an event as this phone's user.
    pub fn act(&mut self, case: &CaseId, data: EventData) -> paidan_core::CaseView {
        let me = self.store.identity().clone();
        let e = Event::new(me.user, me.role, me.dept, data);
        self.store.append_event(case, &e).expect("event")
    }

    /// The device token this phone logged in with.
    pub fn token(&self) -> String {
        self.store
            .meta("token")
            .ok()
            .flatten()
            .expect("the phone has logged in")
    }

    /// Log in to the server at `url` as this phone's user, making its
    /// account first (through the admin API) when it has none.
    pub fn login(&mut self, url: &str) -> anyhow::Result<()> {
        let me = self.store.identity().clone();
        add_account(
            url,
            serde_json::json!({
                "user_id": me.user.as_str(),
                "login": me.user.as_str(),
                "role": me.role,
                "dept": me.dept.as_ref().map(|d| d.as_str()),
            }),
        )?;
        paidan_core::sync::http::login(
            &mut self.store,
            url,
            me.user.as_str(),
            PASSWORD,
            "test phone",
        )?;
        Ok(())
    }

    /// Sync with the server at `url` (logging in first if this phone has
    /// no token for it).
    pub fn sync(&mut self, url: &str) -> paidan_core::Result<paidan_core::sync::SyncSummary> {
        let url = url.trim_end_matches('/');
        let login = |phone: &mut Phone| {
            phone
                .login(url)
                .map_err(|e| paidan_core::Error::Transport(format!("login: {e:#}")))
        };
        if self.store.meta("token")?.is_none() {
            login(self)?;
        }
        let client = HttpClient::new(url, self.store.meta("token")?)?;
        match paidan_core::sync::http::sync(&mut self.store, &client, &mut |_, _, _, _| {}) {
            // A token of another server (a test's fresh one): log in there.
            Err(paidan_core::Error::Unauthorized) if admin_token(url).is_some() => {
                login(self)?;
                let client = HttpClient::new(url, self.store.meta("token")?)?;
                Ok(
                    paidan_core::sync::http::sync(&mut self.store, &client, &mut |_, _, _, _| {})?
                        .0,
                )
            }
            other => Ok(other?.0),
        }
    }

    /// Every case this phone has, sorted by id.
    pub fn case_ids(&self) -> Vec<CaseId> {
        let mut ids: Vec<_> = self
            .store
            .list(&Query {
                limit: Some(1_000_000),
                ..Default::default()
            })
            .expect("list")
            .into_iter()
            .map(|c| c.id)
            .collect();
        ids.sort();
        ids
    }
}
