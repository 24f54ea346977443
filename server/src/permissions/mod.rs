//! Permissions (权限): the server does not trust a change because it
//! arrived.
//!
//! - [`policy`] is the table: per role, whether it may file cases, which
//!   event kinds it may write, on which cases, and which root fields of an
//!   existing case it may edit.
//! - [`check`] applies the table to incoming changes: every change must be
//!   written with the sending device's actor id, every new event must be by
//!   the sending account in its own role and department, and what the
//!   changes touch (Automerge's patches between the old and the new heads)
//!   must be allowed. A violating change is refused whole, and so is every
//!   later change of the request that builds on it.
//! - [`scope`] decides what a device receives: the principals a case is
//!   granted to (its reporter and followers, its grid, the departments it
//!   was dispatched to), kept in `case_access` as cases change.
//!
//! `docs/permissions.md` is this module in words.

pub mod check;
pub mod policy;
pub mod scope;
