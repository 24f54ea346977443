//! HTTP handlers, by area.

pub mod blobs;
pub mod figures;
pub mod health;
pub mod inspections;
pub mod sync;
