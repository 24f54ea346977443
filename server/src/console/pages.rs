//! The console's pages and the public board: each handler reads what it
//! shows beside the writer and renders an askama template (checked at
//! compile time, escaped by default).

use super::data::{self, Row};
use super::i18n::Lang;
use super::session::{PageLang, Staff, forbidden};
use super::{chart, map};
use crate::auth::Principal;
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
                super::session::encode(path.split('?').next().unwrap_or("/board"))
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

async fn read<T: Send + 'static>(
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

/// A queue line with what the dispatcher needs beside it.
#[derive(Debug, Clone)]
pub struct QueueItem {
    /// The listing row.
    pub row: Row,
    /// Suggested departments (names).
    pub suggested: String,
    /// Suggested department codes (pre-ticked).
    pub suggested_codes: Vec<String>,
    /// The first photo's hash.
    pub photo: Option<String>,
    /// The place as the reporter said it.
    pub address: String,
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

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    c: Chrome,
    items: Vec<QueueItem>,
    departments: Vec<Choice>,
    map: String,
    attribution: String,
}

/// Build the queue page (also the benchmark's entry point).
pub fn queue_html(
    config: &crate::config::Config,
    conn: &rusqlite::Connection,
    lang: Lang,
    who: &Principal,
    now: i64,
) -> anyhow::Result<String> {
    let rows = data::queue(conn, config, lang, now)?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        let id: paidan_core::CaseId = row.id.parse()?;
        let (suggested_codes, photo, address) = match data::case(conn, &id)? {
            Some((case, view)) => (
                view.suggested
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>(),
                case.photos.first().map(|p| p.sha256.clone()),
                case.location.address.clone().unwrap_or_default(),
            ),
            None => (Vec::new(), None, String::new()),
        };
        items.push(QueueItem {
            suggested: data::department_names(
                config,
                lang,
                suggested_codes.iter().map(String::as_str),
            ),
            suggested_codes,
            photo,
            address,
            row,
        });
    }
    let open = data::open_cases(conn, config, lang, now)?;
    let page = QueuePage {
        c: Chrome::new(lang, lang.t("queue-title"), "/console", Some(who), true),
        items,
        departments: departments(config, lang),
        map: map::svg(config, lang, &open),
        attribution: config.map.attribution.clone(),
    };
    Ok(page.render()?)
}

/// `GET /console`: the dispatcher's queue and the map.
pub async fn queue(State(state): State<AppState>, staff: Staff) -> Result<Response, Response> {
    staff.require(&[Role::Dispatcher])?;
    let now = state.clock.now_ms();
    let config = state.config.clone();
    let html = read(&state, move |conn| {
        queue_html(&config, conn, staff.lang, &staff.who, now)
    })
    .await
    .map_err(IntoResponse::into_response)?;
    let mut resp = Html(html).into_response();
    // Map tiles from the configured tile server may be shown here.
    if let Some(origin) = state.config.map.tile_origin()
        && let Ok(v) = axum::http::HeaderValue::from_str(&format!(
            "default-src 'self'; img-src 'self' data: {origin}; frame-ancestors 'none'"
        ))
    {
        resp.headers_mut()
            .insert(axum::http::header::CONTENT_SECURITY_POLICY, v);
    }
    Ok(resp)
}

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

/// One event of the timeline, ready to show.
#[derive(Debug, Clone)]
pub struct Line {
    /// When (local).
    pub at: String,
    /// Who (user id).
    pub by: String,
    /// Their role.
    pub role: String,
    /// The kind's name.
    pub kind: String,
    /// The kind's code (for tests and styles).
    pub code: &'static str,
    /// What it says.
    pub text: String,
    /// Photos before (or the only ones).
    pub before: Vec<String>,
    /// Photos after.
    pub after: Vec<String>,
    /// Not applied, and why.
    pub superseded: String,
    /// The other case it names (a duplicate, a recurrence), if any.
    pub link: String,
}

/// What an event says, and its photos before and after the work (a
/// completion shows the report's photos beside its own).
fn describe(
    config: &crate::config::Config,
    lang: Lang,
    data: &EventData,
    report: &[String],
) -> (String, Vec<String>, Vec<String>) {
    use EventData as D;
    let depts = |d: &[paidan_core::DeptCode]| {
        data::department_names(config, lang, d.iter().map(|x| x.as_str()))
    };
    match data {
        D::Reported { channel } => (channel.to_string(), report.to_vec(), vec![]),
        D::Comment { text } => (text.clone(), vec![], vec![]),
        D::Triaged {
            departments, grid, ..
        } => (
            format!(
                "{} · {}",
                data::grid_name(config, lang, grid.as_ref().map(|g| g.as_str())),
                depts(departments)
            ),
            vec![],
            vec![],
        ),
        D::Dispatched {
            departments,
            deadline,
        } => (
            format!("{} → {}", depts(departments), data::time(config, *deadline)),
            vec![],
            vec![],
        ),
        D::Returned { reason }
        | D::VerificationFailed { reason }
        | D::Voided { reason }
        | D::Held { reason } => (reason.clone(), vec![], vec![]),
        D::Progress { note, photos } => (note.clone(), vec![], photos.clone()),
        D::Completed { note, photos } if photos.is_empty() => (note.clone(), vec![], vec![]),
        D::Completed { note, photos } => (note.clone(), report.to_vec(), photos.clone()),
        D::HandledOnSite {
            note,
            before,
            after,
        } => (note.clone(), before.clone(), after.clone()),
        D::Verified { note } | D::Closed { note } => (note.clone(), vec![], vec![]),
        D::Callback {
            satisfaction,
            comment,
        } => (
            format!(
                "{} {comment}",
                lang.label(labels::satisfaction(*satisfaction))
            ),
            vec![],
            vec![],
        ),
        D::ExtensionRequested { until, reason } => (
            format!("{} {reason}", data::time(config, *until)),
            vec![],
            vec![],
        ),
        D::Reminded { department, stage } => (
            format!(
                "{} {}",
                lang.label(labels::reminder_stage(*stage)),
                depts(department.as_slice())
            ),
            vec![],
            vec![],
        ),
        D::Reopened { reason, .. } | D::Unmerged { reason } => (reason.clone(), vec![], vec![]),
        D::Escalated { department, note } => (
            format!("{} {note}", depts(department.as_slice())),
            vec![],
            vec![],
        ),
        D::ExtensionGranted { department, until } => (
            format!(
                "{} → {}",
                depts(std::slice::from_ref(department)),
                data::time(config, *until)
            ),
            vec![],
            vec![],
        ),
        D::Evaluated { score, comment } => (format!("{score}/100 {comment}"), vec![], vec![]),
        D::Recurrence { of } | D::MergedInto { target: of } => (data::number(of), vec![], vec![]),
        D::DuplicateLinked { case, .. } => (data::number(case), vec![], vec![]),
        D::Reinspected { note, .. } => (note.clone(), vec![], vec![]),
        _ => (String::new(), vec![], vec![]),
    }
}

/// A form the person may submit on this case.
#[derive(Debug, Clone)]
pub struct Form {
    /// The event kind.
    pub kind: &'static str,
    /// Its button.
    pub label: String,
    /// Needs a text field (and its label), if any.
    pub text: String,
    /// Needs departments and hours (dispatch).
    pub dispatch: bool,
    /// Needs hours (extension).
    pub hours: bool,
    /// Needs a satisfaction choice (a callback taken by phone).
    pub callback: bool,
    /// Needs a target case (merge).
    pub merge: bool,
    /// Needs a category and the urgent flag (triage, 受理).
    pub triage: bool,
    /// Needs a score (an evaluator's 现场测评).
    pub score: bool,
    /// May carry photos (progress, completion).
    pub photos: bool,
}

fn forms(lang: Lang, kinds: &[EventKind]) -> Vec<Form> {
    use EventKind as K;
    let mut out = Vec::new();
    for k in kinds {
        let (label, text) = match k {
            K::Triaged => ("act-triage", ""),
            K::Dispatched => ("act-dispatch", ""),
            K::Reminded => ("act-remind", ""),
            K::Accepted => ("act-accept", ""),
            K::Returned => ("act-return", "act-reason"),
            K::Progress => ("act-progress", "act-note"),
            K::ExtensionRequested => ("act-extension", "act-reason"),
            K::ExtensionGranted => ("act-grant", ""),
            K::Completed => ("act-complete", "act-note"),
            K::Verified => ("act-verify", "act-note"),
            K::VerificationFailed => ("act-verify-fail", "act-reason"),
            K::Closed => ("act-close", "act-note"),
            K::MergedInto => ("act-merge", ""),
            K::Unmerged => ("act-unmerge", "act-reason"),
            K::Voided => ("act-void", "act-reason"),
            K::Held => ("act-hold", "act-reason"),
            K::Resumed => ("act-resume", ""),
            K::Evaluated => ("act-evaluate", "act-note"),
            K::Callback => ("case-callback", "act-note"),
            K::Comment => ("act-comment", "act-note"),
            _ => continue,
        };
        out.push(Form {
            kind: k.as_str(),
            label: lang.t(label),
            text: if text.is_empty() {
                String::new()
            } else {
                lang.t(text)
            },
            dispatch: *k == K::Dispatched,
            hours: *k == K::ExtensionRequested,
            callback: *k == K::Callback,
            merge: *k == K::MergedInto,
            triage: *k == K::Triaged,
            score: *k == K::Evaluated,
            photos: matches!(k, K::Progress | K::Completed),
        });
    }
    out
}

fn categories(config: &crate::config::Config, lang: Lang) -> Vec<Choice> {
    let c = &config.catalog.categories;
    c.iter()
        .map(|c| Choice::named(c.code.as_str(), &c.name_zh, &c.name_en, lang))
        .collect()
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    c: Chrome,
    id: String,
    number: String,
    category: String,
    title: String,
    description: String,
    place: String,
    status: String,
    status_code: &'static str,
    departments: String,
    deadline: String,
    countdown: String,
    overdue: bool,
    callback: String,
    timeline: Vec<Line>,
    forms: Vec<Form>,
    choices: Vec<Choice>,
    categories: Vec<Choice>,
    satisfactions: Vec<(&'static str, String)>,
    category_code: String,
    urgent: bool,
    suggested: Vec<String>,
    candidates: Vec<Row>,
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

/// What the case page comes to.
#[derive(Debug)]
pub enum CaseHtml {
    /// The page.
    Page(String),
    /// No such case.
    NotFound,
    /// Not a case this person may see.
    Forbidden,
}

/// Build the case page of `id` for `who` (also the benchmark's entry point).
pub fn case_html(
    config: &crate::config::Config,
    conn: &rusqlite::Connection,
    lang: Lang,
    who: &Principal,
    case_id: &paidan_core::CaseId,
    now: i64,
) -> anyhow::Result<CaseHtml> {
    let Some((case, view)) = data::case(conn, case_id)? else {
        return Ok(CaseHtml::NotFound);
    };
    if !may_see(who, &case) {
        return Ok(CaseHtml::Forbidden);
    }
    let candidates = data::candidates(conn, config, lang, &case, now)?;
    let superseded: std::collections::HashMap<_, _> = view
        .superseded
        .iter()
        .map(|s| (s.id, s.reason.clone()))
        .collect();
    let report: Vec<String> = case
        .photos
        .iter()
        .filter(|p| p.stage == paidan_core::PhotoStage::Report)
        .map(|p| p.sha256.clone())
        .collect();
    let timeline = case
        .events
        .iter()
        .map(|e| {
            let (text, before, after) = describe(config, lang, &e.data, &report);
            Line {
                at: data::time(config, e.at),
                by: e.by.to_string(),
                role: lang.label(labels::role(e.role)).to_owned(),
                kind: lang.label(labels::event(e.data.kind())).to_owned(),
                code: e.data.kind().as_str(),
                text,
                before,
                after,
                superseded: superseded.get(&e.id).cloned().unwrap_or_default(),
                link: match &e.data {
                    EventData::Recurrence { of: other }
                    | EventData::MergedInto { target: other }
                    | EventData::DuplicateLinked { case: other, .. } => {
                        format!("/console/cases/{other}")
                    }
                    _ => String::new(),
                },
            }
        })
        .collect();
    let actor = Actor {
        user: &who.user,
        role: who.role,
        dept: who.dept.as_ref(),
    };
    let row = policy::rule(who.role);
    let kinds: Vec<EventKind> = view
        .allowed_actions(&actor)
        .into_iter()
        .filter(|k| row.kinds.contains(k) && check::in_scope(row.scope, who, &case))
        .collect();
    let deadline = view.deadline();
    let countdown = deadline
        .map(|d| {
            if d < now {
                lang.t("overdue")
            } else {
                lang.t1(
                    "due-in",
                    "hours",
                    &format!("{:.1}", (d - now) as f64 / 3_600_000.0),
                )
            }
        })
        .unwrap_or_default();
    let number = data::number(&case.id);
    let path = format!("/console/cases/{}", case.id);
    let page = CasePage {
        c: Chrome::new(
            lang,
            lang.t1("case-title", "number", &number),
            &path,
            Some(who),
            false,
        ),
        id: case.id.to_string(),
        number,
        category: data::category_name(
            config,
            lang,
            view.category_override
                .as_ref()
                .unwrap_or(&case.category)
                .as_str(),
        ),
        title: case.title.clone(),
        description: case.description.clone(),
        place: format!(
            "{} · {}",
            data::grid_name(
                config,
                lang,
                view.grid
                    .as_ref()
                    .or(case.location.grid.as_ref())
                    .map(|g| g.as_str())
            ),
            case.location.address.clone().unwrap_or_default()
        ),
        status: lang.label(labels::status(view.status)).to_owned(),
        status_code: view.status.as_str(),
        departments: data::department_names(
            config,
            lang,
            view.assignments.iter().map(|a| a.dept.as_str()),
        ),
        deadline: deadline.map(|d| data::time(config, d)).unwrap_or_default(),
        countdown,
        overdue: view.is_overdue(now),
        callback: match (&view.satisfaction, &view.callback_comment) {
            (Some(s), c) => format!(
                "{} {}",
                lang.label(labels::satisfaction(*s)),
                c.clone().unwrap_or_default()
            ),
            _ => lang.t("case-no-callback"),
        },
        timeline,
        forms: forms(lang, &kinds),
        choices: departments(config, lang),
        categories: categories(config, lang),
        satisfactions: paidan_core::Satisfaction::ALL
            .iter()
            .map(|s| (s.as_str(), lang.label(labels::satisfaction(*s)).to_owned()))
            .collect(),
        category_code: view
            .category_override
            .as_ref()
            .unwrap_or(&case.category)
            .to_string(),
        urgent: view.urgent,
        suggested: view.suggested.iter().map(|d| d.to_string()).collect(),
        candidates,
    };
    Ok(CaseHtml::Page(page.render()?))
}

/// `GET /console/cases/{id}`: the whole story of one case.
pub async fn case(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, Response> {
    let lang = staff.lang;
    let Ok(case_id) = id.parse::<paidan_core::CaseId>() else {
        return Err((StatusCode::BAD_REQUEST, "not a case id").into_response());
    };
    let now = state.clock.now_ms();
    let config = state.config.clone();
    let who = staff.who.clone();
    let page = read(&state, move |conn| {
        case_html(&config, conn, lang, &who, &case_id, now)
    })
    .await
    .map_err(IntoResponse::into_response)?;
    match page {
        CaseHtml::Page(html) => Ok(Html(html).into_response()),
        CaseHtml::NotFound => Err((StatusCode::NOT_FOUND, "no such case").into_response()),
        CaseHtml::Forbidden => Err(forbidden(lang, &staff.path, Some(&staff.who))),
    }
}

/// The board's query.
#[derive(Debug, Deserialize)]
pub struct BoardQuery {
    #[serde(default)]
    q: String,
    /// Page, from 1.
    #[serde(default)]
    page: Option<usize>,
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    c: Chrome,
    q: String,
    rows: Vec<Row>,
    /// "page 2 of 7", and the links to the pages beside this one.
    pages: String,
    newer: String,
    older: String,
    collected: i64,
    closed: i64,
    satisfaction: String,
}

/// Build the public board (also the benchmark's entry point).
pub fn board_html(
    config: &crate::config::Config,
    conn: &rusqlite::Connection,
    lang: Lang,
    q: &str,
    page: usize,
    now: i64,
) -> anyhow::Result<String> {
    let page = page.max(1);
    let (rows, total) = data::board(conn, config, lang, q, page - 1, now)?;
    let last = total.div_ceil(data::BOARD_PAGE).max(1);
    let link = |p: usize| format!("/board?q={}&page={p}", super::session::encode(q.trim()));
    let (collected, closed, satisfaction) = data::headline(conn, config, now)?;
    let page = BoardPage {
        c: Chrome::new(lang, lang.t("board-title"), "/board", None, false),
        q: q.to_owned(),
        rows,
        pages: lang.t2(
            "board-pages",
            ("page", &page.to_string()),
            ("pages", &last.to_string()),
        ),
        newer: if page > 1 {
            link(page - 1)
        } else {
            String::new()
        },
        older: if page < last {
            link(page + 1)
        } else {
            String::new()
        },
        collected,
        closed,
        satisfaction: satisfaction
            .map(|s| format!("{:.1}%", s * 100.0))
            .unwrap_or_else(|| "—".into()),
    };
    Ok(page.render()?)
}

/// `GET /board`: every order's progress, for everyone, without personal data.
pub async fn board(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    Query(q): Query<BoardQuery>,
) -> Result<Response, ApiError> {
    let now = state.clock.now_ms();
    let config = state.config.clone();
    let html = read(&state, move |conn| {
        board_html(&config, conn, lang, &q.q, q.page.unwrap_or(1), now)
    })
    .await?;
    Ok(Html(html).into_response())
}

/// One line of the figures table.
#[derive(Debug, Clone)]
pub struct FigureLine {
    /// Department name.
    pub name: String,
    /// 受理数.
    pub received: u64,
    /// 结案数.
    pub closed: u64,
    /// 超期数.
    pub overdue: u64,
    /// 响应率.
    pub response: String,
    /// 结案率.
    pub resolution: String,
    /// 按期结案率.
    pub on_time: String,
    /// 满意率.
    pub satisfaction: String,
    /// Score of 20.
    pub score: String,
}

impl FigureLine {
    fn of(lang: Lang, l: &crate::figures::Line) -> FigureLine {
        let pct = |r: Option<f64>| {
            r.map(|v| format!("{:.1}%", v * 100.0))
                .unwrap_or_else(|| "—".into())
        };
        FigureLine {
            name: lang.name(&l.name_zh, &l.name_en).to_owned(),
            received: l.counts.received,
            closed: l.counts.closed,
            overdue: l.counts.overdue,
            response: pct(l.rates.response),
            resolution: pct(l.rates.resolution),
            on_time: pct(l.rates.on_time),
            satisfaction: pct(l.rates.satisfaction),
            score: l
                .score
                .map(|s| format!("{s:.1}"))
                .unwrap_or_else(|| "—".into()),
        }
    }
}

#[derive(Template)]
#[template(path = "figures.html")]
struct FiguresPage {
    c: Chrome,
    street: FigureLine,
    lines: Vec<FigureLine>,
    grids: Vec<FigureLine>,
    chart: String,
    query: String,
    from: String,
    to: String,
}

/// The figures page's period, as typed (`YYYY-MM-DD`).
#[derive(Debug, Default, Deserialize)]
pub struct Period {
    /// First day.
    pub from: Option<String>,
    /// Last day.
    pub to: Option<String>,
}

/// `GET /console/figures`: per department, the rates and the score, a
/// chart, and the downloads.
pub async fn figures(
    State(state): State<AppState>,
    staff: Staff,
    Query(p): Query<Period>,
) -> Result<Response, Response> {
    let now = state.clock.now_ms();
    let (from, to) =
        crate::figures::period::period(&state.config, p.from.as_deref(), p.to.as_deref(), now)
            .map_err(|e| (StatusCode::BAD_REQUEST, e).into_response())?;
    let config = state.config.clone();
    let (lang, who) = (staff.lang, staff.who.clone());
    let html = read(&state, move |conn| {
        figures_html(&config, conn, lang, &who, (from, to), &p, now)
    })
    .await
    .map_err(IntoResponse::into_response)?;
    Ok(Html(html).into_response())
}

/// Build the figures page of a checked period (also the benchmark's entry
/// point); `asked` is the period as typed, for the download links.
pub fn figures_html(
    config: &crate::config::Config,
    conn: &rusqlite::Connection,
    lang: Lang,
    who: &Principal,
    (from, to): (i64, i64),
    asked: &Period,
    now: i64,
) -> anyhow::Result<String> {
    let f = crate::figures::query(conn, config, from, to, now)?;
    let lines: Vec<FigureLine> = f
        .departments
        .iter()
        .map(|d| FigureLine::of(lang, d))
        .collect();
    let bars: Vec<(String, f64)> = f
        .departments
        .iter()
        .map(|d| {
            (
                lang.name(&d.name_zh, &d.name_en).to_owned(),
                d.score.unwrap_or(0.0),
            )
        })
        .collect();
    let query = [
        asked.from.as_ref().map(|v| format!("from={v}")),
        asked.to.as_ref().map(|v| format!("to={v}")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("&");
    let page = FiguresPage {
        c: Chrome::new(
            lang,
            lang.t("figures-title"),
            "/console/figures",
            Some(who),
            false,
        ),
        street: FigureLine::of(lang, &f.street),
        lines,
        grids: f.grids.iter().map(|g| FigureLine::of(lang, g)).collect(),
        chart: chart::scores(&bars, &lang.t("figures-score")),
        query,
        from: asked.from.clone().unwrap_or_default(),
        to: asked.to.clone().unwrap_or_default(),
    };
    Ok(page.render()?)
}

/// Anything the console does not know.
pub async fn not_found(PageLang(lang): PageLang) -> Response {
    let page = Message {
        c: Chrome::new(lang, "404".into(), "/board", None, false),
        text: "404".into(),
    };
    (StatusCode::NOT_FOUND, render(&page)).into_response()
}
