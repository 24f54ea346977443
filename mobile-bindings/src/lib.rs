//! # paidan-mobile
//!
//! Paidan's core as a library for the phone apps, through
//! [uniffi](https://mozilla.github.io/uniffi-rs/): Kotlin (Android) and Swift
//! (iOS) bindings are generated from this crate with its own
//! `uniffi-bindgen` binary. The apps never see Automerge or SQL.
//!
//! One object, [`FieldClient`], opened on a folder of the app's private
//! storage. Everything here converts and delegates to
//! `paidan_core::device::Device`; the logic lives in the core.
//!
//! Threading: [`FieldClient::sync`] is `async` (a Kotlin `suspend` function,
//! a Swift `async` one) and runs on a thread of its own. The other methods
//! read or write the local SQLite store and take a few milliseconds: call
//! them off the UI thread (Android's StrictMode would flag them there).

mod error;
mod records;

pub use error::FieldError;
pub use records::*;

use paidan_core::device::{Device, Report};
use paidan_core::store::Query;
use paidan_core::{CaseId, EventData, PrivateContact};
use std::sync::{Arc, Mutex};

uniffi::setup_scaffolding!();

/// Told about a sync as it goes.
#[uniffi::export(with_foreign)]
pub trait SyncListener: Send + Sync {
    /// A photo upload advanced: photo `index` of `count`, `sent` of `total` bytes.
    fn on_photo_progress(&self, index: u32, count: u32, sent: u64, total: u64);
    /// A case changed on this device because of what the server sent.
    fn on_case_changed(&self, case_id: String);
    /// The server refused a change of this case.
    fn on_refused(&self, case_id: String, reason: String);
}

/// The field client of one app installation.
#[derive(Debug, uniffi::Object)]
pub struct FieldClient {
    device: Mutex<Device>,
    server_url: String,
}

fn parse_id(id: &str) -> Result<CaseId, FieldError> {
    Ok(id.parse::<CaseId>()?)
}

impl FieldClient {
    fn with<T>(
        &self,
        f: impl FnOnce(&mut Device) -> paidan_core::Result<T>,
    ) -> Result<T, FieldError> {
        let mut d = self.device.lock().unwrap_or_else(|p| p.into_inner());
        Ok(f(&mut d)?)
    }
}

#[uniffi::export]
impl FieldClient {
    /// Open (or create) the client's store in `folder`; `server_url` is
    /// where it syncs (`https://…`).
    #[uniffi::constructor]
    pub fn open(folder: String, server_url: String) -> Result<Arc<FieldClient>, FieldError> {
        paidan_core::sync::http::HttpClient::new(&server_url, None)?;
        Ok(Arc::new(FieldClient {
            device: Mutex::new(Device::open(&folder)?),
            server_url,
        }))
    }

    /// Log in (登录) as `login` with `password`: the device's token is kept
    /// in the store, and the device writes as the account from now on.
    /// Blocking network call: run it off the main thread. Wrong
    /// credentials: `FieldException.Unauthorized`.
    pub fn login(
        &self,
        login: String,
        password: String,
        device_name: String,
    ) -> Result<AccountInfo, FieldError> {
        let account = self.with(|d| {
            paidan_core::sync::http::login(
                &mut d.store,
                &self.server_url,
                &login,
                &password,
                &device_name,
            )
        })?;
        Ok(AccountInfo {
            role: Role::from_core(account.role).ok_or(FieldError::Unauthorized)?,
            user_id: account.user_id,
            dept: account.dept,
            street: account.street,
            display_name: account.display_name,
        })
    }

    /// Register a resident account (居民注册) with a mobile number and a
    /// password; then [`FieldClient::login`] with the same number.
    pub fn register(
        &self,
        phone: String,
        password: String,
        display_name: String,
    ) -> Result<String, FieldError> {
        Ok(
            paidan_core::sync::http::register(&self.server_url, &phone, &password, &display_name)?
                .user_id,
        )
    }

    /// Who this device writes as, until a login assigns it.
    pub fn set_identity(
        &self,
        user: String,
        role: Role,
        dept: Option<String>,
    ) -> Result<(), FieldError> {
        if user.trim().is_empty() {
            return Err(FieldError::InvalidInput {
                field: "user".into(),
                detail: "must not be empty".into(),
            });
        }
        self.with(|d| {
            d.store
                .set_identity(user.into(), role.into(), dept.map(Into::into))
        })
    }

    /// The category catalogue.
    pub fn categories(&self) -> Vec<CategoryInfo> {
        let d = self.device.lock().unwrap_or_else(|p| p.into_inner());
        d.catalog
            .categories
            .iter()
            .map(|c| CategoryInfo {
                code: c.code.to_string(),
                name_zh: c.name_zh.clone(),
                name_en: c.name_en.clone(),
                on_site: c.on_site,
                urgent: c.urgent,
            })
            .collect()
    }

    /// File a report (offline: it goes at the next sync). Returns its id.
    pub fn file_case(&self, report: NewReport) -> Result<String, FieldError> {
        let contact =
            (report.contact_name.is_some() || report.contact_phone.is_some()).then(|| {
                PrivateContact {
                    name: report.contact_name.clone(),
                    phone: report.contact_phone.clone(),
                }
            });
        let r = Report {
            category: report.category,
            text: report.text,
            lat: report.lat,
            lon: report.lon,
            address: report.address,
            photos: report.photos.into_iter().map(Into::into).collect(),
            contact,
        };
        Ok(self.with(|d| d.file(&r))?.to_string())
    }

    /// Cases on this device, newest first: optionally only mine, only a
    /// status, or with `text` in the title.
    pub fn list_cases(
        &self,
        mine: bool,
        status: Option<String>,
        text: Option<String>,
        limit: u32,
    ) -> Result<Vec<CaseSummary>, FieldError> {
        let status =
            match status {
                Some(s) => Some(paidan_core::Status::parse(&s).ok_or_else(|| {
                    FieldError::InvalidInput {
                        field: "status".into(),
                        detail: format!("{s:?} is not a status"),
                    }
                })?),
                None => None,
            };
        let q = Query {
            status,
            mine,
            text,
            limit: Some(limit as usize),
            ..Default::default()
        };
        Ok(self
            .with(|d| d.list(&q))?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// One case with its state and what this user may do next.
    pub fn get_case(&self, id: String) -> Result<CaseDetail, FieldError> {
        let id = parse_id(&id)?;
        self.with(|d| {
            let case = d.store.load(&id)?.read()?;
            let view = case.view();
            let summary = d
                .store
                .summary(&id)?
                .ok_or_else(|| paidan_core::Error::NoSuchCase(id.to_string()))?;
            Ok(records::detail(&case, &view, d.store.identity(), summary))
        })
    }

    /// Act on a case. Refused here, with the reason, if the workflow does
    /// not allow it now.
    pub fn act(&self, id: String, action: Action) -> Result<CaseStatus, FieldError> {
        let id = parse_id(&id)?;
        let (before, after): (Vec<Photo>, Vec<Photo>) = match &action {
            Action::HandledOnSite { before, after, .. } => (before.clone(), after.clone()),
            Action::Progress { photos, .. } => (Vec::new(), photos.clone()),
            _ => (Vec::new(), Vec::new()),
        };
        let before: Vec<_> = before.into_iter().map(Into::into).collect();
        let after: Vec<_> = after.into_iter().map(Into::into).collect();
        let view = self.with(|d| {
            d.act(
                &id,
                |b, a| match action {
                    Action::Comment { text } => EventData::Comment { text },
                    Action::Callback {
                        satisfaction,
                        comment,
                    } => EventData::Callback {
                        satisfaction: satisfaction.into(),
                        comment,
                    },
                    Action::HandledOnSite { note, .. } => EventData::HandledOnSite {
                        note,
                        before: b.to_vec(),
                        after: a.to_vec(),
                    },
                    Action::Verify { note } => EventData::Verified { note },
                    Action::VerificationFailed { reason } => {
                        EventData::VerificationFailed { reason }
                    }
                    Action::Progress { note, .. } => EventData::Progress {
                        note,
                        photos: a.to_vec(),
                    },
                },
                &before,
                &after,
            )
        })?;
        Ok(view.status.into())
    }

    /// Changes the server refused, newest first.
    pub fn refused_changes(&self) -> Result<Vec<RefusedChange>, FieldError> {
        Ok(self
            .with(|d| paidan_core::sync::refused(&d.store))?
            .into_iter()
            .map(|(c, reason, at)| RefusedChange {
                case_id: c.to_string(),
                reason,
                at_ms: at,
            })
            .collect())
    }

    /// Photos still waiting for upload.
    pub fn pending_photos(&self) -> Result<u32, FieldError> {
        Ok(self
            .with(|d| paidan_core::sync::http::pending_photos(&d.store))?
            .len() as u32)
    }

    /// Sync with the server: photos up, then one batched round trip.
    pub async fn sync(
        self: Arc<Self>,
        listener: Option<Arc<dyn SyncListener>>,
    ) -> Result<SyncReport, FieldError> {
        let (tx, rx) = futures_channel::oneshot::channel();
        let this = self.clone();
        std::thread::Builder::new()
            .name("paidan-sync".into())
            .spawn(move || {
                let _ = tx.send(this.sync_blocking(listener));
            })
            .map_err(|e| FieldError::Storage {
                detail: e.to_string(),
            })?;
        rx.await.map_err(|_| FieldError::Storage {
            detail: "the sync thread stopped".into(),
        })?
    }
}

impl FieldClient {
    fn sync_blocking(
        &self,
        listener: Option<Arc<dyn SyncListener>>,
    ) -> Result<SyncReport, FieldError> {
        let mut d = self.device.lock().unwrap_or_else(|p| p.into_inner());
        let token = d.store.meta("token")?;
        let client = paidan_core::sync::http::HttpClient::new(&self.server_url, token)?;
        let l = listener.clone();
        let mut progress = move |i: usize, n: usize, sent: u64, total: u64| {
            if let Some(l) = &l {
                l.on_photo_progress(i as u32, n as u32, sent, total);
            }
        };
        let (s, pending) = paidan_core::sync::http::sync(&mut d.store, &client, &mut progress)?;
        if let Some(l) = &listener {
            for c in &s.changed_cases {
                l.on_case_changed(c.to_string());
            }
            for (c, r) in &s.refused {
                l.on_refused(c.to_string(), r.clone());
            }
        }
        Ok(SyncReport {
            sent: s.sent_changes,
            acknowledged: s.acked_changes,
            received: s.received_changes,
            changed_cases: s.changed_cases.iter().map(ToString::to_string).collect(),
            refused: s
                .refused
                .iter()
                .map(|(c, r)| RefusedChange {
                    case_id: c.to_string(),
                    reason: r.clone(),
                    at_ms: paidan_core::now_ms(),
                })
                .collect(),
            photos_pending: pending as u32,
            round_trips: s.round_trips,
        })
    }
}

#[cfg(test)]
mod tests;
