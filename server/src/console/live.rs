//! Live updates (实时刷新): `GET /console/events`, Server-Sent Events. The
//! writer signals after every commit that may have changed cases; a desk's
//! page (the queue, the inbox) reloads itself when nothing is being typed.

use super::session::Staff;
use crate::state::AppState;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use std::convert::Infallible;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

/// The stream: one `changed` event per commit (bursts coalesce client-side).
pub async fn events(
    State(state): State<AppState>,
    _staff: Staff,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let stream = BroadcastStream::new(state.writer.subscribe())
        .map(|_| Ok(Event::default().event("changed").data("1")));
    Sse::new(stream).keep_alive(KeepAlive::default())
}
