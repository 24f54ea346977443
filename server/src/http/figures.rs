//! `GET /v1/figures?from=2026-01-01&to=2026-12-31&format=json|csv|xlsx`:
//! the department figures of a period, as JSON or as a download.

use crate::error::ApiError;
use crate::figures::period::{self, Format};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// The query string.
#[derive(Debug, Deserialize)]
pub struct Params {
    from: Option<String>,
    to: Option<String>,
    format: Option<Format>,
}

/// The figures.
pub async fn get(
    State(state): State<AppState>,
    params: Result<Query<Params>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(p) = params.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let now = state.clock.now_ms();
    let (from, to) = period::period(&state.config, p.from.as_deref(), p.to.as_deref(), now)
        .map_err(ApiError::BadRequest)?;
    let format = p.format.unwrap_or(Format::Json);
    let (bytes, mime) = tokio::task::spawn_blocking(move || {
        let conn = state.reader()?;
        let f = crate::figures::query(&conn, &state.config, from, to, now)?;
        period::render(&f, format)
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))?
    .map_err(ApiError::Internal)?;
    let mut resp = (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "no-store"),
        ],
        bytes,
    )
        .into_response();
    if format != Format::Json {
        let ext = if format == Format::Csv { "csv" } else { "xlsx" };
        if let Ok(v) = format!("attachment; filename=\"paidan-figures.{ext}\"").parse() {
            resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
        }
    }
    Ok(resp)
}
