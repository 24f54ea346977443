//! Accounts over HTTP: `POST /v1/login`, `/v1/register` (residents),
//! `/v1/setup` (the first admin), `/v1/logout`, `GET /v1/me`, the admin's
//! `GET|POST /v1/accounts` and `POST /v1/devices/{id}/revoke`, and the
//! reporter's private contact, `PUT|GET /v1/cases/{id}/contact`.

use crate::auth::accounts::{self, Account, NewAccount};
use crate::auth::{Principal, audit, setup, tokens};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use paidan_core::Role;
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, SocketAddr};

fn body<T>(b: Result<Json<T>, JsonRejection>) -> ApiResult<T> {
    b.map(|Json(v)| v)
        .map_err(|e| ApiError::BadRequest(e.body_text()))
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
}

/// A login request.
#[derive(Debug, Deserialize)]
pub struct Login {
    /// Login name (a resident's phone number).
    pub login: String,
    /// Password.
    pub password: String,
    /// The device's Automerge actor id, hex.
    pub actor: String,
    /// A name for the device ("张伟的手机").
    #[serde(default)]
    pub device_name: String,
}

/// What a device gets back from a login.
#[derive(Debug, Serialize)]
pub struct LoggedIn {
    /// Bearer token for every later request.
    pub token: String,
    /// This login's device id.
    pub device_id: String,
    /// When the token expires (ms).
    pub expires_at: i64,
    /// The account.
    pub account: Account,
}

/// `POST /v1/login`.
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Result<Json<Login>, JsonRejection>,
) -> ApiResult<Json<LoggedIn>> {
    let req = body(req)?;
    let ip = peer.ip();
    let actor = hex::decode(req.actor.trim())
        .ok()
        .filter(|a| !a.is_empty() && a.len() <= 64)
        .ok_or_else(|| ApiError::BadRequest("actor: the device's writer id, in hex".into()))?;
    let account = authenticate(&state, ip, &req.login, &req.password, |_| true).await?;
    let device_name: String = req.device_name.chars().take(80).collect();
    let issued = issue_device(&state, &account, actor, &device_name, ip).await?;
    Ok(Json(LoggedIn {
        token: issued.token,
        device_id: issued.device_id,
        expires_at: issued.expires_at,
        account,
    }))
}

/// Check a login name and password (after the login rate limits; argon2, off the runtime's threads;
/// an unknown name costs as much as a known one). The account must belong
/// to this street and pass `allowed`; otherwise the failure is counted
/// against the rate limits, audited (without the password), and 401.
pub async fn authenticate(
    state: &AppState,
    ip: std::net::IpAddr,
    login: &str,
    password: &str,
    allowed: impl FnOnce(&Account) -> bool,
) -> ApiResult<Account> {
    state.limits.before_login(ip, login)?;
    let reader = state.clone();
    let (name, password) = (login.to_owned(), password.to_owned());
    let found = blocking(move || {
        let conn = reader.reader().map_err(ApiError::Internal)?;
        let found = accounts::by_login(&conn, &name).map_err(ApiError::Internal)?;
        let ok = match &found {
            Some((_, hash)) => accounts::verify_password(&password, hash),
            None => {
                accounts::verify_password(&password, accounts::dummy_hash());
                false
            }
        };
        Ok(found.filter(|_| ok).map(|(a, _)| a))
    })
    .await?;
    match found.filter(|a| a.street == state.config.street.code && allowed(a)) {
        Some(account) => Ok(account),
        None => {
            state.limits.login_failed(ip, login);
            let (now, who, login) = (state.clock.now_ms(), format!("ip {ip}"), login.to_owned());
            state
                .writer
                .exec(move |tx| {
                    audit::record(tx, now, &who, "login_failed", &format!("login {login:?}"))?;
                    Ok(())
                })
                .await?;
            Err(ApiError::Unauthorized)
        }
    }
}

/// A new device token for `account`, bound to `actor`, and the login
/// audited.
pub async fn issue_device(
    state: &AppState,
    account: &Account,
    actor: Vec<u8>,
    device_name: &str,
    ip: std::net::IpAddr,
) -> ApiResult<tokens::Issued> {
    let (now, user, device_name) = (
        state.clock.now_ms(),
        account.user_id.clone(),
        device_name.to_owned(),
    );
    state
        .writer
        .exec(move |tx| {
            let issued = tokens::issue(tx, &user, &actor, &device_name, now)?;
            audit::record(
                tx,
                now,
                &format!("{user} (ip {ip})"),
                "login",
                &format!("device {} {device_name:?}", issued.device_id),
            )?;
            Ok(issued)
        })
        .await
}

/// A resident's registration.
#[derive(Debug, Deserialize)]
pub struct Register {
    /// Mobile number (the login).
    pub phone: String,
    /// Password.
    pub password: String,
    /// A name to show.
    #[serde(default)]
    pub display_name: String,
}

/// `POST /v1/register`: residents sign themselves up (no SMS check here).
pub async fn register(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Result<Json<Register>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Account>)> {
    let req = body(req)?;
    state.limits.before_login(peer.ip(), &req.phone)?;
    if !accounts::is_mobile_number(req.phone.trim()) {
        return Err(ApiError::BadRequest(
            "phone: 请输入 11 位手机号 / an 11-digit mobile number".into(),
        ));
    }
    let new = NewAccount {
        user_id: None,
        login: req.phone.trim().to_owned(),
        password: req.password,
        role: Role::Resident,
        dept: None,
        grids: Vec::new(),
        display_name: req.display_name,
    };
    create(&state, new, format!("ip {}", peer.ip())).await
}

async fn create(
    state: &AppState,
    new: NewAccount,
    by: String,
) -> ApiResult<(StatusCode, Json<Account>)> {
    let account = create_account(state, new, by).await?;
    Ok((StatusCode::CREATED, Json(account)))
}

/// Make an account (checked against the configuration, password hashed,
/// audited as made `by` someone). The HTTP API and the console share it.
pub async fn create_account(state: &AppState, new: NewAccount, by: String) -> ApiResult<Account> {
    accounts::validate(&new, &state.config)?;
    let password = new.password.clone();
    let hash =
        blocking(move || accounts::hash_password(&password).map_err(ApiError::Internal)).await?;
    let street = state.config.street.code.clone();
    let now = state.clock.now_ms();
    let account = state
        .writer
        .exec(move |tx| {
            let a = accounts::insert(tx, &new, &hash, &street, now)?;
            audit::record(
                tx,
                now,
                &by,
                "account_created",
                &format!(
                    "{} login {:?} role {} dept {:?} grids {:?}",
                    a.user_id, a.login, a.role, a.dept, a.grids
                ),
            )?;
            Ok(a)
        })
        .await?;
    Ok(account)
}

/// The first admin, with the setup token printed at start.
#[derive(Debug, Deserialize)]
pub struct Setup {
    /// The one-time token.
    pub token: String,
    /// The admin's login.
    pub login: String,
    /// Password.
    pub password: String,
}

/// `POST /v1/setup`.
pub async fn setup(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Result<Json<Setup>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Account>)> {
    let req = body(req)?;
    let account = first_admin(&state, peer.ip(), req, String::new()).await?;
    Ok((StatusCode::CREATED, Json(account)))
}

/// Make the first admin with the setup token (the API's and the console's
/// setup): rate-limited like a login, the token used up in the same
/// transaction as the account is made, audited. 403 for a wrong or used
/// token, 400 for a bad login or password.
pub async fn first_admin(
    state: &AppState,
    ip: IpAddr,
    req: Setup,
    display_name: String,
) -> ApiResult<Account> {
    state.limits.before_login(ip, "setup")?;
    let new = NewAccount {
        user_id: None,
        login: req.login,
        password: req.password,
        role: Role::Admin,
        dept: None,
        grids: Vec::new(),
        display_name,
    };
    accounts::validate(&new, &state.config)?;
    let password = new.password.clone();
    let hash =
        blocking(move || accounts::hash_password(&password).map_err(ApiError::Internal)).await?;
    let street = state.config.street.code.clone();
    let now = state.clock.now_ms();
    let token = req.token;
    let result = state
        .writer
        .exec(move |tx| {
            if !setup::consume(tx, &token).map_err(ApiError::Internal)? {
                return Ok(None);
            }
            let a = accounts::insert(tx, &new, &hash, &street, now)?;
            audit::record(tx, now, &format!("ip {ip}"), "admin_setup", &a.user_id)?;
            Ok(Some(a))
        })
        .await?;
    match result {
        Some(a) => Ok(a),
        None => {
            state.limits.login_failed(ip, "setup");
            Err(ApiError::Forbidden(
                "初始化令牌无效或已使用 / the setup token is wrong or already used".into(),
            ))
        }
    }
}

fn admin_only(p: &Principal) -> ApiResult<()> {
    if p.role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden("仅管理员 / admins only".into()))
    }
}

/// `POST /v1/accounts`: an admin makes a staff (or resident) account.
pub async fn add_account(
    State(state): State<AppState>,
    p: Principal,
    req: Result<Json<NewAccount>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<Account>)> {
    admin_only(&p)?;
    let new = body(req)?;
    create(&state, new, p.who()).await
}

/// `GET /v1/accounts`: every account (admins).
pub async fn list_accounts(
    State(state): State<AppState>,
    p: Principal,
) -> ApiResult<Json<Vec<Account>>> {
    admin_only(&p)?;
    blocking(move || {
        let conn = state.reader().map_err(ApiError::Internal)?;
        Ok(Json(accounts::list(&conn).map_err(ApiError::Internal)?))
    })
    .await
}

/// `POST /v1/devices/{id}/revoke`: an admin, or the device's own user.
pub async fn revoke(
    State(state): State<AppState>,
    p: Principal,
    Path(device): Path<String>,
) -> ApiResult<StatusCode> {
    let now = state.clock.now_ms();
    let done = state
        .writer
        .exec(move |tx| {
            let owner: Option<String> = rusqlite::OptionalExtension::optional(tx.query_row(
                "SELECT user_id FROM devices WHERE device_id = ?1",
                [&device],
                |r| r.get(0),
            ))?;
            match owner {
                Some(o) if p.role == Role::Admin || o == p.user.as_str() => {}
                Some(_) => return Err(ApiError::Forbidden("not your device".into())),
                None => return Ok(false),
            }
            let done = tokens::revoke(tx, &device, now).map_err(ApiError::Internal)?;
            if done {
                audit::record(tx, now, &p.who(), "device_revoked", &device)?;
            }
            Ok(done)
        })
        .await?;
    if done {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound(
            "no such device, or already revoked".into(),
        ))
    }
}

/// `POST /v1/logout`: this device's token stops working.
pub async fn logout(State(state): State<AppState>, p: Principal) -> ApiResult<StatusCode> {
    end_session(&state, p).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Revoke the device's token and audit the logout (apps and the console).
pub async fn end_session(state: &AppState, p: Principal) -> ApiResult<()> {
    let now = state.clock.now_ms();
    state
        .writer
        .exec(move |tx| {
            tokens::revoke(tx, &p.device, now).map_err(ApiError::Internal)?;
            audit::record(tx, now, &p.who(), "logout", &p.device)?;
            Ok(())
        })
        .await
}

/// Who am I, as the server sees it.
#[derive(Debug, Serialize)]
pub struct Me {
    /// User id.
    pub user_id: String,
    /// Role.
    pub role: Role,
    /// Street.
    pub street: String,
    /// Department.
    pub dept: Option<String>,
    /// Grids.
    pub grids: Vec<String>,
    /// Device.
    pub device_id: String,
}

/// `GET /v1/me`.
pub async fn me(p: Principal) -> Json<Me> {
    Json(Me {
        user_id: p.user.to_string(),
        role: p.role,
        street: p.street,
        dept: p.dept.map(|d| d.to_string()),
        grids: p.grids.iter().map(|g| g.to_string()).collect(),
        device_id: p.device,
    })
}

/// A reporter's private contact.
#[derive(Debug, Serialize, Deserialize)]
pub struct Contact {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
}

fn case_bytes(id: &str) -> ApiResult<[u8; 16]> {
    id.parse::<uuid::Uuid>()
        .map(|u| *u.as_bytes())
        .map_err(|_| ApiError::BadRequest(format!("{id:?} is not a case id")))
}

/// `PUT /v1/cases/{id}/contact`: the reporter leaves a name and phone for
/// the callback. Kept outside the case documents; never in any feed.
pub async fn put_contact(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
    req: Result<Json<Contact>, JsonRejection>,
) -> ApiResult<StatusCode> {
    let case = case_bytes(&id)?;
    let c = body(req)?;
    let too_long = |s: &Option<String>| s.as_ref().is_some_and(|s| s.chars().count() > 64);
    if too_long(&c.name) || too_long(&c.phone) {
        return Err(ApiError::BadRequest(
            "name and phone: at most 64 characters".into(),
        ));
    }
    let now = state.clock.now_ms();
    state
        .writer
        .exec(move |tx| {
            let reporter: Option<Option<String>> = rusqlite::OptionalExtension::optional(
                tx.query_row("SELECT reporter FROM cases WHERE case_id = ?1", [&case[..]], |r| r.get(0)),
            )?;
            match reporter {
                None => return Err(ApiError::NotFound("sync the case first".into())),
                Some(r) if r.as_deref() != Some(p.user.as_str()) => {
                    return Err(ApiError::Forbidden("only the reporter leaves a contact".into()));
                }
                _ => {}
            }
            tx.execute(
                "INSERT INTO contacts (case_id, user_id, name, phone, at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(case_id) DO UPDATE SET name = excluded.name, phone = excluded.phone, at = excluded.at",
                rusqlite::params![&case[..], p.user.as_str(), c.name, c.phone, now],
            )?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /v1/cases/{id}/contact`: the center reads it for the callback
/// (each read is in the audit log).
pub async fn get_contact(
    State(state): State<AppState>,
    p: Principal,
    Path(id): Path<String>,
) -> ApiResult<Json<Contact>> {
    if p.role != Role::Dispatcher {
        return Err(ApiError::Forbidden(
            "只有中心调度员可查看联系方式 / only the center's dispatchers see contacts".into(),
        ));
    }
    let case = case_bytes(&id)?;
    let now = state.clock.now_ms();
    state
        .writer
        .exec(move |tx| {
            let c: Option<Contact> = rusqlite::OptionalExtension::optional(tx.query_row(
                "SELECT name, phone FROM contacts WHERE case_id = ?1",
                [&case[..]],
                |r| {
                    Ok(Contact {
                        name: r.get(0)?,
                        phone: r.get(1)?,
                    })
                },
            ))?;
            audit::record(tx, now, &p.who(), "contact_read", &id)?;
            c.map(Json)
                .ok_or_else(|| ApiError::NotFound("no contact left for this case".into()))
        })
        .await
}
