//! The listing index: one row per case with what lists filter and sort by.

use crate::{Case, CaseId, CaseView, Result, Status, UserId};
use rusqlite::{Connection, Transaction, params, types::Value};
use serde::Serialize;

/// One line of a case list.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CaseSummary {
    /// The case.
    pub id: CaseId,
    /// Its status.
    pub status: Status,
    /// Category code.
    pub category: String,
    /// Title.
    pub title: String,
    /// Filed (ms).
    pub created_at: i64,
    /// Last event (ms).
    pub updated_at: i64,
    /// Where.
    pub lat: f64,
    /// Where.
    pub lon: f64,
    /// The current deadline (ms), while at work.
    pub deadline: Option<i64>,
}

/// A list query. Filters combine with AND; newest first.
#[derive(Clone, Debug, Default)]
pub struct Query {
    /// Only this status.
    pub status: Option<Status>,
    /// Only this category.
    pub category: Option<String>,
    /// Only cases this device's user reported or follows.
    pub mine: bool,
    /// Only open cases within `radius_m` of (`lat`, `lon`).
    pub near: Option<(f64, f64, f64)>,
    /// Words in the title.
    pub text: Option<String>,
    /// At most this many (default 50).
    pub limit: Option<usize>,
}

pub(super) fn put(tx: &Transaction<'_>, case: &Case, view: &CaseView) -> Result<()> {
    let id = case.id.to_string();
    let category = view
        .category_override
        .as_ref()
        .unwrap_or(&case.category)
        .to_string();
    let updated = view.updated_at.max(case.created.at);
    let grid = view
        .grid
        .as_ref()
        .or(case.location.grid.as_ref())
        .map(|g| g.to_string());
    tx.execute(
        "INSERT INTO case_index (id, status, category, title, reporter, created_at, updated_at, lat, lon, grid, deadline)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT(id) DO UPDATE SET status = excluded.status, category = excluded.category,
           title = excluded.title, reporter = excluded.reporter, updated_at = excluded.updated_at,
           lat = excluded.lat, lon = excluded.lon, grid = excluded.grid, deadline = excluded.deadline",
        params![
            id,
            view.status.as_str(),
            category,
            case.title,
            view.reporter.as_ref().map(|u| u.as_str()),
            case.created.at,
            updated,
            case.location.lat,
            case.location.lon,
            grid,
            view.deadline(),
        ],
    )?;
    tx.execute("DELETE FROM case_followers WHERE case_id = ?1", [&id])?;
    for f in &view.followers {
        tx.execute(
            "INSERT OR IGNORE INTO case_followers (case_id, user_id) VALUES (?1, ?2)",
            params![id, f.as_str()],
        )?;
    }
    Ok(())
}

pub(super) fn list(conn: &Connection, q: &Query, me: &UserId) -> Result<Vec<CaseSummary>> {
    let mut sql = format!("SELECT {COLUMNS} FROM case_index WHERE 1=1");
    let mut args: Vec<Value> = Vec::new();
    if let Some(s) = q.status {
        sql.push_str(" AND status = ?");
        args.push(Value::Text(s.as_str().into()));
    }
    if let Some(c) = &q.category {
        sql.push_str(" AND category = ?");
        args.push(Value::Text(c.clone()));
    }
    if q.mine {
        sql.push_str(" AND id IN (SELECT case_id FROM case_followers WHERE user_id = ?)");
        args.push(Value::Text(me.0.clone()));
    }
    if let Some(t) = &q.text {
        sql.push_str(" AND instr(title, ?) > 0");
        args.push(Value::Text(t.clone()));
    }
    if let Some((lat, lon, radius)) = q.near {
        // A bounding box on the index first, then the exact distance below.
        let dlat = radius / 111_320.0;
        let dlon = radius / (111_320.0 * lat.to_radians().cos().abs().max(0.01));
        sql.push_str(
            " AND lat BETWEEN ? AND ? AND lon BETWEEN ? AND ? AND status NOT IN ('closed','merged','voided')",
        );
        args.extend([lat - dlat, lat + dlat, lon - dlon, lon + dlon].map(Value::Real));
    }
    let limit = q.limit.unwrap_or(50);
    sql.push_str(" ORDER BY updated_at DESC, id DESC");
    if q.near.is_none() {
        sql.push_str(" LIMIT ?");
        args.push(Value::Integer(limit as i64));
    }
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args), summary_row)?;
    let mut out = Vec::new();
    for row in rows {
        let s = finish(row?)?;
        if let Some((lat, lon, radius)) = q.near {
            let here = crate::Location {
                lat: s.lat,
                lon: s.lon,
                address: None,
                grid: None,
            };
            if here.distance_m(lat, lon) > radius {
                continue;
            }
        }
        out.push(s);
        if out.len() >= limit {
            break;
        }
    }
    Ok(out)
}

const COLUMNS: &str = "id, status, category, title, created_at, updated_at, lat, lon, deadline";

type RawSummary = (String, String, CaseSummary);

/// A row of [`COLUMNS`]; id and status are parsed by [`finish`].
fn summary_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawSummary> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        CaseSummary {
            id: CaseId(uuid::Uuid::nil()),
            status: Status::Reported,
            category: r.get(2)?,
            title: r.get(3)?,
            created_at: r.get(4)?,
            updated_at: r.get(5)?,
            lat: r.get(6)?,
            lon: r.get(7)?,
            deadline: r.get(8)?,
        },
    ))
}

fn finish((id, status, mut s): RawSummary) -> Result<CaseSummary> {
    s.id = id.parse()?;
    s.status = Status::parse(&status)
        .ok_or_else(|| crate::Error::Shape(format!("unknown status {status:?} in index")))?;
    Ok(s)
}

pub(super) fn one(conn: &Connection, id: &CaseId) -> Result<Option<CaseSummary>> {
    use rusqlite::OptionalExtension;
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM case_index WHERE id = ?1"),
        [id.to_string()],
        summary_row,
    )
    .optional()?
    .map(finish)
    .transpose()
}
