//! A lane of PostgreSQL connections for the hottest reads, run as hand-written prepared
//! statements (no statement building, rows read by position).
//!
//! sqlx's pool tests every connection handed back to it with a round trip to the server (a
//! `Sync` and its `ReadyForQuery`), whatever the connection did: on a one-statement request such
//! as `node(id:)` that is a second round trip for every request, and with the statement built
//! by SeaORM and its joined row read column by column by name it was a third of the service's
//! own time on that request (measured with `perf`, docs/BENCHMARK.md). A lane connection goes
//! back to the lane without the test, and only when its statement ran to the end; a statement
//! that fails or is abandoned (the client went away) closes its connection, so a connection in
//! an unknown state is never reused. The lane opens connections from the pool (with the pool's
//! options: search path, TLS) and holds at most its size, on top of the pool's
//! (`DB_LANE_CONNECTIONS`, at least one); on SQLite there is no lane and the callers use
//! SeaORM. A connection that went stale while idle (the server restarted) fails its statement
//! with an I/O error, and the statement is tried once more on a new connection; waiting for a
//! connection and running the statement are each bounded by [`WAIT`].

use sea_orm::{DatabaseConnection, DbBackend, DbErr, RuntimeErr};
use sqlx::PgConnection;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The hot-read lane of a database (empty on SQLite).
#[derive(Clone, Default)]
pub struct Lane(Option<Arc<PgLane>>);

struct PgLane {
    pool: sqlx::PgPool,
    idle: Mutex<Vec<PgConnection>>,
    permits: tokio::sync::Semaphore,
    /// The service's count of SQL statements (`/metrics`), which the lane's statements add to.
    statements: Arc<AtomicU64>,
}

impl Lane {
    /// A lane of at most `size` connections to `db` when it is PostgreSQL; statements run
    /// through it are counted in `statements`.
    pub fn new(db: &DatabaseConnection, size: usize, statements: Arc<AtomicU64>) -> Lane {
        if db.get_database_backend() != DbBackend::Postgres {
            return Lane(None);
        }
        Lane(Some(Arc::new(PgLane {
            pool: db.get_postgres_connection_pool().clone(),
            idle: Mutex::new(Vec::with_capacity(size)),
            permits: tokio::sync::Semaphore::new(size.max(1)),
            statements,
        })))
    }

    /// A connection of the lane, waiting while all are busy (at most [`WAIT`]); `None` where
    /// there is no lane. `fresh` asks for a newly opened connection rather than an idle one.
    pub async fn connection(&self, fresh: bool) -> Result<Option<LaneConnection<'_>>, DbErr> {
        let Some(lane) = &self.0 else {
            return Ok(None);
        };
        let taken = tokio::time::timeout(WAIT, async {
            let permit = lane
                .permits
                .acquire()
                .await
                .map_err(|e| DbErr::Custom(e.to_string()))?;
            let idle = match fresh {
                true => None,
                false => lane.idle.lock().unwrap_or_else(|e| e.into_inner()).pop(),
            };
            let reused = idle.is_some();
            let conn = match idle {
                Some(c) => c,
                None => lane.pool.acquire().await.map_err(sqlx_err)?.detach(),
            };
            Ok::<_, DbErr>((permit, conn, reused))
        })
        .await
        .map_err(|_| DbErr::Custom("no lane connection within the wait".into()))?;
        let (permit, conn, reused) = taken?;
        lane.statements.fetch_add(1, Ordering::Relaxed);
        Ok(Some(LaneConnection {
            lane,
            conn: Some(conn),
            reused,
            _permit: permit,
        }))
    }

    /// The server process ids of the idle connections (tests and diagnostics: a test ends one
    /// to see the next statement recover).
    pub async fn idle_backend_pids(&self) -> Result<Vec<i32>, DbErr> {
        let Some(lane) = &self.0 else {
            return Ok(vec![]);
        };
        let mut idle = std::mem::take(&mut *lane.idle.lock().unwrap_or_else(|e| e.into_inner()));
        let mut pids = Vec::with_capacity(idle.len());
        for conn in &mut idle {
            let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
                .fetch_one(&mut *conn)
                .await
                .map_err(sqlx_err)?;
            pids.push(pid);
        }
        lane.idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(idle);
        Ok(pids)
    }

    /// Connections kept idle now (tests).
    pub fn idle(&self) -> usize {
        self.0.as_ref().map_or(0, |l| {
            l.idle.lock().unwrap_or_else(|e| e.into_inner()).len()
        })
    }
}

/// A connection taken from the lane: [`LaneConnection::release`] hands it back after a
/// statement that ran to the end; dropped without that, it is closed.
pub struct LaneConnection<'a> {
    lane: &'a PgLane,
    conn: Option<PgConnection>,
    /// It had served statements before (it may have gone stale since: a server restart).
    pub reused: bool,
    _permit: tokio::sync::SemaphorePermit<'a>,
}

/// The longest a lane statement waits for a connection, and runs (the pool's acquire timeout).
pub const WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Whether a statement on a reused connection failed because the connection is gone (the
/// server restarted or dropped it while idle): worth one more try on a new connection.
pub fn is_stale(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::Protocol(_) => true,
        // The server's last word on an ended connection: operator intervention (57P01 the
        // backend was terminated, 57P02 crash, 57P03 starting up) or a connection exception.
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("57P") || c.starts_with("08")),
        _ => false,
    }
}

impl LaneConnection<'_> {
    /// The connection, to run statements on.
    pub fn conn(&mut self) -> &mut PgConnection {
        self.conn.as_mut().expect("held until released")
    }

    /// Hands the connection back to the lane for the next statement.
    pub fn release(mut self) {
        if let Some(conn) = self.conn.take() {
            self.lane
                .idle
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(conn);
        }
    }
}

/// A sqlx error as SeaORM's.
pub fn sqlx_err(e: sqlx::Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(Arc::new(e)))
}
