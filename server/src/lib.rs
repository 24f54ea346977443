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

pub mod blobs;
pub mod config;
pub mod db;
pub mod dispatch;
pub mod error;
pub mod http;
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
    let conn = db::schema::open(&settings.data.join("paidan.db"))?;
    let blobs = Arc::new(blobs::BlobStore::open(&settings.data.join("blobs"))?);
    let (writer, writer_thread) = db::Writer::start(
        conn,
        settings.cache_bytes,
        Box::new(dispatch::RecordArrivals),
    );
    let state = state::AppState { writer, blobs };
    let app = router(state);
    tracing::info!(addr = %listener.local_addr()?, "paidan-server listening");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await?;
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
