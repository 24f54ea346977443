//! What the console's pages show, read beside the writer: listing rows,
//! whole cases, the headline figures. Names come out in the page's language.

use super::i18n::Lang;
use crate::config::Config;
use crate::db::cache::DocCache;
use crate::db::merge;
use crate::db::working::Working;
use paidan_core::{Case, CaseId, CaseView, Status, labels};
use rusqlite::{Connection, params};

/// One line of a list (queue, inbox, board).
#[derive(Debug, Clone)]
pub struct Row {
    /// Case id.
    pub id: String,
    /// The short order number shown (工单号).
    pub number: String,
    /// Category name.
    pub category: String,
    /// The reporter's title (never on the public board).
    pub title: String,
    /// Grid name (or "—").
    pub grid: String,
    /// Status name.
    pub status: String,
    /// Status code (for colours and tests).
    pub status_code: &'static str,
    /// Department names.
    pub departments: String,
    /// Reported at (local time).
    pub reported: String,
    /// Deadline (local time), if at work.
    pub deadline: String,
    /// Past its deadline now.
    pub overdue: bool,
    /// Last change (local time).
    pub updated: String,
    /// Where, for the map.
    pub lat: f64,
    /// Where, for the map.
    pub lon: f64,
}

/// The order number of a case: the last 8 hex digits of its id, upper case
/// (UUIDv7's first digits are its time, the same for a day's cases).
pub fn number(id: &CaseId) -> String {
    let s = id.0.simple().to_string();
    s[s.len() - 8..].to_uppercase()
}

/// Local time of `ms` on the street's calendar.
pub fn time(config: &Config, ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&config.calendar.offset())
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// The name of a category code.
pub fn category_name(config: &Config, lang: Lang, code: &str) -> String {
    config
        .category(code)
        .map(|c| lang.name(&c.name_zh, &c.name_en).to_owned())
        .unwrap_or_else(|| code.to_owned())
}

/// The names of department codes, joined.
pub fn department_names<'a>(
    config: &Config,
    lang: Lang,
    codes: impl Iterator<Item = &'a str>,
) -> String {
    codes
        .filter(|c| !c.is_empty())
        .map(|c| {
            config
                .catalog
                .department(c)
                .map(|d| lang.name(&d.name_zh, &d.name_en).to_owned())
                .unwrap_or_else(|| c.to_owned())
        })
        .collect::<Vec<_>>()
        .join("、")
}

/// The name of a grid code.
pub fn grid_name(config: &Config, lang: Lang, code: Option<&str>) -> String {
    match code.and_then(|c| config.area.grid(c)) {
        Some(g) => lang.name(&g.name_zh, &g.name_en).to_owned(),
        None => code.unwrap_or("—").to_owned(),
    }
}

const COLUMNS: &str = "c.case_id, c.status, c.category, c.title, c.grid, c.departments, c.created_at, c.deadline, c.updated_at, c.lat, c.lon";

fn read_rows(
    conn: &Connection,
    sql: &str,
    args: &[&dyn rusqlite::ToSql],
    config: &Config,
    lang: Lang,
    now: i64,
) -> anyhow::Result<Vec<Row>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(args)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let id: Vec<u8> = r.get(0)?;
        let Ok(id) = <[u8; 16]>::try_from(id) else {
            continue;
        };
        let id = CaseId(uuid::Uuid::from_bytes(id));
        let status_text: String = r.get(1)?;
        let status = Status::parse(&status_text).unwrap_or(Status::Reported);
        let category: String = r.get(2)?;
        let grid: Option<String> = r.get(4)?;
        let departments: String = r.get(5)?;
        let deadline: Option<i64> = r.get(7)?;
        out.push(Row {
            id: id.to_string(),
            number: number(&id),
            category: category_name(config, lang, &category),
            title: r.get(3)?,
            grid: grid_name(config, lang, grid.as_deref()),
            status: lang.label(labels::status(status)).to_owned(),
            status_code: status.as_str(),
            departments: department_names(config, lang, departments.split(',')),
            reported: time(config, r.get(6)?),
            deadline: deadline.map(|d| time(config, d)).unwrap_or_default(),
            overdue: deadline.is_some_and(|d| d < now) && status.is_open(),
            updated: time(config, r.get(8)?),
            lat: r.get(9)?,
            lon: r.get(10)?,
        });
    }
    Ok(out)
}

/// The dispatcher's queue: new and returned cases, oldest first.
pub fn queue(conn: &Connection, config: &Config, lang: Lang, now: i64) -> anyhow::Result<Vec<Row>> {
    read_rows(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM cases c WHERE c.status IN ('reported', 'triaged', 'returned')
             ORDER BY c.created_at LIMIT 200"
        ),
        &[],
        config,
        lang,
        now,
    )
}

/// Every open case, for the map.
pub fn open_cases(
    conn: &Connection,
    config: &Config,
    lang: Lang,
    now: i64,
) -> anyhow::Result<Vec<Row>> {
    read_rows(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM cases c WHERE c.status NOT IN ('closed', 'merged', 'voided')
             ORDER BY c.updated_at DESC LIMIT 2000"
        ),
        &[],
        config,
        lang,
        now,
    )
}

/// A department's inbox: its open orders, overdue first, then by deadline.
pub fn inbox(
    conn: &Connection,
    config: &Config,
    lang: Lang,
    dept: &str,
    now: i64,
) -> anyhow::Result<Vec<Row>> {
    let principal = format!("d:{dept}");
    read_rows(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM cases c JOIN case_access a ON a.case_id = c.case_id AND a.principal = ?1
             WHERE c.status NOT IN ('closed', 'merged', 'voided')
             ORDER BY (c.deadline IS NOT NULL AND c.deadline < ?2) DESC, c.deadline IS NULL, c.deadline, c.created_at
             LIMIT 500"
        ),
        &[&principal, &now],
        config,
        lang,
        now,
    )
}

/// Orders on one page of the public board.
pub const BOARD_PAGE: usize = 100;

/// The public board: every order, newest first, filtered by `q` (order
/// number, category, grid, department or status, in either language);
/// page `page` (from 0) of them, and how many match.
pub fn board(
    conn: &Connection,
    config: &Config,
    lang: Lang,
    q: &str,
    page: usize,
    now: i64,
) -> anyhow::Result<(Vec<Row>, usize)> {
    let q = q.trim().to_lowercase();
    if q.is_empty() {
        // The usual visit: one page straight from SQL.
        let total: i64 = conn.query_row("SELECT count(*) FROM cases", [], |r| r.get(0))?;
        let offset = i64::try_from(page.saturating_mul(BOARD_PAGE)).unwrap_or(i64::MAX);
        let rows = read_rows(
            conn,
            &format!("SELECT {COLUMNS} FROM cases c ORDER BY c.created_at DESC LIMIT ?1 OFFSET ?2"),
            &[&(BOARD_PAGE as i64), &offset],
            config,
            lang,
            now,
        )?;
        return Ok((rows, usize::try_from(total).unwrap_or(0)));
    }
    // A search matches the names in the page's language: read them all.
    let all = read_rows(
        conn,
        &format!("SELECT {COLUMNS} FROM cases c ORDER BY c.created_at DESC LIMIT 100000"),
        &[],
        config,
        lang,
        now,
    )?;
    let matching: Vec<Row> = all
        .into_iter()
        .filter(|r| {
            [&r.number, &r.category, &r.grid, &r.departments, &r.status]
                .iter()
                .any(|f| f.to_lowercase().contains(&q))
        })
        .collect();
    let total = matching.len();
    let rows = matching
        .into_iter()
        .skip(page.saturating_mul(BOARD_PAGE))
        .take(BOARD_PAGE)
        .collect();
    Ok((rows, total))
}

/// Headline figures: collected, closed, satisfaction (all time).
pub fn headline(conn: &Connection, now: i64) -> anyhow::Result<(i64, i64, Option<f64>)> {
    let (all, closed): (i64, i64) = conn.query_row(
        "SELECT count(*), coalesce(sum(status = 'closed'), 0) FROM cases WHERE status NOT IN ('merged', 'voided')",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    // The street's line alone: no grid or department lines to count.
    let street = crate::figures::facts::tally(conn, (0, now + 1, now), &[], &[])?.street;
    Ok((all, closed, crate::figures::rates(&street).satisfaction))
}

/// A whole case, read from the database (not the writer's cache).
pub fn case(conn: &Connection, id: &CaseId) -> anyhow::Result<Option<(Case, CaseView)>> {
    let wire = *id.0.as_bytes();
    let Some(mut cached) = merge::load(conn, &mut DocCache::new(0), &mut Working::new(), &wire)?
    else {
        return Ok(None);
    };
    let Some(case) = crate::permissions::check::read(&mut cached.doc) else {
        return Ok(None);
    };
    let view = case.view();
    Ok(Some((case, view)))
}

/// Open cases of the same category near a case: the merge candidates.
pub fn candidates(
    conn: &Connection,
    config: &Config,
    lang: Lang,
    case: &Case,
    now: i64,
) -> anyhow::Result<Vec<Row>> {
    let radius = config
        .category(case.category.as_str())
        .map(|c| c.duplicate_radius_m.max(50.0))
        .unwrap_or(50.0);
    let dlat = radius / 111_000.0;
    let dlon = dlat / case.location.lat.to_radians().cos().max(0.1);
    let id = *case.id.0.as_bytes();
    read_rows(
        conn,
        &format!(
            "SELECT {COLUMNS} FROM cases c WHERE c.category = ?1 AND c.case_id <> ?2
               AND c.status NOT IN ('closed', 'merged', 'voided')
               AND c.lat BETWEEN ?3 AND ?4 AND c.lon BETWEEN ?5 AND ?6
             ORDER BY c.created_at LIMIT 10"
        ),
        params![
            case.category.as_str(),
            &id[..],
            case.location.lat - dlat,
            case.location.lat + dlat,
            case.location.lon - dlon,
            case.location.lon + dlon
        ],
        config,
        lang,
        now,
    )
}
