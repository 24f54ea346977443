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
        let server = Background::start(settings).expect("server starts");
        TestServer {
            addr: server.addr,
            data,
            server: Some(server),
        }
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
    /// Start `paidan-server` on `data`, listening on `addr`, and wait until
    /// it answers `/healthz`.
    pub fn start(bin: &Path, data: &Path, addr: SocketAddr) -> ServerProcess {
        let child = Command::new(bin)
            .arg("--listen")
            .arg(addr.to_string())
            .arg("--data")
            .arg(data)
            .env("RUST_LOG", "warn")
            .spawn()
            .expect("start paidan-server");
        let p = ServerProcess { child, addr };
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

    /// The case's state as this phone sees it.
    pub fn view(&self, case: &CaseId) -> paidan_core::CaseView {
        self.store
            .load(case)
            .and_then(|d| d.view())
            .expect("the phone has the case")
    }

    /// Add an event as this phone's user.
    pub fn act(&mut self, case: &CaseId, data: EventData) -> paidan_core::CaseView {
        let me = self.store.identity().clone();
        let e = Event::new(me.user, me.role, me.dept, data);
        self.store.append_event(case, &e).expect("event")
    }

    /// Sync with the server at `url`.
    pub fn sync(&mut self, url: &str) -> paidan_core::Result<paidan_core::sync::SyncSummary> {
        let client = HttpClient::new(url, None)?;
        Ok(paidan_core::sync::http::sync(&mut self.store, &client, &mut |_, _, _, _| {})?.0)
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
