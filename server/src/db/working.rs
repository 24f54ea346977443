//! The documents a batch is working on: taken from the cache (or loaded)
//! for the length of one transaction, and returned to the cache after its
//! commit (or dropped if it fails).

use super::cache::{Cached, DocCache};
use paidan_core::Case;
use paidan_core::sync::protocol::WireCaseId;
use std::collections::HashMap;

/// The batch's documents, by case.
///
/// Each is boxed: a loaded Automerge document is large, and a sync of
/// 10,000 new reports would otherwise copy every one of them (into fresh,
/// page-faulting memory) each time the map grows.
#[derive(Debug, Default)]
pub struct Working(HashMap<WireCaseId, Box<Entry>>);

#[derive(Debug)]
struct Entry {
    doc: Cached,
    /// The case as read from exactly this `doc`, when the merge just read
    /// it (so the dispatch engine need not read it again). Any other
    /// insert clears it: whoever changed the document inserts it anew.
    read: Option<Case>,
}

impl Working {
    /// Nothing yet.
    pub fn new() -> Working {
        Working::default()
    }

    /// Keep `doc` for the rest of the batch.
    pub fn insert(&mut self, id: WireCaseId, doc: Cached) {
        self.0.insert(id, Box::new(Entry { doc, read: None }));
    }

    /// Keep `doc` with `case`, which was just read from it.
    pub fn insert_read(&mut self, id: WireCaseId, doc: Cached, case: Case) {
        let read = Some(case);
        self.0.insert(id, Box::new(Entry { doc, read }));
    }

    /// Take a case's document back out, if the batch holds it.
    pub fn remove(&mut self, id: &WireCaseId) -> Option<Cached> {
        self.0.remove(id).map(|e| e.doc)
    }

    /// Take a case's document back out with the case read from it, if the
    /// batch holds both.
    pub fn remove_read(&mut self, id: &WireCaseId) -> Option<(Cached, Option<Case>)> {
        self.0.remove(id).map(|e| (e.doc, e.read))
    }

    /// After the commit: every document back to the cache.
    pub fn into_cache(self, cache: &mut DocCache) {
        for (id, e) in self.0 {
            cache.put(id, e.doc);
        }
    }

    /// Take over what another part of the batch worked on.
    pub fn extend(&mut self, other: Working) {
        self.0.extend(other.0);
    }
}
