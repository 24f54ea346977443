//! Migrations of the local store: numbered SQL files applied in order, one
//! transaction each, recorded in `PRAGMA user_version`. Never edit an
//! applied file; add the next one.

use rusqlite::Connection;

/// The migrations, in order; migration `i` brings the schema to `i + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_sync.sql"),
    include_str!("migrations/0003_contacts_sent.sql"),
];

/// Bring the database up to the newest schema.
pub(crate) fn migrate(conn: &mut Connection) -> crate::Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let current = usize::try_from(current).unwrap_or(usize::MAX);
    if current > MIGRATIONS.len() {
        return Err(crate::Error::Shape(format!(
            "the store was written by a newer version (schema {current})"
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}
