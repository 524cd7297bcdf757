//! The audit log: rows for reads that matter (logins, token issues, exports, duplicate-person
//! checks) written in their own transaction, the ADMIN's view of the log, and the chain check.

use super::list::{ListQuery, Listed, Total};
use super::require;
use crate::db::{self, audit::AuditRecord};
use crate::domain::{Actor, Permission};
use crate::error::AppResult;
use entity::audit_event::Model;
use sea_orm::DatabaseConnection;

/// Appends one audit row in a transaction of its own (for events that write nothing else).
pub async fn record_alone(
    db: &DatabaseConnection,
    record: AuditRecord<'_>,
    outcome: &str,
) -> AppResult<()> {
    let txn = crate::db::begin_write(db).await?;
    db::audit::record_outcome(&txn, record, outcome).await?;
    txn.commit().await?;
    Ok(())
}

/// The audit log of a subtree (ADMIN), newest first, between `from` (inclusive) and `to`
/// (exclusive). Rows without an organization (failed logins of unknown users) only appear to
/// the root's ADMIN.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    query: ListQuery<AuditOnly>,
) -> AppResult<Listed<Model, db::audit::AuditFilter>> {
    require(actor, Permission::ReadAuditLog)?;
    let under_path = super::organization::resolve_under(db, actor, query.under).await?;
    let include_unorganized = crate::domain::organization::path_ids(&under_path).len() == 1;
    let filter = db::audit::AuditFilter {
        under_path,
        include_unorganized,
        from: query.only.from,
        to: query.only.to,
    };
    // Newest first: the cursor is the oldest row of the previous page.
    let page = db::audit::list(db, &filter, query.after_id, query.limit).await?;
    Ok(Listed {
        page,
        total: Total(filter),
    })
}

/// Which audit rows a list keeps: those written from `from` (inclusive) up to `to` (exclusive).
#[derive(Debug, Clone, Default)]
pub struct AuditOnly {
    /// From this instant (inclusive).
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    /// Up to this instant (exclusive).
    pub to: Option<chrono::DateTime<chrono::Utc>>,
}

impl Total<db::audit::AuditFilter> {
    /// The number of audit rows the list matches.
    pub async fn count(&self, db: &DatabaseConnection) -> AppResult<i64> {
        Ok(db::audit::count(db, &self.0).await? as i64)
    }
}

/// Checks the whole chain: rows checked and the first row that does not match.
pub async fn verify(db: &DatabaseConnection) -> AppResult<(u64, Option<db::audit::ChainBreak>)> {
    Ok(db::audit::verify(db).await?)
}
