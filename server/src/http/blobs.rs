//! Photo upload and download: `HEAD`/`PATCH`/`GET /v1/blobs/{sha256}` and
//! `GET /v1/blobs/{sha256}/thumb`.

use crate::auth::Principal;
use crate::blobs::{Appended, State as Upload, UploadError};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

impl From<UploadError> for ApiError {
    fn from(e: UploadError) -> Self {
        match e {
            UploadError::BadHash => ApiError::BadRequest(e.to_string()),
            UploadError::TooLarge => ApiError::TooLarge(e.to_string()),
            UploadError::WrongOffset(_) => ApiError::Conflict(e.to_string()),
            UploadError::PastEnd => ApiError::BadRequest(e.to_string()),
            UploadError::HashMismatch => ApiError::Unprocessable(e.to_string()),
            UploadError::Io(io) => ApiError::Internal(io.into()),
        }
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
}

/// Where an upload stands: 200 complete, 204 partial, 404 unknown, with
/// `Upload-Offset`.
pub async fn head(
    State(state): State<AppState>,
    _who: Principal,
    Path(sha): Path<String>,
) -> ApiResult<Response> {
    let blobs = state.blobs.clone();
    let st = blocking(move || Ok(blobs.state(&sha)?)).await?;
    let (status, offset) = match st {
        Upload::Complete(n) => (StatusCode::OK, Some(n)),
        Upload::Partial(n) => (StatusCode::NO_CONTENT, Some(n)),
        Upload::Unknown => (StatusCode::NOT_FOUND, None),
    };
    let mut resp = status.into_response();
    if let Some(n) = offset {
        resp.headers_mut().insert("Upload-Offset", n.into());
        if status == StatusCode::OK {
            resp.headers_mut().insert("Upload-Length", n.into());
        }
    }
    Ok(resp)
}

fn number(headers: &HeaderMap, name: &str) -> ApiResult<u64> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| ApiError::BadRequest(format!("the {name} header is required")))
}

/// Append a chunk; 204 with the new offset, 201 when the photo is complete
/// and its hash matched, 422 (discarded) when it did not.
pub async fn patch(
    State(state): State<AppState>,
    _who: Principal,
    Path(sha): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let offset = number(&headers, "Upload-Offset")?;
    let length = number(&headers, "Upload-Length")?;
    let blobs = state.blobs.clone();
    let done = blocking(move || Ok(blobs.append(&sha, offset, length, &body)?)).await?;
    Ok(match done {
        Appended::Partial(n) => {
            let mut r = StatusCode::NO_CONTENT.into_response();
            r.headers_mut().insert("Upload-Offset", n.into());
            r
        }
        Appended::Complete => {
            let mut r = StatusCode::CREATED.into_response();
            r.headers_mut().insert("Upload-Offset", length.into());
            r
        }
    })
}

fn jpeg(bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            // Content-addressed: the bytes behind a name never change.
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        bytes,
    )
        .into_response()
}

/// The photo.
pub async fn get(
    State(state): State<AppState>,
    _who: Principal,
    Path(sha): Path<String>,
) -> ApiResult<Response> {
    let blobs = state.blobs.clone();
    let bytes = blocking(move || Ok(blobs.read(&sha)?)).await?;
    bytes
        .map(jpeg)
        .ok_or_else(|| ApiError::NotFound("no such photo".into()))
}

/// Its thumbnail.
pub async fn thumb(
    State(state): State<AppState>,
    _who: Principal,
    Path(sha): Path<String>,
) -> ApiResult<Response> {
    let blobs = state.blobs.clone();
    let bytes = blocking(move || Ok(blobs.thumbnail(&sha)?)).await?;
    bytes
        .map(jpeg)
        .ok_or_else(|| ApiError::NotFound("no such photo".into()))
}
