//! The console's pages and the public board, a file each: every page is a
//! pure `*_html(config, conn, …)` builder over a read connection (what the
//! benchmark times) and its handler. Here: what they share.

mod board;
mod case;
mod figures;
mod inbox;
mod queue;

pub use board::{BoardQuery, board, board_html};
pub use case::{CaseHtml, case, case_html};
pub use figures::{Period, figures, figures_html};
pub use inbox::{inbox, inbox_html};
pub use queue::{queue, queue_html};

use crate::auth::Principal;
use crate::console::data::{self, Row};
use crate::console::i18n::Lang;
use crate::console::session::{PageLang, Staff, forbidden};
use crate::console::{chart, map};
use crate::error::ApiError;
use crate::permissions::{check, policy};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use paidan_core::{Actor, EventData, EventKind, Role, labels};
use serde::Deserialize;

/// What every page has around its content.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// The language.
    pub lang: Lang,
    /// The page title.
    pub title: String,
    /// Who is logged in ("" on the board and the login page).
    pub user: String,
    /// Their role's name.
    pub role: String,
    /// Show the dispatcher's queue link.
    pub nav_queue: bool,
    /// Show the department inbox link.
    pub nav_inbox: bool,
    /// Show the figures link.
    pub nav_figures: bool,
    /// Show the accounts link (admins).
    pub nav_accounts: bool,
    /// The language switch link.
    pub switch_href: String,
    /// Reload on server changes (the queue and the inbox).
    pub live: bool,
}

impl Chrome {
    /// The chrome of a page at `path` for `who`.
    pub fn new(
        lang: Lang,
        title: String,
        path: &str,
        who: Option<&Principal>,
        live: bool,
    ) -> Chrome {
        let role = who.map(|p| p.role);
        Chrome {
            lang,
            title,
            user: who.map(|p| p.user.to_string()).unwrap_or_default(),
            role: role
                .map(|r| lang.label(labels::role(r)).to_owned())
                .unwrap_or_default(),
            nav_queue: role == Some(Role::Dispatcher),
            nav_inbox: role.is_some_and(Role::is_department),
            nav_figures: role.is_some(),
            nav_accounts: role == Some(Role::Admin),
            switch_href: format!(
                "/console/lang?to={}&back={}",
                lang.other().code(),
                crate::console::session::encode(path.split('?').next().unwrap_or("/board"))
            ),
            live,
        }
    }
}

/// Render a template, or a plain 500 if a template fails (it should not).
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => ApiError::Internal(e.into()).into_response(),
    }
}

/// A page with one message (403, a refused action).
#[derive(Debug, Template)]
#[template(path = "message.html")]
pub struct Message {
    /// Chrome.
    pub c: Chrome,
    /// The message.
    pub text: String,
}

impl Message {
    /// A page saying `text` with `status`, for `who` at `path`.
    pub fn answer(
        status: StatusCode,
        lang: Lang,
        text: String,
        path: &str,
        who: Option<&Principal>,
    ) -> Response {
        let page = Message {
            c: Chrome::new(lang, text.clone(), path, who, false),
            text,
        };
        (status, render(&page)).into_response()
    }
}

/// Run `f` on a read connection beside the writer, off the async threads.
pub async fn read<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&rusqlite::Connection) -> anyhow::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    let state = state.clone();
    tokio::task::spawn_blocking(move || {
        let conn = state.reader()?;
        f(&conn)
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))?
    .map_err(ApiError::Internal)
}

/// A department as a choice in a form.
#[derive(Debug, Clone)]
pub struct Choice {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
}

impl Choice {
    /// A configured thing with names in both languages.
    pub fn named(code: &str, zh: &str, en: &str, lang: Lang) -> Choice {
        Choice {
            code: code.to_owned(),
            name: lang.name(zh, en).to_owned(),
        }
    }
}

/// The configured departments, as choices.
pub fn departments(config: &crate::config::Config, lang: Lang) -> Vec<Choice> {
    let d = &config.catalog.departments;
    d.iter()
        .map(|d| Choice::named(d.code.as_str(), &d.name_zh, &d.name_en, lang))
        .collect()
}

/// May `who` see this case at the console?
pub fn may_see(who: &Principal, case: &paidan_core::Case) -> bool {
    match who.role {
        Role::Dispatcher | Role::Evaluator => true,
        Role::DeptLiaison | Role::DeptStaff => {
            check::in_scope(policy::Scope::Department, who, case)
        }
        _ => false,
    }
}

/// Anything the console does not know.
pub async fn not_found(PageLang(lang): PageLang) -> Response {
    Message::answer(StatusCode::NOT_FOUND, lang, "404".into(), "/board", None)
}
