//! `paidan-field`: the field client on the command line, for patrol
//! officers' laptops, for scripting and for tests. It works on a store
//! folder, entirely offline until `sync`.
//!
//! Errors are one line on stderr and a non-zero exit: 2 for bad usage or
//! bad input (nothing is written then), 1 for anything else.

mod event_args;
mod output;
mod sync;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use paidan_core::store::Query;
use paidan_core::{
    CaseId, Catalog, Channel, Created, Location, NewCase, PhotoStage, PrivateContact, Role, Status,
    Store, UserId,
};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "paidan-field",
    version,
    about = "派单 Paidan field client (offline first)"
)]
struct Cli {
    /// The store folder (the device's data).
    #[arg(
        long,
        env = "PAIDAN_STORE",
        default_value = "paidan-field-data",
        global = true
    )]
    store: PathBuf,
    /// The server to sync with (remembered in the store once given).
    #[arg(long, env = "PAIDAN_SERVER", global = true)]
    server: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// The category catalogue, one a line, code first.
    Categories,
    /// File a new report; prints the new case id.
    Report {
        /// Category code (see `categories`).
        #[arg(long)]
        category: String,
        /// What the problem is.
        #[arg(long)]
        text: String,
        /// Latitude in degrees.
        #[arg(long, allow_negative_numbers = true)]
        lat: f64,
        /// Longitude in degrees.
        #[arg(long, allow_negative_numbers = true)]
        lon: f64,
        /// The place as people say it ("小区后门").
        #[arg(long)]
        address: Option<String>,
        /// A photo file (JPEG or PNG); may be given several times.
        #[arg(long)]
        photo: Vec<PathBuf>,
        /// Reporter's name (private: never on the public board).
        #[arg(long)]
        name: Option<String>,
        /// Reporter's phone for the callback (private).
        #[arg(long)]
        phone: Option<String>,
        /// The channel, when staff type in a report from elsewhere.
        #[arg(long)]
        channel: Option<String>,
    },
    /// List cases, newest first.
    List {
        /// Only this status (reported, dispatched, in_progress, closed, ...).
        #[arg(long)]
        status: Option<String>,
        /// Only this category.
        #[arg(long)]
        category: Option<String>,
        /// Only cases I reported or follow.
        #[arg(long)]
        mine: bool,
        /// Only open cases near LAT,LON within RADIUS metres.
        #[arg(long, value_name = "LAT,LON,RADIUS")]
        near: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// JSON lines instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show one case: what was reported, its state and its timeline.
    Show {
        /// The case id.
        id: String,
        /// JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Add an event to a case (accept, return, progress, complete, ...).
    Event(event_args::EventArgs),
    /// Log in (登录): the device's token is kept in the store and every
    /// other command uses it; the device writes as the account from now on.
    Login {
        /// The login name (a resident's phone number).
        #[arg(long)]
        user: String,
        /// Read the password from standard input (one line) without a prompt.
        #[arg(long)]
        password_stdin: bool,
        /// A name for this device, shown to admins.
        #[arg(long, default_value = "paidan-field")]
        device_name: String,
    },
    /// Send local changes and photos to the server and receive what is new.
    Sync,
    /// Changes the server refused, with its reasons.
    Refused,
    /// Who this device writes as (until login, a local resident).
    Whoami,
    /// Set who this device writes as, for offline use before a login.
    Identity {
        /// User id.
        #[arg(long)]
        user: String,
        /// Role.
        #[arg(long)]
        role: String,
        /// Department, for department roles.
        #[arg(long)]
        dept: Option<String>,
    },
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    use std::io::IsTerminal;
    if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    Ok(rpassword::prompt_password("密码 / password: ")?)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let bad_input = e.chain().any(|c| {
                matches!(
                    c.downcast_ref::<paidan_core::Error>(),
                    Some(
                        paidan_core::Error::Invalid { .. }
                            | paidan_core::Error::NoSuchCase(_)
                            | paidan_core::Error::Photo(_)
                    )
                )
            });
            eprintln!("错误 error: {}", one_line(&e));
            if bad_input {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

fn one_line(e: &anyhow::Error) -> String {
    let parts: Vec<String> = e.chain().map(|c| c.to_string()).collect();
    parts.join(": ").replace('\n', " ")
}

fn catalog() -> Catalog {
    Catalog::fukang_demo()
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let open =
        || Store::open(&cli.store).with_context(|| "cannot open the store folder".to_string());
    match cli.command {
        Command::Categories => {
            for c in catalog().categories {
                println!("{}\t{}\t{}", c.code, c.name_zh, c.name_en);
            }
            Ok(())
        }
        Command::Report {
            category,
            text,
            lat,
            lon,
            address,
            photo,
            name,
            phone,
            channel,
        } => {
            // Check everything before anything is written.
            let cat = catalog();
            let category = cat.category(&category)?.code.clone();
            let mut location = Location::new(lat, lon)?;
            location.address = address;
            if text.trim().is_empty() {
                return Err(paidan_core::Error::invalid("text", "say what the problem is").into());
            }
            for p in &photo {
                if !p.is_file() {
                    return Err(
                        paidan_core::Error::invalid("photo", "cannot read the photo file").into(),
                    );
                }
            }
            let mut store = open()?;
            let me = store.identity().clone();
            let channel = match channel {
                Some(c) => c.parse::<Channel>()?,
                None => Channel::for_role(me.role),
            };
            let mut photos = Vec::new();
            for p in &photo {
                let r = paidan_core::photo::prepare_into(
                    p,
                    &store.dir().join("photos"),
                    PhotoStage::Report,
                )
                .context("photo")?;
                photos.push(r);
            }
            let new = NewCase {
                id: CaseId::new(),
                category,
                title: text.chars().take(30).collect(),
                description: text,
                location,
                created: Created {
                    at: chrono::Utc::now().timestamp_millis(),
                    by: me.user.clone(),
                    role: me.role,
                    channel,
                },
            };
            let contact =
                (name.is_some() || phone.is_some()).then_some(PrivateContact { name, phone });
            let id = store.create_case(&new, contact.as_ref(), &photos)?;
            println!("{id}");
            Ok(())
        }
        Command::List {
            status,
            category,
            mine,
            near,
            limit,
            json,
        } => {
            let status = status
                .map(|s| {
                    Status::parse(&s).ok_or_else(|| {
                        paidan_core::Error::invalid("status", format!("{s:?} is not a status"))
                    })
                })
                .transpose()?;
            let near = near.map(|n| parse_near(&n)).transpose()?;
            let store = open()?;
            let rows = store.list(&Query {
                status,
                category,
                mine,
                near,
                text: None,
                limit: Some(limit),
            })?;
            output::list(&rows, json)
        }
        Command::Show { id, json } => {
            let id: CaseId = id.parse()?;
            let store = open()?;
            let doc = store.load(&id)?;
            let case = doc.read()?;
            let contact = store.contact(&id)?;
            output::show(&case, contact.as_ref(), store.identity(), &catalog(), json)
        }
        Command::Event(args) => {
            let mut store = open()?;
            let view = event_args::apply(&mut store, args)?;
            println!("{}", paidan_core::labels::status(view.status));
            Ok(())
        }
        Command::Login {
            user,
            password_stdin,
            device_name,
        } => {
            let mut store = open()?;
            let server = match cli.server.as_deref() {
                Some(s) => s.to_owned(),
                None => store
                    .meta("server")?
                    .ok_or_else(|| paidan_core::Error::invalid("server", "give --server URL"))?,
            };
            let password = read_password(password_stdin)?;
            let account =
                paidan_core::sync::http::login(&mut store, &server, &user, &password, &device_name)
                    .map_err(|e| match e {
                        paidan_core::Error::Unauthorized => {
                            anyhow::anyhow!(
                                "登录失败：用户名或密码错误 / login failed: wrong name or password"
                            )
                        }
                        other => other.into(),
                    })?;
            println!(
                "已登录 logged in: {}\t{}\t{}",
                account.user_id,
                account.role,
                account.dept.as_deref().unwrap_or("-")
            );
            Ok(())
        }
        Command::Sync => sync::run(&mut open()?, cli.server.as_deref()),
        Command::Refused => {
            let store = open()?;
            for (case, reason, at) in paidan_core::sync::refused(&store)? {
                println!("{}\t{}\t{}", output::time(at), case, reason);
            }
            Ok(())
        }
        Command::Whoami => {
            let store = open()?;
            let me = store.identity();
            println!(
                "{}\t{}\t{}",
                me.user,
                me.role,
                me.dept.as_ref().map(|d| d.as_str()).unwrap_or("-")
            );
            Ok(())
        }
        Command::Identity { user, role, dept } => {
            let role: Role = role.parse()?;
            if user.trim().is_empty() {
                bail!(paidan_core::Error::invalid("user", "must not be empty"));
            }
            if let Some(d) = &dept {
                if catalog().department(d).is_none() {
                    bail!(paidan_core::Error::invalid(
                        "dept",
                        format!("{d:?} is not a department")
                    ));
                }
            }
            let mut store = open()?;
            store.set_identity(UserId(user), role, dept.map(paidan_core::DeptCode))?;
            Ok(())
        }
    }
}

fn parse_near(s: &str) -> anyhow::Result<(f64, f64, f64)> {
    let bad = || paidan_core::Error::invalid("near", "give LAT,LON,RADIUS, e.g. 44.16,87.98,500");
    let parts: Vec<f64> = s
        .split(',')
        .map(|p| p.trim().parse::<f64>().map_err(|_| bad()))
        .collect::<Result<_, _>>()?;
    let [lat, lon, r] = parts[..] else {
        return Err(bad().into());
    };
    Location::new(lat, lon)?;
    if !(r.is_finite() && r > 0.0) {
        return Err(bad().into());
    }
    Ok((lat, lon, r))
}
