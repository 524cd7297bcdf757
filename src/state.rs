//! Shared state of the running service: cheap to clone.

use crate::auth::JwtKeys;
use crate::auth::viewer::ViewerCache;
use crate::config::Config;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sea_orm::DatabaseConnection;
use std::num::NonZeroU32;
use std::sync::Arc;

/// What every request may use.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub jwt: JwtKeys,
    pub config: Arc<Config>,
    /// Login attempts per username.
    pub login_limiter: Arc<DefaultKeyedRateLimiter<String>>,
    /// Letter events for subscribers.
    pub letter_events: crate::service::letter::LetterEvents,
    /// SQL statements executed through `db` since start (for `/metrics` and tests).
    pub sql_statements: Arc<std::sync::atomic::AtomicU64>,
    /// Signed-in users' roles and scopes, reused for `viewer_cache_ms`.
    pub viewers: Arc<ViewerCache>,
}

impl AppState {
    /// Builds the state from a connected, migrated database.
    pub fn new(mut db: DatabaseConnection, jwt: JwtKeys, config: Config) -> Self {
        let sql_statements = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let counter = sql_statements.clone();
        db.set_metric_callback(move |_| {
            counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        });
        let per_minute =
            NonZeroU32::new(config.login_attempts_per_minute.max(1)).expect("non-zero");
        AppState {
            db,
            jwt,
            login_limiter: Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute))),
            letter_events: tokio::sync::broadcast::channel(1024).0,
            sql_statements,
            viewers: Arc::new(ViewerCache::new(
                10_000,
                std::time::Duration::from_millis(config.viewer_cache_ms),
            )),
            config: Arc::new(config),
        }
    }
}
