//! `audit_events`: one row per write, in the write's own transaction.

use sea_orm::entity::prelude::*;

/// Who changed what, when, and the change itself as JSON text.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub occurred_at: DateTimeUtc,
    pub actor_user_id: Option<i64>,
    pub organization_id: Option<i64>,
    pub action: String,
    pub subject_type: String,
    pub subject_id: Option<i64>,
    pub detail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
