//! `paidan-server`: with no arguments, serves on 127.0.0.1:8080 and keeps
//! everything in `./paidan-data/`.

use clap::Parser;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "paidan-server", version, about = "派单 Paidan server")]
struct Cli {
    /// Address to listen on.
    #[arg(long, env = "PAIDAN_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The data folder (SQLite database and photos).
    #[arg(long, env = "PAIDAN_DATA", default_value = "paidan-data")]
    data: PathBuf,
    /// Memory for cached case documents, in MiB.
    #[arg(long, env = "PAIDAN_CACHE_MB", default_value_t = 256)]
    cache_mb: usize,
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let settings = paidan_server::Settings {
        listen: cli.listen,
        data: cli.data,
        cache_bytes: cli.cache_mb * 1024 * 1024,
    };
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(settings.listen)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.listen))?;
        paidan_server::launch_with_listener(settings, listener, paidan_server::shutdown_signal())
            .await
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
