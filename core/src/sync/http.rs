//! The blocking HTTP transport for sync and photo uploads (ureq with
//! rustls: no OpenSSL, no async runtime; call it off the UI thread).
//!
//! Photo upload is content-addressed and resumable (tus-style):
//! `HEAD /v1/blobs/{sha256}` answers `Upload-Offset` (bytes the server
//! holds) and `Upload-Length` when known; `PATCH /v1/blobs/{sha256}` with
//! `Upload-Offset` and `Upload-Length` headers appends a chunk. The server
//! checks the hash when the last byte arrives and keeps the file only if it
//! matches.

use super::client::{SyncSummary, sync_with};
use super::protocol::CONTENT_TYPE;
use crate::{Error, Result, Store};
use rusqlite::params;
use std::time::Duration;

/// Size of one upload chunk: small enough that a broken connection loses
/// little, large enough that a photo goes in a few requests.
pub const CHUNK: usize = 128 * 1024;
const MAX_RESPONSE: u64 = 256 * 1024 * 1024;

/// A server to sync with.
#[derive(Clone, Debug)]
pub struct HttpClient {
    agent: ureq::Agent,
    base: String,
    token: Option<String>,
}

/// Progress of photo uploads: (photos done, photos in all, bytes sent of this photo, its size).
pub type Progress<'a> = &'a mut dyn FnMut(usize, usize, u64, u64);

impl HttpClient {
    /// A client for the server at `base` (e.g. `http://127.0.0.1:8080`).
    pub fn new(base: &str, token: Option<String>) -> Result<HttpClient> {
        let base = base.trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(Error::invalid(
                "server",
                "give a URL starting with http:// or https://",
            ));
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(120)))
            .http_status_as_error(false)
            .build()
            .into();
        Ok(HttpClient { agent, base, token })
    }

    fn auth<B>(&self, req: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        match &self.token {
            Some(t) => req.header("Authorization", format!("Bearer {t}")),
            None => req,
        }
    }

    /// POST one encoded sync request, return the encoded response.
    pub fn post_sync(&self, body: Vec<u8>) -> Result<Vec<u8>> {
        let req = self
            .auth(self.agent.post(format!("{}/v1/sync", self.base)))
            .header("Content-Type", CONTENT_TYPE);
        let mut resp = req.send(&body[..]).map_err(transport)?;
        let status = resp.status().as_u16();
        let bytes = resp
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE)
            .read_to_vec()
            .map_err(transport)?;
        match status {
            200 => Ok(bytes),
            401 => Err(Error::Unauthorized),
            _ => Err(Error::Transport(format!(
                "HTTP {status}: {}",
                String::from_utf8_lossy(&bytes)
                    .chars()
                    .take(200)
                    .collect::<String>()
            ))),
        }
    }

    /// How many bytes of the photo the server holds (its full size when it
    /// has it all), or 0.
    pub fn photo_offset(&self, sha: &str) -> Result<(u64, bool)> {
        let resp = self
            .auth(self.agent.head(format!("{}/v1/blobs/{sha}", self.base)))
            .call()
            .map_err(transport)?;
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok())
        };
        match resp.status().as_u16() {
            200 => Ok((header("Upload-Offset").unwrap_or(0), true)),
            204 => Ok((header("Upload-Offset").unwrap_or(0), false)),
            404 => Ok((0, false)),
            401 => Err(Error::Unauthorized),
            s => Err(Error::Transport(format!(
                "HTTP {s} asking for a photo's offset"
            ))),
        }
    }

    /// Upload `bytes` as the photo `sha`, resuming where the server stands.
    pub fn upload_photo(
        &self,
        sha: &str,
        bytes: &[u8],
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<()> {
        let total = bytes.len() as u64;
        let (mut offset, complete) = self.photo_offset(sha)?;
        if complete {
            progress(total, total);
            return Ok(());
        }
        if offset > total {
            offset = 0;
        }
        loop {
            let end = (offset as usize + CHUNK).min(bytes.len());
            let chunk = &bytes[offset as usize..end];
            let mut resp = self
                .auth(self.agent.patch(format!("{}/v1/blobs/{sha}", self.base)))
                .header("Content-Type", "application/offset+octet-stream")
                .header("Upload-Offset", offset.to_string())
                .header("Upload-Length", total.to_string())
                .send(chunk)
                .map_err(transport)?;
            let status = resp.status().as_u16();
            match status {
                200 | 201 | 204 => {}
                409 => {
                    // The server holds a different offset: ask and resume.
                    offset = self.photo_offset(sha)?.0;
                    continue;
                }
                _ => {
                    let msg = resp.body_mut().read_to_string().unwrap_or_default();
                    return Err(Error::Transport(format!(
                        "photo upload refused: HTTP {status} {msg}"
                    )));
                }
            }
            offset = end as u64;
            progress(offset, total);
            if offset >= total {
                return Ok(());
            }
        }
    }
}

fn transport(e: ureq::Error) -> Error {
    Error::Transport(format!("cannot reach the server ({e})"))
}

/// Photos waiting for upload: (sha256, size).
pub fn pending_photos(store: &Store) -> Result<Vec<(String, u64)>> {
    let mut stmt = store
        .conn()
        .prepare("SELECT sha256, bytes FROM photos WHERE uploaded = 0 ORDER BY rowid")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Upload every pending photo; one that fails stays queued for the next
/// sync. Returns (uploaded, still pending).
pub fn upload_photos(
    store: &mut Store,
    client: &HttpClient,
    progress: Progress<'_>,
) -> Result<(usize, usize)> {
    let pending = pending_photos(store)?;
    let n = pending.len();
    let mut done = 0;
    for (i, (sha, _)) in pending.iter().enumerate() {
        let bytes = std::fs::read(store.photo_path(sha)?)?;
        let r = client.upload_photo(sha, &bytes, &mut |sent, total| progress(i, n, sent, total));
        match r {
            Ok(()) => {
                store.write(|tx| {
                    tx.execute(
                        "UPDATE photos SET uploaded = 1 WHERE sha256 = ?1",
                        params![sha],
                    )?;
                    Ok(())
                })?;
                done += 1;
            }
            Err(Error::Unauthorized) => return Err(Error::Unauthorized),
            Err(e) => {
                tracing::warn!("photo upload will be retried: {e}");
            }
        }
    }
    Ok((done, n - done))
}

/// Photos first (so staff see them with the case), then the changes.
pub fn sync(
    store: &mut Store,
    client: &HttpClient,
    progress: Progress<'_>,
) -> Result<(SyncSummary, usize)> {
    let photo_result = upload_photos(store, client, progress);
    let summary = sync_with(store, |body| client.post_sync(body))?;
    let (_, pending) = photo_result?;
    Ok((summary, pending))
}
