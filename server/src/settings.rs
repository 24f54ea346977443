//! How the server is started: listen address, data folder, cache size.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Settings of a server instance.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Where to listen.
    pub listen: SocketAddr,
    /// The data folder: `paidan.db` (SQLite, WAL) and `blobs/`.
    pub data: PathBuf,
    /// Bytes of case documents kept in memory.
    pub cache_bytes: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data: PathBuf::from("paidan-data"),
            cache_bytes: 256 * 1024 * 1024,
        }
    }
}
