//! `GET /v1/inspections?grid=fxhy-01[&all=true]`: the re-inspections (复查)
//! of a grid's watched places, soonest first — the patrol officers' list.
//! Open ones only unless `all=true`.

use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};

/// The query string.
#[derive(Debug, Deserialize)]
pub struct Params {
    grid: Option<String>,
    #[serde(default)]
    all: bool,
}

/// One re-inspection task.
#[derive(Debug, Serialize)]
pub struct Inspection {
    /// The closed case whose place is watched.
    pub case: String,
    /// Its grid.
    pub grid: Option<String>,
    /// Its category.
    pub category: String,
    /// When to go (ms).
    pub due_at: i64,
    /// When it was done (ms), if it was.
    pub done_at: Option<i64>,
}

/// The list.
pub async fn get(
    State(state): State<AppState>,
    who: Principal,
    params: Result<Query<Params>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<Inspection>>, ApiError> {
    if !(who.role.is_field() || who.role.is_center()) {
        return Err(ApiError::Forbidden(
            "复查清单仅供巡查和中心 / the re-inspection list is for field staff and the center"
                .into(),
        ));
    }
    let Query(p) = params.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    if let Some(g) = &p.grid
        && state.config.area.grid(g).is_none()
    {
        return Err(ApiError::NotFound(format!(
            "no grid {g:?} in the configuration"
        )));
    }
    let list = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<Inspection>> {
        let conn = state.reader()?;
        let mut stmt = conn.prepare(
            "SELECT case_id, grid, category, due_at, done_at FROM inspections
             WHERE (?1 IS NULL OR grid = ?1) AND (?2 OR done_at IS NULL)
             ORDER BY due_at LIMIT 1000",
        )?;
        let rows = stmt.query_map(rusqlite::params![p.grid, p.all], |r| {
            let id: Vec<u8> = r.get(0)?;
            Ok(Inspection {
                case: uuid::Uuid::from_slice(&id).unwrap_or_default().to_string(),
                grid: r.get(1)?,
                category: r.get(2)?,
                due_at: r.get(3)?,
                done_at: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))?
    .map_err(ApiError::Internal)?;
    Ok(Json(list))
}
