//! # paidan-core
//!
//! The offline-first heart of Paidan (派单), shared by the phone apps (through
//! `paidan-mobile`), the `paidan-field` command-line client and the server.
//! It does no network or disk I/O it does not have to, and never pulls in an
//! async runtime: it is what ships inside the apps.
//!
//! ## The model
//!
//! A **case** (工单) is one report of a neighbourhood problem and the work
//! order that follows it. Each case is its own Automerge document
//! ([`CaseDoc`]): small documents load, sync and are authorized one by one.
//! The document holds what was reported (category, text, place, photo
//! references) and an append-only list of **events** ([`Event`]): reported,
//! triaged, dispatched (派单), accepted (接单), returned (退单), progress,
//! extension (延期), reminded (催办), escalated (督办), completed (办结),
//! verified (核查), closed (结案), callback (回访), reopened (重办) and more.
//!
//! State is never a field two offline writers could both overwrite. It is
//! derived: [`fold`] walks the events in document order (which all replicas
//! agree on) and gives a [`CaseView`]: status, the departments and their
//! deadlines, overdue, reminders, satisfaction, links, and which actions each
//! role may take next. An event that is not valid where it stands (the
//! second of two concurrent closes) is kept and marked superseded, never
//! dropped. Clients and the server run the same fold.
//!
//! The reporter's name and phone are not in the shared document at all; they
//! live in a private per-case record ([`PrivateContact`]) that only the
//! reporter and staff receive.
//!
//! ## The pieces
//!
//! - [`ids`], [`model`], [`event`], [`catalog`]: the domain's types.
//! - [`doc`]: the case document behind a typed API.
//! - [`fold`]: the workflow rules, one pure function.
//! - [`store`]: the device's SQLite store (documents + listing index).
//! - [`photo`]: shrinking, re-encoding and hashing photos before they are
//!   referenced.

pub mod catalog;
pub mod device;
pub mod doc;
pub mod error;
pub mod event;
pub mod fold;
pub mod ids;
pub mod labels;
pub mod model;
pub mod photo;
pub mod store;
pub mod sync;
#[doc(hidden)]
pub mod testing;

pub use catalog::{Catalog, Category, Department};
pub use doc::{Case, CaseDoc, Created, NewCase};
pub use error::{Error, Result};
pub use event::{Event, EventData, EventKind, ReminderStage};
pub use fold::{Actor, Assignment, AssignmentState, CaseView, Status, fold};
pub use ids::{CaseId, CategoryCode, DeptCode, EventId, GridId, UserId};
pub use model::{Channel, Location, PhotoRef, PhotoStage, PrivateContact, Role, Satisfaction};
pub use store::Store;

/// Re-exported so that callers name the same Automerge types.
pub use automerge;

/// The time now, in milliseconds since the Unix epoch (UTC).
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
