//! Shared state of the running service: cheap to clone.

use crate::auth::JwtKeys;
use crate::auth::limits::LoginLimits;
use crate::auth::viewer::ViewerCache;
use crate::config::Config;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// What every request may use.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    /// Where lag-tolerant reads go (indicators, tables, their exports): a replica when
    /// `DATABASE_READ_URL` is set, else `db`. Anything read right after a write uses `db`.
    pub read_db: DatabaseConnection,
    pub jwt: JwtKeys,
    pub config: Arc<Config>,
    /// Login attempts per client address and username, and the process's password-check budget.
    pub login_limits: Arc<LoginLimits>,
    /// Duplicate-person answers per user per hour.
    pub duplicate_checks: Arc<crate::service::duplicates::DuplicateChecks>,
    /// The event bus: letter events for subscribers, cache invalidations (through PostgreSQL
    /// to every instance).
    pub letter_events: crate::events::Bus,
    /// SQL statements executed through `db` since start (for `/metrics` and tests).
    pub sql_statements: Arc<std::sync::atomic::AtomicU64>,
    /// Signed-in users' roles and scopes, reused for `viewer_cache_ms`.
    pub viewers: Arc<ViewerCache>,
    /// This instance's metrics (`/metrics`).
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Connections for the hottest reads as hand-written statements (PostgreSQL only).
    pub lane: crate::db::lane::Lane,
    /// File imports write one at a time in this instance; the others wait their turn. An import
    /// holds its transaction's connection while it looks rows up on others, so imports started
    /// together could take every connection of the pool and wait on each other until the pool's
    /// timeout (seen with five uploads of one file at once: 500 after 10 s).
    pub file_imports: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    /// Whether a signed-in connection's `Authorization` value still stands: not expired, not
    /// revoked, the user active (WebSockets check it while they stay open).
    pub async fn token_stands(&self, authorization: &str) -> bool {
        matches!(
            crate::auth::viewer::resolve(&self.db, &self.jwt, &self.viewers, Some(authorization))
                .await,
            Ok(crate::auth::Viewer::User(_))
        )
    }

    /// Users or organizations changed: every instance forgets its cached viewers.
    pub fn users_changed(&self) {
        self.letter_events.users_changed();
    }

    /// Builds the state from a connected, migrated database.
    pub fn new(mut db: DatabaseConnection, jwt: JwtKeys, config: Config) -> Self {
        let sql_statements = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let counter = sql_statements.clone();
        db.set_metric_callback(move |_| {
            counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        });
        let viewers = Arc::new(ViewerCache::new(
            10_000,
            std::time::Duration::from_millis(config.viewer_cache_ms),
        ));
        let lane = crate::db::lane::Lane::new(
            &db,
            config.db_lane_connections as usize,
            sql_statements.clone(),
        );
        AppState {
            lane,
            file_imports: Arc::new(tokio::sync::Semaphore::new(1)),
            letter_events: crate::events::Bus::new(db.clone(), viewers.clone()),
            read_db: db.clone(),
            db,
            jwt,
            login_limits: Arc::new(LoginLimits::new(
                config.login_attempts_per_minute,
                config.login_attempts_per_address_per_minute,
                config.login_checks_per_second,
            )),
            duplicate_checks: Arc::new(crate::service::duplicates::DuplicateChecks::new(
                config.duplicate_checks_per_hour,
                config.duplicate_check_numbers_per_hour,
            )),
            sql_statements,
            viewers,
            metrics: Arc::new(crate::metrics::Metrics::new()),
            config: Arc::new(config),
        }
    }
}
