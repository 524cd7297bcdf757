//! The event bus between instances. On PostgreSQL every event goes out through `NOTIFY` (payload:
//! ids only) and comes back to every instance — this one included — through `LISTEN`, so a
//! subscriber on any instance hears a letter replied through any other, and a user deactivated
//! through one instance is forgotten by every instance's cache at once. On SQLite (one process)
//! the events go straight to this process's subscribers.

use crate::auth::viewer::ViewerCache;
use crate::db;
use crate::domain::letter::LetterEventKind;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::{broadcast, mpsc};

/// The PostgreSQL channel's prefix; the schema the service runs in completes it, so services
/// (and tests) sharing a database in different schemas do not hear each other.
pub const CHANNEL: &str = "fazhan_events";

/// A letter change announced to subscribers; they see it if either side's path is in their scope.
#[derive(Debug, Clone)]
pub struct LetterEvent {
    pub kind: LetterEventKind,
    pub letter_id: i64,
    pub sender_path: String,
    pub receiver_path: String,
}

pub use crate::domain::letter::ReportEventKind;

/// A report returned or accepted; subscribers see it if the report's organization is in scope.
#[derive(Debug, Clone)]
pub struct ReportEvent {
    pub kind: ReportEventKind,
    pub report_id: i64,
    pub organization_path: String,
}

/// What travels between instances: ids only.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "t", rename_all = "camelCase")]
enum Wire {
    Letter { kind: String, id: i64 },
    Report { kind: String, id: i64 },
    Users,
}

/// The bus: local subscribers, and the database it announces through.
#[derive(Clone)]
pub struct Bus {
    letters: broadcast::Sender<LetterEvent>,
    reports: broadcast::Sender<ReportEvent>,
    db: DatabaseConnection,
    viewers: Arc<ViewerCache>,
    /// Events received from the database (for `/metrics` and tests).
    pub received: Arc<AtomicU64>,
    channel: Arc<std::sync::OnceLock<String>>,
    /// The payloads on their way to `NOTIFY` ([`Bus::notify`]), sent by one task.
    outbox: Arc<std::sync::OnceLock<mpsc::UnboundedSender<String>>>,
}

impl Bus {
    /// A bus over `db` clearing `viewers` on user changes.
    pub fn new(db: DatabaseConnection, viewers: Arc<ViewerCache>) -> Self {
        Bus {
            letters: broadcast::channel(1024).0,
            reports: broadcast::channel(1024).0,
            db,
            viewers,
            received: Arc::new(AtomicU64::new(0)),
            channel: Arc::new(std::sync::OnceLock::new()),
            outbox: Arc::new(std::sync::OnceLock::new()),
        }
    }

    fn channel(&self) -> &str {
        channel_name(&self.channel)
    }

    fn shared(&self) -> bool {
        self.db.get_database_backend() == DatabaseBackend::Postgres
    }

    /// Subscribes to letter events.
    pub fn subscribe_letters(&self) -> broadcast::Receiver<LetterEvent> {
        self.letters.subscribe()
    }

    /// Announces a letter change (after its transaction committed).
    pub fn letter(&self, event: LetterEvent) {
        if self.shared() {
            self.notify(Wire::Letter {
                kind: event.kind.as_str().into(),
                id: event.letter_id,
            });
        } else {
            let _ = self.letters.send(event);
        }
    }

    /// Subscribes to report events.
    pub fn subscribe_reports(&self) -> broadcast::Receiver<ReportEvent> {
        self.reports.subscribe()
    }

    /// Announces a report returned or accepted (after its transaction committed).
    pub fn report(&self, event: ReportEvent) {
        if self.shared() {
            self.notify(Wire::Report {
                kind: event.kind.as_str().into(),
                id: event.report_id,
            });
        } else {
            let _ = self.reports.send(event);
        }
    }

    /// Users or organizations changed (deactivation, role, token generation, a move): every
    /// instance forgets its cached viewers.
    pub fn users_changed(&self) {
        self.viewers.clear();
        if self.shared() {
            self.notify(Wire::Users);
        }
    }

    /// Queues `wire` for `NOTIFY`. One task per bus sends what is queued, in order, up to
    /// [`NOTIFY_BATCH`] payloads in one statement: a task per event (as before) let a sweep of a
    /// thousand overdue letters start a thousand tasks waiting for the pool at once (16 MB of
    /// the process's peak), and events could overtake each other.
    fn notify(&self, wire: Wire) {
        let payload = serde_json::to_string(&wire).unwrap_or_default();
        let outbox = self.outbox.get_or_init(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            tokio::spawn(send_notifications(
                self.db.clone(),
                self.channel.clone(),
                rx,
            ));
            tx
        });
        let _ = outbox.send(payload);
    }

    /// What a received payload means here: a letter or report event is reloaded (the paths come
    /// from the database, not the payload) when a subscription of this instance listens, and
    /// dropped unread when none does (the overdue sweep at the first start after a 5 M seed
    /// announced 5,000 letters, and every instance read each one back with two statements
    /// while serving requests); a user change clears the cache. Whether anyone listens is
    /// judged when the event arrives: a subscription opened while an earlier event is being
    /// reloaded does not get that event (it was announced before the subscription existed).
    async fn deliver(&self, payload: &str) {
        self.received.fetch_add(1, Ordering::Relaxed);
        match serde_json::from_str::<Wire>(payload) {
            Ok(Wire::Users) => self.viewers.clear(),
            Ok(Wire::Letter { kind, id }) => {
                let Some(kind) = LetterEventKind::parse(&kind) else {
                    return;
                };
                if self.letters.receiver_count() == 0 {
                    return;
                }
                match letter_event(&self.db, kind, id).await {
                    Ok(Some(e)) => {
                        let _ = self.letters.send(e);
                    }
                    Ok(None) => {}
                    Err(e) => tracing::warn!(error = %e, "could not reload an announced letter"),
                }
            }
            Ok(Wire::Report { kind, id }) => {
                let Some(kind) = ReportEventKind::parse(&kind) else {
                    return;
                };
                if self.reports.receiver_count() == 0 {
                    return;
                }
                match report_event(&self.db, kind, id).await {
                    Ok(Some(e)) => {
                        let _ = self.reports.send(e);
                    }
                    Ok(None) => {}
                    Err(e) => tracing::warn!(error = %e, "could not reload an announced report"),
                }
            }
            Err(_) => tracing::warn!(payload, "unknown event payload"),
        }
    }

    /// On PostgreSQL, listens for every instance's events until the process ends (the listener
    /// reconnects by itself after a lost connection).
    pub async fn spawn_listener(&self) {
        if !self.shared() {
            return;
        }
        #[derive(sea_orm::FromQueryResult)]
        struct Schema {
            s: String,
        }
        let schema = <Schema as sea_orm::FromQueryResult>::find_by_statement(
            Statement::from_string(DatabaseBackend::Postgres, "SELECT current_schema() AS s"),
        )
        .one(&self.db)
        .await
        .ok()
        .flatten()
        .map_or_else(|| "public".to_string(), |r| r.s);
        let _ = self.channel.set(format!("{CHANNEL}_{schema}"));
        let bus = self.clone();
        tokio::spawn(async move {
            loop {
                let pool = bus.db.get_postgres_connection_pool().clone();
                let mut listener = match sqlx::postgres::PgListener::connect_with(&pool).await {
                    Ok(l) => l,
                    Err(e) => {
                        tracing::warn!(error = %e, "event listener cannot connect; retrying");
                        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                        continue;
                    }
                };
                if let Err(e) = listener.listen(bus.channel()).await {
                    tracing::warn!(error = %e, "event listener cannot LISTEN; retrying");
                    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                    continue;
                }
                loop {
                    match listener.recv().await {
                        Ok(n) => bus.deliver(n.payload()).await,
                        Err(e) => {
                            tracing::warn!(error = %e, "event listener lost its connection");
                            break;
                        }
                    }
                }
            }
        });
    }

    /// Waits until the listener is ready (tests: events sent before it would be missed).
    pub async fn ready(&self) {
        if !self.shared() {
            return;
        }
        // A round trip through the channel proves the LISTEN is in place.
        let before = self.received.load(Ordering::Relaxed);
        for _ in 0..100 {
            self.notify(Wire::Users);
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            if self.received.load(Ordering::Relaxed) > before {
                return;
            }
        }
    }
}

/// The channel of the schema the listener found, or the prefix alone before it has.
fn channel_name(channel: &std::sync::OnceLock<String>) -> &str {
    channel.get().map_or(CHANNEL, String::as_str)
}

/// Payloads sent in one statement at most.
pub const NOTIFY_BATCH: usize = 256;

/// The bus's sending task: what is queued, in order, a batch per statement (PostgreSQL delivers
/// a transaction's notifications in the order sent; identical payloads within one are
/// delivered once, which for these — ids and "users changed" — loses nothing).
async fn send_notifications(
    db: DatabaseConnection,
    channel: Arc<std::sync::OnceLock<String>>,
    mut outbox: mpsc::UnboundedReceiver<String>,
) {
    let mut batch = Vec::with_capacity(NOTIFY_BATCH);
    while outbox.recv_many(&mut batch, NOTIFY_BATCH).await > 0 {
        let channel = channel_name(&channel);
        let payloads = serde_json::to_string(&batch).unwrap_or_default();
        let stmt = Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_notify($1, p) FROM json_array_elements_text(CAST($2 AS JSON)) AS p",
            [channel.into(), payloads.into()],
        );
        if let Err(e) = db.execute_raw(stmt).await {
            tracing::warn!(error = %e, events = batch.len(), "could not announce events");
        }
        batch.clear();
    }
}

async fn report_event(
    db: &DatabaseConnection,
    kind: ReportEventKind,
    id: i64,
) -> Result<Option<ReportEvent>, sea_orm::DbErr> {
    let Some(r) = db::report::find_by_id(db, id).await? else {
        return Ok(None);
    };
    Ok(db::organization::find_by_id(db, r.organization_id)
        .await?
        .map(|o| ReportEvent {
            kind,
            report_id: id,
            organization_path: o.path,
        }))
}

async fn letter_event(
    db: &DatabaseConnection,
    kind: LetterEventKind,
    id: i64,
) -> Result<Option<LetterEvent>, sea_orm::DbErr> {
    let Some(l) = db::letter::find_by_id(db, id).await? else {
        return Ok(None);
    };
    let orgs =
        db::organization::map_by_ids(db, [l.sender_organization_id, l.receiver_organization_id])
            .await?;
    let path = |id: i64| orgs.get(&id).map(|o| o.path.clone());
    Ok(
        match (
            path(l.sender_organization_id),
            path(l.receiver_organization_id),
        ) {
            (Some(s), Some(r)) => Some(LetterEvent {
                kind,
                letter_id: id,
                sender_path: s,
                receiver_path: r,
            }),
            _ => None,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_payload_carries_ids_only() {
        let w = Wire::Letter {
            kind: "REPLIED".into(),
            id: 42,
        };
        let s = serde_json::to_string(&w).unwrap();
        assert_eq!(s, r#"{"t":"letter","kind":"REPLIED","id":42}"#);
        assert_eq!(serde_json::from_str::<Wire>(&s).unwrap(), w);
        assert_eq!(
            serde_json::to_string(&Wire::Users).unwrap(),
            r#"{"t":"users"}"#
        );
    }
}
