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

    /// The server's base URL.
    pub fn base(&self) -> &str {
        &self.base
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

/// The account a device logged in to, as the server describes it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
pub struct Account {
    /// The id events are written with.
    pub user_id: String,
    /// The login name.
    pub login: String,
    /// The role.
    pub role: crate::Role,
    /// The street.
    pub street: String,
    /// The department (department roles).
    #[serde(default)]
    pub dept: Option<String>,
    /// Grids.
    #[serde(default)]
    pub grids: Vec<String>,
    /// The name to show.
    #[serde(default)]
    pub display_name: String,
}

#[derive(serde::Deserialize)]
struct LoggedIn {
    token: String,
    device_id: String,
    account: Account,
}

impl HttpClient {
    fn post_json(&self, path: &str, body: &serde_json::Value) -> Result<(u16, Vec<u8>)> {
        let bytes = serde_json::to_vec(body)?;
        let mut resp = self
            .auth(self.agent.post(format!("{}{path}", self.base)))
            .header("Content-Type", "application/json")
            .send(&bytes[..])
            .map_err(transport)?;
        let status = resp.status().as_u16();
        let body = resp
            .body_mut()
            .with_config()
            .limit(1024 * 1024)
            .read_to_vec()
            .map_err(transport)?;
        Ok((status, body))
    }

    /// Send the reporter's private contact of `case` (after the case).
    pub fn put_contact(&self, case: &crate::CaseId, c: &crate::PrivateContact) -> Result<()> {
        let bytes = serde_json::to_vec(&serde_json::json!({ "name": c.name, "phone": c.phone }))?;
        let mut resp = self
            .auth(
                self.agent
                    .put(format!("{}/v1/cases/{case}/contact", self.base)),
            )
            .header("Content-Type", "application/json")
            .send(&bytes[..])
            .map_err(transport)?;
        match resp.status().as_u16() {
            204 | 200 => Ok(()),
            401 => Err(Error::Unauthorized),
            s => Err(Error::Transport(format!(
                "HTTP {s}: {}",
                resp.body_mut().read_to_string().unwrap_or_default()
            ))),
        }
    }
}

/// Log this store in to the server at `base` as `login`: the device's token
/// is kept in the store, and the device writes as the account from now on
/// (user id, role, department, as the server says). Wrong credentials give
/// [`Error::Unauthorized`]; a rate limit or other refusal, its message.
pub fn login(
    store: &mut Store,
    base: &str,
    login: &str,
    password: &str,
    device_name: &str,
) -> Result<Account> {
    let client = HttpClient::new(base, None)?;
    let body = serde_json::json!({
        "login": login,
        "password": password,
        "actor": store.identity().actor.to_hex_string(),
        "device_name": device_name,
    });
    let (status, bytes) = client.post_json("/v1/login", &body)?;
    match status {
        200 => {}
        401 => return Err(Error::Unauthorized),
        s => {
            return Err(Error::Transport(format!(
                "HTTP {s}: {}",
                String::from_utf8_lossy(&bytes)
                    .chars()
                    .take(200)
                    .collect::<String>()
            )));
        }
    }
    let got: LoggedIn = serde_json::from_slice(&bytes).map_err(|e| {
        Error::Protocol(format!("the server's login answer is not understood ({e})"))
    })?;
    store.set_identity(
        got.account.user_id.as_str().into(),
        got.account.role,
        got.account.dept.as_deref().map(Into::into),
    )?;
    store.set_meta("server", client.base())?;
    store.set_meta("token", &got.token)?;
    store.set_meta("device", &got.device_id)?;
    Ok(got.account)
}

/// Register a resident account (居民注册) on the server at `base`: the
/// login is the mobile number. Log in afterwards with [`login`].
pub fn register(base: &str, phone: &str, password: &str, display_name: &str) -> Result<Account> {
    let client = HttpClient::new(base, None)?;
    let body =
        serde_json::json!({"phone": phone, "password": password, "display_name": display_name});
    let (status, bytes) = client.post_json("/v1/register", &body)?;
    let text = || {
        String::from_utf8_lossy(&bytes)
            .chars()
            .take(200)
            .collect::<String>()
    };
    match status {
        201 => serde_json::from_slice(&bytes)
            .map_err(|e| Error::Protocol(format!("the server's answer is not understood ({e})"))),
        400 | 409 => Err(Error::invalid("phone", text())),
        s => Err(Error::Transport(format!("HTTP {s}: {}", text()))),
    }
}

/// Send the private contacts of cases the server now holds, once each.
pub fn send_contacts(store: &mut Store, client: &HttpClient) -> Result<usize> {
    let pending: Vec<(String, Option<String>, Option<String>)> = {
        let mut stmt = store.conn().prepare(
            "SELECT p.case_id, p.name, p.phone FROM private_contacts p JOIN cases c ON c.id = p.case_id
             WHERE p.sent = 0 AND c.dirty = 0 AND length(c.synced_heads) > 0",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut sent = 0;
    for (case, name, phone) in pending {
        let id: crate::CaseId = case.parse()?;
        match client.put_contact(&id, &crate::PrivateContact { name, phone }) {
            Ok(()) => {
                store.write(|tx| {
                    tx.execute(
                        "UPDATE private_contacts SET sent = 1 WHERE case_id = ?1",
                        [&case],
                    )?;
                    Ok(())
                })?;
                sent += 1;
            }
            Err(Error::Unauthorized) => return Err(Error::Unauthorized),
            Err(e) => tracing::warn!("a contact will be sent on the next sync: {e}"),
        }
    }
    Ok(sent)
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

/// Photos first (so staff see them with the case), then the changes, then
/// the private contacts of cases the server now holds.
pub fn sync(
    store: &mut Store,
    client: &HttpClient,
    progress: Progress<'_>,
) -> Result<(SyncSummary, usize)> {
    let photo_result = upload_photos(store, client, progress);
    let summary = sync_with(store, |body| client.post_sync(body))?;
    let (_, pending) = photo_result?;
    send_contacts(store, client)?;
    Ok((summary, pending))
}
