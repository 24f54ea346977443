//! The web console (`/console`, for the center and the departments at
//! their desks) and the public board (`/board`, for everyone).
//!
//! Server-rendered HTML: askama templates under `server/templates/`
//! (checked when the server is compiled), the words through Fluent
//! ([`i18n`], Chinese first), a stylesheet and a few lines of plain
//! JavaScript embedded in the binary. Every page asks for a session
//! ([`session::Staff`]) and checks the role on the server; actions go
//! through the same policy table as a device's changes and are written by
//! the writer for the person who made them ([`act`]). A form is taken
//! only from this server's own pages ([`origin`]).

// Handlers answer `Result<Response, Response>` (axum's way to return an
// error page early); a response is larger than clippy likes in an `Err`.
#![allow(clippy::result_large_err)]

pub mod accounts;
pub mod act;
pub mod chart;
pub mod data;
pub mod i18n;
pub mod live;
pub mod map;
pub mod origin;
pub mod pages;
pub mod session;
pub mod setup;

use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};

async fn css() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../../assets/console.css"),
    )
}

async fn js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../../assets/live.js"),
    )
}

/// The console's and the board's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/board", get(pages::board))
        .route("/console", get(pages::queue))
        .route(
            "/console/login",
            get(session::login_page).post(session::login),
        )
        .route("/console/logout", post(session::logout))
        .route("/console/setup", get(setup::get).post(setup::post))
        .route("/console/lang", get(session::switch_lang))
        .route("/console/inbox", get(pages::inbox))
        .route("/console/figures", get(pages::figures))
        .route("/console/accounts", get(accounts::get).post(accounts::post))
        .route("/console/cases/{id}", get(pages::case))
        .route(
            "/console/cases/{id}/act",
            post(act::act).layer(DefaultBodyLimit::max(act::MAX_FORM)),
        )
        .route("/console/events", get(live::events))
        .route("/console/assets/console.css", get(css))
        .route("/console/assets/live.js", get(js))
        .layer(axum::middleware::from_fn(origin::same_origin))
}
