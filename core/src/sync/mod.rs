//! Batched sync between a device and the server: one round trip carries
//! every local change of every case, and brings back every change after the
//! device's cursor. See `docs/sync-protocol.md`.

pub mod client;
#[cfg(feature = "http")]
pub mod http;
pub mod protocol;

pub use client::{SyncSummary, apply, prepare, refused, sync_with};
pub use protocol::{SyncRequest, SyncResponse};
