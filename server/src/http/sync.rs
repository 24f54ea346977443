//! `POST /v1/sync`: the batched sync endpoint.

use crate::auth::Principal;
use crate::db::merge::Incoming;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use automerge::Change;
use axum::body::Bytes;
use axum::extract::ConnectInfo;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use paidan_core::sync::protocol::{CONTENT_TYPE, SyncRequest};
use std::net::SocketAddr;

/// Most changes in one request (the body limit bounds the bytes).
pub const MAX_CHANGES: usize = 200_000;

/// Merge the device's changes and answer with acks, refusals and its feed
/// (401 without a valid token, 403 for an account of another street).
pub async fn post(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    principal: Principal,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<impl IntoResponse> {
    state.limits.before_sync(peer.ip(), &principal.device)?;
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ct != CONTENT_TYPE {
        return Err(ApiError::UnsupportedMediaType(format!(
            "send a sync message as {CONTENT_TYPE}"
        )));
    }
    // Decoding and change parsing are CPU work: keep them off the runtime.
    let (cursor, incoming) = tokio::task::spawn_blocking(move || decode(&body))
        .await
        .map_err(|e| ApiError::Internal(e.into()))??;
    let now = state.clock.now_ms();
    let response = state.writer.sync(principal, now, cursor, incoming).await?;
    let bytes = response.encode()?;
    Ok(([(header::CONTENT_TYPE, CONTENT_TYPE)], bytes))
}

/// Decode and check the whole request before anything is stored: one bad
/// change refuses the request with 400.
fn decode(body: &[u8]) -> ApiResult<(u64, Incoming)> {
    let req = SyncRequest::decode(body)?;
    let total: usize = req.cases.iter().map(|c| c.changes.len()).sum();
    if total > MAX_CHANGES {
        return Err(ApiError::TooLarge(format!(
            "at most {MAX_CHANGES} changes in one request"
        )));
    }
    let mut cases = Vec::with_capacity(req.cases.len());
    for c in req.cases {
        let mut changes = Vec::with_capacity(c.changes.len());
        for bytes in c.changes {
            let change = Change::from_bytes(bytes.into_vec())
                .map_err(|e| ApiError::BadRequest(format!("a change is damaged ({e})")))?;
            // Parsing does not check the chunk's checksum; Automerge's
            // loader would. The checksum is the first four bytes of the
            // change's hash, so a flipped bit anywhere shows here.
            if change.raw_bytes().get(4..8) != Some(&change.hash().0[..4]) {
                return Err(ApiError::BadRequest(
                    "a change is damaged (checksum mismatch)".into(),
                ));
            }
            changes.push(change);
        }
        cases.push((c.case, changes));
    }
    Ok((req.cursor, Incoming { cases }))
}
