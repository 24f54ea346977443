//! The single writer: one thread owns the write connection and the document
//! cache. Handlers send it jobs over a channel and await the reply, so
//! SQLite never blocks the async runtime.
//!
//! Group commit: the thread takes every job that is waiting (up to
//! [`BATCH`]) and runs them in one transaction, each under its own
//! savepoint (a request that fails is rolled back alone). One fsync then
//! covers the whole batch, and only after it do the replies go out: nothing
//! is acknowledged before it is durable.

use super::cache::DocCache;
use super::feed;
use super::merge::{self, Incoming};
use super::working::Working;
use crate::auth::Principal;
use crate::dispatch::DispatchHook;
use crate::error::ApiError;
use paidan_core::sync::protocol::SyncResponse;
use std::sync::mpsc;
use tokio::sync::oneshot;

/// Most jobs in one transaction.
pub const BATCH: usize = 64;

/// A sync request for the writer.
#[derive(Debug)]
pub struct SyncJob {
    /// Who sent it.
    pub principal: Principal,
    /// When it arrived (ms), for the audit log.
    pub now: i64,
    /// The device's cursor.
    pub cursor: u64,
    /// Its changes, decoded.
    pub incoming: Incoming,
    /// Where the response goes.
    pub reply: oneshot::Sender<Result<SyncResponse, ApiError>>,
}

/// A scheduler tick for the writer: its reply is the events written.
#[derive(Debug)]
pub struct TickJob {
    /// Where the count goes.
    pub reply: oneshot::Sender<Result<usize, ApiError>>,
}

/// A small write of its own (an account, a login, a revocation): run in
/// its own transaction on the writer's connection, which it answers itself.
pub type ExecJob = Box<dyn FnOnce(&mut rusqlite::Connection) + Send>;

/// Events a person entered at the console, for one case.
#[derive(Debug)]
pub struct ActJob {
    /// The case.
    pub case: paidan_core::CaseId,
    /// Photos the events show (already in the blob store).
    pub photos: Vec<paidan_core::PhotoRef>,
    /// The events (by the person, in their role).
    pub events: Vec<paidan_core::Event>,
    /// The view after, or why nothing was written.
    pub reply: oneshot::Sender<Result<Result<paidan_core::CaseView, String>, ApiError>>,
}

/// What the writer thread does.
pub enum Job {
    /// Write a console action.
    Act(ActJob),
    /// Merge a device's changes.
    Sync(SyncJob),
    /// Write the reminders and escalations that fell due.
    Tick(TickJob),
    /// Any other write.
    Exec(ExecJob),
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Job::Sync(j) => j.fmt(f),
            Job::Tick(j) => j.fmt(f),
            Job::Exec(_) => f.write_str("Exec"),
            Job::Act(j) => j.fmt(f),
        }
    }
}

/// Handle to the writer thread.
#[derive(Debug, Clone)]
pub struct Writer {
    tx: mpsc::SyncSender<Job>,
    changed: tokio::sync::broadcast::Sender<()>,
}

impl Writer {
    /// Start the writer thread on `conn`.
    pub fn start(
        conn: rusqlite::Connection,
        cache_bytes: usize,
        hook: Box<dyn DispatchHook>,
    ) -> (Writer, std::thread::JoinHandle<()>) {
        let (tx, rx) = mpsc::sync_channel::<Job>(1024);
        let (changed, _) = tokio::sync::broadcast::channel(16);
        let notify = changed.clone();
        let handle = std::thread::Builder::new()
            .name("paidan-writer".into())
            .spawn(move || run(conn, rx, DocCache::new(cache_bytes), hook, notify))
            .expect("spawn the writer thread");
        (Writer { tx, changed }, handle)
    }

    /// A signal after every commit that changed cases (the console's live
    /// updates listen to it).
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<()> {
        self.changed.subscribe()
    }

    /// Merge a request from `principal` and get its response, after the commit.
    pub async fn sync(
        &self,
        principal: Principal,
        now: i64,
        cursor: u64,
        incoming: Incoming,
    ) -> Result<SyncResponse, ApiError> {
        let (reply, rx) = oneshot::channel();
        let job = SyncJob {
            principal,
            now,
            cursor,
            incoming,
            reply,
        };
        self.send(Job::Sync(job)).await?;
        rx.await.map_err(|_| ApiError::Unavailable)?
    }

    /// Run the scheduler once; the cases touched, after the commit.
    pub async fn tick(&self) -> Result<usize, ApiError> {
        let (reply, rx) = oneshot::channel();
        self.send(Job::Tick(TickJob { reply })).await?;
        rx.await.map_err(|_| ApiError::Unavailable)?
    }

    /// Write `events` (a console action) into `case`; the view after, or
    /// why the fold would not take them.
    pub async fn act(
        &self,
        case: paidan_core::CaseId,
        photos: Vec<paidan_core::PhotoRef>,
        events: Vec<paidan_core::Event>,
    ) -> Result<Result<paidan_core::CaseView, String>, ApiError> {
        let (reply, rx) = oneshot::channel();
        self.send(Job::Act(ActJob {
            case,
            photos,
            events,
            reply,
        }))
        .await?;
        rx.await.map_err(|_| ApiError::Unavailable)?
    }

    /// Run `f` in a transaction of its own on the write connection; its
    /// result comes back after the commit (nothing is kept if it fails).
    pub async fn exec<T: Send + 'static>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let (reply, rx) = oneshot::channel();
        let job: ExecJob = Box::new(move |conn| {
            let result = (|| {
                let tx = conn.transaction()?;
                let value = f(&tx)?;
                tx.commit()?;
                Ok(value)
            })();
            let _ = reply.send(result);
        });
        self.send(Job::Exec(job)).await?;
        rx.await.map_err(|_| ApiError::Unavailable)?
    }

    async fn send(&self, job: Job) -> Result<(), ApiError> {
        let sender = self.tx.clone();
        // A full queue means overload: wait off the runtime's threads.
        tokio::task::spawn_blocking(move || sender.send(job).is_ok())
            .await
            .map_err(|e| ApiError::Internal(e.into()))?
            .then_some(())
            .ok_or(ApiError::Unavailable)
    }
}

fn run(
    mut conn: rusqlite::Connection,
    rx: mpsc::Receiver<Job>,
    mut cache: DocCache,
    mut hook: Box<dyn DispatchHook>,
    changed: tokio::sync::broadcast::Sender<()>,
) {
    let mut next = rx.recv().ok();
    while let Some(job) = next.take() {
        // Listeners (the console's live pages) look again after a job that
        // may have changed cases.
        let cases_may_change = match job {
            Job::Tick(t) => run_tick(&mut conn, &mut cache, hook.as_mut(), t),
            Job::Exec(f) => {
                f(&mut conn);
                false
            }
            Job::Act(a) => {
                run_act(&mut conn, &mut cache, hook.as_mut(), a);
                true
            }
            Job::Sync(first) => {
                let mut batch = vec![first];
                while batch.len() < BATCH {
                    match rx.try_recv() {
                        Ok(Job::Sync(j)) => batch.push(j),
                        Ok(other) => {
                            next = Some(other);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                run_batch(&mut conn, &mut cache, hook.as_mut(), batch);
                true
            }
        };
        if cases_may_change {
            let _ = changed.send(());
        }
        if next.is_none() {
            next = rx.recv().ok();
        }
    }
    tracing::debug!("writer thread stops");
}

fn run_tick(
    conn: &mut rusqlite::Connection,
    cache: &mut DocCache,
    hook: &mut dyn DispatchHook,
    job: TickJob,
) -> bool {
    let mut working = Working::new();
    let result = (|| -> anyhow::Result<usize> {
        let tx = conn.transaction()?;
        let n = hook.tick(&tx, &mut working, cache)?;
        if n > 0 {
            tx.commit()?;
        } else {
            // Nothing fell due: no commit, no fsync.
            tx.rollback()?;
        }
        Ok(n)
    })();
    match result {
        Ok(n) => {
            working.into_cache(cache);
            let _ = job.reply.send(Ok(n));
            n > 0
        }
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "a scheduler tick failed and was rolled back");
            cache.clear();
            let _ = job.reply.send(Err(ApiError::Internal(e)));
            false
        }
    }
}

fn run_act(
    conn: &mut rusqlite::Connection,
    cache: &mut DocCache,
    hook: &mut dyn DispatchHook,
    job: ActJob,
) {
    let mut working = Working::new();
    let result = (|| {
        let tx = conn.transaction()?;
        let out = hook.act(&tx, &mut working, cache, job.case, job.photos, job.events)?;
        if out.is_ok() {
            tx.commit()?;
        }
        anyhow::Ok(out)
    })();
    match result {
        Ok(out) => {
            if out.is_ok() {
                working.into_cache(cache);
            }
            let _ = job.reply.send(Ok(out));
        }
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "a console action failed and was rolled back");
            cache.clear();
            let _ = job.reply.send(Err(ApiError::Internal(e)));
        }
    }
}

fn run_batch(
    conn: &mut rusqlite::Connection,
    cache: &mut DocCache,
    hook: &mut dyn DispatchHook,
    batch: Vec<SyncJob>,
) {
    let mut working = Working::new();
    let mut results = Vec::with_capacity(batch.len());
    let mut replies = Vec::with_capacity(batch.len());
    let committed = (|| -> anyhow::Result<()> {
        let mut tx = conn.transaction()?;
        let mut merged = Vec::new();
        for job in batch {
            replies.push((job.reply, job.cursor, job.principal.clone()));
            let mut sp = tx.savepoint()?;
            let mut mine = Working::new();
            match merge::merge(&sp, cache, &mut mine, &job.principal, job.now, job.incoming) {
                Ok(outcome) => {
                    sp.commit()?;
                    merged.extend(outcome.merged.iter().cloned());
                    working.extend(mine);
                    results.push(Ok(outcome));
                }
                Err(e) => {
                    sp.rollback()?;
                    drop(sp);
                    tracing::error!(error = %format!("{e:#}"), "a sync request failed and was rolled back");
                    results.push(Err(ApiError::Internal(e)));
                }
            }
        }
        hook.after_merge(&tx, &mut working, cache, &merged)?;
        tx.commit()?;
        Ok(())
    })();
    if let Err(e) = committed {
        tracing::error!(error = %format!("{e:#}"), "a sync batch could not be committed");
        cache.clear();
        for (reply, _, _) in replies {
            let _ = reply.send(Err(ApiError::Unavailable));
        }
        return;
    }
    working.into_cache(cache);
    for ((reply, cursor, principal), result) in replies.into_iter().zip(results) {
        let response = result.and_then(|outcome| {
            feed::respond(conn, &principal, cursor, outcome).map_err(ApiError::Internal)
        });
        let _ = reply.send(response);
    }
}
