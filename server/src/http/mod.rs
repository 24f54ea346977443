//! HTTP handlers, by area.

pub mod blobs;
pub mod health;
pub mod sync;
