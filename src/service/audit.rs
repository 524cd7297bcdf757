//! The audit log: rows for reads that matter (logins, token issues, exports, duplicate-person
//! checks) written in their own transaction, the ADMIN's view of the log, and the chain check.

use super::require;
use crate::db::{self, Page, audit::AuditRecord};
use crate::domain::{Actor, Permission};
use crate::error::AppResult;
use entity::audit_event::Model;
use sea_orm::{DatabaseConnection, TransactionTrait};

/// Appends one audit row in a transaction of its own (for events that write nothing else).
pub async fn record_alone(
    db: &DatabaseConnection,
    record: AuditRecord<'_>,
    outcome: &str,
) -> AppResult<()> {
    let txn = db.begin().await?;
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
    under: Option<i64>,
    from: Option<chrono::DateTime<chrono::Utc>>,
    to: Option<chrono::DateTime<chrono::Utc>>,
    before_id: Option<i64>,
    limit: u64,
) -> AppResult<(Page<Model>, db::audit::AuditFilter)> {
    require(actor, Permission::ReadAuditLog)?;
    let under_path = super::organization::resolve_under(db, actor, under).await?;
    let include_unorganized = crate::domain::organization::path_ids(&under_path).len() == 1;
    let filter = db::audit::AuditFilter {
        under_path,
        include_unorganized,
        from,
        to,
    };
    Ok((
        db::audit::list(db, &filter, before_id, limit).await?,
        filter,
    ))
}

/// Checks the whole chain: rows checked and the first row that does not match.
pub async fn verify(db: &DatabaseConnection) -> AppResult<(u64, Option<db::audit::ChainBreak>)> {
    Ok(db::audit::verify(db).await?)
}
