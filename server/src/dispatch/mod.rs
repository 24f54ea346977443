//! The dispatch engine's entry point: a hook the writer calls after every
//! merge, inside the same transaction, with the cases whose state changed.
//! What the engine adds (triaged, dispatched, reminded ...) it writes as
//! ordinary changes by the server's actor, so they flow back to devices in
//! the same feed.

use crate::db::cache::DocCache;
use crate::db::merge::{MergedCase, Working};
use rusqlite::{Transaction, params};

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
}

/// The hook until the dispatch engine lands: records each new case's
/// arrival (its first seq and when), so the center's queue has it.
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
        let now = chrono::Utc::now().timestamp_millis();
        let mut stmt = tx.prepare_cached(
            "INSERT OR IGNORE INTO arrivals (case_id, seq, at) VALUES (?1, ?2, ?3)",
        )?;
        for m in merged.iter().filter(|m| m.is_new) {
            stmt.execute(params![&m.id.0.as_bytes()[..], m.seq, now])?;
            tracing::info!(case = %m.id, "new case arrived");
        }
        Ok(())
    }
}
