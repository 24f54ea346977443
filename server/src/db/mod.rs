//! Server storage on SQLite: the change log, case documents and their
//! listing index, written by one writer thread with group commit.

pub mod cache;
pub mod feed;
pub mod merge;
pub mod readers;
pub mod schema;
pub mod working;
pub mod writer;

pub use writer::Writer;
