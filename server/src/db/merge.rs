//! Merging one sync request's changes into the server's documents, inside
//! the writer's transaction. Pure bookkeeping around Automerge: which
//! changes are new, which could not be applied, what goes in the log, and
//! the listing row of each case.

use super::cache::{Cached, DocCache};
use super::working::Working;
use crate::auth::{Principal, audit};
use crate::permissions::{check, scope};
use automerge::{AutoCommit, Change, ChangeHash};
use paidan_core::sync::protocol::{Refusal, WireCaseId, WireHash};
use paidan_core::{CaseDoc, CaseId};
use rusqlite::{Connection, OptionalExtension, params};

/// Snapshot a document again after this many changes since the last one.
const SNAPSHOT_EVERY: usize = 64;

/// A request's changes, decoded and checked for shape by the handler.
#[derive(Debug)]
pub struct Incoming {
    /// Per case, its changes in the order sent.
    pub cases: Vec<(WireCaseId, Vec<Change>)>,
}

/// A case that changed, for the dispatch hook.
#[derive(Debug, Clone)]
pub struct MergedCase {
    /// The case.
    pub id: CaseId,
    /// First time the server sees it.
    pub is_new: bool,
    /// Seq of its last change in the log.
    pub seq: i64,
    /// When it was reported (the order the engine triages in).
    pub created_at: i64,
}

/// What merging a request did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Cases whose heads the response must carry.
    pub acked: Vec<WireCaseId>,
    /// Changes not merged.
    pub refused: Vec<Refusal>,
    /// Hashes the device sent (left out of its own feed).
    pub sent: std::collections::HashSet<WireHash>,
    /// Cases that changed.
    pub merged: Vec<MergedCase>,
    /// New cases of which nothing was accepted (answered with no heads).
    pub unknown: Vec<WireCaseId>,
}

/// Load a case's document: from the batch, the cache, or its snapshot plus
/// the changes logged after it.
pub fn load(
    tx: &Connection,
    cache: &mut DocCache,
    working: &mut Working,
    id: &WireCaseId,
) -> anyhow::Result<Option<Cached>> {
    if let Some(c) = working.remove(id) {
        return Ok(Some(c));
    }
    if let Some(c) = cache.take(id) {
        return Ok(Some(c));
    }
    let row: Option<(Vec<u8>, i64)> = tx
        .query_row(
            "SELECT snapshot, snapshot_seq FROM cases WHERE case_id = ?1",
            [&id[..]],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((snapshot, snapshot_seq)) = row else {
        return Ok(None);
    };
    // An empty snapshot: the case is young and lives in the log alone.
    let mut doc = if snapshot.is_empty() {
        AutoCommit::new()
    } else {
        AutoCommit::load(&snapshot)?
    };
    let mut stmt = tx
        .prepare_cached("SELECT bytes FROM changes WHERE case_id = ?1 AND seq > ?2 ORDER BY seq")?;
    let later: Vec<Change> = stmt
        .query_map(params![&id[..], snapshot_seq], |r| r.get::<_, Vec<u8>>(0))?
        .map(|b| Ok(Change::from_bytes(b?)?))
        .collect::<anyhow::Result<_>>()?;
    let since_snapshot = later.len();
    doc.apply_changes_batch(later)?;
    Ok(Some(Cached {
        doc,
        weight: snapshot.len().max(since_snapshot * 256),
        snapshot_seq,
        since_snapshot,
    }))
}

/// Merge a request into the documents, writing the log and the listing
/// rows in `tx`. Documents it could not use cleanly are left out of
/// `working` (they reload from the database next time).
pub fn merge(
    tx: &Connection,
    cache: &mut DocCache,
    working: &mut Working,
    principal: &Principal,
    now: i64,
    incoming: Incoming,
) -> anyhow::Result<Outcome> {
    merge_as(tx, cache, working, Some(principal), now, incoming)
}

/// [`merge`] without the permission check: only for measuring what the
/// check costs (the bulk merge benchmark). Every request from a device
/// goes through [`merge`].
pub fn merge_unchecked(
    tx: &Connection,
    cache: &mut DocCache,
    working: &mut Working,
    incoming: Incoming,
) -> anyhow::Result<Outcome> {
    merge_as(tx, cache, working, None, 0, incoming)
}

fn merge_as(
    tx: &Connection,
    cache: &mut DocCache,
    working: &mut Working,
    principal: Option<&Principal>,
    now: i64,
    incoming: Incoming,
) -> anyhow::Result<Outcome> {
    let mut out = Outcome::default();
    for (wire_id, changes) in incoming.cases {
        let case_id = CaseId(uuid::Uuid::from_bytes(wire_id));
        for c in &changes {
            out.sent.insert(c.hash().0);
        }
        let existing = load(tx, cache, working, &wire_id)?;
        let is_new = existing.is_none();
        let mut cached = existing.unwrap_or_else(|| Cached {
            doc: AutoCommit::new(),
            weight: 0,
            snapshot_seq: 0,
            since_snapshot: 0,
        });
        // `get_missing_deps` is a set lookup; `get_change_by_hash` would
        // rebuild each change.
        let hashes: Vec<ChangeHash> = changes.iter().map(Change::hash).collect();
        let unknown = cached.doc.get_missing_deps(&hashes);
        let fresh: Vec<Change> = changes
            .into_iter()
            .filter(|c| unknown.contains(&c.hash()))
            .collect();
        if fresh.is_empty() {
            out.acked.push(wire_id);
            if !is_new {
                working.insert(wire_id, cached);
            }
            continue;
        }
        let refuse = |out: &mut Outcome, changes: &[Change], reason: &str| {
            for c in changes {
                out.refused.push(Refusal {
                    case: wire_id,
                    change: c.hash().0,
                    reason: reason.to_owned(),
                });
            }
        };
        let mut trial = cached.doc.fork();
        // Untrusted changes never take the server down: should Automerge
        // panic on a crafted change, only the trial copy is lost.
        let applied_ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            trial.apply_changes_batch(fresh.clone()).is_ok()
        }))
        .unwrap_or(false);
        if !applied_ok {
            refuse(&mut out, &fresh, "the change could not be applied");
            if is_new {
                out.unknown.push(wire_id);
            } else {
                working.insert(wire_id, cached);
            }
            continue;
        }
        // Automerge queues a change whose dependencies it lacks; such a
        // change is not merged, and is answered as refused.
        let fresh_hashes: Vec<ChangeHash> = fresh.iter().map(Change::hash).collect();
        let not_in = trial.get_missing_deps(&fresh_hashes);
        let (applied, missing): (Vec<Change>, Vec<Change>) =
            fresh.into_iter().partition(|c| !not_in.contains(&c.hash()));
        refuse(
            &mut out,
            &missing,
            "it depends on changes the server does not have; sync them first",
        );
        if !missing.is_empty() {
            // Rebuild without the queued changes.
            trial = cached.doc.fork();
            trial.apply_changes_batch(applied.clone())?;
        }
        if applied.is_empty() {
            if !is_new {
                working.insert(wire_id, cached);
            }
            continue;
        }
        // The result must still be this case's document.
        let wrapped = CaseDoc::from_automerge(trial);
        let readable = wrapped.read().ok().filter(|c| c.id == case_id);
        let trial = wrapped.into_automerge();
        let Some(case) = readable else {
            refuse(
                &mut out,
                &applied,
                "the changes do not make a valid case document for this id",
            );
            if is_new {
                out.unknown.push(wire_id);
            } else {
                working.insert(wire_id, cached);
            }
            continue;
        };
        // The permission check: what may be merged of what arrived.
        let checked = match principal {
            Some(p) => check::check(&mut cached.doc, trial, case, applied, p),
            None => check::Checked {
                doc: trial,
                case: Some(case),
                accepted: applied,
                refused: Vec::new(),
            },
        };
        let who = principal.map(Principal::who).unwrap_or_default();
        for (hash, reason) in &checked.refused {
            out.refused.push(Refusal {
                case: wire_id,
                change: hash.0,
                reason: reason.clone(),
            });
            audit::record(
                tx,
                now,
                &who,
                "refused_change",
                &format!("case {case_id} change {hash}: {reason}"),
            )?;
        }
        let (Some(case), false) = (checked.case, checked.accepted.is_empty()) else {
            if is_new {
                // Nothing of it is here: the device drops its copy (the
                // refused changes stay in its refused list).
                out.unknown.push(wire_id);
            } else {
                out.acked.push(wire_id);
                working.insert(wire_id, cached);
            }
            continue;
        };
        let last_seq = log_changes(tx, &wire_id, &checked.accepted, false)?;
        cached.doc = checked.doc;
        cached.since_snapshot += checked.accepted.len();
        write_row(tx, &wire_id, &mut cached, &case, is_new, last_seq)?;
        out.acked.push(wire_id);
        out.merged.push(MergedCase {
            id: case_id,
            is_new,
            seq: last_seq,
            created_at: case.created.at,
        });
        working.insert_read(wire_id, cached, case);
    }
    Ok(out)
}

/// Append changes of a case to the log (a re-sent one is a no-op); the seq
/// of the last one written, or 0. `by_server` marks the dispatch engine's.
pub fn log_changes(
    tx: &Connection,
    id: &WireCaseId,
    changes: &[Change],
    by_server: bool,
) -> anyhow::Result<i64> {
    let mut ins = tx.prepare_cached(
        "INSERT INTO changes (case_id, hash, bytes, by_server) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(hash) DO NOTHING",
    )?;
    let mut last_seq = 0;
    for c in changes {
        if ins.execute(params![&id[..], &c.hash().0[..], c.raw_bytes(), by_server])? == 1 {
            last_seq = tx.last_insert_rowid();
        }
    }
    Ok(last_seq)
}

/// Write a case's listing row (and a new snapshot when due).
pub fn write_row(
    tx: &Connection,
    id: &WireCaseId,
    cached: &mut Cached,
    case: &paidan_core::Case,
    is_new: bool,
    last_seq: i64,
) -> anyhow::Result<()> {
    let view = case.view();
    let heads: Vec<u8> = cached
        .doc
        .get_heads()
        .iter()
        .flat_map(|h: &ChangeHash| h.0)
        .collect();
    let grid = view
        .grid
        .as_ref()
        .or(case.location.grid.as_ref())
        .map(|g| g.to_string());
    let departments = view
        .assignments
        .iter()
        .map(|a| a.dept.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let category = view
        .category_override
        .as_ref()
        .unwrap_or(&case.category)
        .to_string();
    if is_new || cached.since_snapshot >= SNAPSHOT_EVERY {
        // A new case's few changes replay quickly from the log: its first
        // snapshot waits until it has grown (saving compresses, which is
        // the dearest step of a bulk merge).
        let snapshot = if cached.since_snapshot >= SNAPSHOT_EVERY {
            cached.doc.save()
        } else {
            Vec::new()
        };
        cached.weight = snapshot.len().max(cached.since_snapshot * 256);
        if !snapshot.is_empty() {
            cached.snapshot_seq = last_seq;
            cached.since_snapshot = 0;
        }
        tx.prepare_cached(
            "INSERT INTO cases (case_id, snapshot, snapshot_seq, heads, status, category, title, reporter, grid, lat, lon, deadline, created_at, updated_at, closed_at, departments)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
             ON CONFLICT(case_id) DO UPDATE SET snapshot = excluded.snapshot, snapshot_seq = excluded.snapshot_seq,
               heads = excluded.heads, status = excluded.status, category = excluded.category, title = excluded.title,
               reporter = excluded.reporter, grid = excluded.grid, lat = excluded.lat, lon = excluded.lon,
               deadline = excluded.deadline, updated_at = excluded.updated_at, closed_at = excluded.closed_at,
               departments = excluded.departments",
        )?
        .execute(params![
                &id[..], snapshot, cached.snapshot_seq, heads, view.status.as_str(), category, case.title,
                view.reporter.as_ref().map(|r| r.as_str()), grid, case.location.lat, case.location.lon,
                view.deadline(), case.created.at, view.updated_at.max(case.created.at), view.closed_at,
                departments
            ])?;
    } else {
        tx.prepare_cached(
            "UPDATE cases SET heads = ?2, status = ?3, category = ?4, title = ?5, grid = ?6, deadline = ?7, updated_at = ?8,
               closed_at = ?9, departments = ?10
             WHERE case_id = ?1",
        )?
        .execute(params![
                &id[..], heads, view.status.as_str(), category, case.title, grid, view.deadline(),
                view.updated_at.max(case.created.at), view.closed_at, departments
            ])?;
    }
    if last_seq > 0 {
        scope::grant(tx, id, case, &view, last_seq)?;
    }
    Ok(())
}
