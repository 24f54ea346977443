//! The audit log (审计日志): every refused change, login (good or bad),
//! account, role and device change: who, what, when. Details never hold a
//! password or a token.

use rusqlite::{Connection, params};
use serde::Serialize;

/// One line of the audit log.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Entry {
    /// When (ms).
    pub at: i64,
    /// Who (user and device, or the IP of an anonymous request).
    pub actor: String,
    /// What kind of thing happened (`login`, `login_failed`, `refused_change`, ...).
    pub action: String,
    /// The rest, in words.
    pub detail: String,
}

/// Write one entry (in the caller's transaction).
pub fn record(
    tx: &Connection,
    at: i64,
    actor: &str,
    action: &str,
    detail: &str,
) -> rusqlite::Result<()> {
    tx.prepare_cached("INSERT INTO audit (at, actor, action, detail) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![at, actor, action, detail])?;
    Ok(())
}

/// The latest `limit` entries, newest first, optionally of one action.
pub fn recent(conn: &Connection, action: Option<&str>, limit: i64) -> anyhow::Result<Vec<Entry>> {
    let mut stmt = conn.prepare(
        "SELECT at, actor, action, detail FROM audit WHERE ?1 IS NULL OR action = ?1
         ORDER BY id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![action, limit], |r| {
        Ok(Entry {
            at: r.get(0)?,
            actor: r.get(1)?,
            action: r.get(2)?,
            detail: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
