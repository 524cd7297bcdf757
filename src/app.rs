//! Start-up: connect, migrate, bootstrap, build the state and the router, serve until a signal.

use crate::auth::JwtKeys;
use crate::config::Config;
use crate::error::AppError;
use crate::http;
use crate::service::bootstrap;
use crate::state::AppState;
use anyhow::Context as _;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use std::time::Duration;

/// Connects to the configured database (creating the SQLite data directory if needed).
pub async fn connect(config: &Config) -> anyhow::Result<DatabaseConnection> {
    let url = config.database_url();
    if config.database_url.is_none() {
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!("creating the data directory {}", config.data_dir.display())
        })?;
    }
    connect_url(&url, config.db_max_connections, None).await
}

/// How long a pooled PostgreSQL connection may sit idle before it is tested on its way out.
const TEST_IDLE_CONNECTIONS_AFTER: Duration = Duration::from_secs(1);

/// Connects to a URL; `schema` sets the PostgreSQL search path (tests use one schema each).
pub async fn connect_url(
    url: &str,
    max_connections: u32,
    schema: Option<&str>,
) -> anyhow::Result<DatabaseConnection> {
    let mut opts = ConnectOptions::new(url.to_string());
    opts.max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .test_before_acquire(false)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    if let Some(schema) = schema {
        opts.set_schema_search_path(schema.to_string());
    }
    let postgres = url.starts_with("postgres://") || url.starts_with("postgresql://");
    let pg = match postgres {
        true => url
            .parse::<sea_orm::sqlx::postgres::PgConnectOptions>()
            .ok(),
        false => None,
    };
    if let Some(pg) = pg {
        // Every new connection: TCP_NODELAY (`db::nodelay`), then the schema's search path.
        // sqlx keeps one after-connect callback, so this one replaces SeaORM's (which
        // `set_schema_search_path` above would install) and sets the path itself, with the
        // statement SeaORM builds.
        let port = pg.get_port();
        let search_path = schema.map(search_path_statement);
        opts.map_sqlx_postgres_pool_opts(move |pool| {
            let search_path = search_path.clone();
            pool.after_connect(move |conn, _| {
                let search_path = search_path.clone();
                Box::pin(async move {
                    crate::db::nodelay::on_connections_to(port);
                    if let Some(sql) = search_path {
                        sea_orm::sqlx::Executor::execute(conn, sea_orm::sqlx::AssertSqlSafe(sql))
                            .await?;
                    }
                    Ok(())
                })
            })
            // A connection that sat idle may have been cut meanwhile (the server restarted, a
            // proxy or firewall dropped it): it is tested with a round trip first and, when
            // dead, closed and replaced, instead of failing the request it was handed to.
            // Connections in steady use skip the test (`test_before_acquire` is off above).
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for < TEST_IDLE_CONNECTIONS_AFTER {
                        return Ok(true);
                    }
                    Ok(sea_orm::sqlx::Connection::ping(conn).await.is_ok())
                })
            })
        });
    }
    Database::connect(opts)
        .await
        .with_context(|| "connecting to the database".to_string())
}

/// `SET search_path` for `schema` as SeaORM writes it: a list of names, each quoted unless it
/// already is.
fn search_path_statement(schema: &str) -> String {
    if schema.starts_with('"') {
        return format!("SET search_path = {schema}");
    }
    let names: Vec<String> = schema
        .split(',')
        .map(|s| match s.starts_with('"') {
            true => s.to_string(),
            false => format!("\"{s}\""),
        })
        .collect();
    format!("SET search_path = {}", names.join(","))
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None).await.context("running migrations")
}

fn app_err(e: AppError) -> anyhow::Error {
    match e {
        AppError::Internal(cause) => cause,
        other => anyhow::anyhow!(other.message()),
    }
}

/// Connects, migrates, bootstraps an empty database and builds the state.
pub async fn prepare(config: Config) -> anyhow::Result<AppState> {
    let db = connect(&config).await?;
    migrate(&db).await?;
    let read_url = config.database_read_url.clone();
    let max = config.db_max_connections;
    let mut state = state_for(db, config).await?;
    if let Some(url) = read_url {
        state.read_db = connect_url(&url, max, None)
            .await
            .context("connecting to DATABASE_READ_URL")?;
        tracing::info!("lag-tolerant reads go to the read replica");
    }
    Ok(state)
}

/// Bootstraps an empty, migrated database and builds the state (tests call this too).
pub async fn state_for(db: DatabaseConnection, config: Config) -> anyhow::Result<AppState> {
    let boot = bootstrap::ensure_initialized(&db, &config)
        .await
        .map_err(app_err)?;
    if boot.created {
        tracing::info!("first start: created the root organization and the `admin` user");
    }
    if let Some(password) = boot.generated_admin_password {
        eprintln!(
            "\n  First start: user `admin`, password `{password}` (shown once; set FAZHAN_ADMIN_PASSWORD to choose it)\n"
        );
    }
    if let Some(n) = crate::service::counts::ensure_current(&db)
        .await
        .map_err(app_err)?
    {
        tracing::info!(
            counters = n,
            "counters recounted for this version (monthly figures)"
        );
    }
    let secret = bootstrap::jwt_secret(&db, &config).await.map_err(app_err)?;
    let state = AppState::new(db, JwtKeys::from_secret(secret.as_bytes()), config);
    // On PostgreSQL, hear every instance's events before serving anything.
    state.letter_events.spawn_listener().await;
    state.letter_events.ready().await;
    Ok(state)
}

/// Serves the API until Ctrl-C or SIGTERM.
pub async fn serve(state: AppState, demo: bool) -> anyhow::Result<()> {
    if demo
        && crate::service::demo::load(&state.db)
            .await
            .map_err(app_err)?
    {
        tracing::info!(
            password = crate::service::demo::DEMO_PASSWORD,
            "loaded the demo data set"
        );
    }
    spawn_overdue_sweeper(state.clone());
    spawn_limiter_cleanup(state.clone());
    let addr = state.config.bind_addr;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    tracing::info!("listening on http://{}/graphql", listener.local_addr()?);
    axum::serve(
        listener,
        http::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("serving")
}

/// Announces letters that became overdue, every ten minutes, with today's date (UTC+8).
fn spawn_overdue_sweeper(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            let today = crate::clock::today();
            match crate::service::letter::sweep_overdue(&state.db, &state.letter_events, today)
                .await
            {
                Ok(n) => {
                    state
                        .metrics
                        .sweeper_last_run
                        .set(chrono::Utc::now().timestamp());
                    if n > 0 {
                        tracing::info!(letters = n, "announced overdue letters");
                    }
                }
                Err(e) => tracing::warn!(error = %e.message(), "overdue sweep failed"),
            }
        }
    });
}

/// Drops login-limiter keys whose limits have recovered, every minute (the limiters also
/// bound their own size; this keeps the memory of a quiet service small).
fn spawn_limiter_cleanup(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            state.login_limits.forget_idle();
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

#[cfg(test)]
mod tests {
    use super::search_path_statement;

    #[test]
    fn the_search_path_is_written_as_seaorm_writes_it() {
        assert_eq!(search_path_statement("t_1"), r#"SET search_path = "t_1""#);
        assert_eq!(
            search_path_statement(r#"a,"B""#),
            r#"SET search_path = "a","B""#
        );
        assert_eq!(
            search_path_statement(r#""Odd""#),
            r#"SET search_path = "Odd""#
        );
    }
}
