//! Read connections beside the writer, kept for the next request.
//!
//! Opening an SQLite connection reads and parses the whole schema, which
//! cost more than the query itself on every sync request (its token is
//! looked up on a read connection). A few idle connections are kept; WAL
//! gives each statement the latest commit, so a kept one reads as fresh
//! as a new one.

use std::ops::Deref;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// The idle read connections of one database.
#[derive(Debug)]
pub struct ReaderPool {
    path: PathBuf,
    idle: Mutex<Vec<rusqlite::Connection>>,
    keep: usize,
}

impl ReaderPool {
    /// Read connections to `path`, keeping up to `keep` idle ones.
    pub fn new(path: PathBuf, keep: usize) -> Arc<ReaderPool> {
        Arc::new(ReaderPool {
            path,
            idle: Mutex::new(Vec::new()),
            keep,
        })
    }

    /// An idle connection, or a new one.
    pub fn get(self: &Arc<Self>) -> anyhow::Result<Reader> {
        let kept = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match kept {
            Some(conn) => conn,
            None => {
                let conn = rusqlite::Connection::open_with_flags(
                    &self.path,
                    rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                        | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                conn.busy_timeout(std::time::Duration::from_secs(5))?;
                conn
            }
        };
        Ok(Reader {
            conn: Some(conn),
            pool: self.clone(),
        })
    }
}

/// A read-only connection, back to the pool when dropped.
#[derive(Debug)]
pub struct Reader {
    conn: Option<rusqlite::Connection>,
    pool: Arc<ReaderPool>,
}

impl Deref for Reader {
    type Target = rusqlite::Connection;

    fn deref(&self) -> &rusqlite::Connection {
        self.conn.as_ref().expect("held until dropped")
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else {
            return;
        };
        // A connection left inside a transaction (a panic mid-read) is not
        // kept: it would pin an old snapshot.
        if !conn.is_autocommit() {
            return;
        }
        let mut idle = self.pool.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < self.pool.keep {
            idle.push(conn);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_connection_reads_what_was_committed_since() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("paidan.db");
        let writer = crate::db::schema::open(&path).unwrap();
        let pool = ReaderPool::new(path, 2);
        let count = |r: &Reader| -> i64 {
            r.query_row("SELECT count(*) FROM audit", [], |row| row.get(0))
                .unwrap()
        };
        let first = pool.get().unwrap();
        assert_eq!(count(&first), 0);
        drop(first);
        crate::auth::audit::record(&writer, 1, "test", "tick", "").unwrap();
        let again = pool.get().unwrap();
        assert_eq!(count(&again), 1, "the kept connection sees the new row");
        // Three at once: two are kept afterwards, the third is closed.
        let (a, b) = (pool.get().unwrap(), pool.get().unwrap());
        drop((again, a, b));
        assert_eq!(pool.idle.lock().unwrap().len(), 2);
        // Read-only, like a fresh one.
        let r = pool.get().unwrap();
        assert!(r.execute("DELETE FROM audit", []).is_err());
    }
}
