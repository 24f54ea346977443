//! Accounts (账号): who may log in, in which role, for which street,
//! department and grids. Passwords are hashed with argon2id (PHC strings,
//! salt per password); a password is never stored, logged or returned.

use crate::config::Config;
use crate::error::ApiError;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use paidan_core::{GridId, Role};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

/// Shortest password accepted.
pub const MIN_PASSWORD: usize = 8;

/// An account as stored (without its password hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    /// Opaque id written into events.
    pub user_id: String,
    /// What the person types to log in.
    pub login: String,
    /// Role.
    pub role: Role,
    /// Street code.
    pub street: String,
    /// Department code (department roles).
    pub dept: Option<String>,
    /// Grid codes (grid workers; officers with a beat).
    #[serde(default)]
    pub grids: Vec<String>,
    /// A name to show (张伟).
    #[serde(default)]
    pub display_name: String,
}

/// What an admin gives to make an account.
#[derive(Debug, Clone, Deserialize)]
pub struct NewAccount {
    /// A chosen user id (staff codes); a new opaque one when absent.
    #[serde(default)]
    pub user_id: Option<String>,
    /// Login name.
    pub login: String,
    /// Password (hashed at once).
    pub password: String,
    /// Role.
    pub role: Role,
    /// Department (department roles).
    #[serde(default)]
    pub dept: Option<String>,
    /// Grids.
    #[serde(default)]
    pub grids: Vec<String>,
    /// Name to show.
    #[serde(default)]
    pub display_name: String,
}

/// Grid codes from their stored form (comma separated).
pub fn split_grids(s: &str) -> Vec<GridId> {
    s.split(',')
        .filter(|g| !g.is_empty())
        .map(|g| g.into())
        .collect()
}

fn bad(field: &str, why: &str) -> ApiError {
    ApiError::BadRequest(format!("{field}: {why}"))
}

/// Check an account against the configuration before it is stored.
pub fn validate(new: &NewAccount, config: &Config) -> Result<(), ApiError> {
    let login = new.login.trim();
    if login.is_empty() || login.len() > 64 || login.chars().any(|c| c.is_control() || c == ' ') {
        return Err(bad(
            "login",
            "登录名为 1 到 64 个字符，不含空格 / 1 to 64 characters, no spaces",
        ));
    }
    if new.password.chars().count() < MIN_PASSWORD {
        return Err(bad("password", "密码至少 8 位 / at least 8 characters"));
    }
    if let Some(id) = &new.user_id
        && (id.is_empty()
            || id.len() > 64
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)))
    {
        return Err(bad("user_id", "letters, digits, '-', '_' and '.' only"));
    }
    if new.role == Role::System {
        return Err(bad("role", "system is the server itself, not an account"));
    }
    match (&new.dept, new.role.is_department()) {
        (None, true) => return Err(bad("dept", "a department role needs its department")),
        (Some(_), false) => {
            return Err(bad("dept", "only department roles belong to a department"));
        }
        (Some(d), true) if config.catalog.department(d).is_none() => {
            return Err(bad("dept", &format!("unknown department {d:?}")));
        }
        _ => {}
    }
    for g in &new.grids {
        if config.area.grid(g).is_none() {
            return Err(bad("grids", &format!("unknown grid {g:?}")));
        }
    }
    Ok(())
}

/// Hash a password (argon2id, random salt).
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .to_string())
}

/// Does `password` match the stored hash?
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash to verify against when the login is unknown, so that an unknown
/// login costs as long as a wrong password (no account enumeration by time).
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("no such account").unwrap_or_default())
}

/// Store a validated account whose password is already hashed. The
/// street is the server's.
pub fn insert(
    tx: &Connection,
    new: &NewAccount,
    password_hash: &str,
    street: &str,
    now: i64,
) -> Result<Account, ApiError> {
    let user_id = new
        .user_id
        .clone()
        .unwrap_or_else(|| format!("u-{}", uuid::Uuid::now_v7().simple()));
    let taken: bool = tx.query_row(
        "SELECT EXISTS(SELECT 1 FROM accounts WHERE login = ?1 OR user_id = ?2)",
        params![new.login.trim(), user_id],
        |r| r.get(0),
    )?;
    if taken {
        return Err(ApiError::Conflict(
            "该登录名或用户编号已存在 / that login or user id is taken".into(),
        ));
    }
    let account = Account {
        user_id,
        login: new.login.trim().to_owned(),
        role: new.role,
        street: street.to_owned(),
        dept: new.dept.clone(),
        grids: new.grids.clone(),
        display_name: new.display_name.trim().to_owned(),
    };
    tx.execute(
        "INSERT INTO accounts (user_id, login, password_hash, role, street, dept, grids, display_name, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            account.user_id,
            account.login,
            password_hash,
            account.role.as_str(),
            account.street,
            account.dept,
            account.grids.join(","),
            account.display_name,
            now
        ],
    )?;
    Ok(account)
}

/// An account and its password hash, by login name (enabled ones only).
pub fn by_login(conn: &Connection, login: &str) -> anyhow::Result<Option<(Account, String)>> {
    let row = conn
        .query_row(
            "SELECT user_id, login, role, street, dept, grids, display_name, password_hash
             FROM accounts WHERE login = ?1 AND disabled = 0",
            [login.trim()],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, String>(7)?,
                ))
            },
        )
        .optional()?;
    let Some((user_id, login, role, street, dept, grids, display_name, hash)) = row else {
        return Ok(None);
    };
    Ok(Some((
        Account {
            user_id,
            login,
            role: role.parse()?,
            street,
            dept,
            grids: split_grids(&grids)
                .into_iter()
                .map(|g| g.to_string())
                .collect(),
            display_name,
        },
        hash,
    )))
}

/// Every account, by login.
pub fn list(conn: &Connection) -> anyhow::Result<Vec<Account>> {
    let mut stmt = conn.prepare(
        "SELECT user_id, login, role, street, dept, grids, display_name FROM accounts ORDER BY login",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, Option<String>>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (user_id, login, role, street, dept, grids, display_name) = row?;
        out.push(Account {
            user_id,
            login,
            role: role.parse()?,
            street,
            dept,
            grids: split_grids(&grids)
                .into_iter()
                .map(|g| g.to_string())
                .collect(),
            display_name,
        });
    }
    Ok(out)
}

/// Is there any admin yet?
pub fn has_admin(conn: &Connection) -> anyhow::Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM accounts WHERE role = 'admin' AND disabled = 0)",
        [],
        |r| r.get(0),
    )?)
}

/// Is `phone` a mainland mobile number (what residents log in with)?
pub fn is_mobile_number(phone: &str) -> bool {
    phone.len() == 11 && phone.starts_with('1') && phone.bytes().all(|b| b.is_ascii_digit())
}

/// Change a role (and department), for the audit trail's "permission
/// change"; false when there is no such account.
pub fn set_role(
    tx: &Connection,
    user: &str,
    role: Role,
    dept: Option<&str>,
) -> anyhow::Result<bool> {
    Ok(tx.execute(
        "UPDATE accounts SET role = ?2, dept = ?3 WHERE user_id = ?1",
        params![user, role.as_str(), dept],
    )? == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_only_against_its_own_hash() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("correct hors", &h));
        assert!(!verify_password("correct horse", "not a hash"));
        assert_ne!(h, hash_password("correct horse").unwrap(), "salted");
    }

    #[test]
    fn accounts_are_checked_against_the_configuration() {
        let config = Config::demo();
        let ok = NewAccount {
            user_id: None,
            login: "liaison.cgj".into(),
            password: "long enough".into(),
            role: Role::DeptLiaison,
            dept: Some("urban_mgmt".into()),
            grids: vec![],
            display_name: String::new(),
        };
        assert!(validate(&ok, &config).is_ok());
        let err = |f: fn(&mut NewAccount)| {
            let mut a = ok.clone();
            f(&mut a);
            validate(&a, &config).unwrap_err().to_string()
        };
        assert!(err(|a| a.dept = None).starts_with("dept:"));
        assert!(err(|a| a.dept = Some("nope".into())).contains("unknown department"));
        assert!(err(|a| a.password = "short".into()).starts_with("password:"));
        assert!(err(|a| a.role = Role::System).starts_with("role:"));
        assert!(
            err(|a| a.grids = vec!["x'; DROP TABLE accounts;--".into()]).contains("unknown grid")
        );
        assert!(err(|a| a.login = "has space".into()).starts_with("login:"));
    }

    #[test]
    fn mobile_numbers() {
        assert!(is_mobile_number("13800000000"));
        assert!(!is_mobile_number("1380000000"));
        assert!(!is_mobile_number("23800000000"));
        assert!(!is_mobile_number("1380000000a"));
    }
}
