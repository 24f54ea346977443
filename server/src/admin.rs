//! Local admin commands on a data folder (no server needs to run: SQLite
//! reads beside a running one).

use crate::config::Config;
use crate::figures::period::{self, Format};
use anyhow::Context;
use std::path::Path;

/// The figures of a period, rendered.
pub fn figures(
    data: &Path,
    config: &Config,
    from: Option<&str>,
    to: Option<&str>,
    format: Format,
) -> anyhow::Result<Vec<u8>> {
    let now = chrono::Utc::now().timestamp_millis();
    let (from, to) = period::period(config, from, to, now).map_err(anyhow::Error::msg)?;
    let db = data.join("paidan.db");
    anyhow::ensure!(db.exists(), "{} holds no Paidan database", data.display());
    // Bring an older data folder up to date first (the migrations are the
    // server's own; a newer one is refused).
    drop(crate::db::schema::open(&db).context("cannot open the database")?);
    let conn =
        rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let f = crate::figures::query(&conn, config, from, to, now)?;
    Ok(period::render(&f, format)?.0)
}
