//! The figures against a fixture computed by hand. Facts are written after
//! every event, as the engine does, so returns and re-dispatches leave the
//! same trail as in production.

use super::*;
use crate::config::Config;
use chrono::TimeZone;
use paidan_core::testing::new_case;
use paidan_core::{CaseDoc, DeptCode, Event, EventData as D, EventId, Role, Satisfaction, UserId};

fn at(m: u32, d: u32, h: u32, min: u32) -> i64 {
    let y = if m >= 11 { 2026 } else { 2027 };
    chrono::FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .timestamp_millis()
}

struct Fixture {
    conn: rusqlite::Connection,
    config: Config,
    _dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::db::schema::open(&dir.path().join("f.db")).unwrap();
        Fixture {
            conn,
            config: Config::demo(),
            _dir: dir,
        }
    }

    /// A case reported at `reported` at (lat, lon), then `events`; facts
    /// written after each.
    fn case(
        &self,
        category: &str,
        reported: i64,
        place: (f64, f64),
        events: Vec<(i64, &str, Role, Option<&str>, D)>,
    ) {
        let mut new = new_case("pan", Role::Resident, category, "fixture", 0);
        new.created.at = reported;
        new.location.lat = place.0;
        new.location.lon = place.1;
        let mut doc = CaseDoc::create(&new, &automerge::ActorId::random()).unwrap();
        let grid = self
            .config
            .area
            .locate(place.0, place.1)
            .map(|g| g.code.clone());
        let mut all = vec![(
            reported,
            "system",
            Role::System,
            None,
            D::Triaged {
                grid,
                departments: vec![],
                urgent: false,
                category: None,
            },
        )];
        all.extend(events);
        self.write(&mut doc);
        for (t, by, role, dept, data) in all {
            doc.append_event(&Event {
                id: EventId::new(),
                at: t,
                by: UserId::from(by),
                role,
                dept: dept.map(DeptCode::from),
                data,
            })
            .unwrap();
            self.write(&mut doc);
        }
        let v = doc.view().unwrap();
        assert!(
            v.superseded.is_empty(),
            "fixture events all apply: {:?}",
            v.superseded
        );
    }

    fn write(&self, doc: &mut CaseDoc) {
        let case = doc.read().unwrap();
        let view = case.view();
        facts::write(
            &self.conn,
            &facts::facts_of(&self.config, &case, &view),
            &view.returned_by,
        )
        .unwrap();
    }
}

fn center(t: i64, data: D) -> (i64, &'static str, Role, Option<&'static str>, D) {
    (t, "ren", Role::Dispatcher, None, data)
}

fn dept(t: i64, d: &'static str, data: D) -> (i64, &'static str, Role, Option<&'static str>, D) {
    (t, "staff", Role::DeptLiaison, Some(d), data)
}

fn resident(t: i64, s: Satisfaction) -> (i64, &'static str, Role, Option<&'static str>, D) {
    (
        t,
        "pan",
        Role::Resident,
        None,
        D::Callback {
            satisfaction: s,
            comment: String::new(),
        },
    )
}

fn dispatch(
    t: i64,
    depts: &[&str],
    deadline: i64,
) -> (i64, &'static str, Role, Option<&'static str>, D) {
    center(
        t,
        D::Dispatched {
            departments: depts.iter().map(|d| DeptCode::from(*d)).collect(),
            deadline,
        },
    )
}

fn done(t: i64, d: &'static str) -> (i64, &'static str, Role, Option<&'static str>, D) {
    dept(
        t,
        d,
        D::Completed {
            note: String::new(),
            photos: vec![],
        },
    )
}

fn close(t: i64) -> Vec<(i64, &'static str, Role, Option<&'static str>, D)> {
    vec![
        center(
            t,
            D::Verified {
                note: String::new(),
            },
        ),
        center(
            t + 60_000,
            D::Closed {
                note: String::new(),
            },
        ),
    ]
}

const FXHY1: (f64, f64) = (44.160, 87.980);
const FXHY2: (f64, f64) = (44.170, 87.980);
const GWC: (f64, f64) = (44.150, 87.980);

#[test]
fn the_figures_of_december_match_the_hand_computed_fixture() {
    let f = Fixture::new();
    // A: garbage, accepted in 30 min, done on time, closed, satisfied.
    let mut a = vec![
        dispatch(at(12, 1, 10, 0), &["urban_mgmt"], at(12, 1, 14, 0)),
        dept(at(12, 1, 10, 30), "urban_mgmt", D::Accepted),
        done(at(12, 1, 13, 0), "urban_mgmt"),
    ];
    a.extend(close(at(12, 1, 13, 30)));
    a.push(resident(at(12, 1, 18, 0), Satisfaction::Satisfied));
    f.case("sanitation.garbage", at(12, 1, 9, 50), FXHY1, a);
    // B: signboard, accepted late (16:00 > 12:00), done late, basically satisfied.
    let mut b = vec![
        dispatch(at(12, 1, 10, 0), &["urban_mgmt"], at(12, 3, 10, 0)),
        dept(at(12, 1, 16, 0), "urban_mgmt", D::Accepted),
        done(at(12, 5, 11, 0), "urban_mgmt"),
    ];
    b.extend(close(at(12, 5, 12, 0)));
    b.push(resident(at(12, 5, 18, 0), Satisfaction::BasicallySatisfied));
    f.case("street.signboard", at(12, 1, 9, 55), FXHY1, b);
    // C: joint order; 城管 accepts, 市场监管 never does; open past its deadline.
    f.case(
        "street.stall",
        at(12, 2, 9, 0),
        GWC,
        vec![
            dispatch(
                at(12, 2, 10, 0),
                &["urban_mgmt", "market"],
                at(12, 3, 10, 0),
            ),
            dept(at(12, 2, 10, 30), "urban_mgmt", D::Accepted),
        ],
    );
    // D: returned by 城管, re-dispatched to 市场监管, done on time, unsatisfied.
    let mut d = vec![
        dispatch(at(12, 4, 10, 0), &["urban_mgmt"], at(12, 8, 10, 0)),
        dept(
            at(12, 4, 10, 20),
            "urban_mgmt",
            D::Returned {
                reason: "不属于本部门".into(),
            },
        ),
        dispatch(at(12, 4, 10, 40), &["market"], at(12, 8, 10, 0)),
        dept(at(12, 4, 11, 0), "market", D::Accepted),
        done(at(12, 7, 11, 0), "market"),
    ];
    d.extend(close(at(12, 7, 12, 0)));
    d.push(resident(at(12, 7, 18, 0), Satisfaction::Unsatisfied));
    f.case("food.restaurant", at(12, 4, 9, 0), FXHY2, d);
    // E: a manhole cover handled on site.
    f.case(
        "road.manhole",
        at(12, 3, 11, 0),
        FXHY2,
        vec![(
            at(12, 3, 11, 20),
            "li",
            Role::PatrolOfficer,
            None,
            D::HandledOnSite {
                note: String::new(),
                before: vec![],
                after: vec![],
            },
        )],
    );
    // F: November, outside the period.
    f.case(
        "sanitation.garbage",
        at(11, 20, 10, 0),
        FXHY1,
        vec![dispatch(
            at(11, 20, 10, 5),
            &["urban_mgmt"],
            at(11, 20, 14, 0),
        )],
    );

    let (from, to) = period::period(
        &f.config,
        Some("2026-12-01"),
        Some("2026-12-31"),
        at(1, 10, 12, 0),
    )
    .unwrap();
    let figs = query(&f.conn, &f.config, from, to, at(1, 10, 12, 0)).unwrap();

    let street = &figs.street.counts;
    assert_eq!(
        street,
        &Counts {
            received: 5,
            responded: 4,
            due: 5,
            closed: 4,
            closed_on_time: 3,
            overdue: 2,
            returned: 1,
            reopened: 0,
            held: 0,
            recurrences: 0,
            callbacks: 3,
            satisfied: 2,
        }
    );
    let r = &figs.street.rates;
    assert_eq!(r.response, Some(0.8));
    assert_eq!(r.resolution, Some(0.8));
    assert_eq!(r.on_time, Some(0.6));
    assert_eq!(r.satisfaction, Some(2.0 / 3.0));

    let line = |code: &str| figs.departments.iter().find(|l| l.code == code).unwrap();
    let urban = line("urban_mgmt");
    assert_eq!(
        urban.counts,
        Counts {
            received: 4,
            responded: 2,
            due: 3,
            closed: 2,
            closed_on_time: 1,
            overdue: 2,
            returned: 1,
            reopened: 0,
            held: 0,
            recurrences: 0,
            callbacks: 2,
            satisfied: 2,
        }
    );
    // 4 × 1/2 + 5 × 2/3 + 6 × 1/3 + 5 × 1 = 12.33
    assert_eq!(urban.score, Some(12.3));
    let market = line("market");
    assert_eq!(
        (
            market.counts.received,
            market.counts.responded,
            market.counts.due
        ),
        (2, 1, 2)
    );
    assert_eq!(
        (
            market.counts.closed,
            market.counts.overdue,
            market.counts.callbacks,
            market.counts.satisfied
        ),
        (1, 1, 1, 0)
    );
    // 4 × 1/2 + 5 × 1/2 + 6 × 1/2 + 5 × 0 = 7.5
    assert_eq!(market.score, Some(7.5));
    // Nothing dispatched to 住建局: full marks, nothing counted.
    assert_eq!(line("housing").score, Some(20.0));
    assert_eq!(line("housing").counts, Counts::default());

    let grid = |code: &str| figs.grids.iter().find(|l| l.code == code).unwrap();
    assert_eq!(grid("fxhy-01").counts.received, 2);
    assert_eq!(grid("fxhy-02").counts.received, 2);
    assert_eq!(grid("gwc-01").counts.overdue, 1);

    // The downloads carry the same numbers.
    let csv = String::from_utf8(export::csv(&figs).unwrap()).unwrap();
    let urban_row = csv.lines().find(|l| l.contains("urban_mgmt")).unwrap();
    assert!(
        urban_row.starts_with("department,urban_mgmt,城市管理局"),
        "{urban_row}"
    );
    assert!(
        urban_row.contains(",4,2,3,2,1,2,1,0,0,0,2,2,"),
        "{urban_row}"
    );
    assert!(urban_row.ends_with(",12.3000"), "{urban_row}");
    let xlsx = export::xlsx(&figs).unwrap();
    assert_eq!(&xlsx[..2], b"PK", "an XLSX is a zip");
}
