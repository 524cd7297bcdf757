//! `plan_revisions`: every change of a plan, with who, when and why; never edited.

use sea_orm::entity::prelude::*;

/// One revision of a plan.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plan_revisions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub plan_id: i64,
    pub revision: i32,
    pub effective_on: Date,
    pub recorded_at: DateTimeUtc,
    pub actor_user_id: i64,
    pub reason: String,
    pub content: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
