//! The command line: `serve` (default), `migrate`, `export-schema`, `user create`,
//! `token issue`, `demo load`. Configuration comes from the environment or global flags.

use crate::app;
use crate::auth::TokenKind;
use crate::config::Config;
use crate::db;
use crate::domain::Role;
use crate::graphql::ids::{self, NodeType};
use crate::service::{demo, user as user_service};
use crate::telemetry;
use anyhow::{Context, anyhow, bail};
use clap::{Parser, Subcommand};
use std::io::Read;
use std::path::PathBuf;

/// fazhan — GraphQL data-exchange service for the development of new Party members (发展党员).
#[derive(Parser)]
#[command(version, about)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do.
#[derive(Subcommand)]
pub enum Command {
    /// Serve the API (the default). Migrates the database and creates `admin` on first start.
    Serve {
        /// Load the demo data set first (a city, a street, a university; one user per role).
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the GraphQL SDL (or write it to a file).
    ExportSchema {
        /// Write to this file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// The demo data set.
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
    },
    /// Generate a deterministic province (organizations, plans, people at every stage with
    /// their events, letters, reports, counters) into an empty database.
    Seed {
        /// Organizations (the tree keeps the 1 : 11 : 100 : 2,000 : rest shape).
        #[arg(long, default_value_t = 19_862)]
        orgs: usize,
        /// Candidates.
        #[arg(long, default_value_t = 1_000_000)]
        candidates: usize,
        /// Random seed (same seed, same data).
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// The counters kept with every step.
    Counts {
        #[command(subcommand)]
        command: CountsCommand,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

/// Audit-log commands.
#[derive(Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain and name the first row that does not match (exit 1 if any).
    Verify,
}

/// Counter commands.
#[derive(Subcommand)]
pub enum CountsCommand {
    /// Recompute the counters from the cases and print every difference (exit 1 if any).
    Verify,
    /// Recompute the counters from the cases and store them.
    Rebuild,
}

/// User commands.
#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a user. The password comes from FAZHAN_USER_PASSWORD or standard input.
    Create {
        /// Organization: its numeric id or its global id.
        #[arg(long)]
        org: String,
        /// Role: ADMIN, ORGANIZER, APPROVER, ANALYST, PARTNER or VIEWER.
        #[arg(long)]
        role: String,
        /// Login name.
        #[arg(long)]
        username: String,
        /// Name shown in portals.
        #[arg(long)]
        display_name: Option<String>,
        /// Mark as an integration partner's service account.
        #[arg(long)]
        service_account: bool,
    },
}

/// Token commands.
#[derive(Subcommand)]
pub enum TokenCommand {
    /// Issue a long-lived token for a service account (printed on standard output).
    Issue {
        /// The service account's username.
        #[arg(long)]
        username: String,
        /// Days until the token expires.
        #[arg(long, default_value_t = 365)]
        days: u32,
    },
}

/// Demo commands.
#[derive(Subcommand)]
pub enum DemoCommand {
    /// Load the demo data set (does nothing if it is already there).
    Load,
}

/// Parses the command line and runs the command.
pub async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    telemetry::init(cli.config.log_format);
    let config = cli.config;
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Serve { demo } => serve(config, demo).await,
        Command::Audit {
            command: AuditCommand::Verify,
        } => audit_verify(config).await,
        Command::Migrate => {
            let db = app::connect(&config).await?;
            app::migrate(&db).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::ExportSchema { output } => export_schema(output),
        Command::User { command } => user(config, command).await,
        Command::Token {
            command: TokenCommand::Issue { username, days },
        } => issue_token(config, &username, days).await,
        Command::Seed {
            orgs,
            candidates,
            seed,
        } => {
            let options = crate::seed::SeedOptions {
                organizations: orgs,
                candidates,
                seed,
            };
            seed_province(config, &options).await
        }
        Command::Counts { command } => counts(config, command).await,
        Command::Demo {
            command: DemoCommand::Load,
        } => load_demo(config).await,
    }
}

/// `serve [--demo]`.
async fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    if demo && config.environment == crate::config::Environment::Production {
        bail!(
            "--demo loads users with a published password and is refused with FAZHAN_ENV=production"
        );
    }
    app::serve(app::prepare(config).await?, demo).await
}

/// `audit verify`.
async fn audit_verify(config: Config) -> anyhow::Result<()> {
    let state = app::prepare(config).await?;
    let (checked, broken) = crate::service::audit::verify(&state.db)
        .await
        .map_err(|e| anyhow!(e.message()))?;
    match broken {
        None => {
            println!("audit verify: {checked} rows, chain intact");
            Ok(())
        }
        Some(b) => bail!("audit verify: row {} does not match: {}", b.id, b.reason),
    }
}

/// `export-schema [--output FILE]`.
fn export_schema(output: Option<PathBuf>) -> anyhow::Result<()> {
    let sdl = crate::graphql::export_sdl();
    match output {
        Some(path) => {
            std::fs::write(&path, sdl).with_context(|| format!("writing {}", path.display()))
        }
        None => {
            print!("{sdl}");
            Ok(())
        }
    }
}

/// `user create`.
async fn user(config: Config, command: UserCommand) -> anyhow::Result<()> {
    let UserCommand::Create {
        org,
        role,
        username,
        display_name,
        service_account,
    } = command;
    let state = app::prepare(config).await?;
    let org_id = parse_org_ref(&org)?;
    let role: Role = role.parse().map_err(|e: String| anyhow!(e))?;
    let password = read_password()?;
    let org = db::organization::find_by_id(&state.db, org_id)
        .await?
        .ok_or_else(|| anyhow!("organization {org} not found"))?;
    let user = user_service::create_in(
        &state.db,
        None,
        org,
        user_service::CreateUser {
            organization_id: org_id,
            username,
            display_name,
            password,
            role,
            is_service_account: service_account,
        },
    )
    .await
    .map_err(|e| anyhow!(e.message()))?;
    println!(
        "created user {} ({}) id {}",
        user.username,
        user.role,
        ids::encode(NodeType::User, user.id).0
    );
    Ok(())
}

/// `token issue`.
async fn issue_token(config: Config, username: &str, days: u32) -> anyhow::Result<()> {
    let state = app::prepare(config).await?;
    let user = db::user::find_by_username(&state.db, username)
        .await?
        .ok_or_else(|| anyhow!("user {username} not found"))?;
    if !user.active {
        bail!("user {username} is deactivated");
    }
    if !user.is_service_account {
        bail!("user {username} is not a service account (create it with --service-account)");
    }
    let (token, exp) = state.jwt.issue(
        user.id,
        user.token_generation,
        TokenKind::Service,
        chrono::Duration::days(i64::from(days)),
    )?;
    crate::service::audit::record_alone(
        &state.db,
        db::audit::AuditRecord {
            actor_user_id: None,
            organization_id: Some(user.organization_id),
            action: "auth.token_issue",
            subject_type: "user",
            subject_id: Some(user.id),
            detail: serde_json::json!({ "username": username, "days": days, "expiresAt": exp }),
        },
        "OK",
    )
    .await
    .map_err(|e| anyhow!(e.message()))?;
    eprintln!("token for {username}, expires at unix time {exp}:");
    println!("{token}");
    Ok(())
}

/// `seed`.
async fn seed_province(config: Config, options: &crate::seed::SeedOptions) -> anyhow::Result<()> {
    let state = app::prepare(config).await?;
    let started = std::time::Instant::now();
    let r = crate::seed::run(&state.db, options).await?;
    println!(
        "seeded {} organizations, {} candidates, {} events, {} plans, {} letters, {} reports, {} counters in {:.1} s",
        r.organizations,
        r.candidates,
        r.events,
        r.plans,
        r.letters,
        r.reports,
        r.counters,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `counts verify` and `counts rebuild`.
async fn counts(config: Config, command: CountsCommand) -> anyhow::Result<()> {
    let state = app::prepare(config).await?;
    match command {
        CountsCommand::Verify => {
            let diffs = crate::service::counts::verify(&state.db)
                .await
                .map_err(|e| anyhow!(e.message()))?;
            for d in &diffs {
                println!(
                    "organization {} year {} {}={}: stored {} expected {}",
                    d.organization_id,
                    d.key.year,
                    d.key.dimension,
                    d.key.value,
                    d.stored,
                    d.expected
                );
            }
            if diffs.is_empty() {
                println!("counts verify: clean");
                Ok(())
            } else {
                bail!("counts verify: {} differences", diffs.len())
            }
        }
        CountsCommand::Rebuild => {
            let n = crate::service::counts::rebuild(&state.db)
                .await
                .map_err(|e| anyhow!(e.message()))?;
            println!("counts rebuilt: {n} counters");
            Ok(())
        }
    }
}

/// `demo load`.
async fn load_demo(config: Config) -> anyhow::Result<()> {
    let state = app::prepare(config).await?;
    if demo::load(&state.db)
        .await
        .map_err(|e| anyhow!(e.message()))?
    {
        println!(
            "demo data loaded; every demo user's password is {}",
            demo::DEMO_PASSWORD
        );
    } else {
        println!("demo data already present");
    }
    Ok(())
}

fn parse_org_ref(org: &str) -> anyhow::Result<i64> {
    if let Ok(n) = org.parse() {
        return Ok(n);
    }
    ids::decode(
        NodeType::Organization,
        &async_graphql::ID(org.to_string()),
        "org",
    )
    .map_err(|e| anyhow!(e.message()))
}

fn read_password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("FAZHAN_USER_PASSWORD") {
        return Ok(p);
    }
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .context("reading the password from standard input")?;
    let p = s.trim_end_matches(['\r', '\n']).to_string();
    if p.is_empty() {
        bail!("no password: set FAZHAN_USER_PASSWORD or pipe it on standard input");
    }
    Ok(p)
}
