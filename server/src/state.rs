//! What every handler shares.

use crate::blobs::BlobStore;
use crate::db::Writer;
use std::sync::Arc;

/// Shared state of the running server.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The single writer (sync merges).
    pub writer: Writer,
    /// Photos.
    pub blobs: Arc<BlobStore>,
}
