//! # paidan-server
//!
//! The center's server: devices sync their case documents with it in one
//! round trip ([`http::sync`]), photos are uploaded to it by hash
//! ([`blobs`]), and after every merge the dispatch engine ([`dispatch`])
//! looks at what changed.
//!
//! The server is a library with a thin `main.rs`: tests start the real
//! thing on `127.0.0.1:0` with [`launch_with_listener`].
//!
//! Storage is SQLite in the data folder (WAL): an append-only change log,
//! unique on the change hash, and the current document and listing row of
//! each case. One writer thread owns the write connection and a bounded
//! LRU cache of documents, and commits waiting requests together (group
//! commit), acknowledging nothing before the commit.

pub mod admin;
pub mod auth;
pub mod background;
pub mod blobs;
pub mod clock;
pub mod config;
pub mod console;
pub mod db;
pub mod demo;
pub mod dispatch;
pub mod error;
pub mod figures;
pub mod http;
pub mod permissions;
pub mod router;
pub mod settings;
pub mod state;

pub use router::router;
pub use settings::Settings;

use anyhow::Context;
use std::future::Future;
use std::sync::Arc;

/// Serve on `listener` until `shutdown` completes; in-flight requests are
/// finished, then the writer drains its queue and stops.
pub async fn launch_with_listener(
    settings: Settings,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(&settings.data)
        .with_context(|| "cannot create the data folder".to_string())?;
    let db_path = settings.data.join("paidan.db");
    let conn = db::schema::open(&db_path)?;
    let blobs = Arc::new(blobs::BlobStore::open(&settings.data.join("blobs"))?);
    let actor = dispatch::server_actor(&conn)?;
    let engine = dispatch::Engine::new(settings.config.clone(), settings.clock.clone(), actor);
    // No admin yet: a one-time setup token, shown once here (not logged).
    if let Some(token) = auth::setup::prepare(&conn, settings.clock.now_ms())? {
        println!(
            "管理员初始化令牌（仅显示一次）/ one-time admin setup token: {token}\n  \
             open /console/setup, or POST /v1/setup {{\"token\", \"login\", \"password\"}}, or: paidan-server user add --role admin"
        );
    }
    let (writer, writer_thread) = db::Writer::start(conn, settings.cache_bytes, Box::new(engine));
    let limits = Arc::new(http::limits::Limits::new(&settings.quotas));
    let state = state::AppState {
        writer: writer.clone(),
        blobs,
        config: settings.config.clone(),
        clock: settings.clock.clone(),
        // Enough for the requests a few cores serve at once; more are
        // opened when needed and closed after.
        readers: db::readers::ReaderPool::new(db_path, 16),
        limits: limits.clone(),
    };
    let app = router(state);
    // The scheduler: a tick at start (what fell due while the server was
    // down), then one every interval.
    let every = settings.tick.unwrap_or(std::time::Duration::from_secs(
        settings.config.scheduler.tick_seconds,
    ));
    let scheduler = tokio::spawn(async move {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            if let Err(e) = writer.tick().await {
                tracing::warn!(error = %e, "scheduler tick failed");
            }
            limits.shrink();
        }
    });
    tracing::info!(addr = %listener.local_addr()?, "paidan-server listening");
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    // The scheduler holds a writer handle: stop it so the writer can drain.
    scheduler.abort();
    let _ = scheduler.await;
    served?;
    // The router (and with it every writer handle) is gone: the writer
    // finishes what is queued and stops.
    tokio::task::spawn_blocking(move || writer_thread.join())
        .await?
        .map_err(|_| anyhow::anyhow!("the writer thread panicked"))?;
    tracing::info!("paidan-server stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
