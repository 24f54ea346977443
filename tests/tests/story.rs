//! The story end to end (阜新花园, 2017), through real phones and a real
//! server whose clock the test drives: the back-door report and its
//! duplicate, the joint order to three departments, the pigeon shed
//! completed, re-inspected and later back, the manhole cover handled on
//! site, an order returned and re-dispatched, an overdue order reminded and
//! escalated, and a callback that reopens.

use paidan_core::{CaseId, EventData as D, ReminderStage, Role, Satisfaction, Status};
use paidan_server::config::Config;
use paidan_tests::{ManualClock, Phone, TestResult, TestServer};
use std::sync::Arc;
use std::time::{Duration, Instant};

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
/// Tuesday 2026-12-01, 10:30 in Fukang (UTC+8).
const T0: i64 = 1_796_092_200_000;
/// 阜新花园小区后门.
const BACK_DOOR: (f64, f64) = (44.1600, 87.9800);

struct World {
    // Kept alive for the whole story.
    _server: TestServer,
    clock: Arc<ManualClock>,
    url: String,
}

impl World {
    fn now(&self) -> i64 {
        use paidan_server::clock::Clock;
        self.clock.now_ms()
    }
    fn later(&self, ms: i64) -> i64 {
        self.clock.advance(ms);
        self.now()
    }
}

impl World {
    /// The dispatcher sends `case` to `depts` with the category's deadline.
    fn dispatch(
        &self,
        ren: &mut Phone,
        case: &CaseId,
        depts: &[&str],
        category: &str,
    ) -> TestResult {
        let config = Config::demo();
        let limit = config.category(category).unwrap().limit;
        let now = self.later(HOUR);
        ren.sync(&self.url)?;
        ren.act_at(
            case,
            D::Dispatched {
                departments: depts.iter().map(|d| (*d).into()).collect(),
                deadline: config.calendar.deadline(now, limit),
            },
            now,
        );
        ren.sync(&self.url)?;
        Ok(())
    }

    /// A department accepts and, a day later, completes.
    fn work(&self, dept: &mut Phone, case: &CaseId, note: &str) -> TestResult {
        dept.sync(&self.url)?;
        dept.act_at(case, D::Accepted, self.later(HOUR));
        dept.act_at(
            case,
            D::Completed {
                note: note.into(),
                photos: vec![],
            },
            self.later(DAY),
        );
        dept.sync(&self.url)?;
        Ok(())
    }

    /// The center verifies on site and closes.
    fn verify_and_close(&self, ren: &mut Phone, case: &CaseId) -> TestResult {
        ren.sync(&self.url)?;
        ren.act_at(
            case,
            D::Verified {
                note: "现场核查通过".into(),
            },
            self.later(HOUR),
        );
        ren.act_at(
            case,
            D::Closed {
                note: String::new(),
            },
            self.later(60_000),
        );
        ren.sync(&self.url)?;
        Ok(())
    }
}

/// Sync `phone` until `check` holds on `case` (the scheduler works on its
/// own tick), or fail after a few seconds.
fn sync_until(
    phone: &mut Phone,
    url: &str,
    case: &paidan_core::CaseId,
    what: &str,
    check: impl Fn(&paidan_core::CaseView) -> bool,
) -> TestResult {
    let start = Instant::now();
    loop {
        phone.sync(url)?;
        if check(&phone.view(case)) {
            return Ok(());
        }
        anyhow::ensure!(
            start.elapsed() < Duration::from_secs(10),
            "gave up waiting for: {what}"
        );
        std::thread::sleep(Duration::from_millis(30));
    }
}

fn get_json(url: &str, token: &str) -> anyhow::Result<serde_json::Value> {
    let (status, body) = paidan_tests::get(url, Some(token))?;
    anyhow::ensure!(status == 200, "{url}: {status} {body}");
    Ok(serde_json::from_str(&body)?)
}

#[test]
fn the_story_of_fuxin_garden_end_to_end() -> TestResult {
    let clock = Arc::new(ManualClock::at(T0));
    let server = TestServer::start_at(tempfile::tempdir()?, clock.clone());
    let w = World {
        url: server.url(),
        _server: server,
        clock,
    };
    let url = w.url.clone();
    let config = Config::demo();
    let mut pan = Phone::new("pan-yunyan", Role::Resident, None);
    let mut wang = Phone::new("wang", Role::Resident, None);
    let mut ren = Phone::new("ren", Role::Dispatcher, None);
    let mut li = Phone::new("patrol-li", Role::PatrolOfficer, None);
    let mut urban = Phone::new("urban-1", Role::DeptLiaison, Some("urban_mgmt"));
    let mut env = Phone::new("env-1", Role::DeptLiaison, Some("environment"));
    let mut market = Phone::new("market-1", Role::DeptLiaison, Some("market"));

    // 1. 潘阿姨 reports the back door: waste water and garbage.
    let back_door = pan.report_at(
        "sanitation.wastewater",
        "小区后门饭馆脏水往街上泼，垃圾随地扔，冬天结冰",
        BACK_DOOR.0,
        BACK_DOOR.1,
        w.now(),
    );
    pan.sync(&url)?;
    let v = pan.view(&back_door);
    assert_eq!(v.status, Status::Triaged, "triaged in the same sync");
    assert_eq!(v.grid.as_ref().map(|g| g.as_str()), Some("fxhy-01"));
    assert_eq!(v.suggested.len(), 2, "城市管理局 and 生态环境局 suggested");

    // 2. A neighbour reports the same place: "someone was ahead of you".
    let again = wang.report_at(
        "sanitation.wastewater",
        "后门污水",
        BACK_DOOR.0 + 0.0002,
        BACK_DOOR.1,
        w.later(10 * 60_000),
    );
    wang.sync(&url)?;
    let dup = wang.view(&again);
    assert_eq!(dup.status, Status::Merged);
    assert_eq!(dup.merged_into, Some(back_door));
    let original = wang.view(&back_door);
    assert!(
        original.followers.iter().any(|f| f.as_str() == "wang"),
        "she follows the existing order and sees its progress"
    );

    // 3. The center makes it a joint order of three departments.
    ren.sync(&url)?;
    let limit = config.category("sanitation.wastewater").unwrap().limit;
    let now = w.later(HOUR);
    ren.act_at(
        &back_door,
        D::Dispatched {
            departments: vec!["urban_mgmt".into(), "environment".into(), "market".into()],
            deadline: config.calendar.deadline(now, limit),
        },
        now,
    );
    ren.sync(&url)?;
    for dept in [&mut urban, &mut env, &mut market] {
        dept.sync(&url)?;
        let t = w.later(10 * 60_000);
        dept.act_at(&back_door, D::Accepted, t);
        dept.sync(&url)?;
    }
    for (i, dept) in [&mut urban, &mut env, &mut market].into_iter().enumerate() {
        dept.sync(&url)?;
        let t = w.later(HOUR);
        let v = dept.act_at(
            &back_door,
            D::Completed {
                note: "清运垃圾，拆除牌匾，整治摊点".into(),
                photos: vec![],
            },
            t,
        );
        let want = if i < 2 {
            Status::InProgress
        } else {
            Status::Completed
        };
        assert_eq!(v.status, want, "complete only when all three are");
        dept.sync(&url)?;
    }
    ren.sync(&url)?;
    ren.act_at(
        &back_door,
        D::Verified {
            note: "现场核查通过".into(),
        },
        w.later(HOUR),
    );
    ren.act_at(
        &back_door,
        D::Closed {
            note: String::new(),
        },
        w.later(60_000),
    );
    ren.sync(&url)?;
    pan.sync(&url)?;
    pan.act_at(
        &back_door,
        D::Callback {
            satisfaction: Satisfaction::Satisfied,
            comment: "满意".into(),
        },
        w.later(HOUR),
    );
    pan.sync(&url)?;
    let v = pan.view(&back_door);
    assert_eq!(v.status, Status::Closed);
    assert_eq!(v.satisfaction, Some(Satisfaction::Satisfied));
    assert!(v.superseded.is_empty(), "{:?}", v.superseded);

    // 4. The pigeon shed: completed, closed, re-inspected, and back later.
    let shed_place = (44.1630, 87.9790);
    let shed = pan.report_at(
        "structure.pigeon_shed",
        "楼上阳台私搭鸽棚，鸽子毛飞进窗户",
        shed_place.0,
        shed_place.1,
        w.later(HOUR),
    );
    pan.sync(&url)?;
    w.dispatch(&mut ren, &shed, &["urban_mgmt"], "structure.pigeon_shed")?;
    w.work(&mut urban, &shed, "鸽棚已拆除")?;
    w.verify_and_close(&mut ren, &shed)?;
    li.sync(&url)?;
    let tasks = get_json(&format!("{url}/v1/inspections?grid=fxhy-01"), &li.token())?;
    let sheds: Vec<_> = tasks
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["case"] == shed.to_string())
        .collect();
    assert_eq!(sheds.len(), 6, "every 30 days for the 180-day watch");
    assert!(
        sheds
            .windows(2)
            .all(|w| w[0]["due_at"].as_i64() < w[1]["due_at"].as_i64())
    );
    li.sync(&url)?;
    li.act_at(
        &shed,
        D::Reinspected {
            note: "未见反弹".into(),
            recurred: false,
        },
        w.later(30 * DAY),
    );
    li.sync(&url)?;
    let open_for_shed = |tasks: &serde_json::Value| {
        tasks
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["case"] == shed.to_string())
            .count()
    };
    assert_eq!(
        open_for_shed(&get_json(
            &format!("{url}/v1/inspections?grid=fxhy-01"),
            &li.token()
        )?),
        5,
        "the first one is done"
    );
    assert_eq!(
        open_for_shed(&get_json(
            &format!("{url}/v1/inspections?grid=fxhy-01&all=true"),
            &li.token()
        )?),
        6
    );
    // Forty days after closing, a shed is back at the same balcony.
    let back = pan.report_at(
        "structure.pigeon_shed",
        "鸽棚又搭起来了",
        shed_place.0,
        shed_place.1 + 0.0001,
        w.later(10 * DAY),
    );
    pan.sync(&url)?;
    let v = pan.view(&back);
    assert_eq!(v.recurrence_of, Some(shed), "linked as a recurrence");
    assert_eq!(v.status, Status::Triaged);

    // 5. A missing manhole cover, handled on site by the patrol officer.
    let manhole = li.report_at(
        "road.manhole",
        "窨井盖不见了",
        44.1570,
        87.9760,
        w.later(HOUR),
    );
    li.act_at(
        &manhole,
        D::HandledOnSite {
            note: "已补装井盖".into(),
            before: vec![],
            after: vec![],
        },
        w.later(20 * 60_000),
    );
    li.sync(&url)?;
    let v = li.view(&manhole);
    assert_eq!(v.status, Status::Closed);
    assert!(v.handled_on_site);

    // 6. Returned (退单) and re-dispatched (改派).
    let kitchen = pan.report_at(
        "food.restaurant",
        "后门小饭馆后厨卫生差",
        44.1590,
        87.9810,
        w.later(HOUR),
    );
    pan.sync(&url)?;
    w.dispatch(&mut ren, &kitchen, &["urban_mgmt"], "food.restaurant")?;
    urban.sync(&url)?;
    urban.act_at(
        &kitchen,
        D::Returned {
            reason: "餐饮卫生属市场监督管理局职责".into(),
        },
        w.later(HOUR),
    );
    urban.sync(&url)?;
    ren.sync(&url)?;
    assert_eq!(ren.view(&kitchen).status, Status::Returned);
    w.dispatch(&mut ren, &kitchen, &["market"], "food.restaurant")?;
    w.work(&mut market, &kitchen, "责令整改")?;
    w.verify_and_close(&mut ren, &kitchen)?;

    // 7. The callback is unsatisfied: the server reopens it to 市场监督管理局.
    pan.sync(&url)?;
    pan.act_at(
        &kitchen,
        D::Callback {
            satisfaction: Satisfaction::Unsatisfied,
            comment: "还是很脏".into(),
        },
        w.later(HOUR),
    );
    pan.sync(&url)?;
    let v = pan.view(&kitchen);
    assert_eq!(v.reopens, 1, "reopened (重办)");
    assert_eq!(v.status, Status::Dispatched);
    assert_eq!(v.assignments[0].dept.as_str(), "market");
    assert_eq!(v.returned_by.len(), 1);

    // 8. Exposed garbage is dispatched at once; left alone it is reminded
    //    and then escalated.
    let garbage = wang.report_at(
        "sanitation.garbage",
        "购物城门口垃圾成堆",
        44.1500,
        87.9800,
        w.later(HOUR),
    );
    wang.sync(&url)?;
    let v = wang.view(&garbage);
    assert_eq!(v.status, Status::Dispatched, "auto-dispatched");
    assert_eq!(v.grid.as_ref().map(|g| g.as_str()), Some("gwc-01"));
    let deadline = v.deadline().expect("a deadline");
    w.clock.set(deadline + 9 * HOUR);
    sync_until(&mut ren, &url, &garbage, "reminded and escalated", |v| {
        v.escalations == 1
    })?;
    let v = ren.view(&garbage);
    assert!(v.reminder_stages.contains(&ReminderStage::Due));
    assert!(v.reminder_stages.contains(&ReminderStage::Overdue));
    assert!(v.is_overdue(w.now()));

    // Everyone sees the same state of every case.
    for p in [
        &mut pan,
        &mut wang,
        &mut li,
        &mut urban,
        &mut env,
        &mut market,
    ] {
        p.sync(&url)?;
    }
    ren.sync(&url)?;
    // Everyone agrees on what they hold, and holds only what their role
    // may see: residents their own and followed cases, departments the
    // orders dispatched to them, the officer and the center all.
    let all = [back_door, again, shed, back, manhole, kitchen, garbage];
    for id in all {
        let v = ren.view(&id);
        for p in [&pan, &wang, &li, &urban, &env, &market] {
            if p.case_ids().contains(&id) {
                assert_eq!(p.view(&id), v, "every phone agrees on {id}");
            }
        }
    }
    let mut everything = all.to_vec();
    everything.sort();
    assert_eq!(li.case_ids(), everything, "the officer sees the street");
    for p in [&pan, &wang] {
        let me = p.store.identity().user.clone();
        for id in p.case_ids() {
            let v = ren.view(&id);
            assert!(
                v.reporter.as_ref() == Some(&me) || v.followers.contains(&me),
                "{me} holds {id}, which is neither theirs nor followed"
            );
        }
    }
    for p in [&urban, &env, &market] {
        let dept = p.store.identity().dept.clone().unwrap();
        assert!(!p.case_ids().is_empty());
        for id in p.case_ids() {
            let events = ren.store.load(&id)?.events()?;
            assert!(
                events.iter().any(|e| matches!(&e.data, D::Dispatched { departments, .. } if departments.contains(&dept))),
                "{dept} holds {id}, never dispatched to it"
            );
        }
    }

    // The figures count what happened.
    let f = get_json(&format!("{url}/v1/figures?format=json"), &li.token())?;
    let dept = |code: &str| {
        f["departments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == code)
            .unwrap()
            .clone()
    };
    assert_eq!(f["street"]["counts"]["received"], 7);
    assert_eq!(f["street"]["counts"]["recurrences"], 1);
    assert_eq!(dept("urban_mgmt")["counts"]["returned"], 1);
    assert_eq!(dept("market")["counts"]["received"], 2);
    assert_eq!(dept("market")["counts"]["reopened"], 1);
    assert_eq!(dept("environment")["counts"]["closed"], 1);

    // Bad queries are clear errors.
    for (path, status) in [
        ("/v1/inspections?grid=nowhere", 404),
        ("/v1/figures?from=2026-13-01", 400),
        ("/v1/figures?format=pdf", 400),
    ] {
        let (got, body) = paidan_tests::get(&format!("{url}{path}"), Some(&li.token()))?;
        assert_eq!(got, status, "{path}: {body}");
    }
    Ok(())
}
