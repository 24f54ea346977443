//! `paidan-server demo`: fill a data folder with a street's months of work,
//! so the console and the figures have something to show.
//!
//! Nothing is written to the database directly. Simulated phones — twelve
//! residents, a patrol officer, the dispatcher and a liaison for each
//! department — are real core clients with their own stores; they file
//! reports and act on them through the real sync path of a real server
//! started on 127.0.0.1:0, whose clock the generator moves day by day. So
//! the server's own triage, auto-dispatch, duplicate and recurrence links,
//! reminders, escalations and reopens happen as they would.
//!
//! Each simulated day: reports in the morning (some handled on site by the
//! officer, some at the place of an open case: duplicates), the dispatcher
//! dispatches, verifies and closes, departments accept, return, ask for
//! more time and complete (most on time), residents give callbacks, the
//! officer re-inspects watched places. Orders of the last days stay open.

use crate::background::Background;
use crate::clock::{Clock, ManualClock};
use crate::config::Config;
use paidan_core::store::Query;
use paidan_core::sync::http::HttpClient;
use paidan_core::{
    AssignmentState, CaseId, CaseView, Channel, Created, DeptCode, Event, EventData as D, Location,
    NewCase, Role, Satisfaction, Status, Store, UserId,
};
use std::path::Path;
use std::sync::Arc;

/// Resident phones (each receives every case until read scopes narrow
/// what a device gets, so few phones keep the generator quick).
const RESIDENTS: usize = 4;
const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// Category weights: how often each kind of problem is reported.
const MIX: &[(&str, u32)] = &[
    ("sanitation.garbage", 20),
    ("sanitation.wastewater", 8),
    ("structure.illegal", 5),
    ("structure.pigeon_shed", 8),
    ("street.stall", 12),
    ("street.signboard", 6),
    ("street.vehicle_blocking", 10),
    ("road.manhole", 5),
    ("power.exposed_wire", 4),
    ("housing.heating", 8),
    ("food.restaurant", 5),
    ("environment.noise", 6),
    ("greenery.watering", 3),
];

const WORDS: &[(&str, &str)] = &[
    ("sanitation.garbage", "垃圾随地扔，臭气熏天"),
    ("sanitation.wastewater", "饭馆脏水往街上泼，冬天结冰很滑"),
    ("structure.illegal", "沿街私搭乱建"),
    ("structure.pigeon_shed", "阳台私搭鸽棚，鸽子毛飞进窗户"),
    ("street.stall", "流动摊点占道经营"),
    ("street.signboard", "商铺牌匾不规范"),
    ("street.vehicle_blocking", "车辆长期占道挡道"),
    ("road.manhole", "窨井盖不见了"),
    ("power.exposed_wire", "楼道电线裸露"),
    ("housing.heating", "暖气不热"),
    ("food.restaurant", "小饭馆后厨卫生差"),
    ("environment.noise", "夜间施工噪声扰民"),
    ("greenery.watering", "行道树缺水枯黄"),
];

/// The password of every account the demo makes (a demo data folder only).
pub const DEMO_PASSWORD: &str = "paidan-demo";

/// Where the demo's phones make their accounts and log in.
struct Place<'a> {
    data: &'a Path,
    config: &'a Config,
    url: &'a str,
}

struct Phone {
    store: Store,
    client: HttpClient,
    /// Views by case, with the listing's last-event time they were read
    /// at: a round reloads only the cases that changed.
    views: std::cell::RefCell<std::collections::HashMap<CaseId, (i64, Status, CaseView)>>,
    /// The server, and who this phone is (to log in again).
    url: String,
    user: String,
    _dir: tempfile::TempDir,
}

impl Phone {
    /// A phone of a demo account (made on the data folder, as `user add`
    /// does), logged in to `url` through the real login.
    fn new(at: &Place<'_>, user: &str, role: Role, dept: Option<&str>) -> anyhow::Result<Phone> {
        let new = crate::auth::accounts::NewAccount {
            user_id: Some(user.to_owned()),
            login: user.to_owned(),
            password: DEMO_PASSWORD.to_owned(),
            role,
            dept: dept.map(str::to_owned),
            grids: Vec::new(),
            display_name: String::new(),
        };
        if let Err(e) = crate::admin::add_user(at.data, at.config, new)
            && !e.to_string().contains("taken")
        {
            return Err(e);
        }
        let dir = tempfile::tempdir()?;
        let mut store = Store::open(dir.path())?;
        store.set_identity(user.into(), role, dept.map(DeptCode::from))?;
        paidan_core::sync::http::login(&mut store, at.url, user, DEMO_PASSWORD, "demo phone")?;
        let client = HttpClient::new(at.url, store.meta("token")?)?;
        Ok(Phone {
            store,
            client,
            views: Default::default(),
            url: at.url.to_owned(),
            user: user.to_owned(),
            _dir: dir,
        })
    }

    /// Sync; when the login has expired (the demo's months outlast a
    /// device token), log in again as a person would, and sync.
    fn sync(&mut self) -> anyhow::Result<()> {
        use paidan_core::sync::http;
        match http::sync(&mut self.store, &self.client, &mut |_, _, _, _| {}) {
            Err(paidan_core::Error::Unauthorized) => {
                http::login(
                    &mut self.store,
                    &self.url,
                    &self.user,
                    DEMO_PASSWORD,
                    "demo phone",
                )?;
                self.client = HttpClient::new(&self.url, self.store.meta("token")?)?;
                http::sync(&mut self.store, &self.client, &mut |_, _, _, _| {})?;
            }
            other => {
                other?;
            }
        }
        Ok(())
    }

    /// Act at `at`, if the fold allows it now (a stale phone may find the
    /// case moved on; a person would then simply not do it).
    fn act(&mut self, case: &CaseId, data: D, at: i64) -> bool {
        let me = self.store.identity().clone();
        let mut e = Event::new(me.user, me.role, me.dept, data);
        e.at = at;
        paidan_core::device::act_checked(&mut self.store, case, &e, &[]).is_ok()
    }

    /// The cases in these states (read from the listing index first, so
    /// only those are loaded), leaving out `done`.
    fn cases(
        &self,
        states: &[Status],
        done: &std::collections::HashSet<CaseId>,
    ) -> anyhow::Result<Vec<(CaseId, CaseView)>> {
        let mut out = Vec::new();
        for status in states {
            let list = self.store.list(&Query {
                status: Some(*status),
                limit: Some(1_000_000),
                ..Default::default()
            })?;
            let mut views = self.views.borrow_mut();
            for c in list.into_iter().filter(|c| !done.contains(&c.id)) {
                let fresh = views
                    .get(&c.id)
                    .filter(|(at, st, _)| *at == c.updated_at && *st == c.status)
                    .map(|(_, _, v)| v.clone());
                let view = match fresh {
                    Some(v) => v,
                    None => {
                        let v = self.store.load(&c.id)?.view()?;
                        views.insert(c.id, (c.updated_at, c.status, v.clone()));
                        v
                    }
                };
                out.push((c.id, view));
            }
        }
        Ok(out)
    }
}

/// A deterministic fraction in [0, 1) for a case and a purpose.
fn frac(case: &CaseId, salt: u64) -> f64 {
    let b = case.0.as_bytes();
    let mut x = u64::from_le_bytes([b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]]) ^ salt;
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// Run the generator; returns a summary to print.
pub fn run(
    data: &Path,
    config: Arc<Config>,
    cases: u32,
    days: u32,
    seed: u64,
) -> anyhow::Result<String> {
    anyhow::ensure!(days > 0 && cases > 0, "--cases and --days must be positive");
    let mut rng = fastrand::Rng::with_seed(seed);
    let today = chrono::Utc::now().timestamp_millis();
    let first_day = today - i64::from(days) * DAY;
    // Local midnight of the first day.
    let tz = 8 * HOUR;
    let start = (first_day + tz).div_euclid(DAY) * DAY - tz;
    let clock = Arc::new(ManualClock::at(start + 8 * HOUR));
    let server = Background::start(crate::Settings {
        listen: "127.0.0.1:0".parse()?,
        data: data.to_path_buf(),
        config: config.clone(),
        clock: clock.clone(),
        tick: Some(std::time::Duration::from_millis(20)),
        // Months pass in minutes here: a phone syncs far more often than a
        // person's would, so the sync allowance of a real server would
        // only slow the demo down (logins keep theirs).
        quotas: crate::http::limits::Quotas {
            sync_per_device: (u32::MAX, std::time::Duration::from_nanos(1)),
            sync_per_ip: (u32::MAX, std::time::Duration::from_nanos(1)),
            ..Default::default()
        },
        ..Default::default()
    })?;
    let url = server.url();
    let at = Place {
        data,
        config: &config,
        url: &url,
    };

    let mut residents: Vec<Phone> = (0..RESIDENTS)
        .map(|i| {
            let name = if i == 0 {
                "pan-yunyan".to_owned()
            } else {
                format!("resident-{i:02}")
            };
            Phone::new(&at, &name, Role::Resident, None)
        })
        .collect::<anyhow::Result<_>>()?;
    let mut officer = Phone::new(&at, "patrol-li", Role::PatrolOfficer, None)?;
    let mut center = Phone::new(&at, "dispatcher-zhang", Role::Dispatcher, None)?;
    let mut depts: Vec<Phone> = config
        .catalog
        .departments
        .iter()
        .map(|d| {
            Phone::new(
                &at,
                &format!("{}-liaison", d.code),
                Role::DeptLiaison,
                Some(d.code.as_str()),
            )
        })
        .collect::<anyhow::Result<_>>()?;
    let total_weight: u32 = MIX.iter().map(|(_, w)| w).sum();
    let mut filed = 0u32;
    let mut called = std::collections::HashSet::new();
    let mut mark = std::time::Instant::now();
    let (mut t_reports, mut t_center, mut t_depts, mut t_evening) = Default::default();
    let mut lap = |acc: &mut std::time::Duration| {
        *acc += mark.elapsed();
        mark = std::time::Instant::now();
    };
    let mut inspected = std::collections::HashSet::new();

    for day in 0..days {
        let midnight = start + i64::from(day) * DAY;
        let want = (u64::from(cases) * u64::from(day + 1) / u64::from(days)) as u32;
        // Morning: today's reports.
        clock.set(midnight + 9 * HOUR);
        while filed < want {
            filed += 1;
            let mut pick = rng.u32(0..total_weight);
            let category = MIX
                .iter()
                .find(|(_, w)| {
                    let hit = pick < *w;
                    pick = pick.saturating_sub(*w);
                    hit
                })
                .map(|(c, _)| *c)
                .unwrap_or("sanitation.garbage");
            let text = WORDS
                .iter()
                .find(|(c, _)| *c == category)
                .map(|(_, t)| *t)
                .unwrap_or("问题");
            let grid = &config.area.grids[rng.usize(0..config.area.grids.len())];
            let (mut lat, mut lon);
            loop {
                let (lo_x, hi_x, lo_y, hi_y) = grid.ring.iter().fold(
                    (f64::MAX, f64::MIN, f64::MAX, f64::MIN),
                    |(a, b, c, d), [x, y]| (a.min(*x), b.max(*x), c.min(*y), d.max(*y)),
                );
                lon = lo_x + rng.f64() * (hi_x - lo_x);
                lat = lo_y + rng.f64() * (hi_y - lo_y);
                if grid.holds(lat, lon) {
                    break;
                }
            }
            let at = midnight + 7 * HOUR + rng.i64(0..2 * HOUR);
            let on_site = config.category(category).is_some_and(|c| c.on_site);
            let watched = config
                .category(category)
                .is_some_and(|c| c.recurrence_watch_days > 0);
            // Some problems come back where they were fixed (反复).
            if watched && rng.u32(0..100) < 8 {
                let closed = center.store.list(&Query {
                    status: Some(Status::Closed),
                    category: Some(category.to_owned()),
                    limit: Some(20),
                    ..Default::default()
                })?;
                if let Some(c) = closed.get(rng.usize(0..closed.len().max(1))) {
                    let who = rng.usize(0..residents.len());
                    file(
                        &mut residents[who],
                        category,
                        "问题又出现了",
                        c.lat,
                        c.lon + 0.00003,
                        at,
                    )?;
                    continue;
                }
            }
            // Some reports are of a place someone already reported.
            if !on_site && rng.u32(0..100) < 6 {
                let open: Vec<_> = center
                    .store
                    .list(&Query {
                        limit: Some(200),
                        ..Default::default()
                    })?
                    .into_iter()
                    .filter(|c| c.status.is_open())
                    .map(|c| (c.id, ()))
                    .collect();
                if !open.is_empty() {
                    let id = open[rng.usize(0..open.len())].0;
                    if let Ok(c) = center.store.load(&id).and_then(|d| d.read()) {
                        lat = c.location.lat + 0.00005;
                        lon = c.location.lon;
                        file(
                            &mut residents[rng.usize(0..RESIDENTS)],
                            c.category.as_str(),
                            text,
                            lat,
                            lon,
                            at,
                        )?;
                        continue;
                    }
                }
            }
            if on_site && rng.u32(0..100) < 80 {
                let id = file(&mut officer, category, text, lat, lon, at)?;
                officer.act(
                    &id,
                    D::HandledOnSite {
                        note: "现场处置完毕".into(),
                        before: vec![],
                        after: vec![],
                    },
                    at + 20 * MINUTE,
                );
            } else {
                let who = if filed == 1 {
                    0
                } else {
                    rng.usize(0..RESIDENTS)
                };
                file(&mut residents[who], category, text, lat, lon, at)?;
            }
        }
        for r in &mut residents {
            r.sync()?;
        }
        officer.sync()?;
        lap(&mut t_reports);

        for (stage, minutes) in [(0, 630), (1, 780), (2, 1020), (3, 1140)] {
            let now = midnight + minutes * MINUTE;
            clock.set(now);
            dispatcher_round(&mut center, &config, now)?;
            lap(&mut t_center);
            for d in &mut depts {
                department_round(d, now, &mut rng)?;
            }
            lap(&mut t_depts);
            if stage == 3 {
                clock.set(now + HOUR);
                for r in &mut residents {
                    for (id, v) in r.cases(&[Status::Closed], &called)? {
                        let me = r.store.identity().user.clone();
                        if v.callback_done || v.reporter.as_ref() != Some(&me) {
                            if v.callback_done {
                                called.insert(id);
                            }
                            continue;
                        }
                        let p = frac(&id, 7 + u64::from(v.reopens));
                        let satisfaction = if p < 0.86 {
                            Satisfaction::Satisfied
                        } else if p < 0.96 {
                            Satisfaction::BasicallySatisfied
                        } else {
                            Satisfaction::Unsatisfied
                        };
                        let comment = match satisfaction {
                            Satisfaction::Unsatisfied => "问题还在，希望再处理",
                            _ => "满意",
                        };
                        r.act(
                            &id,
                            D::Callback {
                                satisfaction,
                                comment: comment.into(),
                            },
                            now + HOUR,
                        );
                    }
                }
                // Re-inspection of watched places, a month after closing.
                officer.sync()?;
                for (id, v) in officer.cases(&[Status::Closed], &inspected)? {
                    let category = officer.store.load(&id)?.read()?.category;
                    let watched = config
                        .category(category.as_str())
                        .is_some_and(|c| c.recurrence_watch_days > 0);
                    if !watched || v.reinspections > 0 || v.recurrence_of.is_some() {
                        inspected.insert(id);
                        continue;
                    }
                    if v.closed_at.is_some_and(|c| now - c > 30 * DAY) {
                        officer.act(
                            &id,
                            D::Reinspected {
                                note: "复查未见反弹".into(),
                                recurred: false,
                            },
                            now + HOUR,
                        );
                        inspected.insert(id);
                    }
                }
                officer.sync()?;
                lap(&mut t_evening);
            }
        }
        if day % 10 == 9 {
            tracing::debug!(
                day,
                reports = ?t_reports,
                center = ?t_center,
                departments = ?t_depts,
                evening = ?t_evening,
                "demo progress"
            );
        }
    }
    // Back to the present, and a last tick so reminders are up to date.
    clock.set(today);
    for p in depts.iter_mut().chain(residents.iter_mut()) {
        p.sync()?;
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    center.sync()?;
    server.stop()?;

    let conn = rusqlite::Connection::open(data.join("paidan.db"))?;
    let f = crate::figures::query(&conn, &config, 0, today + 1, clock.now_ms())?;
    let c = &f.street.counts;
    let mut out = format!(
        "{} {}: 受理 {} received, 结案 {} closed, 超期 {} overdue, 退单 {} returned, 重办 {} reopened, 反复 {} recurrences",
        config.street.name_zh,
        config.street.name_en,
        c.received,
        c.closed,
        c.overdue,
        c.returned,
        c.reopened,
        c.recurrences
    );
    if let Some(s) = f.street.rates.satisfaction {
        out.push_str(&format!(", 满意率 {:.1}% satisfaction", s * 100.0));
    }
    for d in &f.departments {
        out.push_str(&format!(
            "\n  {} {}: {} received, score {:.1}/20",
            d.name_zh,
            d.name_en,
            d.counts.received,
            d.score.unwrap_or(0.0)
        ));
    }
    Ok(out)
}

fn file(
    p: &mut Phone,
    category: &str,
    text: &str,
    lat: f64,
    lon: f64,
    at: i64,
) -> anyhow::Result<CaseId> {
    let me = p.store.identity().clone();
    let mut location = Location::new(lat, lon)?;
    location.address = Some("阜新街道".into());
    let new = NewCase {
        id: CaseId::new(),
        category: category.into(),
        title: text.chars().take(20).collect(),
        description: text.into(),
        location,
        created: Created {
            at,
            by: UserId::from(me.user.as_str()),
            role: me.role,
            channel: Channel::for_role(me.role),
        },
    };
    Ok(p.store.create_case(&new, None, &[])?)
}

/// The center's round: dispatch what is triaged, re-dispatch what came
/// back, grant extensions, verify and close what is done.
fn dispatcher_round(center: &mut Phone, config: &Config, now: i64) -> anyhow::Result<()> {
    center.sync()?;
    let states = [
        Status::Triaged,
        Status::Returned,
        Status::Completed,
        Status::Dispatched,
        Status::InProgress,
    ];
    for (id, v) in center.cases(&states, &Default::default())? {
        let case = center.store.load(&id)?.read()?;
        let category = config.category(
            v.category_override
                .as_ref()
                .unwrap_or(&case.category)
                .as_str(),
        );
        let deadline = category
            .map(|c| config.calendar.deadline(now, c.limit))
            .unwrap_or(now + 3 * DAY);
        match v.status {
            Status::Triaged => {
                let mut departments = v.suggested.clone();
                if departments.is_empty() {
                    departments.push("urban_mgmt".into());
                }
                center.act(
                    &id,
                    D::Dispatched {
                        departments,
                        deadline,
                    },
                    now,
                );
            }
            Status::Returned => {
                // 改派: to the other department that could do it.
                let from: Vec<_> = v
                    .assignments
                    .iter()
                    .filter(|a| a.state == AssignmentState::Returned)
                    .map(|a| a.dept.clone())
                    .collect();
                let to = config
                    .catalog
                    .departments
                    .iter()
                    .map(|d| d.code.clone())
                    .find(|d| !from.contains(d) && d.as_str() != "onsite")
                    .unwrap_or_else(|| "urban_mgmt".into());
                center.act(
                    &id,
                    D::Dispatched {
                        departments: vec![to],
                        deadline,
                    },
                    now,
                );
            }
            Status::Completed => {
                if frac(&id, 3 + u64::from(v.reopens)) < 0.05 && v.returns == 0 {
                    center.act(
                        &id,
                        D::VerificationFailed {
                            reason: "现场核查未整改到位".into(),
                        },
                        now,
                    );
                } else {
                    center.act(
                        &id,
                        D::Verified {
                            note: "现场核查通过".into(),
                        },
                        now,
                    );
                    center.act(
                        &id,
                        D::Closed {
                            note: String::new(),
                        },
                        now + MINUTE,
                    );
                }
            }
            Status::Dispatched | Status::InProgress => {
                for a in &v.assignments {
                    if let Some(until) = a.extension_requested {
                        center.act(
                            &id,
                            D::ExtensionGranted {
                                department: a.dept.clone(),
                                until,
                            },
                            now,
                        );
                    }
                }
            }
            _ => {}
        }
    }
    center.sync()
}

/// A department's round: accept or return new orders, finish the work
/// when its time has come.
fn department_round(d: &mut Phone, now: i64, rng: &mut fastrand::Rng) -> anyhow::Result<()> {
    d.sync()?;
    let me = d.store.identity().dept.clone();
    let Some(me) = me else { return Ok(()) };
    for (id, v) in d.cases(
        &[Status::Dispatched, Status::InProgress],
        &Default::default(),
    )? {
        let Some(a) = v.assignment(&me) else { continue };
        let span = (a.deadline - a.dispatched_at).max(HOUR);
        match a.state {
            AssignmentState::Pending => {
                let p = frac(&id, 11 + u64::from(v.returns));
                if p < 0.04 && v.returns == 0 {
                    d.act(
                        &id,
                        D::Returned {
                            reason: "不属于本部门职责，请改派".into(),
                        },
                        now,
                    );
                } else if p < 0.10 && now - a.dispatched_at < DAY {
                    // Slow to respond: accepts tomorrow.
                } else {
                    d.act(&id, D::Accepted, now);
                }
            }
            AssignmentState::Accepted => {
                let accepted = a.accepted_at.unwrap_or(now);
                let planned = accepted
                    + (span as f64 * (0.2 + 1.1 * frac(&id, 5 + u64::from(v.reopens)))) as i64;
                if now >= planned {
                    d.act(
                        &id,
                        D::Completed {
                            note: "已处置完毕".into(),
                            photos: vec![],
                        },
                        now,
                    );
                } else if a.extension_requested.is_none()
                    && rng.u32(0..100) < 2
                    && now > a.deadline - span / 4
                {
                    d.act(
                        &id,
                        D::ExtensionRequested {
                            until: a.deadline + span,
                            reason: "需协调施工，申请延期".into(),
                        },
                        now,
                    );
                } else if rng.u32(0..100) < 10 {
                    d.act(
                        &id,
                        D::Progress {
                            note: "正在处置".into(),
                            photos: vec![],
                        },
                        now,
                    );
                }
            }
            _ => {}
        }
    }
    // What was done here goes up with the next round's sync.
    Ok(())
}
