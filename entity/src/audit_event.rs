//! `audit_events`: one row per write, login, token issue and export, in the write's own
//! transaction, chained by hashes.

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
    /// The actor's role when it acted.
    pub actor_role: Option<String>,
    /// The request that made the change (the `x-request-id` header or a generated id).
    pub request_id: Option<String>,
    /// `OK`, or what refused it (`FAILED` for a wrong password, `DUPLICATE` …).
    pub outcome: String,
    /// The previous row's `hash` (the audit chain).
    pub prev_hash: Option<String>,
    /// SHA-256 of this row's content and `prev_hash`.
    pub hash: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
