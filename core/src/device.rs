//! The device facade: what a phone app does, in one place, so that the
//! mobile bindings are conversions only. File a report (with photos from
//! files or bytes), act on a case (checked against the fold first), read
//! cases back, sync.

use crate::store::Query;
use crate::{
    CaseId, CaseView, Catalog, Channel, Created, Error, Event, EventData, Location, NewCase,
    PhotoRef, PhotoStage, PrivateContact, Result, Store, fold,
};
use std::path::{Path, PathBuf};

/// Where a photo comes from.
#[derive(Clone, Debug)]
pub enum PhotoSource {
    /// A file the camera wrote.
    File(PathBuf),
    /// Bytes in memory (JPEG or PNG).
    Bytes(Vec<u8>),
}

/// A report as the user filled it in.
#[derive(Clone, Debug)]
pub struct Report {
    /// Catalogue code.
    pub category: String,
    /// What the problem is.
    pub text: String,
    /// Where.
    pub lat: f64,
    /// Where.
    pub lon: f64,
    /// The place in words.
    pub address: Option<String>,
    /// Photos.
    pub photos: Vec<PhotoSource>,
    /// The reporter's private contact.
    pub contact: Option<PrivateContact>,
}

/// A phone's view of Paidan: its store and its catalogue.
#[derive(Debug)]
pub struct Device {
    /// The store.
    pub store: Store,
    /// The catalogue (built-in until the server sends one).
    pub catalog: Catalog,
}

impl Device {
    /// Open the device's store in `dir`.
    pub fn open(dir: impl AsRef<Path>) -> Result<Device> {
        Ok(Device {
            store: Store::open(dir)?,
            catalog: Catalog::fukang_demo(),
        })
    }

    fn photo(&self, source: &PhotoSource, stage: PhotoStage) -> Result<PhotoRef> {
        let dir = self.store.dir().join("photos");
        match source {
            PhotoSource::File(p) => crate::photo::prepare_into(p, &dir, stage),
            PhotoSource::Bytes(b) => {
                let p = crate::photo::prepare(b, stage)?;
                crate::photo::store_file(&dir, &p.reference.sha256, &p.jpeg)?;
                Ok(p.reference)
            }
        }
    }

    /// File a report; everything is checked before anything is written.
    pub fn file(&mut self, r: &Report) -> Result<CaseId> {
        let category = self.catalog.category(&r.category)?.code.clone();
        let mut location = Location::new(r.lat, r.lon)?;
        location.address = r.address.clone().filter(|a| !a.trim().is_empty());
        if r.text.trim().is_empty() {
            return Err(Error::invalid("text", "say what the problem is"));
        }
        let photos = r
            .photos
            .iter()
            .map(|p| self.photo(p, PhotoStage::Report))
            .collect::<Result<Vec<_>>>()?;
        let me = self.store.identity().clone();
        let new = NewCase {
            id: CaseId::new(),
            category,
            title: r.text.chars().take(30).collect(),
            description: r.text.clone(),
            location,
            created: Created {
                at: chrono::Utc::now().timestamp_millis(),
                by: me.user,
                role: me.role,
                channel: Channel::for_role(me.role),
            },
        };
        self.store.create_case(&new, r.contact.as_ref(), &photos)
    }

    /// Act on a case as this device's user. `before` and `after` are photo
    /// sources for the event (after: the work's photos). The event is
    /// refused here, with the fold's reason, if it would not apply.
    pub fn act(
        &mut self,
        case: &CaseId,
        data: impl FnOnce(&[String], &[String]) -> EventData,
        before: &[PhotoSource],
        after: &[PhotoSource],
    ) -> Result<CaseView> {
        let before = before
            .iter()
            .map(|p| self.photo(p, PhotoStage::Report))
            .collect::<Result<Vec<_>>>()?;
        let after = after
            .iter()
            .map(|p| self.photo(p, PhotoStage::Done))
            .collect::<Result<Vec<_>>>()?;
        let hashes = |v: &[PhotoRef]| v.iter().map(|p| p.sha256.clone()).collect::<Vec<_>>();
        let data = data(&hashes(&before), &hashes(&after));
        let me = self.store.identity().clone();
        let event = Event::new(me.user, me.role, me.dept, data);
        let photos: Vec<PhotoRef> = before.into_iter().chain(after).collect();
        act_checked(&mut self.store, case, &event, &photos)
    }

    /// List cases.
    pub fn list(&self, q: &Query) -> Result<Vec<crate::store::CaseSummary>> {
        self.store.list(q)
    }
}

/// Append `event` (with its photos) to a case unless the fold would
/// supersede it there: then the user learns why now, with the fold's
/// reason, instead of seeing the event ignored later.
pub fn act_checked(
    store: &mut Store,
    case: &CaseId,
    event: &Event,
    photos: &[PhotoRef],
) -> Result<CaseView> {
    let mut events = store.load(case)?.events()?;
    events.push(event.clone());
    let trial = fold(&events);
    if let Some(s) = trial
        .superseded
        .iter()
        .find(|s| s.index == events.len() - 1)
    {
        return Err(Error::invalid(
            "action",
            format!(
                "cannot {} now: {}",
                crate::labels::event(event.data.kind()),
                s.reason
            ),
        ));
    }
    store.add_event(case, event, photos)
}
