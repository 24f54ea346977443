//! Facts: what the figures count, one row per case (`dept = ""`) and one
//! per department it was dispatched to, written at every transition from
//! the case's view. Flags such as "responded in time" and "completed on
//! time" are fixed here, when the transition happens, so a later change of
//! the rules (the calendar, the response time) does not rewrite history.

use crate::config::Config;
use crate::figures::Counts;
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

/// The counts of a period: the street, each grid (case rows) and each
/// department (department rows).
#[derive(Clone, Debug, Default)]
pub struct Tallies {
    /// Every case row reported in the period.
    pub street: Counts,
    /// Case rows by grid code (`None`: outside every grid).
    pub by_grid: Vec<(Option<String>, Counts)>,
    /// Department rows dispatched in the period, by department code.
    pub by_dept: Vec<(String, Counts)>,
}

/// What one fact adds to the counts, as of `?3` (the end of the period);
/// `?4` says whether these are department rows (a returned order is not
/// due from its department). NULLs count as "no": `sum` skips them.
const COUNT: &str = "SELECT count(*),
        coalesce(sum(rot), 0),
        coalesce(sum(NOT ra AND (closed OR opd)), 0),
        coalesce(sum(closed), 0),
        coalesce(sum(closed AND cot = 1), 0),
        coalesce(sum(NOT ra AND (cot = 0 OR opd)), 0),
        coalesce(sum(returns), 0),
        coalesce(sum(reopens > 0), 0),
        coalesce(sum(holds > 0), 0),
        coalesce(sum(recurrence), 0),
        coalesce(sum(NOT ra AND sat IN ('satisfied', 'basically_satisfied', 'unsatisfied')), 0),
        coalesce(sum(NOT ra AND sat IN ('satisfied', 'basically_satisfied')), 0)
     FROM (SELECT responded_on_time = 1 AS rot,
             (?4 AND status = 'returned') AS ra,
             closed_at IS NOT NULL AS closed,
             completed_on_time AS cot,
             (closed_at IS NULL AND completed_at IS NULL AND status <> 'on_hold'
               AND deadline IS NOT NULL AND deadline < ?3) AS opd,
             returns, reopens, holds, recurrence, satisfaction AS sat
           FROM facts WHERE ";

/// The street's case rows (the partial indexes need the literal `dept`
/// test: a bound parameter cannot prove a row is in them).
const STREET: &str = "dept = '' AND reported_at >= ?1 AND reported_at < ?2";
/// One grid's case rows.
const GRID: &str = "dept = '' AND grid IS ?5 AND reported_at >= ?1 AND reported_at < ?2";
/// One department's rows.
const DEPT: &str = "dept <> '' AND dept = ?5 AND dispatched_at >= ?1 AND dispatched_at < ?2";

fn count(conn: &Connection, filter: &str, args: &[&dyn rusqlite::ToSql]) -> anyhow::Result<Counts> {
    let mut stmt = conn.prepare_cached(&format!("{COUNT}{filter})"))?;
    Ok(stmt.query_row(args, |r| {
        let n = |i: usize| -> rusqlite::Result<u64> { Ok(r.get::<_, i64>(i)?.max(0) as u64) };
        Ok(Counts {
            received: n(0)?,
            responded: n(1)?,
            due: n(2)?,
            closed: n(3)?,
            closed_on_time: n(4)?,
            overdue: n(5)?,
            returned: n(6)?,
            reopened: n(7)?,
            held: n(8)?,
            recurrences: n(9)?,
            callbacks: n(10)?,
            satisfied: n(11)?,
        })
    })?)
}

/// Count the facts of the period `[from, to)` as they stand at `end`: case
/// rows by report time, department rows by dispatch time, for the street,
/// each of `grids` and each of `depts`.
///
/// SQLite counts them, one aggregate per line, each a range scan of a
/// covering index in order (no table lookups, no sort). Returning the
/// 200,000 rows of a busy year to Rust to count them there took 312 ms;
/// see BENCHMARKS.md for this.
pub fn tally(
    conn: &Connection,
    (from, to, end): (i64, i64, i64),
    grids: &[Option<&str>],
    depts: &[&str],
) -> anyhow::Result<Tallies> {
    let street = count(conn, STREET, params![from, to, end, false])?;
    let mut by_grid = Vec::with_capacity(grids.len());
    for g in grids {
        let c = count(conn, GRID, params![from, to, end, false, g])?;
        by_grid.push((g.map(str::to_owned), c));
    }
    let mut by_dept = Vec::with_capacity(depts.len());
    for d in depts {
        let c = count(conn, DEPT, params![from, to, end, true, d])?;
        by_dept.push(((*d).to_owned(), c));
    }
    Ok(Tallies {
        street,
        by_grid,
        by_dept,
    })
}

#[cfg(test)]
mod plan_tests {
    use super::*;

    #[test]
    fn each_line_of_the_figures_is_read_from_a_covering_index() {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::db::schema::open(&dir.path().join("paidan.db")).unwrap();
        for (filter, index) in [
            (STREET, "facts_reported"),
            (GRID, "facts_grid_reported"),
            (DEPT, "facts_dept_dispatched"),
        ] {
            let sql = format!("EXPLAIN QUERY PLAN {COUNT}{filter})");
            let mut stmt = conn.prepare(&sql).unwrap();
            for i in 1..=stmt.parameter_count() {
                stmt.raw_bind_parameter(i, 1).unwrap();
            }
            let plan: Vec<String> = stmt
                .raw_query()
                .mapped(|r| r.get::<_, String>(3))
                .collect::<Result<_, _>>()
                .unwrap();
            let plan = plan.join(" / ");
            assert!(
                plan.contains(&format!("COVERING INDEX {index}")),
                "{filter}: {plan}"
            );
            assert!(!plan.contains("TEMP B-TREE"), "{filter}: {plan}");
        }
    }
}
