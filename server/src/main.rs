//! `paidan-server`: with no arguments, serves on 127.0.0.1:8080 with the
//! built-in Fukang demo configuration and keeps everything in
//! `./paidan-data/`. The local admin commands work on a data folder.

use clap::{Parser, Subcommand};
use paidan_server::config::Config;
use paidan_server::figures::period::Format;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

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
    /// The street's configuration (TOML); the built-in Fukang demo without it.
    #[arg(long, env = "PAIDAN_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Department figures of a period (部门考核), from a data folder.
    Figures {
        /// The data folder.
        #[arg(long)]
        data: PathBuf,
        /// First day (YYYY-MM-DD); from the beginning without it.
        #[arg(long)]
        from: Option<String>,
        /// Last day, included; until now without it.
        #[arg(long)]
        to: Option<String>,
        /// csv, json or xlsx.
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Fill a data folder with realistic demo cases, filed by simulated
    /// phones through the real sync path and played forward.
    Demo {
        /// The data folder.
        #[arg(long)]
        data: PathBuf,
        /// How many reports.
        #[arg(long, default_value_t = 600)]
        cases: u32,
        /// Over how many days, ending today.
        #[arg(long, default_value_t = 180)]
        days: u32,
        /// Random seed (the same seed gives the same story).
        #[arg(long, default_value_t = 2017)]
        seed: u64,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Arc::new(match &cli.config {
        Some(path) => Config::load(path)?,
        None => Config::demo(),
    });
    match cli.command {
        None => serve(cli.listen, cli.data, cli.cache_mb, config),
        Some(Command::Figures {
            data,
            from,
            to,
            format,
            out,
        }) => {
            let bytes = paidan_server::admin::figures(
                &data,
                &config,
                from.as_deref(),
                to.as_deref(),
                format,
            )?;
            match out {
                Some(path) => std::fs::write(&path, bytes)?,
                None => {
                    use std::io::Write;
                    std::io::stdout().write_all(&bytes)?;
                }
            }
            Ok(())
        }
        Some(Command::Demo {
            data,
            cases,
            days,
            seed,
        }) => {
            let summary = paidan_server::demo::run(&data, config, cases, days, seed)?;
            println!("{summary}");
            Ok(())
        }
    }
}

fn serve(
    listen: SocketAddr,
    data: PathBuf,
    cache_mb: usize,
    config: Arc<Config>,
) -> anyhow::Result<()> {
    let settings = paidan_server::Settings {
        listen,
        data,
        cache_bytes: cache_mb * 1024 * 1024,
        config,
        ..Default::default()
    };
    let rt = tokio::runtime::Runtime::new()
        .map_err(|e| anyhow::anyhow!("cannot start the runtime: {e}"))?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(settings.listen)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.listen))?;
        paidan_server::launch_with_listener(settings, listener, paidan_server::shutdown_signal())
            .await
    })
}
