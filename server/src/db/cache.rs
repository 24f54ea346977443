//! An LRU cache of loaded case documents, bounded by the bytes of their
//! saved form (an estimate of their memory).

use automerge::AutoCommit;
use lru::LruCache;

/// A cached document and what it weighs.
#[derive(Debug)]
pub struct Cached {
    /// The document as of the last committed merge.
    pub doc: AutoCommit,
    /// Bytes of its last saved form.
    pub weight: usize,
    /// The seq its snapshot in the table includes.
    pub snapshot_seq: i64,
    /// Changes merged since that snapshot.
    pub since_snapshot: usize,
}

/// The cache. Only the writer thread touches it.
#[derive(Debug)]
pub struct DocCache {
    lru: LruCache<[u8; 16], Cached>,
    weight: usize,
    limit: usize,
}

impl DocCache {
    /// A cache holding about `limit` bytes of documents.
    pub fn new(limit: usize) -> DocCache {
        DocCache {
            lru: LruCache::unbounded(),
            weight: 0,
            limit,
        }
    }

    /// Take a document out (the caller puts it back after a commit).
    pub fn take(&mut self, id: &[u8; 16]) -> Option<Cached> {
        let c = self.lru.pop(id)?;
        self.weight -= c.weight;
        Some(c)
    }

    /// Put a document (back) in, evicting the least recently used beyond the limit.
    pub fn put(&mut self, id: [u8; 16], c: Cached) {
        self.weight += c.weight;
        if let Some(old) = self.lru.put(id, c) {
            self.weight -= old.weight;
        }
        while self.weight > self.limit {
            match self.lru.pop_lru() {
                Some((_, c)) => self.weight -= c.weight,
                None => break,
            }
        }
    }

    /// Forget everything (after a failed transaction).
    pub fn clear(&mut self) {
        self.lru.clear();
        self.weight = 0;
    }

    /// Documents held.
    pub fn len(&self) -> usize {
        self.lru.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.lru.is_empty()
    }
}
