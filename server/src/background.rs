//! A server running on its own thread and runtime, for the demo generator
//! and the end-to-end tests: start it on `127.0.0.1:0`, talk to it over
//! HTTP, stop it gracefully.

use crate::Settings;
use std::net::SocketAddr;

/// A running server.
#[derive(Debug)]
pub struct Background {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<anyhow::Result<()>>>,
}

impl Background {
    /// Start a server with `settings` (its `listen` is used as given; port
    /// 0 picks a free one).
    pub fn start(settings: Settings) -> anyhow::Result<Background> {
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("paidan-server".into())
            .spawn(move || -> anyhow::Result<()> {
                let rt = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()?;
                rt.block_on(async move {
                    let listener = match tokio::net::TcpListener::bind(settings.listen).await {
                        Ok(l) => l,
                        Err(e) => {
                            let _ = addr_tx.send(Err(anyhow::anyhow!("cannot listen: {e}")));
                            return Ok(());
                        }
                    };
                    let _ = addr_tx.send(Ok(listener.local_addr()?));
                    crate::launch_with_listener(settings, listener, async {
                        let _ = stopped.await;
                    })
                    .await
                })
            })?;
        let addr = addr_rx
            .recv()
            .map_err(|_| anyhow::anyhow!("the server thread stopped before listening"))??;
        Ok(Background {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// Its base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stop it and wait until the writer has drained.
    pub fn stop(mut self) -> anyhow::Result<()> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> anyhow::Result<()> {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        match self.thread.take() {
            Some(t) => t
                .join()
                .map_err(|_| anyhow::anyhow!("the server thread panicked"))?,
            None => Ok(()),
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Err(e) = self.shutdown() {
            tracing::error!(error = %format!("{e:#}"), "the server stopped with an error");
        }
    }
}
