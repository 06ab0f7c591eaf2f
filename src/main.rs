//! The `consultdesk` command: serve, migrate, staff add, openapi.

use anyhow::Context;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use consultdesk::config::{self, Settings, SettingsArgs};
use consultdesk::error::ApiError;
use consultdesk::staff::accounts::{self, NewStaff};
use consultdesk::startup::{self, Database};
use consultdesk::{db, http, seed, telemetry};
use std::io::Read;

#[derive(Parser)]
#[command(
    name = "consultdesk",
    version,
    about = "Clinic booking and callback backend"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    settings: SettingsArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Run the API (applies pending migrations first).
    Serve {
        /// Do not run the email worker in this process.
        #[arg(long)]
        no_worker: bool,
    },
    /// Run the email worker alone (several may run against one database; none sends an email twice).
    Worker,
    /// Apply pending migrations and exit.
    Migrate,
    /// Manage staff accounts.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Print the OpenAPI document (YAML) that `openapi.yaml` must equal.
    Openapi,
    /// Create demo clinics and practitioners (applies pending migrations first); running it again creates nothing twice.
    SeedDemo {
        /// Also make sure this many generated practitioners exist, spread over one generated
        /// "Load Test Clinic" per postal area (FSA), for load tests. Only missing ones are added.
        #[arg(long, value_name = "N")]
        practitioners: Option<usize>,
    },
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Create a staff member; the password is read from standard input. The way to make the first admin.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, front_desk or practitioner
        #[arg(long)]
        role: String,
        /// A clinic the member works at (repeat for several).
        #[arg(long = "clinic")]
        clinics: Vec<String>,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // `.env` first, so its variables stand in for the environment's when the command line is read.
    config::load_dotenv()?;
    let matches = config::blank_env_is_unset(Cli::command()).get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit());
    if let Command::Openapi = cli.command {
        print!("{}", http::openapi::yaml());
        return Ok(());
    }
    let settings = Settings::try_from(cli.settings)?;
    telemetry::init(settings.log_json);
    match cli.command {
        Command::Serve { no_worker } => startup::serve(settings, !no_worker).await,
        Command::Worker => startup::work(settings).await,
        Command::Migrate => {
            with_database(&settings, |pool| async move { db::migrate(&pool).await }).await
        }
        Command::Staff {
            command:
                StaffCommand::Add {
                    email,
                    name,
                    role,
                    clinics,
                },
        } => {
            let password = read_password()?;
            let body = serde_json::json!({
                "email": email, "name": name, "role": role, "clinic_ids": clinics, "password": password,
            });
            let new = NewStaff::parse(body.as_object().context("building the staff record")?)
                .map_err(explain)?;
            with_database(&settings, |pool| async move {
                db::migrate(&pool).await?;
                let staff = accounts::create_with_password(&pool, &new)
                    .await
                    .map_err(explain)?;
                println!(
                    "created {} {} ({}) with id {}",
                    staff.role, staff.name, staff.email, staff.id
                );
                Ok(())
            })
            .await
        }
        Command::SeedDemo { practitioners } => {
            with_database(&settings, |pool| async move {
                db::migrate(&pool).await?;
                print!("{}", seed::seed_demo(&pool).await?);
                if let Some(wanted) = practitioners {
                    let started = std::time::Instant::now();
                    let created = seed::seed_load(&pool, wanted).await?;
                    println!(
                        "load-test data: {wanted} generated practitioners wanted, {created} created now ({} were already there) in {:.1} s",
                        wanted.saturating_sub(created),
                        started.elapsed().as_secs_f64()
                    );
                }
                Ok(())
            })
            .await
        }
        Command::Openapi => Ok(()),
    }
}

/// Runs `work` against the configured (or embedded) database, then closes it.
async fn with_database<F, Fut>(settings: &Settings, work: F) -> anyhow::Result<()>
where
    F: FnOnce(sqlx::PgPool) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let database = Database::open(settings).await?;
    let result = work(database.pool.clone()).await;
    let closed = database.close().await;
    result.and(closed)
}

fn read_password() -> anyhow::Result<String> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .context("reading the password from standard input")?;
    // Only the line ending a shell or `echo` adds is removed; other whitespace is part of the password.
    let password = input
        .strip_suffix('\n')
        .map(|p| p.strip_suffix('\r').unwrap_or(p))
        .unwrap_or(&input);
    Ok(password.to_owned())
}

/// Turns API validation errors into a readable CLI message.
fn explain(error: ApiError) -> anyhow::Error {
    match error {
        ApiError::Validation(errors) => anyhow::anyhow!(
            "{}",
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => anyhow::anyhow!("{other}"),
    }
}
