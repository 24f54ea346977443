//! What every handler shares.

use crate::blobs::BlobStore;
use crate::clock::Clock;
use crate::config::Config;
use crate::db::Writer;
use crate::db::readers::{Reader, ReaderPool};
use crate::http::limits::Limits;
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
    /// Read connections beside the writer.
    pub readers: Arc<ReaderPool>,
    /// Rate limits.
    pub limits: Arc<Limits>,
}

impl AppState {
    /// A read-only connection (WAL lets it read beside the writer), from
    /// the pool.
    pub fn reader(&self) -> anyhow::Result<Reader> {
        self.readers.get()
    }
}
