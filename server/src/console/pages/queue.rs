//! `GET /console`: the dispatcher's queue (待派单) and the map.

use super::*;

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
