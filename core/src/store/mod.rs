//! The local store on the device: SQLite (bundled, WAL) in a folder.
//!
//! ```text
//! DIR/paidan.db     case documents, listing index, private contacts, sync state
//! DIR/photos/       prepared photos, named by sha256
//! ```
//!
//! Every write goes through [`Store::write`]: one transaction, committed only
//! when the closure returns `Ok`. A case document and its index row are
//! always written in the same transaction ([`put_case`]), so a crash leaves
//! the previous state of both, never one without the other.

mod index;
mod schema;
#[cfg(test)]
mod tests;

pub use index::{CaseSummary, Query};

use crate::{
    CaseDoc, CaseId, DeptCode, Error, Event, PhotoRef, PrivateContact, Result, Role, UserId,
    doc::NewCase,
};
use automerge::{ActorId, ChangeHash};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use std::path::{Path, PathBuf};

/// Who uses this device: a local resident until a login says otherwise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The user id events are written with.
    pub user: UserId,
    /// The role events are written with.
    pub role: Role,
    /// For department roles.
    pub dept: Option<DeptCode>,
    /// This device's Automerge actor id (random, made once per store).
    pub actor: ActorId,
}

/// The device's store.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    dir: PathBuf,
    identity: Identity,
}

/// Open (or create) the database file with the pragmas we rely on.
fn connect(path: &Path) -> Result<Connection> {
    let mut conn = Connection::open(path)?;
    // Another handle (a second app process) may hold the write lock briefly.
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // Our transactions write: take the lock at BEGIN so the wait above
    // applies (a deferred one that read first would fail at once if the
    // other handle committed in between).
    conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
    // WAL: readers never block the writer, and a crash mid-write leaves the
    // last committed state.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // FULL: a commit is on disk before we tell the user it is saved; what a
    // user typed must survive a power cut too.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

impl Store {
    /// Open the store in `dir`, creating the folder and the database if
    /// needed, and bring the schema up to date.
    pub fn open(dir: impl AsRef<Path>) -> Result<Store> {
        let dir = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(dir.join("photos"))?;
        let mut conn = connect(&dir.join("paidan.db"))?;
        schema::migrate(&mut conn)?;
        let identity = load_or_make_identity(&mut conn)?;
        Ok(Store {
            conn,
            dir,
            identity,
        })
    }

    /// The folder this store lives in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Who writes from this device.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// Change who writes from this device (after a login). The actor id stays.
    pub fn set_identity(&mut self, user: UserId, role: Role, dept: Option<DeptCode>) -> Result<()> {
        if role.is_department() && dept.is_none() {
            return Err(Error::invalid(
                "dept",
                "a department role needs its department",
            ));
        }
        self.write(|tx| {
            set_meta(tx, "user", user.as_str())?;
            set_meta(tx, "role", role.as_str())?;
            match &dept {
                Some(d) => set_meta(tx, "dept", d.as_str())?,
                None => {
                    tx.execute("DELETE FROM meta WHERE key = 'dept'", [])?;
                }
            }
            Ok(())
        })?;
        self.identity.user = user;
        self.identity.role = role;
        self.identity.dept = dept;
        Ok(())
    }

    /// Run `f` in one transaction; commit only if it returns `Ok`.
    pub fn write<T>(&mut self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let tx = self.conn.transaction()?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Read-only access.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// A value of the device's bookkeeping (server URL, token, cursor).
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        get_meta(&self.conn, key)
    }

    /// Set a value of the device's bookkeeping.
    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<()> {
        self.write(|tx| set_meta(tx, key, value))
    }

    /// File a new case: the document, its index row, the reporter's private
    /// contact and its photos, in one transaction. Photo files must already
    /// be in the photo folder (see [`crate::photo::prepare_into`]).
    pub fn create_case(
        &mut self,
        new: &NewCase,
        contact: Option<&PrivateContact>,
        photos: &[PhotoRef],
    ) -> Result<CaseId> {
        let mut doc = CaseDoc::create(new, &self.identity.actor)?;
        for p in photos {
            doc.attach_photo(p)?;
        }
        self.write(|tx| {
            put_case(tx, &mut doc, true)?;
            if let Some(c) = contact {
                tx.execute(
                    "INSERT OR REPLACE INTO private_contacts (case_id, name, phone) VALUES (?1, ?2, ?3)",
                    params![new.id.to_string(), c.name, c.phone],
                )?;
            }
            for p in photos {
                tx.execute(
                    "INSERT OR IGNORE INTO photos (sha256, case_id, bytes) VALUES (?1, ?2, ?3)",
                    params![p.sha256, new.id.to_string(), p.bytes as i64],
                )?;
            }
            Ok(())
        })?;
        Ok(new.id)
    }

    /// Load a case's document.
    pub fn load(&self, id: &CaseId) -> Result<CaseDoc> {
        load_doc(&self.conn, id, &self.identity.actor)
    }

    /// Append an event to a case (one transaction). Returns the new view.
    pub fn append_event(&mut self, id: &CaseId, event: &Event) -> Result<crate::CaseView> {
        self.add_event(id, event, &[])
    }

    /// Append an event with the photos it refers to: the references, the
    /// event and the upload queue entries in one transaction. Photo files
    /// must already be in the photo folder.
    pub fn add_event(
        &mut self,
        id: &CaseId,
        event: &Event,
        photos: &[PhotoRef],
    ) -> Result<crate::CaseView> {
        let actor = self.identity.actor.clone();
        self.write(|tx| {
            let mut doc = load_doc(tx, id, &actor)?;
            for p in photos {
                doc.attach_photo(p)?;
                tx.execute(
                    "INSERT OR IGNORE INTO photos (sha256, case_id, bytes) VALUES (?1, ?2, ?3)",
                    params![p.sha256, id.to_string(), p.bytes as i64],
                )?;
            }
            doc.append_event(event)?;
            put_case(tx, &mut doc, true)?;
            doc.view()
        })
    }

    /// Apply an edit to a case's document and save it (one transaction).
    pub fn edit<T>(&mut self, id: &CaseId, f: impl FnOnce(&mut CaseDoc) -> Result<T>) -> Result<T> {
        let actor = self.identity.actor.clone();
        self.write(|tx| {
            let mut doc = load_doc(tx, id, &actor)?;
            let out = f(&mut doc)?;
            put_case(tx, &mut doc, true)?;
            Ok(out)
        })
    }

    /// The reporter's private contact of a case, if this device has it.
    pub fn contact(&self, id: &CaseId) -> Result<Option<PrivateContact>> {
        Ok(self
            .conn
            .query_row(
                "SELECT name, phone FROM private_contacts WHERE case_id = ?1",
                [id.to_string()],
                |r| {
                    Ok(PrivateContact {
                        name: r.get(0)?,
                        phone: r.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    /// How many cases the store holds.
    pub fn count(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM cases", [], |r| r.get::<_, i64>(0))? as u64)
    }

    /// The index line of one case.
    pub fn summary(&self, id: &CaseId) -> Result<Option<CaseSummary>> {
        index::one(&self.conn, id)
    }

    /// List cases from the index.
    pub fn list(&self, q: &Query) -> Result<Vec<CaseSummary>> {
        index::list(&self.conn, q, &self.identity.user)
    }

    /// Where a photo's prepared file lives.
    pub fn photo_path(&self, sha256: &str) -> Result<PathBuf> {
        if !crate::model::is_sha256_hex(sha256) {
            return Err(Error::invalid("photo", "not a sha256 hash"));
        }
        Ok(self.dir.join("photos").join(format!("{sha256}.jpg")))
    }
}

fn load_or_make_identity(conn: &mut Connection) -> Result<Identity> {
    let tx = conn.transaction()?;
    let actor = match get_meta(&tx, "actor")? {
        Some(hex) => ActorId::try_from(hex.as_str())
            .map_err(|_| Error::Shape("the stored actor id is damaged".into()))?,
        None => {
            let a = ActorId::from(uuid::Uuid::new_v4().as_bytes().as_slice());
            set_meta(&tx, "actor", &a.to_hex_string())?;
            a
        }
    };
    let user = match get_meta(&tx, "user")? {
        Some(u) => UserId(u),
        None => {
            let u = UserId(format!("local-{}", uuid::Uuid::now_v7().simple()));
            set_meta(&tx, "user", u.as_str())?;
            set_meta(&tx, "role", Role::Resident.as_str())?;
            u
        }
    };
    let role = get_meta(&tx, "role")?
        .map(|r| r.parse())
        .transpose()?
        .unwrap_or(Role::Resident);
    let dept = get_meta(&tx, "dept")?.map(DeptCode);
    tx.commit()?;
    Ok(Identity {
        user,
        role,
        dept,
        actor,
    })
}

pub(crate) fn get_meta(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

pub(crate) fn set_meta(tx: &Transaction<'_>, key: &str, value: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// Load a case's document through any connection or transaction.
pub fn load_doc(conn: &Connection, id: &CaseId, actor: &ActorId) -> Result<CaseDoc> {
    let bytes: Vec<u8> = conn
        .query_row(
            "SELECT doc FROM cases WHERE id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| Error::NoSuchCase(id.to_string()))?;
    CaseDoc::load(&bytes, actor)
}

/// Write a case's document and its index row in the caller's transaction.
/// `local` marks that the device has changes the server has not yet
/// acknowledged.
pub fn put_case(tx: &Transaction<'_>, doc: &mut CaseDoc, local: bool) -> Result<()> {
    let case = doc.read()?;
    put_read_case(tx, doc, &case, local)
}

/// [`put_case`] for a document already read into `case`.
pub fn put_read_case(
    tx: &Transaction<'_>,
    doc: &mut CaseDoc,
    case: &crate::Case,
    local: bool,
) -> Result<()> {
    let view = case.view();
    let bytes = doc.save();
    let id = case.id.to_string();
    tx.execute(
        "INSERT INTO cases (id, doc, dirty) VALUES (?1, ?2, ?3)
         ON CONFLICT(id) DO UPDATE SET doc = excluded.doc, dirty = max(dirty, excluded.dirty)",
        params![id, bytes, local as i64],
    )?;
    index::put(tx, case, &view)
}

/// `PRAGMA integrity_check` of the store in `dir` ("ok" when sound).
pub fn integrity_check(dir: &Path) -> Result<String> {
    let conn = Connection::open(dir.join("paidan.db"))?;
    Ok(conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
}

/// Encode heads as concatenated 32-byte hashes.
pub fn encode_heads(heads: &[ChangeHash]) -> Vec<u8> {
    heads.iter().flat_map(|h| h.0).collect()
}

/// Decode heads written by [`encode_heads`].
pub fn decode_heads(bytes: &[u8]) -> Result<Vec<ChangeHash>> {
    if bytes.len() % 32 != 0 {
        return Err(Error::Shape("stored heads are damaged".into()));
    }
    Ok(bytes
        .chunks_exact(32)
        .map(|c| {
            let mut h = [0u8; 32];
            h.copy_from_slice(c);
            ChangeHash(h)
        })
        .collect())
}
