//! `GET /console/cases/{id}`: one case's whole story and the actions
//! this person may take on it.

use super::*;

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
