//! Every route of the server, in one place.

use crate::http::{blobs, figures, health, inspections, sync};
use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use std::time::Duration;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Largest sync request body: a phone back after days offline with a
/// thousand cases sends a few megabytes; far more is refused with 413.
pub const MAX_SYNC_BODY: usize = 64 * 1024 * 1024;
/// Largest photo chunk.
pub const MAX_CHUNK: usize = 2 * 1024 * 1024;

/// The router over `state`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::get))
        .route(
            "/v1/sync",
            post(sync::post).layer(DefaultBodyLimit::max(MAX_SYNC_BODY)),
        )
        .route(
            "/v1/blobs/{sha}",
            get(blobs::get)
                .head(blobs::head)
                .patch(blobs::patch)
                .layer(DefaultBodyLimit::max(MAX_CHUNK)),
        )
        .route("/v1/blobs/{sha}/thumb", get(blobs::thumb))
        .route("/v1/figures", get(figures::get))
        .route("/v1/inspections", get(inspections::get))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
