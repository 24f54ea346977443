//! `/console/accounts`: an admin makes staff accounts at the desk (账号管理),
//! as with `paidan-server user add`; the same checks (role, department and
//! grids of this street, password length), the same audit line.

use super::i18n::Lang;
use super::pages::{Choice, Chrome, render};
use super::session::Staff;
use crate::auth::accounts::{self, Account, NewAccount};
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use paidan_core::{Role, labels};
use serde::Deserialize;

/// Roles an admin gives at the console (residents register themselves).
const STAFF_ROLES: &[Role] = &[
    Role::Dispatcher,
    Role::DeptLiaison,
    Role::DeptStaff,
    Role::PatrolOfficer,
    Role::GridWorker,
    Role::Evaluator,
    Role::Admin,
];

/// One account line.
#[derive(Debug, Clone)]
pub struct Line {
    /// Login.
    pub login: String,
    /// Name to show.
    pub name: String,
    /// Role's name.
    pub role: String,
    /// Department's name.
    pub dept: String,
    /// Grids.
    pub grids: String,
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage {
    c: Chrome,
    lines: Vec<Line>,
    roles: Vec<Choice>,
    departments: Vec<Choice>,
    error: String,
}

fn page(state: &AppState, staff: &Staff, all: Vec<Account>, error: String) -> AccountsPage {
    let lang: Lang = staff.lang;
    let config = &state.config;
    AccountsPage {
        c: staff.chrome(lang.t("accounts-title"), false),
        lines: all
            .into_iter()
            .filter(|a| a.role != Role::Resident)
            .map(|a| Line {
                dept: super::data::department_names(
                    config,
                    lang,
                    a.dept.iter().map(String::as_str),
                ),
                role: lang.label(labels::role(a.role)).to_owned(),
                grids: a.grids.join("、"),
                name: a.display_name,
                login: a.login,
            })
            .collect(),
        roles: STAFF_ROLES
            .iter()
            .map(|r| Choice {
                code: r.as_str().to_owned(),
                name: lang.label(labels::role(*r)).to_owned(),
            })
            .collect(),
        departments: super::pages::departments(config, lang),
        error,
    }
}

async fn list(state: &AppState) -> Result<Vec<Account>, ApiError> {
    super::pages::read(state, accounts::list).await
}

/// `GET /console/accounts`.
pub async fn get(State(state): State<AppState>, staff: Staff) -> Result<Response, Response> {
    staff.require(&[Role::Admin])?;
    let all = list(&state).await.map_err(IntoResponse::into_response)?;
    Ok(render(&page(&state, &staff, all, String::new())))
}

/// The form.
#[derive(Debug, Deserialize)]
pub struct AddForm {
    login: String,
    password: String,
    role: String,
    #[serde(default)]
    dept: String,
    #[serde(default)]
    grids: String,
    #[serde(default)]
    display_name: String,
}

/// `POST /console/accounts`.
pub async fn post(
    State(state): State<AppState>,
    staff: Staff,
    form: Result<Form<AddForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, Response> {
    staff.require(&[Role::Admin])?;
    let again = |why: String| async {
        let all = list(&state).await.map_err(IntoResponse::into_response)?;
        Err::<Response, Response>(
            (
                StatusCode::BAD_REQUEST,
                render(&page(&state, &staff, all, why)),
            )
                .into_response(),
        )
    };
    let f = match form {
        Ok(Form(f)) => f,
        Err(e) => return again(e.body_text()).await,
    };
    let Ok(role) = f.role.parse::<Role>() else {
        return again(format!("role: {:?} 不是角色 / is not a role", f.role)).await;
    };
    if !STAFF_ROLES.contains(&role) {
        return again("role: 居民请在手机上自行注册 / residents register on their phones".into())
            .await;
    }
    let new = NewAccount {
        user_id: None,
        login: f.login.trim().to_owned(),
        password: f.password,
        role,
        dept: Some(f.dept.trim().to_owned()).filter(|d| !d.is_empty()),
        grids: accounts::split_grids(&f.grids)
            .into_iter()
            .map(|g| g.to_string())
            .collect(),
        display_name: f.display_name.trim().to_owned(),
    };
    match crate::http::auth::create_account(&state, new, staff.who.who()).await {
        Ok(_) => Ok(Redirect::to("/console/accounts").into_response()),
        Err(e @ (ApiError::BadRequest(_) | ApiError::Conflict(_) | ApiError::Unprocessable(_))) => {
            again(e.to_string()).await
        }
        Err(e) => Err(e.into_response()),
    }
}
