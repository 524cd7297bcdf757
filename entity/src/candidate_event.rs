//! `candidate_events`: the append-only full-process record (全程纪实).

use sea_orm::entity::prelude::*;

/// One recorded step; never updated.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "candidate_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub candidate_id: i64,
    pub step: String,
    pub step_number: i16,
    pub occurred_on: Date,
    pub recorded_at: DateTimeUtc,
    pub actor_user_id: i64,
    pub organization_id: i64,
    pub details: String,
    pub warnings: String,
    pub corrects_event_id: Option<i64>,
    pub note: Option<String>,
    pub actor_role: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
