//! Facts: what the figures count, one row per case (`dept = ""`) and one
//! per department it was dispatched to, written at every transition from
//! the case's view. Flags such as "responded in time" and "completed on
//! time" are fixed here, when the transition happens, so a later change of
//! the rules (the calendar, the response time) does not rewrite history.

use crate::config::Config;
use paidan_core::{AssignmentState, Case, CaseId, CaseView, Satisfaction, Status};
use rusqlite::{Connection, params};

/// One row of the `facts` table.
#[derive(Clone, Debug, PartialEq)]
pub struct Fact {
    /// The case.
    pub case_id: CaseId,
    /// The department, or "" for the case as a whole.
    pub dept: String,
    /// Category (after any correction at triage).
    pub category: String,
    /// Grid.
    pub grid: Option<String>,
    /// The case's status (case row) or the department part's state
    /// (`pending`, `accepted`, `returned`, `completed`).
    pub state: String,
    /// Reported (ms).
    pub reported_at: i64,
    /// Dispatched (first dispatch for the case row).
    pub dispatched_at: Option<i64>,
    /// The deadline as of the last transition.
    pub deadline: Option<i64>,
    /// Accepted (first acceptance for the case row).
    pub accepted_at: Option<i64>,
    /// Accepted within the response time.
    pub responded_on_time: Option<bool>,
    /// Completed (the last part, for the case row).
    pub completed_at: Option<i64>,
    /// Completed on or before its deadline (every part, for the case row).
    pub completed_on_time: Option<bool>,
    /// Closed (结案), while the case is closed.
    pub closed_at: Option<i64>,
    /// Returns (退单): of this department, or all.
    pub returns: u32,
    /// Reopens (重办).
    pub reopens: u32,
    /// Holds (挂账).
    pub holds: u32,
    /// A recurrence of an earlier case.
    pub recurrence: bool,
    /// Closed on site.
    pub on_site: bool,
    /// The callback's verdict.
    pub satisfaction: Option<Satisfaction>,
}

impl Fact {
    /// Is the case closed (结案, or closed on site)?
    pub fn is_closed(&self) -> bool {
        self.closed_at.is_some()
    }
}

/// The facts of a case now.
pub fn facts_of(config: &Config, case: &Case, view: &CaseView) -> Vec<Fact> {
    let category = view
        .category_override
        .as_ref()
        .unwrap_or(&case.category)
        .to_string();
    let grid = view
        .grid
        .as_ref()
        .or(case.location.grid.as_ref())
        .map(|g| g.to_string());
    let closed_at = if view.status == Status::Closed {
        view.closed_at
    } else {
        None
    };
    let reported_at = view.reported_at.unwrap_or(case.created.at);
    let responded = |dispatched: i64, accepted: Option<i64>| {
        accepted.map(|a| {
            let limit = config.calendar.add_working_minutes(
                dispatched,
                i64::from(config.scoring.response_working_hours) * 60,
            );
            a <= limit
        })
    };
    let base = Fact {
        case_id: case.id,
        dept: String::new(),
        category,
        grid,
        state: view.status.as_str().to_owned(),
        reported_at,
        dispatched_at: view.first_dispatched_at,
        deadline: None,
        accepted_at: None,
        responded_on_time: None,
        completed_at: None,
        completed_on_time: None,
        closed_at,
        returns: view.returns,
        reopens: view.reopens,
        holds: view.holds,
        recurrence: view.recurrence_of.is_some(),
        on_site: view.handled_on_site,
        satisfaction: view.satisfaction,
    };
    let live: Vec<_> = view
        .assignments
        .iter()
        .filter(|a| a.state != AssignmentState::Returned)
        .collect();
    let mut whole = base.clone();
    whole.deadline = live.iter().map(|a| a.deadline).max();
    whole.accepted_at = live.iter().filter_map(|a| a.accepted_at).min();
    let all_done = !live.is_empty() && live.iter().all(|a| a.completed_at.is_some());
    if all_done {
        whole.completed_at = live.iter().filter_map(|a| a.completed_at).max();
        whole.completed_on_time = Some(live.iter().all(|a| a.completed_on_time == Some(true)));
    }
    if view.handled_on_site {
        whole.completed_at = view.closed_at;
        whole.completed_on_time = Some(true);
        whole.responded_on_time = Some(true);
    } else if let Some(d) = view.first_dispatched_at {
        whole.responded_on_time = responded(d, whole.accepted_at).or(Some(false));
        if whole.accepted_at.is_none() {
            whole.responded_on_time = None;
        }
    }
    let mut out = vec![whole];
    for a in &view.assignments {
        let state = match a.state {
            AssignmentState::Pending => "pending",
            AssignmentState::Accepted => "accepted",
            AssignmentState::Returned => "returned",
            AssignmentState::Completed => "completed",
        };
        out.push(Fact {
            dept: a.dept.to_string(),
            state: state.to_owned(),
            dispatched_at: Some(a.dispatched_at),
            deadline: Some(a.deadline),
            accepted_at: a.accepted_at,
            responded_on_time: responded(a.dispatched_at, a.accepted_at),
            completed_at: a.completed_at,
            completed_on_time: a.completed_on_time,
            closed_at: closed_at.filter(|_| a.state == AssignmentState::Completed),
            returns: view.returned_by.iter().filter(|d| *d == &a.dept).count() as u32,
            ..base.clone()
        });
    }
    out
}

/// Write a case's facts. A department that returned the order and was
/// replaced keeps its row (its return counts), with its return count kept
/// up to date.
pub fn write(
    tx: &Connection,
    facts: &[Fact],
    returned_by: &[paidan_core::DeptCode],
) -> anyhow::Result<()> {
    let mut up = tx.prepare_cached(
        "INSERT INTO facts (case_id, dept, category, grid, status, reported_at, dispatched_at, deadline,
            accepted_at, responded_on_time, completed_at, completed_on_time, closed_at, returns, reopens,
            holds, recurrence, on_site, satisfaction)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)
         ON CONFLICT(case_id, dept) DO UPDATE SET category = excluded.category, grid = excluded.grid,
            status = excluded.status, reported_at = excluded.reported_at, dispatched_at = excluded.dispatched_at,
            deadline = excluded.deadline, accepted_at = excluded.accepted_at,
            responded_on_time = excluded.responded_on_time, completed_at = excluded.completed_at,
            completed_on_time = excluded.completed_on_time, closed_at = excluded.closed_at,
            returns = excluded.returns, reopens = excluded.reopens, holds = excluded.holds,
            recurrence = excluded.recurrence, on_site = excluded.on_site, satisfaction = excluded.satisfaction",
    )?;
    let Some(first) = facts.first() else {
        return Ok(());
    };
    let id = first.case_id.0.as_bytes().to_vec();
    for f in facts {
        up.execute(params![
            id,
            f.dept,
            f.category,
            f.grid,
            f.state,
            f.reported_at,
            f.dispatched_at,
            f.deadline,
            f.accepted_at,
            f.responded_on_time,
            f.completed_at,
            f.completed_on_time,
            f.closed_at,
            f.returns,
            f.reopens,
            f.holds,
            f.recurrence,
            f.on_site,
            f.satisfaction.map(|s| s.as_str()),
        ])?;
    }
    // Departments replaced after a return: only their return count moves.
    let mut ret = tx.prepare_cached(
        "UPDATE facts SET returns = ?3, status = 'returned' WHERE case_id = ?1 AND dept = ?2",
    )?;
    for d in returned_by {
        if facts.iter().any(|f| f.dept == d.as_str()) {
            continue;
        }
        let n = returned_by.iter().filter(|x| *x == d).count() as u32;
        ret.execute(params![id, d.as_str(), n])?;
    }
    Ok(())
}

/// What the figures count of one fact: the columns they need, with the
/// department and grid as indices into [`Period::names`] (a period has a
/// handful of distinct ones, so rows are read without allocating).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tally {
    /// Index of the department ("" for a case row) in the names.
    pub dept: u16,
    /// Index of the grid ("" for none).
    pub grid: u16,
    /// A department row whose order was returned (not due from it).
    pub returned_away: bool,
    /// On hold now.
    pub on_hold: bool,
    /// The deadline as of the last transition.
    pub deadline: Option<i64>,
    /// Accepted within the response time.
    pub responded_on_time: bool,
    /// Completed at all.
    pub completed: bool,
    /// Completed on time: `Some(true)`, late: `Some(false)`.
    pub completed_on_time: Option<bool>,
    /// Closed.
    pub closed: bool,
    /// Returns.
    pub returns: u32,
    /// Reopened at least once.
    pub reopened: bool,
    /// Held at least once.
    pub held: bool,
    /// A recurrence.
    pub recurrence: bool,
    /// The callback: `Some(true)` satisfied or basically, `Some(false)` not.
    pub satisfied: Option<bool>,
}

/// The tallies of a period and the names their indices point to.
#[derive(Clone, Debug, Default)]
pub struct Period {
    /// Department and grid codes; index 0 is "".
    pub names: Vec<String>,
    /// Case rows.
    pub cases: Vec<Tally>,
    /// Department rows.
    pub parts: Vec<Tally>,
}

impl Period {
    fn index(&mut self, name: Option<&str>) -> u16 {
        let name = name.unwrap_or("");
        if let Some(i) = self.names.iter().position(|n| n == name) {
            return i as u16;
        }
        self.names.push(name.to_owned());
        (self.names.len() - 1) as u16
    }
}

/// The facts of the period `[from, to)`: case rows by report time,
/// department rows by dispatch time.
pub fn read(conn: &Connection, from: i64, to: i64) -> anyhow::Result<Period> {
    const COLS: &str =
        "dept, grid, status, deadline, responded_on_time, completed_at, completed_on_time,
        closed_at, returns, reopens, holds, recurrence, satisfaction";
    let mut p = Period {
        names: vec![String::new()],
        ..Default::default()
    };
    // Two indexed range scans (an OR would scan the table).
    for (filter, parts) in [
        (
            "dept = '' AND reported_at >= ?1 AND reported_at < ?2",
            false,
        ),
        (
            "dept <> '' AND dispatched_at >= ?1 AND dispatched_at < ?2",
            true,
        ),
    ] {
        let mut stmt = conn.prepare_cached(&format!("SELECT {COLS} FROM facts WHERE {filter}"))?;
        let mut rows = stmt.query(params![from, to])?;
        while let Some(r) = rows.next()? {
            let text = |i: usize| -> rusqlite::Result<Option<&str>> {
                Ok(r.get_ref(i)?.as_str_or_null()?)
            };
            let dept = p.index(text(0)?);
            let grid = p.index(text(1)?);
            let state = text(2)?.unwrap_or("");
            let satisfied = match text(12)? {
                Some(s) => s
                    .parse::<Satisfaction>()
                    .ok()
                    .map(|s| s.counts_as_satisfied()),
                None => None,
            };
            let t = Tally {
                dept,
                grid,
                returned_away: parts && state == "returned",
                on_hold: state == "on_hold",
                deadline: r.get(3)?,
                responded_on_time: r.get::<_, Option<bool>>(4)? == Some(true),
                completed: r.get::<_, Option<i64>>(5)?.is_some(),
                completed_on_time: r.get(6)?,
                closed: r.get::<_, Option<i64>>(7)?.is_some(),
                returns: r.get(8)?,
                reopened: r.get::<_, u32>(9)? > 0,
                held: r.get::<_, u32>(10)? > 0,
                recurrence: r.get(11)?,
                satisfied,
            };
            if parts {
                p.parts.push(t);
            } else {
                p.cases.push(t);
            }
        }
    }
    Ok(p)
}
