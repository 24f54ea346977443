//! Every route of the server, in one place.

use crate::http::{auth, blobs, figures, health, inspections, sync};
use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue};
use axum::routing::{get, post};
use std::time::Duration;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Largest sync request body: a phone back after days offline with a
/// thousand cases sends a few megabytes; far more is refused with 413.
pub const MAX_SYNC_BODY: usize = 64 * 1024 * 1024;
/// Largest photo chunk.
pub const MAX_CHUNK: usize = 2 * 1024 * 1024;

/// Largest body of any other request (logins, accounts, contacts).
pub const MAX_JSON_BODY: usize = 64 * 1024;

/// Headers every response carries: no sniffing, no framing, no referrer to
/// other sites (this server's own forms send theirs: `console::origin`), a
/// strict content policy for the console's pages, no caching of answers
/// that may be personal.
fn with_security_headers<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    let set = |name: &'static str, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        )
    };
    router
        .layer(set("x-content-type-options", "nosniff"))
        .layer(set("x-frame-options", "DENY"))
        .layer(set("referrer-policy", "same-origin"))
        .layer(set(
            "content-security-policy",
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
        ))
        .layer(set("cache-control", "no-store"))
}

/// The router over `state`.
pub fn router(state: AppState) -> Router {
    let routes = Router::new()
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
        .route("/v1/login", post(auth::login))
        .route("/v1/register", post(auth::register))
        .route("/v1/setup", post(auth::setup))
        .route("/v1/logout", post(auth::logout))
        .route("/v1/me", get(auth::me))
        .route(
            "/v1/accounts",
            get(auth::list_accounts).post(auth::add_account),
        )
        .route("/v1/devices/{id}/revoke", post(auth::revoke))
        .route(
            "/v1/cases/{id}/contact",
            get(auth::get_contact).put(auth::put_contact),
        )
        .route("/v1/figures", get(figures::get))
        .route("/v1/inspections", get(inspections::get))
        .merge(crate::console::routes())
        .fallback(crate::console::pages::not_found)
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(60),
        ))
        .layer(DefaultBodyLimit::max(MAX_JSON_BODY));
    with_security_headers(routes)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
