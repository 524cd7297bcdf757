//! `reports`: one report of an organization for a period, with the snapshot of the computed
//! indicators at submission and the figures the submitter declares.

use sea_orm::entity::prelude::*;

/// A report (上半年报表, 年报, quarterly bulletin…).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub year: i32,
    pub period: String,
    pub status: String,
    pub snapshot: String,
    pub declared: String,
    pub narrative: String,
    pub attachments: String,
    pub return_reason: Option<String>,
    pub proposed_plan: Option<String>,
    pub submitted_on: Option<Date>,
    pub accepted_on: Option<Date>,
    pub version: i32,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
