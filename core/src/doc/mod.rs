//! The case document: one Automerge document per case.
//!
//! Root map (schema 1):
//!
//! | key | type | written by |
//! | --- | --- | --- |
//! | `id` | string (UUIDv7) | the creating device |
//! | `schema` | int | the creating device |
//! | `created` | map `{at, by, role, channel}` | the creating device |
//! | `category` | string (catalogue code) | creating device; triage may correct it |
//! | `title` | string | creating device |
//! | `description` | Text (character-wise merge) | reporter, staff |
//! | `location` | map `{lat, lon, address?, grid?}` | creating device; triage adds `grid` |
//! | `photos` | list of `{sha256, mime, bytes, width, height, taken_at?, stage}` | anyone who adds photos |
//! | `events` | list of `{id, kind, at, by, role, dept?, data?}` | append only |
//!
//! The reporter's contact (name, phone) is *not* here: it lives in a
//! separate private record ([`crate::PrivateContact`]) so that the shared
//! document can be sent to any role in scope without stripping anything.
//!
//! Writers only touch the keys they mean to change, so fields written by a
//! newer schema survive an older client's edits.

mod json;

use crate::{
    CaseId, CategoryCode, Channel, Error, Event, Location, PhotoRef, Result, Role, UserId,
    fold::{CaseView, fold},
};
use automerge::{
    ActorId, AutoCommit, Change, ChangeHash, ObjId, ObjType, ROOT, ReadDoc, Value,
    transaction::Transactable,
};
use serde::{Deserialize, Serialize};

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = 1;

/// Who filed a case, when, and through which channel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Created {
    /// ms since the epoch.
    pub at: i64,
    /// The reporter's user id.
    pub by: UserId,
    /// The reporter's role.
    pub role: Role,
    /// How it came in.
    pub channel: Channel,
}

/// What a device needs to file a new case.
#[derive(Clone, Debug)]
pub struct NewCase {
    /// Made on the device.
    pub id: CaseId,
    /// A catalogue code (checked by the caller against the catalogue).
    pub category: CategoryCode,
    /// A short title.
    pub title: String,
    /// The reporter's words.
    pub description: String,
    /// Where.
    pub location: Location,
    /// Who and how.
    pub created: Created,
}

/// A case read back from its document into typed values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// The case id.
    pub id: CaseId,
    /// The schema version that created it.
    pub schema: i64,
    /// Who, when, how.
    pub created: Created,
    /// Category code.
    pub category: CategoryCode,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Where.
    pub location: Location,
    /// Photo references.
    pub photos: Vec<PhotoRef>,
    /// The timeline, in document order.
    pub events: Vec<Event>,
}

impl Case {
    /// The workflow state of this case.
    pub fn view(&self) -> CaseView {
        fold(&self.events)
    }
}

/// One case's Automerge document with a typed API.
#[derive(Debug)]
pub struct CaseDoc {
    doc: AutoCommit,
}

impl CaseDoc {
    /// Create the document of a new case, with its `reported` event.
    pub fn create(new: &NewCase, actor: &ActorId) -> Result<CaseDoc> {
        if new.title.trim().is_empty() && new.description.trim().is_empty() {
            return Err(Error::invalid("text", "say what the problem is"));
        }
        let mut doc = AutoCommit::new().with_actor(actor.clone());
        doc.put(ROOT, "id", new.id.to_string())?;
        doc.put(ROOT, "schema", SCHEMA_VERSION)?;
        doc.batch_create_object(
            ROOT,
            "created",
            &json::to_hydrate(&serde_json::to_value(&new.created)?),
            false,
        )?;
        doc.put(ROOT, "category", new.category.as_str())?;
        doc.put(ROOT, "title", new.title.as_str())?;
        doc.batch_create_object(
            ROOT,
            "description",
            &json::text(doc.text_encoding(), &new.description),
            false,
        )?;
        doc.batch_create_object(
            ROOT,
            "location",
            &json::to_hydrate(&serde_json::to_value(&new.location)?),
            false,
        )?;
        doc.put_object(ROOT, "photos", ObjType::List)?;
        doc.put_object(ROOT, "events", ObjType::List)?;
        let mut this = CaseDoc { doc };
        let reported = Event {
            id: crate::EventId::new(),
            at: new.created.at,
            by: new.created.by.clone(),
            role: new.created.role,
            dept: None,
            data: crate::EventData::Reported {
                channel: new.created.channel,
            },
        };
        this.insert_event(&reported)?;
        this.doc.commit();
        Ok(this)
    }

    /// Load a saved document (or a concatenation of changes). Untrusted
    /// bytes give an error, never a panic.
    pub fn load(bytes: &[u8], actor: &ActorId) -> Result<CaseDoc> {
        let doc = AutoCommit::load(bytes)?.with_actor(actor.clone());
        Ok(CaseDoc { doc })
    }

    /// An empty document, to receive a case's changes from elsewhere.
    pub fn empty(actor: &ActorId) -> CaseDoc {
        CaseDoc {
            doc: AutoCommit::new().with_actor(actor.clone()),
        }
    }

    /// The id written in the document.
    pub fn id(&self) -> Result<CaseId> {
        match self.doc.get(ROOT, "id")? {
            Some((Value::Scalar(s), _)) => s
                .as_str()
                .ok_or_else(|| Error::Shape("id is not a string".into()))?
                .parse(),
            _ => Err(Error::Shape("the document has no id".into())),
        }
    }

    fn list(&self, key: &str) -> Result<ObjId> {
        match self.doc.get(ROOT, key)? {
            Some((Value::Object(ObjType::List), id)) => Ok(id),
            _ => Err(Error::Shape(format!("{key} is not a list"))),
        }
    }

    fn insert_event(&mut self, event: &Event) -> Result<()> {
        let events = self.list("events")?;
        let at = self.doc.length(&events);
        self.doc
            .batch_create_object(&events, at, &json::to_hydrate(&event.to_json()), true)?;
        Ok(())
    }

    /// Append an event to the timeline (one change).
    pub fn append_event(&mut self, event: &Event) -> Result<()> {
        self.insert_event(event)?;
        self.doc.commit();
        Ok(())
    }

    /// Append several events as one change (the server's triage and
    /// dispatch of a new report go together).
    pub fn append_events(&mut self, events: &[Event]) -> Result<()> {
        for e in events {
            self.insert_event(e)?;
        }
        self.doc.commit();
        Ok(())
    }

    /// Reference photos and append the events that show them, as one
    /// change (a department's completion with its photos, entered at the
    /// web console).
    pub fn append_events_with_photos(
        &mut self,
        photos: &[PhotoRef],
        events: &[Event],
    ) -> Result<()> {
        for p in photos {
            self.insert_photo(p)?;
        }
        for e in events {
            self.insert_event(e)?;
        }
        self.doc.commit();
        Ok(())
    }

    /// Reference a photo (its bytes travel separately, by hash).
    pub fn attach_photo(&mut self, photo: &PhotoRef) -> Result<()> {
        self.insert_photo(photo)?;
        self.doc.commit();
        Ok(())
    }

    fn insert_photo(&mut self, photo: &PhotoRef) -> Result<()> {
        if !crate::model::is_sha256_hex(&photo.sha256) {
            return Err(Error::invalid(
                "photo",
                "hash must be 64 lower-case hex digits",
            ));
        }
        let photos = self.list("photos")?;
        let at = self.doc.length(&photos);
        self.doc.batch_create_object(
            &photos,
            at,
            &json::to_hydrate(&serde_json::to_value(photo)?),
            true,
        )?;
        Ok(())
    }

    /// Replace the description; concurrent edits merge character by character.
    pub fn edit_description(&mut self, text: &str) -> Result<()> {
        let obj = match self.doc.get(ROOT, "description")? {
            Some((Value::Object(ObjType::Text), id)) => id,
            _ => return Err(Error::Shape("description is not text".into())),
        };
        self.doc.update_text(&obj, text)?;
        self.doc.commit();
        Ok(())
    }

    /// Set the grid the case's location falls in (triage).
    pub fn set_grid(&mut self, grid: &crate::GridId) -> Result<()> {
        let loc = match self.doc.get(ROOT, "location")? {
            Some((Value::Object(ObjType::Map), id)) => id,
            _ => return Err(Error::Shape("location is not a map".into())),
        };
        self.doc.put(&loc, "grid", grid.as_str())?;
        self.doc.commit();
        Ok(())
    }

    /// Read the whole case into typed values. Unknown fields are ignored
    /// here and left untouched in the document.
    pub fn read(&self) -> Result<Case> {
        let root = json::read_obj(&self.doc, &ROOT, ObjType::Map)?;
        let mut obj = match root {
            serde_json::Value::Object(m) => m,
            _ => return Err(Error::Shape("root is not a map".into())),
        };
        let events = match obj.remove("events") {
            Some(serde_json::Value::Array(items)) => items
                .iter()
                .map(Event::from_json)
                .collect::<Result<Vec<_>>>()?,
            _ => return Err(Error::Shape("events is not a list".into())),
        };
        obj.insert("events".into(), serde_json::Value::Array(Vec::new()));
        let mut case: Case = serde_json::from_value(serde_json::Value::Object(obj))?;
        case.events = events;
        Ok(case)
    }

    /// The timeline only.
    pub fn events(&self) -> Result<Vec<Event>> {
        Ok(self.read()?.events)
    }

    /// The workflow state.
    pub fn view(&self) -> Result<CaseView> {
        Ok(fold(&self.events()?))
    }

    /// The whole document, compacted.
    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// The current heads.
    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// Changes not reachable from `heads` (what another replica that has
    /// `heads` is missing).
    pub fn changes_since(&mut self, heads: &[ChangeHash]) -> Vec<Change> {
        self.doc.get_changes(heads)
    }

    /// Apply changes from elsewhere; changes already here are no-ops.
    pub fn apply_changes(&mut self, changes: Vec<Change>) -> Result<()> {
        self.doc.apply_changes(changes)?;
        Ok(())
    }

    /// Merge another replica into this one.
    pub fn merge(&mut self, other: &mut CaseDoc) -> Result<()> {
        self.doc.merge(&mut other.doc)?;
        Ok(())
    }

    /// Whether every change `heads` names is here.
    pub fn has_all(&mut self, heads: &[ChangeHash]) -> bool {
        self.doc.get_missing_deps(heads).is_empty()
            && heads
                .iter()
                .all(|h| self.doc.get_change_by_hash(h).is_some())
    }

    /// The document as it was at `heads` (used to realign a case to what the
    /// server acknowledged), writing as the same actor.
    pub fn fork_at(&mut self, heads: &[ChangeHash]) -> Result<CaseDoc> {
        let actor = self.doc.get_actor().clone();
        Ok(CaseDoc {
            doc: self.doc.fork_at(heads)?.with_actor(actor),
        })
    }

    /// Wrap an Automerge document (the server's merge path).
    pub fn from_automerge(doc: AutoCommit) -> CaseDoc {
        CaseDoc { doc }
    }

    /// Unwrap the Automerge document.
    pub fn into_automerge(self) -> AutoCommit {
        self.doc
    }

    /// Direct access for the sync layer and tests.
    pub fn automerge(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }
}
