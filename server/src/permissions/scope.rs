//! Read scope (可见范围): which cases a device receives.
//!
//! Each case is granted to principals as it changes (`case_access`):
//! `u:<user>` for its reporter and followers, `g:<grid>` for its grid, and
//! `d:<dept>` for every department it was dispatched to. Grants are never
//! taken back (a department keeps seeing the orders it once had). A device
//! receives the cases granted to any of its principals; the center's roles
//! see the whole street and are not filtered.
//!
//! The reporter's name and phone are not in the case documents at all (see
//! `docs/permissions.md`), so what a device receives needs no stripping:
//! the documents merge as they are.

use super::policy::{Scope, rule};
use crate::auth::Principal;
use paidan_core::{Case, CaseView, EventData};
use rusqlite::{Connection, params};

/// The principals `p` reads as; `None`: the whole street.
pub fn principals(p: &Principal) -> Option<Vec<String>> {
    let mut out = vec![format!("u:{}", p.user)];
    match rule(p.role).scope {
        Scope::Street => return None,
        Scope::Grid if p.grids.is_empty() => return None,
        Scope::Grid => out.extend(p.grids.iter().map(|g| format!("g:{g}"))),
        Scope::Department => out.extend(p.dept.iter().map(|d| format!("d:{d}"))),
        Scope::Own | Scope::Nothing => {}
    }
    Some(out)
}

/// Grant `case` to the principals it now belongs to; `seq` is the log's
/// last seq of the case (a grant made now covers its whole history).
pub fn grant(
    tx: &Connection,
    id: &[u8; 16],
    case: &Case,
    view: &CaseView,
    seq: i64,
) -> rusqlite::Result<()> {
    let mut names = vec![format!("u:{}", case.created.by)];
    names.extend(view.followers.iter().map(|u| format!("u:{u}")));
    if let Some(g) = view.grid.as_ref().or(case.location.grid.as_ref()) {
        names.push(format!("g:{g}"));
    }
    for e in &case.events {
        if let EventData::Dispatched { departments, .. } = &e.data {
            names.extend(departments.iter().map(|d| format!("d:{d}")));
        }
    }
    names.sort();
    names.dedup();
    let mut stmt = tx.prepare_cached(
        "INSERT OR IGNORE INTO case_access (case_id, principal, granted_seq) VALUES (?1, ?2, ?3)",
    )?;
    for n in names {
        stmt.execute(params![&id[..], n, seq])?;
    }
    Ok(())
}
