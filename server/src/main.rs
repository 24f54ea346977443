//! `paidan-server`: with no arguments, serves on 127.0.0.1:8080 with the
//! built-in Fukang demo configuration and keeps everything in
//! `./paidan-data/`. The local admin commands work on a data folder.

use clap::{Parser, Subcommand};

/// mimalloc instead of the system allocator: merging Automerge documents
/// allocates and frees small buffers by the million, and glibc's malloc
/// spent a fifth of the dispatch benchmark's time (10,000 new reports in
/// one sync: 2.48 s with it, 1.94 s with mimalloc; see BENCHMARKS.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use paidan_core::Role;
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
    /// Accounts (账号管理).
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Logged-in devices (设备管理).
    Device {
        #[command(subcommand)]
        command: DeviceCommand,
    },
    /// The audit log, newest first (审计日志).
    Audit {
        /// The data folder.
        #[arg(long)]
        data: PathBuf,
        /// Only this action (login, login_failed, refused_change, ...).
        #[arg(long)]
        action: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Make an account; the password is read from standard input.
    Add {
        /// The data folder.
        #[arg(long)]
        data: PathBuf,
        /// What the person types to log in.
        #[arg(long)]
        login: String,
        /// resident, grid_worker, patrol_officer, dispatcher, dept_liaison,
        /// dept_staff, evaluator or admin.
        #[arg(long)]
        role: Role,
        /// The department (department roles).
        #[arg(long)]
        dept: Option<String>,
        /// A grid (grid workers, officers with a beat); may repeat.
        #[arg(long = "grid")]
        grids: Vec<String>,
        /// A chosen user id (staff code); a new opaque one without it.
        #[arg(long)]
        id: Option<String>,
        /// The name to show (张伟).
        #[arg(long, default_value = "")]
        name: String,
        /// Read the password from standard input (one line) without a prompt.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Every account.
    List {
        /// The data folder.
        #[arg(long)]
        data: PathBuf,
    },
    /// Change an account's role (and department).
    Role {
        /// The data folder.
        #[arg(long)]
        data: PathBuf,
        /// The user id.
        user: String,
        /// The new role.
        #[arg(long)]
        role: Role,
        /// The department (department roles).
        #[arg(long)]
        dept: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
enum DeviceCommand {
    /// Devices, newest first.
    List {
        /// The data folder.
        #[arg(long)]
        data: PathBuf,
        /// Only this user's.
        #[arg(long)]
        user: Option<String>,
    },
    /// Log a device out: its token stops working at once.
    Revoke {
        /// The data folder.
        #[arg(long)]
        data: PathBuf,
        /// The device id.
        device: String,
    },
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    use std::io::IsTerminal;
    let password = if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        rpassword::prompt_password("密码 / password: ")?
    };
    Ok(password)
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
        Some(Command::User { command }) => user(command, &config),
        Some(Command::Device { command }) => match command {
            DeviceCommand::List { data, user } => {
                for d in paidan_server::admin::list_devices(&data, user.as_deref())? {
                    let state = if d.revoked_at.is_some() {
                        "revoked"
                    } else {
                        "live"
                    };
                    println!(
                        "{}\t{}\t{}\t{state}\t{:?}",
                        d.device_id, d.user_id, d.created_at, d.name
                    );
                }
                Ok(())
            }
            DeviceCommand::Revoke { data, device } => {
                paidan_server::admin::revoke_device(&data, &device)?;
                println!("revoked {device}");
                Ok(())
            }
        },
        Some(Command::Audit {
            data,
            action,
            limit,
        }) => {
            for e in paidan_server::admin::audit(&data, action.as_deref(), limit)? {
                println!("{}\t{}\t{}\t{}", e.at, e.action, e.actor, e.detail);
            }
            Ok(())
        }
    }
}

fn user(command: UserCommand, config: &Config) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            data,
            login,
            role,
            dept,
            grids,
            id,
            name,
            password_stdin,
        } => {
            let password = read_password(password_stdin)?;
            let account = paidan_server::admin::add_user(
                &data,
                config,
                paidan_server::auth::accounts::NewAccount {
                    user_id: id,
                    login,
                    password,
                    role,
                    dept,
                    grids,
                    display_name: name,
                },
            )?;
            println!("{}\t{}\t{}", account.user_id, account.login, account.role);
            Ok(())
        }
        UserCommand::List { data } => {
            for a in paidan_server::admin::list_users(&data)? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    a.user_id,
                    a.login,
                    a.role,
                    a.dept.unwrap_or_default(),
                    a.grids.join(",")
                );
            }
            Ok(())
        }
        UserCommand::Role {
            data,
            user,
            role,
            dept,
        } => {
            paidan_server::admin::set_role(&data, config, &user, role, dept.as_deref())?;
            println!("{user} is now {role}");
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
