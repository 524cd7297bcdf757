//! The audit trail: one row per write, in the write's transaction.

use entity::audit_event::{ActiveModel, Column, Entity, Model};
use sea_orm::prelude::*;
use sea_orm::{ActiveValue::Set, ConnectionTrait, QueryOrder};

/// What to record about one write.
pub struct AuditRecord<'a> {
    pub actor_user_id: Option<i64>,
    pub organization_id: Option<i64>,
    pub action: &'a str,
    pub subject_type: &'a str,
    pub subject_id: Option<i64>,
    pub detail: serde_json::Value,
}

/// Appends an audit event.
pub async fn record(db: &impl ConnectionTrait, r: AuditRecord<'_>) -> Result<(), DbErr> {
    ActiveModel {
        occurred_at: Set(chrono::Utc::now()),
        actor_user_id: Set(r.actor_user_id),
        organization_id: Set(r.organization_id),
        action: Set(r.action.to_string()),
        subject_type: Set(r.subject_type.to_string()),
        subject_id: Set(r.subject_id),
        detail: Set(r.detail.to_string()),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// The audit events of one subject, oldest first.
pub async fn for_subject(
    db: &impl ConnectionTrait,
    subject_type: &str,
    subject_id: i64,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::SubjectType.eq(subject_type))
        .filter(Column::SubjectId.eq(subject_id))
        .order_by_asc(Column::Id)
        .all(db)
        .await
}
