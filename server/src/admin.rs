//! Local admin commands on a data folder (no server needs to run: SQLite
//! reads beside a running one).

use crate::config::Config;
use crate::figures::period::{self, Format};
use anyhow::Context;
use std::path::Path;

/// The figures of a period, rendered.
pub fn figures(
    data: &Path,
    config: &Config,
    from: Option<&str>,
    to: Option<&str>,
    format: Format,
) -> anyhow::Result<Vec<u8>> {
    let now = chrono::Utc::now().timestamp_millis();
    let (from, to) = period::period(config, from, to, now).map_err(anyhow::Error::msg)?;
    let db = data.join("paidan.db");
    anyhow::ensure!(db.exists(), "{} holds no Paidan database", data.display());
    // Bring an older data folder up to date first (the migrations are the
    // server's own; a newer one is refused).
    drop(crate::db::schema::open(&db).context("cannot open the database")?);
    let conn =
        rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let f = crate::figures::query(&conn, config, from, to, now)?;
    Ok(period::render(&f, format)?.0)
}

/// Open a data folder's database for an admin command (migrated first).
fn open(data: &Path) -> anyhow::Result<rusqlite::Connection> {
    let db = data.join("paidan.db");
    std::fs::create_dir_all(data).with_context(|| format!("cannot create {}", data.display()))?;
    crate::db::schema::open(&db).context("cannot open the database")
}

/// `paidan-server user add`: make an account (staff, or the first admin).
pub fn add_user(
    data: &Path,
    config: &Config,
    new: crate::auth::accounts::NewAccount,
) -> anyhow::Result<crate::auth::accounts::Account> {
    use crate::auth::{accounts, audit};
    accounts::validate(&new, config).map_err(|e| anyhow::anyhow!("{e}"))?;
    let hash = accounts::hash_password(&new.password)?;
    let mut conn = open(data)?;
    let tx = conn.transaction()?;
    let now = chrono::Utc::now().timestamp_millis();
    // `?` keeps an internal error's cause for the command line's message.
    let account = accounts::insert(&tx, &new, &hash, &config.street.code, now)?;
    audit::record(
        &tx,
        now,
        "local admin (command line)",
        "account_created",
        &format!(
            "{} login {:?} role {}",
            account.user_id, account.login, account.role
        ),
    )?;
    if account.role == paidan_core::Role::Admin {
        // The setup token is no longer needed.
        tx.execute("DELETE FROM setup_tokens", [])?;
    }
    tx.commit()?;
    Ok(account)
}

/// `paidan-server user list`.
pub fn list_users(data: &Path) -> anyhow::Result<Vec<crate::auth::accounts::Account>> {
    crate::auth::accounts::list(&open(data)?)
}

/// `paidan-server user role`: change a role (and department).
pub fn set_role(
    data: &Path,
    config: &Config,
    user: &str,
    role: paidan_core::Role,
    dept: Option<&str>,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        role != paidan_core::Role::System,
        "system is not a role for accounts"
    );
    anyhow::ensure!(
        role.is_department() == dept.is_some(),
        "department roles need --dept, and only they take it"
    );
    if let Some(d) = dept {
        anyhow::ensure!(
            config.catalog.department(d).is_some(),
            "unknown department {d:?}"
        );
    }
    let mut conn = open(data)?;
    let tx = conn.transaction()?;
    anyhow::ensure!(
        crate::auth::accounts::set_role(&tx, user, role, dept)?,
        "no account {user:?}"
    );
    let now = chrono::Utc::now().timestamp_millis();
    crate::auth::audit::record(
        &tx,
        now,
        "local admin (command line)",
        "role_changed",
        &format!("{user} -> {role} {dept:?}"),
    )?;
    tx.commit()?;
    Ok(())
}

/// `paidan-server device list`.
pub fn list_devices(
    data: &Path,
    user: Option<&str>,
) -> anyhow::Result<Vec<crate::auth::tokens::DeviceRow>> {
    crate::auth::tokens::list(&open(data)?, user)
}

/// `paidan-server device revoke`.
pub fn revoke_device(data: &Path, device: &str) -> anyhow::Result<()> {
    let mut conn = open(data)?;
    let tx = conn.transaction()?;
    let now = chrono::Utc::now().timestamp_millis();
    anyhow::ensure!(
        crate::auth::tokens::revoke(&tx, device, now)?,
        "no live device {device:?}"
    );
    crate::auth::audit::record(
        &tx,
        now,
        "local admin (command line)",
        "device_revoked",
        device,
    )?;
    tx.commit()?;
    Ok(())
}

/// `paidan-server audit`: the latest entries, newest first.
pub fn audit(
    data: &Path,
    action: Option<&str>,
    limit: i64,
) -> anyhow::Result<Vec<crate::auth::audit::Entry>> {
    crate::auth::audit::recent(&open(data)?, action, limit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::accounts::NewAccount;

    /// A command-line account made while the server writes must not fail
    /// on the lock: its read-then-write transaction takes the write lock
    /// first, and waits for the server's commit instead of giving up.
    #[test]
    fn accounts_are_made_while_the_server_writes() {
        let dir = tempfile::tempdir().unwrap();
        let config = crate::config::Config::demo();
        drop(open(dir.path()).unwrap());
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let server = {
            let (path, stop) = (dir.path().to_path_buf(), stop.clone());
            std::thread::spawn(move || {
                let mut conn = open(&path).unwrap();
                let mut commits = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let tx = conn.transaction().unwrap();
                    crate::auth::audit::record(&tx, 0, "server", "tick", "").unwrap();
                    tx.commit().unwrap();
                    commits += 1;
                    // A server commits a batch, then gathers the next.
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
                commits
            })
        };
        for i in 0..20 {
            let made = add_user(
                dir.path(),
                &config,
                NewAccount {
                    user_id: None,
                    login: format!("clerk{i}"),
                    password: "a-long-password".into(),
                    role: paidan_core::Role::Dispatcher,
                    dept: None,
                    grids: vec![],
                    display_name: format!("坐席 {i}"),
                },
            );
            if let Err(e) = made {
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
                panic!("account {i}: {e:#}");
            }
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        assert!(server.join().unwrap() > 0, "the server wrote alongside");
        assert_eq!(list_users(dir.path()).unwrap().len(), 20);
    }
}
