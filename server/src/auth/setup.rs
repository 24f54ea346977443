//! Bootstrapping (初始化): a server with no admin prints a one-time setup
//! token when it starts (never a default password). `POST /v1/setup` with
//! that token makes the first admin account and uses the token up; the
//! operator at the machine may instead run `paidan-server user add --role
//! admin` on the data folder.

use super::tokens::{new_token, token_hash};
use rusqlite::{Connection, params};

/// If there is no admin, replace any earlier setup token with a new one
/// and return it (to be shown once on the console).
pub fn prepare(tx: &Connection, now: i64) -> anyhow::Result<Option<String>> {
    if super::accounts::has_admin(tx)? {
        tx.execute("DELETE FROM setup_tokens", [])?;
        return Ok(None);
    }
    let token = new_token()?;
    tx.execute("DELETE FROM setup_tokens", [])?;
    tx.execute(
        "INSERT INTO setup_tokens (token_hash, created_at) VALUES (?1, ?2)",
        params![token_hash(&token), now],
    )?;
    Ok(Some(token))
}

/// Use the setup token up; true when it was valid (and no admin exists).
pub fn consume(tx: &Connection, token: &str) -> anyhow::Result<bool> {
    if super::accounts::has_admin(tx)? {
        return Ok(false);
    }
    Ok(tx.execute(
        "DELETE FROM setup_tokens WHERE token_hash = ?1",
        [token_hash(token)],
    )? == 1)
}
