//! `GET /console/inbox`: a department's orders (部门工单), overdue first.

use super::*;

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    c: Chrome,
    dept: String,
    rows: Vec<Row>,
    can_accept: bool,
}

/// Build a department's inbox for `who` (also the benchmark's entry point).
pub fn inbox_html(
    config: &crate::config::Config,
    conn: &rusqlite::Connection,
    lang: Lang,
    who: &Principal,
    now: i64,
) -> anyhow::Result<String> {
    let dept = who.dept.as_ref().map(|d| d.to_string()).unwrap_or_default();
    let rows = data::inbox(conn, config, lang, &dept, now)?;
    let name = data::department_names(config, lang, std::iter::once(dept.as_str()));
    let page = InboxPage {
        c: Chrome::new(
            lang,
            lang.t1("inbox-title", "dept", &name),
            "/console/inbox",
            Some(who),
            true,
        ),
        dept: name,
        rows,
        can_accept: who.role == Role::DeptLiaison,
    };
    Ok(page.render()?)
}

/// `GET /console/inbox`: a department's orders, overdue first.
pub async fn inbox(State(state): State<AppState>, staff: Staff) -> Result<Response, Response> {
    staff.require(&[Role::DeptLiaison, Role::DeptStaff])?;
    let now = state.clock.now_ms();
    let (config, lang, who) = (state.config.clone(), staff.lang, staff.who.clone());
    let html = read(&state, move |conn| {
        inbox_html(&config, conn, lang, &who, now)
    })
    .await
    .map_err(IntoResponse::into_response)?;
    Ok(Html(html).into_response())
}
