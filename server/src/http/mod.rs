//! HTTP handlers, by area.

pub mod auth;
pub mod blobs;
pub mod figures;
pub mod health;
pub mod inspections;
pub mod limits;
pub mod sync;
