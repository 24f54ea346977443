//! Device tokens (设备令牌): issued at login, stored as their sha256,
//! expiring and revocable. The token is 32 random bytes from the operating
//! system; being random, a plain hash is enough (no password stretching).

use super::Principal;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

/// How long a device stays logged in without logging in again.
pub const TOKEN_DAYS: i64 = 90;
const DAY_MS: i64 = 24 * 3600 * 1000;

/// A new random token: `pdt_` and 64 hex digits.
pub fn new_token() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(format!("pdt_{}", hex::encode(bytes)))
}

/// What the database keeps of a token.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A device that has just logged in.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Issued {
    /// The device id.
    pub device_id: String,
    /// The bearer token (shown once, to the device).
    pub token: String,
    /// When it expires (ms).
    pub expires_at: i64,
}

/// Register a device for `user` writing with `actor`, and issue its token.
/// An actor id already bound to another account is refused; the same
/// account logging in again from the same store replaces its old device.
pub fn issue(
    tx: &Connection,
    user: &str,
    actor: &[u8],
    name: &str,
    now: i64,
) -> Result<Issued, crate::error::ApiError> {
    let bound: Option<String> = tx
        .query_row(
            "SELECT user_id FROM devices WHERE actor = ?1 AND revoked_at IS NULL AND user_id <> ?2 LIMIT 1",
            params![actor, user],
            |r| r.get(0),
        )
        .optional()?;
    if bound.is_some() {
        return Err(crate::error::ApiError::Conflict(
            "此设备已绑定其他账号，请重新安装或清除数据 / this device's writer id belongs to another account; clear the app's data first".into(),
        ));
    }
    tx.execute(
        "UPDATE devices SET revoked_at = ?3 WHERE user_id = ?1 AND actor = ?2 AND revoked_at IS NULL",
        params![user, actor, now],
    )?;
    let token = new_token().map_err(crate::error::ApiError::Internal)?;
    let device_id = uuid::Uuid::now_v7().to_string();
    let expires_at = now + TOKEN_DAYS * DAY_MS;
    tx.execute(
        "INSERT INTO devices (device_id, user_id, token_hash, actor, name, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            device_id,
            user,
            token_hash(&token),
            actor,
            name,
            now,
            expires_at
        ],
    )?;
    Ok(Issued {
        device_id,
        token,
        expires_at,
    })
}

/// The principal of a valid token at `now`; `None` when it is unknown,
/// expired, revoked, or its account is disabled.
pub fn authenticate(conn: &Connection, token: &str, now: i64) -> anyhow::Result<Option<Principal>> {
    let row = conn
        .prepare_cached(
            "SELECT d.device_id, d.actor, d.expires_at, d.revoked_at, a.user_id, a.role, a.street, a.dept, a.grids, a.disabled
             FROM devices d JOIN accounts a ON a.user_id = d.user_id WHERE d.token_hash = ?1",
        )?
        .query_row([token_hash(token)], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, bool>(9)?,
            ))
        })
        .optional()?;
    let Some((device, actor, expires, revoked, user, role, street, dept, grids, disabled)) = row
    else {
        return Ok(None);
    };
    if revoked.is_some() || expires <= now || disabled {
        return Ok(None);
    }
    Ok(Some(Principal {
        device,
        user: user.as_str().into(),
        role: role.parse()?,
        street,
        dept: dept.map(|d| d.as_str().into()),
        grids: super::accounts::split_grids(&grids),
        actor,
    }))
}

/// Revoke a device; false when there is no such live device.
pub fn revoke(tx: &Connection, device: &str, now: i64) -> anyhow::Result<bool> {
    Ok(tx.execute(
        "UPDATE devices SET revoked_at = ?2 WHERE device_id = ?1 AND revoked_at IS NULL",
        params![device, now],
    )? == 1)
}

/// A device as listed to an admin.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeviceRow {
    /// Device id.
    pub device_id: String,
    /// Its account.
    pub user_id: String,
    /// The name the device gave.
    pub name: String,
    /// Logged in at (ms).
    pub created_at: i64,
    /// Expires at (ms).
    pub expires_at: i64,
    /// Revoked at (ms).
    pub revoked_at: Option<i64>,
}

/// Every device of `user` (or of everybody), newest first.
pub fn list(conn: &Connection, user: Option<&str>) -> anyhow::Result<Vec<DeviceRow>> {
    let mut stmt = conn.prepare(
        "SELECT device_id, user_id, name, created_at, expires_at, revoked_at FROM devices
         WHERE ?1 IS NULL OR user_id = ?1 ORDER BY created_at DESC",
    )?;
    let rows = stmt.query_map([user], |r| {
        Ok(DeviceRow {
            device_id: r.get(0)?,
            user_id: r.get(1)?,
            name: r.get(2)?,
            created_at: r.get(3)?,
            expires_at: r.get(4)?,
            revoked_at: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
