//! The dispatch engine (派单): what the center does without being asked.
//!
//! The writer calls it after every merge, inside the same transaction, with
//! the cases whose documents changed ([`DispatchHook::after_merge`]), and on
//! every scheduler tick ([`DispatchHook::tick`]). What it adds — triaged,
//! dispatched, merged_into, duplicate_linked, recurrence, reopened,
//! reminded, escalated — it writes as ordinary changes by the server's own
//! actor ([`Role::System`]), so they flow back to every device in the same
//! feed, and are answered to the device that sent the report in the same
//! response.
//!
//! The decisions are pure functions ([`triage`], [`schedule`]); this module
//! finds what they need in the database and writes what they decide.

pub mod schedule;
pub mod triage;

use crate::clock::Clock;
use crate::config::Config;
use crate::db::cache::{Cached, DocCache};
use crate::db::merge::{self, MergedCase};
use crate::db::working::Working;
use crate::figures::facts;
use automerge::{ActorId, AutoCommit};
use paidan_core::{
    Case, CaseDoc, CaseId, CaseView, Event, EventData, EventId, PhotoRef, Role, Satisfaction,
    Status, UserId,
};
use rusqlite::{Transaction, params};
use std::sync::Arc;

const DAY: i64 = 86_400_000;

/// Called by the writer after each batch's merges, before the commit.
pub trait DispatchHook: Send {
    /// React to the cases that changed. An error rolls back the batch.
    fn after_merge(
        &mut self,
        tx: &Transaction<'_>,
        working: &mut Working,
        cache: &mut DocCache,
        merged: &[MergedCase],
    ) -> anyhow::Result<()>;

    /// Write events a person entered at the web console (already checked
    /// against the policy by the console): each must be allowed by the fold
    /// now, or nothing is written and the reason comes back.
    fn act(
        &mut self,
        _tx: &Transaction<'_>,
        _working: &mut Working,
        _cache: &mut DocCache,
        _case: CaseId,
        _photos: Vec<PhotoRef>,
        _events: Vec<Event>,
    ) -> anyhow::Result<Result<CaseView, String>> {
        Ok(Err("this server does not take console actions".into()))
    }

    /// The scheduler's tick: write what fell due. Returns how many cases it
    /// touched (0: nothing to commit).
    fn tick(
        &mut self,
        _tx: &Transaction<'_>,
        _working: &mut Working,
        _cache: &mut DocCache,
    ) -> anyhow::Result<usize> {
        Ok(0)
    }
}

/// A hook that only records each new case's arrival (for benchmarks of
/// the bare merge).
#[derive(Debug, Default)]
pub struct RecordArrivals;

impl DispatchHook for RecordArrivals {
    fn after_merge(
        &mut self,
        tx: &Transaction<'_>,
        _working: &mut Working,
        _cache: &mut DocCache,
        merged: &[MergedCase],
    ) -> anyhow::Result<()> {
        record_arrivals(tx, merged, chrono::Utc::now().timestamp_millis())
    }
}

fn record_arrivals(tx: &Transaction<'_>, merged: &[MergedCase], now: i64) -> anyhow::Result<()> {
    let mut stmt =
        tx.prepare_cached("INSERT OR IGNORE INTO arrivals (case_id, seq, at) VALUES (?1, ?2, ?3)")?;
    for m in merged.iter().filter(|m| m.is_new) {
        stmt.execute(params![&m.id.0.as_bytes()[..], m.seq, now])?;
    }
    Ok(())
}

/// The server's Automerge actor id, made once and kept in `meta`.
pub fn server_actor(conn: &rusqlite::Connection) -> anyhow::Result<ActorId> {
    use rusqlite::OptionalExtension;
    let got: Option<Vec<u8>> = conn
        .query_row("SELECT value FROM meta WHERE key = 'actor'", [], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(bytes) = got {
        return Ok(ActorId::from(bytes));
    }
    let actor = ActorId::random();
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('actor', ?1)",
        [actor.to_bytes()],
    )?;
    Ok(actor)
}

/// The engine.
#[derive(Debug)]
pub struct Engine {
    config: Arc<Config>,
    clock: Arc<dyn Clock>,
    actor: ActorId,
}

/// A loaded case the engine works on.
struct Open {
    wire: [u8; 16],
    cached: Cached,
    doc: CaseDoc,
    case: Case,
    view: CaseView,
}

impl Engine {
    /// An engine writing as `actor`.
    pub fn new(config: Arc<Config>, clock: Arc<dyn Clock>, actor: ActorId) -> Engine {
        Engine {
            config,
            clock,
            actor,
        }
    }

    fn open(
        &self,
        tx: &Transaction<'_>,
        cache: &mut DocCache,
        working: &mut Working,
        id: CaseId,
    ) -> anyhow::Result<Option<Open>> {
        let wire = *id.0.as_bytes();
        // A case the merge just read comes with it: no second read.
        let (mut cached, read) = match working.remove_read(&wire) {
            Some(both) => both,
            None => match merge::load(tx, cache, working, &wire)? {
                Some(cached) => (cached, None),
                None => return Ok(None),
            },
        };
        let mut doc =
            CaseDoc::from_automerge(std::mem::replace(&mut cached.doc, AutoCommit::new()));
        doc.automerge().set_actor(self.actor.clone());
        let case = match read.map_or_else(|| doc.read(), Ok) {
            Ok(c) => c,
            Err(e) => {
                // Merge checks every document reads; this is a bug, not input.
                tracing::error!(case = %id, error = %e, "a stored case does not read");
                cached.doc = doc.into_automerge();
                working.insert(wire, cached);
                return Ok(None);
            }
        };
        let view = case.view();
        Ok(Some(Open {
            wire,
            cached,
            doc,
            case,
            view,
        }))
    }

    /// Append `events` as the server, log the changes, rewrite the row and
    /// facts, and give the document back to the batch.
    fn close(
        &self,
        tx: &Transaction<'_>,
        working: &mut Working,
        o: Open,
        events: Vec<EventData>,
        now: i64,
    ) -> anyhow::Result<(Case, CaseView)> {
        let events: Vec<Event> = events
            .into_iter()
            .map(|data| Event {
                id: EventId::new(),
                at: now,
                by: UserId::from("system"),
                role: Role::System,
                dept: None,
                data,
            })
            .collect();
        self.close_with(tx, working, o, &[], events, now)
    }

    /// [`Engine::close`] with events already made (the console's, written
    /// for the person who entered them), and the photos they show.
    fn close_with(
        &self,
        tx: &Transaction<'_>,
        working: &mut Working,
        mut o: Open,
        photos: &[PhotoRef],
        events: Vec<Event>,
        now: i64,
    ) -> anyhow::Result<(Case, CaseView)> {
        if !events.is_empty() {
            if photos.is_empty() {
                o.doc.append_events(&events)?;
            } else {
                o.doc.append_events_with_photos(photos, &events)?;
                o.case.photos.extend(photos.iter().cloned());
            }
            // One commit, so one change: the last local one.
            let changes: Vec<automerge::Change> = o
                .doc
                .automerge()
                .get_last_local_change()
                .into_iter()
                .collect();
            let last_seq = merge::log_changes(tx, &o.wire, &changes, true)?;
            // The events went to the end of the list: no need to read the
            // document back.
            o.case.events.extend(events);
            o.view = o.case.view();
            o.cached.doc = o.doc.into_automerge();
            o.cached.since_snapshot += changes.len();
            merge::write_row(tx, &o.wire, &mut o.cached, &o.case, false, last_seq)?;
        } else {
            o.cached.doc = o.doc.into_automerge();
        }
        working.insert(o.wire, o.cached);
        self.record(tx, &o.case, &o.view, &o.wire, now)?;
        Ok((o.case, o.view))
    }

    /// Facts, the next alarm, re-inspections.
    fn record(
        &self,
        tx: &Transaction<'_>,
        case: &Case,
        view: &CaseView,
        wire: &[u8; 16],
        now: i64,
    ) -> anyhow::Result<()> {
        facts::write(
            tx,
            &facts::facts_of(&self.config, case, view),
            &view.returned_by,
        )?;
        tx.prepare_cached("UPDATE cases SET next_alarm = ?2 WHERE case_id = ?1")?
            .execute(params![
                &wire[..],
                schedule::next_alarm(view, &self.config.scheduler)
            ])?;
        let category = view.category_override.as_ref().unwrap_or(&case.category);
        let watch = self
            .config
            .category(category.as_str())
            .map(|c| c.recurrence_watch_days)
            .unwrap_or(0);
        if let (Status::Closed, Some(closed), true) = (view.status, view.closed_at, watch > 0) {
            let every = self.config.scheduler.reinspect_every_days.clamp(1, watch);
            let grid = view.grid.as_ref().or(case.location.grid.as_ref());
            let mut ins = tx.prepare_cached(
                "INSERT OR IGNORE INTO inspections (case_id, grid, category, due_at) VALUES (?1, ?2, ?3, ?4)",
            )?;
            let mut k = 1;
            while k * every <= watch {
                let due = closed + i64::from(k * every) * DAY;
                ins.execute(params![
                    &wire[..],
                    grid.map(|g| g.as_str()),
                    category.as_str(),
                    due
                ])?;
                k += 1;
            }
        }
        if view.reinspections == 0 {
            return Ok(());
        }
        // Each re-inspection written in the case ticks off the earliest open task.
        let done: i64 = tx.query_row(
            "SELECT count(*) FROM inspections WHERE case_id = ?1 AND done_at IS NOT NULL",
            [&wire[..]],
            |r| r.get(0),
        )?;
        let owed = i64::from(view.reinspections) - done;
        if owed > 0 {
            tx.prepare_cached(
                "UPDATE inspections SET done_at = ?2 WHERE rowid IN
                   (SELECT rowid FROM inspections WHERE case_id = ?1 AND done_at IS NULL ORDER BY due_at LIMIT ?3)",
            )?
            .execute(params![&wire[..], now, owed])?;
        }
        Ok(())
    }

    /// What the database knows around a new case.
    fn find(&self, tx: &Transaction<'_>, case: &Case, now: i64) -> anyhow::Result<triage::Found> {
        let mut found = triage::Found::default();
        let Some(cat) = self.config.category(case.category.as_str()) else {
            return Ok(found);
        };
        let (lat, lon) = (case.location.lat, case.location.lon);
        let radius = cat.duplicate_radius_m.max(0.0);
        let dlat = radius / 111_320.0;
        let dlon = radius / (111_320.0 * lat.to_radians().cos().max(0.01));
        let mut stmt = tx.prepare_cached(
            "SELECT case_id, lat, lon, status, created_at, closed_at FROM cases
             WHERE category = ?1 AND lat BETWEEN ?2 AND ?3 AND lon BETWEEN ?4 AND ?5 AND case_id <> ?6",
        )?;
        let rows = stmt.query_map(
            params![
                case.category.as_str(),
                lat - dlat,
                lat + dlat,
                lon - dlon,
                lon + dlon,
                &case.id.0.as_bytes()[..]
            ],
            |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    r.get::<_, f64>(1)?,
                    r.get::<_, f64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                ))
            },
        )?;
        let mut best_dup: Option<(f64, CaseId)> = None;
        let mut best_rec: Option<(i64, CaseId)> = None;
        let watch_from = now - i64::from(cat.recurrence_watch_days) * DAY;
        for row in rows {
            let (id, olat, olon, status, created, closed) = row?;
            let Ok(id) = uuid::Uuid::from_slice(&id).map(CaseId) else {
                continue;
            };
            let d = case.location.distance_m(olat, olon);
            if d > radius {
                continue;
            }
            let Some(status) = Status::parse(&status) else {
                continue;
            };
            // Only an earlier report can be the original.
            let earlier = (created, id) < (case.created.at, case.id);
            if status.is_open() && earlier && best_dup.is_none_or(|(bd, _)| d < bd) {
                best_dup = Some((d, id));
            }
            if status == Status::Closed
                && cat.recurrence_watch_days > 0
                && closed.is_some_and(|c| c >= watch_from)
                && best_rec.is_none_or(|(bc, _)| closed.unwrap_or(0) > bc)
            {
                best_rec = Some((closed.unwrap_or(0), id));
            }
        }
        found.duplicate_of = best_dup.map(|(_, id)| id);
        found.recurrence_of = best_rec.map(|(_, id)| id);
        Ok(found)
    }

    /// What the engine writes into a case that just changed.
    fn decide(&self, tx: &Transaction<'_>, o: &Open, now: i64) -> anyhow::Result<Vec<EventData>> {
        let v = &o.view;
        if triage::needs_triage(v) {
            let found = self.find(tx, &o.case, now)?;
            return Ok(triage::triage(&self.config, &o.case, now, &found));
        }
        // 回访不满意 → 重办, to the same department(s), with a new deadline.
        if v.status == Status::Closed
            && v.callback_done
            && v.satisfaction == Some(Satisfaction::Unsatisfied)
        {
            let category = v.category_override.as_ref().unwrap_or(&o.case.category);
            let deadline = self
                .config
                .category(category.as_str())
                .map(|c| self.config.calendar.deadline(now, c.limit));
            return Ok(vec![EventData::Reopened {
                reason: format!(
                    "回访不满意，重新办理 / unsatisfied callback: {}",
                    v.callback_comment.clone().unwrap_or_default()
                ),
                deadline,
            }]);
        }
        Ok(Vec::new())
    }

    fn process(
        &self,
        tx: &Transaction<'_>,
        cache: &mut DocCache,
        working: &mut Working,
        id: CaseId,
        now: i64,
    ) -> anyhow::Result<Option<CaseView>> {
        let Some(o) = self.open(tx, cache, working, id)? else {
            return Ok(None);
        };
        let events = self.decide(tx, &o, now)?;
        let (case, view) = self.close(tx, working, o, events, now)?;
        // A duplicate's original gains its reporter as a follower.
        if let (Some(target), Some(reporter)) = (view.merged_into, view.reporter.clone())
            && let Some(t) = self.open(tx, cache, working, target)?
        {
            let events = if t.view.duplicates.contains(&case.id) || !t.view.status.is_open() {
                Vec::new()
            } else {
                vec![EventData::DuplicateLinked {
                    case: case.id,
                    reporter,
                }]
            };
            self.close(tx, working, t, events, now)?;
        }
        Ok(Some(view))
    }
}

impl DispatchHook for Engine {
    fn act(
        &mut self,
        tx: &Transaction<'_>,
        working: &mut Working,
        cache: &mut DocCache,
        case: CaseId,
        photos: Vec<PhotoRef>,
        events: Vec<Event>,
    ) -> anyhow::Result<Result<CaseView, String>> {
        let now = self.clock.now_ms();
        let Some(o) = self.open(tx, cache, working, case)? else {
            return Ok(Err("no such case".into()));
        };
        // The fold decides whether each is valid now; one that it would
        // set aside is not written at all (the person sees why, and the
        // writer rolls the transaction back).
        let mut timeline = o.case.events.clone();
        timeline.extend(events.iter().cloned());
        let folded = paidan_core::fold(&timeline);
        if let Some(s) = folded
            .superseded
            .iter()
            .find(|s| events.iter().any(|e| e.id == s.id))
        {
            return Ok(Err(s.reason.clone()));
        }
        let (_, view) = self.close_with(tx, working, o, &photos, events, now)?;
        // What the engine does next (a reopen after an unsatisfied callback),
        // and the case as it stands then.
        Ok(Ok(self
            .process(tx, cache, working, case, now)?
            .unwrap_or(view)))
    }

    fn after_merge(
        &mut self,
        tx: &Transaction<'_>,
        working: &mut Working,
        cache: &mut DocCache,
        merged: &[MergedCase],
    ) -> anyhow::Result<()> {
        let now = self.clock.now_ms();
        record_arrivals(tx, merged, now)?;
        // Earlier reports first, so that of two reports of one place in one
        // sync the second is the duplicate.
        let mut seen = std::collections::HashSet::new();
        let mut ids: Vec<(i64, CaseId)> = merged
            .iter()
            .filter(|m| seen.insert(m.id))
            .map(|m| (m.created_at, m.id))
            .collect();
        ids.sort();
        for (_, id) in ids {
            self.process(tx, cache, working, id, now)?;
        }
        Ok(())
    }

    fn tick(
        &mut self,
        tx: &Transaction<'_>,
        working: &mut Working,
        cache: &mut DocCache,
    ) -> anyhow::Result<usize> {
        let now = self.clock.now_ms();
        let due: Vec<Vec<u8>> = tx
            .prepare_cached(
                "SELECT case_id FROM cases WHERE next_alarm IS NOT NULL AND next_alarm <= ?1
                 ORDER BY next_alarm LIMIT 5000",
            )?
            .query_map([now], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut written = 0;
        let touched = due.len();
        for id in due {
            let Ok(id) = uuid::Uuid::from_slice(&id).map(CaseId) else {
                continue;
            };
            let Some(o) = self.open(tx, cache, working, id)? else {
                continue;
            };
            let events = schedule::due(&o.view, now, &self.config.scheduler);
            written += events.len();
            self.close(tx, working, o, events, now)?;
        }
        if written > 0 {
            tracing::debug!(events = written, "scheduler: reminders and escalations");
        }
        Ok(touched)
    }
}
