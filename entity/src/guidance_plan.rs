//! `guidance_plans`: one plan per (organization, year, line); its content lives in revisions.

use sea_orm::entity::prelude::*;

/// A guidance plan (指导性计划) received by an organization.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "guidance_plans")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub year: i32,
    pub line: String,
    pub issuer_organization_id: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
