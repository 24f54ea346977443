//! Department figures (部门考核) for any period, as the practice defines
//! them, computed from the facts table ([`facts`]).
//!
//! For the period `[from, to)`, and `end = min(to, now)`:
//!
//! - **received** (受理数): orders dispatched to the department in the
//!   period (for the street and its grids: cases reported in it);
//! - **responded** (及时响应数): of those, accepted within the response time
//!   (`scoring.response_working_hours` of working time after dispatch);
//! - **due** (应结案数): closed, or past their deadline by `end`; an order
//!   the department returned is not due from it;
//! - **closed** (结案数) and **closed on time** (按期结案数: every part
//!   completed by its deadline as it stood then);
//! - **overdue** (超期数): completed late, or still open past its deadline
//!   at `end` (not while on hold);
//! - **returned**, **reopened**, **held**, **recurrences**: counts;
//! - the rates: response rate (响应率) = responded / received; resolution
//!   rate (结案率) = closed / due; on-time rate (按期结案率) = closed on time
//!   / due; satisfaction rate (满意率) = (satisfied + basically satisfied) /
//!   callbacks;
//! - the score out of 20: each rate times its weight from `[scoring]`; a
//!   rate with nothing to count earns its full weight.

pub mod export;
pub mod facts;
pub mod period;
#[cfg(test)]
mod tests;

use crate::config::Config;
use facts::Tallies;
use serde::Serialize;

/// The counts of one line of the figures.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// 受理数.
    pub received: u64,
    /// 及时响应数.
    pub responded: u64,
    /// 应结案数.
    pub due: u64,
    /// 结案数.
    pub closed: u64,
    /// 按期结案数.
    pub closed_on_time: u64,
    /// 超期数.
    pub overdue: u64,
    /// 退单数.
    pub returned: u64,
    /// 重办数.
    pub reopened: u64,
    /// 挂账数.
    pub held: u64,
    /// 反复数.
    pub recurrences: u64,
    /// 回访数.
    pub callbacks: u64,
    /// 满意 + 基本满意.
    pub satisfied: u64,
}

/// The rates, 0 to 1; `None` when there is nothing to count.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Rates {
    /// 响应率.
    pub response: Option<f64>,
    /// 结案率 (解决率).
    pub resolution: Option<f64>,
    /// 按期结案率.
    pub on_time: Option<f64>,
    /// 满意率.
    pub satisfaction: Option<f64>,
}

/// One line: the street, a department or a grid.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Line {
    /// Code.
    pub code: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Counts.
    pub counts: Counts,
    /// Rates.
    pub rates: Rates,
    /// Out of 20 (departments only).
    pub score: Option<f64>,
}

/// The figures of a period.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Figures {
    /// Start (ms, inclusive).
    pub from: i64,
    /// End (ms, exclusive).
    pub to: i64,
    /// The time they were computed at.
    pub now: i64,
    /// The street as a whole.
    pub street: Line,
    /// Each configured department.
    pub departments: Vec<Line>,
    /// Each configured grid (and cases with no grid, code "").
    pub grids: Vec<Line>,
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// The rates of a line's counts.
pub fn rates(c: &Counts) -> Rates {
    Rates {
        response: ratio(c.responded, c.received),
        resolution: ratio(c.closed, c.due),
        on_time: ratio(c.closed_on_time, c.due),
        satisfaction: ratio(c.satisfied, c.callbacks),
    }
}

/// The score out of 20, to one decimal.
pub fn score(config: &Config, r: &Rates) -> f64 {
    let w = &config.scoring;
    let s = w.response * r.response.unwrap_or(1.0)
        + w.resolution * r.resolution.unwrap_or(1.0)
        + w.on_time * r.on_time.unwrap_or(1.0)
        + w.satisfaction * r.satisfaction.unwrap_or(1.0);
    (s * 10.0).round() / 10.0
}

/// Compute the figures of `[from, to)` from its tallies (see [`facts::tally`]).
pub fn compute(config: &Config, tallies: Tallies, from: i64, to: i64, now: i64) -> Figures {
    let street = tallies.street;
    let (mut by_grid, mut by_dept) = (tallies.by_grid, tallies.by_dept);
    let take_grid = |list: &mut Vec<(Option<String>, Counts)>, code: Option<&str>| {
        list.iter_mut()
            .find(|(k, _)| k.as_deref() == code)
            .map(|(_, c)| std::mem::take(c))
            .unwrap_or_default()
    };
    let take = |list: &mut Vec<(String, Counts)>, code: &str| {
        list.iter_mut()
            .find(|(k, _)| k == code)
            .map(|(_, c)| std::mem::take(c))
            .unwrap_or_default()
    };
    let line = |code: &str, zh: &str, en: &str, counts: Counts, scored: bool| {
        let r = rates(&counts);
        Line {
            code: code.to_owned(),
            name_zh: zh.to_owned(),
            name_en: en.to_owned(),
            score: scored.then(|| score(config, &r)),
            counts,
            rates: r,
        }
    };
    let departments = config
        .catalog
        .departments
        .iter()
        .map(|d| {
            let c = take(&mut by_dept, d.code.as_str());
            line(d.code.as_str(), &d.name_zh, &d.name_en, c, true)
        })
        .collect();
    let mut grids: Vec<Line> = config
        .area
        .grids
        .iter()
        .map(|g| {
            let c = take_grid(&mut by_grid, Some(g.code.as_str()));
            line(g.code.as_str(), &g.name_zh, &g.name_en, c, false)
        })
        .collect();
    let outside = take_grid(&mut by_grid, None);
    if outside.received > 0 {
        grids.push(line("", "未划入网格", "Outside the grids", outside, false));
    }
    Figures {
        from,
        to,
        now,
        street: line(
            &config.street.code,
            &config.street.name_zh,
            &config.street.name_en,
            street,
            false,
        ),
        departments,
        grids,
    }
}

/// Read the facts of the period and compute its figures.
pub fn query(
    conn: &rusqlite::Connection,
    config: &Config,
    from: i64,
    to: i64,
    now: i64,
) -> anyhow::Result<Figures> {
    let grids: Vec<Option<&str>> = config
        .area
        .grids
        .iter()
        .map(|g| Some(g.code.as_str()))
        .chain([None])
        .collect();
    let depts: Vec<&str> = config
        .catalog
        .departments
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    let tallies = facts::tally(conn, (from, to, to.min(now)), &grids, &depts)?;
    Ok(compute(config, tallies, from, to, now))
}
