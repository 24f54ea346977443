//! `/console/setup` (初始化): the first admin, made in the browser with the
//! one-time token the server printed when it started, as `POST /v1/setup`
//! does. Once an admin exists the page only points to the login.

use super::i18n::Lang;
use super::pages::{Chrome, Message, read, render};
use super::session::{PageLang, start_session};
use crate::auth::accounts;
use crate::error::ApiError;
use crate::http::auth::{Setup, first_admin};
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::net::SocketAddr;

const PATH: &str = "/console/setup";

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    c: Chrome,
    login: String,
    name: String,
    error: String,
}

fn form(lang: Lang, status: StatusCode, login: String, name: String, error: String) -> Response {
    let page = SetupPage {
        c: Chrome::new(lang, lang.t("setup-title"), PATH, None, false),
        login,
        name,
        error,
    };
    (status, render(&page)).into_response()
}

/// Already set up: the login is the way in.
fn done(lang: Lang) -> Response {
    Message::answer(StatusCode::OK, lang, lang.t("setup-done"), PATH, None)
}

/// `GET /console/setup`.
pub async fn get(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
) -> Result<Response, ApiError> {
    if read(&state, accounts::has_admin).await? {
        return Ok(done(lang));
    }
    let blank = (String::new(), String::new(), String::new());
    Ok(form(lang, StatusCode::OK, blank.0, blank.1, blank.2))
}

/// The setup form.
#[derive(Debug, Deserialize)]
pub struct SetupForm {
    token: String,
    login: String,
    #[serde(default)]
    display_name: String,
    password: String,
}

/// `POST /console/setup`: the admin is made and logged in; a wrong or used
/// token, or a bad login or password, shows the form again with why.
pub async fn post(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    PageLang(lang): PageLang,
    Form(f): Form<SetupForm>,
) -> Result<Response, ApiError> {
    let (login, name) = (f.login.clone(), f.display_name.clone());
    let req = Setup {
        token: f.token.trim().to_owned(),
        login: f.login,
        password: f.password,
    };
    match first_admin(&state, peer.ip(), req, f.display_name).await {
        Ok(account) => start_session(&state, &account, peer.ip(), "/console/accounts").await,
        Err(ApiError::Forbidden(_)) => {
            // A wrong token, or one already used by the admin made since.
            if read(&state, accounts::has_admin).await? {
                return Ok(done(lang));
            }
            let why = lang.t("setup-bad-token");
            Ok(form(lang, StatusCode::FORBIDDEN, login, name, why))
        }
        Err(ApiError::BadRequest(why)) => Ok(form(lang, StatusCode::BAD_REQUEST, login, name, why)),
        Err(e) => Err(e),
    }
}
