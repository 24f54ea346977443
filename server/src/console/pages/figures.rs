//! `GET /console/figures`: the figures (部门考核) of a period, with a chart
//! and the downloads.

use super::*;

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
