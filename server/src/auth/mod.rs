//! Accounts, devices and who is asking.
//!
//! The model:
//! - An **account** (`accounts`) is a person: an opaque `user_id` (what
//!   events carry, so a phone number never enters a case document), a
//!   `login` (a resident's phone number, a staff member's name), an argon2id
//!   password hash, a [`Role`], the street it belongs to and, for
//!   department roles, the department; grid workers and officers may be
//!   given grids. Residents register themselves; staff accounts are made by
//!   an admin (`paidan-server user add`, or `POST /v1/accounts`).
//! - A **device** (`devices`) is one login from one phone or desk: a random
//!   bearer token (only its sha256 is stored), an expiry, a revocation, and
//!   the Automerge actor id the device writes with. A change whose actor is
//!   not the sending device's is refused (see [`crate::permissions`]).
//! - A [`Principal`] is what an authenticated request knows about its
//!   sender; the permission checks and the read scope are decided from it
//!   alone, never from what a change claims about itself.

pub mod accounts;
pub mod audit;
pub mod setup;
pub mod tokens;

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use paidan_core::{DeptCode, GridId, Role, UserId};

/// Who sent a request, as the server knows them.
#[derive(Clone, Debug, PartialEq)]
pub struct Principal {
    /// The device (one login).
    pub device: String,
    /// The account's user id.
    pub user: UserId,
    /// Its role.
    pub role: Role,
    /// Its street.
    pub street: String,
    /// Its department (department roles).
    pub dept: Option<DeptCode>,
    /// Its grids (grid workers, officers with a beat).
    pub grids: Vec<GridId>,
    /// The Automerge actor id bound to the device.
    pub actor: Vec<u8>,
}

impl Principal {
    /// A short name for logs and the audit trail (no secrets).
    pub fn who(&self) -> String {
        format!("{} ({}, device {})", self.user, self.role, self.device)
    }
}

/// The name of the web console's session cookie (its value is a device
/// token like any other).
pub const SESSION_COOKIE: &str = "paidan_session";

/// The bearer token of a request, if it carries one: the `Authorization`
/// header (apps), or the console's session cookie (browsers).
pub fn bearer(parts: &Parts) -> Option<&str> {
    let header = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    header.or_else(|| cookie(parts, SESSION_COOKIE))
}

/// A cookie's value.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    /// 401 without a valid token; 403 for an account of another street.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts).ok_or(ApiError::Unauthorized)?.to_owned();
        let street = state.config.street.code.clone();
        let state = state.clone();
        let now = state.clock.now_ms();
        let principal = tokio::task::spawn_blocking(move || {
            let conn = state.reader()?;
            tokens::authenticate(&conn, &token, now)
        })
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .map_err(ApiError::Internal)?
        .ok_or(ApiError::Unauthorized)?;
        check_street(&principal, &street)?;
        Ok(principal)
    }
}

/// Refuse an account that belongs to another street than this server's.
pub fn check_street(p: &Principal, street: &str) -> Result<(), ApiError> {
    if p.street == street {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "此账号属于 {} 街道，本服务器服务于 {street} / this account belongs to street {}, this server serves {street}",
            p.street, p.street
        )))
    }
}
