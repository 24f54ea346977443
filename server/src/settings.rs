//! How the server is started: listen address, data folder, cache size, the
//! configuration and the clock.

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::http::limits::Quotas;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Settings of a server instance.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Where to listen.
    pub listen: SocketAddr,
    /// The data folder: `paidan.db` (SQLite, WAL) and `blobs/`.
    pub data: PathBuf,
    /// Bytes of case documents kept in memory.
    pub cache_bytes: usize,
    /// The street, its grids, calendar and catalogue.
    pub config: Arc<Config>,
    /// Where "now" comes from (a manual clock in tests).
    pub clock: Arc<dyn Clock>,
    /// How often the scheduler runs, overriding `[scheduler] tick_seconds`.
    pub tick: Option<Duration>,
    /// Rate limits.
    pub quotas: Quotas,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data: PathBuf::from("paidan-data"),
            cache_bytes: 256 * 1024 * 1024,
            config: Arc::new(Config::demo()),
            clock: Arc::new(SystemClock),
            tick: None,
            quotas: Quotas::default(),
        }
    }
}
