//! The HTTP error type: each variant carries its status; the response body
//! is the public message, and the internal cause goes to the log only.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// An error answered to a client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// 401: no or bad credentials.
    #[error("未登录或登录已失效 / not logged in, or the login has expired")]
    Unauthorized,
    /// 403: logged in, but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// 404.
    #[error("{0}")]
    NotFound(String),
    /// 409: the request conflicts with what the server holds.
    #[error("{0}")]
    Conflict(String),
    /// 413.
    #[error("{0}")]
    TooLarge(String),
    /// 415.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 422: well-formed but refused.
    #[error("{0}")]
    Unprocessable(String),
    /// 429: too many attempts; try again after this many seconds.
    #[error("请求过于频繁，请 {0} 秒后再试 / too many requests, try again in {0} s")]
    TooManyRequests(u64),
    /// 503: shutting down or overloaded.
    #[error("the server is busy, try again")]
    Unavailable,
    /// 500: our fault; the cause is logged, not shown.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        ApiError::Internal(e.into())
    }
}

impl From<std::io::Error> for ApiError {
    fn from(e: std::io::Error) -> Self {
        ApiError::Internal(e.into())
    }
}

impl From<paidan_core::Error> for ApiError {
    fn from(e: paidan_core::Error) -> Self {
        match e {
            paidan_core::Error::Protocol(m) => ApiError::BadRequest(m),
            paidan_core::Error::Invalid { .. } => ApiError::BadRequest(e.to_string()),
            other => ApiError::Internal(other.into()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let ApiError::Internal(cause) = &self {
            tracing::error!(error = %format!("{cause:#}"), "internal error");
        } else {
            tracing::debug!(%status, message = %self, "request refused");
        }
        let mut response = (
            status,
            [("content-type", "text/plain; charset=utf-8")],
            self.to_string(),
        )
            .into_response();
        if let ApiError::TooManyRequests(secs) = self {
            response
                .headers_mut()
                .insert("retry-after", axum::http::HeaderValue::from(secs));
        }
        response
    }
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;
