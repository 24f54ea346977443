//! What every handler shares.

use crate::blobs::BlobStore;
use crate::clock::Clock;
use crate::config::Config;
use crate::db::Writer;
use crate::http::limits::Limits;
use std::path::PathBuf;
use std::sync::Arc;

/// Shared state of the running server.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The single writer (sync merges, the scheduler).
    pub writer: Writer,
    /// Photos.
    pub blobs: Arc<BlobStore>,
    /// The street's configuration.
    pub config: Arc<Config>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// The database file, for read connections beside the writer.
    pub db: PathBuf,
    /// Rate limits.
    pub limits: Arc<Limits>,
}

impl AppState {
    /// A read-only connection (WAL lets it read beside the writer).
    pub fn reader(&self) -> anyhow::Result<rusqlite::Connection> {
        let conn = rusqlite::Connection::open_with_flags(
            &self.db,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        Ok(conn)
    }
}
