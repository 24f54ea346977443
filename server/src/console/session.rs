//! Console sessions (登录): the console logs a person in like a phone does
//! (a device token), and keeps the token in an HttpOnly, SameSite=Strict
//! cookie. Every page asks for [`Staff`]: no session is a redirect to the
//! login page; a role that must not see the page gets 403.

use super::i18n::Lang;
use super::pages::{Chrome, render};
use crate::auth::accounts::Account;
use crate::auth::{Principal, SESSION_COOKIE, cookie, tokens};
use crate::error::ApiError;
use crate::http::auth;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use paidan_core::Role;
use serde::Deserialize;
use std::net::SocketAddr;

/// The page's language: `?lang=` first, then the `lang` cookie, then Chinese.
pub fn lang_of(parts: &Parts) -> Lang {
    let from_query = parts.uri.query().and_then(|q| {
        q.split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == "lang")
            .map(|(_, v)| v)
    });
    Lang::parse(from_query.or_else(|| cookie(parts, "lang")))
}

/// The language of a request, as an extractor.
#[derive(Debug, Clone, Copy)]
pub struct PageLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for PageLang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(PageLang(lang_of(parts)))
    }
}

/// A logged-in member of staff, and the page's language and path.
#[derive(Debug, Clone)]
pub struct Staff {
    /// Who.
    pub who: Principal,
    /// The page's language.
    pub lang: Lang,
    /// The path asked for (for the language switch and redirects).
    pub path: String,
}

impl Staff {
    /// The page chrome for this person.
    pub fn chrome(&self, title: String, live: bool) -> Chrome {
        Chrome::new(self.lang, title, &self.path, Some(&self.who), live)
    }

    /// 403 unless the role is one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), Response> {
        if roles.contains(&self.who.role) {
            Ok(())
        } else {
            Err(forbidden(self.lang, &self.path, Some(&self.who)))
        }
    }
}

/// The 403 page.
pub fn forbidden(lang: Lang, path: &str, who: Option<&Principal>) -> Response {
    super::pages::Message::answer(StatusCode::FORBIDDEN, lang, lang.t("forbidden"), path, who)
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let lang = lang_of(parts);
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/console".into());
        let to_login =
            || Redirect::to(&format!("/console/login?next={}", encode(&path))).into_response();
        if cookie(parts, SESSION_COOKIE).is_none() {
            return Err(to_login());
        }
        match Principal::from_request_parts(parts, state).await {
            Ok(who) if staff_role(who.role) => Ok(Staff { who, lang, path }),
            Ok(who) => Err(forbidden(lang, &path, Some(&who))),
            Err(ApiError::Unauthorized) => Err(to_login()),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// Roles that work at a desk.
pub fn staff_role(r: Role) -> bool {
    matches!(
        r,
        Role::Dispatcher | Role::DeptLiaison | Role::DeptStaff | Role::Evaluator | Role::Admin
    )
}

/// Percent-encode a path for a query value.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Only our own pages are followed after a login.
fn safe_next(next: Option<&str>) -> Option<&str> {
    next.filter(|n| n.starts_with("/console") && !n.starts_with("//") && !n.contains("://"))
}

/// Where a role starts.
pub fn home(role: Role) -> &'static str {
    match role {
        Role::Dispatcher => "/console",
        Role::DeptLiaison | Role::DeptStaff => "/console/inbox",
        Role::Admin => "/console/accounts",
        _ => "/console/figures",
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    next: String,
    error: String,
}

/// The query of the login page.
#[derive(Debug, Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// `GET /console/login`.
pub async fn login_page(PageLang(lang): PageLang, Query(q): Query<Next>) -> Response {
    let page = LoginPage {
        c: Chrome::new(lang, lang.t("login-title"), "/console/login", None, false),
        next: safe_next(q.next.as_deref()).unwrap_or("").to_owned(),
        error: String::new(),
    };
    render(&page).into_response()
}

/// The login form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
    #[serde(default)]
    next: String,
}

/// `POST /console/login`.
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    PageLang(lang): PageLang,
    Form(f): Form<LoginForm>,
) -> Result<Response, ApiError> {
    let ip = peer.ip();
    let account =
        match auth::authenticate(&state, ip, &f.login, &f.password, |a| staff_role(a.role)).await {
            Ok(account) => account,
            Err(ApiError::Unauthorized) => {
                let page = LoginPage {
                    c: Chrome::new(lang, lang.t("login-title"), "/console/login", None, false),
                    next: safe_next(Some(&f.next)).unwrap_or("").to_owned(),
                    error: lang.t("login-failed"),
                };
                return Ok((StatusCode::UNAUTHORIZED, render(&page)).into_response());
            }
            Err(e) => return Err(e),
        };
    // The bare console address means "my start page".
    let to = safe_next(Some(&f.next))
        .filter(|n| *n != "/console")
        .unwrap_or(home(account.role))
        .to_owned();
    start_session(&state, &account, ip, &to).await
}

/// Issue a console session to `account` (logged in, or just made) and send
/// the browser on to `to`.
pub async fn start_session(
    state: &AppState,
    account: &Account,
    ip: std::net::IpAddr,
    to: &str,
) -> Result<Response, ApiError> {
    // A browser writes no Automerge changes itself (the server writes for
    // it), so its device gets a fresh actor id nobody else holds.
    let mut actor = [0u8; 16];
    getrandom::fill(&mut actor).map_err(|e| ApiError::Internal(anyhow::anyhow!("{e}")))?;
    let issued = auth::issue_device(state, account, actor.to_vec(), "web console", ip).await?;
    let mut resp = Redirect::to(to).into_response();
    let cookie = format!(
        "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}",
        issued.token,
        tokens::TOKEN_DAYS * 86_400
    );
    resp.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).map_err(|e| ApiError::Internal(e.into()))?,
    );
    Ok(resp)
}

/// `POST /console/logout`: the session's token is revoked.
pub async fn logout(State(state): State<AppState>, staff: Staff) -> Result<Response, ApiError> {
    crate::http::auth::end_session(&state, staff.who).await?;
    let mut resp = Redirect::to("/console/login").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static("paidan_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    Ok(resp)
}

/// The language switch.
#[derive(Debug, Deserialize)]
pub struct Switch {
    to: String,
    #[serde(default)]
    back: String,
}

/// `GET /console/lang?to=en&back=/board`.
pub async fn switch_lang(Query(s): Query<Switch>) -> Response {
    let lang = Lang::parse(Some(&s.to));
    let back = if s.back.starts_with('/') && !s.back.starts_with("//") {
        s.back
    } else {
        "/board".into()
    };
    let mut resp = Redirect::to(&back).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "lang={}; Path=/; SameSite=Lax; Max-Age=31536000",
        lang.code()
    )) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}
