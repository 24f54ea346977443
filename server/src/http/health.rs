//! `GET /healthz`.

/// The server is up and serving.
pub async fn get() -> &'static str {
    "ok\n"
}
