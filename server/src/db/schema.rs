//! Server migrations: numbered SQL files, one transaction each, recorded in
//! `PRAGMA user_version`.

use rusqlite::Connection;

const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_dispatch.sql"),
    include_str!("migrations/0003_permissions.sql"),
    include_str!("migrations/0004_console.sql"),
    include_str!("migrations/0005_covering_facts.sql"),
    include_str!("migrations/0006_board.sql"),
];

/// Open the database with the pragmas the server relies on, and migrate it.
pub fn open(path: &std::path::Path) -> anyhow::Result<Connection> {
    let mut conn = Connection::open(path)?;
    // Readers (console pages) run beside the single writer.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // An acknowledged change must survive a power cut, not only a crash:
    // group commit (see `writer`) pays for the fsync once per batch.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    // Every transaction here may write: take the write lock at BEGIN, so a
    // busy database is waited for. A deferred one that read first fails at
    // once (SQLITE_BUSY_SNAPSHOT) when another connection commits between
    // its read and its write, e.g. `user add` beside a running server.
    conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
    // 64 MiB of page cache (the default is 2 MiB): a batch's pages stay in
    // memory until its commit instead of spilling to the WAL mid-way.
    conn.pragma_update(None, "cache_size", -65536)?;
    // Keep the WAL from growing without bound under a steady load.
    conn.pragma_update(None, "wal_autocheckpoint", 4000)?;
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let current = usize::try_from(current).unwrap_or(usize::MAX);
    anyhow::ensure!(
        current <= MIGRATIONS.len(),
        "the data folder was written by a newer server (schema {current})"
    );
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        // Immediate (above): an admin command opening the folder while the
        // server starts waits for the lock and then sees the migration done.
        let tx = conn.transaction()?;
        let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if now > i as i64 {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(conn)
}
