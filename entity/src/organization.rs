//! `organizations`: the Party organization tree (province → … → branch).

use sea_orm::entity::prelude::*;

/// One Party organization. `path` is the materialized ancestor path (`/1/5/23/`, root first, the
/// row's own id last) so that "everything under X" is one range scan on an index.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organizations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub parent_id: Option<i64>,
    pub path: String,
    pub depth: i32,
    pub name: String,
    pub code: Option<String>,
    pub kind: String,
    pub sector: String,
    pub is_two_new: bool,
    pub can_approve: bool,
    pub can_pre_review: bool,
    pub member_count: i32,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
