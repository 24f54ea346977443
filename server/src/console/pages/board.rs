//! `GET /board`: the public board (工单公示), for everyone, with no
//! personal data.

use super::*;

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
    let link = |p: usize| {
        format!(
            "/board?q={}&page={p}",
            crate::console::session::encode(q.trim())
        )
    };
    let (collected, closed, satisfaction) = data::headline(conn, now)?;
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
