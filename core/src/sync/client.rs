//! The device side of sync, sans I/O: [`prepare`] builds the request from
//! the store, [`apply`] applies the server's response to the store. The
//! transport in between is the caller's ([`super::http`] on phones and in
//! the CLI, anything in tests).
//!
//! What is "sent" is decided only by acknowledgements: a case's
//! `synced_heads` move to the server's heads when the response says the
//! server holds them, in the same transaction that applies the response.
//! A request that is lost, or a response that never arrives, leaves the
//! store as it was, and the next sync sends the same changes again (the
//! server ignores the ones it already has).

use super::protocol::{ByteBuf, CaseChanges, SyncRequest, SyncResponse, WireCaseId};
use crate::store::{decode_heads, encode_heads, put_case};
use crate::{CaseDoc, CaseId, Error, Result, Store};
use automerge::{Change, ChangeHash};
use rusqlite::{OptionalExtension, params};
use std::collections::BTreeMap;

/// What a sync did, for the user.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncSummary {
    /// Round trips (requests) made.
    pub round_trips: u32,
    /// Local changes sent.
    pub sent_changes: u64,
    /// Local changes the server acknowledged.
    pub acked_changes: u64,
    /// Changes received from the server.
    pub received_changes: u64,
    /// Cases that changed here because of what was received.
    pub changed_cases: Vec<CaseId>,
    /// Changes the server refused, with reasons.
    pub refused: Vec<(CaseId, String)>,
    /// Bytes of change chunks sent.
    pub sent_change_bytes: u64,
    /// Bytes sent on the wire (the encoded requests).
    pub sent_wire_bytes: u64,
    /// Bytes received on the wire.
    pub received_wire_bytes: u64,
}

/// A request and what it carries, to be matched with its response.
#[derive(Debug)]
pub struct Outgoing {
    /// The request.
    pub request: SyncRequest,
    /// How many changes it carries.
    pub change_count: u64,
}

pub(crate) fn wire_id(id: &CaseId) -> WireCaseId {
    *id.0.as_bytes()
}

pub(crate) fn case_id(w: &WireCaseId) -> CaseId {
    CaseId(uuid::Uuid::from_bytes(*w))
}

/// The device's cursor in the server's feed.
pub fn cursor(store: &Store) -> Result<u64> {
    Ok(store
        .meta("sync.cursor")?
        .and_then(|c| c.parse().ok())
        .unwrap_or(0))
}

/// Build the request: every local change not reachable from the heads the
/// server acknowledged, for every case with local changes. With
/// `with_changes` false, only the cursor (for fetching further pages).
pub fn prepare(store: &Store, with_changes: bool) -> Result<Outgoing> {
    let mut cases = Vec::new();
    let mut change_count = 0;
    if with_changes {
        let mut stmt = store.conn().prepare_cached(
            "SELECT id, doc, synced_heads FROM cases WHERE dirty = 1 ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, Vec<u8>>(2)?,
            ))
        })?;
        for row in rows {
            let (id, doc, synced) = row?;
            let id: CaseId = id.parse()?;
            let mut doc = CaseDoc::load(&doc, &store.identity().actor)?;
            let synced = decode_heads(&synced)?;
            let changes: Vec<ByteBuf> = doc
                .changes_since(&synced)
                .into_iter()
                .map(|c| ByteBuf::from(c.raw_bytes().to_vec()))
                .collect();
            if changes.is_empty() {
                continue;
            }
            change_count += changes.len() as u64;
            cases.push(CaseChanges {
                case: wire_id(&id),
                changes,
            });
        }
    }
    Ok(Outgoing {
        request: SyncRequest {
            cursor: cursor(store)?,
            cases,
        },
        change_count,
    })
}

/// Apply a response in one transaction: merge what was received, move the
/// acknowledged heads, keep refused changes, advance the cursor.
pub fn apply(
    store: &mut Store,
    sent: &Outgoing,
    resp: &SyncResponse,
    summary: &mut SyncSummary,
) -> Result<()> {
    let actor = store.identity().actor.clone();
    let mut incoming: BTreeMap<CaseId, Vec<Change>> = BTreeMap::new();
    for c in &resp.changes {
        let list = incoming.entry(case_id(&c.case)).or_default();
        for bytes in &c.changes {
            list.push(
                Change::from_bytes(bytes.to_vec()).map_err(|e| {
                    Error::Protocol(format!("the server sent a damaged change ({e})"))
                })?,
            );
        }
    }
    let heads: BTreeMap<CaseId, Vec<ChangeHash>> = resp
        .heads
        .iter()
        .map(|h| {
            (
                case_id(&h.case),
                h.heads.iter().map(|x| ChangeHash(*x)).collect(),
            )
        })
        .collect();
    let refused: Vec<(CaseId, ChangeHash, String)> = resp
        .refused
        .iter()
        .map(|r| (case_id(&r.case), ChangeHash(r.change), r.reason.clone()))
        .collect();
    let now = chrono::Utc::now().timestamp_millis();
    let mut acked = 0u64;
    store.write(|tx| {
        // Documents loaded for the received changes, reused for the acks.
        let mut loaded: BTreeMap<CaseId, CaseDoc> = BTreeMap::new();
        for (id, changes) in incoming {
            let existing: Option<Vec<u8>> = tx
                .query_row("SELECT doc FROM cases WHERE id = ?1", [id.to_string()], |r| r.get(0))
                .optional()?;
            let mut doc = match existing {
                Some(b) => CaseDoc::load(&b, &actor)?,
                None => CaseDoc::empty(&actor),
            };
            let before = doc.heads();
            summary.received_changes += changes.len() as u64;
            doc.apply_changes(changes)?;
            if doc.heads() != before {
                // A document that does not read as a case yet (its first
                // change still on the next page) waits in the store.
                if let Ok(case) = doc.read() {
                    crate::store::put_read_case(tx, &mut doc, &case, false)?;
                    // With nothing unacknowledged here, everything this
                    // document holds came from or went to the server.
                    tx.execute(
                        "UPDATE cases SET synced_heads = ?2 WHERE id = ?1 AND dirty = 0",
                        params![id.to_string(), encode_heads(&doc.heads())],
                    )?;
                    summary.changed_cases.push(id);
                    loaded.insert(id, doc);
                } else {
                    tx.execute(
                        "INSERT INTO cases (id, doc, dirty) VALUES (?1, ?2, 0)
                         ON CONFLICT(id) DO UPDATE SET doc = excluded.doc",
                        params![id.to_string(), doc.save()],
                    )?;
                }
            }
        }
        for (id, change, reason) in &refused {
            let bytes: Vec<u8> = match tx
                .query_row("SELECT doc FROM cases WHERE id = ?1", [id.to_string()], |r| r.get::<_, Vec<u8>>(0))
                .optional()?
            {
                Some(b) => {
                    let mut doc = CaseDoc::load(&b, &actor)?;
                    doc.automerge()
                        .get_change_by_hash(change)
                        .map(|c| c.raw_bytes().to_vec())
                        .unwrap_or_default()
                }
                None => Vec::new(),
            };
            tx.execute(
                "INSERT OR IGNORE INTO refused (change_hash, case_id, reason, bytes, at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![change.to_string(), id.to_string(), reason, bytes, now],
            )?;
            summary.refused.push((*id, reason.clone()));
        }
        for (id, server_heads) in &heads {
            let row: Option<(Vec<u8>, Vec<u8>)> = tx
                .query_row(
                    "SELECT doc, synced_heads FROM cases WHERE id = ?1",
                    [id.to_string()],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((bytes, old)) = row else { continue };
            let mut doc = match loaded.remove(id) {
                Some(d) => d,
                None => CaseDoc::load(&bytes, &actor)?,
            };
            if !doc.has_all(server_heads) {
                continue; // the rest comes on the next page
            }
            let old = decode_heads(&old)?;
            let beyond_server = doc.changes_since(server_heads);
            let newly = doc.changes_since(&old).len() - beyond_server.len();
            acked += newly as u64;
            let refused_here: Vec<&ChangeHash> =
                refused.iter().filter(|(c, _, _)| c == id).map(|(_, h, _)| h).collect();
            if refused_here.is_empty() {
                tx.execute(
                    "UPDATE cases SET synced_heads = ?2, dirty = ?3 WHERE id = ?1",
                    params![id.to_string(), encode_heads(server_heads), !beyond_server.is_empty() as i64],
                )?;
                continue;
            }
            if server_heads.is_empty() {
                // The server refused the whole new case: it holds nothing
                // of it. Its changes are kept in `refused`.
                tx.execute("DELETE FROM cases WHERE id = ?1", [id.to_string()])?;
                continue;
            }
            // Realign the case to what the server holds, then write again,
            // as new changes, what the user did after the refused change
            // (it was never sent, or was refused only for building on it).
            let mut aligned = doc.fork_at(server_heads)?;
            let mut with_refused = doc.fork_at(server_heads)?;
            // Only the changes refused for what they did are dropped; those
            // refused for building on them are the user's later actions.
            let refused_changes: Vec<Change> = refused_here
                .iter()
                .filter_map(|h| doc.automerge().get_change_by_hash(h))
                .collect();
            let roots: Vec<Change> = refused_changes
                .iter()
                .filter(|c| !c.deps().iter().any(|d| refused_here.contains(&d)))
                .cloned()
                .collect();
            with_refused.apply_changes(roots)?;
            let (full, refused_view) = (doc.read()?, with_refused.read()?);
            let on_server: std::collections::HashSet<_> =
                aligned.read()?.events.iter().map(|e| e.id).collect();
            let tainted: std::collections::HashSet<_> =
                refused_view.events.iter().map(|e| e.id).collect();
            let later: Vec<crate::Event> = full
                .events
                .into_iter()
                .filter(|e| !tainted.contains(&e.id))
                .filter(|e| !on_server.contains(&e.id))
                .collect();
            let known: std::collections::HashSet<_> =
                refused_view.photos.iter().map(|p| p.sha256.clone()).collect();
            let mut rewritten = false;
            for p in full.photos.iter().filter(|p| !known.contains(&p.sha256)) {
                aligned.attach_photo(p)?;
                rewritten = true;
            }
            if !later.is_empty() {
                aligned.append_events(&later)?;
                rewritten = true;
            }
            put_case_replacing(tx, &mut aligned)?;
            tx.execute(
                "UPDATE cases SET synced_heads = ?2, dirty = ?3 WHERE id = ?1",
                params![id.to_string(), encode_heads(server_heads), rewritten as i64],
            )?;
        }
        crate::store::set_meta(tx, "sync.cursor", &resp.cursor.to_string())?;
        Ok(())
    })?;
    summary.acked_changes += acked.min(sent.change_count);
    Ok(())
}

fn put_case_replacing(tx: &rusqlite::Transaction<'_>, doc: &mut CaseDoc) -> Result<()> {
    let id = doc.id()?;
    tx.execute(
        "UPDATE cases SET doc = ?2 WHERE id = ?1",
        params![id.to_string(), doc.save()],
    )?;
    put_case(tx, doc, false)
}

/// Changes the server refused, newest first: (case, reason, when).
pub fn refused(store: &Store) -> Result<Vec<(CaseId, String, i64)>> {
    let mut stmt = store
        .conn()
        .prepare("SELECT case_id, reason, at FROM refused ORDER BY at DESC, change_hash")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    rows.map(|r| {
        let (c, reason, at) = r?;
        Ok((c.parse()?, reason, at))
    })
    .collect()
}

/// Run a whole sync over `send`, a function that posts an encoded request
/// and returns the encoded response. Pages until the server has no more.
pub fn sync_with(
    store: &mut Store,
    mut send: impl FnMut(Vec<u8>) -> Result<Vec<u8>>,
) -> Result<SyncSummary> {
    let mut summary = SyncSummary::default();
    let mut first = true;
    loop {
        let out = prepare(store, first)?;
        let body = out.request.encode()?;
        summary.sent_changes += out.change_count;
        summary.sent_change_bytes += out.request.change_bytes() as u64;
        summary.sent_wire_bytes += body.len() as u64;
        let reply = send(body)?;
        summary.round_trips += 1;
        summary.received_wire_bytes += reply.len() as u64;
        let resp = SyncResponse::decode(&reply)?;
        apply(store, &out, &resp, &mut summary)?;
        first = false;
        if !resp.more {
            break;
        }
    }
    Ok(summary)
}
